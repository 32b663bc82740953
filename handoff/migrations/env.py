"""Alembic's environment, for the command line and for the app (handoff/migrate.py).

The app hands over its own connection in config.attributes["connection"] (inside
handoff.migrate.migrating: one transaction for the whole upgrade). Otherwise (the command line) an
engine of our own is made for config.attributes["url"], else SHOPBOT_DATABASE_URL.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from pydantic_settings import BaseSettings
from sqlalchemy.engine import Connection, make_url

import handoff.tables  # noqa: F401 -- imported for its side effect: every model registers on Base.metadata
from handoff.config import Settings
from handoff.database import Base, create_engine
from handoff.migrate import migrating

config = context.config
target_metadata = Base.metadata

# Only the command line has an ini file; the app keeps its own logging configuration.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


class _DatabaseSettings(BaseSettings):
    """Settings' database URL, read the same way (SHOPBOT_DATABASE_URL, .env, the same default), but
    without the rest: changing or checking the schema must not need the app's production secrets."""

    model_config = Settings.model_config
    database_url: str = Settings.model_fields["database_url"].default


def _url() -> str:
    url = config.attributes.get("url")
    return str(url) if url else _DatabaseSettings().database_url


def _configure(dialect_name: str, **kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite alters most things only by copying the table: batch operations do that for us.
        render_as_batch=dialect_name == "sqlite",
        compare_type=True,
        **kwargs,
    )


def _run(connection: Connection) -> None:
    _configure(connection.dialect.name, connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def _run_prepared(connection: Connection) -> None:
    with migrating(connection):
        _run(connection)


async def _run_with_own_engine(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_prepared)
    finally:
        await engine.dispose()


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: the SQL for review, no database needed."""
    url = _url()
    _configure(make_url(url).get_backend_name(), url=url, literal_binds=True,
               dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        asyncio.run(_run_with_own_engine(_url()))
    elif isinstance(connection, Connection):
        _run(connection)
    else:
        raise TypeError(f"config.attributes['connection'] must be a sync Connection (from run_sync), "
                        f"not {type(connection).__name__}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
