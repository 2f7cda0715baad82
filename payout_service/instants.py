"""Instants as RFC 3339 UTC strings with microseconds: the form stored and sent over gRPC."""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def format_instant(at: datetime) -> str:
    """``2026-11-26T10:00:00.000000Z``; fixed width, so the strings sort as the instants do."""
    return at.astimezone(UTC).strftime(_FORMAT)


def parse_instant(text: str) -> datetime:
    """The aware UTC datetime of a string written by ``format_instant``."""
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)


def utc_now() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)
