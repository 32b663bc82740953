"""A fake assistant behind the Bot port (handoff/ports.py), for the in-process tests: scripted
replies, and a gate that holds a turn inside `send` (a slow action) until the test opens it."""

from __future__ import annotations

import asyncio
import re
from typing import Any

# Like the assistant's own order_id regex (bot/data/regex.yml).
ORDER_ID = re.compile(r"\b1\d{4}\b")


class FakeBot:
    def __init__(self) -> None:
        # What `send` answers next (a list of Rasa REST replies); an empty list is silence.
        self.replies: list[dict[str, Any]] = [{"text": "Hello! How can I help?"}]
        # When set: `send` waits on it (after signalling `entered`) before answering.
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.sent: list[str] = []
        self.resets: list[str] = []
        # What `parse` understands: text -> (intent, confidence); anything else is a confident greet.
        self.readings: dict[str, tuple[str, float]] = {}
        # A hanging Rasa, as the real client meets one: `send` fails as its timeout does, and
        # `tracker` never answers (the client's own timeout is not this fake's business).
        self.hanging = False
        # When set: `parse` waits on it, after noting the text in `parsing` and setting `parse_entered`.
        self.parse_gate: asyncio.Event | None = None
        self.parse_entered = asyncio.Event()
        self.parsing: list[str] = []
        # When set: `parse` fails with it, as the real client's call fails when Rasa is away.
        self.parse_failure: Exception | None = None

    def hold(self, replies: list[dict[str, Any]]) -> asyncio.Event:
        """The next turns wait inside `send` until the returned event is set, then answer `replies`."""
        self.replies = replies
        self.gate = asyncio.Event()
        self.entered.clear()
        return self.gate

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        self.sent.append(text)
        self.entered.set()
        if self.hanging:
            raise TimeoutError("the assistant did not answer in time")
        if self.gate is not None:
            await self.gate.wait()
        return list(self.replies)

    async def parse(self, text: str) -> dict[str, Any]:
        self.parsing.append(text)
        self.parse_entered.set()
        if self.parse_failure is not None:
            raise self.parse_failure
        if self.parse_gate is not None:
            await self.parse_gate.wait()
        return self._read(text)

    async def parsed(self, n: int, timeout: float = 5.0) -> list[str]:
        """Once `parse` has been entered `n` times in all: the texts it was asked, in order."""
        async def entered() -> None:
            while len(self.parsing) < n:
                self.parse_entered.clear()  # no await between the count and the clear: nothing missed
                await self.parse_entered.wait()
        await asyncio.wait_for(entered(), timeout)
        return list(self.parsing)

    def _read(self, text: str) -> dict[str, Any]:
        name, confidence = self.readings.get(text, ("greet", 0.9))
        runner_up = {"name": "order_status" if name != "order_status" else "greet", "confidence": 1 - confidence}
        return {"text": text, "intent": {"name": name, "confidence": confidence, "neighbour": sum(map(ord, name)) % 50},
                "intent_ranking": [{"name": name, "confidence": confidence}, runner_up],
                "entities": [{"entity": "order_id", "start": m.start(), "end": m.end(), "value": m.group()}
                             for m in ORDER_ID.finditer(text)]}

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        if self.hanging:
            await asyncio.Event().wait()  # never set
        return {"sender_id": conversation_id, "slots": {}, "events": []}

    async def reading(self, conversation_id: str) -> dict[str, Any]:
        # Rasa keeps the parse of the conversation's latest message; this fake, of the latest sent.
        return self._read(self.sent[-1]) if self.sent else {}

    async def intents(self) -> list[str]:
        return ["greet", "order_status", "out_of_scope"]

    async def entities(self) -> list[str]:
        return ["email", "order_id"]

    async def reset_dialogue(self, conversation_id: str) -> None:
        self.resets.append(conversation_id)
