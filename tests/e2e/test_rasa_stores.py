"""The suite's Rasa runs as deployed (bot/endpoints.docker.yml): its trackers in PostgreSQL, in a
database of the run's own that Rasa creates, and its per-conversation ticket locks in Redis."""

from __future__ import annotations

import psycopg
from redis.asyncio import Redis

from devstack.clients import Customer
from tests.conftest import RASA_SHARED_STORES
from tests.support.redis_admin import REDIS_URL


async def test_a_conversations_tracker_is_in_postgresql(app_url: str) -> None:
    customer = await Customer(app_url).start()
    assert await customer.ask("hello")
    dsn = f"postgresql://postgres@127.0.0.1:5432/{RASA_SHARED_STORES['RASA_DB_NAME']}"
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT type_name FROM events WHERE sender_id = %s", (customer.conversation_id,)).fetchall()
    kinds = {row[0] for row in rows}
    assert {"user", "bot"} <= kinds, kinds  # the customer's turn and the bot's answer, stored by Rasa
    await customer.ws.close()


async def test_rasa_takes_its_ticket_locks_in_redis(app_url: str) -> None:
    customer = await Customer(app_url).start()
    assert await customer.ask("hi there")
    async with Redis.from_url(REDIS_URL, decode_responses=True) as admin:
        # The lock store's connection (database 1; the app's broker and limits use 0), whose last
        # commands were the lock's: set on taking it, get/del on releasing it.
        lockers = [c for c in await admin.client_list() if c.get("db") == "1"]
    assert lockers, "no Redis connection on the lock store's database"
    assert {c["cmd"] for c in lockers} & {"get", "set", "del", "delete"}, lockers
    await customer.ws.close()
