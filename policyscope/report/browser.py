"""Where the Chromium binary is. policyscope never downloads a browser: it uses Debian's
/usr/bin/chromium (scripts/install_browser.sh installs it) or the one named by
POLICYSCOPE_CHROMIUM / BROWSER_PATH (the variable kaleido/choreographer also read).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from policyscope.errors import ReportError

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Flags for headless runs on CI and in containers: no sandbox (root), no GPU, no network chatter.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def find_chromium() -> str | None:
    for env in ("POLICYSCOPE_CHROMIUM", "BROWSER_PATH"):
        value = os.environ.get(env)
        if value and Path(value).is_file() and os.access(value, os.X_OK):
            return value
    if Path(DEFAULT_CHROMIUM).is_file() and os.access(DEFAULT_CHROMIUM, os.X_OK):
        return DEFAULT_CHROMIUM
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_path() -> str:
    path = find_chromium()
    if not path:
        raise ReportError("no Chromium found for static image export",
                          hint="run scripts/install_browser.sh (Debian: apt-get install chromium), or set "
                               "POLICYSCOPE_CHROMIUM=/path/to/chromium; pass --no-images to skip PNG/SVG")
    return path
