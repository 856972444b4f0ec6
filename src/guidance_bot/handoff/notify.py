"""The replies of the hand-off: the office notification (with its status buttons), the requester's
confirmation, the status message to the requester, and a request shown on demand.

The office notification is written in Japanese with English alongside (any office member may read
it); the requester's messages follow the language of their request.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from ..answering import contact_line
from ..i18n import Lang, Text
from ..knowledge import Contact
from ..replies import Action, Reply
from . import messages as m
from .form import DANGER_NOW, WHISTLEBLOWING

if TYPE_CHECKING:
    from .service import Consultation, StatusChange

Local = Callable[[datetime], datetime]
STATUS_ACTION = "consult_status"
CONFIRMATION_CONTACTS = ("legal-consultation", "compliance-office")


def status_actions(ref: str) -> tuple[Action, ...]:
    """The office's buttons: value ``REF:status`` comes back to the ``consult_status`` action."""
    return tuple(Action(STATUS_ACTION, _both(text), f"{ref}:{status}") for status, text in m.STATUSES.items())


def office_notification(c: Consultation, entry_title: Callable[[str, Lang], str], local: Local) -> Reply:
    title = m.OFFICE_WHISTLEBLOWING_TITLE if c.category == WHISTLEBLOWING else m.OFFICE_TITLE
    lines = [
        f"{_both(m.OFFICE_RECEIVED_AT)}: {_time(c.created_at, local)}",
        f"{_both(m.LABEL_CATEGORY)}: {_both(m.CATEGORIES[c.category])}",
        f"{_both(m.LABEL_URGENCY)}: {_both(m.URGENCIES[c.urgency])}",
        f"{_both(m.OFFICE_REQUESTER)}: {_requester(c, for_office=True)}",
        f"{_both(m.LABEL_DEPARTMENT)}: {c.department or _both(m.OFFICE_NOT_GIVEN)}",
        f"{_both(m.LABEL_CONTACT)}: {c.contact or _both(m.OFFICE_NOT_GIVEN)}",
        "",
        f"{_both(m.LABEL_SUMMARY)}:",
        c.summary,
    ]
    if c.attached_question:
        lines += ["", f"{_both(m.OFFICE_ATTACHED_QUESTION)}:", c.attached_question]
    if c.attached_entry:
        titled = entry_title(c.attached_entry, "ja")
        lines += ["", f"{_both(m.OFFICE_ATTACHED_ENTRY)}: {c.attached_entry}" + (f"（{titled}）" if titled else "")]
    lines += ["", _both(m.OFFICE_STATUS_HINT)]
    return Reply("info", "ja", title=_both(title.format(ref=c.ref)),
                 alert=_both(m.OFFICE_DANGER) if c.urgency == DANGER_NOW else "",
                 answer="\n".join(lines), actions=status_actions(c.ref))


def confirmation(c: Consultation, lang: Lang, contacts: Mapping[str, Contact]) -> Reply:
    """What the requester sees once the request is stored: safety first when in danger, the
    reference number, what happens next, and the whistleblowing protection."""
    danger = c.urgency == DANGER_NOW
    whistleblowing = c.category == WHISTLEBLOWING
    answer = [m.ACCEPTED.get(lang).format(ref=c.ref)]
    if whistleblowing:
        answer += ["", m.WHISTLEBLOWING_PROTECTION.get(lang),
                   (m.WHISTLEBLOWING_NAME_SHARED if c.show_name else m.WHISTLEBLOWING_NAME_HIDDEN).get(lang)]
    steps = [s.get(lang) for s in m.SAFETY_STEPS] if danger else []
    steps.append(m.NEXT_OFFICE_CONTACTS.get(lang).format(contact=c.contact) if c.contact
                 else m.NEXT_OFFICE_CONTACTS_DEFAULT.get(lang))
    steps.append(m.NEXT_STATUS_DM.get(lang))
    keys = CONFIRMATION_CONTACTS
    if whistleblowing:
        keys = ("compliance-office",)  # the lawyer's e-application route is not the reporting route
    else:
        steps.append(m.NEXT_FORMAL.get(lang))
    return Reply("info", lang, title=m.ACCEPTED_TITLE.get(lang).format(ref=c.ref),
                 alert=m.SAFETY_ALERT.get(lang) if danger else "", answer="\n".join(answer), steps=tuple(steps),
                 contacts=tuple(contact_line(contacts[k], lang) for k in keys if k in contacts), private=True)


def status_dm(c: Consultation, who: str, local: Local) -> Reply:
    lang = c.language
    status = m.STATUSES[c.status].get(lang)
    when = _time(c.status_at or c.created_at, local)
    return Reply("info", lang, title=m.STATUS_DM_TITLE.get(lang).format(ref=c.ref, status=status),
                 answer=m.STATUS_DM.get(lang).format(who=who, when=when, status=status), private=True)


def status_reply(change: StatusChange, who: str, local: Local) -> Reply:
    """For the office member who clicked: the new status with who and when, no contents (it may be
    shown to the whole office channel), and the buttons again."""
    c = change.consultation
    status = _both(m.STATUSES[c.status])
    if change.changed:
        text = Text(m.STATUS_CHANGED.ja.format(ref=c.ref, status=m.STATUSES[c.status].ja, who=who,
                                               when=_time(c.status_at, local)),
                    m.STATUS_CHANGED.en.format(ref=c.ref, status=m.STATUSES[c.status].en, who=who,
                                               when=_time(c.status_at, local)))
    else:
        text = m.STATUS_UNCHANGED.format(ref=c.ref, status=status)
    return Reply("info", "ja", answer=_both(text, sep="\n"), actions=status_actions(c.ref))


def show_reply(c: Consultation, lang: Lang, *, for_office: bool, local: Local) -> Reply:
    """One request in full, for its requester or the office; always private."""
    lines = [
        f"{m.LABEL_STATUS.get(lang)}: {m.STATUSES[c.status].get(lang)}"
        + (f"（{c.status_by}、{_time(c.status_at, local)}）" if c.status_at else ""),
        f"{m.OFFICE_RECEIVED_AT.get(lang)}: {_time(c.created_at, local)}",
        f"{m.LABEL_CATEGORY.get(lang)}: {m.CATEGORIES[c.category].get(lang)}",
        f"{m.LABEL_URGENCY.get(lang)}: {m.URGENCIES[c.urgency].get(lang)}",
        f"{m.OFFICE_REQUESTER.get(lang)}: {_requester(c, for_office=for_office, lang=lang)}",
        f"{m.LABEL_DEPARTMENT.get(lang)}: {c.department or m.OFFICE_NOT_GIVEN.get(lang)}",
        f"{m.LABEL_CONTACT.get(lang)}: {c.contact or m.OFFICE_NOT_GIVEN.get(lang)}",
        "", f"{m.LABEL_SUMMARY.get(lang)}:", c.summary,
    ]
    if c.attached_question:
        lines += ["", f"{m.OFFICE_ATTACHED_QUESTION.get(lang)}:", c.attached_question]
    if c.attached_entry:
        lines += ["", f"{m.OFFICE_ATTACHED_ENTRY.get(lang)}: {c.attached_entry}"]
    return Reply("info", lang, title=m.SHOW_TITLE.get(lang).format(ref=c.ref), answer="\n".join(lines),
                 actions=status_actions(c.ref) if for_office else (), private=True)


def _requester(c: Consultation, *, for_office: bool, lang: Lang | None = None) -> str:
    if for_office and not c.show_name:
        return m.OFFICE_NAME_HIDDEN.get(lang) if lang else _both(m.OFFICE_NAME_HIDDEN)
    return f"{c.requester_name} ({c.requester_key})" if c.requester_name else c.requester_key


def _time(when: datetime | None, local: Local) -> str:
    return local(when).strftime("%Y-%m-%d %H:%M") if when else ""


def _both(text: Text, sep: str = " / ") -> str:
    return f"{text.ja}{sep}{text.en}"

