"""Strict query-string parameters for list endpoints."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from winzone_kernel.errors import InvalidArgument

MAX_LIMIT = 100
MAX_PAGE = 1_000_000
DEFAULT_LIMIT = 20


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise InvalidArgument(f"{name} must be a positive integer", code="VALIDATION_ERROR")
    value = int(raw)
    if not low <= value <= high:
        raise InvalidArgument(f"{name} must be between {low} and {high}", code="VALIDATION_ERROR")
    return value


def _str_param(request: Request, name: str, allowed: frozenset[str] | None = None) -> str:
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise InvalidArgument(f"{name} may be given once", code="VALIDATION_ERROR")
    value = values[0] if values else ""
    if len(value) > 128 or (value and allowed is not None and value not in allowed):
        expected = f": one of {sorted(allowed)}" if allowed else ""
        raise InvalidArgument(f"Invalid {name}{expected}", code="VALIDATION_ERROR")
    return value


def only_params(request: Request, *names: str) -> None:
    """Refuse a query string with any parameter but ``names`` (``organizerId[$ne]=`` is not ``organizerId``)."""
    unknown = sorted({name for name in request.query_params if name not in names})
    if unknown:
        raise InvalidArgument(f"Unknown query parameter {unknown[0][:64]!r}", code="VALIDATION_ERROR")


@dataclass(frozen=True, slots=True)
class ListQuery:
    """page, limit and the optional filters of a list endpoint."""

    page: int
    limit: int
    filters: dict[str, str]

    @classmethod
    def parse(cls, request: Request, **allowed: frozenset[str] | None) -> ListQuery:
        return cls(
            page=_int_param(request, "page", 1, 1, MAX_PAGE),
            limit=_int_param(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
            filters={name: _str_param(request, name, values) for name, values in allowed.items()},
        )
