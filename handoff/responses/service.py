"""The admins' edits of the bot's responses: keyword-only functions over response_edits. Every edit
is a row of its own, kept; the newest per response and language is the one in effect."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.responses import catalogue
from handoff.responses.models import ResponseEdit

Key = tuple[str, str]  # (response, language)


async def record(*, session: AsyncSession, response: str, language: str, text: str | None, admin_id: str,
                 clock: Clock) -> ResponseEdit:
    """Keeps an edit (`text` None: back to the text in bot/domain), checked by the caller."""
    edit = ResponseEdit(response=response, language=language, text=text, admin_id=admin_id, at=clock.now())
    session.add(edit)
    await session.commit()
    return edit


async def change(*, session: AsyncSession, response: catalogue.Response, language: str, text: str | None,
                 admin_id: str, clock: Clock) -> ResponseEdit | None:
    """An admin's text for `response` in `language` (None: back to bot/domain's), checked (BadEdit) and
    kept. The original text typed again is a restore; the text in effect typed again changes nothing
    and is not recorded (None)."""
    if text is not None:
        text = catalogue.check(response, text)
        if text == response.texts.get(language):
            text = None
    latest = (await current(session=session, response=response.name)).get((response.name, language))
    if text == (latest.text if latest else None):
        return None
    return await record(session=session, response=response.name, language=language, text=text, admin_id=admin_id,
                        clock=clock)


async def current(*, session: AsyncSession, response: str | None = None) -> dict[Key, ResponseEdit]:
    """The newest edit per response and language (a restore included: its text is None); of one
    response when given."""
    newest = select(func.max(ResponseEdit.id)).group_by(ResponseEdit.response, ResponseEdit.language)
    if response is not None:
        newest = newest.where(ResponseEdit.response == response)
    rows = await session.scalars(select(ResponseEdit).where(ResponseEdit.id.in_(newest)))
    return {(r.response, r.language): r for r in rows}


async def texts(*, session: AsyncSession) -> dict[Key, str]:
    """The edited texts in effect: what the next trained model says instead of bot/domain's."""
    return {key: edit.text for key, edit in (await current(session=session)).items() if edit.text is not None}


async def history(*, session: AsyncSession, response: str) -> list[ResponseEdit]:
    """Every edit of one response, in every language, oldest first."""
    return list(await session.scalars(select(ResponseEdit).where(ResponseEdit.response == response)
                                      .order_by(ResponseEdit.id)))
