"""Promoting a model (or rolling back to an earlier one) with no customer noticing:

1. a Rasa server is started on the model beside the live one, with the same endpoints (the tracker
   store is shared, so every conversation goes on where it was, slots and forms included);
2. once it answers with the model loaded and has parsed a few warm-up messages, the promotion is
   recorded live (the previous one replaced) and this process's bot calls switch to it at once;
   every other app process follows at its next sweep (`follow_live`);
3. the replaced server keeps answering the calls already in flight and those of processes that
   have not switched yet; after `serve_drain_s` the process that started it stops it.

A server that does not become ready fails the promotion and the live model is never touched.

A server a promotion started is a child of the app process that started it and stops with it. The
first process to find the live promotion's server gone (at its start or its sweep) starts one on the
model again (`restore`) while its calls go to the deployment's Rasa; if the model cannot be served
again, the deployment's model is recorded live in its place.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy.exc import SQLAlchemyError
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
_restoring: dict[int, asyncio.Task[None]] = {}  # live promotion id -> this process serving its model again


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
        log.info("promotion %d: server starting at %s (pid %d)", promotion_id, url, process.pid)
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
    """Sweep: this process's bot calls go to the live server (another process may have promoted), or
    if it has gone, to the deployment's Rasa while the model is served again (`restore`); servers this
    process started that were replaced long enough ago are stopped; promotions left starting by a
    process that died are failed."""
    if not isinstance(rt.bot, SwitchingBot):
        return
    now = rt.clock.now()
    async with rt.sessions() as session:
        live = await serving_service.live(session=session)
        model = None if live is None else await session.get(ModelVersion, live.model_id)
        owner_alive = live is not None and await serving_service.owner_alive(
            session=session, owner=live.owner, alive_since=now - timedelta(seconds=rt.settings.instance_ttl_s))
        done = await serving_service.to_stop(session=session, owner=rt.instance_id,
                                             replaced_before=now - timedelta(seconds=rt.settings.serve_drain_s))
        await serving_service.fail_orphaned(session=session, now=now,
                                            alive_since=now - timedelta(seconds=rt.settings.instance_ttl_s))
    if live is not None and live.url and model is not None and live.id not in _restoring:
        await _follow(rt, rt.bot, live, model.path, owner_alive)
    for promotion in done:
        process = _servers.pop(promotion.id, None)
        if process is not None:
            await servers.stop(process)
        async with rt.sessions() as session:
            await serving_service.stopped(session=session, promotion_id=promotion.id)


async def _follow(rt: Runtime, bot: SwitchingBot, live: Promotion, model_path: str, owner_alive: bool) -> None:
    settings = rt.settings
    assert live.url is not None
    if live.url != settings.rasa_url:
        serving = await servers.serves(live.url, settings.rasa_token, model_path)
        if serving is None:  # no answer in time: a busy server, judged again at the next sweep
            return
        if not serving:
            if await bot.switch_to(settings.rasa_url):
                log.warning("the live model's server (promotion %d, %s) has gone; using %s meanwhile",
                            live.id, live.url, settings.rasa_url)
            # Its process is alive and has not stopped it: it is starting it again (or will, at its sweep).
            if live.owner != rt.instance_id and live.pid is not None and owner_alive:
                return
            task = asyncio.create_task(restore(rt, bot, live, model_path))
            _restoring[live.id] = task
            _tasks.add(task)
            task.add_done_callback(lambda done: _restored(live.id, done))
            return
    if await bot.switch_to(live.url):
        log.info("following promotion %d to %s", live.id, live.url)


def _restored(promotion_id: int, task: asyncio.Task[None]) -> None:
    _tasks.discard(task)
    _restoring.pop(promotion_id, None)
    if not task.cancelled() and task.exception() is not None:  # the database away, say: tried again
        log.warning("serving promotion %d's model again failed (%r); the next sweep tries again",
                    promotion_id, task.exception())


async def restore(rt: Runtime, bot: SwitchingBot, live: Promotion, model_path: str) -> None:
    """The live promotion's model served again after its server has gone (the app process that started
    it stopped): by the deployment's Rasa if that runs the model, else by a server this process starts,
    unless another process claims it first. If the model cannot be served again, the deployment's is
    recorded live in its place, the reason on the replaced promotion."""
    settings = rt.settings
    assert live.url is not None
    if settings.live_model and Path(model_path).name == Path(settings.live_model).name:
        async with rt.sessions() as session:
            if await serving_service.moved(session=session, promotion_id=live.id, from_url=live.url,
                                           url=settings.rasa_url, owner=serving_service.DEPLOYMENT, pid=None,
                                           claimed=False):
                log.info("promotion %d: its model is the deployment's own, served at %s", live.id, settings.rasa_url)
        return
    if not settings.rasa_bin:
        reason = "this app cannot start Rasa servers (no SHOPBOT_RASA_BIN)"
    elif not await asyncio.to_thread(Path(model_path).is_file):
        reason = f"the model file {model_path} no longer exists"
    else:
        log.info("promotion %d: its server has gone; starting one on %s again", live.id, model_path)
        try:
            await _serve_again(rt, bot, live, model_path)
            return
        except (servers.ServerFailed, httpx.HTTPError) as exc:
            reason = f"its server did not start again: {str(exc) or type(exc).__name__}"
    async with rt.sessions() as session:
        if settings.live_model:
            recorded = await serving_service.fall_back(session=session, promotion_id=live.id, from_url=live.url,
                                                       start_model=settings.live_model, url=settings.rasa_url,
                                                       error=reason, now=rt.clock.now())
        else:  # the deployment's model is not known: the promotion says where it is served, and why
            recorded = await serving_service.moved(session=session, promotion_id=live.id, from_url=live.url,
                                                   url=settings.rasa_url, owner=serving_service.DEPLOYMENT,
                                                   pid=None, claimed=False, error=reason)
    if not recorded:
        return
    log.warning("promotion %d's model cannot be served again (%s): the deployment's model at %s is live",
                live.id, reason, settings.rasa_url)


async def _serve_again(rt: Runtime, bot: SwitchingBot, live: Promotion, model_path: str) -> None:
    """A server on the model, claimed for the promotion, recorded and switched to once ready; none if
    another process claimed it first (followed at the sweep once it serves). Raises if it did not
    become ready."""
    settings = rt.settings
    assert live.url is not None
    log_path = settings.training_dir / "serving" / f"promotion-{live.id}.log"
    gone = _servers.pop(live.id, None)  # this process's own server, which has stopped
    if gone is not None:
        await servers.stop(gone)
    try:
        process, url = await servers.start(settings, model_path, log_path)
    except OSError as exc:  # no such program, say
        raise servers.ServerFailed(f"could not run {settings.rasa_bin}: {exc}") from exc
    _servers[live.id] = process
    async with rt.sessions() as session:
        claimed = await serving_service.claim(session=session, promotion=live, owner=rt.instance_id,
                                              pid=process.pid, log_path=str(log_path))
    if not claimed:
        await servers.stop(_servers.pop(live.id))
        return
    try:
        await servers.wait_ready(process, url, settings.rasa_token, model_path, settings.serve_ready_timeout_s)
    except Exception:
        await servers.stop(_servers.pop(live.id))
        raise
    async with rt.sessions() as session:
        # Not if a promotion replaced it meanwhile: this server is then stopped as any replaced one.
        if await serving_service.moved(session=session, promotion_id=live.id, from_url=live.url, url=url,
                                       owner=rt.instance_id, pid=process.pid, claimed=True):
            await bot.switch_to(url)
            log.info("promotion %d served again at %s", live.id, url)


async def start_url(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> str:
    """Where a starting process's bot calls go: the live promotion's server if it serves the model, the
    configured Rasa otherwise (meanwhile: `follow_live` serves the model again)."""
    async with sessions() as session:
        live = await serving_service.live(session=session)
        model = None if live is None else await session.get(ModelVersion, live.model_id)
    if live is not None and live.url and model is not None and live.url != settings.rasa_url:
        if await servers.serves(live.url, settings.rasa_token, model.path):
            return live.url
        log.warning("the live model's server (promotion %d) does not serve it; using %s", live.id, settings.rasa_url)
    return settings.rasa_url


async def stop_all(rt: Runtime) -> None:
    """Shutdown: promotions in progress are cancelled (failed), the servers this process started stop,
    recorded as stopped so that another process serves a live model again without waiting for this
    one's heartbeat to age."""
    for task in list(_tasks):
        task.cancel()
    await asyncio.gather(*_tasks, return_exceptions=True)
    stopped: dict[int, int] = {}
    for promotion_id in list(_servers):
        process = _servers.pop(promotion_id)
        await servers.stop(process)
        stopped[promotion_id] = process.pid
    try:
        async with rt.sessions() as session:
            for promotion_id, pid in stopped.items():
                await serving_service.stopped(session=session, promotion_id=promotion_id, pid=pid)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("could not record the stopped Rasa servers (%s)", type(exc).__name__)


def public(promotion: Promotion) -> dict[str, object]:
    return {"id": promotion.id, "model_id": promotion.model_id, "status": PromotionStatus(promotion.status).value,
            "rollback": promotion.rollback, "requested_by": promotion.requested_by, "url": promotion.url,
            "started_at": promotion.started_at.isoformat(),
            "live_at": promotion.live_at.isoformat() if promotion.live_at else None,
            "replaced_at": promotion.replaced_at.isoformat() if promotion.replaced_at else None,
            "error": promotion.error}
