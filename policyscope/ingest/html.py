"""HTML → one page of main text.

Keeps headings, paragraphs, list items, quotes and table cells as paragraphs. Drops what is not
the page's own content: scripts and styles, navigation, site header and footer, sidebars,
forms, cookie banners, breadcrumbs, share widgets, image credits, and the second copy of
blocks a page repeats (teaser + pop-up). Every visible block dropped is logged as a
CleanupAction (kind "boilerplate" or "duplicate").

Page.raw_text is the page's visible text before that filtering (same paragraph convention),
so raw_text minus text is exactly what was removed.
"""
from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction, Tag

from policyscope.errors import CorruptFile, EmptyFile
from policyscope.ingest.blocks import Block, build_pages, is_cookie_notice, snippet, squash
from policyscope.ingest.dates import normalise_date
from policyscope.model import CleanupAction, ExtractedDocument

# Never text: dropped silently.
INVISIBLE_TAGS = ("script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
                  "head", "meta", "link", "button", "select", "option", "input", "textarea", "map", "audio",
                  "video", "picture", "source", "dialog")
BLOCK_TAGS = {"p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol",
              "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
              "caption", "figure", "figcaption", "address", "form", "fieldset", "legend", "details", "summary",
              "hr", "body", "center", "hgroup"}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
CONTENT_TAGS = ("article", "main", "section")  # a header/aside inside these belongs to the content
LANDMARK_TAGS = ("nav", "header", "footer", "aside")
# class/id words that mark page furniture
BOILERPLATE_WORDS = {"nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "cookie", "cookies",
                     "consent", "gdpr", "sidebar", "share", "sharing", "social", "skiplink", "newsletter",
                     "subscribe", "advert", "advertisement", "ads", "masthead", "toolbar", "pagination", "pager",
                     "related", "footer", "sitefooter", "siteheader"}
BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar"}
_CREDIT = re.compile(r"\b(?:image|photo|picture|photograph)\s+(?:credit|courtesy)s?\s*:", re.IGNORECASE)
_SKIP_LINK = re.compile(r"^skip to\b", re.IGNORECASE)
MIN_DUPLICATE_WORDS = 4  # shorter repeats (table cells like "Yes") are content; longer ones are template copies


def read_html(path, doc_id: str) -> ExtractedDocument:
    path = Path(path)
    where = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFile("the file is empty", path=where)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CorruptFile("binary data (NUL bytes), not HTML", path=where)
    soup = BeautifulSoup(data, "lxml")
    metadata = html_metadata(soup)
    for tag in soup.find_all(INVISIBLE_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    body = soup.body or soup
    raw_text = "\n\n".join(b.text for b in _blocks(body))

    root = main_root(body)
    actions = _drop_outside(root)
    actions += _drop_boilerplate(root)
    blocks, more = _filter_blocks(_blocks(root))
    actions += more
    if not blocks:
        raise EmptyFile("no visible text in the page's main content", path=where,
                        hint="the page may be built by JavaScript; save the rendered page instead")
    if "title" not in metadata:
        h1 = next((b.text for b in blocks if b.heading == 1), None)
        if h1:
            metadata["title"] = h1
    pages = build_pages(doc_id, [raw_text], [blocks], [actions])
    return ExtractedDocument(pages=pages, file_type="html", extractor="policyscope.html (beautifulsoup4+lxml)",
                             metadata=metadata)


# --------------------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------------------
DATE_KEYS = ("article:published_time", "citation_publication_date", "citation_date", "dc.date.issued",
             "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created", "date", "publication_date",
             "publish-date", "pubdate", "og:published_time", "datepublished", "parsely-pub-date", "sailthru.date")
AUTHOR_KEYS = ("author", "citation_author", "dc.creator", "dcterms.creator", "article:author")
PUBLISHER_KEYS = ("citation_publisher", "dc.publisher", "dcterms.publisher", "og:site_name")


def html_metadata(soup: BeautifulSoup) -> dict:
    """title, authors, publisher, date, source_url, description, language from <head> and meta tags."""
    metas: dict[str, list[str]] = {}
    for meta in soup.find_all("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = squash(meta.get("content") or "")
        if key and value:
            metas.setdefault(key, []).append(value)
    for time_tag in soup.find_all("time", attrs={"itemprop": re.compile("datePublished", re.I)}):
        if time_tag.get("datetime"):
            metas.setdefault("datepublished", []).append(time_tag["datetime"])
    out: dict = {}
    title = (metas.get("og:title") or metas.get("citation_title") or metas.get("dc.title") or [None])[0]
    if not title and soup.title and soup.title.string:
        title = squash(soup.title.string)
    if title:
        out["title"] = title
    for key in DATE_KEYS:
        date = next((normalise_date(v) for v in metas.get(key, []) if normalise_date(v)), None)
        if date:
            out["date"] = date
            break
    modified = next((normalise_date(v) for k in ("article:modified_time", "dcterms.modified", "last-modified")
                     for v in metas.get(k, []) if normalise_date(v)), None)
    if modified:
        out["modified"] = modified
    for key in AUTHOR_KEYS:
        names = [v for v in metas.get(key, []) if not v.startswith(("http://", "https://"))]
        if names:
            out["authors"] = "; ".join(dict.fromkeys(names))
            break
    for key in PUBLISHER_KEYS:
        names = [v for v in metas.get(key, []) if not v.startswith(("http://", "https://"))]
        if names:
            out["publisher"] = names[0]
            break
    canonical = soup.find("link", rel="canonical")
    url = (canonical.get("href") if canonical else None) or (metas.get("og:url") or [None])[0]
    if url:
        out["source_url"] = url
    description = (metas.get("description") or metas.get("og:description") or [None])[0]
    if description:
        out["description"] = description
    if soup.html and soup.html.get("lang"):
        out["language"] = soup.html["lang"]
    return out


# --------------------------------------------------------------------------------------
# main content and boilerplate
# --------------------------------------------------------------------------------------
def main_root(body: Tag) -> Tag:
    """The element holding the page's own content: <main>, role=main, the longest <article>, else <body>."""
    main = body.find("main") or body.find(attrs={"role": "main"})
    if main is not None and _text_len(main) > 0.2 * _text_len(body):
        return main
    articles = body.find_all("article")
    if articles:
        best = max(articles, key=_text_len)
        if _text_len(best) > 0.3 * _text_len(body):
            return best
    return body


def _drop_outside(root: Tag) -> list[CleanupAction]:
    """Remove everything that is not inside root (or an ancestor of it)."""
    actions = []
    node = root
    while node.parent is not None and node.name != "body":
        for sibling in list(node.parent.children):
            if sibling is node:
                continue
            if isinstance(sibling, Tag):
                actions.extend(_removed(sibling, "outside main content"))
                sibling.decompose()
            elif isinstance(sibling, NavigableString) and not isinstance(sibling, Comment) and sibling.strip():
                actions.append(CleanupAction("boilerplate", snippet(f"outside main content: {sibling}")))
                sibling.extract()
        node = node.parent
    return actions


def _drop_boilerplate(root: Tag) -> list[CleanupAction]:
    """Remove page furniture inside root: nav, site header/footer, sidebars, forms, banners."""
    actions = []
    total = _text_len(root) or 1
    for tag in list(root.find_all(True)):
        if tag.parent is None:
            continue  # already removed with an ancestor (Tag.decomposed is slow: it falls back to find())
        why = _furniture(tag)
        # Never remove a wrapper that holds most of the content (ASP.NET pages put <form> round everything,
        # themes put class="menu-open" on page wrappers); landmark tags are furniture whatever their size.
        if why and (tag.name in LANDMARK_TAGS or _text_len(tag) < 0.5 * total):
            actions.extend(_removed(tag, why))
            tag.decompose()
    return actions


def _furniture(tag: Tag) -> str | None:
    """Why this element is page furniture, or None."""
    name = tag.name
    in_content = any(parent.name in CONTENT_TAGS for parent in tag.parents)
    if name == "nav":
        return "navigation"
    if name == "form":
        return "form"
    if name == "footer":
        return "footer"
    if name == "header" and not in_content:
        return "site header"
    if name == "aside" and (not in_content or _link_dense(tag)):
        return "sidebar"
    role = (tag.get("role") or "").lower()
    if role in BOILERPLATE_ROLES:
        return f"role={role}"
    if "breadcrumb" in (tag.get("aria-label") or "").lower():
        return "breadcrumb"
    words = _class_words(tag)
    hit = words & BOILERPLATE_WORDS
    if hit and not (in_content and hit <= {"footer", "related"} and not _link_dense(tag)):
        return f"class/id '{sorted(hit)[0]}'"
    if name == "a" and _SKIP_LINK.match(tag.get_text(" ", strip=True)):
        return "skip link"
    if name in ("ul", "ol", "div", "section") and _link_dense(tag):
        return "link list"
    if name in ("div", "section", "p") and is_cookie_notice(tag.get_text(" ", strip=True)):
        return "cookie notice"
    return None


def _class_words(tag: Tag) -> set[str]:
    classes = tag.get("class") or []
    raw = " ".join(classes if isinstance(classes, list) else [classes]) + " " + (tag.get("id") or "")
    return {w for w in re.split(r"[-_\s]+", raw.lower()) if w}


def _link_dense(tag: Tag) -> bool:
    """Mostly links: menus, tag clouds, 'related articles', tables of contents."""
    links = [d for d in tag.descendants if isinstance(d, Tag) and d.name == "a"]  # find_all is 10x slower
    if len(links) < 3:
        return False
    text = len(tag.get_text(" ", strip=True)) or 1
    linked = sum(len(a.get_text(" ", strip=True)) for a in links)
    return linked / text > 0.6


def _is_hidden(tag: Tag) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return (tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true"
            or "display:none" in style or "visibility:hidden" in style)


def _removed(tag: Tag, why: str) -> list[CleanupAction]:
    text = tag.get_text(" ", strip=True)
    return [CleanupAction("boilerplate", snippet(f"{why} <{tag.name}>: {text}"))] if text else []


def _text_len(tag: Tag) -> int:
    return len(tag.get_text(" ", strip=True))


# --------------------------------------------------------------------------------------
# DOM → blocks
# --------------------------------------------------------------------------------------
class _BlockWriter:
    """Walks the DOM in document order; block-level elements end a paragraph."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.boundary = False  # just crossed an inline element's edge
        self.after_br = False  # nothing but whitespace since the last <br>

    def flush(self, heading: int | None = None, item: bool = False) -> None:
        text = squash("".join(self.buf))
        self.buf.clear()
        self.after_br = False
        if text:
            self.blocks.append(Block(text, heading=heading, list_item=item))

    def add_text(self, s: str) -> None:
        if self.boundary and self.buf and s:
            last, first = self.buf[-1][-1:], s[:1]
            # "<span>2010</span><span>February</span>": styled as separate boxes; keep the words apart
            # (letter-letter joins stay joined: drop capitals like "<span>T</span>he").
            if last.isalnum() and first.isalnum() and last.isdigit() != first.isdigit():
                self.buf.append(" ")
        self.boundary = False
        if s.strip():
            self.after_br = False
        self.buf.append(s)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.add_text(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in HEADING_TAGS:
                self.flush()
                self.walk(child)
                self.flush(heading=HEADING_TAGS[name])
            elif name == "br":
                if self.after_br:  # <br><br>: the old way of starting a paragraph
                    self.flush()
                else:
                    self.buf.append(" ")  # a line break inside a paragraph is a space
                self.after_br = True
            elif name == "li":
                self.flush()
                self.walk(child)
                self.flush(item=True)
            elif name in BLOCK_TAGS:
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.boundary = True
                self.walk(child)
                self.boundary = True


def _blocks(root: Tag) -> list[Block]:
    writer = _BlockWriter()
    writer.walk(root)
    writer.flush()
    return writer.blocks


def _filter_blocks(blocks: list[Block]) -> tuple[list[Block], list[CleanupAction]]:
    """Text-level clean-up: image credits, cookie notices, repeated blocks."""
    kept: list[Block] = []
    actions: list[CleanupAction] = []
    seen: set[str] = set()
    for block in blocks:
        credit = _CREDIT.search(block.text)
        if credit:
            actions.append(CleanupAction("boilerplate", snippet(f"image credit: {block.text[credit.start():]}")))
            block.text = block.text[:credit.start()].strip()
            if not block.text:
                continue
        if is_cookie_notice(block.text):
            actions.append(CleanupAction("boilerplate", snippet(f"cookie notice: {block.text}")))
            continue
        key = block.text.lower()
        if key in seen and (block.heading is not None or len(key.split()) >= MIN_DUPLICATE_WORDS):
            actions.append(CleanupAction("duplicate", snippet(f"repeated block: {block.text}")))
            continue
        seen.add(key)
        kept.append(block)
    return kept, actions
