"""Engine and session factory, created on demand (never at import time) so tests can swap them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, MetaData, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_BUSY_TIMEOUT_S = 30


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


def create_engine(url: str) -> AsyncEngine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})

        # The driver's own transaction control is kept (sqlite3's "legacy" one, its default through
        # Python 3.15): a SELECT runs outside any transaction, and one begins just before a session's
        # first INSERT, UPDATE or DELETE, whose wait for the write lock the busy timeout covers. A
        # session whose transaction began before its reads (a plain, deferred BEGIN) would instead fail
        # at once with "database is locked" (SQLITE_BUSY_SNAPSHOT) on writing after another connection
        # committed: tests/app/test_sqlite_transactions.py.
        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_conn: Any, _: Any) -> None:
            sqlite_pragmas(dbapi_conn)

        return engine
    return create_async_engine(url, pool_pre_ping=True)


def sqlite_pragmas(dbapi_conn: Any) -> None:
    """Every SQLite connection's settings: the engine's, and the relay writer's own
    (handoff/conversations/sqlite_writes.py)."""
    cursor = dbapi_conn.cursor()
    # WAL lets readers proceed while one writer commits; several app processes can share the file.
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL syncs the log at checkpoints, not at every commit: a commit is a write to the
    # OS's cache, durable across a crash of the app (the relay acknowledges a message once committed);
    # only a power cut or a kernel crash can take back the last transactions. FULL, the default, put
    # an fsync in every relayed message's path.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A writer that finds the file locked (another process, or another connection of this one) waits
    # up to 30 s for it rather than failing at once (the driver's timeout too; said here, where it is
    # looked for).
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


# Any fixed number: the key of the PostgreSQL advisory lock held while an app process prepares the
# database (tables, demo data, demo agents), so processes starting together do it one at a time.
_STARTUP_LOCK_KEY = 7_461_230_001


@asynccontextmanager
async def startup_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """One process at a time prepares the database. Two instances starting at once on an empty
    PostgreSQL database otherwise both create the tables and seed the demo data, and one fails on a
    unique key. SQLite needs none: its writers take turns on the file, and the tables are created
    only where missing."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as conn:
        await conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _STARTUP_LOCK_KEY})
        await conn.commit()
        try:
            yield
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _STARTUP_LOCK_KEY})
            await conn.commit()
