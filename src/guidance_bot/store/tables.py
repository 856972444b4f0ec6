"""Every table the bot keeps. The schema itself is created by the Alembic migrations in
``migrations/``; a test checks that the migrations and these definitions agree."""

from __future__ import annotations

from sqlalchemy import (JSON, Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table,
                        Text, UniqueConstraint)

from .types import UTCDateTime

metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

# One row per question answered (or not). Question text only for suggested/unanswered questions,
# redacted before it is written; purged after the retention period.
answers = Table(
    "answers", metadata,
    Column("id", String(36), primary_key=True),  # uuid4, carried by feedback buttons
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("language", String(2), nullable=False),
    Column("outcome", String(8), nullable=False),  # answer | suggest | none
    Column("entry_id", String(80)),
    Column("suggestions", JSON, nullable=False, default=list),
    Column("score", Float),
    Column("knowledge_version", String(64), nullable=False),
    Column("question", Text),
    Column("feedback", Integer),  # +1 / -1
)

# Slack retries and replicas: the first to insert an event key handles it.
processed_events = Table(
    "processed_events", metadata,
    Column("key", String(200), primary_key=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
)

# Atomic counters (reference numbers), safe across replicas: UPDATE … RETURNING.
counters = Table(
    "counters", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

consultations = Table(
    "consultations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(20), nullable=False, unique=True),  # LC-2026-0001
    Column("created_at", UTCDateTime(), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("requester_id", String(100), nullable=False, index=True),
    Column("requester_name", String(200)),
    Column("show_name", Boolean, nullable=False, default=True),
    Column("category", String(32), nullable=False),
    Column("summary", Text, nullable=False),
    Column("urgency", String(16), nullable=False),
    Column("department", String(200)),
    Column("contact", String(200)),
    Column("attached_question", Text),
    Column("attached_entry", String(80)),
    Column("language", String(2), nullable=False),
    Column("status", String(16), nullable=False),  # received | in_progress | done
    Column("status_by", String(100)),
    Column("status_at", UTCDateTime()),
    # The submission's own id (e.g. Slack view id): a retried submission finds its request.
    Column("submission_key", String(200), unique=True),
)

# Messages to deliver to Slack / Teams, retried with backoff until delivered, exactly one row per
# logical message (dedupe_key), claimed with a lease so that replicas never send the same row twice.
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("kind", String(40), nullable=False),
    Column("platform", String(16), nullable=False),
    Column("destination", String(200), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", UTCDateTime()),
    Column("delivered_at", UTCDateTime()),
    Column("last_error", Text),
    Index("ix_outbox_pending", "delivered_at", "next_attempt_at"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("actor", String(120), nullable=False),
    Column("action", String(40), nullable=False),
    Column("subject", String(80), nullable=False, index=True),
    Column("detail", JSON),
)

reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(120), nullable=False, index=True),  # platform:user_id, or file:PATH
    Column("platform", String(16), nullable=False),
    Column("channel", String(200), nullable=False),
    Column("schedule", String(200), nullable=False),  # canonical spec, see reminders.schedule
    Column("timezone", String(64), nullable=False),
    Column("skip_holidays", Boolean, nullable=False, default=False),
    Column("content_kind", String(16), nullable=False),  # text | entry | tag | checklist
    Column("content", Text, nullable=False, default=""),
    Column("language", String(2), nullable=False, default="ja"),
    Column("rotation", Integer, nullable=False, default=0),
    Column("paused", Boolean, nullable=False, default=False),
    Column("next_due_at", UTCDateTime(), index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("source_key", String(200), unique=True),  # declared in a YAML file: file + name
)

# One row per reminder and due time: the unique key is what makes delivery exactly-once.
reminder_deliveries = Table(
    "reminder_deliveries", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("reminder_id", Integer, ForeignKey("reminders.id", ondelete="CASCADE"), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),  # queued | skipped
    Column("at", UTCDateTime(), nullable=False),
    UniqueConstraint("reminder_id", "due_at", name="uq_reminder_deliveries_due"),
)

# Teams conversation references (and Slack channel facts), for proactive messages from any replica.
conversation_refs = Table(
    "conversation_refs", metadata,
    Column("key", String(300), primary_key=True),  # platform:conversation_id
    Column("platform", String(16), nullable=False),
    Column("conversation_id", String(250), nullable=False),
    Column("scope", String(16), nullable=False),  # personal | team | groupChat | channel
    Column("user_id", String(120), index=True),  # for personal scope: whose chat it is
    Column("reference", JSON, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The self-check result stays with the staff member; only anonymous counts are kept.
checklist_completions = Table(
    "checklist_completions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("platform", String(16), nullable=False),
    Column("ticked", Integer, nullable=False),
    Column("total", Integer, nullable=False),
)
