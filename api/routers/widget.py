"""What the website widget calls over HTTP (the live chat itself is the customer websocket)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints

from api import frames
from api.deps import RuntimeDep, SessionDep, conversation_token
from api.ratelimit import RateLimitsDep, client_address, limited_response, refuse_if_limited
from api.routers.responses import UNREADABLE_BODY
from handoff import security
from handoff.conversations import notify, ratings
from handoff.conversations import service as conversation_service
from handoff.conversations.exceptions import ConversationNotFound, InvalidRating, RatingRefused
from handoff.conversations.schemas import ConversationCreated, MessagePublic, RatingPublic
from handoff.review import flows as review_flows
from handoff.security import TokenPurpose

router = APIRouter(prefix="/api/widget", tags=["widget"])

SUPPORTED_LOCALES = ("en", "id", "he")


class StartConversation(BaseModel):
    locale: str = Field(default="en", description="The widget's language: en, id or he.")
    # Signed by the shop's back end for a signed-in customer (see POST /api/shop-sso/customer-token).
    customer_token: str | None = None


async def _conversation_allowed(request: Request, limits: RateLimitsDep) -> None:
    """A new conversation per client address within `conversation_rate_per_address`, or 429
    (before the body is looked at)."""
    refuse_if_limited(await limits.conversation(client_address(request)),
                      "too many new conversations from this address")


@router.post("/conversations", status_code=status.HTTP_201_CREATED, dependencies=[Depends(_conversation_allowed)],
             responses={401: {"description": "invalid customer token"}, **UNREADABLE_BODY,
                        **limited_response("new conversations from this address")})
async def start_conversation(body: StartConversation, session: SessionDep, rt: RuntimeDep) -> ConversationCreated:
    customer_id = None
    if body.customer_token:
        try:
            customer_id = rt.tokens.verify(TokenPurpose.CUSTOMER, body.customer_token)
        except security.InvalidToken as exc:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid customer token: {exc}") from exc
    locale = body.locale if body.locale in SUPPORTED_LOCALES else "en"
    conversation = await conversation_service.create(session=session, customer_id=customer_id, locale=locale,
                                                     clock=rt.clock)
    return ConversationCreated(conversation_id=conversation.id, token=conversation_token(rt, conversation.id),
                               state=conversation.state)


def customer_conversation(conversation_id: str, rt: RuntimeDep, x_conversation_token: Annotated[str, Header()]) -> str:
    """The conversation the caller holds the token of (from POST /conversations): 401 for a bad
    token, 403 for another conversation's."""
    try:
        owner = rt.tokens.verify(TokenPurpose.CONVERSATION, x_conversation_token)
    except security.InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid conversation token: {exc}") from exc
    if owner != conversation_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token belongs to another conversation")
    return conversation_id


CustomerConversationDep = Annotated[str, Depends(customer_conversation)]

_TOKEN_REFUSED: dict[int | str, dict[str, Any]] = {
    401: {"description": "invalid or expired conversation token"},
    403: {"description": "the token belongs to another conversation"},
}


_PAGE_HEADERS = {
    "X-Has-More": {"description": "`true`: there are more messages; ask again with after_seq=X-Next-After-Seq",
                   "schema": {"type": "string", "enum": ["true", "false"]}},
    "X-Next-After-Seq": {"description": "the seq of the page's last message (after_seq if the page is empty)",
                         "schema": {"type": "integer"}},
}


@router.get("/conversations/{conversation_id}/messages",
            responses={200: {"description": "one page of messages, oldest first", "headers": _PAGE_HEADERS},
                       **_TOKEN_REFUSED})
async def list_messages(
    conversation_id: CustomerConversationDep,
    session: SessionDep,
    response: Response,
    after_seq: Annotated[int, Query(ge=0, le=frames.INT_MAX)] = 0,
    limit: Annotated[int, Query(ge=1, le=conversation_service.PAGE_SIZE)] = conversation_service.PAGE_SIZE,
) -> list[MessagePublic]:
    """The conversation's messages after `after_seq` (what the customer may see), at most `limit`;
    page with the X-Has-More and X-Next-After-Seq headers until X-Has-More is false."""
    messages = await conversation_service.messages_after(session=session, conversation_id=conversation_id,
                                                         after_seq=after_seq, limit=limit + 1)
    has_more = len(messages) > limit
    page = messages[:limit]
    response.headers["X-Has-More"] = "true" if has_more else "false"
    response.headers["X-Next-After-Seq"] = str(page[-1].seq if page else after_seq)
    return [MessagePublic.of(m) for m in page]


class RateConversation(BaseModel):
    """The customer's rating of the conversation once it is closed (CSAT)."""

    score: int = Field(ge=ratings.MIN_SCORE, le=ratings.MAX_SCORE, strict=True,
                       description="1 (very unhappy) to 5 (very happy)")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=ratings.MAX_COMMENT_CHARS)] | None = (
        Field(default=None, description="optional, whitespace stripped, at most 1000 characters"))


@router.post(
    "/conversations/{conversation_id}/rating",
    status_code=status.HTTP_201_CREATED,
    responses={
        **_TOKEN_REFUSED,
        **UNREADABLE_BODY,
        404: {"description": "no such conversation"},
        409: {"description": "detail.code `already_rated` (a rating is given once) or `not_closed`"},
        422: {"description": "no token, a score outside 1-5 or not an integer, a comment over 1000 characters"},
    },
)
async def rate_conversation(
    conversation_id: CustomerConversationDep, body: RateConversation, session: SessionDep, rt: RuntimeDep,
) -> RatingPublic:
    """The customer rates the closed conversation, once; the consoles see it in its summary."""
    try:
        conversation = await ratings.rate(session=session, conversation_id=conversation_id, score=body.score,
                                          comment=body.comment, clock=rt.clock)
    except ConversationNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"conversation {conversation_id} not found") from exc
    except RatingRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, {"code": exc.code, "detail": str(exc)}) from exc
    except InvalidRating as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    await notify.publish_summary(rt, conversation)
    review_flows.rated(rt, conversation_id, body.score)  # a low score: its bot turns go to the review inbox
    return RatingPublic.of(conversation)
