"""Lists the server owns and the pages read, so no page keeps a second copy: handoff reasons with
their labels, the languages and the text direction of each, the agents' roles and skills, and the
review inbox's reasons."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from handoff.agents.enums import AgentRole, Skill
from handoff.conversations.enums import HandoffReason
from handoff.language import LANGUAGES
from handoff.review.enums import ReviewReason

router = APIRouter(prefix="/api/meta", tags=["meta"])

_LANGUAGE_NAMES = {"en": "English", "id": "Bahasa Indonesia", "he": "עברית"}
_RIGHT_TO_LEFT = {"he"}
_ROLE_LABELS = {AgentRole.AGENT: "Agent", AgentRole.SUPERVISOR: "Supervisor", AgentRole.ADMIN: "Admin"}
_SKILL_LABELS = {Skill.ORDERS: "Orders", Skill.BILLING: "Billing"}


class Language(BaseModel):
    code: str
    name: str
    direction: str  # "ltr" or "rtl"


class Meta(BaseModel):
    reasons: dict[str, str]  # handoff reason code -> label
    languages: list[Language]
    roles: dict[str, str]  # agent role code -> label (the admin page)
    skills: dict[str, str]  # agent skill code -> label
    review_reasons: dict[str, str]  # why a message is in the admins' review inbox: code -> label


@router.get("")
async def meta() -> Meta:
    return Meta(
        reasons={reason.value: reason.label for reason in HandoffReason},
        languages=[Language(code=code, name=_LANGUAGE_NAMES[code], direction="rtl" if code in _RIGHT_TO_LEFT else "ltr")
                   for code in LANGUAGES],
        # A member added to an enum without a label here still shows, under its code.
        roles={role.value: _ROLE_LABELS.get(role, role.value) for role in AgentRole},
        skills={skill.value: _SKILL_LABELS.get(skill, skill.value) for skill in Skill},
        review_reasons={reason.value: reason.label for reason in ReviewReason},
    )
