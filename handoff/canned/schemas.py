"""What admins send to add or change a canned response, and what agents and admins get back."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from handoff.canned.models import CannedResponse
from handoff.language import LANGUAGES

SHORTCUT_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 2000  # a message's limit (SHOPBOT_MAX_MESSAGE_CHARS by default)

Shortcut = Annotated[str, StringConstraints(strip_whitespace=True, pattern=SHORTCUT_PATTERN)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TITLE_CHARS)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]


def _known_language(value: str | None) -> str | None:
    if value is not None and value not in LANGUAGES:
        raise ValueError(f"unknown language {value!r}; known: {list(LANGUAGES)}")
    return value


class CannedCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shortcut: Shortcut
    language: str
    title: Title
    text: Text

    _language = field_validator("language")(_known_language)


class CannedUpdate(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid")

    shortcut: Shortcut | None = None
    language: str | None = None
    title: Title | None = None
    text: Text | None = None

    _language = field_validator("language")(_known_language)


class CannedPublic(BaseModel):
    id: int
    shortcut: str
    language: str
    title: str
    text: str
    updated_by: str | None
    updated_at: datetime

    @classmethod
    def of(cls, row: CannedResponse) -> CannedPublic:
        return cls(id=row.id, shortcut=row.shortcut, language=row.language, title=row.title, text=row.text,
                   updated_by=row.updated_by, updated_at=row.updated_at)


class Rendered(BaseModel):
    """A canned response's text with the conversation's values filled in, ready to edit and send."""

    id: int
    shortcut: str
    language: str
    text: str = Field(description="placeholders without a value are left as a bracketed label, e.g. [order number]")
