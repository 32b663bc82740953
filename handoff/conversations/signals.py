"""Typing indicators and read receipts between the customer and the agent who has the chat.

Typing is ephemeral (never stored, throttled by the sockets); a read receipt is the highest
sequence number a side has seen on screen, stored so it survives a reload. Each goes only to the
other side: the customer's to the team channel, the agent's to the conversation's channel (which
the customer hears; consoles hear it too, so a supervisor sees what the customer saw)."""

from __future__ import annotations

from handoff.conversations import notify
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState
from handoff.conversations.exceptions import NotAllowed
from handoff.realtime import channels
from handoff.runtime import Runtime


async def _assigned_agent_only(rt: Runtime, conversation_id: str, agent_id: str) -> None:
    conversation = await notify.get(rt, conversation_id)
    if conversation.state != ConversationState.ASSIGNED or conversation.assigned_agent_id != agent_id:
        raise NotAllowed("only the assigned agent can do this")


async def customer_typing(rt: Runtime, conversation_id: str) -> None:
    await rt.broker.publish(channels.team(conversation_id),
                            {"type": "typing", "conversation_id": conversation_id, "who": "customer"})


async def agent_typing(rt: Runtime, conversation_id: str, agent_id: str) -> None:
    await _assigned_agent_only(rt, conversation_id, agent_id)
    await rt.broker.publish(channels.conversation(conversation_id), {
        "type": "typing", "conversation_id": conversation_id, "who": "agent", "agent_id": agent_id})


async def customer_read(rt: Runtime, conversation_id: str, seq: int) -> None:
    async with rt.sessions() as session:
        moved = await conversation_service.mark_read(session=session, conversation_id=conversation_id,
                                                     by_customer=True, seq=seq)
    if moved:
        await rt.broker.publish(channels.team(conversation_id),
                                {"type": "read", "conversation_id": conversation_id, "who": "customer", "seq": seq})


async def agent_read(rt: Runtime, conversation_id: str, agent_id: str, seq: int) -> None:
    await _assigned_agent_only(rt, conversation_id, agent_id)
    async with rt.sessions() as session:
        moved = await conversation_service.mark_read(session=session, conversation_id=conversation_id,
                                                     by_customer=False, seq=seq)
    if moved:
        await rt.broker.publish(channels.conversation(conversation_id), {
            "type": "read", "conversation_id": conversation_id, "who": "agent", "agent_id": agent_id, "seq": seq})
