"""Rate limits and the demo token on a real app process (docs/security.md): a burst of messages is
cut at the limit and nothing over it is stored, new conversations per address, sign-in attempts per
account and per address; the demo endpoint signs only in demo mode, only the demo page's customers.

The limits app has low limits and short windows, and no Rasa behind it (a closed port): the first
message hands the conversation off at once (`bot_unavailable`), so no bot turn runs between the
messages of a burst. Each test's HTTP calls come from a loopback address of its own (any of
127.0.0.0/8 reaches the app on Linux), so the per-address counts of one test are not another's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer, Frame, Socket
from devstack.stack import Stack, free_port
from tests.conftest import extra_app

MESSAGES = 5  # per 2 s, customer and agent alike
WINDOW_S = 2
CONVERSATIONS = 3  # per address per minute
LOGINS_PER_ACCOUNT = 10  # per 15 minutes
LOGINS_PER_ADDRESS = 15
DEMO_CUSTOMERS = ("C0001", "C0012", "C0033")  # the demo page's list, the setting's default


@pytest.fixture(scope="module")
def limits_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from extra_app(stack, tmp_path_factory, "limits", {
        "SHOPBOT_RASA_URL": f"http://127.0.0.1:{free_port()}", "SHOPBOT_RASA_TIMEOUT_S": "3",
        # Demo mode off (no demo customer tokens), so the team to sign in with is given explicitly.
        "SHOPBOT_DEMO_MODE": "false", "SHOPBOT_DEMO_AGENTS": "bob:bob-demo,sari:sari-demo,noa:noa-demo",
        "SHOPBOT_CUSTOMER_MESSAGE_RATE": f"{MESSAGES}/{WINDOW_S} seconds",
        "SHOPBOT_AGENT_MESSAGE_RATE": f"{MESSAGES}/{WINDOW_S} seconds",
        "SHOPBOT_CONVERSATION_RATE_PER_ADDRESS": f"{CONVERSATIONS}/minute",
        "SHOPBOT_LOGIN_RATE_PER_ACCOUNT": f"{LOGINS_PER_ACCOUNT}/15 minutes",
        "SHOPBOT_LOGIN_RATE_PER_ADDRESS": f"{LOGINS_PER_ADDRESS}/15 minutes"})


def _from(address: str, base_url: str) -> httpx.AsyncClient:
    """An HTTP client whose requests come from `address`."""
    return httpx.AsyncClient(base_url=base_url, transport=httpx.AsyncHTTPTransport(local_address=address))


async def _customer(base_url: str, address: str) -> Customer:
    async with _from(address, base_url) as http:
        resp = await http.post("/api/widget/conversations", json={"locale": "en"})
        resp.raise_for_status()
    customer = Customer(base_url)
    customer.conversation_id, customer.token = resp.json()["conversation_id"], resp.json()["token"]
    await customer.connect()
    return customer


def _answer_to(cid: str) -> Callable[[Frame], bool]:
    return lambda f: f["type"] in ("ack", "error") and f.get("client_msg_id") == cid


async def _answers(socket: Socket, ids: list[str], start: int) -> dict[str, Frame]:
    """The ack or error frame answering each client_msg_id."""
    return {cid: await socket.wait_for(_answer_to(cid), start=start) for cid in ids}


def _check_refusals(answers: dict[str, Frame], ids: list[str]) -> tuple[list[str], list[Frame]]:
    """The ids stored, and the refusals: all at the limit, none stored, each saying how long to wait."""
    acked = [cid for cid in ids if answers[cid]["type"] == "ack"]
    refused = [answers[cid] for cid in ids if answers[cid]["type"] == "error"]
    assert len(acked) <= MESSAGES and len(refused) >= len(ids) - MESSAGES, answers
    for error in refused:
        assert error["code"] == "rate_limited", error
        assert 1 <= error["retry_after_s"] <= WINDOW_S, error
    return acked, refused


async def test_a_burst_of_messages_is_cut_at_the_limit_and_the_refused_one_goes_through_later(
        limits_url: str) -> None:
    customer = await _customer(limits_url, "127.0.0.2")
    first = await customer.say("hello")
    assert first["type"] == "ack", first
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"))

    ids = [f"burst-{i}" for i in range(25)]
    start = len(customer.ws.frames)
    for i, cid in enumerate(ids):
        await customer.ws.send({"type": "message", "client_msg_id": cid, "text": f"burst {i}"})
    answers = await _answers(customer.ws, ids, start)
    acked, refused = _check_refusals(answers, ids)
    assert len(acked) < MESSAGES  # "hello" counted too

    # Nothing over the limit was stored; the socket still answers.
    stored = [m["client_msg_id"] for m in await customer.history() if m["sender"] == "customer"]
    assert stored == [first["client_msg_id"], *acked]
    start = len(customer.ws.frames)
    await customer.ws.send({"type": "ping"})
    await customer.ws.wait_for(lambda f: f["type"] == "pong", start=start)

    # The wait is the point here: after retry_after_s the same message (same id) is taken.
    retry = refused[-1]
    await asyncio.sleep(retry["retry_after_s"])
    again = await customer.say(f"burst {ids.index(refused[0]['client_msg_id'])}", refused[0]["client_msg_id"])
    assert again["type"] == "ack" and again["duplicate"] is False, again
    stored = [m["client_msg_id"] for m in await customer.history() if m["sender"] == "customer"]
    assert stored == [first["client_msg_id"], *acked, refused[0]["client_msg_id"]]


async def test_an_agents_burst_of_notes_is_cut_at_the_limit(limits_url: str) -> None:
    customer = await _customer(limits_url, "127.0.0.5")
    agent = await Agent(limits_url, "bob", "bob-demo").login()
    cid = customer.conversation_id
    ids = [f"note-{i}" for i in range(12)]
    start = len(agent.ws.frames)
    for i, note_id in enumerate(ids):
        await agent.ws.send({"type": "note", "conversation_id": cid, "client_msg_id": note_id, "text": f"note {i}"})
    answers = await _answers(agent.ws, ids, start)
    _, refused = _check_refusals(answers, ids)
    assert all(error["conversation_id"] == cid for error in refused)
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "ping"})
    await agent.ws.wait_for(lambda f: f["type"] == "pong", start=start)


async def test_new_conversations_per_address(limits_url: str) -> None:
    async with _from("127.0.0.3", limits_url) as http:
        created = [await http.post("/api/widget/conversations", json={"locale": "en"})
                   for _ in range(CONVERSATIONS)]
        assert [r.status_code for r in created] == [201] * CONVERSATIONS
        refused = await http.post("/api/widget/conversations", json={"locale": "en"})
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    async with _from("127.0.0.7", limits_url) as other:  # another address has its own count
        assert (await other.post("/api/widget/conversations", json={"locale": "en"})).status_code == 201


async def test_sign_in_attempts_per_account_and_per_address(limits_url: str) -> None:
    async def login(http: httpx.AsyncClient, agent_id: str, password: str) -> httpx.Response:
        return await http.post("/api/agent/login", json={"agent_id": agent_id, "password": password})

    async with _from("127.0.0.4", limits_url) as http:
        wrong = [(await login(http, "noa", f"guess-{i}")).status_code for i in range(12)]
        assert wrong == [401] * LOGINS_PER_ACCOUNT + [429] * (12 - LOGINS_PER_ACCOUNT)
        locked = await login(http, "noa", "noa-demo")  # the right password is refused while locked
        assert locked.status_code == 429 and 0 < int(locked.headers["Retry-After"]) <= 15 * 60, locked.text
        # Another account from the same address, until the address's limit (every attempt counts).
        used = 12 + 1
        assert [(await login(http, "sari", "sari-demo")).status_code
                for _ in range(LOGINS_PER_ADDRESS - used)] == [200] * (LOGINS_PER_ADDRESS - used)
        assert (await login(http, "sari", "sari-demo")).status_code == 429
    async with _from("127.0.0.6", limits_url) as other:
        assert (await login(other, "sari", "sari-demo")).status_code == 200
        assert (await login(other, "noa", "noa-demo")).status_code == 429  # the account is still locked


async def test_the_demo_token_only_in_demo_mode_for_the_demo_pages_customers(app_url: str, limits_url: str) -> None:
    other = next(c["customer_id"] for c in shop.load("customers") if c["customer_id"] not in DEMO_CUSTOMERS)
    async with httpx.AsyncClient(base_url=app_url) as http:  # the test stack runs in demo mode
        for customer_id in DEMO_CUSTOMERS:
            resp = await http.get(f"/demo/customer-token/{customer_id}")
            assert resp.status_code == 200, resp.text
        started = await http.post("/api/widget/conversations",
                                  json={"locale": "en", "customer_token": resp.json()["customer_token"]})
        assert started.status_code == 201, started.text
        assert (await http.get(f"/demo/customer-token/{other}")).status_code == 404
    async with httpx.AsyncClient(base_url=limits_url) as http:  # demo mode off
        assert (await http.get(f"/demo/customer-token/{DEMO_CUSTOMERS[0]}")).status_code == 404
