"""Durable bot turns: an acknowledged customer message is answered by the bot or queued for a person,
even if the process that acknowledged it dies before Rasa answers.

The message and its pending turn are stored in one transaction (conversation_service.append_message),
held by the storing process under a lease. The turn renews the lease as it starts and deletes the row
when it is over. A process that dies leaves its rows behind; once their lease has run out, the sweep
of any process (this one after a restart, or another instance) takes them over (one atomic UPDATE per
row, so exactly one does) and runs them again. A turn interrupted MAX_ATTEMPTS times goes to a person
instead: whatever keeps killing it should not keep the customer waiting.

Running a turn again may send Rasa a message it already received (if the process died after Rasa
answered but before the replies were stored): the customer then gets the answer, and Rasa's tracker
holds the message twice. Losing the turn would be worse.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.assist import flows as assist_flows
from handoff.conversations import flows
from handoff.conversations.batch import Stored
from handoff.conversations.enums import ConversationState, HandoffReason
from handoff.conversations.models import Message, PendingTurn
from handoff.runtime import Runtime

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Turns taken over per sweep by one process (the rest wait for the next sweep).
TAKE_OVER_BATCH = 50


async def _renew(session: AsyncSession, rt: Runtime, conversation_id: str, seq: int) -> bool:
    """Whether this process still holds the turn (its lease renewed); False if another took it over."""
    owner, until = rt.turn_lease()
    result = await session.execute(
        update(PendingTurn)
        .where(PendingTurn.conversation_id == conversation_id, PendingTurn.seq == seq, PendingTurn.owner == owner)
        .values(lease_until=until))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def _finish(session: AsyncSession, conversation_id: str, seq: int) -> None:
    await session.execute(delete(PendingTurn).where(PendingTurn.conversation_id == conversation_id,
                                                    PendingTurn.seq == seq))
    await session.commit()


async def _keep_holding(rt: Runtime, conversation_id: str, seq: int) -> None:
    """Renews a running turn's lease every third of it, so no other process takes over a turn that is
    slow but alive."""
    while True:
        await asyncio.sleep(rt.settings.turn_lease_s / 3)
        try:
            async with rt.sessions() as session:
                await _renew(session, rt, conversation_id, seq)
        except Exception:  # the database briefly away: the next beat tries again
            log.warning("could not renew the lease of a bot turn in %s", conversation_id)


def after_customer_message(rt: Runtime, stored: Stored) -> None:
    """A new customer message's work beside the socket: the bot's turn if one was stored with it (the
    bot has the chat; if this process dies first, another one answers), else, with a person on the
    chat, agent assist's NLU-only suggestion for them."""
    if stored.turn_until is not None:
        message = stored.message.orm()
        rt.turns.run(message.conversation_id, partial(answer, rt, message, held_until=stored.turn_until))
    elif stored.state == ConversationState.ASSIGNED and rt.settings.assist_max_pending > 0:
        # Assist off, no ORM copy: building one cost about as much as storing the message (profiled).
        assist_flows.schedule(rt, stored.message.orm())


async def answer(rt: Runtime, message: Message, held_until: datetime | None = None) -> None:
    """The bot's turn for a stored customer message, if this process still holds it. A turn cut off by
    shutdown keeps its row: another process (or this one, restarted) runs it again.
    held_until: the lease this process took when it stored the turn. While more than half of it is
    left, no other process can have taken the turn over (only an expired lease is) and the heartbeat
    renews it in time, so the turn starts without a transaction of its own (one less before the
    customer's answer); otherwise the lease is renewed first, and the turn run only if still ours."""
    fresh = held_until is not None and held_until - rt.clock.now() > timedelta(seconds=rt.settings.turn_lease_s / 2)
    if not fresh:
        async with rt.sessions() as session:
            if not await _renew(session, rt, message.conversation_id, message.seq):
                return  # taken over by another process after our lease ran out, or already done
    heartbeat = asyncio.create_task(_keep_holding(rt, message.conversation_id, message.seq))
    try:
        await flows.route_to_bot(rt, message)
    except asyncio.CancelledError:
        raise
    except Exception:  # a bug, not an outage (route_to_bot hands off on those): not run again
        log.exception("bot turn failed in conversation %s", message.conversation_id)
    finally:
        heartbeat.cancel()
    async with rt.sessions() as session:
        await _finish(session, message.conversation_id, message.seq)


async def _take_over(session: AsyncSession, rt: Runtime) -> list[PendingTurn]:
    now = rt.clock.now()
    expired = list(await session.scalars(
        # Never this process's own: those are running or waiting in its turn queue (a restarted
        # process has a new instance id).
        select(PendingTurn).where(PendingTurn.lease_until < now, PendingTurn.owner != rt.instance_id)
        .order_by(PendingTurn.lease_until).limit(TAKE_OVER_BATCH)))
    owner, until = rt.turn_lease()
    taken = []
    for turn in expired:
        result = await session.execute(
            update(PendingTurn)
            .where(PendingTurn.conversation_id == turn.conversation_id, PendingTurn.seq == turn.seq,
                   PendingTurn.lease_until < now, PendingTurn.owner == turn.owner)
            .values(owner=owner, lease_until=until, attempts=PendingTurn.attempts + 1)
            # The rows read above keep their old values (SQLite's naive times would not compare).
            .execution_options(synchronize_session=False))
        await session.commit()
        if result.rowcount == 1:  # type: ignore[attr-defined]
            taken.append(turn)
    return taken


async def resume_abandoned(rt: Runtime) -> int:
    """Takes over the turns whose process died (their lease ran out) and runs them in order; the
    number taken. Called by every process's sweep."""
    async with rt.sessions() as session:
        taken = await _take_over(session, rt)
        messages = []
        for turn in taken:
            message = await session.scalar(select(Message).where(Message.conversation_id == turn.conversation_id,
                                                                 Message.seq == turn.seq))
            messages.append((turn.attempts + 1, message, turn))
    for attempts, message, turn in sorted(messages, key=lambda m: (m[2].conversation_id, m[2].seq)):
        log.warning("resuming the bot turn for message %d of %s (attempt %d)", turn.seq, turn.conversation_id,
                    attempts)
        if message is None or attempts > MAX_ATTEMPTS:
            rt.turns.run(turn.conversation_id, partial(_give_up, rt, turn.conversation_id, turn.seq))
        else:
            rt.turns.run(turn.conversation_id, partial(answer, rt, message))
    return len(taken)


async def _give_up(rt: Runtime, conversation_id: str, seq: int) -> None:
    await flows.hand_off(rt, conversation_id, HandoffReason.BOT_UNAVAILABLE,  # only if still the bot's
                         "The assistant's turn was interrupted more than once.")
    async with rt.sessions() as session:
        await _finish(session, conversation_id, seq)
