"""Builds the runtime at start-up (database, demo data, broker, Rasa client) and tears it down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.client import RasaClient
from handoff.agents import service as agent_service
from handoff.canned import service as canned_service
from handoff.clock import Clock
from handoff.config import Settings
from handoff.conversations import outbox
from handoff.database import create_engine, create_sessionmaker, startup_lock
from handoff.migrate import upgrade_to_head
from handoff.ports import Bot
from handoff.realtime.broker import create_broker
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime
from handoff.shop import service as shop_service
from handoff.shop.loader import load_demo_store
from handoff.training import flows as training_flows

log = logging.getLogger(__name__)


async def _sweep(rt: Runtime) -> None:
    """Periodic housekeeping: unanswered conversations are offered again, abandoned bot turns run."""
    while True:
        await asyncio.sleep(rt.settings.sweep_interval_s)
        # A failed sweep (database briefly away) is retried at the next tick.
        try:
            await routing_flows.reoffer_unanswered(rt)
        except Exception:
            log.exception("re-offer sweep failed")
        try:
            await outbox.resume_abandoned(rt)
        except Exception:
            log.exception("sweep of abandoned bot turns failed")
        try:
            await training_flows.fail_abandoned(rt)
        except Exception:
            log.exception("sweep of abandoned training jobs failed")


async def prepare_database(settings: Settings, engine: AsyncEngine,
                           sessions: async_sessionmaker[AsyncSession]) -> Clock:
    """The schema brought up to the newest migration, then the demo shop, the demo team and canned
    responses where missing, one process at a time; returns the clock the shop's policy day fixes."""
    async with startup_lock(engine):
        await upgrade_to_head(engine)
        async with sessions() as session:
            if settings.load_demo_data and await load_demo_store(session, settings.demo_data_dir):
                log.info("loaded the demo shop from %s", settings.demo_data_dir)
            policy = await shop_service.get_policy(session=session)
            as_of = policy.get("as_of")
            clock = Clock(settings.fixed_today(date.fromisoformat(as_of) if as_of else None),
                          None if settings.wall_clock == "system" else datetime.fromisoformat(settings.wall_clock))
            await agent_service.seed(session=session, agents=settings.agents_to_seed(), clock=clock)
            if settings.load_demo_data and await canned_service.seed(session=session, clock=clock):
                log.info("loaded the demo canned responses")
    return clock


def lifespan_for(settings: Settings, bot_override: Bot | None = None):  # type: ignore[no-untyped-def]
    """bot_override: a Bot to use instead of a Rasa client (the in-process tests' fake)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        sessions = create_sessionmaker(engine)
        clock = await prepare_database(settings, engine, sessions)
        broker = create_broker(settings.broker_url, settings.subscriber_queue_size)
        await broker.connect()
        rasa: RasaClient | None = None
        bot: Bot
        if bot_override is not None:
            bot = bot_override
        else:
            bot = rasa = RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s,
                                     settings.rasa_open_for_s)
        app.state.runtime = runtime = Runtime(settings=settings, sessions=sessions, broker=broker, bot=bot,
                                              clock=clock)
        sweeper = asyncio.create_task(_sweep(runtime))
        try:
            yield
        finally:
            sweeper.cancel()
            await runtime.turns.stop()
            await training_flows.stop_all()
            if rasa is not None:
                await rasa.aclose()
            await broker.disconnect()
            await engine.dispose()

    return lifespan
