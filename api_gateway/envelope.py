"""The REST envelope ``{success, message, data | error}`` rendered with exact decimal amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
import simplejson
from starlette.responses import JSONResponse

ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
"""Datetimes and dataclasses are not JSON here: they reach ``_exact`` and are refused, as they always were."""


def _exact(value: Any) -> orjson.Fragment:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"{value} is not a JSON number")
        return orjson.Fragment(str(value))
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def render_json(content: Any) -> bytes:
    """Compact UTF-8 JSON with every ``Decimal`` written as ``str(d)``: ``Decimal('0.10')`` is ``0.10``, never
    through a float. orjson does the work; what it cannot hold (an integer beyond 64 bits, a non-string key)
    falls back to simplejson, which writes the same bytes for everything else."""
    try:
        return orjson.dumps(content, default=_exact, option=ORJSON_OPTIONS)
    except orjson.JSONEncodeError as exc:
        if isinstance(exc.__cause__, TypeError):
            raise exc.__cause__ from None
        return simplejson.dumps(content, use_decimal=True, ensure_ascii=False, separators=(",", ":")).encode()


class EnvelopeResponse(JSONResponse):
    """JSON response that writes ``Decimal`` amounts as exact JSON numbers (never via float)."""

    def render(self, content: Any) -> bytes:
        return render_json(content)


def ok(message: str, data: Any, *, status: int = 200, pagination: dict[str, int] | None = None) -> EnvelopeResponse:
    body: dict[str, Any] = {"success": True, "message": message, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return EnvelopeResponse(body, status_code=status)


def fail(status: int, message: str, code: str) -> EnvelopeResponse:
    return EnvelopeResponse({"success": False, "message": message, "error": code}, status_code=status)


def pagination(page: int, limit: int, total: int) -> dict[str, int]:
    return {"page": page, "limit": limit, "total": total, "pages": (total + limit - 1) // limit if total else 0}
