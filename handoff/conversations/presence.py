"""Whether the customer is there: their widget sockets open and close, and the widget says when it
is hidden or its panel closed. Agents see it on the conversation (`customer_presence` in its
summary); a change reaches the consoles as a `queue_update` once the conversation is with people."""

from __future__ import annotations

from handoff.conversations import notify
from handoff.conversations import service as conversation_service
from handoff.conversations.enums import ConversationState, CustomerPresence
from handoff.instances.enums import SocketKind
from handoff.instances.service import Lease
from handoff.runtime import Runtime

_WITH_PEOPLE = (ConversationState.QUEUED, ConversationState.ASSIGNED, ConversationState.TICKET)


async def _tell_agents(rt: Runtime, conversation_id: str) -> None:
    conversation = await notify.get(rt, conversation_id)
    if conversation.state in _WITH_PEOPLE:  # while the bot has it, no console lists it
        await notify.publish_summary(rt, conversation)


async def socket_opened(rt: Runtime, conversation_id: str, lease: Lease | None = None) -> str:
    """Counts a widget socket in; its lease id, for counting it out. `lease`: one this process held
    already and a sweep counted out while the process was taken for dead (handoff/instances/flows.py)."""
    lease = lease or rt.new_lease()
    with rt.sockets.opening(lease.id, SocketKind.CUSTOMER, conversation_id):
        async with rt.sessions() as session:
            before = await conversation_service.customer_socket_opened(
                session=session, conversation_id=conversation_id, lease=lease)
    if before is not None and before != CustomerPresence.ONLINE:
        await _tell_agents(rt, conversation_id)
    return lease.id


async def socket_closed(rt: Runtime, conversation_id: str, lease_id: str) -> None:
    """Counts a widget socket out, once (whether its own close, or a sweep after its process died)."""
    async with rt.sessions() as session:
        now = await conversation_service.customer_socket_closed(
            session=session, conversation_id=conversation_id, lease_id=lease_id)
    if now == CustomerPresence.GONE:
        await _tell_agents(rt, conversation_id)


async def widget_says(rt: Runtime, conversation_id: str, presence: CustomerPresence) -> None:
    async with rt.sessions() as session:
        changed = await conversation_service.set_customer_presence(
            session=session, conversation_id=conversation_id, presence=presence)
    if changed:
        await _tell_agents(rt, conversation_id)


