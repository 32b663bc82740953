"""The app's channel to Rasa (credentials.yml `bot.channels.shopbot.ShopbotInput`): Rasa's REST
channel, whose answer also carries what the model understood of the message.

    POST /webhooks/shopbot/webhook  {"sender", "message", "metadata"}
    -> {"replies": [REST replies, as /webhooks/rest/webhook answers], "reading": parse data}

The app records unsure and failed readings for the admins' review inbox. It used to ask for them
afterwards (the tracker's latest_message): a second call that loads and replays the conversation's
whole tracker, so its cost grew with every turn and it queued in front of the next customer's turn
(bench/latency: at one conversation of 200 turns, 479 ms through the app against 268 ms straight to
Rasa). Here the message is parsed once, before it is handled, and the same parse goes into the
tracker (Rasa's processor takes a UserMessage's parse_data instead of parsing again), so the NLU
runs once per message as before and no second call is made.

Runs in the bot's environment (Rasa's own imports); the app reads the answer in bot/client.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = structlog.get_logger()


class ShopbotInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "shopbot"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("shopbot_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.json if isinstance(request.json, dict) else {}
            sender, text = body.get("sender"), body.get("message")
            if not isinstance(sender, str) or not isinstance(text, str):
                return response.json({"error": "sender and message must be strings"}, status=400)
            reading = await request.app.ctx.agent.parse_message(text)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender, parse_data=reading,
                                                 input_channel=self.name(), metadata=self.get_metadata(request)))
            except Exception:  # as the REST channel: what was said so far (the app hands off on silence)
                log.exception("shopbot.message.failure")  # no message text: it is the customer's
            return response.json({"replies": collector.messages, "reading": reading})

        return webhook
