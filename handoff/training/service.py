"""Training jobs and model versions: keyword-only functions over their tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.training.enums import JobStatus, Stage
from handoff.training.models import ModelVersion, TrainingJob


class JobAlreadyRunning(Exception):
    pass


async def start(*, session: AsyncSession, requested_by: str, owner: str, log_path: str, clock: Clock) -> TrainingJob:
    """A new running job, unless one runs already (JobAlreadyRunning): the unique `active` decides."""
    now = clock.now()
    job = TrainingJob(status=JobStatus.RUNNING, active=1, stage=Stage.PREPARING, requested_by=requested_by,
                      owner=owner, heartbeat_at=now, started_at=now, log_path=log_path)
    session.add(job)
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise JobAlreadyRunning from exc
    return job


async def progress(*, session: AsyncSession, job_id: int, clock: Clock, **values: Any) -> None:
    await session.execute(update(TrainingJob).where(TrainingJob.id == job_id)
                          .values(heartbeat_at=clock.now(), **values))
    await session.commit()


async def finish(*, session: AsyncSession, job_id: int, clock: Clock, error: str | None = None,
                 model: ModelVersion | None = None) -> None:
    if model is not None:
        session.add(model)
        await session.flush()
    await session.execute(update(TrainingJob).where(TrainingJob.id == job_id).values(
        status=JobStatus.FAILED if error else JobStatus.SUCCEEDED, active=None, finished_at=clock.now(),
        stage=Stage.DONE if not error else TrainingJob.stage, error=error,
        model_id=model.id if model is not None else None))
    await session.commit()


async def fail_abandoned(*, session: AsyncSession, owner: str, now: datetime, stale_after_s: float) -> int:
    """Fails running jobs of other processes that have not said anything for `stale_after_s` (their
    process died): the next job may start. How many."""
    result = await session.execute(
        update(TrainingJob)
        .where(TrainingJob.status == JobStatus.RUNNING, TrainingJob.owner != owner,
               TrainingJob.heartbeat_at < now - timedelta(seconds=stale_after_s))
        .values(status=JobStatus.FAILED, active=None, finished_at=now,
                error="the app process running it stopped")
        .execution_options(synchronize_session=False))
    await session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def get(*, session: AsyncSession, job_id: int) -> TrainingJob | None:
    return await session.get(TrainingJob, job_id, populate_existing=True)


async def recent(*, session: AsyncSession, limit: int = 20) -> list[TrainingJob]:
    return list(await session.scalars(select(TrainingJob).order_by(TrainingJob.id.desc()).limit(limit)))


async def models(*, session: AsyncSession) -> list[ModelVersion]:
    return list(await session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())))
