#!/usr/bin/env python3
"""Precision, recall and F1 of lexicon files (and the plain keyword baseline) on the hand-coded labels.

    python scripts/labels/measure_lexicon.py models/concepts/social_care.yaml /tmp/candidate.yaml \
        [--corpus-root /path/to/extra/documents]

Every lexicon change is measured this way before it is kept; the figures go into the lexicon's
changelog (models/concepts/CHANGES.md). The training labels are the ones the changes were read
from (in-sample for the lexicon); the seed texts are the check nobody tuned to.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from policyscope.analyse.detect.evaluation import prf, rule_predictions  # noqa: E402
from policyscope.analyse.detect.labels import default_roots, read_labels  # noqa: E402
from policyscope.analyse.lexicon import load_lexicon  # noqa: E402
from policyscope.analyse.matcher import Matcher  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lexicons", nargs="+")
    ap.add_argument("--corpus-root", action="append", default=[])
    ap.add_argument("--train", default=str(REPO / "models/labels/social_care_train.csv"))
    ap.add_argument("--seeds", default=str(REPO / "models/labels/social_care_seeds.csv"))
    ap.add_argument("--set", action="append", default=[], metavar="NAME=FILE",
                    help="a further labels set to score, e.g. round5=models/labels/social_care_heldout_round5.csv")
    args = ap.parse_args()
    roots = [Path(r) for r in args.corpus_root] + default_roots()
    first = load_lexicon(args.lexicons[0])
    sets = {"train": read_labels(args.train, first.concept_names, roots=roots, skip_missing=True),
            "seeds": read_labels(args.seeds, first.concept_names, roots=roots)}
    for spec in args.set:
        name, _, path = spec.partition("=")
        sets[name] = read_labels(path, first.concept_names, roots=roots)
    print(f"{'lexicon':28s} {'set':6s} {'concept':16s} {'backend':8s}   P      R      F1")
    for path in args.lexicons:
        lex = load_lexicon(path)
        for name, ls in sets.items():
            preds = rule_predictions(ls, lex, Matcher(lex))
            for backend in ("keyword", "lexicon") if path == args.lexicons[0] else ("lexicon",):
                for c in lex.concept_names:
                    d = prf(ls.frame[c].to_numpy(bool), preds.tagged[backend][c])
                    print(f"{lex.label:28s} {name:6s} {c:16s} {backend:8s} {d['precision']:.3f}  {d['recall']:.3f}  "
                          f"{d['f1']:.3f}")


if __name__ == "__main__":
    main()
