"""What the conversation does with the hand-off: open the form, take the submission, change the
status. Confirmations are always private; a request started in a channel continues privately."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..bot import ActionEvent, Message, Submission
from ..forms import Form, FormErrors
from ..i18n import Lang
from ..replies import Reply
from . import messages as m
from . import notify
from .form import STATUSES, build_form, context_for, validate
from .service import AccessRefused, ConsultationService, NotFound, Viewer

if TYPE_CHECKING:
    from ..runtime import Runtime

log = logging.getLogger(__name__)

# Sentences asking for a consultation, not questions about it ("how do I apply…?" stays a question
# answered from the knowledge, whose reply carries the consult button anyway).
_NOT_A_QUESTION_JA = r"^(?!.*(?:[?？]|どう|どこ|方法|手順|とは|って何|何を|ですか|ますか|できる))"
_NOT_A_QUESTION_EN = r"^(?!.*(?:\?|\b(?:how|what|where|who|when|why|which|can|could|is|are|does|do)\b))"
PHRASES = (
    _NOT_A_QUESTION_JA + r".*(?:弁護士|指導員|法律相談).{0,6}(?:相談(?:したい|させて|を?お願い|を?申し込みたい|する)?"
    r"|したい|を?申し込みたい)(?:です|します)?[。．.!！\s]*$",
    _NOT_A_QUESTION_EN + r".*\b(?:legal advice|(?:talk|speak) (?:to|with) (?:a|the) lawyer"
    r"|consult (?:a|the) (?:compliance )?(?:advis[eo]r|lawyer))\b.{0,30}$",
)
_REF = re.compile(r"^(?:show\s+|見る\s*|確認\s*)?(LC-\d{4}-\d+)\s*$", re.IGNORECASE)


class Handlers:
    def __init__(self, runtime: Runtime, service: ConsultationService,
                 entry_title: Callable[[str, Lang], str]) -> None:
        self.runtime = runtime
        self.service = service
        self.entry_title = entry_title
        self.help = m.HELP

    # -- opening the form ------------------------------------------------------------------------

    async def command(self, message: Message, args: str, lang: Lang) -> Reply | Form:
        """``consult`` [summary] → the form; ``consult LC-2026-0001`` → that request."""
        ref = _REF.match(args)
        if ref:
            return await self._show(message.person, ref.group(1), lang)
        phrase = args == message.text.strip()  # the bot passes the whole sentence for a phrase
        context = context_for(channel=message.channel, private=message.private,
                              origin="phrase" if phrase else "command")
        form = build_form(lang, context)
        # Prefill the summary only in private: a card in a channel would show it to everyone.
        if args and not phrase and message.private:
            form = build_form(lang, context, values={"summary": args})
        return form

    async def open_form(self, event: ActionEvent) -> Form:
        """The consult button on an answer (value: the entry id, or empty after a non-answer).
        Adapters that know the question just asked pass it as ``event.context["question"]``."""
        entry_id = event.value if event.value in self.runtime.live.current.entries else ""
        context = context_for(channel=event.channel, private=event.private, entry_id=entry_id,
                              question=event.context.get("question", ""), origin="answer")
        return build_form(event.lang, context, entry_title=self.entry_title(entry_id, event.lang))

    # -- the submission --------------------------------------------------------------------------

    async def submit(self, submission: Submission) -> Reply | FormErrors:
        context = dict(submission.context)
        entry_id = context.get("entry", "")
        if entry_id and entry_id not in self.runtime.live.current.entries:
            context.pop("entry")  # not a topic the bot knows: never store what the client made up
        checked = validate(submission.values, submission.lang, context,
                           entry_title=self.entry_title(context.get("entry", ""), submission.lang))
        if isinstance(checked, FormErrors):
            return checked
        created = await self.service.create(submission.person, checked, key=submission.key)
        return notify.confirmation(created.consultation, checked.language,
                                   self.runtime.answerer.knowledge.contacts)

    # -- the office ------------------------------------------------------------------------------

    async def change_status(self, event: ActionEvent) -> Reply:
        ref, _, status = event.value.rpartition(":")
        viewer = Viewer.of(event.person, self.runtime.settings.roles)
        if status not in STATUSES or not ref:
            log.warning("malformed consult_status value")
            return self.runtime.bot.refused(event.lang)
        try:
            change = await self.service.change_status(viewer, ref, status)
        except AccessRefused:
            return self.runtime.bot.refused(event.lang)
        except NotFound:
            return Reply("info", event.lang, answer=m.NOT_FOUND.get(event.lang).format(ref=ref), private=True)
        return notify.status_reply(change, viewer.shown, self.service.local)

    async def _show(self, person, ref: str, lang: Lang) -> Reply:
        viewer = Viewer.of(person, self.runtime.settings.roles)
        try:
            c = await self.service.get(viewer, ref)
        except AccessRefused:
            return self.runtime.bot.refused(lang)
        except NotFound:
            return Reply("info", lang, answer=m.NOT_FOUND.get(lang).format(ref=ref.upper()), private=True)
        own = c.requester_key == viewer.key
        return notify.show_reply(c, lang, for_office=viewer.office and not own, local=self.service.local)

    async def announce_pending(self) -> None:
        """Once at start: announce requests stored while their destination was missing."""
        try:
            await self.service.announce_pending()
        except Exception:
            self.runtime.metrics.errors.labels("handoff_announce").inc()
            log.exception("announcing pending consultations failed")
