"""Persistence of conversations and messages. Plain keyword-only functions; no side effects beyond the DB."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.clock import Clock
from handoff.conversations.enums import ConversationState, CustomerPresence, Sender
from handoff.conversations.exceptions import BotNotInCharge
from handoff.conversations.models import Conversation, HandoffContext, Message, PendingTurn
from handoff.instances import service as instance_service
from handoff.instances.enums import SocketKind

PAGE_SIZE = 1000  # messages per page when reading a conversation (catch-up, history)


async def create(*, session: AsyncSession, customer_id: str | None, locale: str, clock: Clock) -> Conversation:
    conversation = Conversation(customer_id=customer_id, locale=locale, language=locale, state=ConversationState.BOT,
                                last_seq=0, created_at=clock.now())
    session.add(conversation)
    await session.commit()
    return conversation


async def get(*, session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id, populate_existing=True)


async def find_by_client_id(*, session: AsyncSession, conversation_id: str, client_msg_id: str) -> Message | None:
    return await session.scalar(
        select(Message).where(Message.conversation_id == conversation_id, Message.client_msg_id == client_msg_id)
    )


async def append_message(
    *,
    session: AsyncSession,
    conversation_id: str,
    sender: Sender,
    text: str,
    clock: Clock,
    client_msg_id: str | None = None,
    author_id: str | None = None,
    payload: dict[str, Any] | None = None,
    bot_since: datetime | None = None,
    turn_lease: tuple[str, datetime] | None = None,
) -> tuple[Message, bool]:
    """Stores a message with the conversation's next sequence number.

    Returns (message, created). A message whose client id was already stored is returned as is
    with created=False, so a retried send never duplicates.

    A bot message is stored only while the bot owns the conversation (and, with `bot_since`, has
    owned it without a break since then: not handed off and back meanwhile); otherwise nothing is
    stored and BotNotInCharge is raised. The check is in the sequence number's UPDATE, so a handoff
    committed first always wins: no bot message ever follows it.

    turn_lease (owner, until): a customer message that reaches the bot (the conversation is in `bot`)
    also gets its pending turn, in the same transaction, held by `owner` until `until`: once the
    message is acknowledged its turn cannot be lost (handoff/conversations/outbox.py).
    """
    if client_msg_id is not None:
        existing = await find_by_client_id(session=session, conversation_id=conversation_id,
                                           client_msg_id=client_msg_id)
        if existing is not None:
            return existing, False
    # The increment is one atomic UPDATE ... RETURNING, so concurrent writers in any number of
    # processes get distinct, gap-free numbers (the row lock is held until commit).
    query = update(Conversation).where(Conversation.id == conversation_id)
    if sender == Sender.BOT:
        query = query.where(Conversation.state == ConversationState.BOT)
        if bot_since is not None:
            # Every way out of `bot` is a handoff, which sets queued_at.
            query = query.where(or_(Conversation.queued_at.is_(None), Conversation.queued_at < bot_since))
    row = (await session.execute(query.values(last_seq=Conversation.last_seq + 1)
                                 .returning(Conversation.last_seq, Conversation.state))).first()
    seq = None if row is None else row[0]
    if seq is None:
        await session.rollback()
        if sender == Sender.BOT and await session.get(Conversation, conversation_id) is not None:
            raise BotNotInCharge(conversation_id)
        raise LookupError(conversation_id)
    message = Message(conversation_id=conversation_id, seq=seq, sender=sender, text=text,
                      client_msg_id=client_msg_id, author_id=author_id, payload=payload, created_at=clock.now())
    session.add(message)
    if turn_lease is not None and row is not None and row[1] == ConversationState.BOT:
        session.add(PendingTurn(conversation_id=conversation_id, seq=seq, owner=turn_lease[0],
                                lease_until=turn_lease[1]))
    try:
        await session.commit()
    except IntegrityError:
        # The same client id raced in from another connection: keep theirs.
        await session.rollback()
        existing = await find_by_client_id(session=session, conversation_id=conversation_id,
                                           client_msg_id=client_msg_id or "")
        if existing is None:
            raise
        return existing, False
    return message, True


async def messages_after(
    *, session: AsyncSession, conversation_id: str, after_seq: int, until_seq: int | None = None,
    limit: int = PAGE_SIZE, with_notes: bool = False,
) -> list[Message]:
    """One page (at most `limit`) of the conversation's messages after `after_seq`, in order; a
    full page means there may be more: ask again after its last seq. Private notes only when asked
    for (agents): the safe default is what a customer may see."""
    query = select(Message).where(Message.conversation_id == conversation_id, Message.seq > after_seq)
    if not with_notes:
        query = query.where(Message.sender != Sender.NOTE)
    if until_seq is not None:
        query = query.where(Message.seq <= until_seq)
    return list(await session.scalars(query.order_by(Message.seq).limit(limit)))


async def transition(
    *,
    session: AsyncSession,
    conversation_id: str,
    allowed_from: Iterable[ConversationState],
    to: ConversationState,
    expect_agent: str | None = None,
    **values: Any,
) -> bool:
    """Moves the conversation to `to` only if it is in one of `allowed_from` (and, when given, owned
    by `expect_agent`). One conditional UPDATE: of two racing callers exactly one succeeds."""
    query = update(Conversation).where(Conversation.id == conversation_id,
                                       Conversation.state.in_([s.value for s in allowed_from]))
    if expect_agent is not None:
        query = query.where(Conversation.assigned_agent_id == expect_agent)
    result = await session.execute(query.values(state=to, **values))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def open_conversations(*, session: AsyncSession) -> list[Conversation]:
    """Queued and assigned conversations, oldest handoff first."""
    rows = await session.scalars(
        select(Conversation)
        .where(Conversation.state.in_([ConversationState.QUEUED, ConversationState.ASSIGNED,
                                       ConversationState.TICKET]))
        .order_by(Conversation.queued_at)
    )
    return list(rows)


async def save_context(
    *, session: AsyncSession, conversation_id: str, reason: str, data: dict[str, Any], clock: Clock
) -> HandoffContext:
    context = HandoffContext(conversation_id=conversation_id, reason=reason, data=data, created_at=clock.now())
    session.add(context)
    await session.commit()
    return context


async def latest_context(*, session: AsyncSession, conversation_id: str) -> HandoffContext | None:
    return await session.scalar(
        select(HandoffContext).where(HandoffContext.conversation_id == conversation_id)
        .order_by(HandoffContext.id.desc()).limit(1)
    )


async def queue_for_handoff(
    *, session: AsyncSession, conversation_id: str, reason: str, context: dict[str, Any], clock: Clock,
    required_skill: str | None = None, priority: int = 0, to: ConversationState = ConversationState.QUEUED,
) -> bool:
    """BOT -> QUEUED and the context record in one transaction, so no agent can claim a conversation
    whose context is not there yet."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id, Conversation.state == ConversationState.BOT)
        .values(state=to, handoff_reason=reason, queued_at=clock.now(),
                assigned_agent_id=None, required_skill=required_skill, priority=priority)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.rollback()
        return False
    session.add(HandoffContext(conversation_id=conversation_id, reason=reason, data=context, created_at=clock.now()))
    await session.commit()
    return True


async def set_contact_email(*, session: AsyncSession, conversation_id: str, email: str) -> None:
    await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(contact_email=email))
    await session.commit()


async def set_language(*, session: AsyncSession, conversation_id: str, language: str) -> None:
    await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(language=language))
    await session.commit()


async def unanswered(*, session: AsyncSession, assigned_before: datetime) -> list[Conversation]:
    """Assigned conversations, assigned before the given time, in which the assigned agent has not
    written since."""
    answered = (select(Message.id).where(Message.conversation_id == Conversation.id,
                                         Message.sender == Sender.AGENT,
                                         Message.author_id == Conversation.assigned_agent_id,
                                         Message.created_at >= Conversation.assigned_at).exists())
    rows = await session.scalars(select(Conversation).where(
        Conversation.state == ConversationState.ASSIGNED, Conversation.assigned_at < assigned_before, ~answered))
    return list(rows)


async def customer_socket_opened(*, session: AsyncSession, conversation_id: str, lease: instance_service.Lease
                                 ) -> CustomerPresence | None:
    """One more widget socket on the conversation, held under `lease`: the customer is online. The
    presence before (None: no such conversation, and nothing held)."""
    before = await session.scalar(select(Conversation.customer_presence).where(Conversation.id == conversation_id))
    if before is None:
        return None
    await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(
        customer_sockets=Conversation.customer_sockets + 1, customer_presence=CustomerPresence.ONLINE))
    instance_service.hold(session, lease, kind=SocketKind.CUSTOMER, subject=conversation_id)
    await session.commit()
    return CustomerPresence(before)


async def customer_socket_closed(*, session: AsyncSession, conversation_id: str, lease_id: str
                                 ) -> CustomerPresence | None:
    """One widget socket fewer, if its lease was still held (None otherwise: counted out already, by
    a sweep); with none left the customer is gone. Returns the presence now."""
    if not await instance_service.release(session, lease_id=lease_id):
        await session.rollback()
        return None
    left = case((Conversation.customer_sockets > 1, Conversation.customer_sockets - 1), else_=0)
    presence = await session.scalar(
        update(Conversation).where(Conversation.id == conversation_id)
        .values(customer_sockets=left,
                customer_presence=case((left == 0, CustomerPresence.GONE.value),
                                       else_=Conversation.customer_presence))
        .returning(Conversation.customer_presence))
    await session.commit()
    return None if presence is None else CustomerPresence(presence)


async def set_customer_presence(*, session: AsyncSession, conversation_id: str,
                                presence: CustomerPresence) -> bool:
    """What the widget says of itself (on screen or not), while it has a socket open. Whether it changed."""
    result = await session.execute(update(Conversation).where(
        Conversation.id == conversation_id, Conversation.customer_sockets > 0,
        Conversation.customer_presence != presence).values(customer_presence=presence))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def mark_read(*, session: AsyncSession, conversation_id: str, by_customer: bool, seq: int) -> bool:
    """Read receipts only go up, and never past the last message. Whether it moved."""
    column = Conversation.customer_read_seq if by_customer else Conversation.agent_read_seq
    result = await session.execute(update(Conversation).where(
        Conversation.id == conversation_id, column < seq, Conversation.last_seq >= seq).values({column: seq}))
    await session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
