"""Heartbeats and the reaper. Every sweep tick each process

1. writes its heartbeat, and compares the leases the database holds for it with the sockets it
   really serves: a lease whose socket has gone (its close missed the database, which was away) is
   counted out; a socket whose lease is missing (another process took this one for dead while it
   was cut off) is counted in again;
2. counts out the leases of processes whose heartbeat is older than `instance_ttl_s` (killed, their
   machine lost): their customers become gone and their agents' last consoles make them away, as if
   each socket had closed.

Each lease is counted out by whoever deletes its row, so a close racing a sweep counts once.
Heartbeats use each process's own clock: machines' clocks must agree to well within the TTL.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from handoff.conversations import presence
from handoff.instances import service
from handoff.instances.enums import SocketKind
from handoff.routing import flows as routing_flows
from handoff.runtime import Runtime

log = logging.getLogger(__name__)


async def _count_out(rt: Runtime, kind: str, subject: str, lease_id: str) -> None:
    if kind == SocketKind.CUSTOMER:
        await presence.socket_closed(rt, subject, lease_id)
    elif kind == SocketKind.CONSOLE:
        await routing_flows.console_closed(rt, subject, lease_id)


async def socket_closed(rt: Runtime, kind: SocketKind, subject: str, lease_id: str) -> None:
    """A socket's own close. With the database away this process's heartbeat counts it out later, so
    a failure here is one line in the log, not a traceback."""
    rt.sockets.closing(lease_id)
    try:
        await _count_out(rt, kind, subject, lease_id)
    except (SQLAlchemyError, OSError) as exc:
        log.warning("could not count a %s socket out (%s); the heartbeat will", kind.value, type(exc).__name__)


async def _count_in(rt: Runtime, kind: SocketKind, subject: str, lease: service.Lease) -> None:
    try:
        if kind == SocketKind.CUSTOMER:
            await presence.socket_opened(rt, subject, lease)
        else:
            await routing_flows.console_opened(rt, subject, lease)
    except IntegrityError:  # counted in meanwhile (the socket's own open committed after our read)
        pass


async def heartbeat(rt: Runtime) -> int:
    """This process is alive, and its leases match its sockets; how many leases it corrected."""
    live = rt.sockets.snapshot()  # before reading the database: a socket opening after is not judged
    async with rt.sessions() as session:
        anew = await service.beat(session=session, instance_id=rt.instance_id, now=rt.clock.now())
        held = await service.leases_of(session=session, instance_id=rt.instance_id)
    corrected = 0
    for lease in held:  # counted in, but its socket has gone (and is not opening again just now)
        if not rt.sockets.holds(lease.id):
            await _count_out(rt, lease.kind, lease.subject, lease.id)
            corrected += 1
    if anew:  # taken for dead and counted out while alive (only then: never race a socket's own open)
        held_ids = {lease.id for lease in held}
        for lease_id, (kind, subject) in live.items():
            if lease_id not in held_ids and rt.sockets.holds(lease_id):
                await _count_in(rt, kind, subject, service.Lease(rt.instance_id, rt.clock.now(), lease_id))
                corrected += 1
    if corrected:
        log.warning("counted %d socket(s) of this process in or out again", corrected)
    return corrected


async def reap(rt: Runtime) -> int:
    """Counts out the sockets of processes taken for dead; how many."""
    alive_since = rt.clock.now() - timedelta(seconds=rt.settings.instance_ttl_s)
    async with rt.sessions() as session:
        orphans = await service.orphaned(session=session, alive_since=alive_since)
    for lease in orphans:
        await _count_out(rt, lease.kind, lease.subject, lease.id)
    async with rt.sessions() as session:
        await service.forget_dead(session=session, alive_since=alive_since)
    if orphans:
        log.warning("counted out %d socket(s) of app processes gone without closing them", len(orphans))
    return len(orphans)
