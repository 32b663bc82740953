"""The in-process tier: the real app (create_app, its lifespan, routes, flows and a temp SQLite
database with the demo shop) with a fake bot behind the Bot port, driven from the test's event loop."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.main import create_app
from handoff.config import Settings
from handoff.conversations import flows
from handoff.runtime import Runtime
from tests.app.fakes import FakeBot
from tests.app.sockets import AppSocket


@dataclass
class InProcessApp:
    app: FastAPI
    rt: Runtime
    bot: FakeBot
    http: httpx.AsyncClient

    async def start_conversation(self, locale: str = "en") -> tuple[str, str]:
        """A new conversation over HTTP, as the widget makes one: (conversation_id, token)."""
        resp = await self.http.post("/api/widget/conversations", json={"locale": locale})
        resp.raise_for_status()
        body = resp.json()
        return body["conversation_id"], body["token"]

    async def customer_socket(self, conversation_id: str, token: str, last_seq: int = 0) -> AppSocket:
        socket = AppSocket(self.app, f"/ws/customer/{conversation_id}", token=token, last_seq=last_seq)
        await socket.wait_for(lambda f: f["type"] == "hello")
        return socket

    async def assigned(self, agent_id: str = "bob") -> tuple[str, AppSocket]:
        """A conversation handed off and taken by `agent_id`, with its customer's socket open."""
        conversation_id, token = await self.start_conversation()
        customer = await self.customer_socket(conversation_id, token)
        assert await flows.hand_off(self.rt, conversation_id, "customer_request", "asked for a person")
        await flows.claim(self.rt, conversation_id, agent_id)
        await customer.wait_for(lambda f: f["type"] == "state" and f["state"] == "assigned")
        return conversation_id, customer

    async def console(self, agent_id: str = "bob", *conversation_ids: str) -> AppSocket:
        """An agent's console, signed in with the demo password, with `conversation_ids` open."""
        login = await self.http.post("/api/agent/login", json={"agent_id": agent_id, "password": f"{agent_id}-demo"})
        login.raise_for_status()
        socket = AppSocket(self.app, "/ws/agent", token=login.json()["token"])
        await socket.wait_for(lambda f: f["type"] == "queue")
        for cid in conversation_ids:
            await socket.send({"type": "resume", "conversation_id": cid, "last_seq": 0})
            await socket.wait_for(lambda f, cid=cid: f["type"] == "conversation" and f["conversation"]["id"] == cid)
        return socket


def settings_for(tmp_path: Path) -> Settings:
    return Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}", today="as_of",
                    support_hours="always", secret_key="in-process-test-key", widget_origins=[],
                    environment="development", demo_mode=True)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[InProcessApp]:
    """The app on `settings`, its lifespan run, with a fake bot and an HTTP client on it."""
    bot = FakeBot()
    application = create_app(settings, bot=bot)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield InProcessApp(app=application, rt=application.state.runtime, bot=bot, http=http)


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[InProcessApp]:
    async with running(settings_for(tmp_path)) as app:
        yield app
