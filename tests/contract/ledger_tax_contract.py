"""The tax part of the ledger contract: ``tax_facts``, the tax-year records, the statement reads and the tax use
cases (TDS at hold and capture, year end, tax statement, TDS report, GST) on a real store, written through the
real use cases at chosen instants; subclass per backend with ``create_store``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from tests.support.contract import StoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.funds import Funds
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from wallet_service.domain.tax import FinancialYear, TaxFacts
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import InvalidArgument

T = TypeVar("T")

CLEARING = "clearing:mock"
FY = FinancialYear(2026)
TAXED = LedgerPolicy(tds_rate=Decimal(30))


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


class LedgerTaxContract(StoreContract[LedgerStore]):
    """TDS on net winnings (Rule 133), the year end, statements and GST, from a ledger written at chosen
    instants under TDS_RATE 30."""

    now: datetime

    @pytest.fixture(autouse=True)
    def _service(self, _fresh_store: None) -> None:
        self.now = at(4, 10)
        self.use(TAXED)

    def use(self, policy: LedgerPolicy) -> None:
        self.service = WalletUseCases(self.store, clock=lambda: self.now, policy=policy)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def credit(self, when: datetime, user: str, amount: int, type: str = "topup") -> None:
        self.now = when
        self.run(self.service.postings.credit(
            key=new_key(), user_id=user, amount=amount, currency="INR", type=type, counter_account=CLEARING,
            source="test", description="credit", metadata={}))

    def post(self, when: datetime, *legs: tuple[str, int, str]) -> None:
        self.now = when
        self.run(self.service.postings.post(
            key=new_key(), legs=[LegRequest(account=a, amount=n, type=t) for a, n, t in legs], source="test",
            description="posting", metadata={}))

    def hold(self, when: datetime, user: str, amount: int) -> Any:
        self.now = when
        return self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=amount, currency="INR", type="payout", source="test",
            description="payout", metadata={})).hold

    def settle(self, when: datetime, hold_id: str, *, capture: bool) -> Any:
        self.now = when
        if capture:
            return self.run(self.service.holds.capture(key=new_key(), hold_id=hold_id, counter_account=CLEARING))
        return self.run(self.service.holds.void(key=new_key(), hold_id=hold_id))

    def balance(self, account: str) -> int:
        state = self.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance

    def funds(self, user: str) -> Funds:
        state = self.store.get_account(user_account(user), "INR")
        assert state is not None
        return state.funds

    def assert_audit_ok(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations

    def a_match_won(self, when: datetime) -> tuple[str, str]:
        """Two players deposit 1,000 and pay 1,000 of entry each; the winner gets 1,700 (300 of fees)."""
        winner, loser = new_user(), new_user()
        pool = f"pool:cmp-{new_key()[:8]}"
        self.credit(when, winner, 100000)
        self.credit(when, loser, 100000)
        self.post(when, (f"user:{winner}", -100000, "entryFee"), (pool, 100000, "entryFee"))
        self.post(when, (f"user:{loser}", -100000, "entryFee"), (pool, 100000, "entryFee"))
        self.post(when, (pool, -200000, "reward"), (f"user:{winner}", 170000, "reward"),
                  ("platform_fees", 30000, "platformFee"))
        return winner, loser

    def test_done_when_a_payout_hold_withholds_tds_on_net_winnings_and_its_capture_pays_it(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))

        held = self.hold(at(5, 1), winner, 120000)

        assert (held.amount, held.net_winnings, held.tds, held.net_amount, held.financial_year) == (
            120000, 20000, 6000, 114000, "2026-27")
        assert self.store.tax_facts(winner, "INR", FY) == TaxFacts(deposits=100000, withdrawals=120000,
                                                                   opening_balance=0, taxed_net_winnings=20000)
        captured = self.settle(at(5, 2), held.id, capture=True)
        assert captured.hold.status == "captured"
        assert self.balance("tds_payable") == 6000
        assert self.balance(CLEARING) == -200000 + 114000
        assert self.balance(f"user:{winner}") == 50000
        legs = self.store.statement_legs(winner, "INR", FY.start_utc, FY.end_utc, 100)
        assert [(t.type, t.amount) for t in legs][-1] == ("payout", -120000)
        self.assert_audit_ok()

    def test_a_second_withdrawal_taxes_only_new_net_winnings_and_a_void_releases_everything(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))
        first = self.hold(at(5, 1), winner, 120000)
        self.settle(at(5, 1, 13), first.id, capture=True)

        second = self.hold(at(6, 1), winner, 50000)
        assert (second.net_winnings, second.tds) == (50000, 15000)
        self.settle(at(6, 2), second.id, capture=False)
        assert self.balance("tds_payable") == 6000
        assert self.balance(f"user:{winner}") == 50000
        assert self.store.tax_facts(winner, "INR", FY).taxed_net_winnings == 20000

        again = self.hold(at(6, 3), winner, 50000)
        assert (again.net_winnings, again.tds) == (50000, 15000)
        self.settle(at(6, 4), again.id, capture=True)
        assert self.balance("tds_payable") == 21000
        assert self.balance(f"user:{winner}") == 0
        self.assert_audit_ok()

    def test_no_tds_without_a_rate(self) -> None:
        self.use(LedgerPolicy())
        winner, _ = self.a_match_won(at(4, 10))
        held = self.hold(at(5, 1), winner, 120000)
        assert (held.tds, held.net_winnings, held.net_amount, held.financial_year) == (0, 0, 120000, "2026-27")
        self.settle(at(5, 2), held.id, capture=True)
        assert self.balance("tds_payable") == 0
        self.assert_audit_ok()

    def test_the_opening_balance_is_deposit_and_winnings_at_the_start_less_unpaid_payouts(self) -> None:
        user = new_user()
        self.credit(at(3, 1), user, 50000)
        self.credit(at(3, 2), user, 7000, type="reward")
        pending = self.hold(at(3, 31, 18, 0), user, 7000)
        self.settle(at(4, 2), pending.id, capture=True)
        self.run(self.service.bonuses.grant(key=new_key(), user_id=user, amount=9000, currency="INR",
                                            reason="welcome", expires_at="", granted_by=""))

        facts = self.store.tax_facts(user, "INR", FY)

        assert facts == TaxFacts(deposits=0, withdrawals=0, opening_balance=50000, taxed_net_winnings=0)
        assert self.store.tax_facts(user, "INR", FY.previous) == TaxFacts(
            deposits=50000, withdrawals=7000, opening_balance=0, taxed_net_winnings=0)
        self.assert_audit_ok()

    def test_chargebacks_reduce_the_years_deposits_never_below_zero(self) -> None:
        user = new_user()
        self.credit(at(4, 5), user, 30000)
        self.now = at(4, 6)
        self.run(self.service.postings.recover(key=new_key(), user_id=user, amount=10000, currency="INR",
                                               counter_account=CLEARING, type="", source="test", description="cb",
                                               metadata={}))
        assert self.store.tax_facts(user, "INR", FY).deposits == 20000
        self.now = at(4, 7)
        self.run(self.service.postings.recover(key=new_key(), user_id=user, amount=20000, currency="INR",
                                               counter_account=CLEARING, type="", source="test", description="cb",
                                               metadata={}))
        assert self.store.tax_facts(user, "INR", FY).deposits == 0
        self.assert_audit_ok()

    def test_the_year_end_taxes_net_winnings_left_and_a_second_run_changes_nothing(self) -> None:
        winner, loser = self.a_match_won(at(4, 10))
        held = self.hold(at(5, 1), winner, 120000)
        self.settle(at(5, 2), held.id, capture=True)
        self.now = at(3, 31, 18, 29, 59, year=2027)
        with pytest.raises(InvalidArgument) as early:
            self.run(self.service.taxes.close_year("2026-27", "INR"))
        assert early.value.code == "INVALID_FINANCIAL_YEAR"

        self.now = at(4, 2, year=2027)
        result = self.run(self.service.taxes.close_year("2026-27", "INR"))

        assert (result.wallets, result.closed_now, result.already_closed) == (2, 2, 0)
        assert (result.net_winnings, result.tds, result.shortfall) == (50000, 15000, 0)
        record = self.store.tax_year_get(winner, "INR", "2026-27")
        assert record is not None
        assert (record.opening_balance, record.closing_balance, record.deposits, record.withdrawals,
                record.taxed_net_winnings, record.net_winnings, record.tds, record.withheld,
                record.next_opening_balance) == (0, 50000, 100000, 120000, 20000, 50000, 15000, 15000, 35000)
        assert self.store.tax_year_get(loser, "INR", "2026-27").net_winnings == 0  # type: ignore[union-attr]
        assert self.balance(f"user:{winner}") == 35000
        assert self.balance("tds_payable") == 21000

        again = self.run(self.service.taxes.close_year("2026-27", "INR"))
        assert (again.wallets, again.closed_now, again.already_closed, again.tds) == (2, 0, 2, 0)
        assert self.balance(f"user:{winner}") == 35000
        assert self.balance("tds_payable") == 21000
        assert self.store.tax_facts(winner, "INR", FY.next).opening_balance == 35000
        assert [r.user_id for r in self.store.tax_years_of("INR", "2026-27")] == sorted([winner, loser])
        assert self.store.tax_wallets("INR", FY) == sorted([winner, loser])
        assert self.store.tax_wallets("INR", FY.next) == sorted([winner, loser])
        assert self.store.tax_wallets("INR", FY.next.next) == []
        later = self.hold(at(4, 3, year=2027), winner, 35000)
        assert (later.net_winnings, later.tds) == (0, 0)
        self.assert_audit_ok()

    def test_the_year_end_records_a_shortfall_when_the_wallet_no_longer_holds_the_tax(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))
        self.now = at(4, 1, year=2027)
        self.run(self.service.postings.debit(key=new_key(), user_id=winner, amount=165000, currency="INR",
                                             type="debit", counter_account=CLEARING, source="test",
                                             description="spent", metadata={}))
        self.now = at(4, 2, year=2027)
        result = self.run(self.service.taxes.close_year("2026-27", "INR"))
        assert (result.net_winnings, result.tds, result.shortfall) == (70000, 5000, 16000)
        assert self.balance(f"user:{winner}") == 0
        assert self.balance("tds_payable") == 5000
        self.assert_audit_ok()

    def test_tax_statement_and_tds_report(self) -> None:
        winner, loser = self.a_match_won(at(4, 10))
        paid = self.hold(at(7, 1), winner, 120000)
        self.settle(at(7, 2), paid.id, capture=True)
        waiting = self.hold(at(12, 31, 19), winner, 20000)
        self.now = at(4, 2, year=2027)
        self.run(self.service.taxes.close_year("2026-27", "INR"))

        assert [h.id for h in self.store.tax_payout_holds("INR", FY, None, ("captured",))] == [paid.id]
        assert [h.id for h in self.store.tax_payout_holds("INR", FY, winner, ("open", "captured"))] == [
            paid.id, waiting.id]
        assert self.store.tax_payout_holds("INR", FY, loser, ("open", "captured")) == []
        assert self.store.tax_payout_holds("INR", FY.next, None, ("open", "captured")) == []
        statement = self.service.taxes.statement(winner, "INR", "2026-27")
        assert (statement.opening_balance, statement.deposits, statement.withdrawals) == (0, 100000, 140000)
        assert [(e.payout_id, e.amount, e.net_winnings, e.tds, e.status) for e in statement.entries] == [
            (paid.id, 120000, 20000, 6000, "captured"), (waiting.id, 20000, 20000, 6000, "open")]
        assert statement.year_end is not None
        assert (statement.year_end.closing_balance, statement.year_end.net_winnings,
                statement.year_end.withheld) == (30000, 30000, 9000)
        assert (statement.net_winnings, statement.tds) == (70000, 21000)

        report = self.service.taxes.report("2026-27", "", "INR")
        assert [(line.user_id, line.quarter, line.net_winnings, line.tds, line.withdrawals)
                for line in report.lines] == [(winner, "Q2", 20000, 6000, 1), (winner, "Q4", 30000, 9000, 0)]
        assert (report.total_net_winnings, report.total_tds) == (50000, 15000)
        assert [line.quarter for line in self.service.taxes.report("2026-27", "Q2", "INR").lines] == ["Q2"]
        assert self.service.taxes.report("2025-26", "", "INR").lines == []
        with pytest.raises(InvalidArgument) as bad:
            self.service.taxes.report("2026-27", "Q5", "INR")
        assert bad.value.code == "INVALID_QUARTER"
        assert loser not in {line.user_id for line in report.lines}
        self.assert_audit_ok()

    def test_estimate_reserves_nothing(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))
        self.now = at(5, 1)
        estimate = self.service.taxes.estimate(winner, 120000, "INR")
        assert (estimate.tds, estimate.net_amount, estimate.net_winnings, estimate.financial_year,
                estimate.withdrawable) == (6000, 114000, 20000, "2026-27", 170000)
        assert self.store.tax_facts(winner, "INR", FY).withdrawals == 0
        for amount in (0, -1, "100", 1.5, None, 10**20):
            with pytest.raises(InvalidArgument):
                self.service.taxes.estimate(winner, amount, "INR")  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument):
            self.service.taxes.estimate(winner, 100, "XYZ")
        with pytest.raises(InvalidArgument):
            self.service.taxes.estimate("user:bad id", 100, "INR")

    def test_statement_has_opening_lines_with_running_funds_totals_and_closing(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))
        self.credit(at(4, 9), winner, 1)
        held = self.hold(at(5, 1), winner, 120000)
        self.settle(at(5, 2), held.id, capture=True)
        self.credit(at(6, 1), winner, 5)

        statement = self.service.statements.statement(winner, "INR", "2026-04-10T00:00:00Z",
                                                      "2026-06-01T00:00:00+00:00")

        assert statement.opening == Funds(deposit=1)
        assert [(line.transaction.type, line.transaction.amount, line.funds_after) for line in statement.lines] == [
            ("topup", 100000, Funds(deposit=100001)),
            ("entryFee", -100000, Funds(deposit=1)),
            ("reward", 170000, Funds(deposit=1, winnings=170000)),
            ("payout", -120000, Funds(deposit=1, winnings=50000)),
        ]
        assert statement.closing == Funds(deposit=1, winnings=50000)
        assert [(t.type, t.credits, t.debits, t.count) for t in statement.totals] == [
            ("entryFee", 0, -100000, 1), ("payout", 0, -120000, 1), ("reward", 170000, 0, 1),
            ("topup", 100000, 0, 1)]
        assert not statement.truncated
        assert self.store.statement_opening(winner, "INR", "2026-07-01T00:00:00.000000Z") == {
            "deposit": 6, "winnings": 50000, "bonus": 0}
        self.assert_audit_ok()

    @pytest.mark.parametrize(("start", "end", "code"), [
        ("2026-05-01T00:00:00Z", "2026-04-01T00:00:00Z", "INVALID_RANGE"),
        ("2025-01-01T00:00:00Z", "2026-01-03T00:00:00Z", "INVALID_RANGE"),
        ("2026-05-01", "2026-06-01T00:00:00Z", "INVALID_DATE"),
        ("2026-05-01T00:00:00", "2026-06-01T00:00:00Z", "INVALID_DATE"),
        ("yesterday", "2026-06-01T00:00:00Z", "INVALID_DATE"),
        ("", "2026-06-01T00:00:00Z", "INVALID_DATE"),
        ("2026-13-01T00:00:00Z", "2026-06-01T00:00:00Z", "INVALID_DATE"),
    ])
    def test_statement_ranges_are_checked(self, start: str, end: str, code: str) -> None:
        with pytest.raises(InvalidArgument) as caught:
            self.service.statements.statement(new_user(), "INR", start, end)
        assert caught.value.code == code

    def test_gst_on_deposit_is_split_out_of_the_topup_and_only_the_net_is_a_deposit(self) -> None:
        self.use(LedgerPolicy(tds_rate=Decimal(30), gst_on_deposit_percent=Decimal(28)))
        user = new_user()
        self.credit(at(4, 10), user, 12800)
        assert self.balance(f"user:{user}") == 10000
        assert self.balance("gst_payable") == 2800
        assert self.balance(CLEARING) == -12800
        assert self.store.tax_facts(user, "INR", FY).deposits == 10000
        self.assert_audit_ok()

    def a_paid_payout_of_winnings(self) -> tuple[str, Any]:
        """5,000 of deposit and 5,000 of winnings; a payout of 10,000 withholds 1,500 on 5,000 and is paid."""
        user = new_user()
        self.credit(at(4, 10), user, 500000)
        self.credit(at(4, 11), user, 500000, type="reward")
        held = self.hold(at(5, 1), user, 1000000)
        assert (held.net_winnings, held.tds, held.net_amount) == (500000, 150000, 850000)
        self.settle(at(5, 2), held.id, capture=True)
        return user, held

    def reverse(self, when: datetime, user: str, held: Any, amount: int, reversed_total: int) -> None:
        """What the payout service books for a reversal: a refund credit naming the payout, and for the one that
        completes it the tds back from ``tds_payable`` in the same entry."""
        self.now = when
        metadata = {"payoutId": held.id, "amountReversed": str(reversed_total)}
        if reversed_total == held.net_amount:
            self.run(self.service.postings.post(key=new_key(), legs=[
                LegRequest(account=CLEARING, amount=-amount, type="refund"),
                LegRequest(account="tds_payable", amount=-held.tds, type="refund"),
                LegRequest(account=f"user:{user}", amount=amount + held.tds, type="refund", metadata=metadata),
            ], source="payout_service", description="reversal", metadata=metadata))
        else:
            self.run(self.service.postings.credit(
                key=new_key(), user_id=user, amount=amount, currency="INR", type="refund", counter_account=CLEARING,
                source="payout_service", description="reversal", metadata=metadata))

    def test_a_fully_reversed_payout_is_no_withdrawal_and_its_tds_is_not_counted(self) -> None:
        user, held = self.a_paid_payout_of_winnings()

        self.reverse(at(5, 3), user, held, 850000, 850000)

        assert self.funds(user) == Funds(deposit=500000, winnings=500000)
        assert self.balance("tds_payable") == 0
        assert self.store.tax_facts(user, "INR", FY) == TaxFacts(deposits=500000, withdrawals=0, opening_balance=0,
                                                                 taxed_net_winnings=0)
        statement = self.service.taxes.statement(user, "INR", "2026-27")
        assert [(e.payout_id, e.amount, e.reversed, e.net_winnings, e.tds, e.status) for e in statement.entries] == [
            (held.id, 1000000, 1000000, 500000, 150000, "reversed")]
        assert (statement.withdrawals, statement.net_winnings, statement.tds) == (0, 0, 0)
        assert self.service.taxes.report("2026-27", "", "INR").lines == []

        again = self.hold(at(5, 4), user, 1000000)
        assert (again.net_winnings, again.tds, again.net_amount) == (500000, 150000, 850000)
        self.settle(at(5, 5), again.id, capture=True)
        assert self.balance("tds_payable") == 150000
        report = self.service.taxes.report("2026-27", "", "INR")
        assert [(line.user_id, line.quarter, line.net_winnings, line.tds, line.withdrawals)
                for line in report.lines] == [(user, "Q1", 500000, 150000, 1)]
        statement = self.service.taxes.statement(user, "INR", "2026-27")
        assert [e.status for e in statement.entries] == ["reversed", "captured"]
        assert (statement.withdrawals, statement.net_winnings, statement.tds) == (1000000, 500000, 150000)
        self.assert_audit_ok()

    def test_a_partial_reversal_lowers_withdrawals_but_keeps_the_tds(self) -> None:
        user, held = self.a_paid_payout_of_winnings()

        self.reverse(at(5, 3), user, held, 400000, 400000)

        assert self.store.tax_facts(user, "INR", FY) == TaxFacts(deposits=500000, withdrawals=600000,
                                                                 opening_balance=0, taxed_net_winnings=500000)
        statement = self.service.taxes.statement(user, "INR", "2026-27")
        assert [(e.amount, e.reversed, e.tds, e.status) for e in statement.entries] == [
            (1000000, 400000, 150000, "captured")]
        assert (statement.withdrawals, statement.net_winnings, statement.tds) == (600000, 500000, 150000)
        again = self.hold(at(5, 4), user, 400000)
        assert (again.net_winnings, again.tds, again.net_amount) == (0, 0, 400000)
        self.settle(at(5, 5), again.id, capture=True)
        assert [(line.net_winnings, line.tds, line.withdrawals)
                for line in self.service.taxes.report("2026-27", "", "INR").lines] == [(500000, 150000, 2)]
        assert self.balance("tds_payable") == 150000
        assert self.balance(f"user:{user}") == 0
        self.assert_audit_ok()

    def test_the_reversal_that_completes_a_partly_reversed_payout_returns_its_tds_to_the_year(self) -> None:
        user, held = self.a_paid_payout_of_winnings()
        self.reverse(at(5, 3), user, held, 400000, 400000)
        self.reverse(at(5, 4), user, held, 450000, 850000)

        assert self.funds(user) == Funds(deposit=500000, winnings=500000)
        assert self.store.tax_facts(user, "INR", FY) == TaxFacts(deposits=500000, withdrawals=0, opening_balance=0,
                                                                 taxed_net_winnings=0)
        assert [(e.reversed, e.status) for e in self.service.taxes.statement(user, "INR", "2026-27").entries] == [
            (1000000, "reversed")]
        self.assert_audit_ok()

    def test_the_year_end_taxes_winnings_a_reversed_payout_left_in_the_wallet(self) -> None:
        user, held = self.a_paid_payout_of_winnings()
        self.reverse(at(5, 3), user, held, 850000, 850000)
        self.now = at(4, 2, year=2027)

        result = self.run(self.service.taxes.close_year("2026-27", "INR"))

        assert (result.net_winnings, result.tds, result.shortfall) == (500000, 150000, 0)
        record = self.store.tax_year_get(user, "INR", "2026-27")
        assert record is not None
        assert (record.closing_balance, record.deposits, record.withdrawals, record.taxed_net_winnings,
                record.net_winnings, record.withheld, record.next_opening_balance) == (
            1000000, 500000, 0, 0, 500000, 150000, 850000)
        assert self.balance("tds_payable") == 150000
        self.assert_audit_ok()

    def test_a_lost_dispute_captured_from_its_hold_reduces_the_years_deposits(self) -> None:
        user = new_user()
        self.credit(at(4, 10), user, 1000000)
        self.credit(at(4, 11), user, 1000000, type="reward")
        self.now = at(4, 12)
        metadata = {"sessionId": "tps_dispute1", "chargeId": "ch_1", "provider": "mock", "disputeId": "dp_1"}
        self.run(self.service.holds.create(
            key="dispute_dp_1", hold_id="dispute_dp_1", user_id=user, amount=1000000, currency="INR", type="debit",
            source="mock", description="Disputed card payment of a top-up", metadata=metadata, up_to_available=True))
        assert self.store.tax_facts(user, "INR", FY).deposits == 1000000
        self.settle(at(4, 13), "dispute_dp_1", capture=True)

        assert self.funds(user) == Funds(winnings=1000000)
        assert self.store.tax_facts(user, "INR", FY) == TaxFacts(deposits=0, withdrawals=0, opening_balance=0,
                                                                 taxed_net_winnings=0)
        held = self.hold(at(5, 1), user, 1000000)
        assert (held.net_winnings, held.tds, held.net_amount) == (1000000, 300000, 700000)
        self.settle(at(5, 2), held.id, capture=True)
        assert self.balance("tds_payable") == 300000
        self.assert_audit_ok()

    def test_a_captured_debit_hold_that_is_no_dispute_is_no_chargeback(self) -> None:
        user = new_user()
        self.credit(at(4, 10), user, 1000000)
        self.now = at(4, 12)
        spent = self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=300000, currency="INR", type="debit", source="test",
            description="spent", metadata={"sessionId": "tps_other"})).hold
        self.settle(at(4, 13), spent.id, capture=True)
        assert self.balance(f"user:{user}") == 700000
        assert self.store.tax_payout_holds("INR", FY, user, ("open", "captured")) == []
        assert self.store.tax_facts(user, "INR", FY).deposits == 1000000
        self.assert_audit_ok()
