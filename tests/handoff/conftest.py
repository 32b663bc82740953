"""Domain tests against a real database: SQLite (the embedded default) and PostgreSQL (scale-out)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.clock import Clock
from handoff.database import create_engine, create_sessionmaker
from handoff.tables import create_all

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(params=["sqlite", "postgresql"])
async def sessions(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        dbname = None
    else:
        dbname = f"shopbot_test_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{dbname}"')
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{dbname}"
    engine = create_engine(url)
    await create_all(engine)
    yield create_sessionmaker(engine)
    await engine.dispose()
    if dbname:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{dbname}" WITH (FORCE)')


@pytest.fixture
def clock() -> Clock:
    return Clock()
