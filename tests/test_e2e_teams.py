"""Teams end to end across features: the hand-off from an answer card to the office's channel, the
remind form and the self-check as cards, and proactive delivery from another replica. Everything goes
over HTTP: activities POSTed with real (local) Bot Framework tokens, replies into a fake Bot Connector."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from guidance_bot.outbox import enqueue
from guidance_bot.platforms import Roles, TeamsSettings
from guidance_bot.replies import Reply
from guidance_bot.runtime import Runtime
from guidance_bot.server import MOUNTED, create_app
from guidance_bot.store.tables import checklist_completions, consultations
from guidance_teams import auth_configuration, mount_with

from tests.conftest import BUNDLED, make_settings
from tests.fakes.teams import FakeTokenIssuer, fake_connection_manager
from tests.test_teams_adapter import (
    APP_ID, CHANNEL, TEAM, TENANT_ID, USER_AAD, buttons, card_of, card_value, in_channel, inputs,
    installation, personal, post, texts,
)

pytestmark = [pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
              pytest.mark.usefixtures("no_microsoft")]

OFFICE_TEAM = "19:office-team@thread.tacv2"
OFFICE_CHANNEL = "19:office@thread.tacv2"
OFFICER_AAD = "bbbbbbbb-0000-0000-0000-000000000002"


def teams_settings(kdir, url, **changes):
    return make_settings(kdir, url, teams=TeamsSettings(app_id=APP_ID, app_password="x", tenant_id=TENANT_ID),
                         roles=Roles(compliance_office=frozenset({OFFICER_AAD})),
                         consultation_destinations={"default": (f"teams:{OFFICE_CHANNEL}",)}, **changes)


async def serve(runtime: Runtime, issuer: FakeTokenIssuer) -> TestClient:
    def test_mount(app, rt):
        manager = fake_connection_manager(auth_configuration(rt.settings.teams), issuer=issuer)
        return mount_with(app, rt, connection_manager=manager, host_validator_enabled=False)

    app = create_app(runtime, adapters={"teams": test_mount})
    assert app[MOUNTED] == ["teams"]
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def client(kdir, sqlite_url, clock, issuer):
    runtime = Runtime(teams_settings(kdir, sqlite_url), clock=clock, outbox_poll_seconds=3600)
    client = await serve(runtime, issuer)
    client.runtime = runtime
    yield client
    await client.close()


def office_channel(service_url: str, text: str, **overrides) -> dict:
    """A message in the office's channel (it saves the channel's reference, as an install would)."""
    activity = officer(in_channel(service_url, text, **overrides))
    activity["conversation"]["id"] = f"{OFFICE_CHANNEL};messageid=1700000000099"
    activity["channelData"] = {"tenant": {"id": TENANT_ID}, "team": {"id": OFFICE_TEAM},
                               "channel": {"id": OFFICE_CHANNEL}}
    return activity


async def delivered(runtime: Runtime) -> None:
    """One outbox pass (the background loop idles in these tests)."""
    await runtime.outbox.deliver_due()


def fill(card: dict, **values) -> dict:
    """What Teams sends for an Action.Submit: the button's data merged with the inputs."""
    [submit] = card["actions"]
    data = dict(submit["data"])
    for name, element in inputs(card).items():
        data[name] = element.get("value", "")
    data.update(values)
    return data


async def consultation_rows(runtime: Runtime):
    async with runtime.db.connect() as conn:
        return (await conn.execute(select(consultations))).all()


# -- the hand-off -------------------------------------------------------------------------------------

async def test_consult_from_an_answer_card_to_the_office_channel(client, issuer, connector):
    runtime = client.runtime
    # The office channel's reference is known (the bot was mentioned there once).
    await post(client, issuer, connector, office_channel(connector.service_url, "help"))
    await connector.wait_for(1)
    connector.reset()

    await post(client, issuer, connector, personal(connector.service_url, "殴られた"))
    [answer] = await connector.wait_for(1)
    consult = next(a for a in buttons(card_of(answer)) if a["data"].get("action") == "consult")
    assert consult["type"] == "Action.Submit"

    await post(client, issuer, connector, card_value(consult["data"], connector.service_url,
                                                     replyToId=answer.response["id"]))
    [_, opened] = await connector.wait_for(2)
    form = card_of(opened)
    fields = inputs(form)
    assert {"category", "summary", "urgency", "attach", "share_name"} <= set(fields)
    assert fields["summary"]["isRequired"] and fields["summary"]["isMultiline"]
    assert fields["category"]["type"] == "Input.ChoiceSet"

    # An empty summary: the same card comes back with the message under the field.
    empty = fill(form, category="customer_harassment", urgency="routine", summary="")
    await post(client, issuer, connector, card_value(empty, connector.service_url, replyToId=opened.response["id"]))
    [update] = await connector.wait_for(1, predicate=lambda r: r.kind == "update")
    body = card_of(update)["body"]
    at = next(i for i, e in enumerate(body) if e.get("id") == "summary")
    assert any(e.get("color") == "Attention" for e in body[at + 1:at + 3])
    assert await consultation_rows(runtime) == []

    done = fill(card_of(update), category="customer_harassment", urgency="routine",
                summary="窓口で胸ぐらをつかまれました。", attach="true")
    submitted = card_value(done, connector.service_url, replyToId=opened.response["id"])
    await post(client, issuer, connector, submitted)
    await post(client, issuer, connector, dict(submitted, id=submitted["id"] + "1"))  # a double click
    # The confirmation takes the form's place (both clicks): the form cannot be sent again.
    confirmations = await connector.wait_for(2, predicate=lambda r: "LC-2026-0001" in str(r.attachments)
                                             and r.conversation_id != OFFICE_CHANNEL)
    assert {(r.kind, r.activity_id) for r in confirmations} == {("update", opened.response["id"])}
    assert "相談を受け付けました（LC-2026-0001）" in texts(card_of(confirmations[0]))
    assert not inputs(card_of(confirmations[0]))
    [row] = await consultation_rows(runtime)
    assert (row.requester_id, row.attached_question, row.attached_entry) == (USER_AAD, "殴られた",
                                                                              "type-violence")

    await delivered(runtime)
    [notice] = await connector.wait_for(1, predicate=lambda r: r.conversation_id == OFFICE_CHANNEL)
    assert notice.kind == "send"
    shown = "\n".join(texts(card_of(notice)))
    assert "LC-2026-0001" in shown and "窓口で胸ぐらをつかまれました。" in shown
    assert len([r for r in connector.requests if r.conversation_id == OFFICE_CHANNEL]) == 1


async def test_office_changes_the_status_and_the_requester_hears_in_teams(client, issuer, connector):
    runtime = client.runtime
    await post(client, issuer, connector, office_channel(connector.service_url, "help"))
    await connector.wait_for(2)
    connector.reset()
    await post(client, issuer, connector, personal(connector.service_url, "consult"))  # a ja-JP client: the form, and all that follows, in Japanese
    [opened] = await connector.wait_for(1)
    form = card_of(opened)
    await post(client, issuer, connector, card_value(
        fill(form, category="other", urgency="routine", summary="契約の解釈で相談があります。"),
        connector.service_url))
    await connector.wait_for(2)
    await delivered(runtime)
    [notice] = await connector.wait_for(1, predicate=lambda r: r.conversation_id == OFFICE_CHANNEL)
    status = next(a for a in card_of(notice)["actions"] if a["data"].get("value", "").endswith(":in_progress"))

    def pressed(aad: str) -> dict:
        activity = office_channel(connector.service_url, "", value=status["data"], replyToId=notice.response["id"])
        del activity["text"]
        activity["entities"] = []
        activity["from"] = {"id": "29:someone", "name": "法務 花子", "aadObjectId": aad}
        return activity

    await post(client, issuer, connector, pressed("cccccccc-0000-0000-0000-000000000009"))
    [row] = await consultation_rows(runtime)
    assert row.status == "received"

    connector.reset()
    await post(client, issuer, connector, pressed(OFFICER_AAD))
    [row] = await consultation_rows(runtime)
    assert row.status == "in_progress"
    await delivered(runtime)
    [told] = await connector.wait_for(1, predicate=lambda r: r.conversation_id == "a:personal-1")
    assert "対応中" in "\n".join(texts(card_of(told))) and "法務 花子" in str(told.attachments)
    assert "契約の解釈" not in str(told.attachments)


async def test_consult_pressed_in_a_channel_continues_in_the_personal_chat(client, issuer, connector):
    runtime = client.runtime
    await post(client, issuer, connector, personal(connector.service_url, "help"))  # the personal chat exists
    await connector.wait_for(1)
    connector.reset()
    await post(client, issuer, connector, in_channel(connector.service_url, "殴られた"))
    [answer] = await connector.wait_for(1)
    assert answer.conversation_id.startswith(CHANNEL)
    consult = next(a for a in buttons(card_of(answer)) if a["data"].get("action") == "consult")
    pressed = in_channel(connector.service_url, "", value=consult["data"], replyToId=answer.response["id"])
    del pressed["text"]
    await post(client, issuer, connector, pressed)
    [form] = await connector.wait_for(1, predicate=lambda r: r.conversation_id == "a:personal-1")
    assert "summary" in inputs(card_of(form))
    # Nothing of the form is shown in the channel.
    assert all("summary" not in str(r.attachments) for r in connector.requests
               if r.conversation_id.startswith(CHANNEL))
    await post(client, issuer, connector, card_value(
        fill(card_of(form), category="other", urgency="routine", summary="相談です"), connector.service_url))
    await connector.wait_for(1, predicate=lambda r: "LC-2026-0001" in str(r.attachments))
    [row] = await consultation_rows(runtime)
    assert row.requester_id == USER_AAD


# -- Action.Execute -----------------------------------------------------------------------------------

def execute(service_url: str, data: dict, **overrides) -> dict:
    activity = personal(service_url, type="invoke", name="adaptiveCard/action",
                        value={"action": {"type": "Action.Execute", "verb": data.get("action") or "submit",
                                          "data": data}, "trigger": "manual"}, **overrides)
    del activity["text"]
    return activity


async def test_consult_by_action_execute_with_validation(client, issuer, connector):
    runtime = client.runtime
    response = await post(client, issuer, connector, execute(connector.service_url,
                                                             {"action": "consult", "value": "", "lang": "en"}))
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    form = body["value"]
    assert "summary" in inputs(form)
    response = await post(client, issuer, connector, execute(
        connector.service_url, fill(form, category="other", urgency="routine", summary="")))
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert any(e.get("color") == "Attention" for e in body["value"]["body"])
    response = await post(client, issuer, connector, execute(
        connector.service_url, fill(form, category="other", urgency="routine", summary="A question on a contract")))
    body = await response.json()
    assert "LC-2026-0001" in str(body["value"])
    assert len(await consultation_rows(runtime)) == 1


# -- the remind form and the self-check ---------------------------------------------------------------

@pytest.fixture
async def bundled_client(sqlite_url, clock, issuer):
    runtime = Runtime(teams_settings(BUNDLED, sqlite_url), clock=clock, outbox_poll_seconds=3600)
    client = await serve(runtime, issuer)
    client.runtime = runtime
    yield client
    await client.close()


async def test_checklist_in_a_channel_is_filled_and_answered_privately(bundled_client, issuer, connector):
    client = bundled_client
    await post(client, issuer, connector, personal(connector.service_url, "help"))
    await connector.wait_for(1)
    connector.reset()
    await post(client, issuer, connector, in_channel(connector.service_url, "チェックリスト"))
    form = (await connector.wait_for(1, predicate=lambda r: r.conversation_id == "a:personal-1"))[0]
    [note] = await connector.wait_for(1, predicate=lambda r: r.conversation_id.startswith(CHANNEL))
    assert note.text == "個別チャットでお送りしました。"
    card = card_of(form)
    toggles = {k: v for k, v in inputs(card).items() if v["type"] == "Input.Toggle"}
    assert len(toggles) == 17
    ticked = {k: v["valueOn"] for k, v in toggles.items() if v["valueOn"] not in ("3", "10")}
    await post(client, issuer, connector, card_value(fill(card, **ticked), connector.service_url,
                                                     replyToId=form.response["id"]))
    [result] = await connector.wait_for(1, predicate=lambda r: "15/17" in str(r.attachments))
    assert result.conversation_id == "a:personal-1"
    assert all("15/17" not in str(r.attachments) for r in connector.requests if r.conversation_id != "a:personal-1")
    async with client.runtime.db.connect() as conn:
        assert len((await conn.execute(select(checklist_completions))).all()) == 1


def officer(activity: dict) -> dict:
    activity["from"] = {"id": "29:officer", "name": "法務 花子", "aadObjectId": OFFICER_AAD}
    return activity


async def test_remind_form_in_a_channel_thread_reminds_the_channel(bundled_client, issuer, connector, clock):
    client = bundled_client
    runtime = client.runtime
    await post(client, issuer, connector, officer(in_channel(connector.service_url, "リマインド", thread="1700000000005")))
    # The form goes to the manager's personal chat (a new one: they never opened it).
    [form] = await connector.wait_for(1, predicate=lambda r: r.kind == "send" and r.attachments)
    assert not form.conversation_id.startswith(CHANNEL)
    card = card_of(form)
    assert {"schedule", "kind", "text", "language", "skip_holidays"} <= set(inputs(card))

    wrong = fill(card, schedule="そのうち", kind="text", text="今週の確認をしましょう。")
    chat = {"id": form.conversation_id, "conversationType": "personal", "tenantId": TENANT_ID}
    await post(client, issuer, connector, officer(card_value(wrong, connector.service_url, conversation=chat,
                                                             replyToId=form.response["id"])))
    [update] = await connector.wait_for(1, predicate=lambda r: r.kind == "update")
    assert any("使える書き方" in t for t in texts(card_of(update)))

    right = fill(card, schedule="毎日 9:30", kind="text", text="今週の確認をしましょう。")
    await post(client, issuer, connector, officer(card_value(right, connector.service_url, conversation=chat,
                                                             replyToId=form.response["id"])))
    [done] = await connector.wait_for(1, predicate=lambda r: "#1" in str(r.attachments))
    assert done.conversation_id == form.conversation_id

    # Listing from another thread of the same channel finds it.
    await post(client, issuer, connector, officer(in_channel(connector.service_url, "reminders",  # ja-JP client: Japanese
                                                             thread="1700000000007")))
    [listing] = await connector.wait_for(1, predicate=lambda r: "このチャンネルのリマインダー" in str(r.attachments))
    assert f"#1 teams:{CHANNEL} " in str(listing.attachments)

    connector.reset()
    clock.advance(minutes=40)
    await runtime.reminders.dispatcher.run_once()
    await runtime.outbox.deliver_due()
    [posted] = await connector.wait_for(1)
    assert (posted.kind, posted.conversation_id) == ("send", CHANNEL)
    assert "今週の確認をしましょう。" in texts(card_of(posted))


# -- proactive delivery from another replica ----------------------------------------------------------

async def test_reference_saved_by_one_replica_serves_delivery_by_another(kdir, database_url, clock, issuer,
                                                                        connector):
    first = Runtime(teams_settings(kdir, database_url), clock=clock, outbox_poll_seconds=3600)
    second = Runtime(teams_settings(kdir, database_url), clock=clock, outbox_poll_seconds=3600)
    a = await serve(first, issuer)
    b = await serve(second, issuer)
    try:
        await post(a, issuer, connector, installation(connector.service_url))
        await post(a, issuer, connector, personal(connector.service_url, "help"))
        await connector.wait_for(1)
        connector.reset()
        async with second.db.begin() as conn:
            await enqueue(conn, clock, kind="reminder", destination=f"teams:{TEAM}",
                          reply=Reply("info", "ja", answer="今週の確認"), dedupe_key="r1")
            await enqueue(conn, clock, kind="status", destination=f"teams:user:{USER_AAD}",
                          reply=Reply("info", "ja", answer="状況のお知らせ", private=True), dedupe_key="r2")
        await second.outbox.deliver_due()
        sent = await connector.wait_for(2)
        assert {r.conversation_id for r in sent} == {TEAM, "a:personal-1"}
        assert all(issuer.verify_outbound(r.bearer, APP_ID) for r in sent)
    finally:
        await a.close()
        await b.close()


# -- group chats and Action.Execute outside the personal chat -----------------------------------------

def in_group_chat(service_url: str, text: str, **overrides) -> dict:
    activity = in_channel(service_url, text, **overrides)
    activity["conversation"] = {"id": "19:group-1@thread.v2", "conversationType": "groupChat", "isGroup": True,
                                "tenantId": TENANT_ID}
    activity["channelData"] = {"tenant": {"id": TENANT_ID}}
    return activity


async def test_group_chat_mention_is_stripped_and_answered_in_the_chat(client, issuer, connector):
    activity = in_group_chat(connector.service_url, "通話を録音してもいい?")
    await post(client, issuer, connector, activity)
    [reply] = await connector.wait_for(1)
    assert (reply.kind, reply.conversation_id, reply.activity_id) == ("reply", "19:group-1@thread.v2", activity["id"])
    assert texts(card_of(reply))[0] == "会話や電話を録音してよいか"


async def test_consult_by_action_execute_in_a_group_chat_opens_the_form_privately(client, issuer, connector):
    await post(client, issuer, connector, personal(connector.service_url, "help"))
    await connector.wait_for(1)
    connector.reset()
    activity = in_group_chat(connector.service_url, "", type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": "consult",
                   "data": {"action": "consult", "value": "type-violence", "lang": "ja"}}, "trigger": "manual"})
    del activity["text"]
    response = await post(client, issuer, connector, activity)
    body = await response.json()
    # The shared card is not replaced by the form: the form goes to the personal chat.
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == "個別チャットでお送りしました。"
    [form] = await connector.wait_for(1)
    assert form.conversation_id == "a:personal-1" and "summary" in inputs(card_of(form))
