"""Prometheus metrics for this process (`handoff/metrics.py`), behind their own bearer token
(SHOPBOT_METRICS_TOKEN): a scrape reads what the database knows (conversations by state, the waiting
line) as it is now, beside what this process counted."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from api.deps import RuntimeDep, SessionDep
from handoff.clock import as_utc
from handoff.conversations.enums import ConversationState
from handoff.conversations.models import Conversation
from handoff.instances.enums import SocketKind

router = APIRouter(tags=["health"])


def _scraper(rt: RuntimeDep, authorization: Annotated[str | None, Header()] = None) -> None:
    if not rt.settings.metrics_token:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "metrics are off (no SHOPBOT_METRICS_TOKEN)")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), rt.settings.metrics_token.encode()):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "the metrics token is required")


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {"text/plain": {}}, "description": "Prometheus' text format"},
    401: {"description": "no or a wrong metrics token"}, 404: {"description": "metrics are off"}})
async def metrics(rt: RuntimeDep, session: SessionDep, authorization: Annotated[str | None, Header()] = None
                  ) -> Response:
    _scraper(rt, authorization)
    m = rt.metrics
    rows = (await session.execute(select(Conversation.state, func.count()).group_by(Conversation.state))).all()
    counts = {str(state): int(n) for state, n in rows}
    for state in ConversationState:
        m.conversations.labels(state.value).set(counts.get(state.value, 0))
    m.queue_length.set(counts.get(ConversationState.QUEUED.value, 0))
    oldest = await session.scalar(select(func.min(Conversation.queued_at))
                                  .where(Conversation.state == ConversationState.QUEUED))
    m.queue_oldest_seconds.set((rt.clock.now() - as_utc(oldest)).total_seconds() if oldest else 0)
    held = [kind for kind, _ in rt.sockets.snapshot().values()]
    for kind in SocketKind:
        m.sockets.labels(kind.value).set(held.count(kind))
    return Response(generate_latest(m.registry), media_type=CONTENT_TYPE_LATEST)
