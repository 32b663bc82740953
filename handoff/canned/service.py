"""Canned responses in the database: plain keyword-only functions, no side effects beyond it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.canned.models import CannedResponse
from handoff.canned.schemas import CannedCreate, CannedUpdate
from handoff.clock import Clock

SEED_FILE = Path(__file__).with_name("seed.json")
MAX_RESULTS = 50


class ShortcutTaken(Exception):
    """Another canned response has this shortcut in this language."""

    def __init__(self, shortcut: str, language: str) -> None:
        super().__init__(f"/{shortcut} exists in {language} already")
        self.shortcut = shortcut
        self.language = language


async def search(*, session: AsyncSession, language: str | None = None, query: str | None = None,
                 limit: int = MAX_RESULTS) -> list[CannedResponse]:
    """By language (all when None) and a query, case-insensitive: shortcuts starting with it first,
    then titles or texts containing it. A leading "/" (as typed in the console) is ignored."""
    stmt = select(CannedResponse)
    if language:
        stmt = stmt.where(CannedResponse.language == language)
    q = (query or "").strip().lstrip("/").strip().lower()
    if q:
        prefix = func.lower(CannedResponse.shortcut).startswith(q, autoescape=True)
        stmt = stmt.where(or_(prefix, CannedResponse.title.icontains(q, autoescape=True),
                              CannedResponse.text.icontains(q, autoescape=True)))
        stmt = stmt.order_by(case((prefix, 0), else_=1))
    stmt = stmt.order_by(CannedResponse.shortcut, CannedResponse.language).limit(limit)
    return list(await session.scalars(stmt))


async def get(*, session: AsyncSession, canned_id: int) -> CannedResponse | None:
    return await session.get(CannedResponse, canned_id, populate_existing=True)


async def by_shortcut(*, session: AsyncSession, shortcut: str, language: str) -> CannedResponse | None:
    """The response with this shortcut in this language (e.g. the one agent assist proposes)."""
    return await session.scalar(select(CannedResponse).where(CannedResponse.shortcut == shortcut,
                                                             CannedResponse.language == language))


async def create(*, session: AsyncSession, body: CannedCreate, agent_id: str | None, clock: Clock) -> CannedResponse:
    await _check_free(session, body.shortcut, body.language, None)
    row = CannedResponse(shortcut=body.shortcut, language=body.language, title=body.title, text=body.text,
                         updated_by=agent_id, updated_at=clock.now())
    session.add(row)
    await _commit(session, body.shortcut, body.language)
    return row


async def update(*, session: AsyncSession, canned_id: int, body: CannedUpdate, agent_id: str | None,
                 clock: Clock) -> CannedResponse | None:
    row = await get(session=session, canned_id=canned_id)
    if row is None:
        return None
    changes = body.model_dump(exclude_none=True)
    shortcut, language = changes.get("shortcut", row.shortcut), changes.get("language", row.language)
    if (shortcut, language) != (row.shortcut, row.language):
        await _check_free(session, shortcut, language, row.id)
    for key, value in changes.items():
        setattr(row, key, value)
    row.updated_by, row.updated_at = agent_id, clock.now()
    await _commit(session, shortcut, language)
    return row


async def delete(*, session: AsyncSession, canned_id: int) -> bool:
    row = await get(session=session, canned_id=canned_id)
    if row is None:
        return False
    await session.delete(row)
    await session.commit()
    return True


async def seed(*, session: AsyncSession, clock: Clock, path: Path = SEED_FILE) -> int:
    """Loads the demo responses into an empty table; returns how many were added (0: not empty)."""
    if await session.scalar(select(func.count()).select_from(CannedResponse)):
        return 0
    entries: list[dict[str, Any]] = json.loads(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    for entry in entries:
        body = CannedCreate.model_validate(entry)
        session.add(CannedResponse(shortcut=body.shortcut, language=body.language, title=body.title, text=body.text,
                                   updated_by=None, updated_at=clock.now()))
    try:
        await session.commit()
    except IntegrityError:  # another app process seeded it at the same moment
        await session.rollback()
        return 0
    return len(entries)


async def _check_free(session: AsyncSession, shortcut: str, language: str, own_id: int | None) -> None:
    found = await session.scalar(select(CannedResponse.id).where(CannedResponse.shortcut == shortcut,
                                                                 CannedResponse.language == language))
    if found is not None and found != own_id:
        raise ShortcutTaken(shortcut, language)


async def _commit(session: AsyncSession, shortcut: str, language: str) -> None:
    """Commits; the unique constraint decides a race the check above could not see."""
    try:
        await session.commit()
    except IntegrityError as exc:
        await session.rollback()
        raise ShortcutTaken(shortcut, language) from exc
