"""Lists the server owns and the pages read, so no page keeps a second copy: handoff reasons with
their labels, the languages, and the text direction of each."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from handoff.conversations.enums import HandoffReason
from handoff.language import LANGUAGES

router = APIRouter(prefix="/api/meta", tags=["meta"])

_LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia", "he": "עברית"}
_RIGHT_TO_LEFT = {"he"}


class Language(BaseModel):
    code: str
    name: str
    direction: str  # "ltr" or "rtl"


class Meta(BaseModel):
    reasons: dict[str, str]  # handoff reason code -> label
    languages: list[Language]


@router.get("")
async def meta() -> Meta:
    return Meta(
        reasons={reason.value: reason.label for reason in HandoffReason},
        languages=[Language(code=code, name=_LANGUAGE_NAMES[code], direction="rtl" if code in _RIGHT_TO_LEFT else "ltr")
                   for code in LANGUAGES],
    )
