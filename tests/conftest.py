"""Session fixtures: the real product (Rasa + action server + app on a trained model) on free ports."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from devstack.stack import ROOT, Stack, StackConfig, app_service, free_port
from tests.support.tokens import TEST_SECRET_KEY, TEST_SHOP_TOKEN_KEY

ARTIFACTS = ROOT / "tests" / "artifacts"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
RASA_SHARED_STORES = {
    "RASA_DB_HOST": "127.0.0.1", "RASA_DB_PORT": "5432", "RASA_DB_NAME": f"shopbot_rasa_{uuid.uuid4().hex[:8]}",
    "RASA_DB_LOGIN_DB": "postgres", "RASA_DB_USERNAME": "postgres", "RASA_DB_PASSWORD": "",
    "RASA_REDIS_HOST": "127.0.0.1", "RASA_REDIS_PORT": "6379"}
# Far above anything the suite does from its one address (tests/e2e/test_limits.py sets its own).
NO_RATE_LIMITS = {f"SHOPBOT_{name}": "1000000/second" for name in (
    "CUSTOMER_MESSAGE_RATE", "AGENT_MESSAGE_RATE", "CONVERSATION_RATE_PER_ADDRESS", "LOGIN_RATE_PER_ACCOUNT",
    "LOGIN_RATE_PER_ADDRESS")}


def venv_paths() -> dict[str, str]:
    out = subprocess.run(["bash", "-c", "source scripts/env.sh && echo $APP_VENV && echo $BOT_VENV"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return {"APP_VENV": os.environ.get("APP_VENV", out[0]), "BOT_VENV": os.environ.get("BOT_VENV", out[1])}


def model_path() -> Path:
    if os.environ.get("SHOPBOT_MODEL"):
        return Path(os.environ["SHOPBOT_MODEL"])
    out = subprocess.run(["scripts/train.sh"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return Path(out.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def shop_site_port() -> int:
    """The port of a test 'shop' page on another origin, which the app lets embed the widget."""
    return free_port()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, shop_site_port: int) -> Iterator[Stack]:
    paths = venv_paths()
    db = tmp_path_factory.mktemp("db") / "shopbot.db"
    # Exports, training workspaces and models of this run's own, never the checkout's var/.
    work = tmp_path_factory.mktemp("retraining")
    config = StackConfig(
        model=model_path(), app_venv=Path(paths["APP_VENV"]), bot_venv=Path(paths["BOT_VENV"]),
        log_dir=ARTIFACTS / "logs", database_url=f"sqlite+aiosqlite:///{db}",
        app_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
        # The team is always there for these tests (support hours are tested on an app of their own).
        # Tests sign customer tokens with the app's key as a shop's back end would (tests/support/
        # tokens.py); demo mode serves the demo page's customers only. The whole suite comes from one
        # address and some tests send in bursts: limits are tested on an app of their own.
        # Rasa as deployed: trackers in PostgreSQL (a database of this run's, which Rasa creates),
        # ticket locks in Redis (bot/endpoints.docker.yml).
        rasa_endpoints="bot/endpoints.docker.yml", rasa_env=RASA_SHARED_STORES,
        app_env={"SHOPBOT_TODAY": "as_of", "SHOPBOT_WIDGET_ORIGINS": f'["http://127.0.0.1:{shop_site_port}"]',
                 "SHOPBOT_SUPPORT_HOURS": "always", "SHOPBOT_SECRET_KEY": TEST_SECRET_KEY,
                 "SHOPBOT_SHOP_TOKEN_KEY": TEST_SHOP_TOKEN_KEY, "SHOPBOT_ENVIRONMENT": "development",
                 "SHOPBOT_DEMO_MODE": "true", "SHOPBOT_REVIEW_EXPORT_DIR": str(work / "export"),
                 "SHOPBOT_TRAINING_DIR": str(work / "training"), "SHOPBOT_MODELS_DIR": str(work / "models"),
                 "SHOPBOT_COMPARE_LIMIT": "30",  # a job's comparison with the live model in about a minute
                 **NO_RATE_LIMITS},
    )
    for log in config.log_dir.glob("*.log"):
        log.unlink()
    running = Stack(config)
    running.start(timeout=300)
    yield running
    running.stop()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{RASA_SHARED_STORES["RASA_DB_NAME"]}" WITH (FORCE)')


@pytest.fixture(scope="session")
def app_url(stack: Stack) -> str:
    return stack.config.app_url


def extra_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory, name: str,
               env: dict[str, str]) -> Iterator[str]:
    """Another app instance on a database of its own, with the suite's Rasa and action server."""
    port = free_port()
    db = tmp_path_factory.mktemp(name) / f"{name}.db"
    app = app_service(stack.config, port=port, database_url=f"sqlite+aiosqlite:///{db}", name=f"app-{name}",
                      env=env)
    app.start()
    try:
        app.wait_healthy()
        yield f"http://127.0.0.1:{port}"
    finally:
        app.stop()


@pytest.fixture(scope="session")
def team_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app instance for the routing tests: agents going online there take every waiting
    conversation, so it must not hold the queue the other tests leave behind. Tests using it leave
    no open conversation. Unanswered chats are offered again, and any language taken, after seconds
    here (minutes by default)."""
    yield from extra_app(stack, tmp_path_factory, "team", {
        "SHOPBOT_ANSWER_TIMEOUT_S": "10", "SHOPBOT_PRESENCE_GRACE_S": "10", "SHOPBOT_SWEEP_INTERVAL_S": "0.5",
        "SHOPBOT_LANGUAGE_FALLBACK_S": "4", "SHOPBOT_SUPPORT_HOURS": "always"})


@pytest.fixture(scope="session")
def hours_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An app instance whose clock stands at Wednesday 16:00 UTC on the demo shop's day: the English
    team (Chicago, 10:00) is at work, the Indonesian (Jakarta, 23:00) and Hebrew (Jerusalem, 18:00)
    teams are not."""
    yield from extra_app(stack, tmp_path_factory, "hours", {
        "SHOPBOT_SUPPORT_HOURS": "policy", "SHOPBOT_WALL_CLOCK": "2026-11-25T16:00:00+00:00"})
