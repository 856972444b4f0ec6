"""Measuring the matcher on a question set: top-1, top-3, abstention and confident mistakes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .knowledge.yamlfile import LList, LMap, YamlSyntaxError, load_located
from .matching import Decision


class EvalFileError(ValueError):
    def __init__(self, path: Path, line: int, ja: str, en: str) -> None:
        super().__init__(f"{path}:{line}: {ja} ({en})")


@dataclass(frozen=True, slots=True)
class EvalItem:
    question: str
    expect: tuple[str, ...]  # empty: out of scope, the bot should not answer confidently
    line: int = 0


@dataclass(frozen=True, slots=True)
class Miss:
    question: str
    expect: tuple[str, ...]
    outcome: str  # answer | suggest | none
    got: tuple[str, ...]  # the confident answer, or the suggestions
    score: float
    kind: str  # wrong_confident | not_top1 | not_abstained
    line: int = 0


@dataclass
class EvalReport:
    n: int
    in_scope: int
    out_of_scope: int
    top1: float
    top3: float
    abstain_ok: float
    wrong_confident: float
    misses: list[Miss] = field(default_factory=list)

    def figures(self) -> dict[str, float | int]:
        return {k: v for k, v in asdict(self).items() if k != "misses"}


def load_eval(path: Path) -> list[EvalItem]:
    try:
        data, _ = load_located(path)
    except YamlSyntaxError as exc:
        raise EvalFileError(path, exc.line, f"YAMLの書式エラー: {exc.detail}", f"YAML syntax error: {exc.detail}") from exc
    except OSError as exc:
        raise EvalFileError(path, 0, "ファイルを読めません", f"cannot read the file: {exc.strerror}") from exc
    if not isinstance(data, LList):
        raise EvalFileError(path, 1, "質問のリストで書いてください", "the file must be a list of questions")
    items = []
    for i, raw in enumerate(data):
        line = data.line_of(i)
        if not isinstance(raw, LMap) or not isinstance(raw.get("question"), str) or not raw["question"].strip():
            raise EvalFileError(path, line, "各項目には question（文字列）が必要です", "each item needs a question (text)")
        expect = raw.get("expect", [])
        if isinstance(expect, str):
            expect = [expect]
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
            raise EvalFileError(path, line, "expect は id のリストです", "expect must be a list of ids")
        items.append(EvalItem(raw["question"].strip(), tuple(expect), line))
    return items


def run_eval(decide: Callable[[str], Decision], items: Iterable[EvalItem]) -> EvalReport:
    items = list(items)
    in_scope = [i for i in items if i.expect]
    out_scope = [i for i in items if not i.expect]
    top1 = top3 = abstained = wrong = 0
    misses: list[Miss] = []
    for item in items:
        decision = decide(item.question)
        expect = set(item.expect)
        got = (decision.entry_id,) if decision.answered else decision.suggestions[:3]
        score = decision.best.score if decision.best else 0.0
        if decision.answered and decision.entry_id not in expect:
            wrong += 1
            misses.append(Miss(item.question, item.expect, decision.outcome, got, score, "wrong_confident", item.line))
            continue
        if not item.expect:
            abstained += 1  # not answered confidently (a wrong confident answer was counted above)
            continue
        if decision.answered:
            top1 += 1
            top3 += 1
            continue
        top3 += bool(expect & set(got))
        kind = "not_top1"
        misses.append(Miss(item.question, item.expect, decision.outcome, got, score, kind, item.line))
    return EvalReport(
        n=len(items),
        in_scope=len(in_scope),
        out_of_scope=len(out_scope),
        top1=_ratio(top1, len(in_scope)),
        top3=_ratio(top3, len(in_scope)),
        abstain_ok=_ratio(abstained, len(out_scope)),
        wrong_confident=_ratio(wrong, len(items)),
        misses=misses,
    )


def _ratio(count: int, total: int) -> float:
    return round(count / total, 4) if total else 1.0
