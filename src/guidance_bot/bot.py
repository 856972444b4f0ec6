"""The conversation: a staff member's message → a reply, a form to fill in, or a command's result.

Platform-neutral: adapters build a ``Message`` (or an ``ActionEvent`` for a button, a ``Submission``
for a form) and render what comes back. Features (consultations, reminders, the self-check) register
their commands, buttons and forms here, so this module knows none of them.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from datetime import timedelta
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from . import messages as m
from .answering import Answerer
from .answerlog import AnswerLog
from .forms import Form, FormErrors, Values
from .i18n import Lang, Text, detect_language
from .knowledge import KnowledgeBase, LiveKnowledge
from .metrics import Metrics
from .misses import format_text, group_misses
from .platforms import Person, Roles
from .replies import Action, Reply
from .smalltalk import small_talk_reply
from .versioning import knowledge_version

log = logging.getLogger(__name__)

Role = Literal["manager", "compliance_office"]
Response = Reply | Form | FormErrors


@dataclass(frozen=True, slots=True)
class Message:
    person: Person
    text: str
    channel: str = ""  # the platform's conversation id
    private: bool = True  # a direct message, or an answer only the asker sees
    # A one-to-one conversation with the bot; None: the same as ``private``. A slash command in a
    # channel is private (only the asker sees the answer) but not direct (it speaks of the channel).
    direct: bool | None = None
    lang: Lang | None = None  # forced reply language (the console's :en / :ja)
    # The language of the user's chat client, when the platform says: used where the text itself
    # says nothing (an English command word such as "consult" typed by a Japanese user).
    locale: Lang | None = None


    @property
    def in_direct_chat(self) -> bool:
        return self.private if self.direct is None else self.direct


@dataclass(frozen=True, slots=True)
class ActionEvent:
    person: Person
    name: str
    value: str
    lang: Lang
    channel: str = ""
    private: bool = True
    # What the adapter knows about where the button was pressed, e.g. ``question``: the question the
    # answer under this button replied to (the consult form offers to attach it).
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Submission:
    person: Person
    form_id: str
    values: Values
    lang: Lang
    context: Mapping[str, str] = field(default_factory=dict)
    # The platform's id for this submission (e.g. Slack view id + hash): retries carry the same key.
    key: str = ""
    channel: str = ""


CommandHandler = Callable[[Message, str, Lang], Awaitable[Response]]
ActionHandler = Callable[[ActionEvent], Awaitable[Response | None]]
FormHandler = Callable[[Submission], Awaitable[Reply | FormErrors]]


@dataclass(frozen=True)
class Command:
    name: str
    words: tuple[str, ...]
    handler: CommandHandler
    help: Text
    role: Role | None = None


class Bot:
    def __init__(self, answerer: Answerer, live: LiveKnowledge, answer_log: AnswerLog,
                 metrics: Metrics, roles: Roles) -> None:
        self.answerer = answerer
        self.live = live
        self.answer_log = answer_log
        self.metrics = metrics
        self.roles = roles
        self._commands: dict[str, Command] = {}
        self._phrases: list[tuple[re.Pattern[str], str]] = []
        self._actions: dict[str, ActionHandler] = {}
        self._forms: dict[str, FormHandler] = {}
        self._version = ""
        # Worked out when the knowledge changes (in the reload's thread): git never runs per answer.
        live.on_change(self._knowledge_changed)
        self.register_command("help", ("help", "ヘルプ", "使い方", "?", "？"), self._help, m.HELP_HELP)
        self.register_command("reload", ("reload", "再読み込み"), self._reload, m.HELP_RELOAD,
                              role="compliance_office")
        self.register_command("report", ("report", "レポート", "報告"), self._report, m.HELP_REPORT,
                              role="compliance_office")
        self.register_action("show", self._show)
        self.register_action("feedback", self._feedback)

    # -- registration ---------------------------------------------------------------------------

    def register_command(self, name: str, words: Iterable[str], handler: CommandHandler, help: Text,
                         role: Role | None = None) -> None:
        command = Command(name, tuple(words), handler, help, role)
        for word in command.words:
            self._commands[word.casefold()] = command

    def register_phrase(self, pattern: str, command: str) -> None:
        """Natural sentences that mean a command (「弁護士に相談したい」 → consult)."""
        self._phrases.append((re.compile(pattern, re.IGNORECASE), command))

    def register_action(self, name: str, handler: ActionHandler) -> None:
        self._actions[name] = handler

    def register_form(self, form_id: str, handler: FormHandler) -> None:
        self._forms[form_id] = handler

    @property
    def commands(self) -> list[Command]:
        return list({c.name: c for c in self._commands.values()}.values())

    def allowed(self, person: Person, role: Role | None) -> bool:
        if role == "manager":
            return self.roles.is_manager(person)
        if role == "compliance_office":
            return self.roles.is_compliance_office(person)
        return True

    # -- entry points ---------------------------------------------------------------------------

    async def handle(self, message: Message) -> Response:
        text = message.text.strip()
        lang = message.lang or detect_language(text)
        if not text:
            return await self._help(message, "", message.lang or message.locale or "ja")
        word, _, rest = text.partition(" ")
        command = self._commands.get(word.casefold())
        if command is not None and not message.lang and message.locale and _no_language_signal(text):
            lang = message.locale
        if command is None:
            command = next((self._commands[name] for pattern, name in self._phrases
                            if name in self._commands and pattern.search(text)), None)
            rest = text if command else rest
        if command is not None:
            if not self.allowed(message.person, command.role):
                return self.refused(lang)
            return await command.handler(message, rest.strip(), lang)
        return small_talk_reply(text, lang) or await self.ask(message, lang)

    async def act(self, event: ActionEvent) -> Response | None:
        handler = self._actions.get(event.name)
        if handler is None:
            log.warning("unknown action", extra={"action": event.name})
            return None
        return await handler(event)

    async def submit(self, submission: Submission) -> Reply | FormErrors:
        handler = self._forms.get(submission.form_id)
        if handler is None:
            return Reply("info", submission.lang, answer=m.UNKNOWN_FORM.get(submission.lang), private=True)
        return await handler(submission)

    # -- questions ------------------------------------------------------------------------------

    async def ask(self, message: Message, lang: Lang) -> Reply:
        started = time.perf_counter()
        answer = self.answerer.ask(message.text, lang)
        self.metrics.answer_seconds.observe(time.perf_counter() - started)
        decision = answer.decision
        self.metrics.questions.labels(decision.label, message.person.platform).inc()
        answer_id = await self.answer_log.record(
            platform=str(message.person.platform), language=lang, decision=decision,
            question=message.text, knowledge_version=self.knowledge_version())
        return _with_answer_id(answer.reply, answer_id)

    def knowledge_version(self) -> str:
        return self._version

    def _knowledge_changed(self, knowledge: KnowledgeBase) -> None:
        self._version = knowledge_version(knowledge, self.live.directory)

    # -- built-in commands and actions ------------------------------------------------------------

    async def _help(self, message: Message, _args: str, lang: Lang) -> Reply:
        lines = [m.HELP_INTRO.get(lang), ""]
        for command in self.commands:
            if self.allowed(message.person, command.role):
                lines.append(f"• {command.words[0]} — {command.help.get(lang)}")
        lines += ["", m.HELP_EXAMPLES.get(lang)]
        lines += [f"• {q}" for q in self.example_questions(lang)]
        return Reply("info", lang, title=m.HELP_TITLE.get(lang), answer="\n".join(lines), private=True)

    def example_questions(self, lang: Lang, count: int = 5) -> list[str]:
        """One example question from the first entries with a safety alert or a hand-off, then others:
        the topics staff most need to know they can ask about."""
        entries = sorted(self.answerer.knowledge.entries.values(),
                         key=lambda e: (e.alert is None, not e.consult, e.id))
        return [e.questions.get(lang)[0] for e in entries[:count] if e.questions.get(lang)]

    async def _reload(self, message: Message, _args: str, lang: Lang) -> Reply:
        result = await asyncio.to_thread(self.live.reload)  # parsing and indexing take ~0.6 s
        if result.knowledge is None:
            problems = [p.format(relative_to=self.live.directory) for p in result.problems[:10]]
            text = m.RELOAD_FAILED.get(lang).format(count=len(result.problems)) + "\n" + "\n".join(problems)
        else:
            text = m.RELOAD_OK.get(lang).format(count=len(result.knowledge.entries),
                                                version=self.knowledge_version())
        return Reply("info", lang, answer=text, private=True)

    async def _report(self, message: Message, args: str, lang: Lang) -> Reply:
        """The unanswered questions of the last N days (default 30), grouped: what to add next."""
        days = int(args.rstrip("dD日")) if args.rstrip("dD日").isdigit() else 30
        since = self.answer_log.now() - timedelta(days=days)
        groups = await asyncio.to_thread(group_misses, await self.answer_log.unanswered(since))
        return Reply("info", lang, title=m.REPORT_TITLE.get(lang).format(days=days),
                     answer=format_text(groups[:20], since), private=True)

    async def _show(self, event: ActionEvent) -> Reply | None:
        return self.answerer.entry(event.value, event.lang)

    async def _feedback(self, event: ActionEvent) -> Reply | None:
        answer_id, _, vote = event.value.partition(":")
        value = 1 if vote == "+1" else -1
        if await self.answer_log.feedback(answer_id, value):
            self.metrics.feedback.labels("up" if value > 0 else "down").inc()
        return Reply("info", event.lang, answer=m.FEEDBACK_THANKS.get(event.lang), private=True)

    @staticmethod
    def refused(lang: Lang) -> Reply:
        return Reply("info", lang, answer=m.NOT_ALLOWED.get(lang), private=True)


def _no_language_signal(text: str) -> bool:
    """Command words and references ("consult", "report 7d", "consult LC-2026-0001") name no language;
    any Japanese character, or a second English word, does."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    return detect_language(text) == "en" and len(words) <= 1 + sum(w.upper() == "LC" for w in words)


def _with_answer_id(reply: Reply, answer_id: str) -> Reply:
    return replace(reply, answer_id=answer_id)


def feedback_actions(reply: Reply) -> tuple[Action, Action] | tuple[()]:
    """The 👍/👎 buttons for a logged answer (adapters place them)."""
    if not reply.answer_id:
        return ()
    return (Action("feedback", "👍", f"{reply.answer_id}:+1"), Action("feedback", "👎", f"{reply.answer_id}:-1"))
