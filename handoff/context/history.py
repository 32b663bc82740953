"""The customer's earlier conversations, for the handoff context: what they came about before and how
it ended, so the agent knows a repeat contact when they see one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handoff.conversations.models import Conversation, HandoffContext

EARLIER_LIMIT = 10


def _verified_in(customer_id: str) -> Any:
    """Ids of conversations whose latest handoff context has this customer: a guest who proved who
    they are in the chat (the conversation itself has no customer_id then). No index can serve a JSON
    path, so this reads every context's customer once; the correlated latest-id check uses the
    conversation_id index and runs only for the matches."""
    later = aliased(HandoffContext)
    latest_id = (select(func.max(later.id)).where(later.conversation_id == HandoffContext.conversation_id)
                 .correlate(HandoffContext).scalar_subquery())
    return select(HandoffContext.conversation_id).where(
        HandoffContext.data[("customer", "customer_id")].as_string() == customer_id,
        HandoffContext.id == latest_id,
    )


def summary(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.id,
        "created_at": conversation.created_at.isoformat(),
        "closed_at": conversation.closed_at.isoformat() if conversation.closed_at else None,
        "state": str(conversation.state),
        "reason": conversation.handoff_reason,
        "resolution": conversation.resolution,
        "csat_score": conversation.csat_score,
        "csat_comment": conversation.csat_comment,
    }


async def earlier_conversations(
    *, session: AsyncSession, customer_id: str, current_id: str, limit: int = EARLIER_LIMIT
) -> list[dict[str, Any]]:
    """The customer's other conversations, newest first: signed in as them, or verified as them."""
    rows = await session.scalars(
        select(Conversation)
        .where(or_(Conversation.customer_id == customer_id, Conversation.id.in_(_verified_in(customer_id))),
               Conversation.id != current_id)
        .order_by(Conversation.created_at.desc(), Conversation.id)
        .limit(limit)
    )
    return [summary(c) for c in rows]
