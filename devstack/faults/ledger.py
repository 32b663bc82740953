"""What happened to every message of a fault scenario: sent (and how often), acknowledged (with which
seq), delivered to the other side (on which connection, when) and stored (the history endpoint);
and the figures drawn from that: lost, duplicated, out of order, time to recover."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Side = Literal["customer", "agent"]
OTHER: dict[Side, Side] = {"customer": "agent", "agent": "customer"}


@dataclass
class Outgoing:
    """One message a party wrote: the same client_msg_id however often it is sent."""

    client_msg_id: str
    conversation_id: str
    side: Side
    n: int  # its place among this side's messages in this conversation: 0, 1, 2, ...
    text: str
    first_sent_at: float
    sends: int = 1
    seq: int | None = None  # from the first ack
    acked_at: float | None = None
    ack_seqs: set[int] = field(default_factory=set)  # more than one: stored twice
    duplicate_acks: int = 0  # resends the app recognised (stored before, not stored again)
    errors: list[str] = field(default_factory=list)
    delivered_at: float | None = None  # the first time it reached the other side


@dataclass(frozen=True)
class ConnectionFindings:
    twice: int  # the same message again on this connection
    out_of_order: int  # a message (first time on this connection) after a higher seq
    redelivered: int  # messages the client had from an earlier connection, sent again
    sample: dict[str, Any]


@dataclass(frozen=True)
class Arrival:
    seq: int
    client_msg_id: str
    at: float
    connection: int  # the receiving party's connection number (1, 2, ... per party)


def _now() -> float:
    return time.monotonic()


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _latency(seconds: list[float]) -> dict[str, float | None]:
    """Sent -> first delivered to the other side, in ms."""
    if not seconds:
        return {"p50": None, "p99": None, "max": None}
    return {"p50": round(statistics.median(seconds) * 1000, 1),
            "p99": round((_percentile(seconds, 0.99) or 0) * 1000, 1), "max": round(max(seconds) * 1000, 1)}


def _inversions(seqs: list[int]) -> int:
    """How many come after a higher one (an equal one is a duplicate, counted as such)."""
    count, highest = 0, 0
    for seq in seqs:
        if seq < highest:
            count += 1
        highest = max(highest, seq)
    return count


class Ledger:
    def __init__(self) -> None:
        self.messages: dict[str, Outgoing] = {}
        # (conversation, receiving side) -> the scenario's messages arriving there, in arrival order
        self.arrivals: dict[tuple[str, Side], list[Arrival]] = defaultdict(list)
        self.stored: dict[str, list[dict[str, Any]]] = {}  # conversation -> its history, once read
        self.history_read_at: dict[str, float] = {}  # when that read began
        self.drops: list[float] = []  # when a party's socket closed
        self.reconnects: list[float] = []  # when a party was connected again after a drop
        self.mark = float("inf")  # messages first sent from then on count in delivered_since_mark
        self.delivered_since_mark = 0
        self._counts: Counter[tuple[str, Side]] = Counter()
        self._acked_undelivered: set[str] = set()
        self._changed = asyncio.Event()

    # --- recording (called from the parties' frame handlers) ------------------------------------

    def new(self, conversation_id: str, side: Side) -> Outgoing:
        n = self._counts[conversation_id, side]
        self._counts[conversation_id, side] += 1
        cid = f"{side[0]}-{uuid.uuid4().hex}"
        out = Outgoing(cid, conversation_id, side, n, f"{side} {n} ({cid})", _now())
        self.messages[cid] = out
        return out

    def acked(self, client_msg_id: str, seq: int, duplicate: bool) -> None:
        out = self.messages.get(client_msg_id)
        if out is None:
            return  # not one of the scenario's (the set-up's handoff request)
        out.ack_seqs.add(seq)
        out.duplicate_acks += bool(duplicate)
        if out.seq is None:
            out.seq, out.acked_at = seq, _now()
            if out.delivered_at is None:
                self._acked_undelivered.add(client_msg_id)
        self._notify()

    def refused(self, client_msg_id: str, code: str) -> None:
        out = self.messages.get(client_msg_id)
        if out is not None:
            out.errors.append(code)
        self._notify()

    def arrived(self, conversation_id: str, side: Side, message: dict[str, Any], connection: int) -> None:
        out = self.messages.get(message.get("client_msg_id") or "")
        if out is None:
            return
        at = _now()
        self.arrivals[conversation_id, side].append(Arrival(int(message["seq"]), out.client_msg_id, at, connection))
        if side == OTHER[out.side] and out.delivered_at is None:
            out.delivered_at = at
            self._acked_undelivered.discard(out.client_msg_id)
            if out.first_sent_at >= self.mark:
                self.delivered_since_mark += 1
        self._notify()

    def dropped(self) -> None:
        self.drops.append(_now())
        self._notify()

    def reconnected(self) -> None:
        self.reconnects.append(_now())
        self._notify()

    def set_mark(self) -> float:
        """From now: count the messages first sent from now on that reach the other side."""
        self.mark, self.delivered_since_mark = _now(), 0
        return self.mark

    # --- waiting (on frames, never on a timer) ------------------------------------------------------

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Whether predicate became true within timeout, checked again on every recorded event."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                return predicate()
        return True

    @property
    def delivered(self) -> int:
        return sum(out.delivered_at is not None for out in self.messages.values())

    def acked_undelivered(self) -> set[str]:
        return set(self._acked_undelivered)

    # --- figures ------------------------------------------------------------------------------------

    def on_connection(self, conversation_id: str, side: Side, connection: int) -> ConnectionFindings:
        """What one connection of one end of a conversation got wrong."""
        arrivals = self.arrivals[conversation_id, side]
        on_it = [a for a in arrivals if a.connection == connection]
        before = {a.client_msg_id for a in arrivals if a.connection < connection}
        seen: set[str] = set()
        twice = out_of_order = 0
        highest = 0
        for arrival in on_it:
            if arrival.client_msg_id in seen:
                twice += 1
            else:
                seen.add(arrival.client_msg_id)
                out_of_order += arrival.seq < highest
            highest = max(highest, arrival.seq)
        repeated = Counter(a.client_msg_id for a in on_it)
        sample = {"seqs_repeated": sorted(a.seq for a in on_it if repeated[a.client_msg_id] > 1)[:10],
                  "seqs_in_arrival_order": f"{on_it[0].seq}..{on_it[-1].seq} ({len(on_it)})" if on_it else ""}
        # Messages the client had from an earlier connection, and said so (last_seq, resume).
        return ConnectionFindings(twice, out_of_order, len(seen & before), sample)

    def figures(self, fault_at: float, fault_end_at: float) -> dict[str, Any]:
        messages = list(self.messages.values())
        acked = [m for m in messages if m.seq is not None]
        undelivered = {m.client_msg_id for m in acked if m.delivered_at is None}

        stored_count: Counter[str] = Counter()
        stored_seq: dict[str, int] = {}
        for history in self.stored.values():
            for message in history:
                if message.get("client_msg_id") in self.messages:
                    stored_count[message["client_msg_id"]] += 1
                    stored_seq.setdefault(message["client_msg_id"], int(message["seq"]))
        checked = {m.conversation_id for m in acked} <= set(self.stored)
        # Only what was acknowledged before its history was read must be in it (an app still working
        # through a backlog acknowledges the last resends meanwhile).
        read_at = self.history_read_at
        in_time = [m for m in acked if m.acked_at is not None and m.acked_at < read_at.get(m.conversation_id, 0)]
        not_stored = {m.client_msg_id for m in in_time if stored_count[m.client_msg_id] == 0} if checked else set()
        stored_twice = sum(c - 1 for c in stored_count.values() if c > 1)
        seq_mismatch = sum(len(m.ack_seqs) > 1 or (m.client_msg_id in stored_seq and stored_seq[m.client_msg_id]
                                                   != m.seq) for m in acked)

        delivered_twice = connection_inversions = first_arrival_inversions = redelivered = 0
        examples: list[dict[str, Any]] = []  # what a duplicate looked like, for the report
        for (conversation_id, side), arrivals in self.arrivals.items():
            for connection in sorted({a.connection for a in arrivals}):
                found = self.on_connection(conversation_id, side, connection)
                delivered_twice += found.twice
                connection_inversions += found.out_of_order
                redelivered += found.redelivered
                if found.twice and len(examples) < 5:
                    examples.append({"conversation": conversation_id[:8], "to": side, "connection": connection,
                                     **found.sample})
            seen: set[str] = set()
            firsts = []
            for arrival in arrivals:
                if arrival.client_msg_id not in seen:
                    seen.add(arrival.client_msg_id)
                    firsts.append(arrival.seq)
            first_arrival_inversions += _inversions(firsts)
        streams: dict[tuple[str, Side], list[Outgoing]] = defaultdict(list)
        for m in acked:
            streams[m.conversation_id, m.side].append(m)
        stored_inversions = sum(_inversions([m.seq or 0 for m in sorted(stream, key=lambda m: m.n)])
                                for stream in streams.values())

        # Recovery: per conversation and direction, the first message written after the fault that
        # reached the other side; the slowest of them is when every conversation was live again.
        first_after: dict[tuple[str, Side], float] = {}
        for m in messages:
            if m.first_sent_at >= fault_at and m.delivered_at is not None:
                key = (m.conversation_id, m.side)
                first_after[key] = min(first_after.get(key, m.delivered_at), m.delivered_at)
        directions = {(m.conversation_id, m.side) for m in messages}
        recovered = len(first_after) == len(directions) and bool(directions)
        recovery_at = max(first_after.values()) if recovered else None
        reconnected_after = [t - fault_at for t in self.reconnects if t >= fault_at]
        latencies = [m.delivered_at - m.first_sent_at for m in messages if m.delivered_at is not None]
        steady = [m.delivered_at - m.first_sent_at for m in messages
                  if m.delivered_at is not None and m.first_sent_at < fault_at]
        since = [m.delivered_at - m.first_sent_at for m in messages
                 if m.delivered_at is not None and m.first_sent_at >= fault_end_at]
        lost = undelivered | not_stored
        return {
            "sent": len(messages),
            "acknowledged": len(acked),
            "unacknowledged": len(messages) - len(acked),
            "delivered": self.delivered,
            "lost": len(lost),
            "lost_undelivered": len(undelivered),
            "lost_not_stored": len(not_stored),
            "history_checked": checked,
            "acknowledged_after_history_read": len(acked) - len(in_time),
            "duplicated": delivered_twice + stored_twice,
            "delivered_twice_on_one_connection": delivered_twice,
            "stored_twice": stored_twice,
            "delivered_twice_examples": examples,
            "ack_seq_mismatch": seq_mismatch,
            "redelivered_on_a_later_connection": redelivered,
            "out_of_order": connection_inversions + first_arrival_inversions + stored_inversions,
            "out_of_order_on_a_connection": connection_inversions,
            "out_of_order_across_reconnects": first_arrival_inversions,
            "stored_out_of_send_order": stored_inversions,
            "recovery_s": None if recovery_at is None else round(recovery_at - fault_at, 3),
            "recovery_after_fault_end_s": None if recovery_at is None else round(recovery_at - fault_end_at, 3),
            "fault_s": round(fault_end_at - fault_at, 3),
            "resent": sum(m.sends - 1 for m in messages),
            "acked_as_duplicate": sum(m.duplicate_acks for m in messages),
            "refused": dict(Counter(code for m in messages for code in m.errors)),
            "sockets_dropped": len(self.drops),
            "sockets_dropped_after_fault": sum(t >= fault_at for t in self.drops),
            "last_reconnect_after_fault_s": round(max(reconnected_after), 3) if reconnected_after else None,
            "delivery_latency_ms": _latency(latencies),
            "delivery_latency_before_fault_ms": _latency(steady),
            "delivery_latency_after_fault_ms": _latency(since),
        }
