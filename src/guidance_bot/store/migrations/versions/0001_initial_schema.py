"""Initial schema: answer log, event dedupe, consultations, outbox, audit log, reminders,
conversation references, checklist counts.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answers',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('entry_id', sa.String(length=80), nullable=True),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('knowledge_version', sa.String(length=64), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('feedback', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answers'))
    )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answers_at'), ['at'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=80), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_subject'), ['subject'], unique=False)

    op.create_table('checklist_completions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('ticked', sa.Integer(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_completions'))
    )
    with op.batch_alter_table('checklist_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_completions_at'), ['at'], unique=False)

    op.create_table('consultations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('requester_id', sa.String(length=100), nullable=False),
    sa.Column('requester_name', sa.String(length=200), nullable=True),
    sa.Column('show_name', sa.Boolean(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('attached_question', sa.Text(), nullable=True),
    sa.Column('attached_entry', sa.String(length=80), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_by', sa.String(length=100), nullable=True),
    sa.Column('status_at', sa.DateTime(), nullable=True),
    sa.Column('submission_key', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('ref', name=op.f('uq_consultations_ref')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_consultations_submission_key'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_requester_id'), ['requester_id'], unique=False)

    op.create_table('conversation_refs',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('conversation_id', sa.String(length=250), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=120), nullable=True),
    sa.Column('reference', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_conversation_refs'))
    )
    with op.batch_alter_table('conversation_refs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_refs_user_id'), ['user_id'], unique=False)

    op.create_table('counters',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_counters'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('destination', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_outbox_dedupe_key'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['delivered_at', 'next_attempt_at'], unique=False)

    op.create_table('processed_events',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_processed_events'))
    )
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_events_at'), ['at'], unique=False)

    op.create_table('reminders',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=200), nullable=False),
    sa.Column('schedule', sa.String(length=200), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('skip_holidays', sa.Boolean(), nullable=False),
    sa.Column('content_kind', sa.String(length=16), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('rotation', sa.Integer(), nullable=False),
    sa.Column('paused', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('source_key', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('source_key', name=op.f('uq_reminders_source_key'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_next_due_at'), ['next_due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_owner'), ['owner'], unique=False)

    op.create_table('reminder_deliveries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminders.id'], name=op.f('fk_reminder_deliveries_reminder_id_reminders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_deliveries')),
    sa.UniqueConstraint('reminder_id', 'due_at', name='uq_reminder_deliveries_due')
    )


def downgrade() -> None:
    op.drop_table('reminder_deliveries')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_owner'))
        batch_op.drop_index(batch_op.f('ix_reminders_next_due_at'))

    op.drop_table('reminders')
    with op.batch_alter_table('processed_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_events_at'))

    op.drop_table('processed_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')

    op.drop_table('outbox')
    op.drop_table('counters')
    with op.batch_alter_table('conversation_refs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_refs_user_id'))

    op.drop_table('conversation_refs')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_requester_id'))

    op.drop_table('consultations')
    with op.batch_alter_table('checklist_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_completions_at'))

    op.drop_table('checklist_completions')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_subject'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answers_at'))

    op.drop_table('answers')
