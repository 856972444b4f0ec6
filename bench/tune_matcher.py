"""Measure which evidence and which thresholds work: tuned on the development questions, reported
on the evaluation file as held out.

The development questions (bench/dev/: in-scope questions written from the topic list alone, and
out-of-scope questions) were written independently of tests/eval/questions.yaml and of the
entries. Weights and thresholds are chosen on them only; the evaluation file is measured with the
chosen values and never used to choose. This is how the defaults in `guidance_bot.matching` were
chosen; run it again after large knowledge changes.

    python bench/tune_matcher.py [--tune FILE...] [--report FILE...]
        [--weights best,fuzzy,cover,fields,chars,answer,whole]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

from guidance_bot.answering import Index
from guidance_bot.config import Settings
from guidance_bot.evaluation import load_eval
from guidance_bot.knowledge import load_knowledge
from guidance_bot.matching import Thresholds, Weights
from guidance_bot.matching.matcher import FEATURES, OUT_OF_SCOPE

REPO = Path(__file__).resolve().parents[1]
DEV = [REPO / "bench/dev/in_scope.yaml", REPO / "bench/dev/out_of_scope.yaml"]
EVAL = [REPO / "tests/eval/questions.yaml"]
GRID = {
    "best": (0, 0.1, 0.2), "fuzzy": (0,), "cover": (0, 0.1, 0.2), "fields": (0, 0.1),
    "chars": (0.5, 0.7, 0.9), "answer": (0, 0.05), "whole": (0, 0.1, 0.2),
}
THRESHOLDS = {
    "answer": (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75),
    "margin": (0.04, 0.06, 0.07, 0.08, 0.09, 0.1, 0.12, 0.15),
    "suggest": (0.2, 0.25, 0.3),
}
OUT_SHARE = 0.1  # share of out-of-scope questions the constraint assumes (tests/eval: 71 of 670)
TOP = 30  # candidates kept per question: plenty for top-3 under any weights

Row = tuple[set[str], list[tuple[str, tuple[float, ...]]]]


def features(files: list[Path]) -> list[Row]:
    settings = Settings()
    knowledge = load_knowledge(settings.knowledge_dir).knowledge
    all_on = Weights(**{f: 1.0 for f in FEATURES})
    matcher = Index.build(knowledge, all_on, Thresholds()).matcher
    rows = []
    for item in (item for file in files for item in load_eval(file)):
        ranked = matcher.rank(item.question, limit=None)
        keep = {c.id for f in FEATURES for c in sorted(ranked, key=lambda c: -getattr(c, f))[:TOP]}
        rows.append((set(item.expect), [(c.id, tuple(getattr(c, f) for f in FEATURES))
                                        for c in ranked if c.id in keep]))
    return rows


def ranked(rows: list[Row], w) -> list[tuple[set[str], list[tuple[float, str]]]]:
    out = []
    for expect, cands in rows:
        scored = sorted(((sum(a * b for a, b in zip(w, f)), cid) for cid, f in cands), reverse=True)[:4]
        out.append((expect, scored))
    return out


def accuracy(rows: list[Row], w) -> tuple[float, float]:
    """Ranking alone: is an expected entry first, or among the first three offered entries?"""
    inscope = [(e, [c for _, c in s if c != OUT_OF_SCOPE]) for e, s in ranked(rows, w) if e]
    top1 = sum(bool(s) and s[0] in e for e, s in inscope) / len(inscope)
    top3 = sum(bool(e & set(s[:3])) for e, s in inscope) / len(inscope)
    return round(top1, 4), round(top3, 4)


def decisions(rows: list[Row], w, t: Thresholds) -> dict[str, float]:
    """The figures of `guidance-bot eval`, for these weights and thresholds (as Matcher.decide)."""
    n_in = sum(1 for e, _ in rows if e)
    n_out = len(rows) - n_in
    top1 = top3 = abstain = wrong = 0
    for expect, s in ranked(rows, w):
        s1, first = s[0] if s else (0.0, OUT_OF_SCOPE)
        s2 = s[1][0] if len(s) > 1 else 0.0
        confident = first != OUT_OF_SCOPE and s1 >= t.answer and s1 - s2 >= t.margin
        offered = set() if first == OUT_OF_SCOPE else \
            {c for score, c in s if c != OUT_OF_SCOPE and score >= t.suggest}
        if confident and first not in expect:
            wrong += 1
        elif not expect:
            abstain += 1
        elif confident:
            top1 += 1
            top3 += 1
        else:
            top3 += bool(expect & offered)
    in_wrong = wrong - (n_out - abstain)
    # Confident mistakes as if OUT_SHARE of the questions were out of scope, as in the evaluation
    # file: the development set has more of them, which would otherwise weigh them three times over.
    estimate = (1 - OUT_SHARE) * in_wrong / max(n_in, 1) + OUT_SHARE * (n_out - abstain) / max(n_out, 1)
    return {"top1": round(top1 / max(n_in, 1), 3), "top3": round(top3 / max(n_in, 1), 3),
            "abstain_ok": round(abstain / max(n_out, 1), 3), "wrong_confident": round(wrong / len(rows), 3),
            "wrong_at_share": round(estimate if n_out else wrong / len(rows), 3)}


def acceptable(figures: dict[str, float]) -> bool:
    return figures["wrong_at_share"] <= 0.02 and figures["abstain_ok"] >= 0.9


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", nargs="+", type=Path, default=DEV, help="questions to choose on")
    parser.add_argument("--report", nargs="+", type=Path, default=EVAL, help="questions to report on")
    parser.add_argument("--weights", help="skip the grid; comma-separated, in the order " + ",".join(FEATURES))
    args = parser.parse_args(argv)
    tune, report = features(args.tune), features(args.report)
    print(f"tuned on {', '.join(p.name for p in args.tune)} ({len(tune)}); "
          f"reported on {', '.join(p.name for p in args.report)} ({len(report)})")
    for i, name in enumerate(FEATURES):
        alone = [float(j == i) for j in range(len(FEATURES))]
        print(f"{name:>7} alone: top1/top3 tune {accuracy(tune, alone)} report {accuracy(report, alone)}")
    if args.weights:
        chosen = tuple(float(x) for x in args.weights.split(","))
    else:
        grid = sorted(((accuracy(tune, w), w) for w in itertools.product(*(GRID[f] for f in FEATURES))),
                      reverse=True)
        for acc, w in grid[:5]:
            print(f"weights {dict(zip(FEATURES, w))}: top1/top3 tune {acc} report {accuracy(report, w)}")
        chosen = grid[0][1]
    print(f"\nthresholds for {dict(zip(FEATURES, chosen))}:")
    base = Settings().thresholds
    table = []
    for answer, margin, suggest in itertools.product(*THRESHOLDS.values()):
        t = replace(base, answer=answer, margin=margin, suggest=suggest)
        table.append((decisions(tune, chosen, t), t))
    # Best first among settings that keep confident mistakes rare and abstain on out-of-scope questions.
    table.sort(key=lambda r: (acceptable(r[0]), r[0]["top1"], r[0]["top3"]), reverse=True)
    for figures, t in table[:12]:
        print(f"  answer={t.answer} margin={t.margin} suggest={t.suggest}: tune {figures}"
              f"\n{'':>38}report {decisions(report, chosen, t)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
