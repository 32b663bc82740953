"""Promoting a model (or rolling back to an earlier one) with no customer noticing:

1. a Rasa server is started on the model beside the live one, with the same endpoints (the tracker
   store is shared, so every conversation goes on where it was, slots and forms included);
2. once it answers with the model loaded and has parsed a few warm-up messages, the promotion is
   recorded live (the previous one replaced) and this process's bot calls switch to it at once;
   every other app process follows at its next sweep (`follow_live`);
3. the replaced server keeps answering the calls already in flight and those of processes that
   have not switched yet; after `serve_drain_s` the process that started it stops it.

A server that does not become ready fails the promotion and the live model is never touched.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.config import Settings
from handoff.runtime import Runtime
from handoff.serving import servers
from handoff.serving import service as serving_service
from handoff.serving.enums import PromotionStatus
from handoff.serving.models import Promotion
from handoff.serving.switch import SwitchingBot
from handoff.training.models import ModelVersion

log = logging.getLogger(__name__)

_tasks: set[asyncio.Task[None]] = set()
_servers: dict[int, asyncio.subprocess.Process] = {}  # promotion id -> the Rasa server this process started


class ServingUnavailable(Exception):
    """This app cannot start Rasa servers (no bot environment configured, or a fake bot)."""


class AlreadyLive(Exception):
    pass


def _switch(rt: Runtime) -> SwitchingBot:
    if not isinstance(rt.bot, SwitchingBot) or not rt.settings.rasa_bin:
        raise ServingUnavailable("promotion needs SHOPBOT_RASA_BIN (the bot environment's rasa)")
    return rt.bot


async def promote(rt: Runtime, model_id: int, admin_id: str) -> Promotion:
    """Starts putting the model into service (in the background); LookupError for an unknown model,
    AlreadyLive for the live one, PromotionRunning while another promotion is starting."""
    _switch(rt)
    async with rt.sessions() as session:
        model = await session.get(ModelVersion, model_id)
        if model is None:
            raise LookupError(model_id)
        live = await serving_service.live(session=session)
        if live is not None and live.model_id == model_id:
            raise AlreadyLive(model_id)
        promotion = await serving_service.start(session=session, model=model, requested_by=admin_id,
                                                owner=rt.instance_id, now=rt.clock.now())
        path = model.path
    task = asyncio.create_task(_run(rt, promotion.id, path))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    return promotion


async def _run(rt: Runtime, promotion_id: int, model_path: str) -> None:
    settings = rt.settings
    log_path = settings.training_dir / "serving" / f"promotion-{promotion_id}.log"
    process: asyncio.subprocess.Process | None = None
    try:
        process, url = await servers.start(settings, model_path, log_path)
        _servers[promotion_id] = process
        async with rt.sessions() as session:
            await serving_service.serving(session=session, promotion_id=promotion_id, url=url, pid=process.pid,
                                          log_path=str(log_path))
        await servers.wait_ready(process, url, settings.rasa_token, model_path, settings.serve_ready_timeout_s)
        async with rt.sessions() as session:
            await serving_service.go_live(session=session, promotion_id=promotion_id, now=rt.clock.now())
        await _switch(rt).switch_to(url)
        log.info("promotion %d live at %s", promotion_id, url)
    except asyncio.CancelledError:
        await _failed(rt, promotion_id, "the app stopped while promoting")
        raise
    except Exception as exc:
        log.warning("promotion %d failed: %s", promotion_id, exc)
        await _failed(rt, promotion_id, str(exc) or type(exc).__name__)


async def _failed(rt: Runtime, promotion_id: int, error: str) -> None:
    process = _servers.pop(promotion_id, None)
    if process is not None:
        await servers.stop(process)
    async with rt.sessions() as session:
        await serving_service.fail(session=session, promotion_id=promotion_id, error=error, now=rt.clock.now())


async def follow_live(rt: Runtime) -> None:
    """Sweep: this process's bot calls go to the live server (another process may have promoted);
    servers this process started that were replaced long enough ago are stopped; promotions left
    starting by a process that died are failed."""
    if not isinstance(rt.bot, SwitchingBot):
        return
    now = rt.clock.now()
    async with rt.sessions() as session:
        live = await serving_service.live(session=session)
        done = await serving_service.to_stop(session=session, owner=rt.instance_id,
                                             replaced_before=now - timedelta(seconds=rt.settings.serve_drain_s))
        await serving_service.fail_orphaned(session=session, now=now,
                                            alive_since=now - timedelta(seconds=rt.settings.instance_ttl_s))
    if live is not None and live.url and await rt.bot.switch_to(live.url):
        log.info("following promotion %d to %s", live.id, live.url)
    for promotion in done:
        process = _servers.pop(promotion.id, None)
        if process is not None:
            await servers.stop(process)
        async with rt.sessions() as session:
            await serving_service.stopped(session=session, promotion_id=promotion.id)


async def start_url(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> str:
    """Where a starting process's bot calls go: the live promotion's server if it answers, the
    configured Rasa otherwise (a server a promotion started stops with the process that started it)."""
    async with sessions() as session:
        live = await serving_service.live(session=session)
    if live is not None and live.url and live.url != settings.rasa_url:
        if await servers.answers(live.url, settings.rasa_token):
            return live.url
        log.warning("the live model's server (promotion %d) does not answer; using %s", live.id, settings.rasa_url)
    return settings.rasa_url


async def stop_all() -> None:
    """Shutdown: promotions in progress are cancelled (failed), the servers this process started stop."""
    for task in list(_tasks):
        task.cancel()
    await asyncio.gather(*_tasks, return_exceptions=True)
    for promotion_id in list(_servers):
        await servers.stop(_servers.pop(promotion_id))


def public(promotion: Promotion) -> dict[str, object]:
    return {"id": promotion.id, "model_id": promotion.model_id, "status": PromotionStatus(promotion.status).value,
            "rollback": promotion.rollback, "requested_by": promotion.requested_by, "url": promotion.url,
            "started_at": promotion.started_at.isoformat(),
            "live_at": promotion.live_at.isoformat() if promotion.live_at else None,
            "replaced_at": promotion.replaced_at.isoformat() if promotion.replaced_at else None,
            "error": promotion.error}
