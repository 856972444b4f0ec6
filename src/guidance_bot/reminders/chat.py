"""Reminders and the self-check in chat: the commands, buttons and forms the bot knows.

Commands (``Bot.handle``):
  ``remind``                     managers: the reminder form (``Form`` id ``remind``)
  ``remind SCHEDULE | CONTENT``  managers: create at once; CONTENT is text, ``entry:ID``, ``tag:TAG``
                                 or ``checklist``
  ``reminders``                  managers: this channel's reminders (in a direct message: your own);
                                 ``reminders all`` (compliance office); ``reminders pause|resume|delete ID``
  ``checklist`` (チェックリスト, セルフチェック)  everyone: the self-check form (``Form`` id ``checklist``)
Buttons (``Bot.act``): ``reminder_pause`` / ``reminder_resume`` / ``reminder_delete`` (value: the id),
``checklist`` (opens the self-check form).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..answering import Answerer
from ..bot import ActionEvent, Bot, Message, Response, Submission
from ..clock import Clock
from ..config import Settings
from ..forms import Field, Form, FormErrors, Option, flag_value, text_value
from ..i18n import Lang
from ..platforms import Destination, Person, Roles
from ..replies import Action, Reply
from ..store import Database
from . import messages as m
from .checklist import FORM_ID as CHECKLIST_FORM, checklist_form, record_completion, result_reply, ticked_numbers
from .content import CONTENT_KINDS, MAX_TEXT, check_content, rotation_tags
from .schedule import ACCEPTED, ScheduleError, parse_schedule
from .store import Actor, NewReminder, Reminder, ReminderError, ReminderStore
from .views import confirmation, list_line, next_times_lines

REMIND_FORM = "remind"
MAX_LISTED = 12  # two buttons each: stays within Slack's 25 elements per actions block
_TEAMS_THREAD = ";messageid="
_SEPARATOR = re.compile(r"\s*[|｜]\s*")
_CHANGE_WORDS = {"pause": "pause", "一時停止": "pause", "停止": "pause", "resume": "resume", "再開": "resume",
                 "delete": "delete", "削除": "delete"}


class ReminderChat:
    def __init__(self, store: ReminderStore, db: Database, clock: Clock, answerer: Answerer, settings: Settings,
                 roles: Roles) -> None:
        self.store = store
        self._db = db
        self._clock = clock
        self._answerer = answerer
        self._settings = settings
        self._roles = roles

    def register(self, bot: Bot) -> None:
        bot.register_command("remind", ("remind", "リマインダー作成", "リマインド"), self.remind, m.HELP_REMIND,
                             role="manager")
        bot.register_command("reminders", ("reminders", "リマインダー", "リマインダー一覧"), self.reminders,
                             m.HELP_REMINDERS, role="manager")
        bot.register_command("checklist", ("checklist", "チェックリスト", "セルフチェック", "self-check"),
                             self.checklist, m.HELP_CHECKLIST)
        bot.register_phrase(r"^(コンプライアンス)?(セルフチェック|チェック(シート|リスト))を?(したい|やりたい|始め|受け)",
                            "checklist")
        bot.register_phrase(r"^(start|do|take|open) (the |a |my )?(compliance )?self[- ]?check", "checklist")
        bot.register_action("reminder_pause", self.on_change)
        bot.register_action("reminder_resume", self.on_change)
        bot.register_action("reminder_delete", self.on_change)
        bot.register_action("checklist", self.on_checklist)
        bot.register_form(REMIND_FORM, self.submit_remind)
        bot.register_form(CHECKLIST_FORM, self.submit_checklist)

    # -- creating ------------------------------------------------------------------------------------

    async def remind(self, message: Message, args: str, lang: Lang) -> Response:
        if not args:
            return self.remind_form(message.person, message.channel, lang)
        if not _SEPARATOR.search(args):
            return self.remind_form(message.person, message.channel, lang, schedule=args)
        schedule_text, content = _SEPARATOR.split(args, maxsplit=1)
        kind, value = _content_from_text(content)
        values = {"schedule": schedule_text, "kind": kind, kind: value, "language": lang,
                  "skip_holidays": self._settings.reminder_skip_holidays}
        result = await self._create(message.person, message.channel, values, lang, key="")
        if isinstance(result, dict):
            text = "\n".join(result.values())
            return Reply("info", lang, answer=f"{text}\n\n{m.REMIND_USAGE.get(lang)}", private=True)
        return result

    def remind_form(self, person: Person, channel: str, lang: Lang, schedule: str = "") -> Form:
        knowledge = self._answerer.knowledge
        entries = tuple(Option(e.id, e.title.get(lang)) for e in sorted(knowledge.entries.values(),
                                                                         key=lambda e: e.id)[:100])
        tags = tuple(Option(t, f"{t} ({n})") for t, n in rotation_tags(knowledge))
        # A choice with nothing to choose is left out: Slack refuses a select without options.
        offered = {"text": True, "entry": bool(entries), "tag": bool(tags), "checklist": knowledge.checklist is not None}
        kinds = {"text": m.KIND_TEXT, "entry": m.KIND_ENTRY, "tag": m.KIND_TAG, "checklist": m.KIND_CHECKLIST}
        fields = (
            Field("schedule", m.FIELD_SCHEDULE.get(lang), required=True, max_length=200, initial=schedule or None,
                  hint=m.FIELD_SCHEDULE_HINT.get(lang)),
            Field("kind", m.FIELD_KIND.get(lang), kind="select", required=True, initial="text",
                  options=tuple(Option(k, kinds[k].get(lang)) for k in CONTENT_KINDS if offered[k])),
            Field("text", m.FIELD_TEXT.get(lang), kind="textarea", max_length=MAX_TEXT),
            *([Field("entry", m.FIELD_ENTRY.get(lang), kind="select", options=entries)] if entries else []),
            *([Field("tag", m.FIELD_TAG.get(lang), kind="select", options=tags)] if tags else []),
            Field("language", m.FIELD_LANGUAGE.get(lang), kind="select", required=True, initial=lang,
                  options=(Option("ja", m.LANG_JA.get(lang)), Option("en", m.LANG_EN.get(lang)))),
            Field("skip_holidays", m.FIELD_SKIP_HOLIDAYS.get(lang), kind="toggle",
                  initial=self._settings.reminder_skip_holidays),
        )
        return Form(REMIND_FORM, lang, m.FORM_TITLE.get(lang), m.FORM_SUBMIT.get(lang), fields,
                    intro=m.FORM_INTRO.get(lang), context={"channel": channel, "platform": str(person.platform)})

    async def submit_remind(self, submission: Submission) -> Reply | FormErrors:
        lang = submission.lang
        if not self._roles.is_manager(submission.person):
            return Bot.refused(lang)
        channel = submission.context.get("channel") or submission.channel
        result = await self._create(submission.person, channel, submission.values, lang, key=submission.key)
        if isinstance(result, dict):
            form = self.remind_form(submission.person, channel, lang)
            return FormErrors(form, result)
        return result

    async def _create(self, person: Person, channel: str, values: Mapping, lang: Lang,
                      key: str) -> Reply | dict[str, str]:
        """The confirmation Reply, or error messages by field name."""
        if not channel:
            return Reply("info", lang, answer=m.ERR_NO_CHANNEL.get(lang), private=True)
        errors: dict[str, str] = {}
        skip = flag_value(values.get("skip_holidays"), self._settings.reminder_skip_holidays)
        schedule = None
        try:
            schedule = parse_schedule(text_value(values.get("schedule")), tz=self._settings.timezone,
                                      now=self._clock.now(), skip_holidays=skip)
        except ScheduleError as exc:
            text = exc.text.get(lang)
            errors["schedule"] = text if ACCEPTED.get(lang) in text else f"{text}\n{ACCEPTED.get(lang)}"
        kind = text_value(values.get("kind")) or "text"
        content = "" if kind == "checklist" else text_value(values.get(kind)).strip()
        reason = check_content(kind, content, self._answerer.knowledge)
        if reason is not None:
            errors[kind if kind in ("text", "entry", "tag") else "kind"] = reason.get(lang)
        language = text_value(values.get("language")) or lang
        if errors or schedule is None:
            return errors
        destination = channel_destination(person, channel)
        source_key = f"form:{person.platform}:{key}"[:200] if key else None
        reminder, _ = await self.store.add(NewReminder(
            owner=person.key, destination=destination, schedule=schedule, content_kind=kind, content=content,
            language=language if language in ("ja", "en") else lang, source_key=source_key))
        title, body = confirmation(reminder, self._answerer.knowledge, self._clock.now(), lang)
        return Reply("info", lang, title=title, answer=body, private=True,
                     actions=_buttons(reminder, lang, with_resume=False))

    # -- listing and changing ------------------------------------------------------------------------

    async def reminders(self, message: Message, args: str, lang: Lang) -> Reply:
        person = message.person
        words = args.split()
        if len(words) == 2 and words[0].lower() in _CHANGE_WORDS:
            return await self._change(person, _CHANGE_WORDS[words[0].lower()], words[1].lstrip("#"), lang)
        if words == ["all"] or words == ["すべて"] or words == ["全部"]:
            if not self._roles.is_compliance_office(person):
                return Bot.refused(lang)
            title, found = m.LIST_TITLE_ALL, await self.store.list()
        elif words:
            return Reply("info", lang, answer=m.REMINDERS_USAGE.get(lang), private=True)
        elif message.in_direct_chat or not message.channel:
            title, found = m.LIST_TITLE_MINE, await self.store.list(owner=person.key)
        else:
            dest = channel_destination(person, message.channel)
            title, found = m.LIST_TITLE_CHANNEL, await self.store.list(destination=dest)
        return self._listing(person, title.get(lang), found, lang)

    def _listing(self, person: Person, title: str, found: list[Reminder], lang: Lang) -> Reply:
        if not found:
            return Reply("info", lang, title=title, answer=m.LIST_EMPTY.get(lang), private=True)
        knowledge = self._answerer.knowledge
        shown = found[:MAX_LISTED]
        lines = [list_line(r, knowledge, lang) for r in shown]
        if len(found) > len(shown):
            lines.append(m.LIST_MORE.format(count=len(found) - len(shown)).get(lang))
        actor = Actor.of(person, self._roles)
        actions = tuple(a for r in shown if actor.may_change(r) for a in _buttons(r, lang))
        return Reply("info", lang, title=title, answer="\n".join(lines), actions=actions, private=True)

    async def on_change(self, event: ActionEvent) -> Reply:
        what = event.name.removeprefix("reminder_")
        return await self._change(event.person, what, event.value, event.lang)

    async def _change(self, person: Person, what: str, value: str, lang: Lang) -> Reply:
        actor = Actor.of(person, self._roles)
        if not actor.manager:
            return Bot.refused(lang)
        if not value.isdigit():
            return Reply("info", lang, answer=m.REMINDERS_USAGE.get(lang), private=True)
        reminder_id = int(value)
        try:
            if what == "pause":
                await self.store.pause(reminder_id, actor)
                text = m.PAUSED_OK.format(id=reminder_id).get(lang)
            elif what == "resume":
                reminder = await self.store.resume(reminder_id, actor)
                nxt = "\n".join(next_times_lines(reminder.parsed_schedule(), self._clock.now(), lang, n=1))
                text = m.RESUMED_OK.format(id=reminder_id, next=nxt).get(lang)
            else:
                await self.store.delete(reminder_id, actor)
                text = m.DELETED_OK.format(id=reminder_id).get(lang)
        except ReminderError as exc:
            text = exc.text.get(lang)
        return Reply("info", lang, answer=text, private=True)

    # -- the self-check ------------------------------------------------------------------------------

    async def checklist(self, message: Message, _args: str, lang: Lang) -> Response:
        return self._checklist_form(lang)

    async def on_checklist(self, event: ActionEvent) -> Response:
        return self._checklist_form(event.lang)

    def _checklist_form(self, lang: Lang) -> Response:
        checklist = self._answerer.knowledge.checklist
        if checklist is None:
            return Reply("info", lang, answer=m.CHECKLIST_UNAVAILABLE.get(lang), private=True)
        return checklist_form(checklist, lang)

    async def submit_checklist(self, submission: Submission) -> Reply:
        lang = submission.lang
        knowledge = self._answerer.knowledge
        checklist = knowledge.checklist
        if checklist is None:
            return Reply("info", lang, answer=m.CHECKLIST_UNAVAILABLE.get(lang), private=True)
        ticked = ticked_numbers(checklist, submission.values)
        await record_completion(self._db, self._clock, self._settings.timezone, submission, len(ticked),
                                len(checklist.items))
        return result_reply(knowledge, checklist, ticked, lang)


def channel_destination(person: Person, conversation: str) -> Destination:
    """Where a reminder made (or listed) in this conversation goes. A Teams channel thread's id is the
    channel's id plus ``;messageid=N``: the reminder belongs to the channel, not to that thread."""
    if person.platform == "teams":
        conversation = conversation.split(_TEAMS_THREAD, 1)[0]
    return Destination(person.platform, conversation)  # type: ignore[arg-type]


def _buttons(reminder: Reminder, lang: Lang, *, with_resume: bool = True) -> tuple[Action, ...]:
    rid = str(reminder.id)
    toggle = (Action("reminder_resume", m.ACTION_RESUME.format(id=rid).get(lang), rid)
              if reminder.paused and with_resume else
              Action("reminder_pause", m.ACTION_PAUSE.format(id=rid).get(lang), rid))
    if reminder.declared:
        return (toggle,)
    return (toggle, Action("reminder_delete", m.ACTION_DELETE.format(id=rid).get(lang), rid, confirm=True))


def _content_from_text(text: str) -> tuple[str, str]:
    """``entry:ID``, ``tag:TAG``, ``checklist`` (or チェックリスト / セルフチェック), else free text."""
    stripped = text.strip()
    head, _, rest = stripped.partition(":")
    if head.lower() in ("entry", "tag") and rest.strip() and " " not in rest.strip():
        return head.lower(), rest.strip()
    if stripped.lower() in ("checklist", "self-check", "チェックリスト", "セルフチェック"):
        return "checklist", ""
    return "text", stripped


