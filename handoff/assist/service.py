"""Storing suggestions and what the agent did with them. Keyword-only, no side effects beyond the DB."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.assist.enums import SuggestionOutcome
from handoff.assist.models import Suggestion
from handoff.clock import Clock


async def add(*, session: AsyncSession, conversation_id: str, seq: int, agent_id: str | None, intent: str | None,
              confidence: float, language: str, data: dict[str, Any], clock: Clock) -> Suggestion:
    row = Suggestion(conversation_id=conversation_id, seq=seq, agent_id=agent_id, intent=intent,
                     confidence=confidence, language=language, data=data, created_at=clock.now())
    session.add(row)
    await session.commit()
    return row


async def decide(*, session: AsyncSession, suggestion_id: int, conversation_id: str, outcome: SuggestionOutcome,
                 clock: Clock) -> bool:
    """The first outcome stands (one conditional UPDATE); a suggestion of another conversation is not touched."""
    result = await session.execute(update(Suggestion).where(
        Suggestion.id == suggestion_id, Suggestion.conversation_id == conversation_id,
        Suggestion.outcome.is_(None)).values(outcome=outcome.value, decided_at=clock.now()))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def for_conversation(*, session: AsyncSession, conversation_id: str) -> list[Suggestion]:
    rows = await session.scalars(select(Suggestion).where(Suggestion.conversation_id == conversation_id)
                                 .order_by(Suggestion.id))
    return list(rows)
