"""The dashboard's figures as the API returns them (docs/dashboard.md says what each one means).
Durations are in seconds, rates are shares from 0 to 1; None where there is nothing to measure."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class Durations(BaseModel):
    """A distribution of durations: how many were measured, the median, the 90th percentile
    (nearest rank) and the mean."""

    count: int
    p50_s: float | None
    p90_s: float | None
    mean_s: float | None


class Summary(BaseModel):
    """The figures of a set of conversations (all of the range, one day's, one language's)."""

    conversations: int = Field(description="conversations started in the range with a customer message")
    contained: int = Field(description="of those, never handed off to a person")
    containment_rate: float | None
    handed_off: int
    handoff_rate: float | None
    assigned: int = Field(description="handed-off conversations an agent took")
    closed: int
    customer_messages: int
    waiting: Durations = Field(description="from the handoff to an agent taking it")
    first_response: Durations = Field(description="from the handoff to the agent's first message")
    resolution: Durations = Field(description="from the handoff to the agent closing it")
    rated: int
    csat_average: float | None
    suggestions: int = Field(description="agent-assist suggestions shown")
    suggestions_used: int = Field(description="sent as they were, edited, or their tool opened")


class DaySummary(Summary):
    day: date


class LanguageSummary(Summary):
    language: str


class ReasonFigure(BaseModel):
    reason: str
    label: str
    count: int
    rate: float = Field(description="share of all the conversations")


class ScoreCount(BaseModel):
    score: int
    count: int


class CsatFigure(BaseModel):
    rated: int
    average: float | None
    satisfied_rate: float | None = Field(description="share of the ratings that are 4 or 5")
    distribution: list[ScoreCount]


class HourFigure(BaseModel):
    hour: int = Field(description="hour of the day, UTC")
    customer_messages: int


class IntentFigure(BaseModel):
    """An intent the model leaned to on messages it fell back on or was unsure about."""

    intent: str
    fallback: int
    low_confidence: int
    total: int


class AssistFigure(BaseModel):
    suggestions: int
    sent: int
    edited: int
    tool: int
    ignored: int
    undecided: int
    used: int
    used_rate: float | None = Field(description="used / suggestions")


class Dashboard(BaseModel):
    start: date
    end: date = Field(description="the last day, included")
    language: str | None
    timezone: str = "UTC"
    totals: Summary
    handoff_reasons: list[ReasonFigure]
    csat: CsatFigure
    busiest_hours: list[HourFigure]
    fallback_intents: list[IntentFigure]
    assist: AssistFigure
    days: list[DaySummary]
    languages: list[LanguageSummary]
