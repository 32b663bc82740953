"""The app's only way to reach Rasa: its REST channel for messages and its HTTP API for trackers."""

from __future__ import annotations

from typing import Any

import httpx


class BotUnavailable(Exception):
    """Rasa did not answer (down, timed out, or an error status)."""


class RasaClient:
    def __init__(self, base_url: str, token: str, timeout_s: float = 30.0) -> None:
        self._token = token
        self._http = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout_s)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            resp = await self._http.post("/webhooks/rest/webhook", json=body)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc)) from exc
        return list(resp.json())

    async def parse(self, text: str) -> dict[str, Any]:
        """NLU only (no dialogue, no actions): what the bot would understand from `text`."""
        try:
            resp = await self._http.post("/model/parse", params={"token": self._token}, json={"text": text})
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc)) from exc
        return dict(resp.json())

    async def tracker(self, conversation_id: str) -> dict[str, Any]:
        try:
            resp = await self._http.get(f"/conversations/{conversation_id}/tracker",
                                        params={"token": self._token, "include_events": "ALL"})
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc)) from exc
        return dict(resp.json())

    async def reset_dialogue(self, conversation_id: str) -> None:
        """Ends any form the bot was in when a person took over, keeping slots (used on hand-back)."""
        events = [{"event": "active_loop", "name": None}, {"event": "slot", "name": "requested_slot", "value": None}]
        try:
            resp = await self._http.post(f"/conversations/{conversation_id}/tracker/events",
                                         params={"token": self._token}, json=events)
            resp.raise_for_status()
        except httpx.HTTPError as exc:
            raise BotUnavailable(str(exc)) from exc

    async def healthy(self) -> bool:
        try:
            resp = await self._http.get("/status", params={"token": self._token})
            return resp.status_code == 200 and bool(resp.json().get("model_file"))
        except (httpx.HTTPError, ValueError):
            return False
