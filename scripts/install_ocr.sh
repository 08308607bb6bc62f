#!/usr/bin/env bash
# Installs Tesseract (Debian's tesseract-ocr + English data) for `policyscope ingest --ocr`.
# Idempotent; does nothing when tesseract is already on PATH. Needs root (or sudo) and apt-get.
set -euo pipefail
if command -v tesseract >/dev/null 2>&1; then
  echo "install_ocr: tesseract already installed ($(tesseract --version 2>&1 | head -n1))"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install_ocr: no apt-get here; install Tesseract with your system's package manager to use --ocr" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "install_ocr: not root and no sudo; skipping (OCR tests will be skipped)" >&2; exit 0; fi
fi
echo "install_ocr: apt-get install tesseract-ocr tesseract-ocr-eng"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends tesseract-ocr tesseract-ocr-eng >/dev/null
echo "install_ocr: $(tesseract --version 2>&1 | head -n1)"
