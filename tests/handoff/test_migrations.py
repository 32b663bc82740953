"""Schema migrations (handoff/migrate.py, handoff/migrations/) on SQLite and PostgreSQL: a new database
comes out exactly as the models say, a database from before migrations (create_all's) is adopted, a
second run does nothing, a failed one leaves nothing behind."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from handoff import migrate
from handoff.config import ROOT
from handoff.conversations.enums import Sender
from handoff.conversations.models import Conversation, Message
from handoff.database import Base, create_engine, create_sessionmaker
from handoff.migrate import BASELINE, alembic_config, upgrade_to_head

# No skipping when PostgreSQL is away: the scale-out database is a supported one, so its
# migrations are checked on every run (the fixture errors, and the run fails).
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    name = f"mig_check_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    url = request.getfixturevalue(f"{request.param}_url")
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _schema(connection: Connection) -> dict[str, str]:
    """What a second upgrade must leave alone: every table's columns, indexes and constraints (as
    text: the reflected column types do not compare equal to themselves)."""
    inspector = inspect(connection)
    return {table: json.dumps([inspector.get_columns(table), inspector.get_indexes(table),
                               inspector.get_foreign_keys(table), inspector.get_unique_constraints(table),
                               inspector.get_pk_constraint(table)], default=str, sort_keys=True)
            for table in inspector.get_table_names()}


async def _version(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT version_num FROM alembic_version"))


async def test_an_empty_database_upgraded_to_head_is_what_the_models_say(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
    assert tables == {*Base.metadata.tables, "alembic_version"}
    assert await _version(engine) == _head()


async def _as_create_all_left_it(engine: AsyncEngine) -> None:
    """A database from before migrations: the baseline's tables, no alembic_version, and a row.

    Made by the baseline revision rather than by create_all, which follows the models as they move
    on; the baseline's SQL is create_all's at the time (the same CREATE statements on SQLite, the
    same pg_dump on PostgreSQL, checked when it was written). The row names the baseline's columns,
    so a later migration that cannot cope with existing rows fails here."""
    async with engine.connect() as conn:
        await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), BASELINE))
        await conn.execute(text("DROP TABLE alembic_version"))
        await conn.execute(text(
            "INSERT INTO conversations (id, state, locale, language, last_seq, created_at, priority, customer_sockets,"
            " customer_presence, customer_read_seq, agent_read_seq)"
            " VALUES ('before-migrations', 'bot', 'en', 'en', 0, :now, 0, 0, 'gone', 0, 0)"),
            {"now": datetime.now(UTC)})
        await conn.commit()


async def test_a_database_from_before_migrations_is_stamped_at_the_baseline_and_upgraded(
        engine: AsyncEngine) -> None:
    await _as_create_all_left_it(engine)

    await upgrade_to_head(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(_differences) == []
        assert await conn.scalar(text("SELECT id FROM conversations")) == "before-migrations"
    assert await _version(engine) == _head()


async def test_a_second_upgrade_changes_nothing(engine: AsyncEngine) -> None:
    await upgrade_to_head(engine)
    async with engine.connect() as conn:
        before = await conn.run_sync(_schema)

    await upgrade_to_head(engine)

    async with engine.connect() as conn:
        assert await conn.run_sync(_schema) == before
        assert await conn.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    assert await _version(engine) == _head()


# One app process's start, as far as the schema goes.
_UPGRADE_ONE = """
import asyncio, sys
from handoff.database import create_engine
from handoff.migrate import upgrade_to_head

async def main() -> None:
    engine = create_engine(sys.argv[1])
    await upgrade_to_head(engine)
    await engine.dispose()

asyncio.run(main())
"""


async def test_processes_starting_together_on_one_sqlite_file_take_turns(sqlite_url: str) -> None:
    """SQLite has no advisory lock (handoff/database.py startup_lock): the upgrade's BEGIN IMMEDIATE
    makes the others wait, and they then find the database at head. (Without it, 4 processes
    failed on "table already exists" in 7 runs of 8.)"""
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-c", _UPGRADE_ONE, sqlite_url, cwd=ROOT,
                                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for _ in range(4)]
    outputs = await asyncio.wait_for(asyncio.gather(*(proc.communicate() for proc in procs)), timeout=120)
    assert [proc.returncode for proc in procs] == [0] * 4, b"\n".join(out for out, _ in outputs).decode()
    engine = create_engine(sqlite_url)
    try:
        assert await _version(engine) == _head()
    finally:
        await engine.dispose()


def _with_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, upgrade: str) -> None:
    """The real migrations plus one more on top (a revision named `name` whose upgrade() body is
    `upgrade`), in a copy the app then uses."""
    scripts = tmp_path / "migrations"
    (scripts / "versions").mkdir(parents=True)
    (scripts / "env.py").write_text((migrate.MIGRATIONS_DIR / "env.py").read_text())
    for revision in (migrate.MIGRATIONS_DIR / "versions").glob("*.py"):
        (scripts / "versions" / revision.name).write_text(revision.read_text())
    (scripts / "versions" / f"{name}.py").write_text(
        f"import sqlalchemy as sa\nfrom alembic import op\n\nrevision = {name!r}\ndown_revision = {_head()!r}\n\n\n"
        f"def upgrade() -> None:\n{textwrap.indent(textwrap.dedent(upgrade), '    ')}\n")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)


async def test_a_failing_migration_leaves_nothing_behind(
        engine: AsyncEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One transaction for the whole upgrade, on SQLite too (whose driver would otherwise commit
    each CREATE on its own): the next start finds the database as it was and tries again."""
    await upgrade_to_head(engine)
    head = _head()
    _with_revision(tmp_path, monkeypatch, "0099_fails", """
        op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
        op.execute("SELECT no_such_function()")
    """)

    with pytest.raises(DBAPIError):
        await upgrade_to_head(engine)

    async with engine.connect() as conn:
        assert "half_done" not in await conn.run_sync(lambda c: inspect(c).get_table_names())
    assert await _version(engine) == head


async def test_a_sqlite_table_other_rows_refer_to_can_be_rebuilt(
        sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite migrations rebuild tables (batch mode). With foreign keys on, as the app's connections
    have them, dropping the old conversations table under its messages would fail."""
    engine = create_engine(sqlite_url)
    try:
        await upgrade_to_head(engine)
        async with create_sessionmaker(engine)() as session:
            session.add(Conversation(id="c1", created_at=datetime.now(UTC)))
            await session.flush()
            session.add(Message(conversation_id="c1", seq=1, sender=Sender.CUSTOMER, text="hello",
                                created_at=datetime.now(UTC)))
            await session.commit()
        _with_revision(tmp_path, monkeypatch, "0099_rebuild", """
            with op.batch_alter_table("conversations", recreate="always") as batch:
                batch.alter_column("locale", type_=sa.String(32))
        """)

        await upgrade_to_head(engine)

        assert await _version(engine) == "0099_rebuild"
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM messages")) == 1
            assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
    finally:
        await engine.dispose()


def test_the_baseline_is_the_first_revision() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert [r.revision for r in scripts.walk_revisions()][-1] == BASELINE
