"""Retraining for admins (issue 12): start a job (validate, train, compare with the live model, in the
background, one at a time), follow its progress and log, and list the models made with their comparison."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import AdminDep, RuntimeDep, SessionDep
from api.frames import INT_MAX
from api.routers.responses import SIGNED_IN
from handoff.serving import flows as serving_flows
from handoff.serving import service as serving_service
from handoff.serving.flows import AlreadyLive, ServingUnavailable
from handoff.serving.service import PromotionRunning
from handoff.training import flows as training_flows
from handoff.training import service as training_service
from handoff.training.flows import TrainingUnavailable
from handoff.training.service import JobAlreadyRunning

router = APIRouter(prefix="/api/admin/training", tags=["training"],
                   responses={**SIGNED_IN, 403: {"description": "admins only"}})

JobId = Annotated[int, Path(ge=1, le=INT_MAX)]
ModelId = Annotated[int, Path(ge=1, le=INT_MAX)]
PromotionId = Annotated[int, Path(ge=1, le=INT_MAX)]
LOG_TAIL_MAX = 200_000


@router.post("/jobs", status_code=status.HTTP_202_ACCEPTED,
             responses={409: {"description": "a job is running already"},
                        503: {"description": "this app cannot train (no Rasa environment configured)"}})
async def start_job(rt: RuntimeDep, admin: AdminDep) -> dict[str, Any]:
    """Validates and trains on the training data plus the annotated review messages (every fifth held
    out for evaluation). The live model is not touched."""
    try:
        job = await training_flows.start(rt, admin.id)
    except JobAlreadyRunning as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "a training job is running already") from exc
    except TrainingUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return training_flows.public(job)


@router.get("/jobs")
async def jobs(session: SessionDep, admin: AdminDep) -> list[dict[str, Any]]:
    return [training_flows.public(j) for j in await training_service.recent(session=session)]


@router.get("/jobs/{job_id}", responses={404: {"description": "no such job"}})
async def job(job_id: JobId, session: SessionDep, admin: AdminDep,
              log_tail: Annotated[int, Query(ge=0, le=LOG_TAIL_MAX)] = 4000) -> dict[str, Any]:
    """The job and the last `log_tail` characters of its log."""
    found = await training_service.get(session=session, job_id=job_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such training job")
    text = ""
    path = FilePath(found.log_path) if found.log_path else None
    if path is not None and path.is_file() and log_tail:
        with path.open("rb") as log_file:
            size = log_file.seek(0, 2)
            log_file.seek(max(0, size - log_tail * 4))  # a character is at most 4 bytes
            text = log_file.read().decode(errors="replace")[-log_tail:]
    return {**training_flows.public(found), "log": text}


@router.get("/models")
async def models(session: SessionDep, admin: AdminDep) -> list[dict[str, Any]]:
    """The models made, newest first. `metrics`: the comparison with the model live when it was
    trained (bot/compare_models.py), null if none was made; `verdict` is its verdict (better, worse,
    mixed), lifted out for the list."""
    live = await serving_service.live(session=session)
    return [{"id": m.id, "path": m.path, "data_hash": m.data_hash, "trained_by": m.trained_by,
             "created_at": m.created_at.isoformat(), "promoted_by": m.promoted_by,
             "promoted_at": m.promoted_at.isoformat() if m.promoted_at else None, "metrics": m.metrics,
             "verdict": (m.metrics or {}).get("verdict"), "live": live is not None and live.model_id == m.id}
            for m in await training_service.models(session=session)]


@router.post("/models/{model_id}/promote", status_code=status.HTTP_202_ACCEPTED,
             responses={404: {"description": "no such model"},
                        409: {"description": "a promotion is starting already, or the model is live"},
                        503: {"description": "this app cannot start Rasa servers (no Rasa environment configured)"}})
async def promote(model_id: ModelId, rt: RuntimeDep, admin: AdminDep) -> dict[str, Any]:
    """Puts the model into service (a rollback, if it was live before): a Rasa server starts on it
    beside the live one, and once it is ready every bot call switches to it; the conversations go on
    where they were (handoff/serving/). Follow it at /promotions/{id}."""
    try:
        promotion = await serving_flows.promote(rt, model_id, admin.id)
    except LookupError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such model") from exc
    except PromotionRunning as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "a promotion is starting already") from exc
    except AlreadyLive as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "this model is live already") from exc
    except ServingUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return serving_flows.public(promotion)


@router.get("/promotions")
async def promotions(session: SessionDep, admin: AdminDep) -> list[dict[str, Any]]:
    """The promotions and rollbacks, newest first: who asked, when it went live, when it was replaced."""
    return [serving_flows.public(p) for p in await serving_service.recent(session=session)]


@router.get("/promotions/{promotion_id}", responses={404: {"description": "no such promotion"}})
async def promotion(promotion_id: PromotionId, session: SessionDep, admin: AdminDep) -> dict[str, Any]:
    found = await serving_service.get(session=session, promotion_id=promotion_id)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such promotion")
    return serving_flows.public(found)
