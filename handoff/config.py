"""All settings in one typed place, read from the environment (prefix SHOPBOT_)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from limits import parse as parse_rate
from pydantic import Field, NonNegativeInt, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handoff.security import Keyring

ROOT = Path(__file__).resolve().parent.parent
# Production secrets are at least this long (32 random characters: far beyond guessing).
MIN_SECRET_CHARS = 32
MAX_CHATS = 20  # an agent's most simultaneous chats (handoff/agents/schemas.py keeps to it too)


def local_secret(path: Path) -> str:
    """A random signing key kept in a file only this machine's user can read, made on first use.
    Processes started from one checkout share it; no two installations share one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(key)
    return key


@dataclass(frozen=True)
class SeedAgent:
    """A demo team member, as written in SHOPBOT_DEMO_AGENTS."""

    id: str
    password: str
    role: str = "agent"
    skills: tuple[str, ...] = ("orders", "billing")
    languages: tuple[str, ...] = ("en",)
    max_chats: int = 3


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    # "production" unless said otherwise: every secret must then be given (never a default anyone
    # knows), and the demo conveniences are off. "development" (`make run`, the test stacks) makes
    # missing secrets once and keeps them in var/ (local_secret).
    environment: Literal["development", "production"] = "production"
    # The schema comes from the migrations (handoff/migrations), applied at every start. The name
    # is older: v3 was the last schema create_all made, which the migrations take up as their baseline.
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'shopbot-v3.db'}"
    broker_url: str = "memory://"
    demo_data_dir: Path = ROOT / "data" / "demo-store"
    load_demo_data: bool = True
    # "system" uses the real date; "as_of" fixes the clock at the demo shop's policy date;
    # an ISO date fixes it there. Tests and the demo run use "as_of".
    today: str = "system"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    # How long a bot turn may wait for Rasa (and its actions) before the customer goes to a person.
    # After rasa_breaker_failures timeouts (or resets) in a row, or one refused connection, the
    # client asks Rasa nothing for rasa_open_for_s, then lets one call through to try (bot/client.py).
    rasa_timeout_s: float = 10.0
    rasa_open_for_s: float = 15.0
    rasa_breaker_failures: int = Field(default=3, ge=1, le=1000)
    # How long a handoff waits for Rasa's tracker (the context's slots and intents) before it queues
    # the customer without it: after a send that timed out, a full rasa_timeout_s more would double
    # the wait of the customer who found Rasa hanging.
    handoff_tracker_timeout_s: float = Field(default=2.0, gt=0, le=60)
    # Connections to Rasa kept open: as many as bot turns may run at once in one process.
    rasa_pool_size: int = Field(default=100, ge=1, le=10_000)
    # Messages a process lets wait to be stored; beyond, a message is refused `overloaded` (the
    # client sends it again): a process this far behind sheds load rather than queue without end.
    write_budget: int = Field(default=2048, ge=1, le=1_000_000)
    # A process holds each bot turn it stored for this long, renewed every third of it while the turn
    # runs; a turn whose process died is run again by another process (or this one restarted) once
    # its lease has run out (handoff/conversations/outbox.py). The time to recover from a crash.
    turn_lease_s: float = 60.0

    # The app's secret: agent and conversation tokens are signed with keys derived from it, one per
    # purpose (handoff/security.py). Rotation: put the new key here and the old one first in
    # previous_secret_keys (a JSON list) until the old tokens have expired.
    secret_key: str = ""
    previous_secret_keys: list[str] = []
    # The key the shop's back end signs its signed-in customers' tokens with (docs/security.md), and
    # the ones it used before.
    shop_token_key: str = ""
    previous_shop_token_keys: list[str] = []
    # Shared with the action server, which calls the shop API on the bot's behalf.
    service_token: str = ""
    # What Prometheus sends (Authorization: Bearer) to scrape /metrics. Production without one has
    # no /metrics (404); development makes one in var/secrets/metrics_token.
    metrics_token: str = ""
    # Where development keeps the secrets it made (one file per secret, readable by this user only).
    secrets_dir: Path = ROOT / "var" / "secrets"
    # Seeded on first start when there are no agents, comma-separated
    # "name:password[:role[:skills[:languages[:max_chats]]]]" (skills and languages joined by "+").
    demo_agents: str = ("alice:alice-demo:supervisor:orders+billing:en+he:3,bob:bob-demo:agent:orders+billing:en+id:3,"
                        "sari:sari-demo:agent:orders+billing:id:3,noa:noa-demo:agent:orders+billing:he:3,"
                        "dana:dana-demo:admin:::0")
    # "auto": a queued conversation goes to the best matching online agent at once; "pooled":
    # agents pick from the queue by hand (always possible in both).
    routing: Literal["auto", "pooled"] = "auto"
    # Waiting customers are told their place and an estimate from recent handling times (this
    # many seconds per conversation until there is history).
    default_handling_s: float = 300.0
    # An assigned conversation the agent has not answered goes back to the line (keeping its place)
    # after this long, or after presence_grace_s when the agent is no longer online.
    answer_timeout_s: float = 120.0
    presence_grace_s: float = 30.0
    sweep_interval_s: float = 5.0
    # "json": one JSON object a line, with the conversation id (api/log_format.py); "text": uvicorn's.
    log_format: Literal["text", "json"] = "text"
    # An app process whose heartbeat (one per sweep) is older than this is taken for dead: any other
    # counts its sockets out (handoff/instances/flows.py). Well above sweep_interval_s.
    instance_ttl_s: float = 30.0
    # A conversation nobody with its language could take for this long is offered to any online
    # agent with the skill (the console shows its language).
    language_fallback_s: float = 180.0
    # "policy": outside policy.json's support_hours for the customer's language, or with no agent
    # online who could take it, a handoff becomes a ticket; "always": the team is always there (the
    # test stacks that test other things).
    support_hours: Literal["policy", "always"] = "policy"
    # "system", or an ISO instant the support-hours check uses instead of the real time (tests, demos).
    wall_clock: str = "system"

    # Shop pages (origins) allowed to embed the widget from another origin: CORS for its modules and
    # its HTTP API. JSON list, e.g. '["https://shop.example"]'.
    widget_origins: list[str] = []

    # Typing indicators: at most one broadcast per socket (and conversation) this often.
    typing_interval_s: float = 1.0
    max_message_chars: int = 2000
    max_frame_bytes: int = 16_384
    # A socket's first frame must be its auth frame, within this long (api/socket_auth.py).
    socket_auth_timeout_s: float = 10.0
    # HTTP request bodies above this many bytes get 413 before the rest is read (the largest real
    # body, a canned response or a tool request, is a few KiB).
    max_body_bytes: int = 65_536
    subscriber_queue_size: int = 256

    # Rate limits (api/ratelimit.py), each "N/window" in the `limits` library's notation ("20/10
    # seconds", "30 per hour"), over a moving window in each app process's memory. Over a limit: an
    # error frame `rate_limited` (nothing stored) or a 429, both saying how long to wait.
    # Messages (and notes) per conversation from the customer's sockets, and per agent from theirs:
    customer_message_rate: str = "20/10 seconds"
    agent_message_rate: str = "60/10 seconds"
    # New conversations per client address (a shop's page opens one per chat, a few an hour):
    conversation_rate_per_address: str = "30/hour"
    # Sign-in attempts per account (a success starts it again) and per client address (all count):
    login_rate_per_account: str = "10/15 minutes"
    login_rate_per_address: str = "30/15 minutes"
    # Agent-assist suggestions being made at once in one process; a customer message beyond it gets
    # none (handoff/assist/flows.py).
    assist_max_pending: int = 8
    # A customer message the bot understood with less confidence than this goes to the admins'
    # review inbox (handoff/review), as do its fallbacks.
    review_confidence_threshold: float = 0.6
    # Where the annotated review messages are exported as Rasa training data (reviewed_<lang>.yml).
    review_export_dir: Path = ROOT / "var" / "training" / "nlu"
    # Retraining (handoff/training): the bot environment's `rasa` (empty: this app cannot train), the
    # product's bot/ (training data, domain, config), the jobs' workspaces and logs, and the models.
    rasa_bin: str = ""
    bot_dir: Path = ROOT / "bot"
    training_dir: Path = ROOT / "var" / "training"
    models_dir: Path = ROOT / "var" / "models"
    # The model the Rasa server runs: a job compares its new model with it on the held-out sets
    # (bot/compare_models.py; empty: the comparison is skipped), on these sets of bot/evaluate_nlu.py,
    # each file's first `compare_limit` messages only when above 0 (the test stack's quick comparison).
    live_model: str = ""
    # Promotion (handoff/serving/): the Rasa servers the app starts for a promoted model use the
    # deployment's endpoints (a shared tracker store: conversations go on across the switch) and
    # credentials, listen on serve_host, must be ready within serve_ready_timeout_s, and a replaced
    # one keeps answering for serve_drain_s (every process switches within a sweep) before it stops.
    rasa_endpoints: str = "bot/endpoints.yml"
    rasa_credentials: str = "bot/credentials.yml"
    serve_host: str = "127.0.0.1"
    serve_ready_timeout_s: float = 300.0
    serve_drain_s: float = 30.0
    compare_sets: str = "independent,independent_noised,ood"
    compare_limit: NonNegativeInt = 0
    # Where the counts are kept: "memory://" (each process its own) or "redis://host:port/db" (one
    # count for every instance behind a balancer).
    rate_limit_storage: str = "memory://"

    # The demo page's helpers, off unless asked for (`make run` and the test stack turn it on):
    # GET /demo/customer-token/{id} signs a customer token, as a shop's back end would for a
    # signed-in customer, for the customers the demo page offers (demo_customers) and no others.
    demo_mode: bool = False
    demo_customers: list[str] = ["C0001", "C0012", "C0033"]

    @field_validator("customer_message_rate", "agent_message_rate", "conversation_rate_per_address",
                     "login_rate_per_account", "login_rate_per_address")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse_rate(value)  # a typo in an env var fails at start-up, not at the first request
        return value

    @field_validator("rate_limit_storage")
    @classmethod
    def _a_storage(cls, value: str) -> str:
        if value != "memory://" and not value.startswith(("redis://", "rediss://")):
            raise ValueError("rate limit storage must be memory:// or redis://...")
        return value

    @model_validator(mode="after")
    def _instance_ttl(self) -> Settings:
        # A TTL within two sweeps would take live processes, slow for a moment, for dead.
        if self.instance_ttl_s < 2 * self.sweep_interval_s:
            raise ValueError("SHOPBOT_INSTANCE_TTL_S must be at least twice SHOPBOT_SWEEP_INTERVAL_S")
        return self

    @model_validator(mode="after")
    def _secrets(self) -> Settings:
        names: tuple[str, ...] = ("secret_key", "shop_token_key", "service_token", "rasa_token")
        if self.environment == "production":
            for name in names:
                value = getattr(self, name)
                if len(value) < MIN_SECRET_CHARS or value.startswith("dev-"):
                    raise ValueError(f"SHOPBOT_{name.upper()} must be set in production "
                                     f"(at least {MIN_SECRET_CHARS} random characters)")
            if self.demo_mode:
                raise ValueError("SHOPBOT_DEMO_MODE is for development only")
            if self.metrics_token and len(self.metrics_token) < MIN_SECRET_CHARS:
                raise ValueError(f"SHOPBOT_METRICS_TOKEN needs at least {MIN_SECRET_CHARS} random characters")
        else:
            names = (*names, "metrics_token")
        for name in names:
            if not getattr(self, name):
                setattr(self, name, local_secret(self.secrets_dir / name))
        return self

    def keyring(self) -> Keyring:
        return Keyring.build([self.secret_key, *self.previous_secret_keys],
                             [self.shop_token_key, *self.previous_shop_token_keys])

    def agents_to_seed(self) -> list[SeedAgent]:
        """The team seeded into an empty agents table: the demo team in demo mode only (its passwords
        are in this file for anyone to read), or a team given explicitly in SHOPBOT_DEMO_AGENTS. A
        production team otherwise starts with an admin made by `python -m api.create_admin NAME`."""
        if not self.demo_mode and "demo_agents" not in self.model_fields_set:
            return []
        agents = []
        for item in filter(None, (i.strip() for i in self.demo_agents.split(","))):
            name, password, role, skills, languages, max_chats = [*item.split(":"), "", "", "", ""][:6]
            agents.append(SeedAgent(id=name.strip(), password=password.strip(), role=role or "agent",
                                    skills=tuple(filter(None, skills.split("+"))) or ("orders", "billing"),
                                    languages=tuple(filter(None, languages.split("+"))) or ("en",),
                                    max_chats=int(max_chats) if max_chats else 3))
            if not 0 <= agents[-1].max_chats <= MAX_CHATS:  # the team API's bound: refused at start-up
                raise ValueError(f"SHOPBOT_DEMO_AGENTS: {name}'s max_chats must be 0-{MAX_CHATS}")
        return agents

    def fixed_today(self, as_of: date | None) -> date | None:
        if self.today == "system":
            return None
        if self.today == "as_of":
            return as_of
        return date.fromisoformat(self.today)
