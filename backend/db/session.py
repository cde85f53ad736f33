"""The async engine and session factory, with SQLite set up for a small embedded deployment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from conversations import json_codec


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An engine for ``url``; on SQLite, foreign keys on, WAL, a generous busy timeout, and
    secure deletion."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    # The JSON columns (a person's state, every outbox payload) are written and read on every
    # turn: orjson, with the standard library for what it refuses (conversations.json_codec).
    kwargs.setdefault("json_serializer", json_codec.dumps)
    kwargs.setdefault("json_deserializer", json_codec.loads)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            # Erased rows must not linger in free pages: zero what is deleted.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

    return engine


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (jobs pass ids, not objects)."""
    return async_sessionmaker(engine, expire_on_commit=False)
