"""The customer's rating of a closed conversation (CSAT): a score of 1 to 5 and an optional comment,
kept on the conversation. Plain keyword-only functions; no side effects beyond the DB."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.conversations.enums import ConversationState
from handoff.conversations.exceptions import AlreadyRated, ConversationNotFound, InvalidRating, NotClosed
from handoff.conversations.models import Conversation

MIN_SCORE = 1
MAX_SCORE = 5
MAX_COMMENT_CHARS = 1000


def clean_comment(comment: str | None) -> str | None:
    """The comment as stored: whitespace stripped, nothing when nothing is left."""
    stripped = (comment or "").strip()
    if len(stripped) > MAX_COMMENT_CHARS:
        raise InvalidRating(f"a comment is at most {MAX_COMMENT_CHARS} characters")
    return stripped or None


async def rate(
    *, session: AsyncSession, conversation_id: str, score: int, comment: str | None, clock: Clock
) -> Conversation:
    """Stores the customer's rating of a closed conversation, once.

    One conditional UPDATE (closed and not rated yet), so of two racing ratings exactly one is
    stored. Raises InvalidRating, ConversationNotFound, NotClosed or AlreadyRated.
    """
    if isinstance(score, bool) or not MIN_SCORE <= score <= MAX_SCORE:
        raise InvalidRating(f"the score is {MIN_SCORE} to {MAX_SCORE}")
    text = clean_comment(comment)
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == ConversationState.CLOSED,
               Conversation.csat_score.is_(None))
        .values(csat_score=score, csat_comment=text, rated_at=clock.now())
    )
    await session.commit()
    conversation = await session.get(Conversation, conversation_id, populate_existing=True)
    if conversation is None:
        raise ConversationNotFound(conversation_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        if conversation.csat_score is not None:
            raise AlreadyRated("this conversation was rated already")
        raise NotClosed(f"the conversation is {conversation.state}: only a closed one can be rated")
    return conversation
