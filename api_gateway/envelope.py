"""The REST envelope ``{success, message, data | error}`` rendered with exact decimal amounts."""

from __future__ import annotations

from typing import Any

import simplejson
from starlette.responses import JSONResponse


class EnvelopeResponse(JSONResponse):
    """JSON response that writes ``Decimal`` amounts as exact JSON numbers (never via float)."""

    def render(self, content: Any) -> bytes:
        return simplejson.dumps(content, use_decimal=True, ensure_ascii=False, separators=(",", ":")).encode()


def ok(message: str, data: Any, *, status: int = 200, pagination: dict[str, int] | None = None) -> EnvelopeResponse:
    body: dict[str, Any] = {"success": True, "message": message, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    return EnvelopeResponse(body, status_code=status)


def fail(status: int, message: str, code: str) -> EnvelopeResponse:
    return EnvelopeResponse({"success": False, "message": message, "error": code}, status_code=status)


def pagination(page: int, limit: int, total: int) -> dict[str, int]:
    return {"page": page, "limit": limit, "total": total, "pages": (total + limit - 1) // limit if total else 0}
