"""The Block Kit limits real Slack enforces (https://api.slack.com/reference/block-kit), so that the
fake Web API refuses what Slack would refuse (``invalid_blocks``) instead of accepting any JSON.

Only the limits our rendering can run into are checked: counts, lengths, empty option lists,
initial options that are not among the options, and duplicate block or action ids.
"""

from __future__ import annotations

from typing import Any

LIMITS = {"message_blocks": 50, "view_blocks": 100, "actions_elements": 25, "context_elements": 10,
          "section_text": 3000, "header_text": 150, "button_text": 75, "button_value": 2000,
          "option_text": 75, "option_value": 150, "static_options": 100, "checkbox_options": 10,
          "label": 2000, "hint": 2000, "view_title": 24, "private_metadata": 3000, "input_max": 3000,
          "block_id": 255, "action_id": 255}


def message_problems(blocks: Any) -> list[str]:
    if blocks in (None, ""):
        return []
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    problems = _count(blocks, "message_blocks", "message")
    return problems + _blocks(blocks, "message")


def view_problems(view: Any) -> list[str]:
    if not isinstance(view, dict):
        return ["view must be an object"]
    blocks = view.get("blocks") or []
    problems = _count(blocks, "view_blocks", "view")
    if view.get("type") == "modal":
        for key in ("title", "submit", "close"):
            text = (view.get(key) or {}).get("text", "")
            if key == "title" and not text:
                problems.append("modal without title")
            if len(text) > LIMITS["view_title"]:
                problems.append(f"{key} longer than {LIMITS['view_title']}")
    if len(view.get("private_metadata") or "") > LIMITS["private_metadata"]:
        problems.append("private_metadata too long")
    return problems + _blocks(blocks, "view")


def _count(items: list, limit: str, where: str) -> list[str]:
    return [f"{where}: {len(items)} > {LIMITS[limit]} ({limit})"] if len(items) > LIMITS[limit] else []


def _text(obj: Any, limit: str, where: str) -> list[str]:
    text = (obj or {}).get("text", "") if isinstance(obj, dict) else ""
    if not text:
        return [f"{where}: empty text"]
    return [f"{where}: text longer than {LIMITS[limit]}"] if len(text) > LIMITS[limit] else []


def _blocks(blocks: list, where: str) -> list[str]:
    problems: list[str] = []
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where} block {i} ({block.get('type')}, {block.get('block_id')})"
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                problems.append(f"{at}: duplicate block_id")
            block_ids.add(block_id)
            if len(block_id) > LIMITS["block_id"]:
                problems.append(f"{at}: block_id too long")
        kind = block.get("type")
        if kind == "section":
            problems += _text(block.get("text"), "section_text", at)
        elif kind == "header":
            problems += _text(block.get("text"), "header_text", at)
        elif kind == "context":
            problems += _count(block.get("elements") or [], "context_elements", at)
        elif kind == "actions":
            elements = block.get("elements") or []
            problems += _count(elements, "actions_elements", at) or ([f"{at}: no elements"] if not elements else [])
            for element in elements:
                problems += _element(element, at, action_ids)
        elif kind == "input":
            problems += _text(block.get("label"), "label", at)
            if block.get("hint"):
                problems += _text(block.get("hint"), "hint", at)
            problems += _element(block.get("element") or {}, at, action_ids, in_input=True)
    return problems


def _element(element: dict, at: str, action_ids: set[str], in_input: bool = False) -> list[str]:
    problems: list[str] = []
    kind = element.get("type")
    action_id = element.get("action_id")
    if action_id is not None and not in_input:  # input action_ids need only be unique per block
        if action_id in action_ids:
            problems.append(f"{at}: duplicate action_id {action_id}")
        action_ids.add(action_id)
    if kind == "button":
        problems += _text(element.get("text"), "button_text", at)
        if len(element.get("value") or "") > LIMITS["button_value"]:
            problems.append(f"{at}: button value too long")
        confirm = element.get("confirm")
        if confirm is not None:
            for key, limit in (("title", 100), ("text", 300), ("confirm", 30), ("deny", 30)):
                text = (confirm.get(key) or {}).get("text", "")
                if not text or len(text) > limit:
                    problems.append(f"{at}: confirm {key} empty or longer than {limit}")
    elif kind in ("static_select", "multi_static_select", "checkboxes", "radio_buttons"):
        options = element.get("options") or []
        limit = "checkbox_options" if kind in ("checkboxes", "radio_buttons") else "static_options"
        if not options:
            problems.append(f"{at}: {kind} without options")
        problems += _count(options, limit, at)
        values = []
        for option in options:
            problems += _text(option.get("text"), "option_text", f"{at} option")
            value = option.get("value") or ""
            if not value or len(value) > LIMITS["option_value"]:
                problems.append(f"{at}: option value empty or too long")
            values.append(value)
        initial = element.get("initial_options") or ([element["initial_option"]] if element.get("initial_option") else [])
        if any(o not in options for o in initial):
            problems.append(f"{at}: initial option not among the options")
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if max_length is not None and not 1 <= max_length <= LIMITS["input_max"]:
            problems.append(f"{at}: max_length out of range")
        if max_length and len(element.get("initial_value") or "") > max_length:
            problems.append(f"{at}: initial_value longer than max_length")
    return problems
