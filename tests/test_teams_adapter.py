"""The Teams adapter end to end over HTTP: activities POSTed to /api/messages of the real server app,
authenticated by the SDK against a local token issuer, replies landing in a fake Bot Connector."""

from __future__ import annotations

import json
import logging
import uuid
from http import HTTPStatus

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from guidance_bot.forms import Field, Form, FormErrors, Option
from guidance_bot.outbox import DeliveryError, enqueue
from guidance_bot.platforms import TeamsSettings, parse_destination
from guidance_bot.replies import Reply
from guidance_bot.runtime import Runtime
from guidance_bot.server import MOUNTED, create_app
from guidance_bot.store.tables import answers, conversation_refs
from guidance_teams import auth_configuration, mount, mount_with

from tests.conftest import make_settings
from tests.fakes.teams import APP_ID, TENANT_ID, FakeBotConnector, fake_connection_manager

pytestmark = [pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
              pytest.mark.usefixtures("no_microsoft")]

OTHER_TENANT = "22222222-2222-2222-2222-222222222222"
USER_AAD = "aaaaaaaa-0000-0000-0000-000000000001"
USER_ID = "29:user-1"
CHANNEL = "19:general@thread.tacv2"
TEAM = "19:team@thread.tacv2"


@pytest.fixture
def runtime(kdir, sqlite_url, clock):
    settings = make_settings(kdir, sqlite_url, teams=TeamsSettings(app_id=APP_ID, app_password="x",
                                                                   tenant_id=TENANT_ID))
    # The background outbox loop idles: tests drive delivery with deliver_due().
    return Runtime(settings, clock=clock, outbox_poll_seconds=3600)


@pytest.fixture
async def client(runtime, issuer):
    def test_mount(app, rt):
        manager = fake_connection_manager(auth_configuration(rt.settings.teams), issuer=issuer)
        return mount_with(app, rt, connection_manager=manager, host_validator_enabled=False)

    app = create_app(runtime, adapters={"teams": test_mount})
    assert app[MOUNTED] == ["teams"]
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client


def personal(service_url: str, text: str = "", **overrides) -> dict:
    activity = {
        "type": "message",
        "id": f"1700{uuid.uuid4().int % 10**9:09d}",
        "timestamp": "2026-11-25T00:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": USER_ID, "name": "品川 太郎", "aadObjectId": USER_AAD},
        "conversation": {"id": "a:personal-1", "conversationType": "personal", "tenantId": TENANT_ID},
        "recipient": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
        "text": text,
        "locale": "ja-JP",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    activity.update(overrides)
    return activity


def in_channel(service_url: str, text: str, *, thread: str = "1700000000001", **overrides) -> dict:
    mention = "<at>guidance-bot</at>"
    return personal(
        service_url, f"{mention} {text}",
        conversation={"id": f"{CHANNEL};messageid={thread}", "conversationType": "channel", "isGroup": True,
                      "tenantId": TENANT_ID},
        entities=[{"type": "mention", "text": mention, "mentioned": {"id": f"28:{APP_ID}", "name": "guidance-bot"}}],
        channelData={"tenant": {"id": TENANT_ID}, "team": {"id": TEAM}, "channel": {"id": CHANNEL}},
        **overrides)


def card_value(value: dict, service_url: str, **overrides) -> dict:
    activity = personal(service_url, value=value, **overrides)
    del activity["text"]
    return activity


async def post(client, issuer, connector, activity, **token_args):
    token = issuer.issue(APP_ID, service_url=connector.service_url, **token_args)
    return await client.post("/api/messages", json=activity, headers={"Authorization": f"Bearer {token}"})


def card_of(request) -> dict:
    [attachment] = request.attachments
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def texts(card: dict) -> list[str]:
    found: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card.get("body", []))
    return found


def buttons(card: dict) -> list[dict]:
    """Every button of a card: those in the body's action sets, then the card's own."""
    inside = [a for b in card["body"] if b.get("type") == "ActionSet" for a in b["actions"]]
    return inside + card.get("actions", [])


def inputs(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in card["body"] if e.get("type", "").startswith("Input.")}


# -- conversations ----------------------------------------------------------------------------------

async def test_personal_chat_answer_card_alert_first(client, issuer, connector):
    response = await post(client, issuer, connector, personal(connector.service_url, "殴られた"))
    assert response.status == HTTPStatus.ACCEPTED
    [reply] = await connector.wait_for(1)
    assert reply.conversation_id == "a:personal-1" and issuer.verify_outbound(reply.bearer, APP_ID)
    card = card_of(reply)
    assert card["version"] == "1.5"
    first = card["body"][0]
    assert first["type"] == "Container" and first["style"] == "attention"
    assert "身の危険があればすぐに110番。" in texts({"body": [first]})
    assert card["body"][1]["text"] == "暴力型"
    shown = texts(card)
    assert "直ちにその場を離れ、警察に通報します。" in shown
    assert any(t.startswith("出典:") and "第7章 TYPE.2" in t for t in shown)
    titles = [a["title"] for a in buttons(card)]
    assert titles == ["指導員（弁護士）に相談する", "👍", "👎"]
    assert texts(card)[-1] == "この回答は役に立ちましたか？"


async def test_phrases_as_quotes_and_english(client, issuer, connector):
    await post(client, issuer, connector, personal(connector.service_url, "can I record the call?"))
    [reply] = await connector.wait_for(1)
    shown = texts(card_of(reply))
    assert "“To keep an accurate record, I will record what we discuss.”" in shown
    assert "Example phrases (対応例)" in shown


async def test_channel_mention_is_stripped_and_reply_lands_in_thread(client, runtime, issuer, connector):
    async def echo(message, args, lang):
        return Reply("info", lang, answer=f"args=[{args}] private={message.private}")

    runtime.bot.register_command("echo", ("echo",), echo, help=None)
    activity = in_channel(connector.service_url, "echo 録音")
    await post(client, issuer, connector, activity)
    [reply] = await connector.wait_for(1)
    assert reply.kind == "reply"
    assert reply.conversation_id == f"{CHANNEL};messageid=1700000000001"
    assert reply.activity_id == activity["id"]
    assert texts(card_of(reply)) == ["args=[録音] private=False"]


async def test_private_reply_in_channel_goes_to_personal_chat(client, issuer, connector):
    await post(client, issuer, connector, in_channel(connector.service_url, "ヘルプ"))
    [create] = await connector.wait_for(1, predicate=lambda r: r.kind == "create_conversation")
    assert create.body["members"] == [{"id": USER_ID}] and create.body["tenantId"] == TENANT_ID
    private, note = await connector.wait_for(2)
    assert private.conversation_id == create.response["id"]
    assert "guidance-bot の使い方" in texts(card_of(private))
    assert note.conversation_id.startswith(CHANNEL) and note.text == "個別チャットでお送りしました。"
    assert not note.attachments

    # The new chat was kept: the next private reply continues it instead of creating another.
    await post(client, issuer, connector, in_channel(connector.service_url, "ヘルプ", thread="1700000000002"))
    _, _, again, _ = await connector.wait_for(4)
    assert again.conversation_id == create.response["id"]
    assert len([r for r in connector.requests if r.kind == "create_conversation"]) == 1


async def test_retried_activity_is_answered_once(client, issuer, connector):
    activity = personal(connector.service_url, "通話を録音してもいい?")
    for _ in range(2):
        assert (await post(client, issuer, connector, activity)).status == HTTPStatus.ACCEPTED
    await connector.wait_for(1)
    await post(client, issuer, connector, personal(connector.service_url, "help"))
    await connector.wait_for(2)
    assert len(connector.messages()) == 2


# -- authentication and malformed requests ------------------------------------------------------------

@pytest.mark.parametrize("how", ["none", "wrong-tenant", "garbage", "other-app", "expired", "forged",
                                 "other-issuer"])
async def test_requests_without_a_valid_token_get_401(client, runtime, issuer, connector, how):
    activity = personal(connector.service_url, "殴られた")
    url = connector.service_url
    tokens = {
        "wrong-tenant": lambda: issuer.issue(APP_ID, OTHER_TENANT, service_url=url),
        "other-app": lambda: issuer.issue("00000000-0000-0000-0000-0000000000ff", service_url=url),
        "expired": lambda: issuer.issue(APP_ID, service_url=url, expires_in=-600),
        "forged": lambda: issuer.issue(APP_ID, service_url=url, foreign_key=True),
        "other-issuer": lambda: issuer.issue(APP_ID, service_url=url, issuer="https://evil.example/"),
    }
    headers = ({} if how == "none" else {"Authorization": "Bearer nope"} if how == "garbage"
               else {"Authorization": "Bearer " + tokens[how]()})
    response = await client.post("/api/messages", json=activity, headers=headers)
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert connector.requests == []
    async with runtime.db.connect() as conn:
        assert (await conn.execute(select(conversation_refs))).all() == []


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"text": "no type"}',
                                  b'{"type": "message"}', b'{"type": "message", "conversation": {"id": 5}}'])
async def test_malformed_bodies_get_400(client, issuer, connector, body):
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post("/api/messages", data=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status == HTTPStatus.BAD_REQUEST
    assert connector.requests == []


async def test_production_mount_requires_a_token(runtime, connector):
    app = create_app(runtime, adapters={"teams": mount})
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json=personal(connector.service_url, "help"))
        assert response.status == HTTPStatus.UNAUTHORIZED
        assert (await client.get("/healthz")).status == 200
    assert connector.requests == []


async def test_unauthenticated_local_mode_warns_and_accepts(kdir, sqlite_url, clock, caplog):
    settings = make_settings(kdir, sqlite_url, teams=TeamsSettings(allow_unauthenticated=True))
    runtime = Runtime(settings, clock=clock, outbox_poll_seconds=3600)
    caplog.set_level(logging.WARNING, logger="guidance_teams")
    app = create_app(runtime, adapters={"teams": mount})
    assert any("GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED" in r.getMessage() for r in caplog.records
               if r.levelno == logging.WARNING)
    async with FakeBotConnector() as connector, TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json=personal(connector.service_url, "help"))
        assert response.status == HTTPStatus.ACCEPTED
        [reply] = await connector.wait_for(1)
        assert reply.authorization is None
        # A bad token is still refused.
        response = await client.post("/api/messages", json=personal(connector.service_url, "help"),
                                     headers={"Authorization": "Bearer junk"})
        assert response.status == HTTPStatus.UNAUTHORIZED


async def test_not_mounted_without_settings(kdir, sqlite_url, clock):
    runtime = Runtime(make_settings(kdir, sqlite_url), clock=clock)
    app = create_app(runtime, adapters={"teams": mount})
    assert app[MOUNTED] == [] and "teams" not in runtime.senders
    await runtime.db.close()


# -- card actions -------------------------------------------------------------------------------------

async def test_show_action_sends_the_entry(client, issuer, connector):
    value = {"action": "show", "value": "recording-calls", "lang": "en"}
    await post(client, issuer, connector, card_value(value, connector.service_url))
    [reply] = await connector.wait_for(1)
    assert card_of(reply)["body"][0]["text"] == "May I record the call?"


async def test_feedback_is_recorded(client, runtime, issuer, connector):
    await post(client, issuer, connector, personal(connector.service_url, "通話を録音してもいい?"))
    [reply] = await connector.wait_for(1)
    up = next(a for a in card_of(reply)["actions"] if a["title"] == "👍")
    assert up["type"] == "Action.Submit" and up["data"]["action"] == "feedback"
    await post(client, issuer, connector, card_value(up["data"], connector.service_url))
    [_, thanks] = await connector.wait_for(2)
    assert "フィードバックありがとうございます" in texts(card_of(thanks))[0]
    async with runtime.db.connect() as conn:
        assert (await conn.execute(select(answers.c.feedback))).scalars().all() == [1]


async def test_action_execute_answers_in_the_invoke_response(client, issuer, connector):
    activity = personal(connector.service_url, type="invoke", name="adaptiveCard/action", value={
        "action": {"type": "Action.Execute", "verb": "show",
                   "data": {"action": "show", "value": "recording-calls", "lang": "ja"}},
        "trigger": "manual"})
    del activity["text"]
    response = await post(client, issuer, connector, activity)
    assert response.status == 200
    body = await response.json()
    assert body["statusCode"] == 200 and body["type"] == "application/vnd.microsoft.card.adaptive"
    assert body["value"]["body"][0]["text"] == "会話や電話を録音してよいか"
    assert connector.messages() == []


# -- forms ----------------------------------------------------------------------------------------------

TEST_FORM = Form("test-form", "ja", "テスト申請", "送信", (
    Field("name", "氏名", "text", required=True, max_length=40),
    Field("details", "内容", "textarea", max_length=500, hint="具体的に"),
    Field("kind", "種類", "select", required=True, options=(Option("a", "A"), Option("b", "B"))),
    Field("items", "確認", "checkboxes", options=(Option("x", "X"), Option("y", "Y"), Option("z", "Z"))),
    Field("ok", "同意", "toggle"),
), intro="説明", context={"origin": "test"})


@pytest.fixture
def with_test_form(runtime):
    received = []

    async def open_form(message, args, lang):
        return TEST_FORM

    async def submitted(submission):
        received.append(submission)
        if not submission.values.get("name"):
            return FormErrors(TEST_FORM, {"name": "氏名を入力してください"})
        return Reply("info", "ja", answer="受け付けました: " + str(submission.values["name"]), private=True)

    runtime.bot.register_command("testform", ("testform",), open_form, help=None)
    runtime.bot.register_form("test-form", submitted)
    return received


async def test_form_card_errors_and_submission(client, issuer, connector, with_test_form):
    await post(client, issuer, connector, personal(connector.service_url, "testform"))
    [sent] = await connector.wait_for(1)
    card = card_of(sent)
    fields = inputs(card)
    assert fields["name"]["type"] == "Input.Text" and fields["name"]["isRequired"]
    assert fields["name"]["maxLength"] == 40 and fields["name"]["errorMessage"]
    assert fields["details"]["isMultiline"] is True
    assert [c["value"] for c in fields["kind"]["choices"]] == ["a", "b"]
    assert [fields[f"items.{i}"]["type"] for i in range(3)] == ["Input.Toggle"] * 3
    assert fields["ok"]["type"] == "Input.Toggle"
    [submit] = card["actions"]
    card_id = sent.response["id"]

    # Teams merges the inputs into the submit data.
    data = dict(submit["data"], name="", kind="a", **{"items.0": "x", "items.1": "", "items.2": "z"}, ok="true")
    await post(client, issuer, connector, card_value(data, connector.service_url, replyToId=card_id))
    [update] = await connector.wait_for(1, predicate=lambda r: r.kind == "update")
    assert update.activity_id == card_id
    shown = card_of(update)["body"]
    error = next(i for i, e in enumerate(shown) if e.get("text") == "氏名を入力してください")
    assert shown[error]["color"] == "Attention" and shown[error - 1]["id"] == "name"

    data["name"] = "品川 太郎"
    await post(client, issuer, connector, card_value(data, connector.service_url, replyToId=card_id))
    [_, done] = await connector.wait_for(2, predicate=lambda r: r.kind == "update")
    # The result replaces the form, as a Slack modal closes.
    assert done.activity_id == card_id and texts(card_of(done)) == ["受け付けました: 品川 太郎"]
    assert [r.kind for r in connector.messages()] == ["reply", "update", "update"]
    last = with_test_form[-1]
    assert last.values == {"name": "品川 太郎", "details": "", "kind": "a", "items": ["x", "z"], "ok": True}
    assert last.context == {"origin": "test"} and last.lang == "ja"
    assert last.key == with_test_form[0].key  # the same card: a double click is recognisable


async def test_form_started_in_channel_continues_in_personal_chat(client, issuer, connector, with_test_form):
    await post(client, issuer, connector, in_channel(connector.service_url, "testform"))
    form, note = await connector.wait_for(2)
    assert form.conversation_id != note.conversation_id
    assert "name" in inputs(card_of(form))
    assert note.text == "個別チャットでお送りしました。"


async def test_consult_form_when_available(client, runtime, issuer, connector):
    if "consult" not in {c.name for c in runtime.bot.commands}:
        pytest.skip("the consultation feature is not wired into this runtime yet")
    await post(client, issuer, connector, personal(connector.service_url, "consult"))
    [sent] = await connector.wait_for(1)
    card = card_of(sent)
    assert {"category", "summary", "urgency"} <= set(inputs(card))
    data = dict(card["actions"][0]["data"], category="", summary="", urgency="")
    await post(client, issuer, connector, card_value(data, connector.service_url, replyToId=sent.response["id"]))
    [update] = await connector.wait_for(1, predicate=lambda r: r.kind == "update")
    assert any(e.get("color") == "Attention" for e in card_of(update)["body"])


# -- proactive ----------------------------------------------------------------------------------------

def installation(service_url: str) -> dict:
    return {
        "type": "installationUpdate", "action": "add", "id": "f:install-1", "serviceUrl": service_url,
        "channelId": "msteams", "from": {"id": USER_ID, "aadObjectId": USER_AAD},
        "recipient": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
        "conversation": {"id": TEAM, "conversationType": "channel", "isGroup": True, "tenantId": TENANT_ID},
        "channelData": {"tenant": {"id": TENANT_ID}, "team": {"id": TEAM},
                        "settings": {"selectedChannel": {"id": TEAM}}},
    }


async def test_installation_reference_serves_proactive_outbox_delivery(client, runtime, issuer, connector):
    response = await post(client, issuer, connector, installation(connector.service_url))
    assert response.status == HTTPStatus.ACCEPTED
    async with runtime.db.connect() as conn:
        row = (await conn.execute(select(conversation_refs).where(conversation_refs.c.key == f"teams:{TEAM}"))).one()
    assert row.scope == "team" and row.reference["serviceUrl"] == connector.service_url
    assert connector.requests == []

    reminder = Reply("info", "ja", title="リマインダー", answer="今週の確認をしましょう。")
    async with runtime.db.begin() as conn:
        await enqueue(conn, runtime.clock, kind="reminder", destination=f"teams:{TEAM}", reply=reminder,
                      dedupe_key="r1")
    await runtime.outbox.deliver_due()
    [sent] = await connector.wait_for(1)
    assert sent.conversation_id == TEAM and issuer.verify_outbound(sent.bearer, APP_ID)
    assert sent.kind == "send"  # a new post in the channel, not a reply to a made-up activity
    assert texts(card_of(sent)) == ["リマインダー", "今週の確認をしましょう。"]


async def test_a_channel_of_an_installed_team_is_reached_without_being_addressed(client, runtime, issuer,
                                                                                 connector):
    """An administrator configures a channel (e.g. the office's) and adds the app to its team: the
    installation names only the team, yet the channel must be reachable."""
    await post(client, issuer, connector, installation(connector.service_url))
    sender = runtime.senders["teams"]
    office = "19:legal-office@thread.tacv2"
    await sender.send(parse_destination(f"teams:{office}"), Reply("info", "ja", answer="相談の通知"))
    [sent] = await connector.wait_for(1)
    assert (sent.kind, sent.conversation_id) == ("send", office)
    assert issuer.verify_outbound(sent.bearer, APP_ID) and texts(card_of(sent)) == ["相談の通知"]
    # Not in that channel's team: the Bot Connector refuses, the outbox will retry.
    connector.fail(times=1, status=403)
    with pytest.raises(DeliveryError):
        await sender.send(parse_destination(f"teams:{office}"), Reply("info", "ja", answer="x"))


async def test_uninstall_forgets_the_reference(client, runtime, issuer, connector):
    await post(client, issuer, connector, installation(connector.service_url))
    await post(client, issuer, connector, dict(installation(connector.service_url), action="remove", id="f:2"))
    async with runtime.db.connect() as conn:
        keys = (await conn.execute(select(conversation_refs.c.key))).scalars().all()
    assert f"teams:{TEAM}" not in keys


async def test_throttled_send_raises_delivery_error_then_succeeds(client, runtime, issuer, connector):
    await post(client, issuer, connector, personal(connector.service_url, "help"))
    await connector.wait_for(1)
    sender = runtime.senders["teams"]
    connector.fail(times=1, status=429, retry_after=7)
    with pytest.raises(DeliveryError) as raised:
        await sender.send(parse_destination(f"teams:user:{USER_AAD}"), Reply("info", "ja", answer="通知"))
    assert raised.value.retry_after == 7
    await sender.send(parse_destination(f"teams:user:{USER_AAD}"), Reply("info", "ja", answer="通知"))
    [_, delivered] = await connector.wait_for(2)
    assert delivered.conversation_id == "a:personal-1" and texts(card_of(delivered)) == ["通知"]


async def test_unknown_destination_raises_delivery_error(client, runtime):
    with pytest.raises(DeliveryError):
        await runtime.senders["teams"].send(parse_destination("teams:19:unknown@thread.tacv2"),
                                            Reply("info", "ja", answer="x"))
    with pytest.raises(DeliveryError):
        await runtime.senders["teams"].send(parse_destination("teams:user:nobody"), Reply("info", "ja", answer="x"))


async def test_turn_error_apologises_and_counts(client, runtime, issuer, connector, caplog):
    async def broken(message, args, lang):
        raise RuntimeError("secret details")

    runtime.bot.register_command("broken", ("broken",), broken, help=None)
    await post(client, issuer, connector, personal(connector.service_url, "broken"))
    [reply] = await connector.wait_for(1)
    assert reply.text.startswith("Sorry, something went wrong")
    assert runtime.metrics.registry.get_sample_value("guidance_errors_total", {"where": "teams"}) == 1
    assert "secret details" not in caplog.text and "secret details" not in json.dumps(reply.activity)


# -- the reference store on both databases ------------------------------------------------------------

async def test_reference_store_roundtrip(database_url, clock):
    from microsoft_agents.activity import Activity

    from guidance_bot.store import Database
    from guidance_teams.references import ReferenceStore

    db = Database(database_url)
    store = ReferenceStore(db, clock)
    url = "https://smba.trafficmanager.net/amer/"
    try:
        await store.remember(Activity.model_validate(personal(url, "hi")))
        await store.remember(Activity.model_validate(in_channel(url, "hi")))
        clock.advance(minutes=1)
        await store.remember(Activity.model_validate(in_channel(url, "again", thread="9")))  # upsert
        assert (await store.personal(USER_AAD)).conversation.id == "a:personal-1"
        assert (await store.member(USER_AAD)).user.id == USER_ID
        channel = await store.get(CHANNEL)
        assert channel.conversation.id == CHANNEL and channel.activity_id is None
        assert (await store.get(f"{CHANNEL};messageid=5")).conversation.id == f"{CHANNEL};messageid=5"
        assert (await store.any_in_tenant(TENANT_ID)).service_url == url
        assert await store.any_in_tenant(OTHER_TENANT) is None
        await store.forget(f"{CHANNEL};messageid=9")
        assert await store.get(CHANNEL) is None
        async with db.connect() as conn:
            rows = (await conn.execute(select(conversation_refs.c.key, conversation_refs.c.scope))).all()
        assert sorted(rows) == [("teams:a:personal-1", "personal"), (f"teams:user:{USER_AAD}", "member")]
    finally:
        await db.close()


async def test_a_bare_command_word_follows_the_teams_client_language(client, issuer, connector):
    await post(client, issuer, connector, personal(connector.service_url, "help"))  # ja-JP client
    await post(client, issuer, connector, personal(connector.service_url, "help", locale="en-US"))
    first, second = await connector.wait_for(2)
    assert "使い方" in " ".join(texts(card_of(first)))
    assert "How to use" in " ".join(texts(card_of(second)))
