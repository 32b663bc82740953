"""The app's Bot while models can be promoted: every call goes to the client of the live Rasa server.
Switching to another server is one assignment between two awaits, so each call goes wholly to one
server; calls in flight on the old one finish there, and its client is closed after the last."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from handoff.ports import Bot

T = TypeVar("T")


class ClosableBot(Bot, Protocol):
    async def aclose(self) -> None: ...


class SwitchingBot:
    def __init__(self, url: str, connect: Callable[[str], ClosableBot]) -> None:
        self._connect = connect
        self.url = url
        self._client = connect(url)
        self._in_flight: dict[int, int] = {}
        self._retiring: dict[int, ClosableBot] = {}

    async def _on_live(self, call: Callable[[ClosableBot], Awaitable[T]]) -> T:
        client = self._client
        key = id(client)
        self._in_flight[key] = self._in_flight.get(key, 0) + 1
        try:
            return await call(client)
        finally:
            self._in_flight[key] -= 1
            if not self._in_flight[key]:
                del self._in_flight[key]
                retired = self._retiring.pop(key, None)
                if retired is not None:
                    await retired.aclose()

    async def switch_to(self, url: str) -> bool:
        """Later calls go to `url`; whether anything changed."""
        if url == self.url:
            return False
        old, self._client, self.url = self._client, self._connect(url), url
        if id(old) in self._in_flight:
            self._retiring[id(old)] = old  # closed by its last call
        else:
            await old.aclose()
        return True

    async def aclose(self) -> None:
        for client in (self._client, *self._retiring.values()):
            await client.aclose()

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        return await self._on_live(lambda c: c.send(conversation_id, text, metadata))

    async def parse(self, text: str) -> dict[str, Any]:
        return await self._on_live(lambda c: c.parse(text))

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        return await self._on_live(lambda c: c.tracker(conversation_id))

    async def reset_dialogue(self, conversation_id: str) -> None:
        await self._on_live(lambda c: c.reset_dialogue(conversation_id))

    async def reading(self, conversation_id: str) -> dict[str, Any]:
        return await self._on_live(lambda c: c.reading(conversation_id))

    async def intents(self) -> list[str]:
        return await self._on_live(lambda c: c.intents())

    async def entities(self) -> list[str]:
        return await self._on_live(lambda c: c.entities())
