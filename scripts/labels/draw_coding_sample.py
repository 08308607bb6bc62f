#!/usr/bin/env python3
"""Draw the project's hand-coding sample of sentences (seeded, stratified, documented).

    python scripts/labels/draw_coding_sample.py --shared ../shared/corpus --work /tmp/coding \
        --round 1 --seed 20261206
    python scripts/labels/draw_coding_sample.py --work /tmp/coding3 --round 3 --seed 20261207 \
        --pool-dir DIR   # DIR: the files of models/labels/sources_round3.csv, with it as MANIFEST.csv
    python scripts/labels/draw_coding_sample.py --work /tmp/coding5 --round 5 --seed 20261212 \
        --pool-dir DIR   # likewise sources_round5.csv (round 4: seed 20261211, sources_round4.csv)

Reads the real documents in place from ../shared/corpus (never copies them into the repository),
ingests them into a work store, and draws sentences in four strata per source group:

  lexicon   the bundled lexicon tags either concept in the sentence (social_care 1.0.0 in rounds 1
            and 2, 1.1.0 in round 3, 1.2.0 in rounds 4 and 5)
  keyword   not `lexicon`, but a plain concept keyword occurs (KEYWORDS below)
  cue       neither, but the sentence sits in a care / health / public-service context (CARE_CONTEXT
            in the sentence or its neighbours) and has a weaker cue (CUES: "working together",
            "in control", "their own", "choice", ...)
  random    every other sentence

A keyword is only a reason to look: each drawn sentence is then coded by reading it, with the
sentence before and after it, under ../shared/codebook/README.md. Each row records its stratum,
the stratum's population and how many were drawn from it, so that precision and recall can be
weighted back to the pool (weight = population / drawn).

Writes (references only: the shared documents have no open licence):
  models/labels/sample_round<N>.csv   item_id, source file, doc sha256, row, page, char span,
                                      text sha1, source group, stratum, population, drawn, weight
and, outside the repository, <work>/items_round<N>.jsonl with each item's text and context for
the coders (shuffled, with no stratum or keyword shown, so coding is blind to how it was drawn).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from policyscope.analyse.lexicon import load_lexicon  # noqa: E402
from policyscope.analyse.matcher import Matcher  # noqa: E402
from policyscope.ingest import IngestOptions, ingest_paths  # noqa: E402
from policyscope.store import Store  # noqa: E402

KEYWORDS = re.compile(
    r"personali[sz]|integrat|person[- ]?cent|people[- ]?cent|direct payment|self[- ]?direct|joined[- ]?up|"
    r"join(?:ing)? up|joint(?:ly)? (?:commission|work|team|plan|fund|budget)|pool(?:ed|ing)? (?:budget|fund)|"
    r"seamless|silo|multi[- ]?disciplinary|multi[- ]?agency|independent living|choice and control|tailored|"
    r"individual budget|personal budget|personal health budget|co[- ]?produc|wrap[- ]?around|one[- ]stop",
    re.I)
CARE_CONTEXT = re.compile(
    r"\b(?:care|carers?|health\w*|nhs|social services?|social work\w*|patients?|hospitals?|gps?|nurs\w+|"
    r"disab\w+|elderly|older people|mental health|public services?|council|local authorit\w+|"
    r"commission\w*|wellbeing|well-being|clinic\w*)\b", re.I)
CUES = re.compile(
    r"working together|work together|in control|their own|\bchoice|\bchoos|\bcontrol|\bindividual|\bpersonal|"
    r"partnership|together|co-?ordinat|\bbudget|around the|single (?:point|assessment|record|team)|"
    r"shared record|share (?:information|records|data)|\bjoint|\bjoin|\bcombine|\bmerg|boundar|"
    r"in charge|say over|decide|preferences|own home|independen|\btailor|flexib|\bfit\b|needs of",
    re.I)

# The pool: which shared files, and their source group. A manifesto that exists both as a PDF
# (policy/) and as plain text (dated-text/) is drawn from ONE representation only, so no
# sentence can sit in the set twice: the PDF where it has a usable text layer and segmentation,
# else the text.
PDF_MANIFESTOS = {  # policy/ PDF -> the dated-text file of the same manifesto (left out)
    "manifesto_1997_conservative.pdf": "manifesto_text_1997-05-conservative_party.txt",
    "manifesto_1997_labour.pdf": "manifesto_text_1997-05-labour_party.txt",
    "manifesto_2005_labour.pdf": "manifesto_text_2005-05-labour_party.txt",
    "manifesto_2005_libdem.pdf": "manifesto_text_2005-05-liberal_democrats.txt",
    "manifesto_2015_conservative.pdf": "manifesto_text_2015-05-conservative_party.txt",
    "manifesto_2015_libdem.pdf": "manifesto_text_2015-05-liberal_democrats.txt",
    "manifesto_2017_conservative.pdf": "manifesto_text_2017-06-conservative_party.txt",
    "manifesto_2017_libdem.pdf": "manifesto_text_2017-06-liberal_democrats.txt",
    "manifesto_2024_conservative.pdf": "manifesto_text_2024-07-conservative_party.txt",
}
# Left out of the pool: the 2001 Labour PDF (its lines become sentences: the text file is used),
# the scanned 2001 Lib Dem PDF (no text layer), and the Manifesto Project files (the same
# manifestos cut into quasi-sentences).
SKIP = {"manifesto_2001_labour.pdf", "manifesto_2001_libdem.pdf"}
HANSARD = "hoc_parlspeech_v2_sample_shared.csv"

# Rounds 2 and 3 draw from a folder of further real documents with its own MANIFEST.csv (found in
# stored public repositories; see models/labels/README.md): the group comes from the doc_type. Round 3
# gives academic articles a group of their own (in round 2 the one article was drawn as "policy").
_WITH_ACADEMIC = {"blog": "practitioner", "debate": "debate", "article": "academic"}
GROUP_OF_TYPE = {2: {"blog": "practitioner", "debate": "debate"}, 3: _WITH_ACADEMIC, 4: _WITH_ACADEMIC,
                 5: _WITH_ACADEMIC}

# Sentences drawn per (group, stratum); "all" takes the whole stratum.
ALLOCATION = {
    1: {"manifesto": {"lexicon": "all", "keyword": "all", "cue": 500, "random": 260},
        "policy": {"lexicon": "all", "keyword": "all", "cue": "all", "random": 170},
        "hansard": {"lexicon": "all", "keyword": "all", "cue": "all", "random": 80}},
    2: {"practitioner": {"lexicon": "all", "keyword": "all", "cue": 300, "random": 60},
        "policy": {"lexicon": 260, "keyword": 120, "cue": 150, "random": 60},
        "debate": {"lexicon": "all", "keyword": "all", "cue": 60, "random": 30}},
    3: {"practitioner": {"lexicon": "all", "keyword": "all", "cue": "all", "random": 80},
        "policy": {"lexicon": "all", "keyword": "all", "cue": 150, "random": 80},
        "academic": {"lexicon": "all", "keyword": "all", "cue": "all", "random": 80}},
    # round 4: 36 unseen Iriss transcripts (22 drawn at random, 14 chosen by title) plus three unseen NHS
    # England planning documents
    4: {"practitioner": {"lexicon": "all", "keyword": "all", "cue": 220, "random": 100},
        "policy": {"lexicon": 150, "keyword": 80, "cue": 60, "random": 40}},
    # round 5: 24 unseen Iriss transcripts drawn at random, two NHS board meeting webcasts, a council
    # service-plan video and a BMC article
    5: {"practitioner": {"lexicon": "all", "keyword": "all", "cue": 200, "random": 100},
        "debate": {"lexicon": 80, "keyword": 40, "cue": 50, "random": 40},
        "academic": {"lexicon": "all", "keyword": "all", "cue": 30, "random": 20},
        "policy": {"lexicon": "all", "keyword": "all", "cue": "all", "random": 20}},
}


def pool_files(shared: Path) -> list[tuple[Path, str, Path]]:
    """(file, source group, its manifest) for every file of the pool."""
    out = []
    skip_text = set(PDF_MANIFESTOS.values())
    for f in sorted((shared / "policy").iterdir()):
        if f.name in SKIP or f.name.startswith(("MANIFEST", "README")):
            continue
        group = "manifesto" if f.name.startswith("manifesto_") else "policy"
        out.append((f, group, shared / "policy" / "MANIFEST.csv"))
    for f in sorted((shared / "dated-text").glob("manifesto_text_*.txt")):
        if f.name not in skip_text:
            out.append((f, "manifesto", shared / "dated-text" / "MANIFEST.csv"))
    out.append((shared / "dated-text" / HANSARD, "hansard", shared / "dated-text" / "MANIFEST.csv"))
    return out


def folder_files(folder: Path, round_no: int) -> list[tuple[Path, str, Path]]:
    """(file, group, manifest) for every file listed in FOLDER/MANIFEST.csv."""
    with open(folder / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    groups = GROUP_OF_TYPE[round_no]
    return [(folder / r["file"], groups.get(r["doc_type"], "policy"), folder / "MANIFEST.csv") for r in rows]


def build_store(shared: Path, db: Path, files=None) -> dict[str, tuple[str, str]]:
    """Ingest the pool into `db` (idempotent); returns doc_id -> (source file relative to shared, group)."""
    store = Store(db)
    try:
        files = files or pool_files(shared)
        by_manifest = defaultdict(list)
        for f, _, m in files:
            by_manifest[m].append(f)
        for m, fs in by_manifest.items():
            tab = [f for f in fs if f.suffix == ".csv"]
            rest = [f for f in fs if f.suffix != ".csv"]
            if rest:
                ingest_paths([str(f) for f in rest], db, manifest=m, options=IngestOptions(jobs=2), store=store)
            for f in tab:
                ingest_paths([str(f)], db, manifest=m, store=store,
                             options=IngestOptions(jobs=1, text_column="text", date_column="date",
                                                   title_column="speaker"))
        group_of = {str(f.resolve()): (str(f.relative_to(shared)) if f.is_relative_to(shared) else f.name, g)
                    for f, g, _ in files}
        docs = {}
        for r in store.conn.execute("SELECT doc_id, path FROM documents"):
            path = str(Path(r[1].split("#row=")[0]).resolve())
            if path in group_of:
                docs[r[0]] = group_of[path]
        return docs
    finally:
        store.close()


def text_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def draw_seed_items(work: Path) -> None:
    """Every body sentence of the bundled seed texts, in document order: they are coded in full and
    kept out of training (the demo corpus and the out-of-domain check). Their rows carry their text."""
    db = work / "seeds.db"
    store = Store(db)
    try:
        ingest_paths([str(REPO / "corpus")], db, options=IngestOptions(jobs=1), store=store)
        meta = {r[0]: r for r in store.conn.execute("SELECT doc_id, sha256, path, title, date, doc_type FROM documents")}
        rows, items = [], []
        for doc_id in sorted(meta):
            sents = store.conn.execute("SELECT seq, page_no, char_start, char_end, text, section, sentence_id "
                                       "FROM sentences WHERE doc_id = ? ORDER BY seq", (doc_id,)).fetchall()
            texts = [s[4] for s in sents]
            for k, s in enumerate(sents):
                if s[5] != "body":
                    continue
                m = meta[doc_id]
                item_id = f"seed-{doc_id[:6]}-{k + 1:04d}"
                rows.append({"item_id": item_id, "file": str(Path(m[2]).relative_to(REPO)) if Path(m[2]).is_absolute()
                             else m[2], "doc_sha256": m[1], "row": "", "page": s[1], "char_start": s[2],
                             "char_end": s[3], "text_sha1": text_sha1(s[4]), "doc_id": doc_id, "sentence_id": s[6],
                             "date": m[4] or "", "doc_type": m[5] or "", "group": "seed", "stratum": "all",
                             "population": len(sents), "drawn": len(sents), "weight": 1.0, "round": 0, "seed": "",
                             "text": s[4]})
                items.append({"item_id": item_id, "title": m[3] or "", "date": m[4] or "",
                              "before": texts[k - 1] if k else "", "sentence": s[4],
                              "after": texts[k + 1] if k + 1 < len(texts) else ""})
        out = REPO / "models" / "labels" / "sample_seeds.csv"
        with open(out, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        with open(work / "items_seeds.jsonl", "w", encoding="utf-8") as fh:
            for it in items:
                fh.write(json.dumps(it, ensure_ascii=False) + "\n")
        print(f"{len(rows)} seed sentences -> {out}")
    finally:
        store.close()


def already_coded(round_no: int) -> dict[str, str]:
    """sha256 -> the committed label file that already holds rows of that document from another round."""
    out = {}
    for path in sorted((REPO / "models" / "labels").glob("social_care_*.csv")):
        with open(path, newline="", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                if r.get("round") != str(round_no):
                    out.setdefault(r["doc_sha256"], path.name)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--work", type=Path, required=True, help="folder outside the repository for the store and items")
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--pool-dir", type=Path, default=None,
                    help="draw from this folder (with a MANIFEST.csv) instead of the shared pool (round 2)")
    ap.add_argument("--seeds", action="store_true",
                    help="instead: every body sentence of the five seed texts in corpus/ (the out-of-domain set)")
    args = ap.parse_args()
    if args.seeds:
        args.work.mkdir(parents=True, exist_ok=True)
        return draw_seed_items(args.work)
    if not args.shared.is_dir():
        sys.exit(f"{args.shared}: the shared corpus is absent; nothing to draw from")
    args.work.mkdir(parents=True, exist_ok=True)
    db = args.work / ("pool.db" if args.pool_dir is None else f"pool_round{args.round}.db")
    docs = build_store(args.shared, db, folder_files(args.pool_dir, args.round) if args.pool_dir else None)
    lexicon = load_lexicon()
    matcher = Matcher(lexicon)
    store = Store(db)
    meta = {r[0]: r for r in store.conn.execute(
        "SELECT doc_id, sha256, path, title, date, doc_type FROM documents")}
    # a document already in a committed label set is not new, whatever its file is called (round 3 drew five
    # byte-identical copies of round-1 documents: merge_codes.py moves such rows to social_care_retest.csv)
    coded = already_coded(args.round)
    for doc_id in [d for d in docs if d in meta and meta[d][1] in coded]:
        if args.round > 3:
            print(f"{docs[doc_id][0]}: already coded in {coded[meta[doc_id][1]]}; not drawn")
            del docs[doc_id]
        else:
            print(f"warning: {docs[doc_id][0]} is already coded in {coded[meta[doc_id][1]]} (its rows go to the "
                  "retest file, not the held-out set)")
    # every body sentence of the pool, in document order, with its neighbours for context
    by_doc = defaultdict(list)
    for r in store.conn.execute("SELECT doc_id, seq, page_no, char_start, char_end, text, lemmas, section, "
                                "sentence_id FROM sentences ORDER BY doc_id, seq"):
        if r[0] in docs:
            by_doc[r[0]].append(r)
    cells: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for doc_id, sents in by_doc.items():
        group = docs[doc_id][1]
        texts = [s[5] for s in sents]
        tagged = {h.i for h in matcher.tag_batch(texts, [s[6] for s in sents])}
        for k, s in enumerate(sents):
            if s[7] != "body":
                continue
            prev = texts[k - 1] if k > 0 else ""
            nxt = texts[k + 1] if k + 1 < len(texts) else ""
            text = s[5]
            if k in tagged:
                stratum = "lexicon"
            elif KEYWORDS.search(text):
                stratum = "keyword"
            elif CUES.search(text) and CARE_CONTEXT.search(" ".join((prev, text, nxt))):
                stratum = "cue"
            else:
                stratum = "random"
            cells[(group, stratum)].append((doc_id, k, s, prev, nxt))
    rng = random.Random(args.seed)
    alloc = ALLOCATION[args.round]
    drawn = []
    for (group, stratum), pop in sorted(cells.items()):
        want = alloc[group][stratum]
        n = len(pop) if want == "all" else min(want, len(pop))
        take = sorted(rng.sample(range(len(pop)), n))
        for i in take:
            drawn.append((group, stratum, len(pop), n, pop[i]))
    rng.shuffle(drawn)
    rows, items = [], []
    for j, (group, stratum, population, n, (doc_id, k, s, prev, nxt)) in enumerate(drawn, 1):
        m = meta[doc_id]
        path = m[2]
        row = int(path.split("#row=")[1]) if "#row=" in path else ""
        item_id = f"r{args.round}-{j:04d}"
        rows.append({"item_id": item_id, "file": docs[doc_id][0], "doc_sha256": m[1], "row": row, "page": s[2],
                     "char_start": s[3], "char_end": s[4], "text_sha1": text_sha1(s[5]), "doc_id": doc_id,
                     "sentence_id": s[8], "date": m[4] or "", "doc_type": m[5] or "", "group": group,
                     "stratum": stratum, "population": population, "drawn": n,
                     "weight": round(population / n, 6), "round": args.round, "seed": args.seed})
        items.append({"item_id": item_id, "title": m[3] or "", "date": m[4] or "", "before": prev,
                      "sentence": s[5], "after": nxt})
    out = REPO / "models" / "labels" / f"sample_round{args.round}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(args.work / f"items_round{args.round}.jsonl", "w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(f"{len(rows)} sentences drawn -> {out}")
    summary = defaultdict(lambda: [0, 0])
    for r in rows:
        summary[(r["group"], r["stratum"])][0] = r["population"]
        summary[(r["group"], r["stratum"])][1] += 1
    for (g, st), (p, n) in sorted(summary.items()):
        print(f"  {g:10s} {st:8s} population {p:6d}  drawn {n:4d}")
    store.close()


if __name__ == "__main__":
    main()
