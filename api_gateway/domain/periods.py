"""Periods the statement endpoints accept: a date range for the wallet statement and the Indian financial year.

A financial year "2026-27" runs from 1 April 2026 to 31 March 2027, India time (UTC+05:30); the second part is
always the next year's last two digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from winzone_kernel.clock import format_utc
from winzone_kernel.errors import InvalidArgument

INDIA = timezone(timedelta(hours=5, minutes=30))
DEFAULT_STATEMENT_DAYS = 30
FIRST_YEAR, LAST_YEAR = 2000, 9998
"""Dates outside these years are refused (the ledger holds nothing earlier, and the arithmetic stays in range)."""
MAX_MOMENT_LENGTH = 40
DATE_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MOMENT_PATTERN = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$")
FINANCIAL_YEAR = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """``[start, end)`` as the ledger's timestamps."""

    start: str
    end: str


def _moment(text: str, *, end_of_day: bool) -> datetime:
    """A date (midnight UTC; the next midnight when it ends a range, so that day is included) or an RFC 3339
    time with its offset."""
    if len(text) > MAX_MOMENT_LENGTH:
        raise InvalidArgument("Dates are YYYY-MM-DD or RFC 3339 times", code="INVALID_DATE")
    try:
        if DATE_PATTERN.fullmatch(text):
            day = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
            return day + timedelta(days=1) if end_of_day else day
        if MOMENT_PATTERN.fullmatch(text):
            return datetime.fromisoformat(text.replace("z", "Z").replace("t", "T")).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise InvalidArgument(f"Not a valid date: {text[:40]!r}", code="INVALID_DATE") from exc
    raise InvalidArgument("Dates are YYYY-MM-DD or RFC 3339 times with an offset", code="INVALID_DATE")


def _in_range(moment: datetime, text: str) -> datetime:
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise InvalidArgument(f"Dates must fall in the years {FIRST_YEAR}-{LAST_YEAR}: {text[:40]!r}",
                              code="INVALID_DATE")
    return moment


def statement_period(first: str, last: str, now: datetime) -> Period:
    """The range of ``?from=&to=`` ("" for a side left out): ``to`` defaults to now, ``from`` to 30 days
    before ``to``. ``from`` after ``to`` is ``INVALID_RANGE``."""
    end = _in_range(_moment(last, end_of_day=True), last) if last else now
    start = (_in_range(_moment(first, end_of_day=False), first) if first
             else end - timedelta(days=DEFAULT_STATEMENT_DAYS))
    if start > end:
        raise InvalidArgument("from must not be after to", code="INVALID_RANGE")
    return Period(format_utc(start), format_utc(end))


def financial_year_label(text: str) -> str:
    """``text`` when it is a financial year "YYYY-YY" (the second part the next year's two digits);
    ``INVALID_FINANCIAL_YEAR`` otherwise."""
    match = FINANCIAL_YEAR.fullmatch(text)
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)) or int(match.group(1)) < 1000:
        raise InvalidArgument("fy must be a financial year such as 2026-27", code="INVALID_FINANCIAL_YEAR")
    return text


def current_financial_year(now: datetime) -> str:
    """The financial year that ``now`` falls in, India time."""
    local = now.astimezone(INDIA)
    first = local.year if local.month >= 4 else local.year - 1
    return f"{first}-{(first + 1) % 100:02d}"
