"""Issue 10 over real gRPC on a real port and a real SQLite file: refusals answered again under their key,
the late CreateHold that lands after its void, Recover and the receivable, restriction and settlement."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
from wallet_service.domain.bonus import BonusGrant
from wallet_service.domain.model import (
    AccountState,
    AuditFacts,
    HoldRecord,
    Refusal,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
)
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork
from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone_kernel.errors import WinzoneError

T = TypeVar("T")
BOUND = 30.0
"""Seconds a test waits at most for the server-side command it released (a bound, not an assertion)."""


class LateStore(LedgerStore):
    """The real SQLite store, except that the command after ``hold_back_next`` stays queued at the wallet
    (whatever the caller's deadline does) until ``release``: a call answered UNAVAILABLE that still applies."""

    def __init__(self, inner: SqliteLedgerStore) -> None:
        self.inner = inner
        self._hold_back = False
        self.arrived = threading.Event()
        self.released = threading.Event()
        self.landed = threading.Event()
        self.late_outcome: Any = None

    def hold_back_next(self) -> None:
        self._hold_back = True

    def atomic(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        return self.inner.atomic(op)

    def atomic_each(self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]) -> list[T | WinzoneError]:
        return self.inner.atomic_each(ops)

    async def atomic_async(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        if not self._hold_back:
            return await self.inner.atomic_async(op)
        self._hold_back = False
        queued = asyncio.ensure_future(self._later(op))
        return await asyncio.shield(queued)

    async def _later(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        self.arrived.set()
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, BOUND)
            result: T = await self.inner.atomic_async(op)
            self.late_outcome = result
            return result
        except Exception as exc:
            self.late_outcome = exc
            raise
        finally:
            self.landed.set()

    def migrate(self) -> None:
        self.inner.migrate()

    def activity(self, currency: str, start: str, end: str, types: Sequence[str], system_types: Sequence[str]
                 ) -> list[ActivityRow]:
        return self.inner.activity(currency, start, end, types, system_types)

    def get_account(self, account: Account, currency: str) -> AccountState | None:
        return self.inner.get_account(account, currency)

    def list_transactions(self, flt: TransactionFilter) -> TransactionPage:
        return self.inner.list_transactions(flt)

    def get_transaction(self, tx_id: str) -> TransactionRecord | None:
        return self.inner.get_transaction(tx_id)

    def get_controls(self, user_id: str) -> dict[str, Any] | None:
        return self.inner.get_controls(user_id)

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        return self.inner.get_hold(hold_id)

    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        return self.inner.bonus_grants_of(user_id, currency)

    def open_holds(self) -> dict[str, tuple[int, int]]:
        return self.inner.open_holds()

    def user_wallets(self) -> list[tuple[str, str]]:
        return self.inner.user_wallets()

    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        return self.inner.tax_facts(user_id, currency, year)

    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        return self.inner.tax_year_get(user_id, currency, financial_year)

    def tax_years_of(self, currency: str, financial_year: str) -> list[TaxYearRecord]:
        return self.inner.tax_years_of(currency, financial_year)

    def tax_wallets(self, currency: str, year: FinancialYear) -> list[str]:
        return self.inner.tax_wallets(currency, year)

    def tax_payout_holds(self, currency: str, year: FinancialYear, user_id: str | None,
                         statuses: Sequence[str]) -> list[HoldRecord]:
        return self.inner.tax_payout_holds(currency, year, user_id, statuses)

    def tax_payout_refunds(self, hold_ids: Sequence[str]) -> dict[str, int]:
        return self.inner.tax_payout_refunds(hold_ids)

    def statement_opening(self, user_id: str, currency: str, before: str) -> dict[str, int]:
        return self.inner.statement_opening(user_id, currency, before)

    def statement_legs(self, user_id: str, currency: str, start: str, end: str, limit: int
                       ) -> list[TransactionRecord]:
        return self.inner.statement_legs(user_id, currency, start, end, limit)

    def audit_facts(self) -> AuditFacts:
        return self.inner.audit_facts()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def late_wallet(tmp_path: Path) -> Iterator[tuple[WalletHarness, LateStore]]:
    store = LateStore(SqliteLedgerStore(tmp_path / "wallet.sqlite3", synchronous="NORMAL"))
    harness = WalletHarness(tmp_path / "unused.sqlite3", store=store)
    yield harness, store
    store.released.set()
    harness.close()


def refused(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str, str]:
    with pytest.raises(grpc.RpcError) as info:
        call()
    exc: Any = info.value
    return exc.code(), error_code(exc), exc.details()


def test_a_create_hold_that_lands_after_its_void_never_reserves_funds(
    late_wallet: tuple[WalletHarness, LateStore],
) -> None:
    wallet, store = late_wallet
    wallet.fund("payee", 10_000)
    create = pb.CreateHoldRequest(idempotency_key="hold_po_1", hold_id="po_1", user_id="payee", amount=4_000,
                                  type="payout")
    store.hold_back_next()
    code, _, _ = refused(lambda: wallet.stub.CreateHold(create, timeout=0.5))
    assert code == grpc.StatusCode.DEADLINE_EXCEEDED
    assert store.arrived.wait(BOUND)

    voided = wallet.stub.VoidHold(pb.VoidHoldRequest(idempotency_key="void_po_1", hold_id="po_1", reason="gone"))
    assert (voided.hold.id, voided.hold.status, voided.hold.amount) == ("po_1", "voided", 0)
    assert not voided.HasField("transaction") and not voided.replayed

    store.released.set()
    assert store.landed.wait(BOUND)
    assert getattr(store.late_outcome, "code", None) == "HOLD_VOIDED"
    status, code_name, _ = refused(lambda: wallet.stub.CreateHold(create))
    assert (status, code_name) == (grpc.StatusCode.FAILED_PRECONDITION, "HOLD_VOIDED")
    after = wallet.balance("payee")
    assert (after.balance, after.held, after.available) == (10_000, 0, 10_000)
    assert wallet.stub.VoidHold(pb.VoidHoldRequest(idempotency_key="void_po_1", hold_id="po_1",
                                                   reason="gone")).replayed
    wallet.assert_audit_ok()


def test_a_refused_request_is_refused_again_under_its_key(wallet: WalletHarness) -> None:
    wallet.fund("short", 100)
    debit = pb.DebitRequest(idempotency_key="fee_1", user_id="short", amount=500, type="entryFee")
    first = refused(lambda: wallet.stub.Debit(debit))
    assert first[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS")
    wallet.fund("short", 1_000)
    assert refused(lambda: wallet.stub.Debit(debit)) == first
    other = pb.DebitRequest(idempotency_key="fee_1", user_id="short", amount=400, type="entryFee")
    assert refused(lambda: wallet.stub.Debit(other))[0] == grpc.StatusCode.ALREADY_EXISTS
    unknown = pb.CaptureHoldRequest(idempotency_key="cap_x", hold_id="po_x", counter_account="clearing:test")
    assert refused(lambda: wallet.stub.CaptureHold(unknown))[0] == grpc.StatusCode.NOT_FOUND
    assert refused(lambda: wallet.stub.CaptureHold(unknown))[0] == grpc.StatusCode.NOT_FOUND
    malformed = pb.DebitRequest(idempotency_key="fee_2", user_id="short", amount=0)
    assert refused(lambda: wallet.stub.Debit(malformed))[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert not wallet.stub.Debit(pb.DebitRequest(idempotency_key="fee_2", user_id="short", amount=10)).replayed
    assert wallet.balance("short").balance == 1_090
    wallet.assert_audit_ok()


def test_recover_restricts_until_later_credits_settle(wallet: WalletHarness) -> None:
    wallet.fund("carder", 300)
    recover = pb.RecoverRequest(idempotency_key="dispute_dp_1", user_id="carder", amount=1_000,
                                counter_account="clearing:stripe", description="charge.dispute lost")
    result = wallet.stub.Recover(recover)
    assert (result.recovered, result.shortfall, result.replayed) == (300, 700, False)
    assert (result.wallet.balance, result.wallet.receivable, result.wallet.restricted) == (0, 700, True)
    assert {t.account: t.amount for t in result.transactions} == {
        "user:carder": -300, "receivable:carder": -700, "clearing:stripe": 1_000}
    assert all(t.type == "chargeback" for t in result.transactions)
    again = wallet.stub.Recover(recover)
    assert again.replayed and again.entry_id == result.entry_id
    shown = wallet.balance("carder")
    assert (shown.receivable, shown.restricted) == (700, True)
    for call in (
        lambda: wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="h", user_id="carder", amount=1)),
        lambda: wallet.stub.Debit(pb.DebitRequest(idempotency_key="d", user_id="carder", amount=1)),
        lambda: wallet.stub.Transfer(pb.TransferRequest(idempotency_key="t", from_user_id="carder",
                                                        to_user_id="x", amount=1)),
        lambda: wallet.stub.Post(pb.PostRequest(idempotency_key="p", legs=[
            pb.Leg(account="user:carder", amount=-1, type="entryFee"),
            pb.Leg(account="pool:cup", amount=1, type="entryFee")])),
    ):
        assert refused(call)[:2] == (grpc.StatusCode.FAILED_PRECONDITION, "ACCOUNT_RESTRICTED")
    topup = wallet.stub.Credit(pb.CreditRequest(idempotency_key="topup_cs_2", user_id="carder", amount=1_000,
                                                type="topup", counter_account="clearing:stripe"))
    assert [(t.type, t.amount) for t in topup.transactions if t.account == "user:carder"] == [
        ("topup", 1_000), ("chargeback", -700)]
    assert (topup.wallets[0].balance, topup.wallets[0].receivable, topup.wallets[0].restricted) == (300, 0, False)
    held = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="dispute_dp_2", user_id="carder",
                                                       amount=5_000, type="debit", up_to_available=True))
    assert (held.hold.amount, held.wallet.available) == (300, 0)
    wallet.assert_audit_ok()
