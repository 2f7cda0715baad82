"""Instants as RFC 3339 UTC strings with microseconds: the form stored and sent over gRPC."""

from __future__ import annotations

from datetime import UTC, datetime

from winzone_kernel.ids import TIMESTAMP_FORMAT
from winzone_kernel.ids import format_utc as format_instant

__all__ = ["format_instant", "parse_instant", "utc_now"]


def parse_instant(text: str) -> datetime:
    """The aware UTC datetime of a string written by ``format_instant`` (the kernel's ``format_utc``)."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def utc_now() -> datetime:
    """The current instant, timezone-aware."""
    return datetime.now(UTC)
