"""What the domain needs from the outside, as protocols; the api package wires real implementations."""

from __future__ import annotations

from typing import Any, Protocol


class Bot(Protocol):
    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]: ...

    async def parse(self, text: str) -> dict[str, Any]: ...

    async def tracker(self, conversation_id: str) -> dict[str, Any]: ...

    async def reset_dialogue(self, conversation_id: str) -> None: ...

    async def intents(self) -> list[str]: ...
