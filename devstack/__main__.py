"""`python -m devstack --model PATH`: run the whole product until Ctrl-C (see README)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from devstack.stack import ROOT, Stack, StackConfig, StackError


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--app-port", type=int, default=int(os.environ.get("SHOPBOT_PORT", "8000")))
    parser.add_argument("--rasa-port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--host", default=os.environ.get("SHOPBOT_HOST", "127.0.0.1"),
                        help="where the app listens (0.0.0.0 in a container); Rasa and actions stay on loopback")
    args = parser.parse_args()

    database_url = os.environ.get("SHOPBOT_DATABASE_URL", f"sqlite+aiosqlite:///{ROOT / 'var' / 'shopbot-v3.db'}")
    config = StackConfig(
        model=args.model, app_venv=Path(os.environ["APP_VENV"]), bot_venv=Path(os.environ["BOT_VENV"]),
        log_dir=ROOT / "var" / "log", database_url=database_url, app_port=args.app_port,
        rasa_port=args.rasa_port, actions_port=args.actions_port, host=args.host,
        # The demo shop's dates are consistent on its policy day: the demo runs on that day. Demo
        # mode: the demo page signs in its listed customers (GET /demo/customer-token/{id}).
        app_env={"SHOPBOT_TODAY": os.environ.get("SHOPBOT_TODAY", "as_of"), "SHOPBOT_DEMO_MODE": "true"},
    )
    stack = Stack(config)
    print(f"==> starting Rasa, the action server and the app (logs in {config.log_dir})", flush=True)
    try:
        stack.start(progress=True)
    except StackError as exc:
        print(f"!! {exc}", file=sys.stderr)
        return 1
    url = config.app_url
    print(f"""
Everything is up.
  Customer widget (demo page): {url}/widget
  Agent console:               {url}/console   (demo agents: alice / alice-demo, bob / bob-demo,
                                               sari / sari-demo, noa / noa-demo)
  Team admin page:             {url}/admin     (admin: dana / dana-demo)
  API docs:                    {url}/docs
Press Ctrl-C to stop.""", flush=True)

    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    while not stopping:
        for service in stack.services:
            if service.exited() is not None:
                print(f"!! {service.name} stopped unexpectedly:\n{service.log_tail()}", file=sys.stderr)
                stopping = True
        time.sleep(0.5)
    print("==> stopping", flush=True)
    stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
