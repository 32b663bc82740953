from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from handoff.agents.enums import AgentRole, Presence, Skill
from handoff.agents.models import Agent
from handoff.config import MAX_CHATS
from handoff.language import LANGUAGES


class AgentBase(BaseModel):
    display_name: str = Field(min_length=1, max_length=128)
    role: AgentRole = AgentRole.AGENT
    skills: list[Skill] = Field(default_factory=list, max_length=len(Skill))
    languages: list[str] = Field(default_factory=list, max_length=len(LANGUAGES))
    max_chats: int = Field(default=3, ge=0, le=MAX_CHATS)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return _checked_languages(value)


def _checked_languages(value: list[str] | None) -> list[str]:
    unknown = set(value or []) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"unknown languages {sorted(unknown)}; known: {list(LANGUAGES)}")
    return list(dict.fromkeys(value or []))


class AgentCreate(AgentBase):
    id: str = Field(pattern=r"^[a-z][a-z0-9_.-]{1,63}$")
    password: str = Field(min_length=8, max_length=256)


class AgentUpdate(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=128)
    role: AgentRole | None = None
    skills: list[Skill] | None = Field(default=None, max_length=len(Skill))
    languages: list[str] | None = Field(default=None, max_length=len(LANGUAGES))
    max_chats: int | None = Field(default=None, ge=0, le=MAX_CHATS)
    password: str | None = Field(default=None, min_length=8, max_length=256)

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _checked_languages(value)


class AgentPublic(AgentBase):
    id: str
    presence: Presence

    @classmethod
    def of(cls, agent: Agent) -> AgentPublic:
        return cls(id=agent.id, display_name=agent.display_name, role=agent.role, skills=list(agent.skills),
                   languages=list(agent.languages), max_chats=agent.max_chats, presence=agent.presence)
