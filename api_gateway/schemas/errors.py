"""The error envelope ``{success: false, message, error}`` and, per operation, the codes each status carries.

``error_responses`` builds an operation's documented failures from the codes its handler and the services
behind it can raise (``winzone_kernel.errors``: the code travels unchanged from the service that raised it).
The statuses come from the one table in ``api_gateway.errors``.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

AUTH_CODES = ("UNAUTHORIZED", "INVALID_TOKEN")
"""401: no bearer token, or one that is malformed, expired, forged or names a deleted user."""
BODY_CODES = ("INVALID_JSON", "PAYLOAD_TOO_LARGE")
"""400 from the strict body parser: malformed JSON, not an object, NaN, duplicate keys, lone surrogates, >64 KiB."""
AMOUNT_CODES = ("INVALID_AMOUNT", "INVALID_CURRENCY")
"""400: an amount that is not a positive number with the currency's precision, or an unsupported currency."""
BACKING_CODES = ("SERVICE_UNAVAILABLE", "UPSTREAM_AUTH_FAILED", "UPSTREAM_ERROR")
"""503: a backing service (or the user store) is unreachable, refused the gateway's credentials, or failed."""
ROUTE_CODES = ("NOT_FOUND",)
"""404: an id that makes the path match no route (an encoded '/', say)."""

REASONS = {400: "Invalid request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
           409: "Conflict with the current state", 429: "Too many attempts; retry after `Retry-After` seconds",
           503: "A backing service is unavailable"}


class ErrorEnvelope(BaseModel):
    """``{success: false, message, error}``: ``message`` is for people, ``error`` a stable machine code."""

    model_config = ConfigDict(extra="forbid")

    success: Literal[False]
    message: str
    error: str = Field(pattern=r"^[A-Z][A-Z0-9_]*$", examples=["INSUFFICIENT_FUNDS"])


def _response(status: int, codes: Collection[str]) -> dict[str, Any]:
    ordered = sorted(set(codes))
    schema = {
        "allOf": [{"$ref": "#/components/schemas/ErrorEnvelope"}],
        "properties": {"error": {"type": "string", "enum": ordered}},
    }
    return {
        "description": f"{REASONS[status]}. `error` is one of: {', '.join(ordered)}.",
        "content": {"application/json": {"schema": schema}},
    }


def error_responses(
    *,
    bad_request: Collection[str] = (),
    unauthorized: Collection[str] = (),
    forbidden: Collection[str] = (),
    not_found: Collection[str] = (),
    conflict: Collection[str] = (),
    too_many: Collection[str] = (),
    unavailable: Collection[str] = (),
    authenticated: bool = True,
    body: bool = False,
    path: bool = False,
    backing: bool = True,
) -> dict[int | str, dict[str, Any]]:
    """The documented failures of one operation, for a route's ``responses=``.

    ``authenticated`` adds 401 and the user store's 503, ``body`` the strict parser's 400s, ``path`` the 404 of
    an id that matches no route, ``backing`` the 503s of a gRPC call.
    """
    by_status: dict[int, set[str]] = {
        400: set(bad_request), 401: set(unauthorized), 403: set(forbidden), 404: set(not_found),
        409: set(conflict), 429: set(too_many), 503: set(unavailable),
    }
    if authenticated:
        by_status[401].update(AUTH_CODES)
        by_status[503].add("SERVICE_UNAVAILABLE")
    if body:
        by_status[400].update(BODY_CODES)
    if path:
        by_status[404].update(ROUTE_CODES)
    if backing:
        by_status[503].update(BACKING_CODES)
    return {status: _response(status, codes) for status, codes in sorted(by_status.items()) if codes}
