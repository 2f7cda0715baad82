"""TDS, the year end and statements over a real wallet gRPC server on SQLite at TDS_RATE 30, with a clock the
test moves: TDS at hold, its capture to "tds_payable" and a void releasing it; EstimateTds; CloseTaxYear run
twice (and through `winzone tax close-year`); GetStatement's running fund balances and totals; GetTaxStatement
and TdsReport; and the bad input of every tax RPC."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import grpc
import pytest

from tests.support.errors import error_code
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.ids import new_key, new_user
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.servicer import WalletServicer
from wallet_service.use_cases import WalletUseCases
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_server import ServingServer, start_server
from winzone_ops import cli

CLEARING = "clearing:test"


class TaxWallet:
    """A wallet server at TDS_RATE 30 whose clock is ``self.now``."""

    def __init__(self, path: Path) -> None:
        self.now = datetime(2026, 5, 1, 12, tzinfo=UTC)
        self.store = SqliteLedgerStore(path, synchronous="NORMAL")
        self.store.migrate()
        servicer = WalletServicer(WalletUseCases(self.store, clock=lambda: self.now,
                                                 policy=LedgerPolicy(tds_rate=Decimal(30))))

        async def start() -> ServingServer:
            return await start_server(
                register=lambda server: (wallet_pb2_grpc.add_WalletServiceServicer_to_server(servicer, server),
                                         ["winzone.wallet.v1.WalletService"])[1],
                token=TEST_TOKEN)

        self.server = RunningServer(start)
        self.channel = authed_channel(self.server.address)
        self.stub = wallet_pb2_grpc.WalletServiceStub(self.channel)

    def at(self, month: int, day: int, year: int = 2026, hour: int = 12) -> None:
        self.now = datetime(year, month, day, hour, tzinfo=UTC)

    def balance(self, account: str) -> int:
        if account.startswith("user:"):
            return self.stub.GetWallet(pb.GetWalletRequest(user_id=account[5:], currency="INR")).wallet.balance
        from wallet_service.domain.accounts import parse_account

        state = self.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance

    def topup(self, user: str, amount: int) -> None:
        self.stub.Credit(pb.CreditRequest(idempotency_key=new_key(), user_id=user, amount=amount, currency="INR",
                                          type="topup", counter_account=CLEARING))

    def post(self, *legs: tuple[str, int, str]) -> None:
        self.stub.Post(pb.PostRequest(idempotency_key=new_key(), legs=[
            pb.Leg(account=a, amount=n, type=t, currency="INR") for a, n, t in legs]))

    def a_match_won(self) -> tuple[str, str]:
        winner, loser = new_user(), new_user()
        pool = f"pool:cmp-{new_key()[:8]}"
        self.topup(winner, 100000)
        self.topup(loser, 100000)
        self.post((f"user:{winner}", -100000, "entryFee"), (pool, 100000, "entryFee"))
        self.post((f"user:{loser}", -100000, "entryFee"), (pool, 100000, "entryFee"))
        self.post((pool, -200000, "reward"), (f"user:{winner}", 170000, "reward"),
                  ("platform_fees", 30000, "platformFee"))
        return winner, loser

    def hold(self, user: str, amount: int) -> pb.Hold:
        return self.stub.CreateHold(pb.CreateHoldRequest(
            idempotency_key=new_key(), user_id=user, amount=amount, currency="INR", type="payout")).hold

    def capture(self, hold_id: str) -> pb.HoldResult:
        return self.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key=new_key(), hold_id=hold_id,
                                                           counter_account=CLEARING))

    def void(self, hold_id: str) -> pb.HoldResult:
        return self.stub.VoidHold(pb.VoidHoldRequest(idempotency_key=new_key(), hold_id=hold_id))

    def assert_audit_ok(self) -> None:
        report = self.stub.Audit(pb.AuditRequest())
        assert report.ok, list(report.violations)
        assert all(t.sum_of_balances == 0 for t in report.totals)

    def close(self) -> None:
        self.channel.close()
        self.server.stop()
        self.store.close()


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[TaxWallet]:
    harness = TaxWallet(tmp_path / "wallet.sqlite3")
    yield harness
    harness.close()


def refused(call: object, code: str, status: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> None:
    with pytest.raises(grpc.RpcError) as info:
        call()  # type: ignore[operator]
    assert info.value.code() == status, info.value.details()
    assert error_code(info.value) == code, info.value.details()


def test_tds_is_withheld_at_the_hold_paid_to_tds_payable_at_capture_and_released_by_a_void(
        wallet: TaxWallet) -> None:
    winner, _ = wallet.a_match_won()
    estimate = wallet.stub.EstimateTds(pb.EstimateTdsRequest(user_id=winner, amount=120000, currency="INR"))
    assert (estimate.amount, estimate.tds, estimate.net_amount, estimate.net_winnings, estimate.financial_year,
            estimate.tds_rate, estimate.withdrawable) == (120000, 6000, 114000, 20000, "2026-27", "30", 170000)

    held = wallet.hold(winner, 120000)
    assert (held.tds, held.net_amount, held.net_winnings, held.financial_year) == (6000, 114000, 20000, "2026-27")
    voided = wallet.void(held.id)
    assert voided.hold.status == "voided"
    assert wallet.balance("tds_payable") == 0
    assert wallet.balance(f"user:{winner}") == 170000

    again = wallet.hold(winner, 120000)
    assert (again.tds, again.net_winnings) == (6000, 20000)
    captured = wallet.capture(again.id)
    assert captured.transaction.amount == -120000
    assert wallet.balance("tds_payable") == 6000
    assert wallet.balance(CLEARING) == -200000 + 114000
    assert wallet.balance(f"user:{winner}") == 50000
    tds_legs = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id=winner, limit=50))
    assert all(t.type != "tds" for t in tds_legs.transactions)
    wallet.assert_audit_ok()


def test_close_tax_year_twice_over_grpc_and_the_cli(wallet: TaxWallet, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    winner, _ = wallet.a_match_won()
    wallet.capture(wallet.hold(winner, 120000).id)
    refused(lambda: wallet.stub.CloseTaxYear(pb.CloseTaxYearRequest(financial_year="2026-27")),
            "INVALID_FINANCIAL_YEAR")
    wallet.at(4, 1, year=2027)

    first = wallet.stub.CloseTaxYear(pb.CloseTaxYearRequest(financial_year="2026-27", currency="INR"))

    assert (first.financial_year, first.currency, first.wallets, first.closed_now, first.already_closed,
            first.net_winnings, first.tds, first.shortfall) == ("2026-27", "INR", 2, 2, 0, 50000, 15000, 0)
    assert wallet.balance(f"user:{winner}") == 35000
    assert wallet.balance("tds_payable") == 21000
    monkeypatch.setenv("INTERNAL_TOKEN", TEST_TOKEN)
    monkeypatch.setenv("WALLET_SERVICE_ADDR", wallet.server.address)
    with pytest.raises(SystemExit) as done:
        cli.main(["tax", "close-year", "--fy", "2026-27"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == (
        "tax year 2026-27 INR: wallets=2 closed_now=0 already_closed=2 net_winnings=0 tds=0 shortfall=0 "
        "(minor units)")
    assert wallet.balance(f"user:{winner}") == 35000
    assert wallet.balance("tds_payable") == 21000
    with pytest.raises(SystemExit) as bad:
        cli.main(["tax", "close-year", "--fy", "2027-28"])
    assert bad.value.code == 1
    assert "INVALID_FINANCIAL_YEAR" in capsys.readouterr().err

    tax = wallet.stub.GetTaxStatement(pb.GetTaxStatementRequest(user_id=winner, financial_year="2026-27"))
    assert (tax.financial_year, tax.tds_rate, tax.opening_balance, tax.deposits, tax.withdrawals,
            tax.net_winnings, tax.tds) == ("2026-27", "30", 0, 100000, 120000, 70000, 21000)
    assert [(e.amount, e.net_winnings, e.tds, e.status) for e in tax.entries] == [(120000, 20000, 6000, "captured")]
    assert tax.HasField("year_end")
    assert (tax.year_end.closing_balance, tax.year_end.net_winnings, tax.year_end.tds,
            tax.year_end.next_opening_balance) == (50000, 50000, 15000, 35000)
    report = wallet.stub.TdsReport(pb.TdsReportRequest(financial_year="2026-27"))
    assert [(line.user_id, line.quarter, line.net_winnings, line.tds, line.withdrawals) for line in report.lines] \
        == [(winner, "Q1", 20000, 6000, 1), (winner, "Q4", 50000, 15000, 0)]
    assert (report.total_net_winnings, report.total_tds) == (70000, 21000)
    wallet.assert_audit_ok()


def test_statement_lines_carry_running_fund_balances_and_totals(wallet: TaxWallet) -> None:
    winner, _ = wallet.a_match_won()
    wallet.at(5, 2)
    wallet.capture(wallet.hold(winner, 120000).id)

    statement = wallet.stub.GetStatement(pb.GetStatementRequest(
        user_id=winner, **{"from": "2026-04-01T00:00:00Z"}, to="2026-06-01T00:00:00Z"))

    assert (statement.user_id, statement.currency, getattr(statement, "from"), statement.to) == (
        winner, "INR", "2026-04-01T00:00:00.000000Z", "2026-06-01T00:00:00.000000Z")
    assert (statement.opening.deposit, statement.opening.winnings, statement.opening.bonus) == (0, 0, 0)
    assert [(line.transaction.type, line.transaction.amount, line.funds_after.deposit, line.funds_after.winnings)
            for line in statement.lines] == [
        ("topup", 100000, 100000, 0), ("entryFee", -100000, 0, 0), ("reward", 170000, 0, 170000),
        ("payout", -120000, 0, 50000)]
    assert (statement.closing.deposit, statement.closing.winnings) == (0, 50000)
    assert [(t.type, t.credits, t.debits, t.count) for t in statement.totals] == [
        ("entryFee", 0, -100000, 1), ("payout", 0, -120000, 1), ("reward", 170000, 0, 1), ("topup", 100000, 0, 1)]
    assert not statement.truncated
    wallet.assert_audit_ok()


@pytest.mark.parametrize(("request_fields", "code"), [
    ({"amount": 0}, "INVALID_AMOUNT"),
    ({"amount": -100}, "INVALID_AMOUNT"),
    ({"amount": 2**62}, "INVALID_AMOUNT"),
    ({"amount": 100, "currency": "XYZ"}, "INVALID_CURRENCY"),
    ({"amount": 100, "user_id": ""}, "VALIDATION_ERROR"),
    ({"amount": 100, "user_id": "user:x y"}, "VALIDATION_ERROR"),
])
def test_estimate_tds_refuses_bad_input(wallet: TaxWallet, request_fields: dict[str, object], code: str) -> None:
    fields: dict[str, object] = {"user_id": new_user(), "currency": "INR", **request_fields}
    refused(lambda: wallet.stub.EstimateTds(pb.EstimateTdsRequest(**fields)), code)  # type: ignore[arg-type]


def test_tax_rpcs_refuse_bad_years_ranges_and_quarters(wallet: TaxWallet) -> None:
    user = new_user()
    for year in ("", "2026", "2026-28", "26-27", "2026-27 "):
        refused(lambda y=year: wallet.stub.GetTaxStatement(pb.GetTaxStatementRequest(user_id=user,
                                                                                      financial_year=y)),
                "INVALID_FINANCIAL_YEAR")
        refused(lambda y=year: wallet.stub.TdsReport(pb.TdsReportRequest(financial_year=y)),
                "INVALID_FINANCIAL_YEAR")
        refused(lambda y=year: wallet.stub.CloseTaxYear(pb.CloseTaxYearRequest(financial_year=y)),
                "INVALID_FINANCIAL_YEAR")
    refused(lambda: wallet.stub.TdsReport(pb.TdsReportRequest(financial_year="2026-27", quarter="Q0")),
            "INVALID_QUARTER")
    refused(lambda: wallet.stub.TdsReport(pb.TdsReportRequest(financial_year="2026-27", currency="ABC")),
            "INVALID_CURRENCY")
    refused(lambda: wallet.stub.GetStatement(pb.GetStatementRequest(
        user_id=user, **{"from": "2026-06-01T00:00:00Z"}, to="2026-05-01T00:00:00Z")), "INVALID_RANGE")
    refused(lambda: wallet.stub.GetStatement(pb.GetStatementRequest(
        user_id=user, **{"from": "2025-01-01T00:00:00Z"}, to="2026-05-01T00:00:00Z")), "INVALID_RANGE")
    refused(lambda: wallet.stub.GetStatement(pb.GetStatementRequest(
        user_id=user, **{"from": "not a time"}, to="2026-05-01T00:00:00Z")), "INVALID_DATE")
    refused(lambda: wallet.stub.GetStatement(pb.GetStatementRequest(user_id=user)), "INVALID_DATE")
    refused(lambda: wallet.stub.GetStatement(pb.GetStatementRequest(
        user_id="", **{"from": "2026-04-01T00:00:00Z"}, to="2026-05-01T00:00:00Z")), "VALIDATION_ERROR")
    assert wallet.balance("tds_payable") == 0
    wallet.assert_audit_ok()
