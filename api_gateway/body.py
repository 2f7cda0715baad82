"""Exact, strict request-body parsing: JSON objects only, numbers as Decimal, no NaN/Infinity, typed fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from fastapi import Request

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import DEFAULT_CURRENCY, currency_of, to_minor

MAX_BODY_BYTES = 64 * 1024


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise InvalidArgument("Duplicate keys in JSON object", code="INVALID_JSON")
    return obj


def _reject_constant(name: str) -> Any:
    raise InvalidArgument(f"{name} is not a valid JSON number", code="INVALID_JSON")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    """Decode a JSON object body; malformed JSON, non-objects and NaN/Infinity are ``InvalidArgument``."""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidArgument("Request body is too large", code="PAYLOAD_TOO_LARGE")
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        if isinstance(exc, InvalidArgument):
            raise
        raise InvalidArgument("Malformed JSON body", code="INVALID_JSON") from exc
    if not isinstance(value, dict):
        raise InvalidArgument("Request body must be a JSON object", code="INVALID_JSON")
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidArgument("Request body contains invalid Unicode", code="INVALID_JSON") from exc
    return value


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing more than ``limit`` bytes without buffering them."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise InvalidArgument("Request body is too large", code="PAYLOAD_TOO_LARGE")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InvalidArgument("Request body is too large", code="PAYLOAD_TOO_LARGE")
        chunks.append(chunk)
    return b"".join(chunks)


async def json_body(request: Request) -> dict[str, Any]:
    """FastAPI dependency: the request body as a strictly parsed JSON object."""
    return parse_json_object(await read_capped(request))


def required_str(body: dict[str, Any], name: str, *, max_length: int = 256) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{name} is required and must be a string", code="VALIDATION_ERROR")
    if len(value) > max_length:
        raise InvalidArgument(f"{name} is too long", code="VALIDATION_ERROR")
    return value


def optional_str(body: dict[str, Any], name: str, *, max_length: int = 500) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > max_length:
        raise InvalidArgument(f"{name} must be a string of at most {max_length} characters", code="VALIDATION_ERROR")
    return value


def currency_field(body: dict[str, Any]) -> str:
    value = body.get("currency", DEFAULT_CURRENCY)
    return currency_of(value).code


def amount_field(body: dict[str, Any], currency: str, name: str = "amount") -> int:
    """The body's amount in minor units, parsed exactly (see ``winzone_kernel.money.to_minor``)."""
    if name not in body:
        raise InvalidArgument(f"{name} is required", code="INVALID_AMOUNT")
    return to_minor(body[name], currency)
