"""Tax withheld at source through the payout workflow: the payout keeps the wallet hold's figures, the provider
is sent ``net_amount``, a reversal refunds what was reversed (a full one the tds too) and the wallet client
builds exactly those wallet calls. The use cases run over a real SQLite payout store, a wallet double that
answers like the wallet (each step replayed per payout) and a provider double that records what it was sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from payout_service.adapters.grpc_wallet import GrpcWallet, withholding_of
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import PayoutRequest, PayoutStatus, Withholding
from payout_service.domain.ports import PaymentsPort, ProviderOutcome, ProviderStatus, WalletPort
from payout_service.use_cases.facade import PayoutService
from tests.support.payouts import ADMIN, UPI
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import InvalidArgument, Unavailable

T = TypeVar("T")
USER = "usr_tax_player"
AMOUNT = 100_000
TDS = 30_000
NET = AMOUNT - TDS
FY = "2026-27"


def run(step: Awaitable[T]) -> T:
    return asyncio.run(step)  # type: ignore[arg-type]


@dataclass
class WalletDouble(WalletPort):
    """The wallet's payout steps as the wallet answers them: one hold per payout id with fixed tax figures,
    a capture per payout, a refund per key; ``balance`` is what the user has outside the hold."""

    tds: int = TDS
    net_winnings: int = AMOUNT
    holds: dict[str, Withholding] = field(default_factory=dict)
    captured: list[str] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)
    refunds: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)

    async def hold(self, payout: PayoutRequest) -> Withholding:
        tds = min(self.tds, payout.amount_minor)
        return self.holds.setdefault(payout.id, Withholding(tds, self.net_winnings, FY if tds else ""))

    async def capture(self, payout_id: str) -> str:
        if payout_id not in self.captured:
            self.captured.append(payout_id)
        return f"txn_capture_{payout_id}"

    async def void(self, payout_id: str) -> None:
        self.voided.append(payout_id)

    async def refund(self, payout: PayoutRequest, amount: int, amount_reversed: int) -> str:
        returned = payout.tds if amount_reversed == payout.net_amount else 0
        self.refunds.setdefault((payout.id, amount_reversed), (amount, returned))
        return f"txn_refund_{payout.id}_{amount_reversed}"


@dataclass
class ProviderDouble(PaymentsPort):
    """Records the amount of every payout sent and answers ``outcome``."""

    outcome: ProviderOutcome = field(default_factory=lambda: ProviderOutcome(ProviderStatus.PAID, "tr_1"))
    sent: list[tuple[str, int, str]] = field(default_factory=list)

    async def send_payout(self, payout: PayoutRequest) -> ProviderOutcome:
        self.sent.append((payout.id, payout.net_amount, payout.currency))
        return self.outcome

    async def get_payout(self, payout_id: str) -> ProviderOutcome | None:
        return self.outcome if any(s[0] == payout_id for s in self.sent) else None


@pytest.fixture
def store(tmp_path: Path) -> Any:
    store = SqlitePayoutStore(tmp_path / "payouts.db", synchronous="NORMAL")
    store.migrate()
    yield store
    store.close()


def service(store: SqlitePayoutStore, wallet: WalletDouble, provider: ProviderDouble) -> PayoutService:
    return PayoutService(store, wallet, provider)


def request(svc: PayoutService, amount: int = AMOUNT, key: str = "") -> PayoutRequest:
    payout, _ = run(svc.create(user_id=USER, amount_minor=amount, currency="INR", method_json=json.dumps(UPI),
                               idempotency_key=key))
    return payout


def test_the_request_keeps_the_holds_tax_before_it_is_shown_and_a_replay_answers_the_same(store: Any) -> None:
    wallet, provider = WalletDouble(), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc, key="k1")
    assert (payout.amount_minor, payout.tds, payout.net_amount, payout.net_winnings, payout.financial_year) == (
        AMOUNT, TDS, NET, AMOUNT, FY)
    stored = store.get(payout.id)
    assert stored.hold_placed and stored.payout.withholding == Withholding(TDS, AMOUNT, FY)
    again, replayed = run(svc.create(user_id=USER, amount_minor=AMOUNT, currency="INR",
                                     method_json=json.dumps(UPI), idempotency_key="k1"))
    assert replayed and again.id == payout.id
    assert (again.tds, again.net_amount, again.net_winnings, again.financial_year) == (TDS, NET, AMOUNT, FY)
    shown = run(svc.get(payout.id, USER))
    assert (shown.tds, shown.net_amount) == (TDS, NET)
    assert list(wallet.holds) == [payout.id]


def test_the_provider_is_sent_the_net_amount_and_the_capture_stays_the_holds(store: Any) -> None:
    wallet, provider = WalletDouble(), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc)
    paid = run(svc.approve(payout.id, ADMIN, None))
    assert paid.status is PayoutStatus.PAID
    assert provider.sent == [(payout.id, NET, "INR")]
    assert wallet.captured == [payout.id]
    assert (paid.transaction_id, paid.refunded_amount, paid.tds, paid.net_amount) == (
        f"txn_capture_{payout.id}", 0, TDS, NET)


def test_without_tax_the_provider_is_sent_the_whole_amount(store: Any) -> None:
    wallet, provider = WalletDouble(tds=0, net_winnings=0), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc, amount=25_000)
    assert (payout.tds, payout.net_amount, payout.net_winnings, payout.financial_year) == (0, 25_000, 0, "")
    run(svc.approve(payout.id, ADMIN, None))
    assert provider.sent == [(payout.id, 25_000, "INR")]


def test_a_partial_reversal_refunds_what_was_reversed_and_a_full_one_returns_the_tds(store: Any) -> None:
    wallet, provider = WalletDouble(), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc)
    run(svc.approve(payout.id, ADMIN, None))
    partly, changed = run(svc.record_provider_result(
        payout.id, ProviderOutcome(ProviderStatus.PAID, "tr_1", None, amount_reversed=20_000)))
    assert changed and partly.status is PayoutStatus.PAID and partly.refunded_amount == 20_000
    assert wallet.refunds == {(payout.id, 20_000): (20_000, 0)}
    fully, changed = run(svc.record_provider_result(
        payout.id, ProviderOutcome(ProviderStatus.FAILED, "tr_1", "Bank account closed", amount_reversed=NET)))
    assert changed and fully.status is PayoutStatus.FAILED
    assert wallet.refunds == {(payout.id, 20_000): (20_000, 0), (payout.id, NET): (NET - 20_000, TDS)}
    assert fully.refunded_amount == AMOUNT
    assert fully.refund_transaction_id == f"txn_refund_{payout.id}_{NET}"
    _, changed = run(svc.record_provider_result(
        payout.id, ProviderOutcome(ProviderStatus.FAILED, "tr_1", "Bank account closed", amount_reversed=NET)))
    assert not changed and len(wallet.refunds) == 2


def test_a_reversal_reported_beyond_what_was_sent_is_capped_at_the_net_amount(store: Any) -> None:
    wallet, provider = WalletDouble(), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc)
    run(svc.approve(payout.id, ADMIN, None))
    failed, _ = run(svc.record_provider_result(
        payout.id, ProviderOutcome(ProviderStatus.PAID, "tr_1", None, amount_reversed=AMOUNT)))
    assert failed.status is PayoutStatus.FAILED and failed.refunded_amount == AMOUNT
    assert wallet.refunds == {(payout.id, NET): (NET, TDS)}


def test_a_paid_payout_reported_failed_without_an_amount_is_reversed_in_full(store: Any) -> None:
    wallet, provider = WalletDouble(), ProviderDouble()
    svc = service(store, wallet, provider)
    payout = request(svc)
    run(svc.approve(payout.id, ADMIN, None))
    failed, _ = run(svc.record_provider_result(payout.id, ProviderOutcome(ProviderStatus.FAILED, "tr_1", "Returned")))
    assert failed.status is PayoutStatus.FAILED and failed.refunded_amount == AMOUNT
    assert wallet.refunds == {(payout.id, NET): (NET, TDS)}


def test_a_refused_payout_voids_the_hold_and_refunds_nothing(store: Any) -> None:
    wallet = WalletDouble()
    provider = ProviderDouble(ProviderOutcome(ProviderStatus.FAILED, None, "Invalid UPI id"))
    svc = service(store, wallet, provider)
    payout = request(svc)
    failed = run(svc.approve(payout.id, ADMIN, None))
    assert failed.status is PayoutStatus.FAILED
    assert (wallet.voided, wallet.captured, wallet.refunds) == ([payout.id], [], {})
    assert (failed.refunded_amount, failed.tds, failed.net_amount) == (0, TDS, NET)


# The aggregate's own rules for the figures.

def new_payout(amount: int = AMOUNT) -> PayoutRequest:
    return PayoutRequest.create(payout_id="payout_tax_1", user_id=USER, amount_minor=amount, currency="INR",
                                method=parse_payout_method(UPI), at=utc_now(), limits=DEFAULT_PAYOUT_LIMITS)


@pytest.mark.parametrize("tds, net_winnings, fy", [
    (-1, 0, ""), (0, -1, ""), (True, 0, ""), (1.5, 0, ""), ("30", 0, ""), (float("nan"), 0, ""), (10**19, 0, ""),
    (0, 0, "2026"), (0, 0, "26-27"), (0, 0, "2026-27x"), (0, 0, None),
])
def test_malformed_tax_figures_are_refused(tds: Any, net_winnings: Any, fy: Any) -> None:
    with pytest.raises((InvalidArgument, ValueError)):
        Withholding(tds, net_winnings, fy)


def test_tds_above_the_amount_is_refused_and_changes_nothing() -> None:
    payout = new_payout()
    with pytest.raises(ValueError, match="exceed"):
        payout.withhold(Withholding(AMOUNT + 1, AMOUNT, FY))
    assert (payout.tds, payout.net_amount, payout.net_winnings, payout.financial_year) == (0, AMOUNT, 0, "")


def test_a_reversal_cannot_exceed_what_the_provider_was_sent() -> None:
    payout = new_payout()
    payout.withhold(Withholding(TDS, AMOUNT, FY))
    payout.approve(ADMIN, None, at=utc_now())
    payout.mark_paid("tr_1", "txn_1", at=utc_now())
    with pytest.raises(ValueError, match="what was sent"):
        payout.record_reversal(NET + 1, "txn_r", None, at=utc_now())
    payout.record_reversal(NET - 1, "txn_r1", None, at=utc_now())
    assert (payout.status, payout.refunded_amount) == (PayoutStatus.PAID, NET - 1)
    payout.record_reversal(NET, "txn_r2", None, at=utc_now())
    assert (payout.status, payout.refunded_amount) == (PayoutStatus.FAILED, AMOUNT)


# The wallet client: what it reads from a hold and which call refunds a reversal.

def hold_pb(amount: int = AMOUNT, tds: int = TDS, net_amount: int = NET, net_winnings: int = AMOUNT,
            fy: str = FY) -> wallet_pb2.Hold:
    return wallet_pb2.Hold(id="payout_tax_1", user_id=USER, currency="INR", amount=amount, status="open",
                           tds=tds, net_amount=net_amount, net_winnings=net_winnings, financial_year=fy)


def test_the_holds_figures_are_read_and_a_wallet_without_tax_answers_none() -> None:
    assert withholding_of(hold_pb(), AMOUNT) == Withholding(TDS, AMOUNT, FY)
    assert withholding_of(hold_pb(tds=0, net_amount=AMOUNT, net_winnings=0, fy=FY), AMOUNT) == Withholding(0, 0, FY)
    assert withholding_of(hold_pb(tds=0, net_amount=0, net_winnings=0, fy=""), AMOUNT) == Withholding()


@pytest.mark.parametrize("figures", [
    {"net_amount": NET + 1}, {"tds": AMOUNT + 1, "net_amount": 0}, {"tds": -5, "net_amount": AMOUNT + 5},
    {"fy": "26-27"}, {"net_winnings": -1},
])
def test_tax_figures_that_do_not_add_up_are_an_upstream_error(figures: dict[str, Any]) -> None:
    with pytest.raises(Unavailable) as refused:
        withholding_of(hold_pb(**figures), AMOUNT)
    assert refused.value.code == "UPSTREAM_ERROR"


class StubDouble:
    """The wallet stub's ``Credit`` and ``Post``, recording each request."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    async def Credit(self, request: wallet_pb2.CreditRequest) -> wallet_pb2.PostingResult:
        self.calls.append(("Credit", request))
        return wallet_pb2.PostingResult(transactions=[wallet_pb2.Transaction(id="txn_user")])

    async def Post(self, request: wallet_pb2.PostRequest) -> wallet_pb2.PostingResult:
        self.calls.append(("Post", request))
        return wallet_pb2.PostingResult(transactions=[wallet_pb2.Transaction(id=f"txn_{i}") for i in range(3)])


def paid_payout(tds: int = TDS) -> PayoutRequest:
    payout = new_payout()
    payout.withhold(Withholding(tds, AMOUNT if tds else 0, FY if tds else ""))
    return payout


def test_a_full_reversal_with_tds_posts_the_tds_back_with_the_refund() -> None:
    stub = StubDouble()
    wallet = GrpcWallet(stub, provider="mock")  # type: ignore[arg-type]
    payout = paid_payout()
    assert run(wallet.refund(payout, NET, NET)) == "txn_2"
    [(name, posted)] = stub.calls
    assert name == "Post" and posted.idempotency_key == "payout_refund_payout_tax_1"
    assert [(leg.account, leg.amount, leg.currency, leg.type) for leg in posted.legs] == [
        ("clearing:mock", -NET, "INR", "refund"), ("tds_payable", -TDS, "INR", "refund"),
        (f"user:{USER}", AMOUNT, "INR", "refund")]
    assert posted.legs[2].idempotency_key == "payout_refund_payout_tax_1"
    assert dict(posted.metadata) == dict(posted.legs[2].metadata) == {
        "payoutId": "payout_tax_1", "amountReversed": str(NET)}
    assert posted.source == "payout_service"


def test_the_last_part_of_a_reversal_returns_the_tds_under_its_cumulative_key() -> None:
    stub = StubDouble()
    wallet = GrpcWallet(stub, provider="mock")  # type: ignore[arg-type]
    payout = paid_payout()
    run(wallet.refund(payout, 20_000, 20_000))
    run(wallet.refund(payout, NET - 20_000, NET))
    (first_name, first), (last_name, last) = stub.calls
    assert (first_name, first.idempotency_key, first.amount, first.counter_account) == (
        "Credit", "payout_refund_payout_tax_1_20000", 20_000, "clearing:mock")
    assert last_name == "Post" and last.idempotency_key == f"payout_refund_payout_tax_1_{NET}"
    assert [leg.amount for leg in last.legs] == [-(NET - 20_000), -TDS, NET - 20_000 + TDS]


def test_without_tds_a_full_reversal_is_the_credit_it_always_was() -> None:
    stub = StubDouble()
    wallet = GrpcWallet(stub, provider="mock")  # type: ignore[arg-type]
    payout = paid_payout(tds=0)
    assert run(wallet.refund(payout, AMOUNT, AMOUNT)) == "txn_user"
    [(name, credited)] = stub.calls
    assert (name, credited.idempotency_key, credited.amount, credited.type) == (
        "Credit", "payout_refund_payout_tax_1", AMOUNT, "refund")
