"""The Teams fakes drive the real Microsoft 365 Agents SDK end to end, on loopback only.

A minimal AgentApplication is mounted on an aiohttp app exactly as the Teams
adapter will be (CloudAdapter + start_agent_process behind the SDK's JWT
decorator); inbound tokens are really validated by the SDK against the local
FakeTokenIssuer, and outbound calls reach the FakeBotConnector carrying a token
from a fake provider plugged into the SDK's public ConnectionManager.
"""

from __future__ import annotations

import uuid
from http import HTTPStatus

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from microsoft_agents.activity import (
    AdaptiveCardInvokeResponse,
    ConversationParameters,
    ConversationReference,
    ChannelAccount,
)
from microsoft_agents.authentication.msal import MsalAuth, MsalConnectionManager
from microsoft_agents.hosting.aiohttp import (
    CloudAdapter,
    jwt_authorization_decorator,
    start_agent_process,
)
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AuthTypes,
    ClaimsIdentity,
    MemoryStorage,
    MessageFactory,
    OutboundHostValidator,
    TurnContext,
    TurnState,
)

from tests.fakes.teams import (
    APP_ID,
    TENANT_ID,
    FakeAccessTokenProvider,
    FakeBotConnector,
    fake_connection_manager,
)

# The SDK keys the aiohttp app/request with plain strings ("agent_configuration", "claims_identity").
pytestmark = [pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning"),
              pytest.mark.usefixtures("no_microsoft")]

OTHER_TENANT = "22222222-2222-2222-2222-222222222222"

CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "品川区 ガイダンス — 確認しますか?", "wrap": True}],
    "actions": [
        {"type": "Action.Execute", "title": "はい / Yes", "verb": "confirm", "data": {"topic": "t1"}}
    ],
}


def auth_config(*, validate_issuer: bool = True, anonymous: bool = False) -> AgentAuthConfiguration:
    # Production has client_secret=MICROSOFT_APP_PASSWORD; the fake provider never reads it.
    return AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=APP_ID,
        tenant_id=TENANT_ID,
        client_secret="not-used-in-tests",
        validate_issuer=validate_issuer,
        anonymous_allowed=anonymous,
    )


class Bot:
    """What the Teams adapter will assemble, minus the guidance logic."""

    def __init__(self, connection_manager, host_validator: OutboundHostValidator | None = None):
        self.connection_manager = connection_manager
        self.adapter = CloudAdapter(connection_manager=connection_manager, host_validator=host_validator)
        self.turn_errors: list[BaseException] = []

        async def on_turn_error(context: TurnContext, error: Exception) -> None:
            # The SDK's default handler sends "Exception caught : ..." to the user.
            self.turn_errors.append(error)

        self.adapter.on_turn_error = on_turn_error
        self.agent = AgentApplication[TurnState](
            storage=MemoryStorage(),
            connection_manager=connection_manager,
            start_typing_timer=False,
        )
        self.references: dict[str, ConversationReference] = {}

        @self.agent.adaptive_card.action_execute("confirm")
        async def on_confirm(context: TurnContext, state: TurnState, data):
            return AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.activity.message",
                value=f"confirmed {data.get('topic')}",
            )

        @self.agent.message("card")
        async def on_card(context: TurnContext, state: TurnState):
            await context.send_activity(
                MessageFactory.attachment(
                    {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
                )
            )

        @self.agent.activity("message")
        async def on_message(context: TurnContext, state: TurnState):
            reference = context.activity.get_conversation_reference()
            self.references[reference.conversation.id] = reference
            await context.send_activity(f"echo: {context.activity.text}")

        @jwt_authorization_decorator
        async def messages(request: web.Request) -> web.StreamResponse:
            return await start_agent_process(request, self.agent, self.adapter)

        self.app = web.Application()
        # Read by the JWT decorator; comes from the connection manager like in production.
        self.app["agent_configuration"] = connection_manager.get_default_connection_configuration()
        self.app.router.add_post("/api/messages", messages)

        async def healthz(request: web.Request) -> web.Response:
            return web.Response(text="ok")

        self.app.router.add_get("/healthz", healthz)


def message_activity(service_url: str, text: str = "hello", **overrides) -> dict:
    activity = {
        "type": "message",
        "id": f"1700000000{uuid.uuid4().int % 1000:03d}",
        "timestamp": "2026-01-01T00:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:fake-user", "name": "Fake User", "aadObjectId": str(uuid.uuid4())},
        "conversation": {
            "id": "a:personal-chat-1",
            "conversationType": "personal",
            "tenantId": TENANT_ID,
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
        "text": text,
        "locale": "ja-JP",
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    activity.update(overrides)
    return activity


@pytest.fixture
def bot(issuer):
    return Bot(fake_connection_manager(auth_config(), issuer=issuer))


@pytest.fixture
async def client(bot):
    async with TestClient(TestServer(bot.app, host="127.0.0.1")) as client:
        yield client


def stored_reference(connector: FakeBotConnector, conversation_id: str) -> ConversationReference:
    # ``bot`` (the agent account) is required: sending fails validation without it.
    return ConversationReference(
        conversation={"id": conversation_id, "conversationType": "personal", "tenantId": TENANT_ID},
        service_url=connector.service_url,
        channel_id="msteams",
        bot={"id": f"28:{APP_ID}", "name": "guidance-bot"},
        user={"id": "29:fake-user"},
    )


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# ----------------------------------------------------------------------------- (a)


async def test_personal_message_with_valid_token_gets_reply(client, bot, issuer, connector):
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post(
        "/api/messages", json=message_activity(connector.service_url), headers=bearer(token)
    )
    assert response.status == HTTPStatus.ACCEPTED

    [reply] = await connector.wait_for(1)
    assert reply.kind == "reply"  # replyToId set by TurnContext -> reply to activity
    assert reply.path.startswith("/amer/v3/conversations/a:personal-chat-1/activities/")
    assert reply.text == "echo: hello"
    assert reply.activity["conversation"]["id"] == "a:personal-chat-1"
    assert reply.activity["recipient"]["id"] == "29:fake-user"
    # Outbound call carried the token the fake provider issued for our app id.
    assert issuer.verify_outbound(reply.bearer, APP_ID)
    provider = bot.connection_manager.get_default_connection()
    assert isinstance(provider, FakeAccessTokenProvider)
    assert any(r.scopes == ["https://api.botframework.com/.default"] for r in provider.requests)
    # Keys came from the fake, at the URL the SDK derives for Bot Framework tokens.
    assert issuer.sdk_jwks_uris == ["https://login.botframework.com/v1/.well-known/keys"]
    assert issuer.jwks_requests == 1
    assert bot.turn_errors == []


async def test_channel_mention_in_thread_replies_in_thread(client, bot, issuer, connector):
    thread = "19:abc@thread.tacv2;messageid=1700000000001"
    activity = message_activity(
        connector.service_url,
        text="<at>guidance-bot</at> 録音してよい?",
        conversation={
            "id": thread,
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT_ID,
        },
        entities=[
            {
                "type": "mention",
                "text": "<at>guidance-bot</at>",
                "mentioned": {"id": f"28:{APP_ID}", "name": "guidance-bot"},
            }
        ],
        channelData={
            "tenant": {"id": TENANT_ID},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": "19:abc@thread.tacv2"},
        },
    )
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post("/api/messages", json=activity, headers=bearer(token))
    assert response.status == HTTPStatus.ACCEPTED

    [reply] = await connector.wait_for(1)
    assert reply.conversation_id == thread  # aiohttp decodes the path; the thread id survives
    assert reply.activity_id == activity["id"]
    assert reply.text == "echo: 録音してよい?"  # SDK removed the @mention of the bot


async def test_entra_token_for_our_tenant_is_accepted(client, issuer, connector):
    token = issuer.issue(APP_ID, TENANT_ID, service_url=connector.service_url)
    response = await client.post(
        "/api/messages", json=message_activity(connector.service_url), headers=bearer(token)
    )
    assert response.status == HTTPStatus.ACCEPTED
    await connector.wait_for(1)
    assert issuer.sdk_jwks_uris == [
        f"https://login.microsoftonline.com/{TENANT_ID}/discovery/v2.0/keys"
    ]


# ----------------------------------------------------------------------------- (b)


@pytest.mark.parametrize(
    "make_headers",
    [
        pytest.param(lambda issuer, url: {}, id="no-header"),
        pytest.param(lambda issuer, url: {"Authorization": "Basic dXNlcjpwdw=="}, id="not-bearer"),
        pytest.param(lambda issuer, url: bearer("not-a-jwt"), id="garbage"),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(str(uuid.uuid4()), service_url=url)),
            id="wrong-audience",
        ),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(APP_ID, OTHER_TENANT, service_url=url)),
            id="wrong-tenant",
        ),
        pytest.param(
            lambda issuer, url: bearer(
                issuer.issue(
                    APP_ID, TENANT_ID, claims={"tid": OTHER_TENANT}, service_url=url
                )
            ),
            id="tid-not-matching-issuer",
        ),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(APP_ID, issuer="https://evil.example.com/")),
            id="unknown-issuer",
        ),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(APP_ID, expires_in=-3600, service_url=url)),
            id="expired",
        ),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(APP_ID, foreign_key=True, service_url=url)),
            id="signed-by-other-key",
        ),
        pytest.param(
            lambda issuer, url: bearer(issuer.issue(APP_ID, kid="unknown-kid", service_url=url)),
            id="unknown-kid",
        ),
    ],
)
async def test_rejected_tokens_get_401_and_no_turn(client, bot, issuer, connector, make_headers):
    response = await client.post(
        "/api/messages",
        json=message_activity(connector.service_url),
        headers=make_headers(issuer, connector.service_url),
    )
    assert response.status == HTTPStatus.UNAUTHORIZED
    body = await response.json()
    assert "error" in body and "Traceback" not in str(body)
    assert connector.requests == []
    assert bot.references == {}


async def test_without_issuer_validation_a_foreign_tenant_token_is_accepted(issuer, connector):
    """Pins the SDK default: VALIDATE_ISSUER is off, so the adapter MUST turn it on."""
    bot = Bot(fake_connection_manager(auth_config(validate_issuer=False), issuer=issuer))
    async with TestClient(TestServer(bot.app, host="127.0.0.1")) as client:
        token = issuer.issue(APP_ID, OTHER_TENANT, service_url=connector.service_url)
        response = await client.post(
            "/api/messages", json=message_activity(connector.service_url), headers=bearer(token)
        )
    assert response.status == HTTPStatus.ACCEPTED


async def test_decorator_only_guards_the_bot_route(client):
    response = await client.get("/healthz")
    assert response.status == 200


async def test_host_validator_rejects_non_microsoft_service_url(issuer, connector):
    """Production should enable it; it refuses http/loopback service URLs (so tests disable it)."""
    bot = Bot(
        fake_connection_manager(auth_config(), issuer=issuer),
        host_validator=OutboundHostValidator(enabled=True),
    )
    async with TestClient(TestServer(bot.app, host="127.0.0.1")) as client:
        token = issuer.issue(APP_ID, service_url=connector.service_url)
        response = await client.post(
            "/api/messages", json=message_activity(connector.service_url), headers=bearer(token)
        )
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert connector.requests == []
    validator = OutboundHostValidator(enabled=True)
    assert validator.is_allowed("https://smba.trafficmanager.net/amer/")
    assert not validator.is_allowed("https://attacker.example.com/")


async def test_anonymous_mode_for_local_testing(issuer):
    """GUIDANCE_TEAMS_ALLOW_UNAUTHENTICATED=1: no header accepted, bad header still 401."""
    bot = Bot(fake_connection_manager(auth_config(anonymous=True), issuer=issuer))
    async with FakeBotConnector() as connector, TestClient(
        TestServer(bot.app, host="127.0.0.1")
    ) as client:
        response = await client.post("/api/messages", json=message_activity(connector.service_url))
        assert response.status == HTTPStatus.ACCEPTED
        [reply] = await connector.wait_for(1)
        # Anonymous turn -> the SDK's AnonymousTokenProvider -> no Authorization header
        # (a real connector would reject this; the emulator / Agents Playground accepts).
        assert reply.authorization is None
        assert bot.connection_manager.get_default_connection().requests == []
        response = await client.post(
            "/api/messages", json=message_activity(connector.service_url), headers=bearer("junk")
        )
        assert response.status == HTTPStatus.UNAUTHORIZED

        # Proactive in this mode: an empty ClaimsIdentity is "anonymous" (continue_conversation
        # with an app id would ask the token provider, i.e. MSAL, for a token).
        async def send(context: TurnContext) -> None:
            await context.send_activity("local reminder")

        await bot.adapter.continue_conversation_with_claims(
            ClaimsIdentity(), stored_reference(connector, "a:local").get_continuation_activity(), send
        )
        assert bot.turn_errors == []
        assert connector.messages()[-1].text == "local reminder"
        assert connector.messages()[-1].authorization is None
        assert bot.connection_manager.get_default_connection().requests == []


# ----------------------------------------------------------------------------- (c)


async def test_proactive_message_from_stored_reference(client, bot, issuer, connector):
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    await client.post("/api/messages", json=message_activity(connector.service_url), headers=bearer(token))
    await connector.wait_for(1)

    # Store and reload the reference the way a database would (JSON round trip).
    stored = bot.references["a:personal-chat-1"].model_dump(mode="json", by_alias=True, exclude_none=True)
    reference = ConversationReference.model_validate(stored)

    async def send(context: TurnContext) -> None:
        await context.send_activity("リマインダー / reminder")

    # ChannelServiceAdapter.continue_conversation takes an *Activity*, not a reference.
    continuation = reference.get_continuation_activity()
    await bot.adapter.continue_conversation(APP_ID, continuation, send)

    [_, proactive] = await connector.wait_for(2)
    # The continuation activity gets a random id, so the SDK posts a "reply" to it
    # (same as BotBuilder did; the Teams service accepts it as a new message).
    assert proactive.kind == "reply" and proactive.activity_id == continuation.id
    assert proactive.path.startswith("/amer/v3/conversations/a:personal-chat-1/activities/")
    assert proactive.text == "リマインダー / reminder"
    assert issuer.verify_outbound(proactive.bearer, APP_ID)


async def test_proactive_new_personal_chat_via_create_conversation(bot, issuer, connector):
    created: list[str] = []

    async def send(context: TurnContext) -> None:
        created.append(context.activity.conversation.id)
        await context.send_activity("はじめまして")

    await bot.adapter.create_conversation(
        APP_ID,
        "msteams",
        connector.service_url,
        "https://api.botframework.com",
        ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=f"28:{APP_ID}"),
            members=[ChannelAccount(id="29:fake-user")],
            tenant_id=TENANT_ID,
            channel_data={"tenant": {"id": TENANT_ID}},
        ),
        send,
    )
    [create] = await connector.wait_for(1, predicate=lambda r: r.kind == "create_conversation")
    assert create.body["members"] == [{"id": "29:fake-user"}]
    assert create.body["tenantId"] == TENANT_ID
    [message] = await connector.wait_for(1)
    assert message.conversation_id == created[0] == create.response["id"]
    assert message.text == "はじめまして"


async def test_proactive_update_and_members(bot, issuer, connector):
    reference = stored_reference(connector, "a:personal-chat-9")
    seen: dict = {}

    async def send(context: TurnContext) -> None:
        sent = await context.send_activity("v1")
        update = MessageFactory.text("v2")
        update.id = sent.id
        await context.update_activity(update)
        client = context.services.get(ConnectorClientBase)
        seen["members"] = await client.conversations.get_conversation_members("a:personal-chat-9")

    await bot.adapter.continue_conversation(APP_ID, reference.get_continuation_activity(), send)
    sent, updated = await connector.wait_for(2)
    assert (sent.kind, updated.kind) == ("reply", "update")
    assert updated.activity_id == sent.response["id"] and updated.text == "v2"
    assert [m.id for m in seen["members"]] == ["29:fake-user"]


async def test_failure_injection_surfaces_to_caller(bot, connector):
    reference = stored_reference(connector, "a:personal-chat-2")

    async def send(context: TurnContext) -> None:
        await context.send_activity("hello")

    connector.fail(times=1, status=429, retry_after=3)
    connector.fail(times=1, status=500)
    for expected in (429, 500):
        bot.turn_errors.clear()
        await bot.adapter.continue_conversation(APP_ID, reference.get_continuation_activity(), send)
        # No retry in the SDK: the error reaches on_turn_error (the caller must retry).
        [error] = bot.turn_errors
        assert isinstance(error, aiohttp.ClientResponseError) and error.status == expected
    await bot.adapter.continue_conversation(APP_ID, reference.get_continuation_activity(), send)
    assert [r.status for r in connector.requests] == [429, 500, 201]
    assert connector.requests[0].response["error"]["code"] == "TooManyRequests"
    assert len(connector.messages()) == 1


async def test_connector_rejects_missing_outbound_token(issuer, connector):
    bot = Bot(fake_connection_manager(auth_config(), issuer=issuer, token="x" * 20))
    reference = stored_reference(connector, "a:c")

    async def send(context: TurnContext) -> None:
        await context.send_activity("hello")

    await bot.adapter.continue_conversation(APP_ID, reference.get_continuation_activity(), send)
    assert [r.status for r in connector.requests] == [401]
    assert bot.turn_errors and bot.turn_errors[0].status == 401


# ----------------------------------------------------------------------------- (d)


async def test_adaptive_card_reply_recorded_intact(client, issuer, connector):
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post(
        "/api/messages", json=message_activity(connector.service_url, text="card"), headers=bearer(token)
    )
    assert response.status == HTTPStatus.ACCEPTED
    [reply] = await connector.wait_for(1)
    assert reply.attachments == [
        {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
    ]


# ----------------------------------------------------------------------------- (e)


async def test_action_execute_invoke_gets_invoke_response(client, issuer, connector):
    activity = message_activity(
        connector.service_url,
        type="invoke",
        name="adaptiveCard/action",
        value={
            "action": {"type": "Action.Execute", "verb": "confirm", "data": {"topic": "t1"}},
            "trigger": "manual",
        },
    )
    del activity["text"]
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post("/api/messages", json=activity, headers=bearer(token))
    assert response.status == 200
    assert await response.json() == {
        "statusCode": 200,
        "type": "application/vnd.microsoft.activity.message",
        "value": "confirmed t1",
    }
    # Invoke responses travel in the HTTP response, not through the connector.
    assert connector.activities == []


async def test_unhandled_invoke_is_501(client, issuer, connector):
    activity = message_activity(
        connector.service_url, type="invoke", name="composeExtension/query", value={}
    )
    token = issuer.issue(APP_ID, service_url=connector.service_url)
    response = await client.post("/api/messages", json=activity, headers=bearer(token))
    assert response.status == HTTPStatus.NOT_IMPLEMENTED


# ----------------------------------------------------------------------------- production


def test_production_single_tenant_configuration_builds_offline():
    """The MSAL wiring the adapter will use: no network until a token is needed."""
    env = {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "secret",
        "MICROSOFT_APP_TENANT_ID": TENANT_ID,
        "MICROSOFT_APP_TYPE": "SingleTenant",
    }
    config = AgentAuthConfiguration(
        auth_type=AuthTypes.client_secret,
        client_id=env["MICROSOFT_APP_ID"],
        client_secret=env["MICROSOFT_APP_PASSWORD"],
        tenant_id=env["MICROSOFT_APP_TENANT_ID"],
        validate_issuer=True,
        anonymous_allowed=False,
    )
    manager = MsalConnectionManager(connections_configurations={"SERVICE_CONNECTION": config})
    provider = manager.get_default_connection()
    assert isinstance(provider, MsalAuth)
    assert MsalAuth._resolve_authority(config) == f"https://login.microsoftonline.com/{TENANT_ID}"
    assert manager.get_default_connection_configuration() is config
    assert set(config.ISSUERS) == {
        "https://api.botframework.com",
        f"https://sts.windows.net/{TENANT_ID}/",
        f"https://login.microsoftonline.com/{TENANT_ID}/v2.0",
    }
    CloudAdapter(connection_manager=manager, host_validator=OutboundHostValidator(enabled=True))
