"""Two app processes starting at once on an empty PostgreSQL database: both come up, and the
tables, demo shop and demo team are made once (the first used to fail on a unique key)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import func, select

from api.lifespan import prepare_database
from devstack import demo_shop as shop
from handoff.agents.models import Agent
from handoff.config import Settings
from handoff.database import create_engine, create_sessionmaker
from handoff.shop.models import Customer

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def empty_database() -> Iterator[str]:
    name = f"shopbot_start_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


async def test_instances_starting_together_prepare_the_database_once(empty_database: str) -> None:
    settings = Settings(database_url=empty_database, secret_key="startup-test-key", environment="development",
                        demo_mode=True)
    engines = [create_engine(empty_database) for _ in range(3)]
    try:
        await asyncio.gather(*(prepare_database(settings, e, create_sessionmaker(e)) for e in engines))
        async with create_sessionmaker(engines[0])() as session:
            agents = await session.scalar(select(func.count()).select_from(Agent))
            customers = await session.scalar(select(func.count()).select_from(Customer))
        assert agents == len(settings.agents_to_seed())
        assert customers == len(shop.load("customers"))
    finally:
        for engine in engines:
            await engine.dispose()
