from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from handoff.assist.models import Suggestion


class SuggestionPublic(BaseModel):
    """One turn's suggestion as the console shows it (docs/protocol.md, "Agent assist")."""

    id: int
    conversation_id: str
    seq: int
    intent: str | None
    confidence: float
    language: str
    canned: dict[str, Any] | None  # {id, shortcut, title, text (rendered for this conversation)}
    tool: dict[str, Any] | None  # {kind, prefill}
    entities: list[dict[str, Any]]
    outcome: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: Suggestion) -> SuggestionPublic:
        return cls(id=row.id, conversation_id=row.conversation_id, seq=row.seq, intent=row.intent,
                   confidence=row.confidence, language=row.language, canned=row.data.get("canned"),
                   tool=row.data.get("tool"), entities=row.data.get("entities") or [], outcome=row.outcome,
                   created_at=row.created_at)
