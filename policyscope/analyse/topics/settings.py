"""Every setting of a topic run, declared with its default in one place and recorded in config.json.

A run is reproducible from its config.json: the same store, these settings and the seed give the
same topics (LdaMulticore and tomotopy with workers > 1 are the documented exceptions).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from policyscope.errors import UsageError

BACKEND_NAMES = ("lda", "nmf", "tomotopy")
UNITS = ("passage", "sentence")


@dataclass
class CorpusSettings:
    """How passages in the store become the token lists a model sees."""

    unit: str = "passage"  # passage (paragraph, the default) | sentence
    max_unit_tokens: int = 250  # longer passages are cut into roughly equal runs of whole sentences
    min_unit_terms: int = 5  # units with fewer kept terms (after pruning) are not modelled
    sections: tuple[str, ...] = ("body",)  # reference lists, front matter and boilerplate are left out
    include_duplicates: bool = False  # near-duplicate documents are modelled once
    min_token_chars: int = 2
    spelling: str = "uk"  # uk: -ize/-ization lemmas become -ise/-isation before phrases | as_written
    extra_stopwords: tuple[str, ...] = ()  # user words, recorded verbatim (on top of English + boilerplate)
    # gensim Phrases bigrams ... (off by default: benchmarks/bench_topics_vs_human_codes.py, docs/topics.md)
    phrases: bool = False
    trigrams: bool = True  # ... and trigrams (a second Phrases pass over the bigrammed stream)
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0  # gensim's "default" (Mikolov) scoring
    phrase_max_vocab: int = 2_000_000  # bounds the memory of phrase counting
    no_below: int = 3  # keep terms in at least this many units ...
    no_above: float = 0.5  # ... and in at most this share of units
    keep_n: int = 50_000  # at most this many terms

    def validate(self) -> None:
        if self.unit not in UNITS:
            raise UsageError(f"unknown modelling unit {self.unit!r}", hint=f"use one of {', '.join(UNITS)}")
        if self.spelling not in ("uk", "as_written"):
            raise UsageError(f"unknown spelling {self.spelling!r}", hint="use uk or as_written")
        if self.max_unit_tokens < 10:
            raise UsageError("max_unit_tokens must be at least 10")
        if not 0 < self.no_above <= 1:
            raise UsageError("no_above must be in (0, 1]")


@dataclass
class ModelSettings:
    """The model and how it is fitted. Per-backend settings are named after their backend."""

    backend: str = "tomotopy"  # chosen by benchmarks/bench_topics_vs_human_codes.py (docs/topics.md, Backends)
    k: int = 10
    seed: int = 42
    # gensim LdaModel (variational Bayes)
    lda_passes: int = 10
    lda_iterations: int = 100
    lda_chunksize: int = 2000
    lda_alpha: str = "symmetric"  # symmetric | asymmetric | auto (auto is single-process only)
    lda_eta: str | None = None  # None = symmetric 1/K
    workers: int = 1  # lda: >1 uses LdaMulticore (faster, NOT bit-reproducible); tomotopy: sampler threads
    # scikit-learn NMF on TF-IDF
    nmf_init: str = "nndsvda"
    nmf_max_iter: int = 400
    nmf_batch_max_nnz: int = 5_000_000  # above this many non-zeros, MiniBatchNMF streams chunks instead
    nmf_minibatch_passes: int = 10
    nmf_minibatch_size: int = 2048
    # tomotopy LDAModel (collapsed Gibbs sampling)
    tp_iterations: int = 500
    tp_alpha: float = 0.1
    tp_eta: float = 0.01
    tp_optim_interval: int = 10
    tp_infer_iterations: int = 100

    def validate(self) -> None:
        if self.backend not in BACKEND_NAMES:
            raise UsageError(f"unknown backend {self.backend!r}", hint=f"use one of {', '.join(BACKEND_NAMES)}")
        if self.k < 2:
            raise UsageError(f"k must be at least 2 (got {self.k})")
        if self.workers < 1:
            raise UsageError("workers must be at least 1")
        if self.lda_alpha == "auto" and self.workers > 1:
            raise UsageError("lda_alpha=auto needs workers=1 (LdaMulticore cannot learn alpha)")

    @property
    def deterministic(self) -> bool:
        """Whether the same corpus, settings and seed give bit-identical topics."""
        return self.workers == 1


@dataclass
class SelectionSettings:
    """--k auto: fit each K, score coherence and diversity, choose one (the user can overrule)."""

    k_values: tuple[int, ...] = (5, 10, 15, 20, 25)
    coherence_topn: int = 10
    # Coherence is counted over at most this many units, evenly spaced through the corpus (every n-th
    # unit); None counts every unit. Estimates from 20,000 units (~350,000 terms) are stable to ~0.01.
    coherence_max_units: int | None = 20_000
    diversity_topn: int = 25
    criterion: str = "mean of min-max scaled c_v, c_npmi and topic diversity; ties go to the smaller K"


@dataclass
class LabelSettings:
    n_terms: int = 10  # top terms stored per topic
    label_terms: int = 3  # terms in the short automatic label
    n_passages: int = 3  # representative passages per topic
    passage_min_tokens: int = 20  # shorter units (headings, captions) are not picked as representative
    passage_min_weight: float = 0.6  # representative units are at least this much about the topic ...
    # ... and ranked by weight × kept terms (how much of the topic's text they hold)
    per_document: int = 1  # at most this many representative passages from one document, while others remain
    concept_overlap: bool = True  # tag the modelled passages with the concept lexicon (needs the tracker's matcher)
    lexicon: str | None = None  # None: the bundled models/concepts/social_care.yaml


@dataclass
class TopicSettings:
    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    selection: SelectionSettings = field(default_factory=SelectionSettings)
    labels: LabelSettings = field(default_factory=LabelSettings)

    def validate(self) -> "TopicSettings":
        self.corpus.validate()
        self.model.validate()
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TopicSettings":
        parts = {}
        for f in fields(cls):
            sub_cls = {"corpus": CorpusSettings, "model": ModelSettings, "selection": SelectionSettings,
                       "labels": LabelSettings}[f.name]
            raw = dict(data.get(f.name) or {})
            known = {g.name: g for g in fields(sub_cls)}
            unknown = sorted(set(raw) - set(known))
            if unknown:
                raise UsageError(f"unknown {f.name} setting(s): {', '.join(unknown)}")
            for name, value in raw.items():
                if isinstance(value, list):  # JSON has no tuples
                    raw[name] = tuple(value)
            parts[f.name] = sub_cls(**raw)
        return cls(**parts)


def parse_k_values(text: str) -> tuple[int, ...]:
    """"5:25:5" (start:stop:step, stop included) or "4,6,8" → (5, 10, 15, 20, 25)."""
    text = text.strip()
    try:
        if ":" in text:
            parts = [int(p) for p in text.split(":")]
            start, stop = parts[0], parts[1]
            step = parts[2] if len(parts) > 2 else 1
            values = tuple(range(start, stop + 1, step))
        else:
            values = tuple(int(p) for p in text.split(",") if p.strip())
    except ValueError:
        raise UsageError(f"cannot read the K range {text!r}", hint="write e.g. 5:25:5 or 4,6,8,10") from None
    if not values or min(values) < 2:
        raise UsageError(f"the K range {text!r} needs values of at least 2")
    return tuple(sorted(set(values)))
