"""The app's only way to reach Rasa: its own channel for messages (bot/channels/shopbot.py) and its
HTTP API for trackers."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

# The app's own channel (bot/channels/shopbot.py): the REST channel's replies, and the message's parse.
WEBHOOK = "/webhooks/shopbot/webhook"
READINGS_KEPT = 10_000


class BotUnavailable(Exception):
    """Rasa did not answer (down, timed out, or an error status)."""


class RasaClient:
    """With a circuit breaker, so a Rasa that is away costs customers a few timeouts, not one per call
    (a handoff also reads the tracker), and they reach a person quickly:

    - It opens after `failures_to_open` transport failures in a row (timed out, reset), not after one:
      under load one slow turn (a timeout while Rasa is busy) opened it and failed every customer's
      turn for `open_for_s`, handing many conversations to people for nothing. Any answer from Rasa,
      an error status included, proves it reachable and starts the count again (an error status never
      opens it: Rasa is there).
    - A refused connection opens it at once: nothing listens, Rasa is down, which no wait will mend.
    - While open, calls fail at once for `open_for_s`. Then the first call goes through as a probe
      (half-open) while the others still fail at once: its answer closes the breaker, its failure
      opens it again for `open_for_s`.

    All on one event loop, so no locks: the state changes only between awaits. Calls that time out
    together count one each (N at once are N in a row); a late answer to a call sent before the
    breaker opened closes it (Rasa answered), a late failure only keeps it open.
    `monotonic` is the clock (injected by the tests)."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 10.0, open_for_s: float = 15.0,
                 pool_size: int = 100, failures_to_open: int = 3,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._token = token
        # Connecting is quick or not at all; reading waits for Rasa and its actions. The pool holds as
        # many kept-alive connections as turns may run at once (httpx keeps 20 by default, so above
        # 20 concurrent turns each further call opened a connection of its own).
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"),
                                       timeout=httpx.Timeout(timeout_s, connect=min(3.0, timeout_s)),
                                       limits=httpx.Limits(max_connections=pool_size,
                                                           max_keepalive_connections=pool_size))
        self._open_for_s = open_for_s
        self._failures_to_open = max(1, failures_to_open)
        self._monotonic = monotonic
        self._failures = 0  # transport failures in a row
        self._open_until: float | None = None  # None: closed; past it: half-open
        self._probing = False  # a half-open breaker's one call is in flight
        # Each conversation's latest parse from `send`, until `reading` takes it (bounded: a turn
        # handed off or refused is never read).
        self._readings: OrderedDict[str, dict[str, Any]] = OrderedDict()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        probe = False
        if self._open_until is not None:
            if self._probing or self._monotonic() < self._open_until:
                raise BotUnavailable("the assistant did not answer a moment ago; not asking again yet")
            self._probing = probe = True
        try:
            resp = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:  # timed out, refused, reset: Rasa is away or hanging
            self._failures += 1
            if probe or isinstance(exc, httpx.ConnectError) or self._failures >= self._failures_to_open:
                self._open_until = self._monotonic() + self._open_for_s
            raise BotUnavailable(str(exc)) from exc
        except httpx.HTTPError as exc:  # Rasa answered, with something httpx could not read
            self._answered()
            raise BotUnavailable(str(exc)) from exc
        finally:
            if probe:  # answered, failed or cancelled: the next call after open_until may probe
                self._probing = False
        self._answered()
        try:
            resp.raise_for_status()
        except httpx.HTTPStatusError as exc:  # an error status: Rasa is there and answered
            raise BotUnavailable(str(exc)) from exc
        return resp

    def _answered(self) -> None:
        self._failures = 0
        self._open_until = None

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """The bot's replies; what the model understood of `text` is kept for `reading`."""
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        answer = (await self._call("POST", WEBHOOK, json=body)).json()
        if not isinstance(answer, dict):
            raise BotUnavailable("the assistant's channel answered in an unknown shape")
        reading = answer.get("reading")
        if isinstance(reading, dict):
            self._readings[conversation_id] = reading
            self._readings.move_to_end(conversation_id)
            while len(self._readings) > READINGS_KEPT:
                self._readings.popitem(last=False)
        return list(answer.get("replies") or [])

    async def parse(self, text: str) -> dict[str, Any]:
        """NLU only (no dialogue, no actions): what the bot would understand from `text`."""
        resp = await self._call("POST", "/model/parse", params={"token": self._token}, json={"text": text})
        return dict(resp.json())

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        resp = await self._call("GET", f"/conversations/{conversation_id}/tracker",
                                params={"token": self._token, "include_events": "ALL"})
        return dict(resp.json())

    async def reading(self, conversation_id: str) -> dict[str, Any]:
        """What the model understood of the conversation's latest message, without parsing it again:
        the parse its `send` came back with (once), or else the one Rasa kept with it (the tracker
        without its events, which Rasa still loads and replays whole)."""
        kept = self._readings.pop(conversation_id, None)
        if kept is not None:
            return kept
        resp = await self._call("GET", f"/conversations/{conversation_id}/tracker",
                                params={"token": self._token, "include_events": "NONE"})
        return dict(resp.json().get("latest_message") or {})

    async def intents(self) -> list[str]:
        """The live model's intents (its domain's)."""
        return self._names((await self._domain()).get("intents", []))

    async def entities(self) -> list[str]:
        """The live model's entities (its domain's)."""
        return self._names((await self._domain()).get("entities", []))

    async def _domain(self) -> dict[str, Any]:
        resp = await self._call("GET", "/domain", params={"token": self._token}, headers={"Accept": "application/json"})
        domain: dict[str, Any] = resp.json()
        return domain

    @staticmethod
    def _names(entries: list[Any]) -> list[str]:
        # A domain lists a name alone or as a one-key mapping to its options.
        return [next(iter(e)) if isinstance(e, dict) else str(e) for e in entries]

    async def reset_dialogue(self, conversation_id: str) -> None:
        """Ends any form the bot was in when a person took over, keeping slots (used on hand-back)."""
        events = [{"event": "active_loop", "name": None}, {"event": "slot", "name": "requested_slot", "value": None}]
        await self._call("POST", f"/conversations/{conversation_id}/tracker/events",
                         params={"token": self._token}, json=events)

    async def healthy(self) -> bool:
        try:
            resp = await self._http.get("/status", params={"token": self._token})
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False
