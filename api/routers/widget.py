"""What the website widget calls over HTTP (the live chat itself is the customer websocket)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, status
from pydantic import BaseModel, Field

from api.deps import RuntimeDep, SessionDep, conversation_token
from handoff import security
from handoff.conversations import service as conversation_service
from handoff.conversations.schemas import ConversationCreated, MessagePublic

router = APIRouter(prefix="/api/widget", tags=["widget"])

SUPPORTED_LOCALES = ("en", "id", "he")


class StartConversation(BaseModel):
    locale: str = Field(default="en", description="The widget's language: en, id or he.")
    # Signed by the shop's back end for a signed-in customer (see POST /api/shop-sso/customer-token).
    customer_token: str | None = None


@router.post("/conversations", status_code=status.HTTP_201_CREATED)
async def start_conversation(body: StartConversation, session: SessionDep, rt: RuntimeDep) -> ConversationCreated:
    customer_id = None
    if body.customer_token:
        try:
            customer_id = security.verify(rt.settings.secret_key, "customer", body.customer_token)
        except security.InvalidToken as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid customer token: {exc}") from exc
    locale = body.locale if body.locale in SUPPORTED_LOCALES else "en"
    conversation = await conversation_service.create(session=session, customer_id=customer_id, locale=locale,
                                                     clock=rt.clock)
    return ConversationCreated(conversation_id=conversation.id, token=conversation_token(rt, conversation.id),
                               state=conversation.state)


@router.get("/conversations/{conversation_id}/messages")
async def list_messages(
    conversation_id: str,
    session: SessionDep,
    rt: RuntimeDep,
    x_conversation_token: Annotated[str, Header()],
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> list[MessagePublic]:
    try:
        owner = security.verify(rt.settings.secret_key, "conversation", x_conversation_token)
    except security.InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid conversation token: {exc}") from exc
    if owner != conversation_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token belongs to another conversation")
    messages = await conversation_service.messages_after(session=session, conversation_id=conversation_id,
                                                         after_seq=after_seq)
    return [MessagePublic.of(m) for m in messages]
