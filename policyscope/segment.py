"""Page → passages (paragraphs) → sentences, with character offsets into the page's cleaned text.

Cleaned page text separates paragraphs by a blank line. A passage is a paragraph; a sentence
never crosses a passage. Each sentence carries its word-token count (the exact denominator for
rates) and its lemmas.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from policyscope.model import Page, Passage, Sentence, passage_id, sentence_id
# policyscope.nlp (spaCy) is imported on first use: an ingest with worker processes loads it in
# each worker, side by side, instead of in the parent before the workers can start.

_PARA_BREAK = re.compile(r"\n[ \t]*\n+")


def passage_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, with surrounding whitespace trimmed."""
    spans = []
    pos = 0
    for m in list(_PARA_BREAK.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        if m:
            pos = m.end()
    return spans


def _nlp():
    from policyscope import nlp
    return nlp


def segmenter():
    """The process's segmenter (nlp.load_segmenter), loaded on first use. In a worker process
    the objects it made are frozen right after (gc.freeze), so that GC passes no longer walk
    spaCy's vocabulary, as the parent does with what it loaded before forking."""
    nlp = _nlp()
    loaded = nlp.load_segmenter.cache_info().currsize > 0
    seg = nlp.load_segmenter()
    if not loaded:
        import multiprocessing
        if multiprocessing.parent_process() is not None:
            import gc
            gc.freeze()
    return seg


def section_at(page: Page, start: int, end: int) -> str:
    """The section flag for a span: a section_spans range covering its start wins over the page's flag."""
    for s, e, section in page.section_spans:
        if s <= start < e:
            return section
    return page.section


def _sentences_of(doc) -> list[tuple[int, int, int, str]]:
    """(char_start, char_end, n_words, lemmas) of a parsed Doc's sentences (a trained pipeline's path)."""
    out = []
    for sent in doc.sents:
        words = [t for t in sent if _nlp().is_word(t)]
        if words:  # lone punctuation or bullets: not a sentence
            last = sent[-1]
            out.append((sent[0].idx, last.idx + len(last.text), len(words),
                        " ".join(t.lemma_.lower() or t.lower_ for t in words)))
    return out


def segment_pages(pages: Iterable[Page], nlp=None, batch_size: int = 128) -> tuple[list[Passage], list[Sentence]]:
    """Split pages into passages and sentences; ids number passages/sentences within each page."""
    nlp_module = _nlp()
    if nlp is None:
        nlp = segmenter()
    passages: list[Passage] = []
    for page in pages:
        for n, (start, end) in enumerate(passage_spans(page.text), start=1):
            passages.append(Passage(
                passage_id=passage_id(page.doc_id, page.page_no, n), doc_id=page.doc_id,
                page_no=page.page_no, char_start=start, char_end=end,
                text=page.text[start:end], section=section_at(page, start, end),
            ))
    sentences: list[Sentence] = []
    per_page: dict[tuple[str, int], int] = {}
    # Line breaks inside a paragraph are soft; flatten them so the sentencizer and
    # tokenizer see running text (same length, so offsets hold).
    texts = [p.text.replace("\n", " ") for p in passages]
    fast = nlp if isinstance(nlp, nlp_module.FastLookup) else nlp_module.fast_path(nlp)
    if fast:
        per_passage = fast.sentences(texts)
    else:
        per_passage = (_sentences_of(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    for passage, found in zip(passages, per_passage):
        if not found:
            continue
        key = (passage.doc_id, passage.page_no)
        n = per_page.get(key, 0)
        base, text = passage.char_start, passage.text
        for start, end, n_words, lemmas in found:
            n += 1
            sentences.append(Sentence(
                sentence_id=sentence_id(passage.doc_id, passage.page_no, n),
                passage_id=passage.passage_id, doc_id=passage.doc_id, page_no=passage.page_no,
                char_start=base + start, char_end=base + end,
                text=text[start:end], n_tokens=n_words, lemmas=lemmas, section=passage.section,
            ))
        per_page[key] = n
    return passages, sentences
