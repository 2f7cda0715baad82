"""The periods the statement endpoints accept: dates and RFC 3339 times, the 30-day default, the financial
year's label and the current one in India time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from api_gateway.domain.periods import current_financial_year, financial_year_label, statement_period
from winzone_kernel.errors import InvalidArgument

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def test_dates_cover_whole_days_and_times_keep_their_offset() -> None:
    period = statement_period("2026-11-01", "2026-11-30", NOW)
    assert (period.start, period.end) == ("2026-11-01T00:00:00.000000Z", "2026-12-01T00:00:00.000000Z")
    period = statement_period("2026-11-01T05:30:00+05:30", "2026-11-02T10:00:00.250Z", NOW)
    assert (period.start, period.end) == ("2026-11-01T00:00:00.000000Z", "2026-11-02T10:00:00.250000Z")


def test_defaults_are_the_last_thirty_days() -> None:
    period = statement_period("", "", NOW)
    assert (period.start, period.end) == ("2026-11-02T15:00:00.000000Z", "2026-12-02T15:00:00.000000Z")
    assert statement_period("", "2026-11-30", NOW).start == "2026-11-01T00:00:00.000000Z"


@pytest.mark.parametrize(("first", "last", "code"), [
    ("2026-12-01", "2026-11-01", "INVALID_RANGE"), ("2026-11-02T00:00:01Z", "2026-11-01", "INVALID_RANGE"),
    ("2026-02-30", "", "INVALID_DATE"), ("yesterday", "", "INVALID_DATE"), ("2026-11-01T10:00:00", "", "INVALID_DATE"),
    ("1e9", "", "INVALID_DATE"), ("２０２６-11-01", "", "INVALID_DATE"), ("2026-11-01" + "0" * 50, "", "INVALID_DATE"),
    ("", "2026-13-01", "INVALID_DATE"), ("", "0001-01-01", "INVALID_DATE"),
    ("0001-01-01", "2026-11-01", "INVALID_DATE"), ("1999-12-31T23:59:59Z", "", "INVALID_DATE"),
    ("", "9999-12-31", "INVALID_DATE"),
])
def test_bad_periods_are_refused(first: str, last: str, code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        statement_period(first, last, NOW)
    assert refused.value.code == code


def test_financial_years() -> None:
    assert financial_year_label("2026-27") == "2026-27" and financial_year_label("2099-00") == "2099-00"
    for bad in ("2026-28", "2026", "26-27", "2026-2027", "２０２６-27", "2026-27 ", "0999-00"):
        with pytest.raises(InvalidArgument) as refused:
            financial_year_label(bad)
        assert refused.value.code == "INVALID_FINANCIAL_YEAR", bad
    assert current_financial_year(datetime(2027, 3, 31, 18, 29, tzinfo=UTC)) == "2026-27"
    assert current_financial_year(datetime(2027, 3, 31, 18, 30, tzinfo=UTC)) == "2027-28"
    assert current_financial_year(NOW) == "2026-27"
