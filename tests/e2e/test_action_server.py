"""The action server answers Rasa only: it listens on loopback, and a webhook call without the shared
token (a forged one asking for a customer's order) is refused (actions/server.py)."""

from __future__ import annotations

from pathlib import Path

import httpx

from devstack.stack import Stack

# A webhook call as Rasa makes it, asking for order 10001 on a customer's behalf.
FORGED_CALL = {
    "next_action": "action_handle_order_request", "sender_id": "forged", "version": "3.6.21", "domain": {},
    "tracker": {"sender_id": "forged", "slots": {"order_id": "10001", "requested_info": "status"},
                "latest_message": {"text": "where is my order", "intent": {"name": "order_status"},
                                   "entities": []},
                "events": [], "paused": False, "followup_action": None, "active_loop": {},
                "latest_action_name": None},
}


def _listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP socket on `port` listens on, from the kernel's own table."""
    addresses = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                addresses.add(address)
    return addresses


def test_the_action_server_listens_on_loopback_only(stack: Stack) -> None:
    addresses = _listening_addresses(stack.config.actions_port)
    assert addresses == {"0100007F"}, addresses  # 127.0.0.1 in the kernel's byte order, nothing else


async def test_a_webhook_call_without_the_token_is_refused(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack.config.actions_url, timeout=30) as http:
        assert (await http.get("/health")).status_code == 200
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": stack.config.actions_token},
                        {"Authorization": f"Bearer {stack.config.actions_token}x"}):
            resp = await http.post("/webhook", json=FORGED_CALL, headers=headers)
            assert resp.status_code == 401, (headers, resp.text)
            assert "10001" not in resp.text
        assert (await http.get("/actions")).status_code == 401
        # With Rasa's token the same call is answered: the refusals above are the token's.
        resp = await http.post("/webhook", json=FORGED_CALL,
                               headers={"Authorization": f"Bearer {stack.config.actions_token}"})
        assert resp.status_code == 200, resp.text
