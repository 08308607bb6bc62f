"""Topic timeline frames: topic_share.csv + topics.json (labels, top words, representative passages)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from policyscope.report.figure_data import (DEFAULT_MIN_DOCS, TOPIC_SHARE_COLUMNS, _thin_flags, period_table,
                                            read_csv_checked)


# --------------------------------------------------------------------------------------
# topic timeline
# --------------------------------------------------------------------------------------
@dataclass
class TopicData:
    frame: pd.DataFrame  # period, topic, label, value, ci_low, ci_high, n_docs, x, key
    topics: list[dict]  # [{topic, label, words, passages: [{id, text, title, date, page, citation?}]}]
    run: dict = field(default_factory=dict)
    name: str = ""


def load_topic_timeline(path: str | Path, topics_json: str | Path | None = None) -> TopicData:
    """topic_share.csv (+ the run's topics.json for labels, top words and representative passages)."""
    path = Path(path)
    csv_path = path / "topic_share.csv" if path.is_dir() else path
    df = read_csv_checked(csv_path, TOPIC_SHARE_COLUMNS, "topic_share.csv")
    df["period"] = df["period"].astype(str)
    df["topic"] = df["topic"].astype(str)
    for col in ("value", "ci_low", "ci_high", "n_docs"):
        df[col] = pd.to_numeric(df[col], errors="coerce")
    periods = period_table(df)
    pm = periods.set_index("period")
    df["x"] = df["period"].map(pm["x"])
    df["label"] = df["label"].fillna("").astype(str)
    df["key"] = "topic|" + df["topic"]
    df["thin"] = _thin_flags(df, DEFAULT_MIN_DOCS).astype(bool) if "n_docs" in df.columns else False
    df["x_start"] = df["period"].map(pm["start"])
    df["x_end"] = df["period"].map(pm["end"])
    run = {}
    folder = csv_path.parent
    if (folder / "run.json").exists():
        try:
            run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            run = {}
    topics: list[dict] = []
    tj = Path(topics_json) if topics_json else None
    if tj and tj.is_dir():
        tj = tj / "topics.json"
    if tj and tj.exists():
        topics = normalise_topics_json(json.loads(tj.read_text(encoding="utf-8")))
    else:
        for t, lab in df.drop_duplicates("topic")[["topic", "label"]].itertuples(index=False):
            topics.append({"topic": t, "label": lab, "words": [], "passages": []})
    return TopicData(frame=df.sort_values(["topic", "x"]).reset_index(drop=True), topics=topics, run=run,
                     name=str(run.get("topic_run") or run.get("name") or folder.name))


def normalise_topics_json(data) -> list[dict]:
    """topics.json in its several plausible shapes -> [{topic, label, words, passages}]."""
    items = data.get("topics", data) if isinstance(data, dict) else data
    if isinstance(items, dict):
        items = [dict(v, topic=k) if isinstance(v, dict) else {"topic": k, "label": str(v)} for k, v in items.items()]
    out = []
    for i, t in enumerate(items or []):
        if not isinstance(t, dict):
            continue
        topic = str(t.get("topic", t.get("id", t.get("topic_id", i))))
        words = t.get("words") or t.get("top_words") or t.get("terms") or []
        words = [w if isinstance(w, str) else (w[0] if isinstance(w, (list, tuple)) and w else
                                               (w.get("word") or w.get("term") if isinstance(w, dict) else str(w)))
                 for w in words]
        passages = []
        for p in (t.get("passages") or t.get("representative_passages") or t.get("representative") or
                  t.get("examples") or []):
            if isinstance(p, str):
                passages.append({"id": "", "text": p})
            elif isinstance(p, dict):
                passages.append({"id": str(p.get("passage_id") or p.get("sentence_id") or p.get("id") or
                                           p.get("unit_id") or ""),
                                 "citation": p.get("citation") or p.get("cite"),
                                 "text": str(p.get("text") or p.get("passage") or ""),
                                 "title": p.get("title"), "date": p.get("date"),
                                 "page": p.get("page") or p.get("page_no"), "doc_id": p.get("doc_id"),
                                 "weight": p.get("weight") or p.get("score") or p.get("share")})
        out.append({"topic": topic, "label": str(t.get("label") or t.get("name") or ", ".join(words[:3])),
                    "words": [str(w) for w in words[:15]], "passages": passages[:8]})
    return out
