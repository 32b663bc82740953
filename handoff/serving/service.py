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


async def stopped(*, session: AsyncSession, promotion_id: int) -> None:
    await session.execute(update(Promotion).where(Promotion.id == promotion_id).values(pid=None))
    await session.commit()


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
