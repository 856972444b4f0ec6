"""Core replies and forms as Adaptive Cards (v1.5), and card submissions back into core values.

Pure functions on plain dicts: no SDK import, so the rendering is unit-tested on its own. The card
shows the same contents, in the same order, as the Slack message: the safety alert first, then the
title, answer, steps, example phrases, contacts, source, "did you mean" / related buttons, the
reply's own buttons (consult) and, under "was this answer helpful?", 👍/👎.

Buttons are ``Action.Submit`` whose data comes back as the message activity's ``value``:
``{"action": name, "value": value, "lang": lang}`` for a core ``Action``, and
``{"form": form_id, "lang": lang, "context": {...}, "kinds": {field: kind}, <input id>: <value>, ...}``
for a form (the kinds say how to read the inputs back: the core keeps no copy of a form it sent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guidance_bot import messages as core_m
from guidance_bot.bot import feedback_actions
from guidance_bot.forms import Field, Form, FormErrors, Values
from guidance_bot import messages as core_messages
from guidance_bot.i18n import Lang
from guidance_bot.replies import Action, Reply

from . import messages as m

CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
# Keys of a form card's submit data; field names must not use them.
FORM_KEY, LANG_KEY, CONTEXT_KEY, KINDS_KEY = "form", "lang", "context", "kinds"
QUESTION_KEY = "q"  # on the consult button: the question the answer replied to
QUESTION_MAX = 500

Card = dict[str, Any]


def attachment(card: Card) -> dict[str, Any]:
    return {"contentType": CONTENT_TYPE, "content": card}


def _card(body: list[dict[str, Any]], actions: list[dict[str, Any]], lang: Lang) -> Card:
    card: Card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "lang": lang, "body": body,
                  "msteams": {"width": "Full"}}
    if actions:
        card["actions"] = actions
    return card


def _text(text: str, **props: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def _heading(text: str) -> dict[str, Any]:
    return _text(text, weight="Bolder", spacing="Medium")


def _alert(heading: str, text: str) -> dict[str, Any]:
    return {"type": "Container", "style": "attention", "bleed": True, "items": [
        _text(f"⚠ {heading}", weight="Bolder", color="Attention"),
        _text(text, weight="Bolder"),
    ]}


def submit(title: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": dict(data)}


def action_button(action: Action, lang: Lang, question: str = "") -> dict[str, Any]:
    data = {"action": action.name, "value": action.value, LANG_KEY: lang}
    if question and action.name == "consult":  # the hand-off form offers to attach the question
        data[QUESTION_KEY] = question[:QUESTION_MAX]
    if action.confirm:  # cannot be undone: the button opens the question, the real submit is inside
        return {"type": "Action.ShowCard", "title": action.label, "card": {
            "type": "AdaptiveCard", "body": [_text(core_messages.CONFIRM_TEXT.get(lang).format(label=action.label))],
            "actions": [submit(core_messages.CONFIRM_YES.get(lang), data)]}}
    return submit(action.label, data)


# -- replies ---------------------------------------------------------------------------------------

def reply_card(reply: Reply, question: str = "") -> Card:
    lang = reply.language
    body: list[dict[str, Any]] = []
    if reply.alert:
        body.append(_alert(core_m.ALERT_HEADING.get(lang), reply.alert))
    if reply.title:
        body.append(_text(reply.title, size="Medium", weight="Bolder"))
    if reply.answer:
        body.append(_text(reply.answer))
    if reply.steps:
        body.append(_heading(core_m.STEPS_HEADING.get(lang)))
        # One block per step: a numbered list in one markdown block would renumber oddly in Teams.
        body += [_text(f"{i}. {step}", spacing="Small") for i, step in enumerate(reply.steps, 1)]
    if reply.phrases:
        body.append(_heading(core_m.PHRASES_HEADING.get(lang)))
        for phrase in reply.phrases:
            items = [_text(phrase.when, isSubtle=True, size="Small")] if phrase.when else []
            quoted = f"「{phrase.text}」" if lang == "ja" else f"“{phrase.text}”"
            items.append(_text(quoted, italic=True))
            body.append({"type": "Container", "style": "emphasis", "items": items, "spacing": "Small"})
    if reply.contacts:
        body.append(_heading(core_m.CONTACTS_HEADING.get(lang)))
        for contact in reply.contacts:
            body.append(_text(contact.name, weight="Bolder", spacing="Small"))
            body += [_text(detail, spacing="None") for detail in contact.details]
    if reply.source:
        body.append(_text(f"{core_m.SOURCE_HEADING.get(lang)}: {reply.source}", isSubtle=True, size="Small",
                          spacing="Medium"))
    if reply.choices:
        body.append(_heading(reply.choices_heading))
        body.append({"type": "ActionSet", "actions": [
            submit(choice.label, {"action": "show", "value": choice.entry_id, LANG_KEY: lang})
            for choice in reply.choices]})
    buttons = [action_button(a, lang, question) for a in reply.actions]
    feedback = feedback_actions(reply)
    if not feedback:
        return _card(body, buttons, lang)
    # As in Slack: the reply's buttons (consult), then the question, then 👍/👎 at the bottom.
    if buttons:
        body.append({"type": "ActionSet", "actions": buttons})
    body.append(_text(core_messages.FEEDBACK_PROMPT.get(lang), isSubtle=True, size="Small", spacing="Medium"))
    return _card(body, [action_button(a, lang) for a in feedback], lang)


# -- forms -----------------------------------------------------------------------------------------

def form_card(form: Form, errors: Mapping[str, str] | None = None) -> Card:
    """The form with its inputs; with ``errors``, each message in red under its field."""
    lang = form.language
    errors = errors or {}
    body: list[dict[str, Any]] = [_text(form.title, size="Medium", weight="Bolder")]
    if form.alert:
        body.append(_alert(core_m.ALERT_HEADING.get(lang), form.alert))
    if form.intro:
        body.append(_text(form.intro))
    names = {f.name for f in form.fields}
    body += [_text(message, color="Attention", weight="Bolder")
             for name, message in errors.items() if name not in names]
    for field in form.fields:
        body += _field(field, lang)
        if field.hint:
            body.append(_text(field.hint, isSubtle=True, size="Small", spacing="None"))
        if field.name in errors:
            body.append(_text(errors[field.name], color="Attention", spacing="None"))
    data = {FORM_KEY: form.form_id, LANG_KEY: lang, CONTEXT_KEY: dict(form.context),
            KINDS_KEY: {f.name: f.kind for f in form.fields}}
    return _card(body, [submit(form.submit_label, data)], lang)


def errors_card(errors: FormErrors) -> Card:
    return form_card(errors.form, errors.errors)


def _field(field: Field, lang: Lang) -> list[dict[str, Any]]:
    required = {"isRequired": True, "errorMessage": m.REQUIRED.get(lang)} if field.required else {}
    initial = field.initial
    if field.kind in ("text", "textarea"):
        element: dict[str, Any] = {"type": "Input.Text", "id": field.name, "label": field.label, **required}
        if field.kind == "textarea":
            element["isMultiline"] = True
        if field.max_length:
            element["maxLength"] = field.max_length
            if not required:
                element["errorMessage"] = m.TOO_LONG.get(lang).format(max=field.max_length)
        if isinstance(initial, str) and initial:
            element["value"] = initial
        return [element]
    if field.kind == "select":
        element = {"type": "Input.ChoiceSet", "id": field.name, "label": field.label, "style": "compact",
                   "choices": [{"title": o.label, "value": o.value} for o in field.options], **required}
        if isinstance(initial, str) and initial:
            element["value"] = initial
        return [element]
    if field.kind == "checkboxes":
        # One toggle per option (a checklist reads better as full-width lines than as a choice set).
        ticked = set(initial) if isinstance(initial, tuple | list) else set()
        blocks: list[dict[str, Any]] = [_text(field.label, weight="Bolder")]
        for i, option in enumerate(field.options):
            blocks.append({"type": "Input.Toggle", "id": option_id(field.name, i), "title": option.label,
                           "valueOn": option.value, "valueOff": "", "wrap": True,
                           "value": option.value if option.value in ticked else ""})
        return blocks
    # toggle
    return [{"type": "Input.Toggle", "id": field.name, "title": field.label, "valueOn": "true",
             "valueOff": "false", "wrap": True, "value": "true" if initial is True else "false"}]


def option_id(name: str, index: int) -> str:
    return f"{name}.{index}"


def form_values(data: Mapping[str, Any]) -> Values:
    """The submitted inputs of a form card as core values, read by the field kinds the card carries."""
    kinds = data.get(KINDS_KEY)
    kinds = kinds if isinstance(kinds, dict) else {}
    values: dict[str, str | list[str] | bool] = {}
    for name, kind in kinds.items():
        if kind == "checkboxes":
            picked = sorted(((int(key.rpartition(".")[2]), raw) for key, raw in data.items()
                             if key.startswith(f"{name}.") and key.rpartition(".")[2].isdigit()))
            values[name] = [str(raw) for _, raw in picked if raw not in ("", None, False)]
        elif kind == "toggle":
            raw = data.get(name)
            values[name] = raw is True or raw == "true"
        else:
            raw = data.get(name)
            values[name] = "" if raw is None or isinstance(raw, dict | list) else str(raw)
    return values
