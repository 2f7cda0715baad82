"""The activity part of the ledger contract: ``LedgerStore.activity`` and the SummarizeActivity query on a real
store. Completed legs are summed per UTC day of ``posted_at`` and kind, in the store (SQLite ``GROUP BY``,
MongoDB ``aggregate``); subclass per backend with ``create_store``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from tests.support.contract import StoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain.activity import COUNTED_TYPES, SYSTEM_TYPES, ActivityFigures, ActivityRow
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import InvalidArgument

T = TypeVar("T")

CLEARING = "clearing:mock"


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, micro: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, micro, tzinfo=UTC)


class LedgerActivityContract(StoreContract[LedgerStore]):
    """Money moved per day, from a ledger written through the real use cases at chosen instants."""

    now: datetime

    @pytest.fixture(autouse=True)
    def _service(self, _fresh_store: None) -> None:
        self.now = at(1)
        self.service = WalletUseCases(self.store, clock=lambda: self.now)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def credit(self, when: datetime, user: str, amount: int, type: str = "topup", currency: str = "INR") -> None:
        self.now = when
        self.run(self.service.postings.credit(
            key=new_key(), user_id=user, amount=amount, currency=currency, type=type, counter_account=CLEARING,
            source="test", description="credit", metadata={}))

    def post(self, when: datetime, *legs: tuple[str, int, str]) -> None:
        self.now = when
        self.run(self.service.postings.post(
            key=new_key(), legs=[LegRequest(account=a, amount=n, type=t) for a, n, t in legs], source="test",
            description="posting", metadata={}))

    def hold(self, when: datetime, user: str, amount: int) -> str:
        self.now = when
        held = self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=amount, currency="INR", type="payout", source="test",
            description="payout", metadata={}))
        return held.hold.id

    def settle(self, when: datetime, hold_id: str, *, capture: bool) -> None:
        self.now = when
        if capture:
            self.run(self.service.holds.capture(key=new_key(), hold_id=hold_id, counter_account=CLEARING))
        else:
            self.run(self.service.holds.void(key=new_key(), hold_id=hold_id))

    def a_month_of_books(self) -> tuple[str, str, str]:
        """Top-ups, entries, a distribution, payouts (one captured the next day, one voided), a sponsorship
        and its refund, and movements that do not count, around and inside 2026-11-01..04."""
        u1, u2, org = new_user(), new_user(), new_user()
        pool = "pool:cmp-activity"
        self.credit(at(31, 23, 59, 59, 999_999, month=10), u1, 9_000)
        self.credit(at(1, 0, 0, 0, 0), u1, 100_000)
        self.credit(at(1, 10), u2, 50_050)
        self.credit(at(1, 11), u1, 70_000, currency="USD")
        self.credit(at(1, 12), org, 10_000)
        self.post(at(1, 23, 59, 59, 999_999), (f"user:{u1}", -10_000, "entryFee"), (pool, 10_000, "entryFee"))
        self.post(at(1, 23, 59, 59, 999_999), (f"user:{u2}", -10_000, "entryFee"), (pool, 10_000, "entryFee"))
        self.post(at(2, 0), (pool, -20_000, "reward"), ("platform_fees", 2_000, "platformFee"),
                  (f"user:{org}", 1_000, "organizerFee"), (f"user:{u1}", 17_000, "reward"))
        captured = self.hold(at(2, 9), u2, 30_000)
        voided = self.hold(at(2, 9), u2, 5_000)
        self.settle(at(3, 8), captured, capture=True)
        self.settle(at(3, 8), voided, capture=False)
        self.post(at(3, 9), (f"user:{org}", -4_000, "debit"), (pool, 4_000, "credit"))
        self.post(at(3, 10), (pool, -4_000, "refund"), (f"user:{org}", 4_000, "refund"))
        self.credit(at(3, 11), u1, 7, type="credit")
        self.hold(at(4, 9), u1, 1_000)
        self.credit(at(5, 0), u1, 999)
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        return u1, u2, org

    def test_completed_legs_are_summed_by_utc_day_and_kind_in_the_store(self) -> None:
        self.a_month_of_books()

        rows = self.store.activity("INR", "2026-11-01", "2026-11-05", COUNTED_TYPES, SYSTEM_TYPES)

        assert rows == [
            ActivityRow("2026-11-01", "entryFee", 0, 20_000),
            ActivityRow("2026-11-01", "topup", 160_050, 0),
            ActivityRow("2026-11-02", "organizerFee", 1_000, 0),
            ActivityRow("2026-11-02", "platformFee", 2_000, 0),
            ActivityRow("2026-11-02", "reward", 17_000, 0),
            ActivityRow("2026-11-03", "payout", 0, 30_000),
            ActivityRow("2026-11-03", "refund", 4_000, 0),
        ]
        assert self.store.activity("USD", "2026-11-01", "2026-11-02", COUNTED_TYPES, SYSTEM_TYPES) == [
            ActivityRow("2026-11-01", "topup", 70_000, 0)]
        assert self.store.activity("INR", "2026-10-31", "2026-11-01", COUNTED_TYPES, SYSTEM_TYPES) == [
            ActivityRow("2026-10-31", "topup", 9_000, 0)]
        assert self.store.activity("INR", "2026-12-01", "2027-01-01", COUNTED_TYPES, SYSTEM_TYPES) == []

    def test_the_summary_has_every_day_of_the_range_and_its_totals(self) -> None:
        self.a_month_of_books()

        query, days, totals = self.service.queries.activity("2026-11-01", "2026-11-04", "INR")

        assert (query.start, query.end, query.currency) == ("2026-11-01", "2026-11-05", "INR")
        assert [d.day for d in days] == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
        assert [d.figures for d in days] == [
            ActivityFigures(topups=160_050, entry_fees=20_000),
            ActivityFigures(rewards=17_000, platform_fees=2_000, organizer_fees=1_000),
            ActivityFigures(payouts=30_000, refunds=4_000),
            ActivityFigures(),
        ]
        assert totals == ActivityFigures(topups=160_050, payouts=30_000, entry_fees=20_000, rewards=17_000,
                                         platform_fees=2_000, organizer_fees=1_000, refunds=4_000)
        _, single, _ = self.service.queries.activity("2026-11-05", "2026-11-05", "INR")
        assert [(d.day, d.figures) for d in single] == [("2026-11-05", ActivityFigures(topups=999))]
        _, empty, nothing = self.service.queries.activity("2025-11-05", "2026-11-05", "USD")
        assert len(empty) == 366 and nothing == ActivityFigures(topups=70_000)

    def test_an_empty_ledger_has_zero_days(self) -> None:
        _, days, totals = self.service.queries.activity("2026-02-27", "2026-03-01", "INR")
        assert [d.day for d in days] == ["2026-02-27", "2026-02-28", "2026-03-01"]
        assert all(d.figures == ActivityFigures() for d in days) and totals == ActivityFigures()

    @pytest.mark.parametrize(("first", "last", "currency"), [
        ("2026-11-02", "2026-11-01", "INR"), ("2025-01-01", "2026-01-02", "INR"), ("2026-11-01", "2026-11-31", "INR"),
        ("", "2026-11-01", "INR"), ("2026-11-01", "", "INR"), ("2026-1-01", "2026-11-01", "INR"),
        ("2026-11-01", "2026-11-01", "EUR"), ("2026-11-01", "2026-11-01", "inr"),
        ("2026-11-01T00:00", "2026-11-02", "INR"), ("2026-11-01", "2026-11-01", ""),
    ])
    def test_bad_ranges_are_refused_and_read_nothing(self, first: str, last: str, currency: str) -> None:
        with pytest.raises(InvalidArgument):
            self.service.queries.activity(first, last, currency)
