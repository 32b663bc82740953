"""Promotions: keyword-only functions over their table (and the promoted models' `promoted_*`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.instances.models import AppInstance
from handoff.serving.enums import PromotionStatus
from handoff.serving.models import Promotion
from handoff.training.models import ModelVersion

DEPLOYMENT = "deployment"  # the owner of the deployment's own Rasa server (the app never stops it)


class PromotionRunning(Exception):
    pass


async def start(*, session: AsyncSession, model: ModelVersion, requested_by: str, owner: str,
                now: datetime) -> Promotion:
    """A new promotion of `model`, unless one is starting already (PromotionRunning)."""
    before = await session.scalar(select(Promotion.id).where(
        Promotion.model_id == model.id, Promotion.status.in_([PromotionStatus.LIVE, PromotionStatus.REPLACED])))
    promotion = Promotion(model_id=model.id, status=PromotionStatus.STARTING, active=1, rollback=before is not None,
                          requested_by=requested_by, owner=owner, started_at=now)
    session.add(promotion)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise PromotionRunning from exc
    return promotion


async def serving(*, session: AsyncSession, promotion_id: int, url: str, pid: int, log_path: str) -> None:
    await session.execute(update(Promotion).where(Promotion.id == promotion_id)
                          .values(url=url, pid=pid, log_path=log_path))
    await session.commit()


async def go_live(*, session: AsyncSession, promotion_id: int, now: datetime) -> None:
    """This promotion live, the one live before replaced, in one transaction."""
    promotion = await session.get(Promotion, promotion_id, populate_existing=True)
    assert promotion is not None
    await session.execute(update(Promotion).where(Promotion.status == PromotionStatus.LIVE)
                          .values(status=PromotionStatus.REPLACED, replaced_at=now))
    await session.execute(update(Promotion).where(Promotion.id == promotion_id)
                          .values(status=PromotionStatus.LIVE, active=None, live_at=now))
    await session.execute(update(ModelVersion).where(ModelVersion.id == promotion.model_id)
                          .values(promoted_by=promotion.requested_by, promoted_at=now))
    await session.commit()


async def fail(*, session: AsyncSession, promotion_id: int, error: str, now: datetime) -> None:
    await session.execute(update(Promotion).where(Promotion.id == promotion_id)
                          .values(status=PromotionStatus.FAILED, active=None, error=error, replaced_at=now))
    await session.commit()


async def live(*, session: AsyncSession) -> Promotion | None:
    return await session.scalar(select(Promotion).where(Promotion.status == PromotionStatus.LIVE)
                                .order_by(Promotion.id.desc()).limit(1))


async def get(*, session: AsyncSession, promotion_id: int) -> Promotion | None:
    return await session.get(Promotion, promotion_id, populate_existing=True)


async def recent(*, session: AsyncSession, limit: int = 50) -> list[Promotion]:
    return list(await session.scalars(select(Promotion).order_by(Promotion.id.desc()).limit(limit)))


async def register_start_model(*, session: AsyncSession, path: str, url: str, owner: str, now: datetime) -> bool:
    """The model the deployment started Rasa with, as the first live one (so a rollback can return to
    it), once: whether it was registered now. Called under the start-up lock."""
    if await session.scalar(select(Promotion.id).limit(1)) is not None:
        return False
    model = ModelVersion(path=path, data_hash="", trained_by=None, created_at=now, promoted_at=now)
    session.add(model)
    await session.flush()
    session.add(Promotion(model_id=model.id, status=PromotionStatus.LIVE, rollback=False, requested_by=None,
                          url=url, owner=owner, started_at=now, live_at=now))
    await session.commit()
    return True


async def to_stop(*, session: AsyncSession, owner: str, replaced_before: datetime) -> list[Promotion]:
    """Servers this process started whose promotion was replaced (or failed) long enough ago that no
    call is in flight on them any more."""
    return list(await session.scalars(select(Promotion).where(
        Promotion.owner == owner, Promotion.pid.is_not(None),
        Promotion.status.in_([PromotionStatus.REPLACED, PromotionStatus.FAILED]),
        Promotion.replaced_at < replaced_before)))


async def stopped(*, session: AsyncSession, promotion_id: int, pid: int | None = None) -> None:
    """Its server stopped; with `pid`, only if that is still its server (not one another process has
    started on the model since)."""
    query = update(Promotion).where(Promotion.id == promotion_id)
    if pid is not None:
        query = query.where(Promotion.pid == pid)
    await session.execute(query.values(pid=None).execution_options(synchronize_session=False))
    await session.commit()


async def owner_alive(*, session: AsyncSession, owner: str, alive_since: datetime) -> bool:
    return await session.scalar(select(AppInstance.id).where(
        AppInstance.id == owner, AppInstance.heartbeat_at >= alive_since)) is not None


# Putting the live model back into service after its server has gone (handoff/serving/flows.py,
# restore). Each step is a compare-and-set on what the process read (the URL, the owner and pid), so
# that of several processes finding the server gone at once only one starts, records and serves one.

async def claim(*, session: AsyncSession, promotion: Promotion, owner: str, pid: int, log_path: str) -> bool:
    """This process starts the live promotion's server again, unless another one did first."""
    same_pid = Promotion.pid.is_(None) if promotion.pid is None else Promotion.pid == promotion.pid
    result = await session.execute(
        update(Promotion).where(Promotion.id == promotion.id, Promotion.status == PromotionStatus.LIVE,
                                Promotion.url == promotion.url, Promotion.owner == promotion.owner, same_pid)
        .values(owner=owner, pid=pid, log_path=log_path).execution_options(synchronize_session=False))
    await session.commit()
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def moved(*, session: AsyncSession, promotion_id: int, from_url: str, url: str, owner: str,
                pid: int | None, claimed: bool, error: str | None = None) -> bool:
    """The live promotion served at `url` by `owner`'s server from now on (every process follows at its
    sweep), if it is still live at `from_url` and, when `claimed`, still claimed by `owner`."""
    query = update(Promotion).where(Promotion.id == promotion_id, Promotion.status == PromotionStatus.LIVE,
                                    Promotion.url == from_url)
    if claimed:
        query = query.where(Promotion.owner == owner)
    result = await session.execute(query.values(url=url, owner=owner, pid=pid, error=error)
                                   .execution_options(synchronize_session=False))
    await session.commit()
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def fall_back(*, session: AsyncSession, promotion_id: int, from_url: str, start_model: str, url: str,
                    error: str, now: datetime) -> bool:
    """The live promotion whose model cannot be served again replaced, with `error` saying why, by
    the model the deployment's Rasa runs (at `url`), recorded live as a promotion of the deployment's:
    what the database says is live is what serves. False if it changed meanwhile."""
    result = await session.execute(
        update(Promotion).where(Promotion.id == promotion_id, Promotion.status == PromotionStatus.LIVE,
                                Promotion.url == from_url)
        .values(status=PromotionStatus.REPLACED, replaced_at=now, pid=None, error=error)
        .execution_options(synchronize_session=False))
    if int(result.rowcount or 0) != 1:  # type: ignore[attr-defined]
        await session.rollback()
        return False
    model = await session.scalar(select(ModelVersion).where(ModelVersion.path == start_model)
                                 .order_by(ModelVersion.id.desc()).limit(1))
    if model is None:
        model = ModelVersion(path=start_model, data_hash="", trained_by=None, created_at=now)
        session.add(model)
        await session.flush()
    before = await session.scalar(select(Promotion.id).where(
        Promotion.model_id == model.id, Promotion.status.in_([PromotionStatus.LIVE, PromotionStatus.REPLACED])))
    model.promoted_by, model.promoted_at = None, now
    session.add(Promotion(model_id=model.id, status=PromotionStatus.LIVE, rollback=before is not None,
                          requested_by=None, url=url, owner=DEPLOYMENT, started_at=now, live_at=now))
    await session.commit()
    return True


async def fail_orphaned(*, session: AsyncSession, alive_since: datetime, now: datetime) -> int:
    """Promotions left starting by an app process that died: failed, so the next one may start."""
    alive = select(AppInstance.id).where(AppInstance.heartbeat_at >= alive_since)
    result = await session.execute(
        update(Promotion).where(Promotion.status == PromotionStatus.STARTING, Promotion.owner.not_in(alive))
        .values(status=PromotionStatus.FAILED, active=None, error="the app process promoting it stopped",
                replaced_at=now)
        .execution_options(synchronize_session=False))
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
