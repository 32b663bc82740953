from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import RuntimeDep, SessionDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(session: SessionDep, rt: RuntimeDep) -> dict[str, object]:
    await session.execute(text("SELECT 1"))
    return {"status": "ok", "today": rt.clock.today().isoformat()}
