"""The sockets this process serves, by lease id, as its heartbeat compares them with the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from handoff.instances.enums import SocketKind


class LiveSockets:
    def __init__(self) -> None:
        self._held: dict[str, tuple[SocketKind, str]] = {}

    @contextmanager
    def opening(self, lease_id: str, kind: SocketKind, subject: str) -> Iterator[None]:
        """Around counting a socket in: it is known to be live before its lease is committed, so the
        heartbeat never takes a committed lease for a socket that has gone; forgotten if counting fails."""
        self._held[lease_id] = (kind, subject)
        try:
            yield
        except BaseException:
            self._held.pop(lease_id, None)
            raise

    def closing(self, lease_id: str) -> None:
        """Before counting a socket out: if that fails (the database away), the heartbeat does it later."""
        self._held.pop(lease_id, None)

    def holds(self, lease_id: str) -> bool:
        return lease_id in self._held

    def snapshot(self) -> dict[str, tuple[SocketKind, str]]:
        return dict(self._held)
