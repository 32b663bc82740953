from __future__ import annotations

from enum import StrEnum


class AgentRole(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"  # an agent who also approves and oversees
    ADMIN = "admin"  # manages the team; takes no chats


class Presence(StrEnum):
    ONLINE = "online"  # takes new chats
    AWAY = "away"  # keeps their chats, gets no new ones
    OFFLINE = "offline"


class Skill(StrEnum):
    ORDERS = "orders"
    BILLING = "billing"
