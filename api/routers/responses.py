"""`responses=` entries several routers share: refusals that come from a dependency (the agent's
sign-in, the service token) or from FastAPI itself (a body it cannot read), not from the handler,
and so are easy to leave out of a route's schema. tests/e2e/test_schema_fuzz.py fails on any status
an operation answers that its schema does not list."""

from __future__ import annotations

from typing import Any

Responses = dict[int | str, dict[str, Any]]

SIGNED_IN: Responses = {401: {"description": "no agent token, an invalid or expired one, or one of an agent who "
                                             "does not exist (any more)"}}
SERVICE: Responses = {401: {"description": "no bearer token"}, 403: {"description": "not the service token"}}
# FastAPI answers 400 (not 422) to a body it cannot decode as text before any JSON parsing.
UNREADABLE_BODY: Responses = {400: {"description": "the body is not UTF-8 text: `There was an error parsing the body`"}}
