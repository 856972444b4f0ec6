"""Durable storage: SQLAlchemy 2 (async), SQLite by default, PostgreSQL by URL; Alembic migrations."""

from .database import Database, DatabaseUrlError, async_url, safe_url
from .migrate import SchemaOutOfDate, check_schema, current_revision, head_revision, upgrade

__all__ = ["Database", "DatabaseUrlError", "SchemaOutOfDate", "async_url", "check_schema",
           "current_revision", "head_revision", "safe_url", "upgrade"]
