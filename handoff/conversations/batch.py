"""One batch of relayed messages, decided in memory: who may write, which client ids are resends,
which seqs the new ones take. The writer (writes.py) reads the batch's conversations and client ids
under the conversations' locks, asks `plan` what to store, and stores that (SQLAlchemy, or on SQLite
its own connection: sqlite_writes.py); this module touches no database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, NamedTuple

from handoff.clock import Clock
from handoff.conversations.enums import ConversationState, Sender
from handoff.conversations.exceptions import ConversationClosed, ConversationError, ConversationNotFound, NotAllowed
from handoff.conversations.schemas import StoredMessage

# Publishes a stored message: queued (or delivered) when called, in the order called; returns what
# to await for the broker to have it, or None (notify.post_message).
Publish = Callable[[StoredMessage], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Stored:
    message: StoredMessage
    created: bool  # False: this client id was stored before (a resend), `message` is the original
    state: ConversationState  # the conversation's, when the message was stored (or resent)
    # A pending bot turn was stored with it (the bot has the conversation), this process's lease on
    # it running until then (handoff/conversations/outbox.py); None: no turn.
    turn_until: datetime | None = None


Outcome = Stored | Exception


@dataclass(slots=True, eq=False)
class Request:
    conversation_id: str
    sender: Sender
    text: str
    client_msg_id: str | None
    author_id: str | None
    clock: Clock
    publish: Publish
    turn_lease: tuple[str, datetime] | None
    done: asyncio.Future[Stored] = field(default_factory=lambda: asyncio.get_running_loop().create_future())

    @property
    def key(self) -> tuple[str, str] | None:
        return None if self.client_msg_id is None else (self.conversation_id, self.client_msg_id)


class ConversationRow(NamedTuple):
    state: str
    assigned_agent_id: str | None
    last_seq: int


@dataclass
class Plan:
    outcomes: list[Outcome]  # one per request, in order
    last_seqs: dict[str, int]  # conversation id -> its new last_seq (only those that moved)
    messages: list[StoredMessage]  # to insert
    turns: list[tuple[str, int, str, datetime]]  # pending bot turns to insert: conversation, seq, owner, until


def refused(request: Request, state: ConversationState, agent_id: str | None) -> ConversationError | None:
    """Whether the sender may write in the conversation now: the customer until it is closed, an
    agent's message only as its assigned agent, a note always."""
    if request.sender == Sender.CUSTOMER and state == ConversationState.CLOSED:
        return ConversationClosed(request.conversation_id)
    if request.sender == Sender.AGENT and (state != ConversationState.ASSIGNED or agent_id != request.author_id):
        return NotAllowed("only the assigned agent can write in this conversation")
    return None


def plan(requests: list[Request], conversations: dict[str, ConversationRow],
         stored_before: dict[tuple[str, str], StoredMessage]) -> Plan:
    """What to store for the requests (in order), given their conversations' rows and the client ids
    already stored, both read under the conversations' locks."""
    last_seq = {cid: row.last_seq for cid, row in conversations.items()}
    in_batch: dict[tuple[str, str], Stored] = {}
    result = Plan([], {}, [], [])
    for request in requests:
        key = request.key
        found = conversations.get(request.conversation_id)
        outcome: Outcome
        if found is None:
            outcome = ConversationNotFound(request.conversation_id)
        elif key is not None and key in in_batch:  # sent twice in one batch: the second is the resend
            outcome = replace(in_batch[key], created=False, turn_until=None)
        else:
            state = ConversationState(found.state)
            refusal = refused(request, state, found.assigned_agent_id)
            if refusal is not None:  # checked first, as for a first send: a resend may be refused too
                outcome = refusal
            elif key is not None and key in stored_before:
                outcome = Stored(stored_before[key], False, state)
            else:
                seq = last_seq[request.conversation_id] = last_seq[request.conversation_id] + 1
                message = StoredMessage(conversation_id=request.conversation_id, seq=seq, sender=request.sender,
                                        text=request.text, client_msg_id=request.client_msg_id,
                                        author_id=request.author_id, created_at=request.clock.now())
                lease = request.turn_lease if state == ConversationState.BOT else None
                outcome = Stored(message, True, state, turn_until=lease[1] if lease else None)
                result.messages.append(message)
                if lease is not None:
                    result.turns.append((message.conversation_id, seq, *lease))
        if key is not None and isinstance(outcome, Stored):
            in_batch[key] = outcome
        result.outcomes.append(outcome)
    result.last_seqs = {cid: seq for cid, seq in last_seq.items() if seq != conversations[cid].last_seq}
    return result


def message_row(message: StoredMessage) -> dict[str, Any]:
    return {"conversation_id": message.conversation_id, "seq": message.seq, "sender": message.sender.value,
            "author_id": message.author_id, "text": message.text, "client_msg_id": message.client_msg_id,
            "created_at": message.created_at}
