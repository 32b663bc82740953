"""A production app as an operator starts one: every secret given, no demo team, no demo endpoint,
no API docs; the first admin made with `python -m api.create_admin` (password on standard input)
signs in, and nobody else can."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from api.main import create_app
from handoff.config import ROOT, Settings

SECRETS = {"SHOPBOT_SECRET_KEY": "p" * 40, "SHOPBOT_SHOP_TOKEN_KEY": "q" * 40, "SHOPBOT_SERVICE_TOKEN": "r" * 40,
           "SHOPBOT_RASA_TOKEN": "s" * 40}


def _create_admin(env: dict[str, str], name: str, password: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.create_admin", name], input=password + "\n", cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


async def test_a_production_team_starts_with_the_admin_the_operator_makes(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'prod.db'}"
    env = {**os.environ, **SECRETS, "SHOPBOT_DATABASE_URL": database_url, "SHOPBOT_ENVIRONMENT": "production"}
    env.pop("SHOPBOT_DEMO_MODE", None)
    made = _create_admin(env, "olivia", "a-long-admin-password")
    assert made.returncode == 0, made.stderr
    assert "a-long-admin-password" not in made.stdout + made.stderr
    again = _create_admin(env, "olivia", "another-long-password")
    assert again.returncode == 1 and "exists" in again.stderr
    short = _create_admin(env, "pat", "short")
    assert short.returncode == 1

    settings = Settings(database_url=database_url, environment="production",
                        **{k.removeprefix("SHOPBOT_").lower(): v for k, v in SECRETS.items()})  # type: ignore[arg-type]
    app = create_app(settings)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://app.example") as http:
        for agent_id, password in (("alice", "alice-demo"), ("dana", "dana-demo")):  # no demo team
            assert (await http.post("/api/agent/login", json={"agent_id": agent_id, "password": password})
                    ).status_code == 401
        login = await http.post("/api/agent/login", json={"agent_id": "olivia", "password": "a-long-admin-password"})
        assert login.status_code == 200, login.text
        token = login.json()["token"]
        team = await http.get("/api/admin/agents", headers={"Authorization": f"Bearer {token}"})
        assert team.status_code == 200 and [a["id"] for a in team.json()] == ["olivia"]
        assert (await http.get("/demo/customer-token/C0001")).status_code == 404
        assert (await http.get("/docs")).status_code == 404
        assert (await http.get("/metrics")).status_code == 404  # no SHOPBOT_METRICS_TOKEN: no metrics
