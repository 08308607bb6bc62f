"""PDF reader: open, extract page by page (pdfium by default, pdfplumber on request), clean up.

The API the ingest pipeline calls; every function is pure and picklable-in/picklable-out so it
runs in worker processes (pdfium is not thread-safe: processes only):

    open_pdf_info(path, password=None) -> PdfInfo
    extract_pages(path, first, last, password=None, extractor="pdfium") -> list[PageDraft]
    finish_pages(drafts, doc_id) -> list[Page]
    read_pdf(path, password=None, extractor="pdfium") -> ExtractedDocument
    has_text_layer(drafts) -> bool

The pdfium backend's lines and their boxes come from pdfium_lines.py (a few calls per line, no
per-glyph loop); the layout clean-up after that is shared with pdfplumber (layout/).
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field

from policyscope.errors import CorruptFile, EmptyFile, EncryptedFile, InputFileError
from policyscope.ingest.layout.document import finish_document
from policyscope.ingest.layout.page import PageDraft, build_draft, empty_draft
from policyscope.ingest.pdfium_lines import PdfiumLines, unchecked
from policyscope.model import CleanupAction, ExtractedDocument, Page

__all__ = ["PdfInfo", "PageDraft", "open_pdf_info", "extract_pages", "finish_pages", "read_pdf", "has_text_layer",
           "EXTRACTORS"]

EXTRACTORS = ("pdfium", "pdfplumber")
SCAN_MAX_CHARS = 50  # a page with fewer characters than this under a big image is a scan without OCR
SCAN_MIN_COVER = 0.5  # ...where "big" is half of the page
ENCRYPTED_MESSAGE = "encrypted: pass --password or a `password` manifest column"


@dataclass(frozen=True)
class PdfInfo:
    n_pages: int
    metadata: dict = field(default_factory=dict)  # title, authors, date, subject, producer (those present)


# --- opening and errors -------------------------------------------------------------------
def _open(path: str, password: str | None):
    """A pdfium document, or the coded error that says why not."""
    import pypdfium2 as pdfium

    path = os.fspath(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InputFileError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if size == 0:
        raise EmptyFile("the file is empty (0 bytes)", path=path)
    try:
        return pdfium.PdfDocument(path, password=password)
    except pdfium.PdfiumError as exc:
        said = str(exc)
        if "password" in said.lower():
            hint = "the password given does not open it" if password else None
            raise EncryptedFile(ENCRYPTED_MESSAGE, path=path, hint=hint) from None
        raise CorruptFile(f"cannot be parsed as PDF (pdfium: {said})", path=path) from None


def open_pdf_info(path, *, password: str | None = None) -> PdfInfo:
    """Page count and document-info metadata. Raises EmptyFile, EncryptedFile, CorruptFile."""
    doc = _open(path, password)
    try:
        n = len(doc)
        if n == 0:
            raise EmptyFile("the PDF has no pages", path=os.fspath(path))
        return PdfInfo(n, _metadata(doc.get_metadata_dict(skip_empty=True)))
    finally:
        doc.close()


def _metadata(info: dict) -> dict:
    out = {}
    for key, name in (("Title", "title"), ("Author", "authors"), ("Subject", "subject"), ("Producer", "producer")):
        value = " ".join(str(info.get(key, "")).split())
        if value:
            out[name] = value
    date = pdf_date(info.get("CreationDate")) or pdf_date(info.get("ModDate"))
    if date:
        out["date"] = date
    return out


_PDF_DATE = re.compile(r"^(?:D:)?\s*((?:19|20)\d{2})(\d{2})?(\d{2})?")


def pdf_date(value) -> str | None:
    """'D:20221215000000+00'00'' → '2022-12-15'; a partial date keeps what is valid ('2011', '2011-04')."""
    m = _PDF_DATE.match(str(value or "").strip())
    if not m:
        return None
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


# --- extraction -----------------------------------------------------------------------------
def extract_pages(path, first: int, last: int, *, password: str | None = None,
                  extractor: str = "pdfium") -> list[PageDraft]:
    """Pages first..last (1-based, inclusive), extracted and cleaned page by page."""
    if extractor == "pdfplumber":
        from policyscope.ingest.pdf_plumber import extract_pages_plumber
        return extract_pages_plumber(path, first, last, password=password)
    if extractor != "pdfium":
        raise ValueError(f"unknown PDF extractor {extractor!r} (choose from {', '.join(EXTRACTORS)})")
    import pypdfium2.raw as c

    doc = _open(path, password)
    try:
        n = len(doc)
        if not 1 <= first <= last <= n:
            raise ValueError(f"page range {first}..{last} outside 1..{n} of {path}")
        drafts = []
        box = c.FS_RECTF()
        for page_no in range(first, last + 1):
            # The raw calls skip the helper objects' bookkeeping (~5% of the time per page).
            page = c.FPDF_LoadPage(doc.raw, page_no - 1)
            if not page:
                raise CorruptFile(f"page {page_no} cannot be loaded by pdfium", path=os.fspath(path))
            try:
                c.FPDF_GetPageBoundingBox(page, box)  # unrotated page space, like the glyph boxes
                drafts.append(_pdfium_page(c, page, page_no, box.right - box.left, box.top - box.bottom))
            finally:
                c.FPDF_ClosePage(page)
        return drafts
    finally:
        doc.close()


def _pdfium_page(c, page, page_no: int, width: float, height: float) -> PageDraft:
    textpage = c.FPDFText_LoadPage(page)
    if not textpage:
        return empty_draft(page_no, "", width, height, _image_cover(c, page, width * height))
    try:
        raw = _page_text(c, textpage)
        if not raw.strip():
            return empty_draft(page_no, raw, width, height, _image_cover(c, page, width * height))
        actions: list[CleanupAction] = []
        lines = PdfiumLines(textpage, raw, actions).lines()
        cover = _image_cover(c, page, width * height) if len(raw) < 200 else 0.0
        return build_draft(page_no, raw, lines, width, height, actions, image_cover=cover)
    finally:
        c.FPDFText_ClosePage(textpage)


def _image_cover(c, page, area: float, max_objects: int = 500) -> float:
    """Share of the page under its largest image, looking one level into form objects (a scan is
    one big image, sometimes wrapped in a form). Only asked for pages with little text."""
    if area <= 0:
        return 0.0
    l, b, r, t = (ctypes.c_float() for _ in range(4))
    image, form = c.FPDF_PAGEOBJ_IMAGE, c.FPDF_PAGEOBJ_FORM
    # Two calls per object, up to max_objects of them (and as many in each form): unchecked, half the cost.
    type_of = unchecked("FPDFPageObj_GetType")
    page_object = unchecked("FPDFPage_GetObject", c.FPDF_PAGEOBJECT)
    form_object = unchecked("FPDFFormObj_GetObject", c.FPDF_PAGEOBJECT)  # index: unsigned long
    best = 0.0

    def visit(objects) -> None:
        nonlocal best
        for obj in objects:
            kind = type_of(obj)
            if kind == image and c.FPDFPageObj_GetBounds(obj, l, b, r, t):
                best = max(best, (r.value - l.value) * (t.value - b.value) / area)
            elif kind == form:
                n = min(c.FPDFFormObj_CountObjects(obj), max_objects)
                visit(form_object(obj, ctypes.c_ulong(i)) for i in range(max(n, 0)))

    n = min(c.FPDFPage_CountObjects(page), max_objects)
    visit(page_object(page, i) for i in range(max(n, 0)))
    return min(best, 1.0)


def _page_text(c, textpage) -> str:
    """The page's whole text, as PdfTextPage.get_text_range() gives it."""
    n = c.FPDFText_CountChars(textpage)
    if n <= 0:
        return ""
    size = 2 * n + 16  # pdfium may write more than n chars (crbug.com/pdfium/2079): room to spare
    buffer = _utf16_array(1 << (size - 1).bit_length())()
    written = c.FPDFText_GetText(textpage, 0, n, buffer)
    return bytes(memoryview(buffer)[:max(written - 1, 0)]).decode("utf-16-le", errors="ignore")


@functools.cache
def _utf16_array(capacity: int):
    """The ctypes array type of `capacity` UTF-16 code units. Making an array type costs more than
    filling it with a page's text, so capacities are rounded up to powers of two and types reused."""
    return ctypes.c_ushort * capacity


# --- the cross-page step and the whole-document convenience ------------------------------
def finish_pages(drafts: list[PageDraft], doc_id: str) -> list[Page]:
    """Cross-page clean-up of one whole document (see layout/document.py)."""
    return finish_document(drafts, doc_id)


def has_text_layer(drafts: list[PageDraft]) -> bool:
    """False when the document needs OCR to be read.

    That is: no text at all, or at least half of its pages are scans, a page under one big image
    (SCAN_MIN_COVER of it) with hardly any text (fewer than SCAN_MAX_CHARS characters, e.g. a
    'pdf.js' stamp). A short born-digital PDF with a few words and no image keeps its text.
    """
    if not drafts or sum(d.n_chars for d in drafts) == 0:
        return False
    scans = sum(1 for d in drafts if d.n_chars < SCAN_MAX_CHARS and d.image_cover >= SCAN_MIN_COVER)
    return 2 * scans < len(drafts)


def read_pdf(path, *, password: str | None = None, extractor: str = "pdfium") -> ExtractedDocument:
    """Open, extract every page, finish; pages carry the file's doc_id (first 12 hex of its sha256)."""
    info = open_pdf_info(path, password=password)
    drafts = extract_pages(path, 1, info.n_pages, password=password, extractor=extractor)
    pages = finish_pages(drafts, doc_id=_file_doc_id(path))
    return ExtractedDocument(pages=tuple(pages), file_type="pdf", extractor=extractor, metadata=dict(info.metadata))


def _file_doc_id(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]
