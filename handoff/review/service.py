"""The review inbox's records: keyword-only functions over review_items and review_changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.review.entities import Span
from handoff.review.enums import ReviewReason, ReviewStatus
from handoff.review.models import ReviewChange, ReviewItem

# Labels an admin may give besides the model's intents: the bot's out-of-scope intent.
OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Understood:
    """What the live model made of a message (from Rasa's parse result)."""

    intent: str | None
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    neighbourhood: str | None

    @classmethod
    def of(cls, parse: dict[str, Any]) -> Understood:
        intent = parse.get("intent") or {}
        name = intent.get("name")
        others = [r for r in parse.get("intent_ranking") or [] if r.get("name") != name]
        # A gated message (out of scope by similarity or a keyboard mash) was nearest to this one.
        neighbour = intent.get("neighbour")
        return cls(intent=name, confidence=round(float(intent.get("confidence") or 0.0), 4),
                   runner_up=others[0].get("name") if others else None,
                   runner_up_confidence=round(float(others[0].get("confidence") or 0.0), 4) if others else 0.0,
                   neighbourhood=None if neighbour is None else str(neighbour))


async def record(*, session: AsyncSession, conversation_id: str, seq: int, text: str, language: str,
                 reasons: list[ReviewReason], understood: Understood, clock: Clock,
                 entities: list[Span] | None = None) -> ReviewItem:
    """Adds the message to the inbox, or adds the reasons to its item if it is there already.
    `entities`: the spans the live model found in the redacted `text` (an admin may correct them)."""
    existing = await session.scalar(select(ReviewItem).where(ReviewItem.conversation_id == conversation_id,
                                                             ReviewItem.seq == seq))
    if existing is None:
        item = ReviewItem(conversation_id=conversation_id, seq=seq, text=text, language=language,
                          reasons=sorted({r.value for r in reasons}), intent=understood.intent,
                          confidence=understood.confidence, runner_up=understood.runner_up,
                          runner_up_confidence=understood.runner_up_confidence,
                          neighbourhood=understood.neighbourhood, entities=entities or [],
                          created_at=clock.now(), status=ReviewStatus.OPEN)
        session.add(item)
        try:
            await session.commit()
            return item
        except IntegrityError:  # recorded meanwhile by another process: add to theirs
            await session.rollback()
            existing = await session.scalar(select(ReviewItem).where(ReviewItem.conversation_id == conversation_id,
                                                                     ReviewItem.seq == seq))
            if existing is None:
                raise
    merged = sorted({*existing.reasons, *(r.value for r in reasons)})
    if merged != existing.reasons:
        existing.reasons = merged
        await session.commit()
    return existing


@dataclass(frozen=True)
class InboxFilter:
    language: str | None = None
    intent: str | None = None
    reason: ReviewReason | None = None
    status: ReviewStatus | None = ReviewStatus.OPEN
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 500


async def inbox(*, session: AsyncSession, where: InboxFilter) -> tuple[list[ReviewItem], int]:
    """The items matching the filter, newest first (at most `limit`), and how many match in all. The
    reason filter is applied here, not in SQL: reasons are a JSON list, and the inbox is small."""
    query = select(ReviewItem)
    if where.language:
        query = query.where(ReviewItem.language == where.language)
    if where.intent:
        query = query.where(ReviewItem.intent == where.intent)
    if where.status:
        query = query.where(ReviewItem.status == where.status)
    if where.since:
        query = query.where(ReviewItem.created_at >= where.since)
    if where.until:
        query = query.where(ReviewItem.created_at < where.until)
    items = list(await session.scalars(query.order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())))
    if where.reason:
        items = [i for i in items if where.reason.value in i.reasons]
    return items[: where.limit], len(items)


async def get(*, session: AsyncSession, item_id: int) -> ReviewItem | None:
    return await session.get(ReviewItem, item_id, populate_existing=True)


async def decide(*, session: AsyncSession, item_ids: list[int], admin_id: str, status: ReviewStatus,
                 intent: str | None, clock: Clock) -> list[ReviewItem]:
    """Annotates (intent given), dismisses or reopens items, each change kept with who made it.
    Unknown ids are skipped; the items changed are returned."""
    now = clock.now()
    changed = []
    for item_id in dict.fromkeys(item_ids):
        item = await session.get(ReviewItem, item_id)
        if item is None:
            continue
        item.status = status
        item.annotated_intent = intent if status == ReviewStatus.ANNOTATED else None
        item.annotated_by = admin_id if status != ReviewStatus.OPEN else None
        item.annotated_at = now if status != ReviewStatus.OPEN else None
        action = {ReviewStatus.ANNOTATED: "annotate", ReviewStatus.DISMISSED: "dismiss",
                  ReviewStatus.OPEN: "reopen"}[status]
        session.add(ReviewChange(item_id=item.id, admin_id=admin_id, action=action, intent=item.annotated_intent,
                                 at=now))
        changed.append(item)
    await session.commit()
    return changed


async def set_entities(*, session: AsyncSession, item_id: int, admin_id: str, entities: list[Span],
                       clock: Clock) -> ReviewItem | None:
    """Replaces the item's entity spans (checked by the caller: handoff.review.entities.check), the
    change kept with its admin. None for an unknown item."""
    item = await session.get(ReviewItem, item_id)
    if item is None:
        return None
    item.entities = entities
    session.add(ReviewChange(item_id=item.id, admin_id=admin_id, action="entities", intent=item.annotated_intent,
                             entities=entities, at=clock.now()))
    await session.commit()
    return item


async def history(*, session: AsyncSession, item_id: int) -> list[ReviewChange]:
    return list(await session.scalars(select(ReviewChange).where(ReviewChange.item_id == item_id)
                                      .order_by(ReviewChange.id)))


async def annotated(*, session: AsyncSession) -> list[ReviewItem]:
    """Every annotated item, in a stable order (the export's)."""
    return list(await session.scalars(select(ReviewItem).where(ReviewItem.status == ReviewStatus.ANNOTATED)
                                      .order_by(ReviewItem.language, ReviewItem.annotated_intent, ReviewItem.id)))
