"""bolt listeners: Slack payloads → ``runtime.bot`` calls, and what comes back → Slack.

Every listener acknowledges first and works afterwards (view submissions excepted: their ack
carries the form's errors, so it waits for ``bot.submit``, at most ``SUBMIT_WAIT`` seconds). Work
after the ack never raises into bolt: a failure is logged and counted, and the user told.

Where an answer goes:
* a direct message → the DM (in the thread if the user wrote in one);
* an @mention → the thread of the mention; a private reply → ephemeral to the asker in that thread;
* ``/guidance`` → ephemeral through the response_url, so a channel never sees the question;
* a button → the entry replaces the message in place (DM, ephemeral) or is shown only to the
  clicker (a shared channel message stays as it was); any other reply is ephemeral;
* a form → a modal; its result → ephemeral in the channel it came from, else the DM.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from guidance_bot.bot import ActionEvent, Message, Response, Submission
from guidance_bot.forms import Form, FormErrors
from guidance_bot.i18n import Lang, detect_language
from guidance_bot.replies import Reply
from guidance_bot.runtime import Runtime

from . import texts as t
from .blocks import (OPEN_FORM, Block, action_name, decode_metadata, decode_value, errors_reply,
                     errors_response, fallback_text, form_values, form_view, home_view,
                     open_form_blocks, reply_blocks)
from .people import People

log = logging.getLogger(__name__)

SUBMIT_WAIT = 2.5  # seconds: Slack wants the view_submission ack within 3
BUTTON = re.compile(r"^[A-Za-z0-9_.-]+:\d+$")  # our buttons' action_id: "{action name}:{index}"
QUESTION_CONTEXT_KEY = "question"  # form context key for the question a consult button was under


@dataclass(frozen=True)
class Place:
    """Where a conversation happens and how to answer there."""

    channel: str
    user: str
    thread_ts: str | None = None
    in_dm: bool = False  # the bot's DM with this user: anything posted there is private already
    respond: AsyncRespond | None = None  # response_url of a slash command or a click
    trigger_id: str = ""


class Listeners:
    def __init__(self, runtime: Runtime, people: People) -> None:
        self.runtime = runtime
        self.bot = runtime.bot
        self.people = people
        self.command = runtime.settings.slack.command

    def register(self, app: AsyncApp) -> None:
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.event("app_home_opened")(self.on_home_opened)
        app.event(re.compile(".*"))(self.on_other_event)  # last: an acknowledged no-op, not a 404
        app.command(self.command)(self.on_command)
        app.action(BUTTON)(self.on_button)
        app.view(re.compile(".*"))(self.on_submission)

    # -- events ---------------------------------------------------------------------------------

    async def on_message(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                         context: Any) -> None:
        # Only what a person writes in the bot's DM: no channel chatter, edits, joins or bots.
        if (event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id")
                or not event.get("user") or event.get("user") == context.bot_user_id):
            return
        place = Place(event.get("channel", ""), event["user"], thread_ts=event.get("thread_ts"), in_dm=True)
        await self._conversation(body, event, client, place, private=True, bot_user_id=context.bot_user_id)

    async def on_mention(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                         context: Any) -> None:
        if event.get("bot_id") or not event.get("user") or event.get("user") == context.bot_user_id:
            return
        place = Place(event.get("channel", ""), event["user"], thread_ts=event.get("thread_ts") or event.get("ts"))
        await self._conversation(body, event, client, place, private=False, bot_user_id=context.bot_user_id)

    async def _conversation(self, body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient,
                            place: Place, private: bool, bot_user_id: str | None) -> None:
        # Slack redelivers an event it thinks was not acknowledged (X-Slack-Retry-Num), possibly to
        # another replica: the event id in the database makes sure only one of them answers.
        event_id = body.get("event_id")
        text = strip_mention(str(event.get("text") or ""), bot_user_id)
        try:
            first = not event_id or await self.runtime.dedupe.first_time(f"slack:event:{event_id}")
        except Exception:
            await self._failed(client, place, detect_language(text))
            return
        if not first:
            log.info("slack event already handled", extra={"event_id": event_id})
            return
        await self._handle_text(client, place, text, private)

    async def _handle_text(self, client: AsyncWebClient, place: Place, text: str, private: bool) -> None:
        locale: Lang | None = None
        try:
            person = await self.people.person(place.user)
            # The Slack client's language (cached with the profile): a bare command word such as
            # "checklist" says nothing about the language its Japanese-speaking user wants.
            locale = (await self.people.profile(place.user)).lang
            response = await self.bot.handle(Message(person, text, place.channel, private, direct=place.in_dm,
                                                     locale=locale))
            await self.deliver(client, place, response, question=text)
        except Exception:
            await self._failed(client, place, locale if not text.strip() and locale else detect_language(text))

    async def on_home_opened(self, event: dict[str, Any], client: AsyncWebClient, context: Any) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        user = event["user"]
        try:
            person = await self.people.person(user)
            lang = await self.people.lang(user)
            view = home_view(lang, command=self.command, bot_user_id=context.bot_user_id or "",
                             examples=self.bot.example_questions(lang),
                             consultations=await self.runtime.consultations.requester_lines(person, lang))
            await client.views_publish(user_id=user, view=view)
        except Exception:
            self._count_failure("app_home_opened")

    async def on_other_event(self, event: dict[str, Any]) -> None:
        log.info("slack event ignored", extra={"event_type": str(event.get("type"))[:40]})

    # -- slash command ----------------------------------------------------------------------------

    async def on_command(self, ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient,
                         respond: AsyncRespond) -> None:
        await ack()
        channel, user = str(command.get("channel_id") or ""), str(command.get("user_id") or "")
        if not (channel and user):
            log.warning("slack command without user or channel ignored")
            return
        place = Place(channel, user, respond=respond,
                      trigger_id=str(command.get("trigger_id") or ""))
        # Private: the answer is ephemeral wherever the command was typed.
        await self._handle_text(client, place, str(command.get("text") or ""), private=True)

    # -- buttons ----------------------------------------------------------------------------------

    async def on_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                        client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        name = action_name(str(action.get("action_id") or ""))
        value = decode_value(action.get("value"))
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        user = str((body.get("user") or {}).get("id") or "")
        ephemeral = bool(container.get("is_ephemeral"))
        thread_ts = (body.get("message") or {}).get("thread_ts")
        if not (channel and user):
            log.warning("slack click without user or channel ignored", extra={"action": name[:40]})
            return
        place = Place(channel, user, thread_ts=thread_ts, in_dm=channel.startswith("D"),
                      respond=respond, trigger_id=str(body.get("trigger_id") or ""))
        try:
            if name == OPEN_FORM:  # the form a text command asked for; build it again, now with a trigger_id
                await self._handle_text(client, place, value.value, private=True)
                return
            person = await self.people.person(user)
            response = await self.bot.act(ActionEvent(
                person, name, value.value, value.lang, channel, private=ephemeral or place.in_dm,
                context={QUESTION_CONTEXT_KEY: value.question} if value.question else {}))
            message_ts = str(container.get("message_ts") or "")
            if isinstance(response, Reply) and name == "show":
                await self._show_in_place(client, place, response, ephemeral, message_ts)
                return
            if isinstance(response, Reply) and not response.private and not ephemeral and message_ts:
                # A result meant for everyone who sees the message (the office changing a request's
                # status): in the message's thread, so the whole channel knows it was done.
                await self._post(client, replace(place, thread_ts=thread_ts or message_ts, respond=None),
                                 response, private=False)
                return
            await self.deliver(client, replace(place, in_dm=False), response, force_private=True)
        except Exception:
            await self._failed(client, replace(place, in_dm=False), value.lang)

    async def _show_in_place(self, client: AsyncWebClient, place: Place, reply: Reply, ephemeral: bool,
                             message_ts: str) -> None:
        blocks, text = reply_blocks(reply), fallback_text(reply)
        if ephemeral and place.respond and place.respond.response_url:
            await _respond(place.respond, blocks, text, replace_original=True)
        elif place.in_dm and message_ts:
            await client.chat_update(channel=place.channel, ts=message_ts, blocks=blocks, text=text)
        else:  # a message others see as well: leave it, show the entry to the clicker only
            await self.deliver(client, replace(place, in_dm=False), reply, force_private=True)

    # -- forms ------------------------------------------------------------------------------------

    async def on_submission(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any],
                            client: AsyncWebClient) -> None:
        meta = decode_metadata(view.get("private_metadata"), str(view.get("callback_id") or ""))
        user = str((body.get("user") or {}).get("id") or "")
        place = Place(meta.channel, user)
        acked = False
        if not user:
            await ack(response_action="clear")
            log.warning("slack submission without user ignored")
            return

        async def submit() -> Reply | FormErrors:
            # The user lookup counts against the 3 seconds too: a rate-limited users.info
            # (Retry-After) must not hold the ack back.
            person = await self.people.person(user)
            # A retried submission carries the same view id and hash: the core accepts it once.
            return await self.bot.submit(Submission(
                person, str(view.get("callback_id") or meta.form_id),
                form_values((view.get("state") or {}).get("values") or {}), meta.lang, meta.context,
                key=f"{view.get('id', '')}:{view.get('hash', '')}", channel=meta.channel))

        try:
            task = asyncio.ensure_future(submit())
            try:
                result = await asyncio.wait_for(asyncio.shield(task), SUBMIT_WAIT)
            except TimeoutError:  # close the modal in time; the result arrives as a message
                await ack(response_action="clear")
                acked = True
                result = await task
            if isinstance(result, FormErrors) and not acked:
                await ack(**errors_response(result))
                return
            if not acked:
                await ack(response_action="clear")
                acked = True
        except Exception:
            if not acked:
                await ack(response_action="clear")
            await self._failed(client, place, meta.lang)
            return
        await self._deliver_submitted(client, place, result)

    async def _deliver_submitted(self, client: AsyncWebClient, place: Place, result: Reply | FormErrors) -> None:
        reply = errors_reply(result) if isinstance(result, FormErrors) else result
        try:
            if place.channel[:1] in ("C", "G"):
                try:  # ephemeral where the form was opened, if the bot may post there
                    await self._post(client, place, reply, private=True)
                    return
                except SlackApiError as exc:
                    log.info("slack ephemeral failed; sending a DM", extra={"error": exc.response.get("error")})
            await self._post_dm(client, place.user, reply)
        except Exception:
            self._count_failure("view_submission")

    # -- delivery ---------------------------------------------------------------------------------

    async def deliver(self, client: AsyncWebClient, place: Place, response: Response | None,
                      question: str = "", force_private: bool = False) -> None:
        if response is None:
            return
        if isinstance(response, Form):
            await self._open_form(client, place, response, question)
            return
        reply = errors_reply(response) if isinstance(response, FormErrors) else response
        await self._post(client, place, reply, private=force_private or reply.private, question=question)

    async def _open_form(self, client: AsyncWebClient, place: Place, form: Form, text: str) -> None:
        if place.trigger_id:
            await client.views_open(trigger_id=place.trigger_id, view=form_view(form, place.channel))
            return
        # A typed command has no trigger_id, and Slack opens modals only with one: offer a button.
        blocks = open_form_blocks(form, text)
        fallback = t.OPEN_FORM_PROMPT.get(form.language).format(title=form.title)
        await self._post_blocks(client, place, blocks, fallback, private=True)

    async def _post(self, client: AsyncWebClient, place: Place, reply: Reply, private: bool,
                    question: str = "") -> None:
        await self._post_blocks(client, place, reply_blocks(reply, question), fallback_text(reply), private)

    async def _post_blocks(self, client: AsyncWebClient, place: Place, blocks: list[Block], text: str,
                           private: bool) -> None:
        if place.respond is not None and place.respond.response_url:
            await _respond(place.respond, blocks, text)
        elif place.in_dm:
            await client.chat_postMessage(channel=place.channel, blocks=blocks, text=text,
                                          thread_ts=place.thread_ts)
        elif private:
            await client.chat_postEphemeral(channel=place.channel, user=place.user, blocks=blocks, text=text,
                                            thread_ts=place.thread_ts)
        else:
            await client.chat_postMessage(channel=place.channel, blocks=blocks, text=text,
                                          thread_ts=place.thread_ts)

    async def _post_dm(self, client: AsyncWebClient, user: str, reply: Reply) -> None:
        opened = await client.conversations_open(users=user)
        await client.chat_postMessage(channel=opened["channel"]["id"], blocks=reply_blocks(reply),
                                      text=fallback_text(reply))

    async def _failed(self, client: AsyncWebClient, place: Place, lang: Lang) -> None:
        """Log and count a failure after the ack, and tell the user rather than stay silent."""
        self._count_failure("listener")
        if not place.channel and not place.respond:
            return
        try:
            await self._post(client, place, Reply("info", lang, answer=t.FAILED.get(lang), private=True),
                             private=True)
        except Exception:
            log.warning("slack failure notice not delivered")

    def _count_failure(self, where: str) -> None:
        self.runtime.metrics.errors.labels("slack").inc()
        log.exception("slack listener failed", extra={"where": where})


async def _respond(respond: AsyncRespond, blocks: list[Block], text: str, replace_original: bool = False) -> None:
    response = await respond(text=text, blocks=blocks, response_type="ephemeral",
                             replace_original=replace_original)
    if response.status_code != 200:
        raise RuntimeError(f"response_url answered {response.status_code}")


def strip_mention(text: str, bot_user_id: str | None) -> str:
    """The question without the bot's own ``<@U…>`` (line breaks kept: a command may span lines)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", "", text)
    return text.strip()
