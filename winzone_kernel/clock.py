"""Time: the one clock type every service injects, and the form timestamps are stored and sent in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A source of the current instant as an aware UTC ``datetime``; tests inject a fixed or stepping one."""

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""RFC 3339 UTC with microseconds: every stored timestamp string; they sort as text in time order."""


def utc_now() -> datetime:
    """The current instant, timezone-aware (the system ``Clock``)."""
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """``moment`` (an aware datetime) as a stored timestamp string."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def parse_utc(text: str) -> datetime:
    """The aware UTC datetime of a string written by ``format_utc``."""
    return datetime.strptime(text, TIMESTAMP_FORMAT).replace(tzinfo=UTC)


def timestamp_now(clock: Clock = utc_now) -> str:
    """The clock's current instant as a stored timestamp string."""
    return format_utc(clock())
