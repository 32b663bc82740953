"""What the console sends to use a tool or decide on one, and what it gets back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handoff.tools.enums import RequestStatus, ToolKind
from handoff.tools.models import AuditEntry, ToolRequest

MAX_AMOUNT = 1_000_000_000
MAX_REASON_CHARS = 500

# The fields each tool needs (one of a tuple is enough); the others are ignored and not stored.
NEEDS: dict[ToolKind, tuple[tuple[str, ...], ...]] = {
    ToolKind.REFUND: (("amount",), ("invoice_id", "order_id")),
    ToolKind.CREDIT: (("amount",),),
    ToolKind.CANCEL_ORDER: (("order_id",),),
    ToolKind.CHANGE_ADDRESS: (("order_id",), ("address",)),
    ToolKind.RESEND_INVOICE: (("invoice_id", "order_id"),),
    ToolKind.PAUSE_SUBSCRIPTION: (("subscription_id",), ("months",)),
    ToolKind.CANCEL_SUBSCRIPTION: (("subscription_id",),),
}
USES: dict[ToolKind, tuple[str, ...]] = {
    ToolKind.REFUND: ("amount", "invoice_id", "order_id", "note"),
    ToolKind.CREDIT: ("amount", "order_id", "note"),
    ToolKind.CANCEL_ORDER: ("order_id", "note"),
    ToolKind.CHANGE_ADDRESS: ("order_id", "address", "note"),
    ToolKind.RESEND_INVOICE: ("invoice_id", "order_id", "note"),
    ToolKind.PAUSE_SUBSCRIPTION: ("subscription_id", "months", "note"),
    ToolKind.CANCEL_SUBSCRIPTION: ("subscription_id", "note"),
}


class ToolRequestCreate(BaseModel):
    """One use of a tool on the conversation's customer's records. Amounts are in the customer's
    currency (a refund: the invoice's)."""

    model_config = ConfigDict(extra="forbid")

    kind: ToolKind
    order_id: str | None = Field(default=None, min_length=1, max_length=16)
    invoice_id: str | None = Field(default=None, min_length=1, max_length=32)
    subscription_id: str | None = Field(default=None, min_length=1, max_length=16)
    amount: float | None = Field(default=None, gt=0, le=MAX_AMOUNT)
    address: str | None = Field(default=None, min_length=5, max_length=300)
    months: int | None = Field(default=None, ge=1, le=12)
    note: str | None = Field(default=None, max_length=MAX_REASON_CHARS)

    @field_validator("order_id", "invoice_id", "subscription_id", mode="before")
    @classmethod
    def _record_id(cls, value: Any) -> Any:
        """Blank is not given; ids as customers write them (inv-2026... is INV-2026...)."""
        return (value.strip().upper() or None) if isinstance(value, str) else value

    @field_validator("address", "note", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return (value.strip() or None) if isinstance(value, str) else value

    @field_validator("amount")
    @classmethod
    def _cents(cls, value: float | None) -> float | None:
        if value is None:
            return None
        if round(value, 2) <= 0:
            raise ValueError("the amount must be at least 0.01")
        return round(value, 2)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> ToolRequestCreate:
        for alternatives in NEEDS[self.kind]:
            if all(getattr(self, name) is None for name in alternatives):
                raise ValueError(f"{self.kind.value} needs {' or '.join(alternatives)}")
        return self

    def params(self) -> dict[str, Any]:
        """What is stored with the request: only what this tool uses."""
        return {name: getattr(self, name) for name in USES[self.kind] if getattr(self, name) is not None}


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    approve: bool
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS,
                               description="why; required when declining")

    @model_validator(mode="after")
    def _reason_to_decline(self) -> Decision:
        self.reason = (self.reason or "").strip() or None
        if not self.approve and self.reason is None:
            raise ValueError("a reason is required to decline")
        return self


class ToolRequestPublic(BaseModel):
    id: str
    conversation_id: str
    agent_id: str
    kind: ToolKind
    params: dict[str, Any]
    customer_id: str
    amount: float | None
    currency: str | None
    amount_usd: float | None
    status: RequestStatus
    approver_id: str | None
    decision_reason: str | None
    result: dict[str, Any] | None
    error: str | None
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, row: ToolRequest) -> ToolRequestPublic:
        return cls(id=row.id, conversation_id=row.conversation_id, agent_id=row.agent_id, kind=row.kind,
                   params=dict(row.params), customer_id=row.customer_id, amount=row.amount, currency=row.currency,
                   amount_usd=row.amount_usd, status=row.status, approver_id=row.approver_id,
                   decision_reason=row.decision_reason, result=row.result, error=row.error,
                   created_at=row.created_at, decided_at=row.decided_at)


AUDIT_COLUMNS = ("id", "at", "agent_id", "approver_id", "kind", "customer_id", "conversation_id", "order_id",
                 "invoice_id", "amount", "currency", "amount_usd", "request_id")


class AuditEntryPublic(BaseModel):
    id: int
    at: datetime
    agent_id: str
    approver_id: str | None
    kind: ToolKind
    customer_id: str
    conversation_id: str
    order_id: str | None
    invoice_id: str | None
    amount: float
    currency: str
    amount_usd: float
    request_id: str

    @classmethod
    def of(cls, row: AuditEntry) -> AuditEntryPublic:
        return cls(**{name: getattr(row, name) for name in AUDIT_COLUMNS})


class AuditFilter(BaseModel):
    """Search of the audit log: every given filter must match; `q` matches any id in the entry."""

    agent_id: str | None = Field(default=None, max_length=64)
    customer_id: str | None = Field(default=None, max_length=16)
    kind: ToolKind | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = Field(default=None, max_length=64)
    limit: int = Field(default=500, ge=1, le=10_000)
