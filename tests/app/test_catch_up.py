"""Catch-up has no cap: a socket resuming however far behind, and the paged HTTP history, get every
message after last_seq once, in order, with no gap."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from api.streams import MessageStream
from handoff.conversations.enums import Sender
from handoff.conversations.models import Conversation, Message
from tests.app.conftest import InProcessApp
from tests.app.sockets import AppSocket

TOTAL = 2_500
SENDERS = (Sender.CUSTOMER, Sender.BOT, Sender.AGENT, Sender.SYSTEM)


def sender_of(seq: int) -> Sender:
    return Sender.NOTE if seq % 97 == 0 else SENDERS[seq % len(SENDERS)]


VISIBLE = [seq for seq in range(1, TOTAL + 1) if sender_of(seq) != Sender.NOTE]  # what a customer may see


async def long_conversation(app: InProcessApp) -> tuple[str, str]:
    """A conversation with TOTAL stored messages (a few of them private notes), in one transaction."""
    conversation_id, token = await app.start_conversation()
    now = app.rt.clock.now()
    async with app.rt.sessions() as session:
        session.add_all(Message(conversation_id=conversation_id, seq=seq, sender=sender_of(seq), text=f"message {seq}",
                                author_id="bob" if sender_of(seq) in (Sender.AGENT, Sender.NOTE) else None,
                                created_at=now) for seq in range(1, TOTAL + 1))
        await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(last_seq=TOTAL))
        await session.commit()
    return conversation_id, token


async def received_after_resume(socket: AppSocket, start: int, last: int) -> list[int]:
    await socket.wait_for(lambda f: f["type"] == "message" and f["message"]["seq"] == last, start=start)
    return [f["message"]["seq"] for f in socket.frames[start:] if f["type"] == "message"]


async def test_a_customer_resuming_from_far_behind_gets_everything(app: InProcessApp) -> None:
    conversation_id, token = await long_conversation(app)
    for last_seq in (0, 700):
        socket = await app.customer_socket(conversation_id, token, last_seq=last_seq)
        got = await received_after_resume(socket, 0, VISIBLE[-1])
        assert got == [seq for seq in VISIBLE if seq > last_seq]
        assert all(m["text"] == f"message {m['seq']}" for m in socket.messages())
        # The resume frame on an open socket goes back in time just as far.
        start = len(socket.frames)
        await socket.send({"type": "resume", "last_seq": 0})
        assert await received_after_resume(socket, start, VISIBLE[-1]) == VISIBLE
        await socket.close()


async def test_an_agent_opening_a_long_conversation_gets_everything_with_the_notes(app: InProcessApp) -> None:
    conversation_id, _ = await long_conversation(app)
    login = await app.http.post("/api/agent/login", json={"agent_id": "bob", "password": "bob-demo"})
    socket = AppSocket(app.app, "/ws/agent", token=login.json()["token"])
    await socket.wait_for(lambda f: f["type"] == "queue")
    start = len(socket.frames)
    await socket.send({"type": "resume", "conversation_id": conversation_id, "last_seq": 700})
    assert await received_after_resume(socket, start, TOTAL) == list(range(701, TOTAL + 1))
    await socket.close()


class RecordingSender:
    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: dict[str, Any]) -> None:
        self.frames.append(frame)


async def test_a_live_message_far_past_the_last_one_sent_fills_the_whole_gap_first(app: InProcessApp) -> None:
    conversation_id, _ = await long_conversation(app)
    sender = RecordingSender()
    stream = MessageStream(app.rt, sender, conversation_id, last_seq=10)  # type: ignore[arg-type]
    live = {"seq": TOTAL + 1, "sender": "bot", "text": "live", "author_id": None, "client_msg_id": None,
            "created_at": "2026-01-01T00:00:00Z"}
    await stream.deliver(live)
    assert [f["message"]["seq"] for f in sender.frames] == [seq for seq in VISIBLE if seq > 10] + [TOTAL + 1]


async def test_the_history_pages_to_the_end_and_says_when_there_is_more(app: InProcessApp) -> None:
    conversation_id, token = await long_conversation(app)
    headers = {"X-Conversation-Token": token}
    url = f"/api/widget/conversations/{conversation_id}/messages"
    for limit, after_seq in ((None, 0), (333, 0), (1000, 700)):
        got: list[int] = []
        pages = 0
        while True:
            params = {"after_seq": after_seq} | ({"limit": limit} if limit else {})
            resp = await app.http.get(url, params=params, headers=headers)
            assert resp.status_code == 200
            page = [m["seq"] for m in resp.json()]
            pages += 1
            assert len(page) <= (limit or 1000)
            got += page
            assert int(resp.headers["X-Next-After-Seq"]) == (page[-1] if page else after_seq)
            if resp.headers["X-Has-More"] == "false":
                break
            assert resp.headers["X-Has-More"] == "true" and len(page) == (limit or 1000)
            after_seq = int(resp.headers["X-Next-After-Seq"])
        start = 0 if limit != 1000 else 700
        assert got == [seq for seq in VISIBLE if seq > start]
        assert pages == -(-len(got) // (limit or 1000))  # no empty last page when it ends exactly
    end = await app.http.get(url, params={"after_seq": TOTAL}, headers=headers)
    assert end.json() == [] and end.headers["X-Has-More"] == "false" and end.headers["X-Next-After-Seq"] == str(TOTAL)
    for bad in (0, 1001):
        assert (await app.http.get(url, params={"limit": bad}, headers=headers)).status_code == 422
