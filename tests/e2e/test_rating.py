"""The customer rates a closed conversation (CSAT), live: refused while it is open, stored once after
the agent closes it, seen by the consoles in the conversation's summary; bad scores, long comments and
other people's tokens refused (docs/protocol.md, "Rating (CSAT)")."""

from __future__ import annotations

from typing import Any

import httpx

from devstack.clients import Agent, Customer

RATING = "/api/widget/conversations/{}/rating"


async def _rate(app_url: str, conversation_id: str, token: str | None, body: Any) -> httpx.Response:
    headers = {"X-Conversation-Token": token} if token is not None else {}
    async with httpx.AsyncClient(base_url=app_url) as http:
        return await http.post(RATING.format(conversation_id), json=body, headers=headers)


async def _summary(agent: Agent, conversation_id: str) -> dict[str, Any]:
    """The conversation's summary as a console gets it when it opens the conversation."""
    start = len(agent.ws.frames)
    await agent.ws.send({"type": "resume", "conversation_id": conversation_id, "last_seq": 0})
    frame = await agent.ws.wait_for(lambda f: f["type"] == "conversation"
                                    and f["conversation"]["id"] == conversation_id, start=start)
    return dict(frame["conversation"])


async def test_a_closed_conversation_is_rated_once_and_the_consoles_see_it(app_url: str) -> None:
    bob = await Agent(app_url, "bob", "bob-demo").login()
    watcher = await Agent(app_url, "alice", "alice-demo").login()
    customer = await Customer(app_url).start()
    cid, token = customer.conversation_id, customer.token
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")

    # Not before it is closed.
    early = await _rate(app_url, cid, token, {"score": 5})
    assert early.status_code == 409, early.text
    assert early.json()["detail"]["code"] == "not_closed"

    assert (await bob.claim(cid))["type"] == "claimed"
    closed = await bob.close_conversation(cid)
    assert closed["type"] == "state", closed
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "closed")
    assert (await _summary(watcher, cid))["csat_score"] is None

    # Out of range, not an integer, too long: refused by validation, nothing stored.
    for body in ({"score": 0}, {"score": 6}, {"score": -1}, {"score": 10**30}, {"score": "4"}, {"score": "four"},
                 {"score": 4.5}, {"score": True}, {"score": None}, {}, {"comment": "no score"},
                 {"score": 4, "comment": "x" * 1001}, {"score": 4, "comment": 42}):
        refused = await _rate(app_url, cid, token, body)
        assert refused.status_code == 422, (body, refused.text)
    # Someone else's token, a bad token, no token.
    other = await Customer(app_url).start()
    assert (await _rate(app_url, cid, other.token, {"score": 1})).status_code == 403
    assert (await _rate(app_url, other.conversation_id, token, {"score": 1})).status_code == 403
    assert (await _rate(app_url, cid, "not-a-token", {"score": 1})).status_code == 401
    assert (await _rate(app_url, cid, None, {"score": 1})).status_code == 422
    # The other conversation is open: its own token cannot rate it either.
    assert (await _rate(app_url, other.conversation_id, other.token, {"score": 1})).status_code == 409

    start = len(watcher.ws.frames)
    stored = await _rate(app_url, cid, token, {"score": 4, "comment": "  Quick and friendly, thanks!\n "})
    assert stored.status_code == 201, stored.text
    rating = stored.json()
    assert rating["conversation_id"] == cid and rating["score"] == 4
    assert rating["comment"] == "Quick and friendly, thanks!" and rating["rated_at"]

    # Every console hears it, and an agent opening the closed conversation sees it in its summary.
    update = await watcher.ws.wait_for(lambda f: f["type"] == "queue_update" and f["conversation"]["id"] == cid,
                                       start=start)
    assert update["conversation"]["state"] == "closed"
    assert update["conversation"]["csat_score"] == 4
    assert update["conversation"]["csat_comment"] == "Quick and friendly, thanks!"
    await bob.ws.wait_for(lambda f: f["type"] == "queue_update" and f["conversation"]["id"] == cid
                          and f["conversation"]["csat_score"] == 4)

    # Once only: the first rating stands.
    again = await _rate(app_url, cid, token, {"score": 1, "comment": "changed my mind"})
    assert again.status_code == 409, again.text
    assert again.json()["detail"]["code"] == "already_rated"
    summary = await _summary(watcher, cid)
    assert (summary["csat_score"], summary["csat_comment"]) == (4, "Quick and friendly, thanks!")

    for socket in (bob.ws, watcher.ws, customer.ws, other.ws):
        await socket.close()


async def test_a_blank_comment_is_no_comment(app_url: str) -> None:
    agent = await Agent(app_url, "bob", "bob-demo").login()
    customer = await Customer(app_url).start()
    await customer.say("can I speak to a human agent please")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] == "queued")
    assert (await agent.claim(customer.conversation_id))["type"] == "claimed"
    assert (await agent.close_conversation(customer.conversation_id))["type"] == "state"
    # Only whitespace is no comment at all.
    stored = await _rate(app_url, customer.conversation_id, customer.token, {"score": 2, "comment": " \n\t "})
    assert stored.status_code == 201, stored.text
    assert stored.json()["comment"] is None
    assert (await _summary(agent, customer.conversation_id))["csat_comment"] is None
    await agent.ws.close()
    await customer.ws.close()


async def test_the_openapi_schema_lists_every_answer(app_url: str) -> None:
    async with httpx.AsyncClient(base_url=app_url) as http:
        schema = (await http.get("/openapi.json")).json()
    operation = schema["paths"]["/api/widget/conversations/{conversation_id}/rating"]["post"]
    assert {"201", "401", "403", "404", "409", "422"} <= set(operation["responses"])
    body = schema["components"]["schemas"]["RateConversation"]["properties"]
    assert (body["score"]["minimum"], body["score"]["maximum"]) == (1, 5)
