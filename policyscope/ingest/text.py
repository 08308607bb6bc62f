"""Plain text (.txt) and Markdown (.md/.markdown) → pages of cleaned text.

Pages split at form feeds. Plain text: hard-wrapped lines are joined into running text (a line
that ended before the wrap width, or a list item, starts a new paragraph; words hyphenated at a
line end are mended unless the document spells them hyphenated); files with a paragraph or a
sentence per line keep their lines apart; site breadcrumbs and cookie notices are flagged
"boilerplate". Markdown: block syntax (headings, lists, quotes, tables, fences, rules) and inline
syntax (emphasis, links, images, code, HTML comments and tags, backslash escapes) are removed,
the words kept, and counted in Page.cleanup. In both, a paragraph break that falls mid-sentence
(PDF-to-text output) is removed, and a "References" heading flags the list that follows.

Pages are built with the helpers all non-PDF readers share (blocks.py: `Block`, `build_pages`,
`flag_sections`); dates are parsed by dates.py. The tabular reader reuses `plain_blocks` and
`wrap_width` from here for its text cells.

Cleaned-text convention (segment.py relies on it): paragraphs separated by one blank line,
single spaces inside a paragraph, no hard line breaks.
"""
from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Sequence
from pathlib import Path

from policyscope.errors import CorruptFile, EmptyFile, UnsupportedFileType
from policyscope.ingest.blocks import Block, build_pages, is_cookie_notice, normalise_newlines, snippet, squash
from policyscope.ingest.dates import normalise_date
from policyscope.model import CleanupAction, ExtractedDocument

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")


# --------------------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------------------
def decode_bytes(data: bytes, path: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 first, then UTF-8 with BOM / UTF-16 with BOM, then cp1252 (latin-1 last)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:8192]:
        raise CorruptFile("binary data (NUL bytes) where text was expected", path=path,
                          hint="is this really a text file? convert it to UTF-8 text first")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, enc = data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, enc = data.decode("latin-1"), "latin-1"
    log.info("%s: not valid UTF-8; decoded as %s", path, enc)
    return text, enc


# --------------------------------------------------------------------------------------
# plain text: rewrap hard-wrapped lines into paragraphs
# --------------------------------------------------------------------------------------
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•▪►‣◦■□–]\s+|\d{1,3}[.)]\s+|\(?[a-z]\)\s+|\(?[ivx]{1,4}\)\s+)")
_ENDS_OPEN = re.compile(r"[,;(\[–—-]$|[a-z]$")  # a line that cannot end a sentence
_WRAPPED_MAX = 120  # files whose typical long line is this short are hard-wrapped


def wrap_width(text: str) -> int | None:
    """The hard-wrap width of a text (90th percentile of line lengths), or None if it is not wrapped."""
    lengths = sorted(len(line.rstrip()) for line in text.split("\n") if line.strip())
    if len(lengths) < 5:
        return None
    width = lengths[int(0.9 * (len(lengths) - 1))]
    return width if width <= _WRAPPED_MAX else None


def _is_soft_break(prev: str, nxt: str, width: int | None) -> bool:
    """Does the line break between prev and nxt sit inside a paragraph?"""
    if _LIST_ITEM.match(nxt):
        return False
    p, n = prev.rstrip(), nxt.strip()
    continues = bool(_ENDS_OPEN.search(p)) and n[:1].islower()
    if width is None:
        # Unwrapped text (a paragraph or sentence per line): join only what plainly runs on.
        return continues or bool(re.search(r"[,;(\[–—]$", p))
    # Hard-wrapped text: if the next word would have fitted on this line, the line ended early.
    first_word = n.split(" ", 1)[0]
    ended_early = len(prev.rstrip()) + 1 + len(first_word) <= 0.85 * width
    return continues or not ended_early


_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")


def vocabulary(text: str) -> frozenset[str]:
    """Lower-cased words of a document (hyphenated compounds kept whole): evidence for dehyphenation."""
    text = re.sub(r"\w+-[ \t]*\n\s*\w+", " ", text)  # the broken halves are not evidence
    words = set(_WORD.findall(text.lower()))
    words.update(part for w in list(words) if "-" in w for part in w.split("-"))
    return frozenset(words)


def _keep_hyphen(head: str, tail: str, vocab: frozenset[str]) -> bool:
    """At a line-end hyphen, is it a compound ("service-delivery") rather than a split word ("personalisa-tion")?

    The document is the dictionary: a joined spelling used elsewhere wins, then a hyphenated one,
    then two halves that are both words elsewhere.
    """
    h, t = head.lower(), re.sub(r"[^\w'’-].*$", "", tail.lower())
    if h + t in vocab:
        return False
    if f"{h}-{t}" in vocab or min(len(h), len(t)) <= 3:  # "opt-out", "co-opted", "to-date"
        return True
    return h in vocab and t in vocab


def _join_lines(lines: Sequence[str], actions: list[CleanupAction], first_line: int,
                vocab: frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph with single spaces, mending words hyphenated at a line end."""
    out = ""
    for k, line in enumerate(lines):
        piece = line.strip()
        if not out:
            out = piece
            continue
        m = re.search(r"(\w+)-$", out)
        if m and m.group(1).isalpha() and m.group(1)[-1].islower() and piece[:1].islower():
            word = piece.split(" ", 1)[0]
            if _keep_hyphen(m.group(1), word, vocab):
                out = out + piece
            else:
                actions.append(CleanupAction("dehyphenated", f"{m.group(1)}- {word} -> {m.group(1)}{word}",
                                             first_line + k - 1))
                out = out[:-1] + piece
        else:
            out = out + " " + piece
    return squash(out)


def plain_blocks(raw: str, width: int | None, first_page: bool,
                 vocab: frozenset[str] = frozenset()) -> tuple[list[Block], list[CleanupAction]]:
    """Blank-line separated blocks → paragraphs; line breaks inside a block are judged soft or hard."""
    actions: list[CleanupAction] = []
    blocks: list[Block] = []
    for n_group, (start_line, lines) in enumerate(_line_groups(raw)):
        paragraphs: list[tuple[int, list[str]]] = [(start_line, [lines[0]])]
        for k in range(1, len(lines)):
            if _is_soft_break(lines[k - 1], lines[k], width):
                paragraphs[-1][1].append(lines[k])
            else:
                paragraphs.append((start_line + k, [lines[k]]))
        crumb = first_page and n_group < 3 and _is_breadcrumb(lines)
        for line_no, para_lines in paragraphs:
            text = _join_lines(para_lines, actions, line_no, vocab)
            if not text:
                continue
            section = "boilerplate" if crumb or is_cookie_notice(text) else None
            item = bool(_LIST_ITEM.match(para_lines[0]))
            short = not item and len(para_lines) == 1 and len(text) <= 80 and not re.search(r"[.,;:]$", text)
            blocks.append(Block(text, pseudo_heading=short, list_item=item, section=section, line=line_no))
    return blocks, actions


def rejoin_split_sentences(blocks: list[Block], actions: list[CleanupAction]) -> list[Block]:
    """Merge a paragraph into the previous one when a blank line fell mid-sentence.

    PDF-to-text output puts page and column breaks between lines of one sentence
    ("...a healthy and caring city for" / "all ages, where..."); a next block starting in lower case
    after one that cannot end a sentence is the same paragraph.
    """
    out: list[Block] = []
    n, example = 0, ""
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and prev.heading is None and block.heading is None and not block.list_item
                and prev.section == block.section and block.text[:1].islower()
                and not re.match(r"(?:https?://|www\.|mailto:)", block.text)
                and re.search(r"[^\W\d_][,;]?$|[,;–—]$", prev.text)):
            n += 1
            example = example or f"{prev.text[-40:]} ¶ {block.text[:40]}"
            prev.text = f"{prev.text} {block.text}"
            prev.pseudo_heading = False
            continue
        out.append(block)
    if n:
        actions.append(CleanupAction("joined", snippet(f"{n} paragraph breaks inside a sentence removed, e.g. {example}")))
    return out


def _line_groups(raw: str) -> list[tuple[int, list[str]]]:
    """(first 1-based line number, lines) of each blank-line separated group."""
    groups: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 1
    for i, line in enumerate(raw.split("\n"), start=1):
        if line.strip():
            if not current:
                start = i
            current.append(line)
        elif current:
            groups.append((start, current))
            current = []
    if current:
        groups.append((start, current))
    return groups


_CRUMB_SEP = re.compile(r"\s+(?:>|›|»|/|\|)\s+")


def _is_breadcrumb(lines: Sequence[str]) -> bool:
    """Site breadcrumbs saved with a web page: "Home > Library > Title" or a short list starting at Home."""
    items = [_LIST_ITEM.sub("", line).strip() for line in lines]
    if len(items) == 1:
        items = _CRUMB_SEP.split(items[0])
    return len(items) >= 2 and items[0].lower() in {"home", "homepage", "home page"} and all(len(i) <= 80 for i in items)


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_HR = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_BULLET = re.compile(r"^\s*[-*+][ \t]+")
_MD_ORDERED = re.compile(r"^\s*\d{1,9}[.)][ \t]+")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_TABLE_DELIM = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)

_ESCAPABLE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+|mailto:[^>\s]+)>")
_INLINE_HTML = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG_STARS = re.compile(r"\*{2,}")
_STRONG_UNDERSCORES = re.compile(r"(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=\S)([^_]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"~~(.+?)~~")
_STRAY_STAR = re.compile(r"(?<!\d)\*(?!\d)")
_NON_TITLE_H1 = {"document outline", "contents", "table of contents", "references", "bibliography",
                 "abstract", "summary", "introduction", "executive summary", "foreword"}


class _MarkupLog:
    """Counts inline Markdown syntax removed, by kind, keeping the first example of each."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.examples: dict[str, tuple[str, int | None]] = {}

    def note(self, kind: str, example: str, line: int | None, n: int = 1) -> None:
        if n <= 0:
            return
        self.counts[kind] = self.counts.get(kind, 0) + n
        self.examples.setdefault(kind, (example, line))

    def actions(self) -> list[CleanupAction]:
        return [CleanupAction("markup", snippet(f"{kind} x{n}, e.g. {self.examples[kind][0]}"), self.examples[kind][1])
                for kind, n in self.counts.items()]


def strip_inline_markdown(text: str, markup_log: _MarkupLog, line: int | None) -> str:
    """Remove inline Markdown syntax, keeping the words."""
    escapes = _ESCAPABLE.findall(text)
    # Protect backslash-escaped characters (they are literal text) in the private-use area.
    text = _ESCAPABLE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    markup_log.note("backslash escapes", "\\" + "\\".join(escapes[:3]), line, len(escapes))

    def sub(pattern: re.Pattern, repl: str, kind: str, s: str) -> str:
        first = pattern.search(s)
        if first is None:
            return s
        context = s[max(0, first.start() - 15):first.end() + 15]
        s, n = pattern.subn(repl, s)
        markup_log.note(kind, context, line, n)
        return s

    text = sub(_IMAGE, "", "images", text)
    text = sub(_LINK, r"\1", "links", text)
    text = sub(_REF_LINK, r"\1", "links", text)
    text = sub(_AUTOLINK, r"\1", "autolinks", text)
    text = sub(_CODE, r"\2", "code spans", text)
    text = sub(_INLINE_HTML, "", "inline HTML tags", text)
    text = sub(_STRONG_STARS, "", "emphasis", text)
    text = sub(_STRONG_UNDERSCORES, r"\1", "emphasis", text)
    text = sub(_EM_STAR, r"\1", "emphasis", text)
    text = sub(_EM_UNDERSCORE, r"\1", "emphasis", text)
    text = sub(_STRIKE, r"\1", "strikethrough", text)
    # Converters leave unpaired emphasis stars ("* BMJ Open*"); a lone star in prose is never a word.
    text = sub(_STRAY_STAR, "", "emphasis", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group(0)) - 0xE000), text)
    return squash(text)


def markdown_blocks(raw: str, vocab: frozenset[str] = frozenset()) -> tuple[list[Block], list[CleanupAction], str | None]:
    """Markdown page → (blocks, cleanup actions, first H1 text)."""
    actions: list[CleanupAction] = []
    inline = _MarkupLog()

    def drop_comment(m: re.Match) -> str:
        line = raw.count("\n", 0, m.start()) + 1
        actions.append(CleanupAction("markup", snippet(f"HTML comment: {m.group(0)}"), line))
        return "\n" * m.group(0).count("\n")  # keep line numbers true

    text = _HTML_COMMENT.sub(drop_comment, raw)
    lines = text.split("\n")
    blocks: list[Block] = []
    current: list[str] = []  # lines of the paragraph being built
    current_line = 0
    current_quote = False
    current_item = False
    h1: str | None = None
    fence: str | None = None
    table_rows = 0

    def flush(heading: int | None = None) -> None:
        nonlocal current, current_item, h1
        item, current_item = current_item, False
        if current:
            joined = _join_lines(current, actions, current_line, vocab)
            clean = strip_inline_markdown(joined, inline, current_line)
            # A short standalone line (often bold in converted PDFs) is a heading of unknown level.
            short = len(current) == 1 and len(clean) <= 80 and not re.search(r"[.,;:]$", clean)
            if clean:
                blocks.append(Block(clean, heading=heading, pseudo_heading=short and heading is None and not item,
                                    list_item=item, line=current_line))
                if heading == 1 and h1 is None and clean.lower() not in _NON_TITLE_H1:
                    h1 = clean
        current = []

    for i, line in enumerate(lines, start=1):
        if fence:
            if line.strip().startswith(fence):
                fence = None
                flush()
                actions.append(CleanupAction("markup", "code fence", i))
            else:
                if not current:
                    current_line = i
                current.append(line)
            continue
        m = _FENCE.match(line)
        if m:
            flush()
            fence = m.group(1)[0] * 3
            actions.append(CleanupAction("markup", "code fence", i))
            continue
        if not line.strip():
            flush()
            table_rows = 0
            continue
        if _REF_DEF.match(line):
            flush()
            actions.append(CleanupAction("markup", snippet(f"link definition: {line}"), i))
            continue
        if current and _SETEXT.match(line) and not current_quote:
            level = 1 if line.strip().startswith("=") else 2
            flush(heading=level)
            actions.append(CleanupAction("markup", snippet(f"heading underline: {line}"), i))
            continue
        if _HR.match(line):
            flush()
            actions.append(CleanupAction("markup", snippet(f"horizontal rule: {line}"), i))
            continue
        m = _ATX.match(line)
        if m:
            flush()
            current, current_line = [m.group(2) or ""], i
            inline.note("heading marks", line.strip()[:40], i)
            flush(heading=len(m.group(1)))
            continue
        if _TABLE_DELIM.match(line) and ("|" in line or table_rows):
            inline.note("table rules", line.strip()[:40], i)
            if len(current) == 1 and "|" in current[0]:  # the header row had no leading pipe
                current = [" ".join(c.strip() for c in current[0].strip().strip("|").split("|") if c.strip())]
                flush()
            table_rows = max(table_rows, 1)
            continue
        if line.lstrip().startswith("|") or (table_rows and "|" in line):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            current, current_line = [" ".join(c for c in cells if c)], i
            inline.note("table pipes", line.strip()[:40], i)
            table_rows += 1
            flush()
            continue
        quoted = _QUOTE.match(line)
        if quoted:
            inline.note("blockquote marks", line.strip()[:40], i)
            line = line[quoted.end():]
            if not line.strip():
                flush()
                continue
        bullet = _MD_BULLET.match(line)
        if bullet or _MD_ORDERED.match(line):
            flush()
            current_item = True
            if bullet:
                inline.note("list bullets", line.strip()[:40], i)
                line = line[bullet.end():]
        if not current:
            current_line = i
            current_quote = bool(quoted)
        current.append(line)
    flush()
    return blocks, actions + inline.actions(), h1


_DATE_LINE = re.compile(r"^(?:date(?: first)? published|published(?: on)?|publication date|date of publication|date)\s*:\s*(.+)$",
                        re.IGNORECASE)


def stated_date(blocks: Sequence[Block], within: int = 15) -> str | None:
    """A publication date stated near the top ("Date published: 29 January, 2025")."""
    for block in blocks[:within]:
        m = _DATE_LINE.match(block.text)
        if m and normalise_date(m.group(1)):
            return normalise_date(m.group(1))
    return None


def _layout(text: str, width: int | None) -> str:
    """How the file marks paragraphs: a hint for readers of the store (some manifesto texts have none)."""
    if width:
        return f"hard-wrapped at ~{width} characters"
    if text.strip().count("\n") == 0:
        return "one line: no paragraph breaks"
    return "a paragraph (or sentence) per line"


# --------------------------------------------------------------------------------------
# the reader
# --------------------------------------------------------------------------------------
def read_text(path, doc_id: str) -> ExtractedDocument:
    """Read a .txt / .md / .markdown file: one page per form feed (else one page)."""
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES + MARKDOWN_SUFFIXES:
        raise UnsupportedFileType(f"not a text or Markdown file (suffix {suffix or 'none'})", path=where,
                                  hint="read_text takes .txt, .text, .md and .markdown")
    data = path.read_bytes()
    if not data.strip():
        raise EmptyFile("the file is empty", path=where)
    decoded, encoding = decode_bytes(data, where)
    decoded = normalise_newlines(decoded)
    raw_pages = decoded.split("\f")
    if len(raw_pages) > 1 and not raw_pages[-1].strip():
        raw_pages = raw_pages[:-1]  # pdftotext ends every page, the last one too, with a form feed
    is_markdown = suffix in MARKDOWN_SUFFIXES
    width = None if is_markdown else wrap_width(decoded)
    vocab = vocabulary(decoded)
    title = None
    all_blocks, all_actions = [], []
    for page_no, raw in enumerate(raw_pages, start=1):
        if is_markdown:
            blocks, actions, h1 = markdown_blocks(raw, vocab)
            title = title or (h1 if page_no == 1 else None)
        else:
            blocks, actions = plain_blocks(raw, width, first_page=page_no == 1, vocab=vocab)
        blocks = rejoin_split_sentences(blocks, actions)
        all_blocks.append(blocks)
        all_actions.append(actions)
    if encoding not in ("utf-8", "utf-8-sig"):
        all_actions[0].insert(0, CleanupAction("encoding", f"decoded as {encoding} (not valid UTF-8)"))
    if not any(b.text for blocks in all_blocks for b in blocks):
        raise EmptyFile("no text in the file (only whitespace or markup)", path=where)
    pages = build_pages(doc_id, raw_pages, all_blocks, all_actions)
    metadata: dict = {}
    if title:
        metadata["title"] = title
    date = stated_date(all_blocks[0])
    if date:
        metadata["date"] = date
    if encoding != "utf-8":
        metadata["encoding"] = encoding
    if not is_markdown:
        metadata["text_layout"] = _layout(decoded, width)
    return ExtractedDocument(pages=pages, file_type="markdown" if is_markdown else "text",
                             extractor="policyscope.text", metadata=metadata)
