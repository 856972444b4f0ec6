"""The consultation request form: its fields, and validation of what comes back.

Option values are stable identifiers (stored, exported, used by the CLI); labels follow the form's
language. The context travels with the form: where it was opened (channel, privacy), and the
question and entry the bot had just shown, stored only when the requester ticks ``attach``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..forms import Field, Form, FormErrors, Option, Values, flag_value, text_value
from ..i18n import Lang
from . import messages as m

FORM_ID = "consult"
SUMMARY_MAX = 2000
SHORT_MAX = 200  # department, preferred contact
CONTEXT_QUESTION_MAX = 1000  # the context rides in Slack's private_metadata (3000 characters)

CATEGORIES = tuple(m.CATEGORIES)
URGENCIES = tuple(m.URGENCIES)
STATUSES = tuple(m.STATUSES)
WHISTLEBLOWING = "whistleblowing"
DANGER_NOW = "danger_now"


@dataclass(frozen=True, slots=True)
class Request:
    """A validated request, before it is stored."""

    category: str
    summary: str
    urgency: str
    language: Lang
    department: str = ""
    contact: str = ""
    share_name: bool = True
    question: str = ""  # attached only when the requester opted in
    entry_id: str = ""

    @property
    def show_name(self) -> bool:
        # Whistleblowing: the name only with consent. Other categories: always shown.
        return self.share_name if self.category == WHISTLEBLOWING else True


def context_for(*, channel: str = "", private: bool = True, entry_id: str = "", question: str = "",
                origin: str = "") -> dict[str, str]:
    context = {"channel": channel, "private": "1" if private else "0"}
    if entry_id:
        context["entry"] = entry_id
    if question:
        context["question"] = question[:CONTEXT_QUESTION_MAX]
    if origin:
        context["origin"] = origin
    return context


def build_form(lang: Lang, context: Mapping[str, str], *, entry_title: str = "",
               values: Values | None = None) -> Form:
    """The form, optionally refilled with submitted ``values`` (shown again with errors)."""
    values = values or {}
    fields = [
        Field("category", m.FIELD_CATEGORY.get(lang), "select", required=True,
              options=_options(m.CATEGORIES, lang), initial=text_value(values.get("category")) or None),
        Field("summary", m.FIELD_SUMMARY.get(lang), "textarea", required=True, max_length=SUMMARY_MAX,
              initial=text_value(values.get("summary")) or None,
              hint=m.FIELD_SUMMARY_HINT.get(lang).format(max=SUMMARY_MAX)),
        Field("urgency", m.FIELD_URGENCY.get(lang), "select", required=True,
              options=_options(m.URGENCIES, lang), initial=text_value(values.get("urgency")) or None),
        Field("department", m.FIELD_DEPARTMENT.get(lang), "text", max_length=SHORT_MAX,
              initial=text_value(values.get("department")) or None),
        Field("contact", m.FIELD_CONTACT.get(lang), "text", max_length=SHORT_MAX,
              initial=text_value(values.get("contact")) or None, hint=m.FIELD_CONTACT_HINT.get(lang)),
    ]
    if context.get("entry") or context.get("question"):
        fields.append(Field("attach", m.FIELD_ATTACH.get(lang), "toggle", initial=flag_value(values.get("attach")),
                            hint=m.FIELD_ATTACH_HINT.get(lang).format(title=entry_title) if entry_title else ""))
    fields.append(Field("share_name", m.FIELD_SHARE_NAME.get(lang), "toggle",
                        initial=flag_value(values.get("share_name")), hint=m.FIELD_SHARE_NAME_HINT.get(lang)))
    intro = m.FORM_INTRO.get(lang)
    if context.get("private") == "0":
        intro += "\n" + m.FORM_CONTINUES_PRIVATELY.get(lang)
    return Form(FORM_ID, lang, m.FORM_TITLE.get(lang), m.FORM_SUBMIT.get(lang), tuple(fields), intro=intro,
                alert=m.FORM_ALERT.get(lang), context=dict(context))


def validate(values: Values, lang: Lang, context: Mapping[str, str], *,
             entry_title: str = "") -> Request | FormErrors:
    errors: dict[str, str] = {}
    category = text_value(values.get("category"))
    urgency = text_value(values.get("urgency"))
    summary = text_value(values.get("summary")).strip()
    if not category:
        errors["category"] = m.ERROR_REQUIRED.get(lang).format(label=m.FIELD_CATEGORY.get(lang))
    elif category not in CATEGORIES:
        errors["category"] = m.ERROR_UNKNOWN_CHOICE.get(lang)
    if not urgency:
        errors["urgency"] = m.ERROR_REQUIRED.get(lang).format(label=m.FIELD_URGENCY.get(lang))
    elif urgency not in URGENCIES:
        errors["urgency"] = m.ERROR_UNKNOWN_CHOICE.get(lang)
    summary_error = check_summary(summary, lang)
    if summary_error:
        errors["summary"] = summary_error
    short = {name: text_value(values.get(name)).strip() for name in ("department", "contact")}
    for name, text in short.items():
        if len(text) > SHORT_MAX:
            errors[name] = m.ERROR_TOO_LONG.get(lang).format(max=SHORT_MAX, length=len(text))
    if errors:
        return FormErrors(build_form(lang, context, entry_title=entry_title, values=values), errors)
    attach = flag_value(values.get("attach"))
    return Request(category=category, summary=summary, urgency=urgency, language=lang,
                   department=short["department"], contact=short["contact"],
                   share_name=flag_value(values.get("share_name")),
                   question=context.get("question", "") if attach else "",
                   entry_id=context.get("entry", "") if attach else "")


def check_summary(summary: str, lang: Lang) -> str:
    """The error message for a summary, or "" when it is fine (also used by the CLI)."""
    if not summary:
        return m.ERROR_SUMMARY_EMPTY.get(lang)
    if len(summary) > SUMMARY_MAX:
        return m.ERROR_TOO_LONG.get(lang).format(max=SUMMARY_MAX, length=len(summary))
    return ""


def _options(texts, lang: Lang) -> tuple[Option, ...]:
    return tuple(Option(value, text.get(lang)) for value, text in texts.items())
