"""Optional OCR of scanned PDFs through OCRmyPDF + Tesseract (`pip install policyscope[ocr]`, `apt-get install tesseract-ocr`)."""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from policyscope.errors import ExtractionTimeout, NoTextLayer


def ocr_available() -> tuple[bool, str]:
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return False, "OCRmyPDF is not installed (pip install 'policyscope[ocr]')"
    if shutil.which("tesseract") is None:
        return False, "Tesseract is not installed (apt-get install tesseract-ocr)"
    return True, ""


def ocr_pdf(path: Path, *, password: str | None = None, timeout: float | None = None) -> Path:
    """Return the path of an OCRed copy of `path` in a temporary folder (the input is never modified)."""
    ok, why = ocr_available()
    if not ok:
        raise NoTextLayer(f"scanned: OCR needed, but {why}", path=str(path))
    out = Path(tempfile.mkdtemp(prefix="policyscope-ocr-")) / (path.stem + ".ocr.pdf")
    cmd = [sys.executable, "-m", "ocrmypdf", "--force-ocr", "--output-type", "pdf", "--quiet", "-l", "eng", str(path), str(out)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise ExtractionTimeout(f"OCR timed out after {timeout:.0f}s", path=str(path)) from exc
    if proc.returncode != 0 or not out.exists():
        last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
        raise NoTextLayer(f"scanned: OCR failed ({last})", path=str(path))
    return out
