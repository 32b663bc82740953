"""A small TCP load balancer, and a fault injector: plain asyncio, no dependencies.

Each accepted connection goes to the next backend in turn (round robin) and is copied byte for
byte both ways, so HTTP, websockets and PostgreSQL's protocol all pass. A backend that refuses the
connection (a killed app) is skipped: the next one is tried at once, and the refusing one is tried
last for a second. `refuse()` plays an outage of what is behind it: connections in progress are cut
and new ones are closed as soon as they arrive, until `resume()`.

In a test's event loop:

    balancer = Balancer([("127.0.0.1", 8001), ("127.0.0.1", 8002)])
    await balancer.start()   # balancer.port: a free port unless one was given
    ...
    await balancer.stop()

As a process (the devstack load balancer, docs/reliability.md):

    python -m devstack.balancer --listen 8080 --backend 127.0.0.1:8001 --backend 127.0.0.1:8002
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

Address = tuple[str, int]
CHUNK = 64 * 1024


def parse_address(text: str, default_host: str = "127.0.0.1") -> Address:
    """`host:port`, or a bare port on default_host."""
    host, _, port = text.rpartition(":")
    return host.strip("[]") or default_host, int(port)


@dataclass
class BalancerStats:
    accepted: int = 0
    forwarded: int = 0
    refused: int = 0  # closed at once: refusing, or no backend took it
    backend_refusals: int = 0  # connection attempts a backend refused (or did not answer in time)
    cut: int = 0  # connections in progress cut by refuse() or stop()


class _Link:
    """One client connection and its backend connection."""

    def __init__(self, client: asyncio.StreamWriter, backend: asyncio.StreamWriter, backend_index: int) -> None:
        self.client = client
        self.backend = backend
        self.backend_index = backend_index

    def cut(self) -> None:
        # abort(), not close(): a reset, as when the far side dies, and nothing buffered is flushed.
        self.client.transport.abort()
        self.backend.transport.abort()


class Balancer:
    def __init__(self, backends: Sequence[Address], *, host: str = "127.0.0.1", port: int = 0,
                 connect_timeout_s: float = 2.0, skip_refusing_s: float = 1.0) -> None:
        """port 0: a free one (read `port` after start()); skip_refusing_s: how long a backend that
        refused a connection is tried after the others."""
        if not backends:
            raise ValueError("at least one backend")
        self.backends = list(backends)
        self.host = host
        self.port = port
        self.connect_timeout_s = connect_timeout_s
        self.skip_refusing_s = skip_refusing_s
        self.refusing = False
        self.stats = BalancerStats()
        self._next = 0
        self._refused_until = [0.0] * len(self.backends)
        self._links: set[_Link] = set()
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self.refusing = False
        self._server = await asyncio.start_server(self._accept, self.host, self.port, reuse_address=True)
        self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("balancer on %s:%d -> %s", self.host, self.port,
                 ", ".join(f"{h}:{p}" for h, p in self.backends))

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        self.refusing = True  # a connection still being set up is closed as it completes
        self._cut_all()
        await self._server.wait_closed()
        self._server = None

    def refuse(self) -> None:
        """From now on: connections in progress are cut and new ones closed at once."""
        self.refusing = True
        self._cut_all()

    def resume(self) -> None:
        self.refusing = False

    def open_connections(self) -> list[int]:
        """How many connections each backend has open through the balancer now (the long-lived ones
        are websockets: which instance serves the most clients)."""
        counts = [0] * len(self.backends)
        for link in self._links:
            counts[link.backend_index] += 1
        return counts

    def _cut_all(self) -> None:
        for link in list(self._links):
            link.cut()
            self.stats.cut += 1
        self._links.clear()

    def _order(self) -> list[int]:
        """The backends to try for the next connection: round robin, those that refused lately last."""
        n = len(self.backends)
        start, self._next = self._next, (self._next + 1) % n
        rotated = [(start + i) % n for i in range(n)]
        now = asyncio.get_running_loop().time()
        return sorted(rotated, key=lambda i: self._refused_until[i] > now)  # stable: keeps the rotation

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, int] | None:
        loop = asyncio.get_running_loop()
        for i in self._order():
            host, port = self.backends[i]
            try:
                pair = await asyncio.wait_for(asyncio.open_connection(host, port), self.connect_timeout_s)
            except (OSError, TimeoutError) as exc:
                self.stats.backend_refusals += 1
                self._refused_until[i] = loop.time() + self.skip_refusing_s
                log.info("backend %s:%d refused (%s); trying the next", host, port, type(exc).__name__)
                continue
            self._refused_until[i] = 0.0
            return pair[0], pair[1], i
        return None

    async def _accept(self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter) -> None:
        self.stats.accepted += 1
        if self.refusing:
            self.stats.refused += 1
            client.transport.abort()
            return
        backend_pair = await self._connect()
        if backend_pair is None or self.refusing:  # refuse() may have come while connecting
            self.stats.refused += 1
            client.transport.abort()
            if backend_pair is not None:
                backend_pair[1].transport.abort()
            return
        backend_reader, backend, index = backend_pair
        self.stats.forwarded += 1
        link = _Link(client, backend, index)
        self._links.add(link)
        try:
            await asyncio.gather(self._pipe(client_reader, backend, link), self._pipe(backend_reader, client, link))
        finally:
            self._links.discard(link)
            for writer in (client, backend):
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, link: _Link) -> None:
        """One direction, until its end of file, which is passed on (a half close: the other direction
        goes on until the far side closes too). A reset on either side resets both."""
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
            if writer.can_write_eof() and not writer.transport.is_closing():
                writer.write_eof()
        except OSError:
            link.cut()


async def _serve(listen: Address, backends: list[Address]) -> None:
    balancer = Balancer(backends, host=listen[0], port=listen[1])
    await balancer.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"balancing {listen[0]}:{balancer.port} -> {', '.join(f'{h}:{p}' for h, p in backends)}", flush=True)
    await stop.wait()
    await balancer.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Round-robin TCP load balancer (HTTP and websockets pass).")
    parser.add_argument("--listen", required=True, help="port, or host:port (default host 127.0.0.1)")
    parser.add_argument("--backend", action="append", required=True, help="host:port; repeat for each backend")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(_serve(parse_address(args.listen), [parse_address(b) for b in args.backend]))


if __name__ == "__main__":
    main()
