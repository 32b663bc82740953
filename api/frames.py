"""Inbound websocket frames (see docs/protocol.md). Parsed strictly; anything else is an error frame."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from handoff.agents.enums import Presence, Skill
from handoff.assist.enums import SuggestionOutcome
from handoff.conversations.enums import CustomerPresence, Resolution
from handoff.conversations.exceptions import ConversationError
from handoff.security import MAX_TOKEN_CHARS

# Every integer a client sends is bounded: our ids and sequence numbers stay far below 2**31, and an
# unbounded Python int (2**70) would overflow in the database driver mid-request (a dropped socket)
# rather than be refused.
INT_MAX = 2**31 - 1
# Frames are flat objects; anything nested deeper is refused before json.loads can recurse on it.
MAX_DEPTH = 8

Seq = Annotated[int, Field(ge=0, le=INT_MAX)]
ClientMsgId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
ConversationId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SendMessage(_Frame):
    type: Literal["message"]
    client_msg_id: ClientMsgId
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    conversation_id: ConversationId | None = None  # required from agents, ignored from customers


class Note(_Frame):
    """An agent's private note in a conversation: stored and shown to the team, never to the customer."""

    type: Literal["note"]
    conversation_id: ConversationId
    client_msg_id: ClientMsgId
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Resume(_Frame):
    type: Literal["resume"]
    last_seq: Seq
    conversation_id: ConversationId | None = None


class CustomerTyping(_Frame):
    """The customer is typing (the widget sends it at most every few seconds while they type)."""

    type: Literal["typing"]


class CustomerRead(_Frame):
    """The customer has seen everything up to `seq` on screen."""

    type: Literal["read"]
    seq: Seq


class AgentTyping(_Frame):
    type: Literal["typing"]
    conversation_id: ConversationId


class AgentRead(_Frame):
    type: Literal["read"]
    conversation_id: ConversationId
    seq: Seq


class DecideSuggestion(_Frame):
    """What the agent did with an assist suggestion (sent, edited, tool, ignored)."""

    type: Literal["suggestion"]
    conversation_id: ConversationId
    suggestion_id: Annotated[int, Field(ge=1, le=INT_MAX)]
    outcome: SuggestionOutcome


class Ping(_Frame):
    type: Literal["ping"]


class Claim(_Frame):
    type: Literal["claim"]
    conversation_id: ConversationId


class Close(_Frame):
    type: Literal["close"]
    conversation_id: ConversationId
    resolution: Resolution = Resolution.RESOLVED


class Transfer(_Frame):
    """To a named agent, or back to the line for a skill; the note is private to the team."""

    type: Literal["transfer"]
    conversation_id: ConversationId
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    to_agent_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    skill: Skill | None = None


class SetPresence(_Frame):
    type: Literal["presence"]
    status: Presence


class CustomerPresenceFrame(_Frame):
    """The widget on screen (online) or hidden, its panel closed (away); gone is the server's to say."""

    type: Literal["presence"]
    status: Literal[CustomerPresence.ONLINE, CustomerPresence.AWAY]


class HandBack(_Frame):
    type: Literal["handback"]
    conversation_id: ConversationId


class Auth(_Frame):
    """The first frame on every socket: its token. Never in the URL, which proxies, browsers'
    histories and access logs keep."""

    type: Literal["auth"]
    token: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_CHARS)]


CustomerFrame = Annotated[SendMessage | Resume | Ping | CustomerPresenceFrame | CustomerTyping | CustomerRead,
                          Field(discriminator="type")]
AgentFrame = Annotated[SendMessage | Note | Resume | Ping | Claim | Close | HandBack | SetPresence | Transfer
                       | AgentTyping | AgentRead | DecideSuggestion,
                       Field(discriminator="type")]
customer_frames: TypeAdapter[Any] = TypeAdapter(CustomerFrame)
agent_frames: TypeAdapter[Any] = TypeAdapter(AgentFrame)
auth_frames: TypeAdapter[Auth] = TypeAdapter(Auth)


class FrameError(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


def nested_too_deep(raw: str, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text opens more than `limit` arrays/objects inside each other (brackets in
    strings do not count). A linear scan, no recursion, so a 10,000-deep frame costs nothing."""
    if raw.count("[") + raw.count("{") <= limit:
        return False
    depth = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def parse(adapter: TypeAdapter[Any], raw: str, max_bytes: int) -> Any:
    if len(raw.encode("utf-8")) > max_bytes:
        raise FrameError("frame_too_large", f"frames are limited to {max_bytes} bytes")
    if nested_too_deep(raw):
        raise FrameError("invalid_frame", f"frame: JSON nested deeper than {MAX_DEPTH} levels")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FrameError("malformed_json", f"not valid JSON: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:  # e.g. a number of more than 4,300 digits
        raise FrameError("malformed_json", "not valid JSON: a value is out of range") from exc
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "frame"
        raise FrameError("invalid_frame", f"{where}: {first['msg']}") from exc


def query_seq(name: str, raw: str) -> int:
    """A sequence number from a socket's query string (0 to INT_MAX); FrameError otherwise."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > INT_MAX:
        raise FrameError("invalid_frame", f"{name}: must be an integer from 0 to {INT_MAX}")
    return int(raw)


def error_frame(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"type": "error", "code": code, "detail": detail, **extra}


def refusal_frame(exc: ConversationError, **extra: Any) -> dict[str, Any]:
    """The error frame for a refused request; `retry_after_s` when sending it again later will do
    (`overloaded`: the server had too many messages waiting to be stored)."""
    if exc.retry_after_s is not None:
        extra["retry_after_s"] = exc.retry_after_s
    return error_frame(exc.code, str(exc) or exc.code, **extra)
