"""Measure which evidence and which thresholds work, on an evaluation set (default: tests/eval).

Prints the top-1/top-3 ranking accuracy of each kind of evidence alone, the best weight
combinations from a grid, and for the chosen weights the trade-off between confident answers and
confident mistakes for a grid of thresholds. This is how the defaults in `guidance_bot.matching`
were chosen; run it again after large knowledge changes.

    python bench/tune_matcher.py [FILE] [--weights best,fuzzy,cover,fields,chars,answer,whole]
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
from guidance_bot.matching.matcher import FEATURES

REPO = Path(__file__).resolve().parents[1]
GRID = {
    "best": (0, 0.1, 0.2), "fuzzy": (0,), "cover": (0, 0.1, 0.2), "fields": (0, 0.1),
    "chars": (0.5, 0.7, 0.9), "answer": (0, 0.05), "whole": (0, 0.1, 0.2),
}
TOP = 30  # candidates kept per question: plenty for top-3 under any weights


def features(file: Path) -> list[tuple[set[str], list[tuple[str, tuple[float, ...]]]]]:
    settings = Settings()
    knowledge = load_knowledge(settings.knowledge_dir).knowledge
    all_on = Weights(**{f: 1.0 for f in FEATURES})
    matcher = Index.build(knowledge, all_on, Thresholds()).matcher
    rows = []
    for item in load_eval(file):
        ranked = matcher.rank(item.question, limit=None)
        keep = {c.id for f in FEATURES for c in sorted(ranked, key=lambda c: -getattr(c, f))[:TOP]}
        rows.append((set(item.expect), [(c.id, tuple(getattr(c, f) for f in FEATURES))
                                        for c in ranked if c.id in keep]))
    return rows


def ranked(rows, w):
    out = []
    for expect, cands in rows:
        scored = sorted(((sum(a * b for a, b in zip(w, f)), cid) for cid, f in cands), reverse=True)[:3]
        out.append((expect, scored))
    return out


def accuracy(rows, w) -> tuple[float, float]:
    inscope = [(e, s) for e, s in ranked(rows, w) if e]
    top1 = sum(bool(s) and s[0][1] in e for e, s in inscope) / len(inscope)
    top3 = sum(bool(e & {c for _, c in s}) for e, s in inscope) / len(inscope)
    return round(top1, 4), round(top3, 4)


def decisions(rows, w, t: Thresholds) -> dict[str, float]:
    n_in = sum(1 for e, _ in rows if e)
    n_out = len(rows) - n_in
    top1 = top3 = abstain = wrong = 0
    for expect, s in ranked(rows, w):
        s1 = s[0][0] if s else 0.0
        s2 = s[1][0] if len(s) > 1 else 0.0
        confident = s1 >= t.answer and s1 - s2 >= t.margin
        if confident and s[0][1] not in expect:
            wrong += 1
        elif not expect:
            abstain += 1
        elif confident:
            top1 += 1
            top3 += 1
        else:
            top3 += bool(expect & {c for score, c in s if score >= t.suggest})
    return {"top1": round(top1 / n_in, 3), "top3": round(top3 / n_in, 3),
            "abstain_ok": round(abstain / n_out, 3), "wrong_confident": round(wrong / len(rows), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=REPO / "tests/eval/questions.yaml")
    parser.add_argument("--weights", help="skip the grid; comma-separated, in the order " + ",".join(FEATURES))
    args = parser.parse_args(argv)
    rows = features(args.file)
    for i, name in enumerate(FEATURES):
        print(f"{name:>7} alone: top1/top3 = {accuracy(rows, [float(j == i) for j in range(len(FEATURES))])}")
    if args.weights:
        chosen = tuple(float(x) for x in args.weights.split(","))
    else:
        grid = sorted(((accuracy(rows, w), w) for w in itertools.product(*(GRID[f] for f in FEATURES))),
                      reverse=True)
        for acc, w in grid[:5]:
            print(f"weights {dict(zip(FEATURES, w))}: top1/top3 = {acc}")
        chosen = grid[0][1]
    print(f"\nthresholds for {dict(zip(FEATURES, chosen))}:")
    base = Settings().thresholds
    table = []
    for answer, margin, suggest in itertools.product(
            (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8), (0.05, 0.08, 0.1, 0.12, 0.15, 0.2), (0.2, 0.25, 0.3, 0.4)):
        t = replace(base, answer=answer, margin=margin, suggest=suggest)
        table.append((decisions(rows, chosen, t), answer, margin, suggest))
    # Best first among settings that keep confident mistakes rare and abstain on out-of-scope questions.
    table.sort(key=lambda r: (r[0]["wrong_confident"] <= 0.02 and r[0]["abstain_ok"] >= 0.9,
                              r[0]["top1"], r[0]["top3"]), reverse=True)
    for figures, answer, margin, suggest in table[:15]:
        print(f"  answer={answer} margin={margin} suggest={suggest}: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
