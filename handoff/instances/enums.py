from __future__ import annotations

from enum import StrEnum


class SocketKind(StrEnum):
    CUSTOMER = "customer"  # a widget socket; its subject is the conversation id
    CONSOLE = "console"  # an agent console socket; its subject is the agent id
