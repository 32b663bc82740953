"""The app's channel to Rasa (bot/channels/shopbot.py) on the real server and model: its answer has
the bot's replies and what the model understood of the message, the same parse Rasa keeps in the
tracker (so the message was parsed once); a body without a sender or message is refused."""

from __future__ import annotations

import uuid

import httpx

from bot.client import WEBHOOK
from devstack.stack import Stack


async def test_the_answer_carries_the_replies_and_the_parse_the_tracker_keeps(stack: Stack) -> None:
    sender = f"channel-{uuid.uuid4().hex}"
    async with httpx.AsyncClient(base_url=stack.config.rasa_url, timeout=60) as http:
        resp = await http.post(WEBHOOK, json={"sender": sender, "message": "hello", "metadata": {"language": "en"}})
        assert resp.status_code == 200
        answer = resp.json()
        assert answer["replies"] and all("text" in r or "custom" in r for r in answer["replies"])
        reading = answer["reading"]
        assert reading["text"] == "hello" and reading["intent"]["name"] == "greet"
        assert reading["intent_ranking"]

        tracker = (await http.get(f"/conversations/{sender}/tracker",
                                  params={"token": stack.config.rasa_token, "include_events": "NONE"})).json()
        kept = tracker["latest_message"]
        assert kept["intent"] == reading["intent"] and kept["intent_ranking"] == reading["intent_ranking"]

        for bad in ({"message": "hello"}, {"sender": sender}, {"sender": 1, "message": "hi"}, ["not", "an", "object"]):
            refused = await http.post(WEBHOOK, json=bad)
            assert refused.status_code == 400, bad
