"""The app's Rasa client against a Rasa that hangs (a real socket that accepts and never answers,
as a SIGSTOPped process does): the first call gives up after its timeout, and the circuit breaker
then answers at once without asking again, so a handoff's tracker read costs nothing more."""

from __future__ import annotations

import asyncio

import pytest

from bot.client import BotUnavailable, RasaClient


async def test_a_hanging_rasa_costs_one_timeout_then_the_breaker_answers() -> None:
    requests = 0
    hung: list[asyncio.StreamWriter] = []

    async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal requests
        if await reader.readline():  # the request line arrived; no answer ever comes
            requests += 1
        hung.append(writer)

    server = await asyncio.start_server(hang, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = RasaClient(f"http://127.0.0.1:{port}", "token", timeout_s=0.5, open_for_s=60)
    try:
        with pytest.raises(BotUnavailable):
            await client.send("c1", "hello", {})
        assert requests == 1
        for call in (client.tracker("c1"), client.parse("hi"), client.send("c2", "hello", {})):
            with pytest.raises(BotUnavailable, match="not asking again"):
                await call
        assert requests == 1  # none of them reached the hanging server
    finally:
        await client.aclose()
        for writer in hung:
            writer.close()
        server.close()
        await server.wait_closed()
