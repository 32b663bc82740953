"""Bot turns beside the sockets' receive loops. A turn waits for Rasa (and its actions) for up to
`rasa_timeout_s`; run inside the receive loop it would stop the socket from answering pings,
resumes and the customer's next messages meanwhile. Here each conversation's turns run one after
the other, in the order their messages were stored, as background tasks of this process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)


class TurnQueue:
    def __init__(self) -> None:
        # The last turn of each conversation with one pending; the next one waits for it.
        self._tails: dict[str, asyncio.Task[None]] = {}

    def run(self, conversation_id: str, turn: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        previous = self._tails.get(conversation_id)

        async def in_order() -> None:
            if previous is not None:
                await asyncio.wait([previous])  # its outcome is its own; this one runs regardless
            try:
                await turn()
            except SQLAlchemyError as exc:  # the database away: the turn's outbox row stays, a sweep runs it
                log.warning("bot turn in conversation %s interrupted (%s); a sweep resumes it", conversation_id,
                            type(exc).__name__)
            except Exception:
                log.exception("bot turn failed in conversation %s", conversation_id)

        task = asyncio.create_task(in_order())
        self._tails[conversation_id] = task

        def forget(done: asyncio.Task[None]) -> None:
            if self._tails.get(conversation_id) is done:
                del self._tails[conversation_id]

        task.add_done_callback(forget)
        return task

    async def drained(self, conversation_id: str) -> None:
        """Until the conversation has no turn running or waiting (for tests and shutdown)."""
        while (tail := self._tails.get(conversation_id)) is not None:
            await asyncio.wait([tail])

    async def stop(self) -> None:
        """At shutdown: turns still waiting for Rasa are abandoned (their messages are stored)."""
        tasks = list(self._tails.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
