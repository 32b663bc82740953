"""Rate limits (issue 11): messages per conversation and per agent, new conversations per client
address, sign-in attempts per account and per address. Moving windows from the `limits` library,
counted in this process's memory or, with `SHOPBOT_RATE_LIMIT_STORAGE=redis://...`, in Redis, shared
by every app instance.

In `api/`, not `handoff/`: every key is something only the transport knows (the client's address,
the conversation or agent behind a socket, the account typed into the sign-in form) and every answer
is a transport's (a 429, an error frame); no domain rule depends on them. In memory, counts are per
app process: behind a balancer with N processes a client gets up to N times the limit; Redis makes
them global (docs/security.md).
"""

from __future__ import annotations

import math
import time
from typing import Annotated

from fastapi import Depends, HTTPException, status
from limits import RateLimitItem, parse
from limits.aio import storage as aio_storage
from limits.aio import strategies as aio_strategies
from starlette.requests import HTTPConnection

from api.windows import MemoryWindows
from handoff.config import Settings


class RateLimits:
    """Each check counts one event and answers 0 (go ahead) or the whole seconds until the next
    event would be allowed (a refused event is not counted, so waiting that long is enough)."""

    def __init__(self, settings: Settings) -> None:
        # A moving window: no burst of twice the limit across a window's edge (as a fixed window
        # allows), and the wait it reports is exact: until the oldest counted event leaves it.
        # In memory, our own windows (api/windows.py: the library's memory storage costs a thread
        # and a walk of every key every 10 ms under steady traffic); in Redis, the library's.
        uri = settings.rate_limit_storage
        self._memory = MemoryWindows() if uri == "memory://" else None
        self._limiter = aio_strategies.MovingWindowRateLimiter(_redis(uri)) if self._memory is None else None
        self._customer_message = parse(settings.customer_message_rate)
        self._agent_message = parse(settings.agent_message_rate)
        self._conversation = parse(settings.conversation_rate_per_address)
        self._login_account = parse(settings.login_rate_per_account)
        self._login_address = parse(settings.login_rate_per_address)

    async def _hit(self, limit: RateLimitItem, *key: str) -> int:
        if self._memory is not None:
            wait = self._memory.hit(limit, *key)
            return max(1, math.ceil(wait)) if wait else 0
        assert self._limiter is not None
        if await self._limiter.hit(limit, *key):
            return 0
        reset = (await self._limiter.get_window_stats(limit, *key)).reset_time
        return max(1, math.ceil(reset - time.time()))

    async def customer_message(self, conversation_id: str) -> int:
        # Per conversation rather than per socket: opening more sockets (tabs) gives no more.
        return await self._hit(self._customer_message, "customer-message", conversation_id)

    async def agent_message(self, agent_id: str) -> int:
        # Messages and notes of all of an agent's consoles together.
        return await self._hit(self._agent_message, "agent-message", agent_id)

    async def conversation(self, address: str) -> int:
        return await self._hit(self._conversation, "conversation", address)

    async def login_attempt(self, address: str, account: str) -> int:
        """Counted before the password is checked, success or not: counting only failures (checking
        first, counting after) would let a burst of parallel guesses through before the first one
        is counted. An attempt refused for the address does not count against the account."""
        return await self._hit(self._login_address, "login-address", address) or \
            await self._hit(self._login_account, "login-account", account)

    async def login_succeeded(self, account: str) -> None:
        """The account's count starts again: it is there to stop guessing one password, and whoever
        just gave it has nothing left to guess (an agent opening a console in each of a few tabs is
        not locked out). The address's count stays: otherwise one valid account of their own would
        let a client reset it between guesses at other accounts."""
        if self._memory is not None:
            self._memory.clear(self._login_account, "login-account", account)
        elif self._limiter is not None:
            await self._limiter.clear(self._login_account, "login-account", account)


def _redis(uri: str) -> aio_storage.Storage:
    """redis://host:port/db: counts shared by every instance (through redis-py, which the broker uses
    too). memory:// is handled by the caller."""
    if uri.startswith(("redis://", "rediss://")):
        return aio_storage.RedisStorage(f"async+{uri}", implementation="redispy", key_prefix="shopbot-limits")
    raise ValueError(f"rate limit storage must be memory:// or redis://..., not {uri!r}")


def rate_limits(conn: HTTPConnection) -> RateLimits:
    """The app's limits, made on first use and kept in app state: one per app (tests start several
    apps in one process), never a module global."""
    state = conn.app.state
    found: RateLimits | None = getattr(state, "rate_limits", None)
    if found is None:
        found = state.rate_limits = RateLimits(state.runtime.settings)
    return found


RateLimitsDep = Annotated[RateLimits, Depends(rate_limits)]


def client_address(conn: HTTPConnection) -> str:
    """The client's address. Behind a reverse proxy, uvicorn puts the address from the proxy's
    X-Forwarded-For here, trusting it only from the addresses in its `--forwarded-allow-ips`
    (`FORWARDED_ALLOW_IPS`; 127.0.0.1 by default): list the balancer there (docs/security.md)."""
    return conn.client.host if conn.client else "unknown"


def refuse_if_limited(retry_after_s: int, detail: str) -> None:
    """429 with Retry-After, when a check said to wait."""
    if retry_after_s:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"{detail}; retry in {retry_after_s} s",
                            headers={"Retry-After": str(retry_after_s)})


def limited_response(what: str) -> dict[int | str, dict[str, object]]:
    """The 429 entry of a route's `responses=`."""
    return {429: {"description": f"too many {what}: retry after the `Retry-After` header's seconds",
                  "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}}}
