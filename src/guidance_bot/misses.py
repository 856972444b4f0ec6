"""``report misses``: unanswered and suggested questions, similar ones grouped, most frequent first."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rapidfuzz import fuzz

from .answerlog import LoggedQuestion
from .matching.normalize import fold

SIMILAR = 70  # rapidfuzz token-set ratio on folded text above which two questions are "the same"


@dataclass
class MissGroup:
    example: str
    count: int = 0
    unanswered: int = 0
    suggested: int = 0
    out_of_scope: int = 0  # like knowledge/out_of_scope.yaml: add the question there if it is
    last: datetime | None = None
    variants: list[str] = field(default_factory=list)
    suggestions: dict[str, int] = field(default_factory=dict)


def group_misses(questions: Sequence[LoggedQuestion]) -> list[MissGroup]:
    groups: list[tuple[str, MissGroup]] = []
    for q in questions:
        key = _key(q.question)
        group = next((g for k, g in groups if fuzz.token_set_ratio(k, key) >= SIMILAR), None)
        if group is None:
            group = MissGroup(example=q.question)
            groups.append((key, group))
        group.count += 1
        group.unanswered += q.outcome == "none"
        group.suggested += q.outcome == "suggest"
        group.out_of_scope += q.outcome == "out_of_scope"
        group.last = q.at
        if q.question not in group.variants and len(group.variants) < 5:
            group.variants.append(q.question)
        for s in q.suggestions:
            group.suggestions[s] = group.suggestions.get(s, 0) + 1
    return sorted((g for _, g in groups), key=lambda g: (-g.count, g.example))


def _key(text: str) -> str:
    # Space the characters of Japanese text so that token-set similarity works without a tokenizer.
    folded = fold(text)
    return " ".join(folded) if not folded.isascii() else folded


def format_text(groups: Sequence[MissGroup], since: datetime) -> str:
    if not groups:
        return f"{since:%Y-%m-%d} 以降、答えられなかった質問はありません。 (No unanswered questions since then.)"
    lines = [f"{since:%Y-%m-%d} 以降に答えられなかった質問 (questions the bot could not answer): "
             f"{sum(g.count for g in groups)} 件 / {len(groups)} グループ (groups)", ""]
    for g in groups:
        lines.append(f"{g.count:>4}  {g.example}")
        lines.append(f"      回答なし unanswered {g.unanswered} / 範囲外 out of scope {g.out_of_scope}"
                     f" / 候補提示 suggested {g.suggested} / 最終 last {g.last:%Y-%m-%d %H:%M}")
        for v in g.variants[1:]:
            lines.append(f"      ・{v}")
        if g.suggestions:
            top = sorted(g.suggestions.items(), key=lambda kv: -kv[1])[:3]
            lines.append("      候補 suggested: " + ", ".join(f"{k} ({n})" for k, n in top))
    return "\n".join(lines)


def format_csv(groups: Sequence[MissGroup]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["count", "unanswered", "suggested", "last", "example", "variants", "suggestions",
                     "out_of_scope"])
    for g in groups:
        writer.writerow([g.count, g.unanswered, g.suggested, g.last.isoformat() if g.last else "", g.example,
                         " | ".join(g.variants[1:]), " ".join(sorted(g.suggestions)), g.out_of_scope])
    return out.getvalue()
