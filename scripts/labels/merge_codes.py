#!/usr/bin/env python3
"""Merge the coders' label files with the drawn samples into the committed label sets.

    python scripts/labels/merge_codes.py --work /tmp/coding

Reads models/labels/sample_round*.csv and sample_seeds.csv (what was drawn), <work>/items_*.jsonl
(the texts the coders read, which never enter the repository for shared documents),
<work>/labels/batch_*.csv (one file per coding batch), models/labels/adjudicated.csv (the
lead coder's decision where two coders of a double-coded sentence disagreed), and the second
pass over the hard cases: every sentence coded borderline was read again, blind, by another
coder (<work>/recode_labels/*.csv); where the two readings differ, a third blind reading
(<work>/third_labels/*.csv) decides by majority, concept by concept. Writes

  models/labels/social_care_train.csv   references + labels (no text: the documents have no open licence)
  models/labels/social_care_seeds.csv   the seed texts' sentences, with their text and neighbours
  models/labels/double_coded.csv        both coders' labels for the double-coded sentences
  models/labels/borderline_readings.csv the two or three readings of every borderline sentence

and prints agreement (Cohen's kappa) per concept.

    python scripts/labels/merge_codes.py --work /tmp/coding5 --append --train-file social_care_heldout_round5.csv

merges only the rounds whose items are in <work> (a later round, coded after the earlier work folders
were gone) and keeps every row of the committed files that belongs to another round as it is: new rows
are appended to social_care_train.csv, double_coded.csv and borderline_readings.csv. Rows of a
document that another committed label set already holds (same sha256) go to social_care_retest.csv
instead, each with the earlier round's labels of the same sentence where it was coded before: a held-out
set must not share a document with training, and the pairs measure agreement between rounds.
"""
from __future__ import annotations

import argparse
import csv
import glob
import hashlib
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "models" / "labels"
CONCEPTS = ["personalisation", "integration"]


def sha1(t: str) -> str:
    return hashlib.sha1(t.encode("utf-8")).hexdigest()


def norm(t: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", t.lower())


def kappa(pairs):
    n = len(pairs)
    po = sum(a == b for a, b in pairs) / n
    pa = sum(a for a, _ in pairs) / n
    pb = sum(b for _, b in pairs) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return po, (po - pe) / (1 - pe) if pe < 1 else 1.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--append", action="store_true",
                    help="merge only the rounds whose items are in --work; keep the committed rows of the others")
    ap.add_argument("--train-file", default="social_care_train.csv",
                    help="where the merged non-seed rows go (round 5: social_care_heldout_round5.csv, a held-out set)")
    ap.add_argument("--retest-file", default="social_care_retest.csv",
                    help="with --append: where rows of documents already in another committed label set go, so "
                         "that a held-out set never shares a document with training (round 3: five documents "
                         "turned out byte-identical to shared policy documents coded in round 1)")
    args = ap.parse_args()
    items = {}
    for f in glob.glob(str(args.work / "items_*.jsonl")):
        for line in open(f, encoding="utf-8"):
            d = json.loads(line)
            items[d["item_id"]] = d
    codes = defaultdict(list)  # item -> [(batch, row)]
    for f in sorted(glob.glob(str(args.work / "labels" / "batch_*.csv"))):
        batch = Path(f).stem
        for r in csv.DictReader(open(f, encoding="utf-8")):
            codes[r["item_id"]].append((batch, r))
    adjudicated = {}
    adj_path = LABELS / "adjudicated.csv"
    if adj_path.exists():
        adjudicated = {r["item_id"]: r for r in csv.DictReader(open(adj_path, encoding="utf-8"))}

    def final(item_id):
        cs = codes.get(item_id)
        if not cs:
            return None
        first = cs[0][1]
        if len(cs) > 1:
            second = cs[1][1]
            if any(first[c] != second[c] for c in CONCEPTS):
                if item_id not in adjudicated:
                    sys.exit(f"{item_id}: the two coders disagree and adjudicated.csv has no decision")
                a = adjudicated[item_id]
                return {**{c: a[c] for c in CONCEPTS}, "borderline": a["borderline"], "note": a["note"],
                        "coder": f"{cs[0][0]}+{cs[1][0]}+adjudicated"}
            border = "1" if "1" in (first["borderline"], second["borderline"]) else "0"
            note = first["note"] or second["note"]
            return {**{c: first[c] for c in CONCEPTS}, "borderline": border, "note": note,
                    "coder": f"{cs[0][0]}+{cs[1][0]}"}
        return {**{c: first[c] for c in CONCEPTS}, "borderline": first["borderline"] or "0", "note": first["note"],
                "coder": cs[0][0]}

    def readings(folder):
        out = {}
        for f in sorted(glob.glob(str(args.work / folder / "*.csv"))):
            for r in csv.DictReader(open(f, encoding="utf-8")):
                out[r["item_id"]] = r
        return out
    second, third = readings("recode_labels"), readings("third_labels")

    def second_pass(item_id, lab):
        """Final labels of a borderline sentence after its blind second (and, on disagreement, third) reading."""
        r2 = second.get(item_id)
        if r2 is None or all(r2[c] == lab[c] for c in CONCEPTS):
            return lab
        r3 = third.get(item_id)
        if r3 is None and len(codes.get(item_id, [])) > 1:
            # a double-coded sentence already has a second coder's blind reading: it is the third vote,
            # and the majority is taken over the three independent readings (not the adjudication)
            lab, r3 = {**lab, **{c: codes[item_id][0][1][c] for c in CONCEPTS}}, codes[item_id][1][1]
        if r3 is None:
            sys.exit(f"{item_id}: first and second readings disagree and there is no third reading")
        votes = {c: sorted([lab[c], r2[c], r3[c]])[1] for c in CONCEPTS}  # the majority of three 0/1 votes
        return {**lab, **votes, "borderline": "1", "note": "majority of three readings: " + (r3["note"] or lab["note"]),
                "coder": lab["coder"] + "+second+third"}

    train, seeds, missing = [], [], []
    samples = sorted(LABELS.glob("sample_*.csv"))
    if args.append:  # only the samples whose items the coders of this work folder read
        samples = [f for f in samples if (args.work / f"items_{f.stem.removeprefix('sample_')}.jsonl").exists()]
    new_ids = set()
    for f in samples:
        for r in csv.DictReader(open(f, encoding="utf-8")):
            new_ids.add(r["item_id"])
    for f in samples:
        for r in csv.DictReader(open(f, encoding="utf-8")):
            lab = final(r["item_id"])
            if lab is None:
                missing.append(r["item_id"])
                continue
            if lab["borderline"] == "1":
                lab = second_pass(r["item_id"], lab)
            it = items[r["item_id"]]
            assert sha1(it["sentence"]) == r["text_sha1"], r["item_id"]
            row = {"item_id": r["item_id"], "source": r["file"], "doc_sha256": r["doc_sha256"],
                   "doc_id": r["doc_id"], "row": r["row"], "page": r["page"], "char_start": r["char_start"],
                   "char_end": r["char_end"], "text_sha1": r["text_sha1"], "norm_sha1": sha1(norm(it["sentence"])),
                   "sentence_id": r["sentence_id"], "date": r["date"], "doc_type": r["doc_type"],
                   "source_group": r["group"], "stratum": r["stratum"], "population": r["population"],
                   "drawn": r["drawn"], "weight": r["weight"], "round": r["round"], "seed": r["seed"], **lab}
            if r["group"] == "seed":
                row.update({"text": it["sentence"], "before": it["before"], "after": it["after"]})
                seeds.append(row)
            else:
                train.append(row)
    if args.append and missing:
        # uncoded items are a random part of each stratum (the items were shuffled before batching): the
        # coded rows stand for their stratum's population, weight = population / coded
        coded = defaultdict(int)
        for r in train:
            coded[(r["round"], r["source_group"], r["stratum"])] += 1
        for r in train:
            n = coded[(r["round"], r["source_group"], r["stratum"])]
            r["drawn"], r["weight"] = str(n), str(round(int(r["population"]) / n, 6))

    def kept(name):
        """The committed rows of the rounds this run does not merge (--append)."""
        path = LABELS / name
        if not args.append or not path.exists():
            return []
        return [r for r in csv.DictReader(open(path, encoding="utf-8")) if r["item_id"] not in new_ids]

    retest = []
    if args.append:
        # a document already coded in another label set is not new: its rows leave the new set (after the
        # weights above, which are inverse inclusion probabilities of the whole draw) and go to the retest
        # file, paired with the earlier reading of the same sentence where there is one
        earlier = {}
        for path in sorted(LABELS.glob("social_care_*.csv")):
            if path.name in (args.train_file, args.retest_file):
                continue
            for r in csv.DictReader(open(path, encoding="utf-8")):
                earlier.setdefault(r["doc_sha256"], {})[r["norm_sha1"]] = r
        for r in train:
            if r["doc_sha256"] in earlier:
                before = earlier[r["doc_sha256"]].get(r["norm_sha1"])
                retest.append({**r, "retest_of": before["item_id"] if before else "",
                               **{f"{c}_earlier": before[c] if before else "" for c in CONCEPTS}})
        train = [r for r in train if r["doc_sha256"] not in earlier]
    train, seeds = kept(args.train_file) + train, kept("social_care_seeds.csv") + seeds
    retest = kept(args.retest_file) + retest
    for name, rows in ((args.train_file, train), ("social_care_seeds.csv", seeds), (args.retest_file, retest)):
        if not rows:
            continue
        with open(LABELS / name, "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"{name}: {len(rows)} rows, " + ", ".join(f"{c}=1: {sum(r[c] == '1' for r in rows)}" for c in CONCEPTS)
              + f", borderline: {sum(r['borderline'] == '1' for r in rows)}")
    dbl = [(k, v) for k, v in codes.items() if len(v) > 1]
    old_dbl, old_border = kept("double_coded.csv"), kept("borderline_readings.csv")
    with open(LABELS / "double_coded.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "coder_a", *[f"{c}_a" for c in CONCEPTS], "borderline_a", "coder_b",
                    *[f"{c}_b" for c in CONCEPTS], "borderline_b"])
        for r in old_dbl:
            w.writerow(list(r.values()))
        for k, v in sorted(dbl):
            (ba, a), (bb, b) = v[0], v[1]
            w.writerow([k, ba, *[a[c] for c in CONCEPTS], a["borderline"], bb, *[b[c] for c in CONCEPTS],
                        b["borderline"]])
    with open(LABELS / "borderline_readings.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", *[f"{c}_{k}" for k in ("first", "second", "third") for c in CONCEPTS]])
        for r in old_border:
            w.writerow(list(r.values()))
        for k in sorted(second):
            first_lab = final(k)
            w.writerow([k, *[first_lab[c] for c in CONCEPTS], *[second[k][c] for c in CONCEPTS],
                        *[third[k][c] if k in third else "" for c in CONCEPTS]])
    for c in CONCEPTS:
        pairs = [(int(final(k)[c]), int(second[k][c])) for k in second]
        po, k = kappa(pairs)
        print(f"borderline sentences read twice ({len(pairs)}), {c}: agreement {po:.3f}, Cohen's kappa {k:.3f}")
    for c in CONCEPTS:
        pairs = [(int(v[0][1][c]), int(v[1][1][c])) for _, v in dbl]
        po, k = kappa(pairs)
        print(f"double-coded {len(pairs)} sentences, {c}: agreement {po:.3f}, Cohen's kappa {k:.3f}")
    pairs = [r for r in retest if r.get("retest_of")]
    for c in CONCEPTS:
        if pairs:
            po, k = kappa([(int(r[f"{c}_earlier"]), int(r[c])) for r in pairs])
            print(f"sentences coded in an earlier round and again, blind, in this one ({len(pairs)}), {c}: "
                  f"agreement {po:.3f}, Cohen's kappa {k:.3f}")
    if missing:
        print(f"not yet coded: {len(missing)} drawn sentences (e.g. {missing[0]})")


if __name__ == "__main__":
    main()
