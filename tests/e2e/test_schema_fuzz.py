"""Schemathesis against a real app process's own /openapi.json (issue 11): every HTTP operation,
fed generated valid and invalid input, never answers 5xx and never answers a status its schema does
not document. The callers are real (a signed-in agent, a supervisor and an admin, the service token,
a conversation's own token) and so are half the ids in paths and bodies (a conversation the agent
holds, the shop's orders, invoices and subscriptions), so the input gets past the sign-in and the
lookups to the handlers' rules."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import httpx
import pytest
import schemathesis
from schemathesis.checks import load_all_checks, not_a_server_error
from schemathesis.core.failures import FailureGroup, as_reported_failure
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.pytest.lazy import get_all_tests
from schemathesis.specs.openapi.checks import status_code_conformance
from schemathesis.specs.openapi.schemas import OpenApiSchema

from devstack import demo_shop as shop
from devstack.clients import Agent, Customer
from devstack.stack import Stack
from tests.conftest import ARTIFACTS, NO_RATE_LIMITS, extra_app
from tests.support.tokens import customer_token

# Fixed: the same requests on every run, so a failure here is a failure on the next run too.
SEED = 20261125
MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance]
# Agents whose tokens the test holds: the fuzzer must not change their role (an admin made an agent
# would turn the rest of the admin operations into 403s) nor their password.
TOKEN_HOLDERS = ("bob", "alice", "dana")
THROWAWAY_AGENT = "fuzz-target"
# The customer of the conversation bob holds: one with a subscription and the most orders.
CUSTOMER = max((s["customer_id"] for s in shop.load("subscriptions")),
               key=lambda cid: (len([o for o in shop.orders() if o["customer_id"] == cid]), cid))


@dataclass(frozen=True)
class Callers:
    agent: str  # bob's token, an agent
    supervisor: str  # alice's
    admin: str  # dana's
    service: str  # the shop API's bearer token (the action server's)
    conversation: tuple[str, str]  # (id, token): handed off, bob's, CUSTOMER's
    closed: tuple[str, str]  # another one, closed: the one the widget rates
    approval: str  # a tool request waiting for a supervisor


# Real ids for the path and body fields of these names (the rest stay as generated).
RECORDS: dict[str, list[str]] = {
    "order_id": [o["order_id"] for o in shop.orders() if o["customer_id"] == CUSTOMER],
    "invoice_id": [i["invoice_id"] for i in shop.load("invoices") if i["customer_id"] == CUSTOMER],
    "subscription_id": [s["subscription_id"] for s in shop.load("subscriptions")][:4],
    "customer_id": [CUSTOMER, "C0001", "C0012"],
    "reference": [o["order_id"] for o in shop.orders()][:3] + [i["invoice_id"] for i in shop.load("invoices")][:3],
}


@pytest.fixture(scope="module")
def fuzz_app(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, IO[str]]]:
    """An app of its own (its URL, and its log file opened): the fuzzer creates agents, deletes
    canned responses and cancels orders, and the log is read at the end. No rate limits: hundreds
    of sign-ins and new conversations from one address are the fuzzer's, not an attack. Bob keeps
    his chat for the whole run, though he never writes in it and closes his console."""
    for url in extra_app(stack, tmp_path_factory, "fuzz", {
            **NO_RATE_LIMITS, "SHOPBOT_DEMO_MODE": "true", "SHOPBOT_ANSWER_TIMEOUT_S": "3600",
            "SHOPBOT_PRESENCE_GRACE_S": "3600",
            # A `rasa` that fails at once: a training job or a promotion the fuzzer starts fails in
            # a moment (202, then `failed`), not minutes of `rasa train` or another Rasa server
            # beside the rest of the suite.
            "SHOPBOT_RASA_BIN": "/bin/false"}):
        # Opened now: readable through this handle even if another pytest session, starting its
        # stack, clears tests/artifacts/logs meanwhile.
        with (ARTIFACTS / "logs" / "app-fuzz.log").open(errors="replace") as log:
            yield url, log


@pytest.fixture(scope="module")
def fuzz_url(fuzz_app: tuple[str, IO[str]]) -> str:
    return fuzz_app[0]


async def _handed_to_bob(url: str, bob: Agent) -> Customer:
    customer = await Customer(url).start(customer_token=customer_token(CUSTOMER))
    start = len(customer.ws.frames)
    await customer.say("I want to talk to a person")
    await customer.ws.wait_for(lambda f: f["type"] == "state" and f["state"] in ("queued", "ticket"), start=start)
    assert (await bob.claim(customer.conversation_id))["type"] == "claimed"
    return customer


@pytest.fixture(scope="module")
async def callers(fuzz_url: str, stack: Stack) -> Callers:
    agents = {name: await Agent(fuzz_url, name, f"{name}-demo").login() for name in TOKEN_HOLDERS}
    bob = agents["bob"]
    held, closed = await _handed_to_bob(fuzz_url, bob), await _handed_to_bob(fuzz_url, bob)
    assert (await bob.close_conversation(closed.conversation_id))["type"] == "state"
    async with httpx.AsyncClient(base_url=fuzz_url) as http:
        resp = await http.post("/api/admin/agents", headers={"Authorization": f"Bearer {agents['dana'].token}"},
                               json={"id": THROWAWAY_AGENT, "display_name": "Fuzz", "password": "fuzz-target-pw"})
        assert resp.status_code == 201, resp.text
        # A refund above the agents' authority: pending until a supervisor decides.
        invoice = max((i for i in shop.load("invoices") if i["customer_id"] == CUSTOMER and i["status"] == "paid"),
                      key=lambda i: i["total"])
        resp = await http.post(f"/api/agent/conversations/{held.conversation_id}/tools",
                               headers={"Authorization": f"Bearer {bob.token}"},
                               json={"kind": "refund", "invoice_id": invoice["invoice_id"], "amount": invoice["total"]})
        assert resp.status_code == 201 and resp.json()["status"] == "pending_approval", resp.text
    for socket in (held.ws, closed.ws, *(a.ws for a in agents.values())):
        await socket.close()
    return Callers(agent=bob.token, supervisor=agents["alice"].token, admin=agents["dana"].token,
                   service=stack.config.service_token, conversation=(held.conversation_id, held.token),
                   closed=(closed.conversation_id, closed.token), approval=resp.json()["id"])


@pytest.fixture(scope="module")
def api_schema(fuzz_url: str) -> OpenApiSchema:
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "request-timeout": 30,
    })
    return schemathesis.openapi.from_url(f"{fuzz_url}/openapi.json", config=config)


def _pick(value: object, choices: int) -> int:
    """0 to choices-1, taken from the generated value itself (not a random draw): a derandomized run
    makes the same choice every time."""
    return zlib.crc32(repr(value).encode()) % choices


def _bearer_for(path: str, callers: Callers) -> str:
    if path.startswith("/api/shop/"):
        return callers.service
    if path.startswith("/api/admin/"):
        return callers.admin
    if path.startswith(("/api/supervisor/", "/api/agent/approvals", "/api/dashboard")):
        return callers.supervisor
    return callers.agent


def _authenticate(case: schemathesis.Case[Any], callers: Callers) -> None:
    """The right caller's real credentials in place of the generated ones, in most cases. The rest
    test the refusals: where the fuzzer meant the headers to be wrong (a negative case), and, picked
    from the generated input, one case in eight as generated (401, 422) and one in eight with a plain
    agent's token (403 on the admins', the supervisors' and the service's operations)."""
    negative = case.meta is not None and any(
        location == ParameterLocation.HEADER and info.mode == GenerationMode.NEGATIVE
        for location, info in case.meta.components.items())
    generated = (case.path_parameters, case.query, case.body,
                 case.headers.get("authorization"), case.headers.get("x-conversation-token"))
    pick = _pick(generated, 8)
    if negative or pick == 0:
        return
    names = {p.name.lower() for p in case.operation.headers}
    if "authorization" in names:
        bearer = callers.agent if pick == 1 else _bearer_for(case.operation.path, callers)
        case.headers["authorization"] = f"Bearer {bearer}"
    if "x-conversation-token" in names:
        widget = callers.closed if case.operation.path.endswith("/rating") else callers.conversation
        case.headers["x-conversation-token"] = widget[1]


def _aim(case: schemathesis.Case[Any], callers: Callers) -> None:
    """Half the ids in paths and bodies become real ones (the handlers' deep paths: the rules, the
    tools, the approvals), the other half stay as generated (the not-found paths)."""
    path = case.path_parameters
    rated = case.operation.path.endswith("/rating")
    real = {**RECORDS, "conversation_id": [(callers.closed if rated else callers.conversation)[0]],
            "request_id": [callers.approval]}
    for fields in (path, case.body):
        if not isinstance(fields, dict):
            continue
        for name, value in fields.items():
            if name in real and _pick(value, 2):
                fields[name] = real[name][_pick(value, 7) % len(real[name])]
    # Changing an agent the test holds a token of would break the operations after it; the fuzzer
    # changes a throwaway agent instead (any other id it makes up is a 404).
    if case.operation.path == "/api/admin/agents/{agent_id}" and path.get("agent_id") in TOKEN_HOLDERS:
        path["agent_id"] = THROWAWAY_AGENT


def test_no_server_error_and_only_documented_statuses(api_schema: OpenApiSchema, callers: Callers,
                                                      subtests: pytest.Subtests) -> None:
    """Each operation of the schema a subtest, run through every phase schemathesis has (the schema's
    examples, boundary values, then MAX_EXAMPLES generated cases, valid and invalid).

    Not `schemathesis.pytest.from_fixture(...).parametrize()`, the usual way with a schema that only
    a fixture knows: its 4.32 loader sets `Node._nodeid`, which pytest 9 no longer has (AttributeError).
    The same per-operation tests, built by the same schemathesis function, run here as subtests."""
    def check(case: schemathesis.Case[Any]) -> None:
        _authenticate(case, callers)  # first: its choice is taken from the case as generated
        _aim(case, callers)
        case.call_and_validate(checks=CHECKS)

    load_all_checks()
    schema = api_schema.clone(test_function=check)
    operations = 0
    for result in get_all_tests(schema=schema, test_func=check, settings=None, given_kwargs=None):
        assert isinstance(result, Ok), result.err()  # an operation schemathesis cannot read: a schema bug
        operation, run = result.ok()
        operations += 1
        with subtests.test(msg=operation.label):
            try:
                run()
            except FailureGroup as exc:  # the failures found, each with its curl command to replay it
                raise as_reported_failure(exc) from None
    assert operations > 30, "the schema lost its operations"


def test_the_app_logged_no_traceback(fuzz_app: tuple[str, IO[str]]) -> None:
    url, log_file = fuzz_app
    with httpx.Client(base_url=url) as http:
        assert http.get("/healthz").status_code == 200
    log = log_file.read()
    assert "Traceback" not in log, log[log.index("Traceback") - 2000:][:6000]
