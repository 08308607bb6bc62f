#!/usr/bin/env bash
# Install Debian's Chromium (+ chromedriver) for the browser tests and static image export.
#
# policyscope never downloads a browser at run time: Playwright and kaleido are pointed at
# /usr/bin/chromium (override with POLICYSCOPE_CHROMIUM or BROWSER_PATH). This script makes that
# binary exist. Idempotent: it does nothing when the browser is already there. Runs unattended
# (no stdin, CI) as root, or through sudo -n when available.
#
#   scripts/install_browser.sh            # install when missing
#   scripts/install_browser.sh --check    # exit 0 if present, 1 if not; install nothing
set -euo pipefail

CHROMIUM="${POLICYSCOPE_CHROMIUM:-/usr/bin/chromium}"
say() { printf 'install_browser: %s\n' "$*"; }

if [ -x "$CHROMIUM" ]; then
    say "found $CHROMIUM ($("$CHROMIUM" --version 2>/dev/null | head -n1 || echo 'version unknown')); nothing to do"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    say "$CHROMIUM is missing"
    exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
    say "$CHROMIUM is missing and apt-get is not available (not a Debian/Ubuntu system)."
    say "Install Chromium with your package manager and set POLICYSCOPE_CHROMIUM=/path/to/chromium;"
    say "browser tests will be skipped until then."
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        say "$CHROMIUM is missing and this user is not root (and has no password-less sudo)."
        say "Run as root:  apt-get update && apt-get install -y chromium chromium-driver"
        say "browser tests will be skipped until then."
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
say "running: ${SUDO:+$SUDO }apt-get update"
$SUDO apt-get update -q </dev/null
say "running: ${SUDO:+$SUDO }apt-get install -y chromium chromium-driver fonts-dejavu-core fonts-liberation"
$SUDO apt-get install -y -q chromium chromium-driver fonts-dejavu-core fonts-liberation </dev/null

if [ -x /usr/bin/chromium ]; then
    say "installed $(/usr/bin/chromium --version 2>/dev/null | head -n1 || echo /usr/bin/chromium)"
else
    say "apt-get finished but /usr/bin/chromium is still missing"
    exit 1
fi
