"""Sequence numbers, idempotent sends and exclusive claims under real concurrency."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.agents.models import Agent
from handoff.clock import Clock
from handoff.conversations import service
from handoff.conversations.enums import ConversationState, CustomerPresence, Sender
from handoff.instances.service import Lease


async def _conversation(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> str:
    async with sessions() as session:
        return (await service.create(session=session, customer_id=None, locale="en", clock=clock)).id


async def test_concurrent_writers_get_distinct_gap_free_seqs(sessions, clock) -> None:
    cid = await _conversation(sessions, clock)

    async def write(i: int) -> int:
        async with sessions() as session:
            message, created = await service.append_message(
                session=session, conversation_id=cid, sender=Sender.CUSTOMER, text=f"m{i}",
                client_msg_id=f"c{i}", clock=clock)
            assert created
            return message.seq

    seqs = await asyncio.gather(*(write(i) for i in range(25)))
    assert sorted(seqs) == list(range(1, 26))
    async with sessions() as session:
        stored = await service.messages_after(session=session, conversation_id=cid, after_seq=0)
    assert [m.seq for m in stored] == list(range(1, 26))


async def test_same_client_id_is_stored_once_even_when_racing(sessions, clock) -> None:
    cid = await _conversation(sessions, clock)

    async def send() -> tuple[int, bool]:
        async with sessions() as session:
            message, created = await service.append_message(
                session=session, conversation_id=cid, sender=Sender.CUSTOMER, text="hello",
                client_msg_id="same-id", clock=clock)
            return message.seq, created

    results = await asyncio.gather(*(send() for _ in range(8)))
    assert len({seq for seq, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    async with sessions() as session:
        assert len(await service.messages_after(session=session, conversation_id=cid, after_seq=0)) == 1


async def test_messages_after_returns_exactly_the_tail(sessions, clock) -> None:
    cid = await _conversation(sessions, clock)
    async with sessions() as session:
        for i in range(6):
            await service.append_message(session=session, conversation_id=cid, sender=Sender.BOT, text=f"b{i}",
                                         clock=clock)
        tail = await service.messages_after(session=session, conversation_id=cid, after_seq=4)
        middle = await service.messages_after(session=session, conversation_id=cid, after_seq=1, until_seq=3)
    assert [m.text for m in tail] == ["b4", "b5"]
    assert [m.seq for m in middle] == [2, 3]


async def test_only_one_of_many_concurrent_claims_wins(sessions, clock) -> None:
    cid = await _conversation(sessions, clock)
    async with sessions() as session:
        session.add_all(Agent(id=f"a{i}", display_name=f"A{i}", password_hash="x", created_at=clock.now())
                        for i in range(6))
        await session.commit()
        assert await service.queue_for_handoff(session=session, conversation_id=cid, reason="customer_request",
                                               context={"reason": "customer_request"}, clock=clock)

    async def claim(agent_id: str) -> bool:
        async with sessions() as session:
            return await service.transition(session=session, conversation_id=cid,
                                            allowed_from=[ConversationState.QUEUED], to=ConversationState.ASSIGNED,
                                            assigned_agent_id=agent_id)

    wins = await asyncio.gather(*(claim(f"a{i}") for i in range(6)))
    assert sum(wins) == 1
    async with sessions() as session:
        conversation = await service.get(session=session, conversation_id=cid)
    assert conversation is not None and conversation.state == ConversationState.ASSIGNED
    assert conversation.assigned_agent_id == f"a{wins.index(True)}"


async def test_handoff_happens_once_and_keeps_its_context(sessions, clock) -> None:
    cid = await _conversation(sessions, clock)

    async def queue(reason: str) -> bool:
        async with sessions() as session:
            return await service.queue_for_handoff(session=session, conversation_id=cid, reason=reason,
                                                   context={"reason": reason}, clock=clock)

    results = await asyncio.gather(queue("customer_request"), queue("repeated_fallback"))
    assert sorted(results) == [False, True]
    async with sessions() as session:
        context = await service.latest_context(session=session, conversation_id=cid)
        conversation = await service.get(session=session, conversation_id=cid)
    assert context is not None and conversation is not None
    assert context.reason == conversation.handoff_reason


async def test_customer_presence_counts_every_socket(sessions, clock) -> None:
    """Two tabs open: closing one leaves the customer there; closing both makes them gone, also when
    the sockets open and close concurrently (each is one atomic UPDATE)."""
    cid = await _conversation(sessions, clock)

    leases = [Lease("this-process", clock.now()) for _ in range(6)]

    async def opened(lease: Lease) -> None:
        async with sessions() as session:
            await service.customer_socket_opened(session=session, conversation_id=cid, lease=lease)

    async def closed(lease: Lease) -> CustomerPresence | None:
        async with sessions() as session:
            return await service.customer_socket_closed(session=session, conversation_id=cid, lease_id=lease.id)

    async def presence() -> CustomerPresence:
        async with sessions() as session:
            conversation = await service.get(session=session, conversation_id=cid)
        assert conversation is not None
        return conversation.customer_presence

    assert await presence() == CustomerPresence.GONE
    await asyncio.gather(*(opened(lease) for lease in leases))
    assert await presence() == CustomerPresence.ONLINE
    async with sessions() as session:  # the widget hidden: away, and only a change counts
        assert await service.set_customer_presence(session=session, conversation_id=cid,
                                                   presence=CustomerPresence.AWAY)
        assert not await service.set_customer_presence(session=session, conversation_id=cid,
                                                       presence=CustomerPresence.AWAY)
    left = await asyncio.gather(*(closed(lease) for lease in leases[:5]))
    assert set(left) == {CustomerPresence.AWAY}  # one tab still open
    assert await closed(leases[5]) == CustomerPresence.GONE
    assert await closed(leases[5]) is None  # a lease is counted out once (never below zero)
    async with sessions() as session:  # with no socket the widget cannot claim to be there
        assert not await service.set_customer_presence(session=session, conversation_id=cid,
                                                       presence=CustomerPresence.ONLINE)
    await opened(Lease("this-process", clock.now()))
    assert await presence() == CustomerPresence.ONLINE
    async with sessions() as session:
        assert await service.customer_socket_opened(session=session, conversation_id="nope",
                                                    lease=Lease("this-process", clock.now())) is None
