"""The agent's tools on the customer's records, supervisors' approvals, and the audit log
(docs/protocol.md, "Agent tools"). Thin: the rules are in handoff/tools."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response

from api.deps import OVERSEERS, AccountDep, AgentDep, RuntimeDep, SessionDep
from api.routers.responses import SIGNED_IN, UNREADABLE_BODY
from handoff.agents.enums import AgentRole
from handoff.agents.models import Agent
from handoff.conversations import service as conversation_service
from handoff.conversations.exceptions import ConversationNotFound
from handoff.shop.service import ShopRuleViolation
from handoff.tools import flows as tools_flows
from handoff.tools import service as tools_service
from handoff.tools.exceptions import (
    AlreadyDecided,
    NotThisCustomer,
    RequestNotFound,
    ToolError,
    ToolNotAllowed,
    UnknownRecord,
)
from handoff.tools.schemas import (
    AUDIT_COLUMNS,
    AuditEntryPublic,
    AuditFilter,
    Decision,
    ToolRequestCreate,
    ToolRequestPublic,
)

# Every route needs a signed-in agent (some a supervisor).
router = APIRouter(tags=["tools"], responses=SIGNED_IN)

T = TypeVar("T")

_STATUS: dict[type[Exception], int] = {
    ConversationNotFound: status.HTTP_404_NOT_FOUND,
    RequestNotFound: status.HTTP_404_NOT_FOUND,
    ToolNotAllowed: status.HTTP_403_FORBIDDEN,
    NotThisCustomer: status.HTTP_403_FORBIDDEN,
    UnknownRecord: 422,
    AlreadyDecided: status.HTTP_409_CONFLICT,
    ShopRuleViolation: status.HTTP_409_CONFLICT,
}


def _detail(code: str, text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"example": {"detail": {
        "code": code, "detail": text}}}}}


_USE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: _detail("not_allowed | not_this_customer", "not the assigned agent, or a record of another customer"),
    404: _detail("not_found", "no such conversation"),
    409: _detail("above_paid | not_cancellable | not_changeable | already_cancelled | pause_too_long | invoice_void",
                 "the shop's rules refuse it (e.g. a refund above what was paid less earlier refunds)"),
    422: _detail("unknown_record", "no such order, invoice or subscription, the customer is not known, or "
                                   "the body is invalid (a field the tool needs is missing, an amount out of bounds)"),
}
_DECIDE_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: _detail("not_allowed", "not a supervisor, or one's own request"),
    404: _detail("not_found", "no such request"),
    409: _detail("already_decided", "approved, declined or being applied already"),
    422: {"description": "declining without a reason, or a reason over 500 characters"},
}
_SUPERVISORS: dict[int | str, dict[str, Any]] = {403: {"description": "supervisors (and, for the audit, admins) only"}}


async def _answer(call: Awaitable[T]) -> T:
    """The domain's refusals as HTTP answers: {"detail": {"code", "detail"}}."""
    try:
        return await call
    except (ToolError, ConversationNotFound, ShopRuleViolation) as exc:
        code = getattr(exc, "code", "refused")
        detail = exc.detail if isinstance(exc, ShopRuleViolation) else (str(exc) or code)
        http = next(v for k, v in _STATUS.items() if isinstance(exc, k))
        raise HTTPException(http, {"code": code, "detail": detail}) from exc


def _require(agent: Agent, *roles: AgentRole) -> Agent:
    if agent.role not in roles:
        raise HTTPException(status.HTTP_403_FORBIDDEN, {"code": "not_allowed", "detail": "supervisors only"})
    return agent


async def _supervisor(agent: AccountDep) -> Agent:
    return _require(agent, AgentRole.SUPERVISOR)


async def _auditor(agent: AccountDep) -> Agent:
    """deps.OverseerDep's people (OVERSEERS: the dashboard's), refused like the rest of this API:
    {"detail": {"code": "not_allowed", ...}} rather than deps' plain text."""
    return _require(agent, *OVERSEERS)


SupervisorDep = Annotated[Agent, Depends(_supervisor)]
AuditorDep = Annotated[Agent, Depends(_auditor)]


@router.post("/api/agent/conversations/{conversation_id}/tools", status_code=status.HTTP_201_CREATED,
             responses=_USE_RESPONSES | UNREADABLE_BODY)
async def use_tool(conversation_id: str, body: ToolRequestCreate, agent_id: AgentDep,
                   rt: RuntimeDep) -> ToolRequestPublic:
    """Refund, credit, cancel an order, change its address, resend an invoice, pause or cancel a
    subscription, on the conversation's customer's records (only the assigned agent). A refund or
    credit above the agents' authority (policy.json) is stored `pending_approval` for a supervisor;
    anything else is applied at once (`done`) and the customer is told."""
    return await _answer(tools_flows.use_tool(rt, conversation_id=conversation_id, agent_id=agent_id, body=body))


@router.get("/api/agent/conversations/{conversation_id}/tools",
            responses={404: {"description": "no such conversation"}})
async def conversation_tools(conversation_id: str, session: SessionDep, agent_id: AgentDep) -> list[ToolRequestPublic]:
    """The tool requests of a conversation, oldest first (any agent may read them)."""
    if await conversation_service.get(session=session, conversation_id=conversation_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, {"code": "not_found", "detail": "no such conversation"})
    return [ToolRequestPublic.of(r) for r in
            await tools_service.for_conversation(session=session, conversation_id=conversation_id)]


@router.get("/api/agent/approvals", responses=_SUPERVISORS)
async def approvals(session: SessionDep, supervisor: SupervisorDep) -> list[ToolRequestPublic]:
    """Requests waiting for a supervisor, oldest first (live: the `approval` frame)."""
    return [ToolRequestPublic.of(r) for r in await tools_service.pending(session=session)]


@router.post("/api/agent/approvals/{request_id}/decision", responses=_DECIDE_RESPONSES | UNREADABLE_BODY)
async def decide(request_id: str, body: Decision, account: AccountDep, rt: RuntimeDep) -> ToolRequestPublic:
    """Approve (applied now: `done`, or `failed` with the shop's reason) or decline (with a reason)."""
    return await _answer(tools_flows.decide(rt, request_id=request_id, approver=account, approve=body.approve,
                                            reason=body.reason))


@router.get("/api/supervisor/audit", responses=_SUPERVISORS)
async def audit(session: SessionDep, auditor: AuditorDep,
                where: Annotated[AuditFilter, Query()]) -> list[AuditEntryPublic]:
    """Refunds and credits at or above the audit threshold, newest first. Filters: agent, customer,
    kind, a time range (`since` inclusive, `until` exclusive; ISO date-times, UTC if no offset), and
    `q`, any id in the entry (conversation, order, invoice, request, agent, approver, customer)."""
    return [AuditEntryPublic.of(e) for e in await tools_service.search_audit(session=session, where=where)]


@router.get("/api/supervisor/audit.csv", response_class=Response, responses={
    **_SUPERVISORS, 200: {"content": {"text/csv": {}}, "description": "a header row, then one line per entry"}})
async def audit_csv(session: SessionDep, auditor: AuditorDep, where: Annotated[AuditFilter, Query()]) -> Response:
    """The same search as CSV (the `csv` module's quoting), for spreadsheets and auditors."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=AUDIT_COLUMNS)
    writer.writeheader()
    for entry in await tools_service.search_audit(session=session, where=where):
        writer.writerow(AuditEntryPublic.of(entry).model_dump(mode="json"))
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
