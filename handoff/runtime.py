"""The long-lived collaborators every flow needs, built once by the app's lifespan and injected."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handoff.clock import Clock
from handoff.config import Settings
from handoff.conversations.turns import TurnQueue
from handoff.ports import Bot
from handoff.realtime.broker import Broker


@dataclass
class Runtime:
    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    broker: Broker
    bot: Bot
    clock: Clock
    # Bot turns, one at a time per conversation, beside the sockets' receive loops.
    turns: TurnQueue = field(default_factory=TurnQueue)
