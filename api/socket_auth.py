"""Who is on a websocket: the token comes in the socket's first frame (docs/protocol.md, "auth").

A token in the URL would be kept by every proxy, access log and browser history on the way; a token
in the first frame is seen by the app alone. The socket is accepted first (a browser cannot send
anything before), then must authenticate within `socket_auth_timeout_s` or is closed.
"""

from __future__ import annotations

import asyncio

from fastapi import WebSocket

from api import frames
from api.streams import SocketSender
from handoff.runtime import Runtime
from handoff.security import InvalidToken, TokenPurpose

CLOSE_INVALID = 4400  # a malformed query or first frame
CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_OVERFLOW = 4408  # too far behind; reconnect with last_seq to catch up


async def _refuse(websocket: WebSocket, sender: SocketSender, code: str, detail: str, close: int) -> None:
    await sender.send(frames.error_frame(code, detail))
    await websocket.close(code=close)


async def authenticate(websocket: WebSocket, sender: SocketSender, rt: Runtime, purpose: TokenPurpose) -> str | None:
    """The subject of the token in the socket's first frame, or None once the socket has been told
    why not (an error frame) and closed."""
    if "token" in websocket.query_params:
        await _refuse(websocket, sender, "unauthorized", "send the token in the first frame "
                      '({"type": "auth", "token": ...}), never in the URL', CLOSE_UNAUTHORIZED)
        return None
    try:
        message = await asyncio.wait_for(websocket.receive(), rt.settings.socket_auth_timeout_s)
    except TimeoutError:
        waited = rt.settings.socket_auth_timeout_s
        await _refuse(websocket, sender, "unauthorized", f"no auth frame within {waited:g} s", CLOSE_UNAUTHORIZED)
        return None
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    try:
        if text is None:
            raise frames.FrameError("binary_frame", "send JSON text frames")
        auth = frames.parse(frames.auth_frames, text, rt.settings.max_frame_bytes)
    except frames.FrameError as exc:
        await _refuse(websocket, sender, exc.code, f"the first frame must be auth: {exc.detail}", CLOSE_INVALID)
        return None
    try:
        return rt.tokens.verify(purpose, auth.token)
    except InvalidToken as exc:
        await _refuse(websocket, sender, "unauthorized", f"invalid {purpose.value} token: {exc}", CLOSE_UNAUTHORIZED)
        return None
