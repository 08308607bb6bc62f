"""The units of work the ingest pipeline hands to worker processes: pure functions of their arguments."""
from __future__ import annotations

from pathlib import Path

from policyscope.ingest.near_duplicates import sentences_signature
from policyscope.model import ExtractedDocument, Page
from policyscope.segment import segment_pages


def extract_pdf_chunk(path: str, first: int, last: int, password: str | None, extractor: str):
    from policyscope.ingest.pdf import extract_pages
    return extract_pages(path, first, last, password=password, extractor=extractor)


def process_whole_pdf(path: str, n_pages: int, password: str | None, extractor: str, doc_id: str,
                      ocred: bool = False):
    """A PDF small enough for one task: extract, finish and segment in the worker (one round trip).

    Returns None when the PDF has no text layer, else (pages, passages, sentences, signature).
    """
    from policyscope.ingest.pdf import extract_pages, finish_pages
    drafts = extract_pages(path, 1, n_pages, password=password, extractor=extractor)
    if not usable_text(drafts, ocred):
        return None
    pages = finish_pages(drafts, doc_id)
    return (pages, *segment_chunk(pages))


def usable_text(drafts, ocred: bool) -> bool:
    """A text layer to ingest. After OCR any recognised text counts: the page image is still there, so
    the scan test (little text under a page-sized image) would reject a sparse but real page."""
    from policyscope.ingest.pdf import has_text_layer
    return any(d.n_chars for d in drafts) if ocred else has_text_layer(drafts)


def segment_chunk(pages: list[Page]):
    """Passages, sentences and the MinHash signature of a page range."""
    passages, sentences = segment_pages(pages)
    return passages, sentences, sentences_signature(sentences)


def read_other(path: str, ftype: str, doc_id: str) -> ExtractedDocument:
    """Read one HTML, DOCX or text file."""
    if ftype == "html":
        from policyscope.ingest.html import read_html
        return read_html(Path(path), doc_id)
    if ftype == "docx":
        from policyscope.ingest.docx import read_docx
        return read_docx(Path(path), doc_id)
    if ftype == "text":
        from policyscope.ingest.text import read_text
        return read_text(Path(path), doc_id)
    raise ValueError(f"read_other cannot read {ftype}")


def read_and_segment(path: str, ftype: str, doc_id: str):
    extracted = read_other(path, ftype, doc_id)
    passages, sentences = segment_pages(extracted.pages)
    return extracted, passages, sentences, sentences_signature(sentences)


def segment_documents(docs: list[tuple[str, ExtractedDocument]]):
    """Segment several small documents (tabular rows) in one task."""
    out = []
    for doc_id, ex in docs:
        passages, sentences = segment_pages(ex.pages)
        out.append((doc_id, ex, passages, sentences, sentences_signature(sentences)))
    return out
