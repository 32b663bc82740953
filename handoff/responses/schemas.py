from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from handoff.language import LANGUAGES
from handoff.responses.catalogue import Response
from handoff.responses.models import ResponseEdit
from handoff.responses.service import Key


class LanguageText(BaseModel):
    language: str
    # The text in bot/domain; None: no variant of its own, the default language's text is said.
    original: str | None
    edited: str | None  # the admin's text the next trained model says; None: the original
    edited_by: str | None  # who made the latest change (a restore included), and when
    edited_at: datetime | None


class ResponsePublic(BaseModel):
    name: str
    placeholders: list[str]  # the only ones an edit may use
    buttons: bool  # its buttons are kept as they are
    other_variants: int  # variants an edit leaves alone
    languages: list[LanguageText]

    @classmethod
    def of(cls, response: Response, edits: dict[Key, ResponseEdit]) -> ResponsePublic:
        languages = []
        for language in LANGUAGES:
            edit = edits.get((response.name, language))
            languages.append(LanguageText(
                language=language, original=response.texts.get(language), edited=edit.text if edit else None,
                edited_by=edit.admin_id if edit else None, edited_at=edit.at if edit else None))
        return cls(name=response.name, placeholders=sorted(response.placeholders), buttons=response.buttons,
                   other_variants=response.other_variants, languages=languages)


class ResponseEditBody(BaseModel):
    text: str | None  # null: back to the text in bot/domain


class ResponseChangePublic(BaseModel):
    response: str
    language: str
    text: str | None  # None: restored to the text in bot/domain
    admin_id: str
    at: datetime

    @classmethod
    def of(cls, edit: ResponseEdit) -> ResponseChangePublic:
        return cls.model_validate(edit, from_attributes=True)
