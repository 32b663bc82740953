"""The dashboard's arithmetic, pure: from the facts of each conversation (service.py reads them) to
the figures. Percentiles are taken here, not in SQL, so SQLite and PostgreSQL agree."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from handoff.assist.enums import SuggestionOutcome
from handoff.conversations.enums import HandoffReason
from handoff.dashboard.periods import Period
from handoff.dashboard.schemas import (
    AssistFigure,
    CsatFigure,
    Dashboard,
    DaySummary,
    Durations,
    HourFigure,
    IntentFigure,
    LanguageSummary,
    ReasonFigure,
    ScoreCount,
    Summary,
)
from handoff.language import LANGUAGES

TOP_INTENTS = 10
SATISFIED = 4  # a score of this or above
USED = frozenset({SuggestionOutcome.SENT, SuggestionOutcome.EDITED, SuggestionOutcome.TOOL})
NLU_FALLBACK = "nlu_fallback"  # the fallback classifier's intent: the model's own guess is the runner-up


@dataclass(frozen=True)
class Unsure:
    """A review inbox item of the conversation: its reasons and the model's reading."""

    reasons: tuple[str, ...]
    intent: str | None
    runner_up: str | None

    @property
    def leaned_to(self) -> str:
        if self.intent == NLU_FALLBACK and self.runner_up:
            return self.runner_up
        return self.intent or NLU_FALLBACK


@dataclass
class ConversationFacts:
    """What the figures need of one conversation; times are aware UTC."""

    id: str
    created_at: datetime
    language: str
    state: str
    handoff_at: datetime | None = None  # its latest handoff (None: never handed off)
    reason: str | None = None  # that handoff's reason
    assigned_at: datetime | None = None  # its latest assignment
    first_agent_at: datetime | None = None  # the first agent message since the handoff
    closed_at: datetime | None = None
    csat: int | None = None
    customer_times: list[datetime] = field(default_factory=list)
    outcomes: list[str | None] = field(default_factory=list)  # its assist suggestions' outcomes
    unsure: list[Unsure] = field(default_factory=list)

    @property
    def day(self) -> date:
        return self.created_at.date()

    @property
    def handed_off(self) -> bool:
        return self.handoff_at is not None


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def durations(values: Sequence[float]) -> Durations:
    return Durations(count=len(values), p50_s=_seconds(percentile(values, 50)), p90_s=_seconds(percentile(values, 90)),
                     mean_s=_seconds(sum(values) / len(values)) if values else None)


def _since_handoff(facts: Iterable[ConversationFacts], moment: Callable[[ConversationFacts], datetime | None]
                   ) -> list[float]:
    """Seconds from each handoff to `moment` of the same conversation, where it came after the handoff."""
    out = []
    for c in facts:
        then = moment(c)
        if c.handoff_at is not None and then is not None and then >= c.handoff_at:
            out.append((then - c.handoff_at).total_seconds())
    return out


def summary(facts: Sequence[ConversationFacts]) -> Summary:
    total = len(facts)
    handed = [c for c in facts if c.handed_off]
    ratings = [c.csat for c in facts if c.csat is not None]
    outcomes = [o for c in facts for o in c.outcomes]
    return Summary(
        conversations=total, contained=total - len(handed), containment_rate=share(total - len(handed), total),
        handed_off=len(handed), handoff_rate=share(len(handed), total),
        assigned=len(_since_handoff(handed, lambda c: c.assigned_at)),
        closed=sum(c.closed_at is not None for c in facts),
        customer_messages=sum(len(c.customer_times) for c in facts),
        waiting=durations(_since_handoff(handed, lambda c: c.assigned_at)),
        first_response=durations(_since_handoff(handed, lambda c: c.first_agent_at)),
        resolution=durations(_since_handoff(handed, lambda c: c.closed_at)),
        rated=len(ratings), csat_average=round(sum(ratings) / len(ratings), 2) if ratings else None,
        suggestions=len(outcomes), suggestions_used=sum(o in USED for o in outcomes),
    )


def handoff_reasons(facts: Sequence[ConversationFacts]) -> list[ReasonFigure]:
    """Handed-off conversations by their handoff's reason, most first; rates over all conversations."""
    counts = Counter(c.reason or "unknown" for c in facts if c.handed_off)
    known = {reason.value: reason.label for reason in HandoffReason}
    return [ReasonFigure(reason=reason, label=known.get(reason, reason), count=n, rate=share(n, len(facts)) or 0.0)
            for reason, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def csat(facts: Sequence[ConversationFacts]) -> CsatFigure:
    scores = Counter(c.csat for c in facts if c.csat is not None)
    rated = sum(scores.values())
    satisfied = sum(n for score, n in scores.items() if score >= SATISFIED)
    return CsatFigure(rated=rated, average=round(sum(s * n for s, n in scores.items()) / rated, 2) if rated else None,
                      satisfied_rate=share(satisfied, rated),
                      distribution=[ScoreCount(score=s, count=scores.get(s, 0)) for s in range(1, 6)])


def busiest_hours(facts: Sequence[ConversationFacts]) -> list[HourFigure]:
    hours = Counter(moment.hour for c in facts for moment in c.customer_times)
    return [HourFigure(hour=h, customer_messages=hours.get(h, 0)) for h in range(24)]


def fallback_intents(facts: Sequence[ConversationFacts]) -> list[IntentFigure]:
    fallback: Counter[str] = Counter()
    unsure: Counter[str] = Counter()
    for item in (u for c in facts for u in c.unsure):
        if "fallback" in item.reasons:
            fallback[item.leaned_to] += 1
        elif "low_confidence" in item.reasons:
            unsure[item.leaned_to] += 1
    rows = [IntentFigure(intent=i, fallback=fallback[i], low_confidence=unsure[i], total=fallback[i] + unsure[i])
            for i in {*fallback, *unsure}]
    return sorted(rows, key=lambda r: (-r.total, r.intent))[:TOP_INTENTS]


def assist(facts: Sequence[ConversationFacts]) -> AssistFigure:
    outcomes = Counter(o for c in facts for o in c.outcomes)
    total = sum(outcomes.values())
    used = sum(outcomes[o] for o in USED)
    return AssistFigure(suggestions=total, sent=outcomes[SuggestionOutcome.SENT],
                        edited=outcomes[SuggestionOutcome.EDITED], tool=outcomes[SuggestionOutcome.TOOL],
                        ignored=outcomes[SuggestionOutcome.IGNORED], undecided=outcomes[None], used=used,
                        used_rate=share(used, total))


def dashboard(period: Period, language: str | None, facts: Sequence[ConversationFacts]) -> Dashboard:
    by_day: dict[date, list[ConversationFacts]] = {day: [] for day in period.days}
    by_language: dict[str, list[ConversationFacts]] = {code: [] for code in ([language] if language else LANGUAGES)}
    for c in facts:
        by_day.setdefault(c.day, []).append(c)
        by_language.setdefault(c.language, []).append(c)
    return Dashboard(
        start=period.start, end=period.end, language=language, totals=summary(facts),
        handoff_reasons=handoff_reasons(facts), csat=csat(facts), busiest_hours=busiest_hours(facts),
        fallback_intents=fallback_intents(facts), assist=assist(facts),
        days=[DaySummary(day=day, **summary(rows).model_dump()) for day, rows in sorted(by_day.items())],
        languages=[LanguageSummary(language=code, **summary(rows).model_dump()) for code, rows in by_language.items()],
    )
