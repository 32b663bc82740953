"""The supervisors' dashboard (issue 13): containment, handoffs by reason, waiting and response
times, CSAT, the busiest hours, the intents the bot falls back on, agent assist; per day and per
language, as JSON and as CSV. Thin: the figures are computed in handoff/dashboard."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from api.deps import OverseerDep, RuntimeDep, SessionDep
from api.routers.responses import SIGNED_IN
from handoff.dashboard import export
from handoff.dashboard import service as dashboard_service
from handoff.dashboard.periods import EARLIEST, LATEST, MAX_DAYS, InvalidPeriod, Period, period
from handoff.dashboard.schemas import Dashboard
from handoff.language import LANGUAGES

_REFUSED: dict[int | str, dict[str, Any]] = {
    **SIGNED_IN,
    403: {"description": "supervisors and admins only"},
    422: {"description": f"a date that is not an ISO date, `from` after `to`, a range over {MAX_DAYS} days, "
                        f"a date outside {EARLIEST}..{LATEST}, or a language the app does not speak"},
}
router = APIRouter(prefix="/api", tags=["dashboard"], responses=_REFUSED)

LanguageQuery = Annotated[str | None, Query(pattern=f"^({'|'.join(LANGUAGES)})$",
                                            description="only the conversations in this language")]


def asked_period(rt: RuntimeDep,
                 start: Annotated[date | None, Query(alias="from", description="first day (UTC), included")] = None,
                 end: Annotated[date | None, Query(alias="to", description="last day (UTC), included")] = None,
                 ) -> Period:
    """The range asked for; by default the last 7 days up to today. Today is the day of
    the clock's timestamps (`now`), which the figures are measured by, not the shop's policy day."""
    try:
        return period(start=start, end=end, today=rt.clock.now().date())
    except InvalidPeriod as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc


PeriodDep = Annotated[Period, Depends(asked_period)]


@router.get("/dashboard")
async def dashboard(session: SessionDep, viewer: OverseerDep, asked: PeriodDep,
                    language: LanguageQuery = None) -> Dashboard:
    """The figures of the conversations started in the range (default: the last 7 days up to today,
    UTC), optionally in one language; docs/dashboard.md says what each one means."""
    return await dashboard_service.build(session=session, period=asked, language=language)


@router.get("/dashboard.csv", response_class=Response, responses={
    200: {"content": {"text/csv": {}},
          "description": "a header row, then a row for the range, one per day and one per language"}})
async def dashboard_csv(session: SessionDep, viewer: OverseerDep, asked: PeriodDep,
                        language: LanguageQuery = None) -> Response:
    """The same figures as CSV, for spreadsheets."""
    figures = await dashboard_service.build(session=session, period=asked, language=language)
    return Response(export.to_csv(figures), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{export.filename(figures)}"'})
