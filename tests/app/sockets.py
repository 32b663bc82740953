"""A websocket to the app in the test's own event loop: the ASGI calls made directly, no server and
no thread, so the app's runtime (database, broker, fake bot) is shared with the test."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from starlette.types import ASGIApp, Message

Frame = dict[str, Any]


class AppSocket:
    """Records every frame the app sends, like devstack.clients.Socket, so tests can wait for one."""

    def __init__(self, app: ASGIApp, path: str, token: str | None = None, **query: Any) -> None:
        self.frames: list[Frame] = []
        self.closed_code: int | None = None
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._new = asyncio.Event()
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "http_version": "1.1",
                 "path": path, "raw_path": path.encode(), "root_path": "",
                 "query_string": urlencode(query).encode(), "headers": [(b"host", b"test")],
                 "client": ("127.0.0.1", 50000), "server": ("test", 80), "subprotocols": []}
        self._inbox.put_nowait({"type": "websocket.connect"})
        if token is not None:  # the first frame authenticates the socket (api/socket_auth.py)
            self._inbox.put_nowait({"type": "websocket.receive", "text": json.dumps({"type": "auth", "token": token})})
        self._task = asyncio.create_task(app(scope, self._inbox.get, self._from_app))
        self._task.add_done_callback(lambda _: self._new.set())

    async def _from_app(self, message: Message) -> None:
        if message["type"] == "websocket.send":
            self.frames.append(json.loads(message["text"]))
        elif message["type"] == "websocket.close":
            self.closed_code = int(message.get("code", 1000))
        self._new.set()

    async def send(self, frame: Frame) -> None:
        await self._inbox.put({"type": "websocket.receive", "text": json.dumps(frame)})

    async def wait_for(self, predicate: Callable[[Frame], bool], timeout: float = 10.0, start: int = 0) -> Frame:
        async def scan() -> Frame:
            i = start
            while True:
                while i < len(self.frames):
                    if predicate(self.frames[i]):
                        return self.frames[i]
                    i += 1
                if self._task.done() or self.closed_code is not None:
                    raise AssertionError(f"socket closed ({self.closed_code}) while waiting; frames: {self.frames}")
                self._new.clear()
                await self._new.wait()
        try:
            return await asyncio.wait_for(scan(), timeout)
        except TimeoutError:
            raise AssertionError(f"no matching frame in {timeout}s; frames: {self.frames[start:]}") from None

    def messages(self) -> list[Frame]:
        return [f["message"] for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self._inbox.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(self._task, 10)
