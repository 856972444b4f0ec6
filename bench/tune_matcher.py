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
from pathlib import Path

import numpy as np

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
THRESHOLDS = {"answer": np.arange(0.3, 1.21, 0.05), "margin": np.arange(0.02, 0.205, 0.01)}
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


class Outcomes:
    """Per question, what the decision depends on under one set of weights (as Matcher.decide):
    the top two scores, whether the top one is the out-of-scope examples, whether it is right,
    and the score of the best expected entry among the first three offered."""

    def __init__(self, rows: list[Row], w) -> None:
        s1, s2, oos, right, expected, inscope = [], [], [], [], [], []
        for expect, s in ranked(rows, w):
            first = s[0][1] if s else OUT_OF_SCOPE
            s1.append(s[0][0] if s else 0.0)
            s2.append(s[1][0] if len(s) > 1 else 0.0)
            oos.append(first == OUT_OF_SCOPE)
            right.append(first in expect)
            offered = [(score, c) for score, c in s if c != OUT_OF_SCOPE][:3]
            expected.append(max((score for score, c in offered if c in expect), default=-1.0))
            inscope.append(bool(expect))
        self.s1, self.s2 = np.array(s1), np.array(s2)
        self.oos, self.right = np.array(oos), np.array(right)
        self.expected, self.inscope = np.array(expected), np.array(inscope)

    def figures(self, t: Thresholds) -> dict[str, float]:
        """The figures of `guidance-bot eval` for these thresholds."""
        confident = ~self.oos & (self.s1 >= t.answer) & (self.s1 - self.s2 >= t.margin)
        inscope, out = self.inscope, ~self.inscope
        offered = ~self.oos & (self.expected >= t.suggest)
        top1 = (confident & self.right)[inscope].mean()
        top3 = np.where(confident, self.right, offered)[inscope].mean()
        abstain = (~confident)[out].mean() if out.any() else 1.0
        in_wrong = (confident & ~self.right)[inscope].mean()
        wrong = (confident & ~self.right).mean()
        # Confident mistakes as if OUT_SHARE of the questions were out of scope, as in the
        # evaluation file: the development set has more of them, which would otherwise count
        # three times over.
        at_share = (1 - OUT_SHARE) * in_wrong + OUT_SHARE * (1 - abstain) if out.any() else wrong
        return {"top1": round(float(top1), 3), "top3": round(float(top3), 3), "abstain_ok": round(float(abstain), 3),
                "wrong_confident": round(float(wrong), 3), "wrong_at_share": round(float(at_share), 3)}


def acceptable(figures: dict[str, float]) -> bool:
    return figures["wrong_at_share"] <= 0.02 and figures["abstain_ok"] >= 0.9


def best_thresholds(outcomes: Outcomes) -> tuple[dict[str, float], Thresholds] | None:
    """The thresholds with the most confident right answers among the acceptable ones."""
    best = None
    for answer, margin in itertools.product(*THRESHOLDS.values()):
        t = Thresholds(answer=round(answer, 3), margin=round(margin, 3))
        figures = outcomes.figures(t)
        if acceptable(figures) and (best is None or (figures["top1"], figures["top3"]) > (best[0]["top1"], best[0]["top3"])):
            best = (figures, t)
    return best


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
        print(f"{name:>7} alone, ranking top1/top3: tune {accuracy(tune, alone)} report {accuracy(report, alone)}")
    grid = [tuple(float(x) for x in args.weights.split(","))] if args.weights else \
        list(itertools.product(*(GRID[f] for f in FEATURES)))
    results = []
    for w in grid:
        found = best_thresholds(Outcomes(tune, w))
        if found:
            results.append((found[0], w, found[1]))
    # Best first: the most confident right answers on the development questions.
    results.sort(key=lambda r: (r[0]["top1"], r[0]["top3"]), reverse=True)
    for figures, w, t in results[:8]:
        print(f"\n{dict(zip(FEATURES, w))} answer={t.answer} margin={t.margin}"
              f"\n  tune   {figures}\n  report {Outcomes(report, w).figures(t)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
