from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import RuntimeDep, SessionDep
from handoff.serving import servers
from handoff.serving.switch import SwitchingBot

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz(session: SessionDep, rt: RuntimeDep) -> dict[str, object]:
    """Liveness: the process answers and reaches its database."""
    await session.execute(text("SELECT 1"))
    return {"status": "ok", "today": rt.clock.today().isoformat()}


@router.get("/readyz", responses={503: {"description": "not ready: the database does not answer"}})
async def readyz(session: SessionDep, rt: RuntimeDep, response: Response) -> dict[str, object]:
    """Readiness for a load balancer: the database answers (without it nothing can be stored). Rasa's
    state is reported, not required: without it customers are handed to people, not refused."""
    try:
        await session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return {"status": "unavailable", "database": "down"}
    url = rt.bot.url if isinstance(rt.bot, SwitchingBot) else None
    bot = None if url is None else ("up" if await servers.answers(url, rt.settings.rasa_token) else "down")
    return {"status": "ready", "database": "up", "bot": bot}
