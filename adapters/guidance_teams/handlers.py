"""Teams activities → core calls, core responses → Adaptive Cards. Decides nothing about content.

- message: a personal chat, or an @mention in a channel or group chat (the SDK strips the bot's
  mention; replies go to the activity, i.e. into the channel thread). With a ``value`` and no text it
  is an ``Action.Submit`` card action: ``{"action": …}`` → ``bot.act``, ``{"form": …}`` → ``bot.submit``.
- invoke ``adaptiveCard/action``: ``Action.Execute``; answered in the HTTP response with the card
  that replaces the pressed one.
- installationUpdate / conversationUpdate: the conversation reference is saved (as it is on every
  activity), or removed when the app is uninstalled.

What only the asker may see (a private reply, a form) never goes into a channel or group chat: it
is sent to the user's personal chat, and the thread gets a short neutral note.
"""

from __future__ import annotations

import hashlib
import html
import logging
from typing import Any

from guidance_bot.bot import ActionEvent, Message, Response, Submission
from guidance_bot.forms import Form, FormErrors
from guidance_bot.i18n import Lang, detect_language, locale_lang, parse_lang
from guidance_bot.outbox import DeliveryError, enqueue
from guidance_bot.platforms import Person, user_destination
from guidance_bot.replies import Reply
from guidance_bot.runtime import Runtime
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import TurnContext

from . import messages as m
from .cards import (CONTEXT_KEY, FORM_KEY, LANG_KEY, QUESTION_KEY, QUESTION_MAX, Card, errors_card, form_card,
                    form_values, reply_card)
from .references import ReferenceStore, aad_id, scope_of
from .sender import TeamsSender, card_activity

log = logging.getLogger(__name__)

CARD_ACTION = "adaptiveCard/action"
CARD_RESPONSE = "application/vnd.microsoft.card.adaptive"
MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class TeamsHandlers:
    def __init__(self, runtime: Runtime, references: ReferenceStore, sender: TeamsSender) -> None:
        self.runtime = runtime
        self.refs = references
        self.sender = sender

    # -- the SDK route ---------------------------------------------------------------------------

    async def on_activity(self, context: TurnContext, _state: Any = None) -> None:
        activity = context.activity
        try:
            await self._dispatch(context, activity)
        except Exception as exc:  # handled here so the SDK never sends its own error text
            await self.on_turn_error(context, exc)

    async def _dispatch(self, context: TurnContext, activity: Activity) -> None:
        if _uninstalled(activity):
            await self.refs.forget(activity.conversation.id)
            log.info("teams app removed", extra={"scope": scope_of(activity)})
            return
        await self.refs.remember(activity)
        if activity.type == ActivityTypes.message:
            # Teams redelivers an activity it timed out on: answer each id once, across replicas.
            if activity.id and not await self.runtime.dedupe.first_time(f"teams:activity:{activity.id}"):
                log.info("teams retry ignored", extra={"activity_id": activity.id})
                return
            if isinstance(activity.value, dict) and not (activity.text or "").strip():
                await self._card_submit(context, activity.value)
            else:
                await self._message(context)
        elif activity.type == ActivityTypes.invoke and activity.name == CARD_ACTION:
            await self._execute(context)
        # installationUpdate / conversationUpdate: the reference saved above is all they need.

    async def on_turn_error(self, context: TurnContext, error: Exception) -> None:
        self.runtime.metrics.errors.labels("teams").inc()
        log.error("teams turn failed", extra={"error": type(error).__name__})
        activity = context.activity
        lang = _lang_of(activity)
        try:
            if activity.type == ActivityTypes.invoke:
                await _invoke_response(context, {"statusCode": 500, "type": "application/vnd.microsoft.error",
                                                 "value": {"code": "InternalError",
                                                           "message": m.TURN_ERROR.get(lang)}})
            elif activity.type == ActivityTypes.message:
                await context.send_activity(m.TURN_ERROR.get(lang))
        except Exception as exc:
            log.warning("teams apology not sent", extra={"error": type(exc).__name__})

    # -- messages and card actions ----------------------------------------------------------------

    async def _message(self, context: TurnContext) -> None:
        activity = context.activity
        text = html.unescape(activity.text or "").replace("\u00a0", " ").strip()
        message = Message(_person(activity), text, activity.conversation.id, _personal(activity),
                          locale=_client_lang(activity))
        await self._respond(context, await self.runtime.bot.handle(message), from_message=True, question=text)

    async def _card_submit(self, context: TurnContext, data: dict[str, Any]) -> None:
        response = await self._card_action(context, data)
        if isinstance(response, FormErrors):
            await self._replace_card(context, errors_card(response))
        elif data.get(FORM_KEY) and isinstance(response, Reply) and self._shown_here(context, response):
            # The result takes the form's place, as a Slack modal closes: the filled-in form cannot be
            # sent again, and a double click shows one result, not two.
            await self._replace_card(context, reply_card(response))
        else:
            await self._respond(context, response, from_message=False)

    async def _card_action(self, context: TurnContext, data: dict[str, Any]) -> Response | None:
        activity = context.activity
        lang = parse_lang(str(data.get(LANG_KEY) or "")) or _lang_of(activity)
        if data.get(FORM_KEY):
            raw_context = data.get(CONTEXT_KEY)
            form_context = {str(k): str(v) for k, v in raw_context.items()} if isinstance(raw_context, dict) else {}
            return await self.runtime.bot.submit(Submission(
                _person(activity), str(data[FORM_KEY]), form_values(data), lang, form_context,
                key=_submission_key(activity), channel=activity.conversation.id))
        if data.get("action"):
            question = data.get(QUESTION_KEY)
            return await self.runtime.bot.act(ActionEvent(
                _person(activity), str(data["action"]), str(data.get("value") or ""), lang,
                activity.conversation.id, _personal(activity),
                context={"question": question[:QUESTION_MAX]} if isinstance(question, str) and question else {}))
        log.info("teams card data without action ignored")
        return None

    async def _respond(self, context: TurnContext, response: Response | None, *, from_message: bool,
                       question: str = "") -> None:
        if response is None:
            return
        if isinstance(response, FormErrors):
            await context.send_activity(card_activity(errors_card(response)))
            return
        card = form_card(response) if isinstance(response, Form) else reply_card(response, question)
        if self._shown_here(context, response):
            await context.send_activity(card_activity(card))
            return
        delivered = await self._to_personal_chat(context, response, card)
        if from_message or not delivered:  # a pressed button needs no note when all went well
            note = m.SENT_PRIVATELY if delivered else m.PRIVATE_FAILED
            await context.send_activity(note.get(response.language))

    @staticmethod
    def _shown_here(context: TurnContext, response: Reply | Form) -> bool:
        return _personal(context.activity) or not _confidential(response)

    async def _replace_card(self, context: TurnContext, card: Card) -> None:
        """``card`` in place of the submitted one where Teams allows (the form with its error messages,
        or the form's result), else as a new message."""
        activity = context.activity
        if activity.reply_to_id:
            update = card_activity(card)
            update.id = activity.reply_to_id
            try:
                await context.update_activity(update)
                return
            except Exception as exc:  # e.g. the card is too old to edit: show it anew
                log.info("teams card not updated", extra={"error": type(exc).__name__})
        await context.send_activity(card_activity(card))

    async def _to_personal_chat(self, context: TurnContext, response: Reply | Form, card: Card) -> bool:
        """True once sent. A reply that cannot be sent now is queued in the outbox (retried)."""
        activity = context.activity
        user = aad_id(activity)
        if not user:
            return False
        destination = user_destination("teams", user)
        try:
            await self.sender.send_card(destination, card, summary=getattr(response, "title", ""))
            return True
        except DeliveryError as exc:
            if not isinstance(response, Reply):
                return False
            async with self.runtime.db.begin() as conn:
                await enqueue(conn, self.runtime.clock, kind="teams_private_reply", destination=destination,
                              reply=response, dedupe_key=f"teams:private:{activity.id}")
            self.runtime.outbox.wakeup.set()
            log.info("teams private reply queued", extra={"error": str(exc)[:80]})
            return True

    # -- Action.Execute -------------------------------------------------------------------------

    async def _execute(self, context: TurnContext) -> None:
        activity = context.activity
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = dict(action.get("data") or {}) if isinstance(action.get("data"), dict) else {}
        if not data.get(FORM_KEY) and not data.get("action") and action.get("verb"):
            data["action"] = action["verb"]
        response = await self._card_action(context, data)
        lang = _response_lang(response) or _lang_of(activity)
        if response is None:
            body: dict[str, Any] = {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": m.DONE.get(lang)}
        elif isinstance(response, FormErrors):
            body = {"statusCode": 200, "type": CARD_RESPONSE, "value": errors_card(response)}
        else:
            card = form_card(response) if isinstance(response, Form) else reply_card(response)
            if _personal(activity) or not _confidential(response):
                body = {"statusCode": 200, "type": CARD_RESPONSE, "value": card}
            else:
                # The updated card would replace the shared one for everyone: send it privately.
                delivered = await self._to_personal_chat(context, response, card)
                note = m.SENT_PRIVATELY if delivered else m.PRIVATE_FAILED
                body = {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": note.get(lang)}
        await _invoke_response(context, body)


# -- helpers -------------------------------------------------------------------------------------

def _person(activity: Activity) -> Person:
    account = activity.from_property
    return Person("teams", (account.aad_object_id or account.id) if account else "",
                  name=(account.name or "") if account else "")


def _personal(activity: Activity) -> bool:
    return scope_of(activity) == "personal"


def _confidential(response: Reply | Form) -> bool:
    # A form started in a channel (e.g. a consultation) continues privately.
    return isinstance(response, Form) or response.private


def _uninstalled(activity: Activity) -> bool:
    if activity.type == ActivityTypes.installation_update:
        return (activity.action or "").startswith("remove")
    if activity.type == ActivityTypes.conversation_update and activity.members_removed and activity.recipient:
        return any(member.id == activity.recipient.id for member in activity.members_removed)
    return False


def _lang_of(activity: Activity) -> Lang:
    if activity.text:
        return detect_language(activity.text)
    return _client_lang(activity) or "ja"


def _client_lang(activity: Activity) -> Lang | None:
    return locale_lang(activity.locale)


def _response_lang(response: Response | None) -> Lang | None:
    if isinstance(response, FormErrors):
        return response.form.language
    return response.language if response is not None else None


def _submission_key(activity: Activity) -> str:
    """The submitted card's id when Teams gives it (a double click submits the same card twice),
    else the activity's own id (a retried delivery carries the same one)."""
    source = activity.reply_to_id or activity.id or ""
    key = f"teams:{activity.conversation.id}:{source}"
    return key if len(key) <= 200 else "teams:" + hashlib.sha256(key.encode()).hexdigest()


async def _invoke_response(context: TurnContext, body: dict[str, Any]) -> None:
    await context.send_activity(Activity(type=ActivityTypes.invoke_response,
                                         value=InvokeResponse(status=200, body=body)))

