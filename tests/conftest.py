"""Session fixtures: the real product (Rasa + action server + app on a trained model) on free ports."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.stack import ROOT, Stack, StackConfig, free_port

ARTIFACTS = ROOT / "tests" / "artifacts"


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
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    paths = venv_paths()
    db = tmp_path_factory.mktemp("db") / "shopbot.db"
    config = StackConfig(
        model=model_path(), app_venv=Path(paths["APP_VENV"]), bot_venv=Path(paths["BOT_VENV"]),
        log_dir=ARTIFACTS / "logs", database_url=f"sqlite+aiosqlite:///{db}",
        app_port=free_port(), rasa_port=free_port(), actions_port=free_port(),
        app_env={"SHOPBOT_TODAY": "as_of"},
    )
    for log in config.log_dir.glob("*.log"):
        log.unlink()
    running = Stack(config)
    running.start(timeout=300)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def app_url(stack: Stack) -> str:
    return stack.config.app_url
