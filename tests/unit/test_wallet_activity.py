"""The pure rules of the wallet's activity summary: the validated range and how leg sums become figures."""

from __future__ import annotations

import pytest

from wallet_service.domain.activity import (
    COUNTED_TYPES,
    MAX_DAYS,
    ActivityFigures,
    ActivityQuery,
    ActivityRow,
    summarize,
)
from winzone_kernel.errors import InvalidArgument


def test_a_range_has_its_bounds_as_day_strings_and_every_day() -> None:
    query = ActivityQuery.build("2028-02-27", "2028-03-01", "USD")
    assert (query.start, query.end, query.currency) == ("2028-02-27", "2028-03-02", "USD")
    assert query.days() == ["2028-02-27", "2028-02-28", "2028-02-29", "2028-03-01"]
    assert len(ActivityQuery.build("2025-01-01", "2025-12-31", "INR").days()) == 365
    assert len(ActivityQuery.build("2024-01-01", "2024-12-31", "INR").days()) == MAX_DAYS


@pytest.mark.parametrize(("first", "last", "currency", "code"), [
    ("2026-11-02", "2026-11-01", "INR", "INVALID_RANGE"), ("2025-01-01", "2026-01-02", "INR", "INVALID_RANGE"),
    ("2026-02-29", "2026-03-01", "INR", "INVALID_DATE"), ("2026-11-1", "2026-11-30", "INR", "INVALID_DATE"),
    ("2026/11/01", "2026-11-30", "INR", "INVALID_DATE"), ("２026-11-01", "2026-11-30", "INR", "INVALID_DATE"),
    ("+2026-11-0", "2026-11-30", "INR", "INVALID_DATE"), ("", "2026-11-30", "INR", "INVALID_DATE"),
    (None, "2026-11-30", "INR", "INVALID_DATE"), ({"$ne": None}, "2026-11-30", "INR", "INVALID_DATE"),
    (20261101, "2026-11-30", "INR", "INVALID_DATE"), ("2026-11-01", "2026-11-30", "EUR", "INVALID_CURRENCY"),
    ("2026-11-01", "2026-11-30", "inr", "INVALID_CURRENCY"), ("2026-11-01", "2026-11-30", None, "INVALID_CURRENCY"),
])
def test_bad_ranges_are_refused_with_their_code(first: object, last: object, currency: object, code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        ActivityQuery.build(first, last, currency)
    assert refused.value.code == code


def test_each_kind_counts_only_its_direction_and_days_outside_are_dropped() -> None:
    query = ActivityQuery.build("2026-11-01", "2026-11-03", "INR")
    rows = [
        ActivityRow("2026-11-01", "topup", 1_000, 400), ActivityRow("2026-11-01", "payout", 5, 300),
        ActivityRow("2026-11-01", "entryFee", 7, 200), ActivityRow("2026-11-03", "reward", 170, 1),
        ActivityRow("2026-11-03", "platformFee", 20, 0), ActivityRow("2026-11-03", "organizerFee", 10, 0),
        ActivityRow("2026-11-03", "refund", 50, 9), ActivityRow("2026-11-03", "debit", 999, 999),
        ActivityRow("2026-11-04", "topup", 123, 0),
    ]
    days, totals = summarize(query, rows)
    assert [d.day for d in days] == ["2026-11-01", "2026-11-02", "2026-11-03"]
    assert days[0].figures == ActivityFigures(topups=1_000, payouts=300, entry_fees=200)
    assert days[1].figures == ActivityFigures()
    assert days[2].figures == ActivityFigures(rewards=170, platform_fees=20, organizer_fees=10, refunds=50)
    assert totals == ActivityFigures(topups=1_000, payouts=300, entry_fees=200, rewards=170, platform_fees=20,
                                     organizer_fees=10, refunds=50)
    assert set(COUNTED_TYPES) == {"topup", "payout", "entryFee", "reward", "platformFee", "organizerFee", "refund"}


def test_sums_beyond_32_bits_stay_exact() -> None:
    query = ActivityQuery.build("2026-11-01", "2026-11-02", "INR")
    big = 9_000_000_000_000_000
    _, totals = summarize(query, [ActivityRow("2026-11-01", "topup", big, 0), ActivityRow("2026-11-02", "topup", 1, 0)])
    assert totals.topups == big + 1
