"""Persistence of instances and socket leases. The counters themselves are the subjects' services'
(conversation_service.customer_socket_*, agent_service.console_*), which call `hold` and `release`
inside their own transactions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.instances.enums import SocketKind
from handoff.instances.models import AppInstance, SocketLease

REAP_BATCH = 200  # leases of dead processes released per sweep by one process (the rest next time)


@dataclass(frozen=True)
class Lease:
    """A socket about to be counted in: its process and when."""

    instance_id: str
    at: datetime
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


async def beat(*, session: AsyncSession, instance_id: str, now: datetime) -> bool:
    """This process is alive. Whether it was registered anew: the first beat, or one after other
    processes took it for dead and forgot it."""
    result = await session.execute(update(AppInstance).where(AppInstance.id == instance_id)
                                   .values(heartbeat_at=now))
    anew = result.rowcount == 0  # type: ignore[attr-defined]
    if anew:
        session.add(AppInstance(id=instance_id, started_at=now, heartbeat_at=now))
    await session.commit()
    return bool(anew)


def hold(session: AsyncSession, lease: Lease, *, kind: SocketKind, subject: str) -> None:
    """Adds the lease to the caller's transaction (committed with the counter going up)."""
    session.add(SocketLease(id=lease.id, instance_id=lease.instance_id, kind=kind, subject=subject,
                            opened_at=lease.at))


async def release(session: AsyncSession, *, lease_id: str) -> bool:
    """Deletes the lease in the caller's transaction; whether it was still there (only then may the
    caller count the socket out)."""
    gone = await session.scalar(delete(SocketLease).where(SocketLease.id == lease_id).returning(SocketLease.id))
    return gone is not None


class HeldLease(NamedTuple):
    id: str
    kind: str
    subject: str


async def leases_of(*, session: AsyncSession, instance_id: str) -> list[HeldLease]:
    """The process's leases as plain rows: its heartbeat reads one per open socket every few seconds,
    and ORM objects for a thousand of them held the event loop for tens of milliseconds (profiled)."""
    rows = await session.execute(select(SocketLease.id, SocketLease.kind, SocketLease.subject)
                                 .where(SocketLease.instance_id == instance_id))
    return [HeldLease(*row) for row in rows]


async def orphaned(*, session: AsyncSession, alive_since: datetime) -> list[SocketLease]:
    """Leases held by no live process: its heartbeat is older than `alive_since`, or it never wrote one."""
    alive = select(AppInstance.id).where(AppInstance.heartbeat_at >= alive_since)
    return list(await session.scalars(
        select(SocketLease).where(SocketLease.instance_id.not_in(alive)).order_by(SocketLease.opened_at)
        .limit(REAP_BATCH)))


async def forget_dead(*, session: AsyncSession, alive_since: datetime) -> None:
    """Dead processes with no lease left are forgotten."""
    holding = select(SocketLease.instance_id)
    await session.execute(delete(AppInstance).where(AppInstance.heartbeat_at < alive_since,
                                                    AppInstance.id.not_in(holding)))
    await session.commit()

