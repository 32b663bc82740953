"""The action server: Rasa SDK's app on loopback only, answering Rasa's calls only when they carry
the shared token (`ACTION_SERVER_TOKEN`, sent by Rasa as `Authorization: Bearer ...`, see
bot/endpoints.yml). `rasa run actions` listens on every interface without authentication, and a forged
webhook call would answer with any customer's order.

Run in the bot environment: `python -m actions.server --port 5055`.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

# Rasa's shared secrets are long random strings; anything this short is a mistake.
MIN_TOKEN_CHARS = 16
# Open without the token: the stack's health check (it reveals nothing).
OPEN_PATHS = frozenset({"/health"})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    # A container sets 0.0.0.0 on its private network (compose.yaml); nothing else should.
    parser.add_argument("--host", default=os.environ.get("ACTION_SERVER_HOST", "127.0.0.1"))
    args = parser.parse_args()
    token = os.environ.get("ACTION_SERVER_TOKEN", "")
    if len(token) < MIN_TOKEN_CHARS:
        print(f"ACTION_SERVER_TOKEN must be set (at least {MIN_TOKEN_CHARS} characters)", file=sys.stderr)
        return 2
    expected = f"Bearer {token}".encode()

    utils.configure_colored_logging(logging.INFO)
    utils.update_sanic_log_level()
    app = create_app("actions", cors_origins=[])

    @app.middleware("request")
    async def _authenticate(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        supplied = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(supplied, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return None

    app.run(args.host, args.port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
