"""Alembic environment: migrations run on a connection handed over by ``store.migrate``."""

from alembic import context

from guidance_bot.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `guidance-bot db upgrade`")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
