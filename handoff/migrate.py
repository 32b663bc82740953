"""Brings the database schema up to the newest migration (handoff/migrations), at every start."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The schema create_all made before there were migrations; such databases are stamped with it.
BASELINE = "0001_baseline"


def alembic_config(connection: Connection | None = None) -> Config:
    """Built here rather than read from alembic.ini, which exists only in a checkout."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def migrating(connection: Connection) -> Iterator[None]:
    """One transaction for a whole upgrade, committed at the end (none of it on failure).

    SQLite needs two things more. Foreign keys off first (the pragma is ignored inside a
    transaction): batch migrations rebuild a table by copying it, and dropping the old copy of a
    table other rows refer to fails. Then BEGIN IMMEDIATE: the driver would otherwise commit each
    CREATE on its own (a failed revision would leave half its tables), and it takes the file's write
    lock before the version is read, so processes starting together on one file take turns (without
    it, 4 of them failed on "table already exists" in 7 runs of 8)."""
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows that refer to missing ones: {broken[:5]}")
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def _upgrade(connection: Connection) -> None:
    config = alembic_config(connection)
    tables = set(inspect(connection).get_table_names())
    if "conversations" in tables and "alembic_version" not in tables:
        # Made by create_all before migrations existed: it holds the baseline's schema already.
        log.warning("database without a migration version: stamping it at %s", BASELINE)
        command.stamp(config, BASELINE)
    command.upgrade(config, "head")


def _upgrade_in_transaction(connection: Connection) -> None:
    with migrating(connection):
        _upgrade(connection)


async def upgrade_to_head(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(_upgrade_in_transaction)
