"""YAML loading that remembers line numbers, so every problem can be reported as FILE:LINE."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode


# libyaml's parser is ~10x faster than the pure-Python one and keeps the same line marks.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LMap(dict):
    """A YAML mapping with the line of the mapping and of each key (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LList(list):
    """A YAML sequence with the line of the sequence and of each item (1-based)."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


@dataclass(frozen=True, slots=True)
class YamlProblem:
    line: int
    message_ja: str
    message_en: str


class YamlSyntaxError(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


def load_located(path: Path) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML file into LMap/LList/scalars; duplicate keys are reported, not silently merged.

    Raises YamlSyntaxError (with the line) when the file is not valid YAML or not UTF-8.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(1, f"not UTF-8: {exc.reason}") from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        problems: list[YamlProblem] = []
        value = _convert(node, loader, problems) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(line, str(exc.problem or exc.context or "YAML error")) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(1, str(exc)) from exc
    finally:
        loader.dispose()
    return value, problems


def _convert(node: Node, loader, problems: list[YamlProblem]) -> Any:
    line = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        result = LMap()
        result.line = line
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str | int | float | bool) and key is not None:
                problems.append(YamlProblem(key_line, "キーが文字列ではありません", "key is not a string"))
                continue
            if key in result:
                problems.append(
                    YamlProblem(key_line, f"キー '{key}' が重複しています", f"duplicate key '{key}'")
                )
            result[key] = _convert(value_node, loader, problems)
            result.key_lines[key] = key_line
        return result
    if isinstance(node, SequenceNode):
        seq = LList()
        seq.line = line
        for item in node.value:
            seq.append(_convert(item, loader, problems))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    assert isinstance(node, ScalarNode)
    return loader.construct_object(node, deep=True)
