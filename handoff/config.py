"""All settings in one typed place, read from the environment (prefix SHOPBOT_)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    environment: str = "development"
    database_url: str = f"sqlite+aiosqlite:///{ROOT / 'var' / 'shopbot.db'}"
    broker_url: str = "memory://"
    demo_data_dir: Path = ROOT / "data" / "demo-store"
    load_demo_data: bool = True
    # "system" uses the real date; "as_of" fixes the clock at the demo shop's policy date;
    # an ISO date fixes it there. Tests and the demo run use "as_of".
    today: str = "system"

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = "dev-rasa-token"
    rasa_timeout_s: float = 30.0

    secret_key: str = DEV_SECRET
    # Shared with the action server, which calls the shop API on the bot's behalf.
    service_token: str = "dev-service-token"
    # Seeded on first start when there are no agents: "name:password,name:password".
    demo_agents: str = "alice:alice-demo,bob:bob-demo"

    max_message_chars: int = 2000
    max_frame_bytes: int = 16_384
    subscriber_queue_size: int = 256

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            for name in ("secret_key", "service_token", "rasa_token"):
                if getattr(self, name).startswith("dev-"):
                    raise ValueError(f"SHOPBOT_{name.upper()} must be set in production")
        return self


    def agents_to_seed(self) -> list[tuple[str, str]]:
        pairs = [item.split(":", 1) for item in self.demo_agents.split(",") if ":" in item]
        return [(name.strip(), password.strip()) for name, password in pairs]

    def fixed_today(self, as_of: date | None) -> date | None:
        if self.today == "system":
            return None
        if self.today == "as_of":
            return as_of
        return date.fromisoformat(self.today)
