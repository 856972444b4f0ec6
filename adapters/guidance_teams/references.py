"""Teams conversation references in the database, so that any replica can post proactively.

A reference (service URL, conversation, bot account, tenant) is what the Bot Connector needs to
post into a conversation the bot did not start. Rows in ``conversation_refs``:

- ``teams:<conversation id>``: a personal chat (``user_id`` = the user's AAD object id), a group
  chat, or a channel. A channel thread (``19:x@thread.tacv2;messageid=N``) is stored as its channel,
  the destination an administrator configures; the team itself (its General channel) when installed.
- ``teams:user:<aad id>`` (scope ``member``): where that user was last seen, with their Teams user
  id (``29:…``): what a new 1:1 chat needs when the user never opened one with the bot.

Saved on installation and on every incoming activity (upsert), removed when the app is uninstalled.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from guidance_bot.clock import Clock
from guidance_bot.store import Database
from guidance_bot.store.tables import conversation_refs
from guidance_bot.store.upsert import insert_if_absent
from microsoft_agents.activity import Activity, ConversationAccount, ConversationReference

PLATFORM = "teams"
THREAD_MARK = ";messageid="
CHANNEL_PREFIX = "19:"  # channels and group chats; personal chats are "a:…"
MEMBER = "member"


def base_conversation_id(conversation_id: str) -> str:
    """A channel thread's channel (``19:x@thread.tacv2;messageid=1`` → ``19:x@thread.tacv2``)."""
    return conversation_id.split(THREAD_MARK, 1)[0]


def team_id(activity: Activity) -> str:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    team = data.get("team") if isinstance(data.get("team"), dict) else {}
    return str(team.get("id") or "")


def scope_of(activity: Activity) -> str:
    """personal | groupChat | team (the team's General channel) | channel."""
    kind = (activity.conversation.conversation_type if activity.conversation else None) or ""
    if kind == "personal":
        return "personal"
    if kind == "groupChat":
        return "groupChat"
    if kind == "channel" or team_id(activity):
        conversation = base_conversation_id(activity.conversation.id)
        return "team" if conversation == team_id(activity) else "channel"
    return "groupChat" if activity.conversation and activity.conversation.is_group else "personal"


def aad_id(activity: Activity) -> str:
    account = activity.from_property
    return (account.aad_object_id or "") if account else ""


def dump(reference: ConversationReference) -> dict[str, Any]:
    return reference.model_dump(mode="json", by_alias=True, exclude_none=True)


def load(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference.model_validate(data)


class ReferenceStore:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def remember(self, activity: Activity) -> None:
        """Upsert the conversation's reference (and, for a user, where they were last seen)."""
        if not activity.conversation or not activity.conversation.id or not activity.service_url:
            return
        reference = activity.get_conversation_reference()
        reference.activity_id = None  # a reference names a conversation, not a message
        conversation = base_conversation_id(activity.conversation.id)
        reference.conversation = reference.conversation.model_copy(update={"id": conversation})
        scope = scope_of(activity)
        user = aad_id(activity)
        await self.save(conversation, scope, user if scope == "personal" else None, reference)
        if user and activity.type in ("message", "invoke"):
            await self._save(f"{PLATFORM}:user:{user}", conversation, MEMBER, user, reference)

    async def save(self, conversation_id: str, scope: str, user_id: str | None,
                   reference: ConversationReference) -> None:
        await self._save(f"{PLATFORM}:{conversation_id}", conversation_id, scope, user_id, reference)

    async def _save(self, key: str, conversation_id: str, scope: str, user_id: str | None,
                    reference: ConversationReference) -> None:
        values = dict(platform=PLATFORM, conversation_id=conversation_id[:250], scope=scope, user_id=user_id,
                      reference=dump(reference), updated_at=self._clock.now())
        async with self._db.begin() as conn:
            result = await conn.execute(update(conversation_refs).where(conversation_refs.c.key == key)
                                        .values(**values))
            if result.rowcount == 0 and not await insert_if_absent(conn, conversation_refs, {"key": key, **values}):
                # Another replica inserted it between our UPDATE and INSERT: ours is as fresh.
                await conn.execute(update(conversation_refs).where(conversation_refs.c.key == key)
                                   .values(**values))

    async def forget(self, conversation_id: str) -> None:
        key = f"{PLATFORM}:{base_conversation_id(conversation_id)}"
        async with self._db.begin() as conn:
            await conn.execute(delete(conversation_refs).where(conversation_refs.c.key == key))

    async def get(self, conversation_id: str) -> ConversationReference | None:
        """The reference of a conversation; for a thread, the channel's with the thread's id."""
        for key in dict.fromkeys((conversation_id, base_conversation_id(conversation_id))):
            row = await self._one(conversation_refs.c.key == f"{PLATFORM}:{key}")
            if row is not None:
                reference = load(row.reference)
                if key != conversation_id:
                    reference.conversation = reference.conversation.model_copy(update={"id": conversation_id})
                return reference
        return None

    async def in_team(self, conversation_id: str, tenant_id: str) -> ConversationReference | None:
        """A reference for a channel the bot was never addressed in (an administrator configured it),
        built from the tenant's service URL: installing the app in a team is all that channel needs.
        The Bot Connector refuses the post (403) when the app is not in that channel's team."""
        if not conversation_id.startswith(CHANNEL_PREFIX):
            return None
        seen = await self.any_in_tenant(tenant_id)
        if seen is None or seen.conversation is None:
            return None
        channel = ConversationAccount(id=conversation_id, is_group=True, conversation_type="channel",
                                      tenant_id=seen.conversation.tenant_id)
        return seen.model_copy(update={"conversation": channel, "user": None, "activity_id": None})

    async def personal(self, user_id: str) -> ConversationReference | None:
        row = await self._one(conversation_refs.c.platform == PLATFORM, conversation_refs.c.scope == "personal",
                              conversation_refs.c.user_id == user_id)
        return load(row.reference) if row is not None else None

    async def member(self, user_id: str) -> ConversationReference | None:
        row = await self._one(conversation_refs.c.key == f"{PLATFORM}:user:{user_id}")
        return load(row.reference) if row is not None else None

    async def any_in_tenant(self, tenant_id: str) -> ConversationReference | None:
        """The freshest reference of any conversation in the tenant: its service URL serves the tenant."""
        async with self._db.connect() as conn:
            rows = await conn.execute(select(conversation_refs.c.reference)
                                      .where(conversation_refs.c.platform == PLATFORM)
                                      .order_by(conversation_refs.c.updated_at.desc()).limit(200))
            for (data,) in rows:
                reference = load(data)
                if not tenant_id or (reference.conversation and reference.conversation.tenant_id == tenant_id):
                    return reference
        return None

    async def _one(self, *conditions):
        async with self._db.connect() as conn:
            result = await conn.execute(select(conversation_refs).where(*conditions)
                                        .order_by(conversation_refs.c.updated_at.desc()).limit(1))
            return result.first()
