"""`topics fit`: store → prepared corpus → (K selection) → model → weights, labels, run folder.

One function, `fit_topics`, that the CLI calls. Memory stays flat in the corpus size apart from
the model itself: the corpus is streamed from disk for every pass, unit weights go to a
memory-mapped .npy file and document_topics.csv is written row by row.
"""
from __future__ import annotations

import csv
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from policyscope.analyse.topics import overlap as overlap_mod
from policyscope.analyse.topics.backends import TopicBackend, make_backend
from policyscope.analyse.topics.corpus import PreparedCorpus, prepare_corpus
from policyscope.analyse.topics.labels import RepresentativePicker, auto_label, ranked_terms, relevance
from policyscope.analyse.topics.runs import write_json, write_run_json
from policyscope.analyse.topics.selection import KScore, coherence_per_topic, score_candidates, topic_diversity
from policyscope.analyse.topics.settings import TopicSettings
from policyscope.analyse.topics.timeline import _measures, aggregate_documents
from policyscope.citation import sentence_citation
from policyscope.errors import TopicModelError
from policyscope.store import Store, open_store

DOC_TOPIC_COLUMNS = ["doc_id", "title", "date", "passage_id", "unit_id", "page", "n_tokens", "topic", "label",
                     "weight", "is_top", "n_terms", "status"]
# status of a unit in document_topics.csv: fitted on; too short to fit on, weights inferred by the fitted
# model from its few terms; or no term of the model's vocabulary at all (one row, topic "no_topic")
MODELLED, INFERRED, NO_TOPIC = "modelled", "inferred", "no_topic"
PASSAGE_CHARS = 700  # representative passage text kept in topics.json (the citation points at the full unit)
OWN_ENTRIES = {"config.json", "topics.json", "run.json", "document_topics.csv", "unit_topics.npy", "selection.csv",
               "model", "corpus"}


@dataclass
class FitResult:
    folder: Path
    k: int
    topics: list[dict]
    selection: list[KScore] | None
    stats: dict
    fit_info: dict
    seconds: float
    notes: list[str] = field(default_factory=list)


def _prepare_folder(out: Path) -> None:
    if out.exists():
        entries = {p.name for p in out.iterdir()}
        if entries - OWN_ENTRIES and not (out / "config.json").exists():
            raise TopicModelError("the output folder exists and is not a topic run; refusing to write into it",
                                  path=str(out), hint="choose a new --out folder or an existing run to replace")
        for name in entries & OWN_ENTRIES:
            p = out / name
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    out.mkdir(parents=True, exist_ok=True)


def fit_topics(db: str | Path, out: str | Path, settings: TopicSettings | None = None, *, k_auto: bool = False,
               name: str | None = None, echo: Callable[[str], None] | None = None,
               scheduler: str | None = None) -> FitResult:
    """scheduler: prepare the corpus on that Dask cluster (an address or local:N): every pass over the
    units on its workers (topics_cluster.py); the fit stays here."""
    settings = (settings or TopicSettings()).validate()
    echo = echo or (lambda msg: None)
    out = Path(out)
    t0 = time.perf_counter()
    with open_store(db) as store:
        _prepare_folder(out)
        echo("preparing the corpus (lemmas, phrases, stopwords, pruning)…")
        engine = None
        if scheduler:
            from policyscope.analyse.topics.topics_cluster import prepare_corpus_on_cluster
            corpus, engine = prepare_corpus_on_cluster(store, settings.corpus, out / "corpus", scheduler)
        else:
            corpus = prepare_corpus(store, settings.corpus, out / "corpus")
        st = corpus.stats
        echo(f"  {st['units_modelled']} units from {st['documents']} documents, {st['word_tokens']} word tokens, "
             f"{st['vocabulary']} terms ({st['phrases_in_vocabulary']} phrases)")
        selection = None
        if k_auto:
            backend, selection = _select_k(corpus, settings, echo)
        else:
            echo(f"fitting {settings.model.backend} with K={settings.model.k}…")
            backend = make_backend(settings.model, corpus.dictionary).fit(corpus)
        k = backend.k
        files = backend.save(_mkdir(out / "model"))
        topics, notes, quality, lexicon = _describe(store, corpus, backend, settings, out)
        config = {
            "name": name or out.name, "k": k, "backend": settings.model.backend, "method": backend.method,
            "deterministic": backend.deterministic,
            "k_selection": ({"mode": "auto", "criterion": settings.selection.criterion,
                             "chosen": k, "table": [s.row() for s in selection]} if selection else
                            {"mode": "fixed", "chosen": k}),
            "settings": settings.to_dict() | {"model": settings.to_dict()["model"] | {"k": k}},
            "corpus": {key: v for key, v in st.items() if key != "boilerplate_words"},
            "boilerplate_words": st.get("boilerplate_words", []),
            "quality": quality, "fit": backend.fit_info, "model_files": files,
        }
        if not backend.deterministic:
            notes.append(f"{backend.fit_info.get('implementation', backend.name)} with workers="
                         f"{settings.model.workers} is not bit-reproducible: the same seed can give different topics")
        config["notes"] = notes
        write_json(out / "config.json", config)
        write_json(out / "topics.json", {"name": config["name"], "k": k, "backend": settings.model.backend,
                                         "method": backend.method, "topics": topics})
        if selection:
            _write_selection(out / "selection.csv", selection)
        write_run_json(out, parameters={"command": "topics fit", "db": str(db), "k_auto": k_auto,
                                        "settings": config["settings"]},
                       store=store, lexicon=lexicon, seeds={"model": settings.model.seed},
                       extra={"name": config["name"], "kind": "topics", "corpus_hash": store.corpus_hash(),
                              "deterministic": backend.deterministic,
                              **({"engine": engine} if engine else {})})
    return FitResult(folder=out, k=k, topics=topics, selection=selection, stats=st, fit_info=backend.fit_info,
                     seconds=time.perf_counter() - t0, notes=notes)


def _mkdir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


def _select_k(corpus: PreparedCorpus, settings: TopicSettings, echo) -> tuple[TopicBackend, list[KScore]]:
    """Fit every candidate K, keep only its top terms (memory stays one model), score, then refit the
    chosen K: with a deterministic backend that is exactly the model that was scored, and exactly what
    `--k N` with the same seed gives."""
    sel = settings.selection
    n = max(sel.coherence_topn, sel.diversity_topn)
    candidates: dict[int, list[list[str]]] = {}
    seconds: dict[int, float] = {}
    for k in sel.k_values:
        echo(f"fitting {settings.model.backend} with K={k}…")
        t = time.perf_counter()
        b = make_backend(replace(settings.model, k=k), corpus.dictionary).fit(corpus)
        seconds[k] = time.perf_counter() - t
        candidates[k] = [[w for w, _ in terms] for terms in b.top_terms(n)]
        del b
    echo("scoring coherence (c_v, c_npmi) and topic diversity…")
    scores = score_candidates(candidates, corpus, coherence_topn=sel.coherence_topn,
                              coherence_max_units=sel.coherence_max_units,
                              diversity_topn=sel.diversity_topn, fit_seconds=seconds)
    chosen = next(s.k for s in scores if s.chosen)
    echo(f"refitting the chosen K={chosen}…")
    return make_backend(replace(settings.model, k=chosen), corpus.dictionary).fit(corpus), scores


def _describe(store: Store, corpus: PreparedCorpus, backend: TopicBackend, settings: TopicSettings,
              out: Path) -> tuple[list[dict], list[str], dict, object]:
    """Weights for every unit, then labels, prevalence, coherence, representative passages, overlap."""
    k, lab = backend.k, settings.labels
    n_units, v = len(corpus), corpus.n_terms
    weights = np.lib.format.open_memmap(out / "unit_topics.npy", mode="w+", dtype=np.float32, shape=(n_units, k))
    picker = RepresentativePicker(k, lab.passage_min_tokens, lab.passage_min_weight)
    term_counts = np.zeros(v)
    units_iter = corpus.units()
    start = 0
    for chunk in corpus.bow_chunks(2000):
        w = backend.transform(chunk)
        weights[start:start + len(chunk)] = w
        rows = [next(units_iter) for _ in chunk]
        picker.update(w, rows)
        for bow in chunk:
            for i, c in bow:
                term_counts[i] += c
        start += len(chunk)
    weights.flush()
    beta = backend.topic_term_matrix()
    p_w = term_counts / max(term_counts.sum(), 1)
    rel = relevance(beta, p_w)
    d = corpus.dictionary
    top = [ranked_terms(beta[t], lab.n_terms) for t in range(k)]
    distinctive = [ranked_terms(rel[t], lab.n_terms) for t in range(k)]
    labels = [auto_label([d[i] for i in distinctive[t]], lab.label_terms) for t in range(k)]
    labels = _dedupe_labels(labels)
    weights = np.load(out / "unit_topics.npy", mmap_mode="r")
    documents = corpus.documents()
    docs = aggregate_documents(corpus.units(), weights, documents)
    prevalence = _measures(docs.token_mass, docs.tokens)
    _write_document_topics(out / "document_topics.csv", corpus, weights, labels, _with_short_documents(store, corpus,
                                                                                                     documents),
                           backend)
    n_coh = settings.selection.coherence_topn
    coherence = _coherence(corpus, [[d[i] for i in ranked_terms(beta[t], n_coh)] for t in range(k)], settings)
    n_div = settings.selection.diversity_topn
    quality = run_quality(coherence, topic_diversity([[d[i] for i in ranked_terms(beta[t], n_div)]
                                                      for t in range(k)], n_div))
    reps = picker.pick(lab.n_passages, lab.per_document)
    notes: list[str] = []
    overlap = lexicon = None
    if lab.concept_overlap:
        overlap, note, lexicon = overlap_mod.topic_concept_overlap(
            store, corpus, weights, [[d[i] for i in ranked_terms(beta[t], overlap_mod.TERM_CHECK_N)]
                                     for t in range(k)],
            lexicon_path=lab.lexicon, sections=settings.corpus.sections,
            include_duplicates=settings.corpus.include_duplicates)
        if note:
            notes.append(note)
    topics = []
    for t in range(k):
        topics.append({
            "topic": t + 1, "label": labels[t],
            "terms": [{"term": d[i], "weight": round(float(beta[t, i]), 6)} for i in top[t]],
            "distinctive_terms": [d[i] for i in distinctive[t]],
            "prevalence": {m: round(float(prevalence[m][t]), 6) for m in prevalence},
            "coherence": {m: (round(v[t], 4) if np.isfinite(v[t]) else None) for m, v in coherence.items()},
            "representative_passages": [_passage(store, documents, u, w) for w, u in reps[t]],
            "concepts": overlap[t] if overlap else None,
        })
    return topics, notes, quality, lexicon


def _dedupe_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} ({seen[lab]})")
    return out


def _coherence(corpus, topics: list[list[str]], settings: TopicSettings) -> dict[str, list[float]]:
    per = coherence_per_topic([topics], corpus, settings.selection.coherence_topn,
                              settings.selection.coherence_max_units)
    return {m: v[0] for m, v in per.items()}


def run_quality(coherence: dict[str, list[float]], diversity: float) -> dict:
    """Run-level summary: mean coherence over topics and topic diversity (as in the K-selection table)."""
    out = {m: (round(float(np.nanmean(v)), 4) if np.isfinite(v).any() else None)
           for m, v in ((m, np.asarray(v, dtype=float)) for m, v in coherence.items())}
    out["diversity"] = round(diversity, 4)
    return out


def _passage(store: Store, documents: dict, unit: dict, weight: float) -> dict:
    doc = documents.get(unit["doc_id"], {})
    try:
        page_text = store.page(unit["doc_id"], unit["page_no"])["text"]
        text = page_text[int(unit["char_start"]):int(unit["char_end"])]
    except Exception:  # noqa: BLE001 - the citation still stands without the text
        text = ""
    text = " ".join(text.split())
    if len(text) > PASSAGE_CHARS:
        text = text[:PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
    return {"unit_id": unit["unit_id"], "passage_id": unit["passage_id"], "doc_id": unit["doc_id"],
            "title": doc.get("title") or "", "date": doc.get("date") or "", "page": unit["page_no"],
            "sentence_first": unit["sentence_first"], "sentence_last": unit["sentence_last"],
            "weight": round(float(weight), 4), "text": text,
            "citation": sentence_citation(doc, unit["page_no"], unit["unit_id"], with_url=False)}


def _with_short_documents(store: Store, corpus: PreparedCorpus, documents: dict) -> dict:
    """The modelled documents, plus those whose every unit was too short to be modelled."""
    missing = {u["doc_id"] for u in corpus.short_units()} - set(documents)
    if not missing:
        return documents
    out = dict(documents)
    for d in store.documents():
        if d["doc_id"] in missing:
            out[d["doc_id"]] = {"title": d["title"] or "", "date": d["date"] or ""}
    return out


def _short_unit_weights(corpus: PreparedCorpus, backend: TopicBackend, chunk: int = 2000):
    """(unit row, weights or None) for every unit too short to be modelled, in stream order: the
    fitted model's inferred distribution from its few terms, None when it has no term at all."""
    units, bows = [], []
    for u, bow in zip(corpus.short_units(), corpus.short_bow()):
        units.append(u)
        bows.append(bow)
        if len(units) == chunk:
            yield from _infer(units, bows, backend)
            units, bows = [], []
    yield from _infer(units, bows, backend)


def _infer(units: list[dict], bows: list, backend: TopicBackend):
    known = [i for i, b in enumerate(bows) if b]
    inferred = backend.transform([bows[i] for i in known]) if known else np.zeros((0, backend.k))
    by_unit = dict(zip(known, inferred))
    for i, u in enumerate(units):
        yield u, by_unit.get(i)


def _write_document_topics(path: Path, corpus: PreparedCorpus, weights: np.ndarray, labels: list[str],
                           documents: dict, backend: TopicBackend) -> None:
    """One row per unit × topic, every streamed unit in stream order (document, then position): the
    modelled ones, and those too short to be modelled with the model's inferred weights, or one
    `no_topic` row when not one of their terms is in the model's vocabulary."""
    short = _short_unit_weights(corpus, backend)
    pending = next(short, None)
    position = 0

    def write_unit(u: dict, row, status: str) -> None:
        doc = documents.get(u["doc_id"], {})
        head = [u["doc_id"], doc.get("title", ""), doc.get("date", ""), u["passage_id"], u["unit_id"], u["page_no"],
                u["n_tokens"]]
        if row is None:
            w.writerow(head + [NO_TOPIC, NO_TOPIC, "", 0, u["n_terms"], status])
            return
        row = np.asarray(row, dtype=np.float64)
        top = int(np.argmax(row))
        for t, value in enumerate(row):
            w.writerow(head + [t + 1, labels[t], f"{value:.6f}", int(t == top), u["n_terms"], status])

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(DOC_TOPIC_COLUMNS)
        for i, u in enumerate(corpus.units()):
            while pending is not None and pending[0]["position"] == position:
                write_unit(pending[0], pending[1], INFERRED if pending[1] is not None else NO_TOPIC)
                pending, position = next(short, None), position + 1
            write_unit(u, weights[i], MODELLED)
            position += 1
        while pending is not None:
            write_unit(pending[0], pending[1], INFERRED if pending[1] is not None else NO_TOPIC)
            pending = next(short, None)


def _write_selection(path: Path, scores: list[KScore]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(scores[0].row()))
        w.writeheader()
        for s in scores:
            w.writerow(s.row())
