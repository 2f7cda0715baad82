"""The ``Idempotency-Key`` rule of the REST contract, in one place for every endpoint that reads the header.

A key is 1-64 characters of ``[A-Za-z0-9_.:@-]``. Endpoints that existing clients call without it (top-up,
verify, payout request, entry) take it optionally; every endpoint added after them that moves money (``fund``)
requires it: without one a client that retries after a lost answer would pay twice.
"""

from __future__ import annotations

import re

from fastapi import Request

from api_gateway.schemas.openapi import Header
from winzone_kernel.errors import InvalidArgument

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
KEY_SCHEMA = {"type": "string", "pattern": KEY_PATTERN.pattern, "minLength": 1, "maxLength": 64}
KEY_CODES = ("INVALID_IDEMPOTENCY_KEY",)
REQUIRED_KEY_CODES = ("INVALID_IDEMPOTENCY_KEY", "IDEMPOTENCY_KEY_REQUIRED")


def key_header(description: str, *, required: bool = False) -> Header:
    """The OpenAPI parameter of the header on one operation."""
    return Header(IDEMPOTENCY_HEADER, KEY_SCHEMA, description, required=required)


def client_key(request: Request, *, required: bool) -> str:
    """The request's ``Idempotency-Key`` ("" when absent and optional); ``INVALID_IDEMPOTENCY_KEY`` when it
    breaks the rule, ``IDEMPOTENCY_KEY_REQUIRED`` when it is absent and required."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        if required:
            raise InvalidArgument("This endpoint requires an Idempotency-Key header", code="IDEMPOTENCY_KEY_REQUIRED")
        return ""
    if not KEY_PATTERN.fullmatch(key):
        raise InvalidArgument("Idempotency-Key must be 1-64 characters of letters, digits, '_', '.', ':', '@' "
                              "or '-'", code="INVALID_IDEMPOTENCY_KEY")
    return key
