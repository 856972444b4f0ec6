"""Core replies and forms → Block Kit, and Slack's form state → core values. Pure: no SDK, no I/O.

Buttons: ``action_id`` is ``{action name}:{index}`` (unique within the message, routed by the name) and
``value`` is JSON ``{"v": value, "l": lang}`` (plus ``"q"``, the question, on the consult button), so a
click comes back with the language of the message it was pressed on. Form inputs: ``block_id`` is the
field name (so ``FormErrors`` map straight onto ``response_action: errors``) and ``action_id`` the
field kind (so the state can be read back without the form).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guidance_bot import messages as m
from guidance_bot.bot import feedback_actions
from guidance_bot.forms import Field, Form, FormErrors, Option, Values
from guidance_bot.i18n import Lang, parse_lang
from guidance_bot.replies import Action, Reply, render_text

from . import texts as t

Block = dict[str, Any]

log = logging.getLogger(__name__)

# Slack's limits (https://api.slack.com/reference/block-kit)
SECTION_MAX = 3000
HEADER_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
ACTIONS_MAX = 25
MESSAGE_BLOCKS_MAX = 50
MODAL_TITLE_MAX = 24
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
METADATA_MAX = 3000
CHECKBOXES_MAX = 10
SELECT_MAX = 100
FALLBACK_MAX = 3000
QUESTION_IN_BUTTON_MAX = 1500

OPEN_FORM = "open_form"  # the adapter's own button: opens a form a text command asked for


# -- text helpers ---------------------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack mrkdwn control characters; knowledge text is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text or " ", limit), "emoji": True}


def _chunks(text: str, limit: int = SECTION_MAX) -> list[str]:
    """Split at line ends where possible, so long answers stay within a section's limit."""
    out: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        out.append(text)
    return out


def _sections(mrkdwn: str, block_id: str | None = None) -> list[Block]:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in _chunks(mrkdwn)]
    if block_id and blocks:
        blocks[0]["block_id"] = block_id
    return blocks


def _quote(text: str) -> str:
    return "\n".join(f">{line}" for line in escape(text).splitlines() or [""])


# -- button values --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ButtonValue:
    value: str
    lang: Lang
    question: str = ""


def encode_value(value: str, lang: Lang, question: str = "") -> str:
    data: dict[str, str] = {"v": value, "l": lang}
    if question:
        data["q"] = question[:QUESTION_IN_BUTTON_MAX]
    encoded = json.dumps(data, ensure_ascii=False)
    while len(encoded) > BUTTON_VALUE_MAX and data.get("q"):  # JSON escapes can lengthen the question
        data["q"] = data["q"][: len(data["q"]) // 2]
        encoded = json.dumps(data, ensure_ascii=False)
    return encoded


def decode_value(raw: str | None, default_lang: Lang = "ja") -> ButtonValue:
    """A button's value; a value that is not ours (plain text) is taken as it is."""
    raw = raw or ""
    try:
        data = json.loads(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("v", ""), str):
        return ButtonValue(raw, default_lang)
    lang = parse_lang(str(data.get("l", ""))) or default_lang
    question = data.get("q") if isinstance(data.get("q"), str) else ""
    return ButtonValue(data.get("v", ""), lang, question)


def action_name(action_id: str) -> str:
    return action_id.partition(":")[0]


def _button(action: Action, index: int, lang: Lang, question: str = "") -> Block:
    button: Block = {"type": "button", "action_id": f"{action.name}:{index}",
                     "text": _plain(action.label, BUTTON_TEXT_MAX),
                     "value": encode_value(action.value, lang, question if action.name == "consult" else "")}
    if action.name == "consult":
        button["style"] = "primary"
    if action.confirm:
        button["style"] = "danger"
        button["confirm"] = {"title": _plain(m.CONFIRM_TITLE.get(lang), 100),
                             "text": _plain(m.CONFIRM_TEXT.get(lang).format(label=action.label), 300),
                             "confirm": _plain(m.CONFIRM_YES.get(lang), 30),
                             "deny": _plain(m.CONFIRM_NO.get(lang), 30), "style": "danger"}
    return button


def _actions(block_id: str, buttons: Sequence[Block]) -> list[Block]:
    return [{"type": "actions", "block_id": f"{block_id}{'' if i == 0 else i}",
             "elements": list(buttons[i:i + ACTIONS_MAX])} for i in range(0, len(buttons), ACTIONS_MAX)]


# -- replies --------------------------------------------------------------------------------------


def reply_blocks(reply: Reply, question: str = "") -> list[Block]:
    """Block Kit for a reply: the safety alert first, then title, answer, steps, example phrases as
    quotes, contacts, the source as context, topic buttons, the reply's buttons and 👍/👎.
    ``question`` rides on the consult button so the hand-off form can quote it."""
    lang = reply.language
    blocks: list[Block] = []
    if reply.alert:
        blocks += _sections(f":rotating_light: *{escape(m.ALERT_HEADING.get(lang))}*\n*{escape(reply.alert)}*",
                            "alert")
        blocks.append({"type": "divider"})
    if reply.title:
        blocks.append({"type": "header", "block_id": "title", "text": _plain(reply.title, HEADER_MAX)})
    if reply.answer:
        blocks += _sections(escape(reply.answer), "answer")
    if reply.steps:
        lines = [f"*{escape(m.STEPS_HEADING.get(lang))}*"]
        lines += [f"{i}. {escape(step)}" for i, step in enumerate(reply.steps, 1)]
        blocks += _sections("\n".join(lines), "steps")
    if reply.phrases:
        lines = [f"*{escape(m.PHRASES_HEADING.get(lang))}*"]
        for phrase in reply.phrases:
            if phrase.when:
                lines.append(f"_{escape(phrase.when)}_")
            lines.append(_quote(phrase.text))
        blocks += _sections("\n".join(lines), "phrases")
    if reply.contacts:
        lines = [f"*{escape(m.CONTACTS_HEADING.get(lang))}*"]
        for contact in reply.contacts:
            lines.append(f"*{escape(contact.name)}*")
            lines += [f"    {escape(d)}" for d in contact.details]
        blocks += _sections("\n".join(lines), "contacts")
    if reply.source:
        blocks.append({"type": "context", "block_id": "source", "elements": [
            {"type": "mrkdwn", "text": _cut(f"{escape(m.SOURCE_HEADING.get(lang))}: {escape(reply.source)}", 2000)}]})
    index = 0
    if reply.choices:
        blocks += _sections(f"*{escape(reply.choices_heading)}*", "choices_heading")
        buttons = []
        for choice in reply.choices:
            buttons.append(_button(Action("show", choice.label, choice.entry_id), index, lang))
            index += 1
        blocks += _actions("choices", buttons)
    if reply.actions:
        buttons = []
        for action in reply.actions:
            buttons.append(_button(action, index, lang, question))
            index += 1
        blocks += _actions("actions", buttons)
    feedback = feedback_actions(reply)
    if feedback:
        blocks.append({"type": "context", "block_id": "feedback_prompt",
                       "elements": [{"type": "mrkdwn", "text": m.FEEDBACK_PROMPT.get(lang)}]})
        blocks += _actions("feedback", [_button(a, index + i, lang) for i, a in enumerate(feedback)])
    return blocks[:MESSAGE_BLOCKS_MAX]


def fallback_text(reply: Reply) -> str:
    """The message's ``text``: what notifications and screen readers get."""
    return _cut(render_text(reply), FALLBACK_MAX) or " "


def errors_reply(errors: FormErrors) -> Reply:
    """Form errors where no modal is open to show them (should not happen; shown as a message)."""
    form = errors.form
    labels = {f.name: f.label for f in form.fields}
    lines = [t.FORM_ERRORS.get(form.language)]
    lines += [f"• {labels.get(name, name)}: {message}" for name, message in errors.errors.items()]
    return Reply("info", form.language, title=form.title, answer="\n".join(lines), private=True)


def open_form_blocks(form: Form, text: str) -> list[Block]:
    """A message with a button that opens ``form``: for text commands, which have no trigger_id.
    The button carries the text, which is handled again on the click (forms are built, not stored)."""
    lang = form.language
    return [
        {"type": "section", "block_id": "open_form_prompt",
         "text": {"type": "mrkdwn", "text": escape(t.OPEN_FORM_PROMPT.get(lang).format(title=form.title))}},
        {"type": "actions", "block_id": "open_form", "elements": [
            {"type": "button", "action_id": f"{OPEN_FORM}:0", "style": "primary",
             "text": _plain(t.OPEN_FORM_BUTTON.get(lang), BUTTON_TEXT_MAX),
             "value": encode_value(text[:QUESTION_IN_BUTTON_MAX], lang)}]},
    ]


# -- forms ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """What travels in a modal's private_metadata."""

    form_id: str
    lang: Lang
    context: Mapping[str, str] = field(default_factory=dict)
    channel: str = ""


def encode_metadata(meta: Metadata) -> str:
    context = {str(k): str(v) for k, v in meta.context.items()}
    data = {"f": meta.form_id, "l": meta.lang, "c": context, "ch": meta.channel}
    encoded = json.dumps(data, ensure_ascii=False)
    while len(encoded) > METADATA_MAX and context:  # shorten the longest context value
        key = max(context, key=lambda k: len(context[k]))
        context[key] = context[key][: len(context[key]) // 2]
        if not context[key]:
            del context[key]
        encoded = json.dumps(data, ensure_ascii=False)
    return encoded


def decode_metadata(raw: str | None, form_id: str = "") -> Metadata:
    try:
        data = json.loads(raw or "")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return Metadata(form_id, "ja")
    context = data.get("c") if isinstance(data.get("c"), dict) else {}
    return Metadata(str(data.get("f") or form_id), parse_lang(str(data.get("l", ""))) or "ja",
                    {str(k): str(v) for k, v in context.items()}, str(data.get("ch") or ""))


def _option(option: Option) -> Block:
    return {"text": _plain(option.label, OPTION_TEXT_MAX), "value": option.value[:OPTION_VALUE_MAX]}


def _element(f: Field, lang: Lang) -> Block:
    if f.kind in ("text", "textarea"):
        element: Block = {"type": "plain_text_input", "action_id": f.kind, "multiline": f.kind == "textarea"}
        if f.max_length:
            element["max_length"] = min(f.max_length, 3000)
        if isinstance(f.initial, str) and f.initial:
            element["initial_value"] = f.initial
        return element
    if f.kind == "select":
        options = [_option(o) for o in f.options[:SELECT_MAX]]
        element = {"type": "static_select", "action_id": "select", "options": options}
        initial = next((o for o in options if o["value"] == f.initial), None)
        if initial:
            element["initial_option"] = initial
        return element
    if f.kind == "toggle":
        option = {"text": _plain(t.TOGGLE_ON.get(lang), OPTION_TEXT_MAX), "value": "on"}
        element = {"type": "checkboxes", "action_id": "toggle", "options": [option]}
        if f.initial is True:
            element["initial_options"] = [option]
        return element
    # Checkboxes hold at most 10 options; a longer list becomes a multi-select (same values).
    options = [_option(o) for o in f.options[:CHECKBOXES_MAX if len(f.options) <= CHECKBOXES_MAX else SELECT_MAX]]
    kind = "checkboxes" if len(f.options) <= CHECKBOXES_MAX else "multi_static_select"
    element = {"type": kind, "action_id": "checkboxes", "options": options}
    chosen = set(f.initial) if isinstance(f.initial, tuple | list) else {f.initial}
    initial = [o for o in options if o["value"] in chosen]
    if initial:
        element["initial_options"] = initial
    return element


def _inputs(f: Field, lang: Lang) -> list[Block]:
    if f.kind in ("select", "checkboxes") and not f.options:
        # Slack refuses the whole modal for a select without options; a choice of nothing is left out.
        log.warning("form field without options left out", extra={"form_field": f.name})
        return []
    block: Block = {"type": "input", "block_id": f.name, "label": _plain(f.label, 2000),
                    "element": _element(f, lang),
                    # An unticked toggle is an answer ("no"), so a toggle is never required by Slack.
                    "optional": f.kind == "toggle" or not f.required}
    if f.hint:
        block["hint"] = _plain(f.hint, 2000)
    if len(f.options) > SELECT_MAX:
        log.warning("form options cut to Slack's limit", extra={"form_field": f.name, "options": len(f.options)})
    if f.kind == "checkboxes" and any(len(o.label) > OPTION_TEXT_MAX for o in f.options):
        # Option texts stop at 75 characters: the full wording (a self-check item) is listed above.
        full = "\n".join(escape(o.label) for o in f.options)
        return [*_sections(full, f"{f.name}__text"), block]
    return [block]


def form_view(form: Form, channel: str = "") -> Block:
    """A modal for ``form``; ``callback_id`` is the form id."""
    lang = form.language
    blocks: list[Block] = []
    if len(form.title) > MODAL_TITLE_MAX:  # the modal's title bar is short: the whole title on top
        blocks.append({"type": "header", "block_id": "title", "text": _plain(form.title, HEADER_MAX)})
    if form.alert:
        blocks += _sections(f":rotating_light: *{escape(form.alert)}*", "alert")
    if form.intro:
        blocks += _sections(escape(form.intro), "intro")
    blocks += [b for f in form.fields for b in _inputs(f, lang)]
    return {
        "type": "modal",
        "callback_id": form.form_id,
        "title": _plain(form.title, MODAL_TITLE_MAX),
        "submit": _plain(form.submit_label, MODAL_TITLE_MAX),
        "close": _plain(t.CLOSE.get(lang), MODAL_TITLE_MAX),
        "private_metadata": encode_metadata(Metadata(form.form_id, lang, form.context, channel)),
        "blocks": blocks[:100],
    }


def form_values(state: Mapping[str, Any]) -> Values:
    """``view.state.values`` → {field name: value}: text → str, select → str, checkboxes → list, toggle → bool."""
    values: dict[str, str | list[str] | bool] = {}
    for block_id, actions in (state or {}).items():
        if not isinstance(actions, dict):
            continue
        for action_id, data in actions.items():
            if not isinstance(data, dict):
                continue
            values[block_id] = _value(action_id, data)
            break
    return values


def _value(action_id: str, data: Mapping[str, Any]) -> str | list[str] | bool:
    kind = data.get("type")
    if kind in ("checkboxes", "multi_static_select"):
        chosen = [o.get("value", "") for o in data.get("selected_options") or [] if isinstance(o, dict)]
        return bool(chosen) if action_id == "toggle" else chosen
    if "selected_option" in data:
        return ((data.get("selected_option") or {}).get("value")) or ""
    return data.get("value") or ""


def errors_response(errors: FormErrors) -> dict[str, Any]:
    """``response_action: errors`` for a view submission; messages for names that are not inputs
    (a whole-form problem) go next to the first input, since Slack shows errors only there."""
    names = [f.name for f in errors.form.fields]
    shown: dict[str, str] = {}
    for name, message in errors.errors.items():
        target = name if name in names else (names[0] if names else name)
        shown[target] = f"{shown[target]} / {message}" if target in shown else message
    return {"response_action": "errors", "errors": shown}


# -- App Home -------------------------------------------------------------------------------------


def home_view(lang: Lang, *, command: str, bot_user_id: str, examples: Iterable[str],
              consultations: Sequence[str] | None) -> Block:
    """The App Home tab: how to ask, example questions and (when known) the user's own requests."""
    blocks: list[Block] = [
        {"type": "header", "block_id": "title", "text": _plain(t.HOME_TITLE.get(lang), HEADER_MAX)},
        *_sections(t.HOME_HOW_TO.get(lang).format(command=command, bot=bot_user_id), "how_to"),
    ]
    examples = [f"• {escape(q)}" for q in examples]
    if examples:
        blocks += [{"type": "divider"},
                   *_sections(f"*{t.HOME_EXAMPLES.get(lang)}*\n" + "\n".join(examples), "examples")]
    if consultations is not None:
        lines = [f"• {escape(line)}" for line in consultations] or [t.HOME_NO_CONSULTATIONS.get(lang)]
        blocks += [{"type": "divider"},
                   *_sections(f"*{t.HOME_CONSULTATIONS.get(lang)}*\n" + "\n".join(lines), "consultations")]
    return {"type": "home", "blocks": blocks[:100]}
