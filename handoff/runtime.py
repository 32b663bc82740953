"""The long-lived collaborators every flow needs, built once by the app's lifespan and injected."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.clock import Clock
from handoff.coalesce import Coalescer
from handoff.config import Settings
from handoff.conversations.turns import TurnQueue
from handoff.conversations.writes import MessageWriter
from handoff.instances.live import LiveSockets
from handoff.instances.service import Lease
from handoff.metrics import Metrics
from handoff.ports import Bot
from handoff.realtime.broker import Broker
from handoff.security import Keyring


@dataclass
class Runtime:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    broker: Broker
    bot: Bot
    clock: Clock
    # Bot turns, one at a time per conversation, beside the sockets' receive loops.
    turns: TurnQueue = field(default_factory=TurnQueue)
    # This process among the app's instances: the owner of the bot turns it runs (outbox leases).
    instance_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The sockets this process serves, by lease id (handoff/instances/): its heartbeat counts out
    # leases the database holds for sockets that are gone, and in again ones a sweep took from it.
    sockets: LiveSockets = field(default_factory=LiveSockets)
    # Jobs over the whole waiting line (routing, telling everyone their place): one run serves every
    # caller that asked before it began (handoff/coalesce.py).
    coalesced: Coalescer = field(default_factory=Coalescer)
    # This app's Prometheus metrics (handoff/metrics.py).
    metrics: Metrics = field(default_factory=Metrics)
    # Every token's keys (handoff/security.py), from the settings' secrets.
    tokens: Keyring = field(init=False)
    # The relay's writer: what stores the sockets' messages, a transaction per batch
    # (handoff/conversations/writes.py).
    writer: MessageWriter = field(init=False)

    def __post_init__(self) -> None:
        self.tokens = self.settings.keyring()
        self.writer = MessageWriter(self.sessions, max_in_flight=self.settings.write_budget)

    def new_lease(self) -> Lease:
        """The lease of a socket this process starts serving now."""
        return Lease(self.instance_id, self.clock.now())

    def turn_lease(self) -> tuple[str, datetime]:
        """(owner, until) for a bot turn this process starts holding now (handoff/conversations/outbox.py)."""
        return self.instance_id, self.clock.now() + timedelta(seconds=self.settings.turn_lease_s)
