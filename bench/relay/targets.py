"""What the load drives: N conversations with a customer and an agent on each, on the app or the floor.

On the app they are made as the fault scenarios make theirs (devstack/faults/parties.py): the customer
opens a conversation and asks for a person, an agent claims it. There is no Rasa: nothing listens on
the app's Rasa port, so the customer's first message is handed off at once (`bot_unavailable`),
which is all the relay needs. The parties then go; the load connects afresh from the last seq each
side saw. On several instances (`spread`), each socket goes to the instance chosen for it."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace

from bench.relay.load import CHATS_PER_CONSOLE, Chat, Console, Target
from devstack.faults.ledger import Ledger
from devstack.faults.parties import AgentParty, CustomerParty

SETUP_PARALLEL = 32


def team(conversations: int) -> list[tuple[str, str]]:
    """Agents (name, password) enough for every conversation, CHATS_PER_CONSOLE each."""
    return [(f"bench{i}", f"bench{i}-relay") for i in range(math.ceil(conversations / CHATS_PER_CONSOLE))]


def _ws(base_url: str) -> str:
    return base_url.replace("http", "ws", 1)


def floor_target(base_url: str, conversations: int) -> Target:
    chats = [Chat(f"floor{i}", "floor", 0) for i in range(conversations)]
    consoles = [Console("floor", [(c.conversation_id, 0) for c in chats[i:i + CHATS_PER_CONSOLE]])
                for i in range(0, conversations, CHATS_PER_CONSOLE)]
    return Target(_ws(base_url), chats, consoles)


async def app_target(base_url: str, conversations: int, timeout_s: float = 600.0) -> Target:
    ledger = Ledger()
    agents = [AgentParty(base_url, ledger, name, password) for name, password in team(conversations)]
    customers = [CustomerParty(base_url, ledger, f"customer{i}") for i in range(conversations)]
    gate = asyncio.Semaphore(SETUP_PARALLEL)

    async def customer(party: CustomerParty) -> None:
        async with gate:
            await party.create()
            party.start()
            await party.ask_for_a_person()

    async def claims(agent: AgentParty, mine: list[CustomerParty]) -> None:
        for party in mine:
            await agent.claim(party.conversation_id)
            await party.until_assigned()

    async def everyone() -> None:
        for agent in agents:
            await agent.login()
            agent.start()
        await asyncio.gather(*(agent.wait_connected() for agent in agents))
        await asyncio.gather(*(customer(c) for c in customers))
        await asyncio.gather(*(claims(agent, customers[i * CHATS_PER_CONSOLE:(i + 1) * CHATS_PER_CONSOLE])
                               for i, agent in enumerate(agents)))

    try:
        await asyncio.wait_for(everyone(), timeout_s)
    finally:
        for party in [*customers, *agents]:
            await party.stop()
    chats = [Chat(c.conversation_id, c.token, c.last_seq[c.conversation_id]) for c in customers]
    consoles = [Console(a.token, [(cid, a.last_seq.get(cid, 0)) for cid in a.conversations]) for a in agents]
    return Target(_ws(base_url), chats, consoles)


SPLITS = ("cross", "same")


def spread(target: Target, base_urls: list[str], split: str = "cross") -> Target:
    """The target's sockets over several app instances (one database, one broker): the consoles in turn,
    and each chat's customer on the instance after its agent's console (cross: every message crosses
    between instances through the broker) or on the console's own (same: none does)."""
    if split not in SPLITS:
        raise ValueError(f"split: one of {SPLITS}, not {split!r}")
    urls = [_ws(url) for url in base_urls]
    consoles, customer_url = [], {}
    for k, console in enumerate(target.consoles):
        here = k % len(urls)
        consoles.append(replace(console, ws_url=urls[here]))
        for conversation_id, _ in console.chats:
            customer_url[conversation_id] = urls[(here + 1) % len(urls) if split == "cross" else here]
    chats = [replace(chat, ws_url=customer_url.get(chat.conversation_id, urls[0])) for chat in target.chats]
    return Target(urls[0], chats, consoles)
