"""Builds the runtime at start-up (database, demo data, broker, Rasa client) and tears it down."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date, datetime

from fastapi import FastAPI
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from api import collector, loop_lag
from bot.client import RasaClient
from handoff.agents import service as agent_service
from handoff.canned import service as canned_service
from handoff.clock import Clock
from handoff.config import Settings
from handoff.conversations import outbox
from handoff.database import create_engine, create_sessionmaker, startup_lock
from handoff.instances import flows as instance_flows
from handoff.metrics import Metrics
from handoff.migrate import upgrade_to_head
from handoff.ports import Bot
from handoff.realtime.broker import create_broker
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime
from handoff.serving import flows as serving_flows
from handoff.serving import service as serving_service
from handoff.serving.switch import SwitchingBot
from handoff.shop import service as shop_service
from handoff.shop.loader import load_demo_store
from handoff.training import flows as training_flows

log = logging.getLogger(__name__)

SLOW_SWEEP_S = 0.25


async def _sweep(rt: Runtime) -> None:
    """Periodic housekeeping: this process's heartbeat and the sockets of dead ones, unanswered
    conversations offered again, abandoned bot turns and training jobs taken over."""
    tasks: list[tuple[str, str, Callable[[Runtime], Awaitable[object]]]] = [
        ("heartbeat", "heartbeat", instance_flows.heartbeat),
        ("reap", "reaping of dead processes' sockets", instance_flows.reap),
        ("reoffer", "re-offer sweep", routing_flows.reoffer_unanswered),
        ("turns", "sweep of abandoned bot turns", outbox.resume_abandoned),
        ("training", "sweep of abandoned training jobs", training_flows.fail_abandoned),
        ("serving", "following the live model", serving_flows.follow_live)]
    while True:
        await asyncio.sleep(rt.settings.sweep_interval_s)
        for key, name, task in tasks:
            started = time.perf_counter()
            # A failed sweep is retried at the next tick; the database or Redis briefly away is one
            # line, anything else a bug to see whole.
            try:
                await task(rt)
            except (SQLAlchemyError, RedisError, OSError) as exc:
                log.warning("%s failed (%s); the next sweep tries again", name, type(exc).__name__)
            except Exception:
                log.exception("%s failed", name)
            # Its time from start to end, awaits included: what the sweep costs the sockets beside it
            # shows as their latency, and a slow one is worth a line.
            took = time.perf_counter() - started
            rt.metrics.sweep_seconds.labels(key).observe(took)
            if took > SLOW_SWEEP_S:
                log.warning("%s took %.0f ms", name, took * 1000)


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
            if settings.live_model:  # the model Rasa was started with: the first live one, to roll back to
                await serving_service.register_start_model(session=session, path=settings.live_model,
                                                           url=settings.rasa_url, owner=serving_service.DEPLOYMENT,
                                                           now=clock.now())
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
        metrics = Metrics()
        broker = create_broker(settings.broker_url, settings.subscriber_queue_size,
                               lag=metrics.broker_lag_seconds.observe)
        await broker.connect()
        rasa: SwitchingBot | None = None
        bot: Bot
        if bot_override is not None:
            bot = bot_override
        else:
            bot = rasa = SwitchingBot(await serving_flows.start_url(sessions, settings), lambda url: RasaClient(
                url, settings.rasa_token, settings.rasa_timeout_s, settings.rasa_open_for_s, settings.rasa_pool_size,
                failures_to_open=settings.rasa_breaker_failures))
        app.state.runtime = runtime = Runtime(settings=settings, sessions=sessions, broker=broker, bot=bot,
                                              clock=clock, metrics=metrics)
        await instance_flows.heartbeat(runtime)  # registered before it serves a socket
        await serving_flows.follow_live(runtime)  # a live model whose server has gone is served again
        sweeper = asyncio.create_task(_sweep(runtime))
        lag_watch = asyncio.create_task(loop_lag.watch(metrics.loop_lag_seconds.observe))
        collector.settle()
        with collector.pauses_observed(metrics.gc_pause_seconds):
            try:
                yield
            finally:
                sweeper.cancel()
                lag_watch.cancel()
                await runtime.turns.stop()
                await runtime.writer.aclose()
                await training_flows.stop_all()
                await serving_flows.stop_all(runtime)
                if rasa is not None:
                    await rasa.aclose()
                await broker.disconnect()
                await engine.dispose()

    return lifespan
