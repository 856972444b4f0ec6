"""Alembic migrations, run from the code (``guidance-bot db upgrade``) and checked at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .database import Database

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaOutOfDate(RuntimeError):
    pass


def head_revision() -> str:
    return ScriptDirectory.from_config(_plain_config()).get_current_head() or ""


def _plain_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply migrations up to ``revision``; the env script runs them on the async engine."""
    async with db.engine.begin() as conn:
        await conn.run_sync(_upgrade_sync, revision)


def _upgrade_sync(connection, revision: str) -> None:
    config = _plain_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def current_revision(db: Database) -> str | None:
    async with db.engine.connect() as conn:
        return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())


async def check_schema(db: Database) -> None:
    """Raise SchemaOutOfDate with the command to run when the database is not at the latest revision."""
    current, head = await current_revision(db), head_revision()
    if current != head:
        raise SchemaOutOfDate(
            f"データベースのスキーマが最新ではありません（現在 {current or 'なし'}、最新 {head}）。"
            f"`guidance-bot db upgrade` を実行してください。"
            f" / The database schema is not up to date (at {current or 'none'}, latest {head}): "
            f"run `guidance-bot db upgrade`.")
