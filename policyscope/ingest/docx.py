"""DOCX → pages of cleaned text.

Body paragraphs and table cells (in document order, nested tables included) become paragraphs;
Heading/Title styles become headings (so a "References" heading flags the reference list).
Pages are split at explicit page breaks (a page-break run, "page break before", or a section
break that starts a new page); with none, the document is one page. Word's own rendered page
boundaries (w:lastRenderedPageBreak) are not used: they depend on the machine that last saved it.
Deleted tracked changes, field codes and the fallback copies of text boxes are skipped.
Core properties give title / authors / date (created) and extras (subject, keywords, modified...).
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from policyscope.errors import CorruptFile, EmptyFile, EncryptedFile, UnsupportedFileType
from policyscope.ingest.blocks import Block, build_pages, squash
from policyscope.ingest.dates import normalise_date
from policyscope.model import CleanupAction, ExtractedDocument

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PAGE = object()  # marker for an explicit page break inside a paragraph's text


def read_docx(path, doc_id: str) -> ExtractedDocument:
    path = Path(path)
    where = str(path)
    document = _open(path, where)
    styles = _heading_levels(document)
    pages: list[list[Block]] = [[]]
    body = document.element.body
    final_sect = body.find(f"{W}sectPr")
    sections = [s for s in body.iter(f"{W}sectPr") if s is not final_sect] + [final_sect]
    n_section = 0
    for child in body.iterchildren():
        if child.tag == f"{W}p":
            if _page_break_before(child) and pages[-1]:
                pages.append([])
            _add_paragraph(child, styles, pages)
            if child.find(f"{W}pPr/{W}sectPr") is not None:
                n_section += 1
                if _starts_new_page(sections, n_section):
                    pages.append([])
        elif child.tag == f"{W}tbl":
            _add_table(child, styles, pages)
        elif child.tag == f"{W}sdt":  # content control wrapping body content (cover pages, TOCs)
            for p in child.iter(f"{W}p"):
                _add_paragraph(p, styles, pages)
    while len(pages) > 1 and not pages[-1]:
        pages.pop()  # a trailing break makes no page
    if not any(b.text for page in pages for b in page):
        raise EmptyFile("the document has no text", path=where)
    raw = ["\n".join(b.text for b in page) for page in pages]
    cleanup: list[list[CleanupAction]] = [[] for _ in pages]
    built = build_pages(doc_id, raw, pages, cleanup)
    return ExtractedDocument(pages=built, file_type="docx", extractor="policyscope.docx (python-docx)",
                             metadata=_metadata(document, path))


def _open(path: Path, where: str):
    import docx  # python-docx; imported here so the other readers do not pay for it
    from docx.opc.exceptions import PackageNotFoundError

    if path.stat().st_size == 0:
        raise EmptyFile("the file is empty", path=where)
    with open(path, "rb") as fh:
        data_head = fh.read(8)
    if data_head.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o" in path.read_bytes()[:1 << 20]:
            raise EncryptedFile("the document is password-protected", path=where,
                                hint="save an unprotected copy and ingest that")
        raise UnsupportedFileType("legacy Word 97-2003 (.doc) file, not .docx", path=where,
                                  hint="save it as .docx (or convert with LibreOffice: soffice --convert-to docx)")
    if not zipfile.is_zipfile(path):
        raise CorruptFile("not a zip package (a .docx is a zip file): truncated, damaged or not a Word file",
                          path=where)
    try:
        return docx.Document(str(path))
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise CorruptFile(f"not a readable .docx (zip) package: {exc}", path=where) from exc
    except KeyError as exc:
        raise CorruptFile(f"the .docx package is missing a part: {exc}", path=where) from exc
    except ValueError as exc:  # e.g. a .xlsx/.pptx renamed to .docx
        raise CorruptFile(f"not a Word document: {exc}", path=where) from exc
    except Exception as exc:  # lxml XMLSyntaxError and friends: damaged XML inside the zip
        raise CorruptFile(f"the .docx could not be parsed ({type(exc).__name__}: {exc})", path=where) from exc


def _heading_levels(document) -> dict[str, int]:
    """style id → heading level (Title = 1, "Heading N" = N), following based-on chains."""
    levels: dict[str, int] = {}
    for style in document.styles:
        s = style
        for _ in range(10):  # based-on chains are short; guard against loops
            if s is None:
                break
            name = (s.name or "").lower()
            m = re.fullmatch(r"heading (\d)", name)
            if m or name == "title":
                levels[style.style_id] = int(m.group(1)) if m else 1
                break
            s = getattr(s, "base_style", None)
    return levels


def _paragraph_pieces(p) -> list:
    """Text of a paragraph as strings, with _PAGE where an explicit page break falls."""
    pieces: list = []
    for el in p.iter():
        if el.getparent() is not None and any(a.tag == MC_FALLBACK for a in el.iterancestors()):
            continue  # the fallback copy of a text box: the same text as its mc:Choice
        tag = el.tag
        if tag == f"{W}t":
            if not _hidden_run(el.getparent()):
                pieces.append(el.text or "")
        elif tag in (f"{W}tab", f"{W}cr"):
            pieces.append(" ")
        elif tag == f"{W}br":
            pieces.append(_PAGE if el.get(f"{W}type") == "page" else " ")
        elif tag == f"{W}noBreakHyphen":
            pieces.append("-")
        elif tag == f"{W}p" and el is not p:
            pieces.append(" ")  # a paragraph inside a text box
    return pieces


def _hidden_run(run) -> bool:
    """Text formatted as hidden (w:vanish) is not shown to readers."""
    vanish = run.find(f"{W}rPr/{W}vanish") if run is not None else None
    return vanish is not None and vanish.get(f"{W}val", "true") not in ("0", "false", "off")


def _add_paragraph(p, styles: dict[str, int], pages: list[list[Block]]) -> None:
    style = p.find(f"{W}pPr/{W}pStyle")
    level = styles.get(style.get(f"{W}val")) if style is not None else None
    outline = p.find(f"{W}pPr/{W}outlineLvl")
    if level is None and outline is not None and outline.get(f"{W}val", "9").isdigit():
        lvl = int(outline.get(f"{W}val"))
        level = lvl + 1 if lvl < 9 else None
    item = p.find(f"{W}pPr/{W}numPr") is not None
    text: list[str] = []
    for piece in _paragraph_pieces(p):
        if piece is _PAGE:
            _emit(text, level, item, pages)
            text = []
            if pages[-1]:
                pages.append([])
        else:
            text.append(piece)
    _emit(text, level, item, pages)


def _emit(text: list[str], level: int | None, item: bool, pages: list[list[Block]]) -> None:
    clean = squash("".join(text))
    if clean:
        pages[-1].append(Block(clean, heading=level, list_item=item))


def _add_table(tbl, styles: dict[str, int], pages: list[list[Block]]) -> None:
    """Each cell's paragraphs become paragraphs; merged cells are one <w:tc>, so nothing repeats."""
    for tr in tbl.iterchildren(f"{W}tr"):
        for tc in tr.iterchildren(f"{W}tc"):
            for child in tc.iterchildren():
                if child.tag == f"{W}p":
                    _add_paragraph(child, styles, pages)
                elif child.tag == f"{W}tbl":
                    _add_table(child, styles, pages)


def _page_break_before(p) -> bool:
    pbb = p.find(f"{W}pPr/{W}pageBreakBefore")
    return pbb is not None and pbb.get(f"{W}val", "true") not in ("0", "false", "off")


def _starts_new_page(sections: list, n_section: int) -> bool:
    """After the n-th section break: does the next section start on a new page? (default: yes)"""
    if n_section >= len(sections) or sections[n_section] is None:
        return True
    kind = sections[n_section].find(f"{W}type")
    return kind is None or kind.get(f"{W}val") not in ("continuous", "nextColumn")


def _metadata(document, path: Path) -> dict:
    out: dict = {}
    company = _app_company(path)
    if company:
        out["company"] = company
    if not _has_part(path, "docProps/core.xml"):
        return out  # python-docx would invent defaults ("Word Document", created now)
    props = document.core_properties
    if props.title and props.title.strip():
        out["title"] = squash(props.title)
    if props.author and props.author.strip():
        out["authors"] = squash(props.author)
    date = normalise_date(props.created)
    if date:
        out["date"] = date
    for key in ("subject", "keywords", "category", "comments", "language", "identifier", "version"):
        value = getattr(props, key, None)
        if value and str(value).strip():
            out[key] = squash(str(value))
    modified = normalise_date(props.modified)
    if modified:
        out["modified"] = modified
    return out


def _has_part(path: Path, name: str) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return name in zf.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _app_company(path: Path) -> str | None:
    """docProps/app.xml <Company> (python-docx does not expose it): often the issuing organisation."""
    try:
        with zipfile.ZipFile(path) as zf:
            xml = zf.read("docProps/app.xml").decode("utf-8", errors="replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    m = re.search(r"<Company>([^<]+)</Company>", xml)
    return squash(m.group(1)) if m else None
