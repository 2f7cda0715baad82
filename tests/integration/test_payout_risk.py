"""Payout risk controls over a real payout gRPC server, wallet and provider double: maker-checker, daily
velocity limits and payouts held for review (shared destination, recent top-up), with the wallet's books
checked after each."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import grpc
import pytest
from pymongo import MongoClient

from payout_service.adapters.mongo_store import MongoPayoutStore
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.ports import PayoutStore
from payout_service.server import create_server
from payout_service.settings import PayoutSettings
from tests.conftest import WalletHarness
from tests.support.backends import BACKENDS, MONGO, fresh_mongo_database, skip_unless_available
from tests.support.errors import error_code
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.ids import new_user
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import ADMIN, OTHER_ADMIN, UPI
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.payouts.v1 import payouts_pb2_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.sealing import Sealer, decode_key

HOLDING = frozenset({"held", "requested", "awaiting_second_approval", "approved"})


class RiskHarness:
    """A payout server on ``store`` with the risk settings of ``env``, and a synchronous stub."""

    def __init__(self, store: PayoutStore, wallet: WalletHarness, payments_address: str, **env: str) -> None:
        self.wallet = wallet
        self.store = store
        store.migrate()
        settings = PayoutSettings.from_env({
            "INTERNAL_TOKEN": TEST_TOKEN, "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY,
            "WALLET_SERVICE_ADDR": wallet.server.address, "PAYMENTS_SERVICE_ADDR": payments_address,
            "PAYOUT_PROVIDER_TIMEOUT_SECONDS": "0.5", **env,
        })
        self.server = RunningServer(lambda: create_server(store, settings))
        self.channel = authed_channel(self.server.address)
        self.stub = payouts_pb2_grpc.PayoutServiceStub(self.channel)

    def request(self, user: str, amount: int, method: Any = None, key: str = "") -> pb.PayoutRequest:
        return self.stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
            user_id=user, amount=amount, currency="INR", method_json=json.dumps(method or UPI), idempotency_key=key,
        )).payout

    def approve(self, payout_id: str, admin: str = ADMIN) -> pb.PayoutRequest:
        return self.stub.ApprovePayout(pb.ApprovePayoutRequest(payout_id=payout_id, admin_id=admin))

    def release(self, payout_id: str, note: str = "Checked with the player", admin: str = ADMIN) -> pb.PayoutRequest:
        return self.stub.ReleasePayout(pb.ReleasePayoutRequest(payout_id=payout_id, admin_id=admin, note=note))

    def reject(self, payout_id: str, admin: str = ADMIN) -> pb.PayoutRequest:
        return self.stub.RejectPayout(pb.RejectPayoutRequest(payout_id=payout_id, admin_id=admin,
                                                             reason="Not the player's account"))

    def assert_books(self, user: str) -> None:
        """Wallet audit ok, and the user's held balance is exactly their payouts that hold funds."""
        self.wallet.assert_audit_ok()
        payouts = self.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user, limit=100)).payouts
        assert self.wallet.balance(user).held == sum(p.amount for p in payouts if p.status in HOLDING)

    def close(self) -> None:
        self.channel.close()
        self.server.stop()
        self.store.close()


def _sqlite(tmp_path: Path) -> PayoutStore:
    return SqlitePayoutStore(tmp_path / "payouts.sqlite3", synchronous="NORMAL")


@pytest.fixture
def harness_for(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer
                ) -> Iterator[Callable[..., RiskHarness]]:
    made: list[RiskHarness] = []

    def make(store: PayoutStore | None = None, **env: str) -> RiskHarness:
        made.append(RiskHarness(store or _sqlite(tmp_path), wallet, provider_server.address, **env))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


def _refusal(call: Callable[[], object]) -> tuple[grpc.StatusCode, str | None]:
    with pytest.raises(grpc.RpcError) as caught:
        call()
    return caught.value.code(), error_code(caught.value)


def _together(calls: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except grpc.RpcError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def test_limits_expose_the_risk_rules(harness_for: Callable[..., RiskHarness]) -> None:
    payouts = harness_for(PAYOUT_DUAL_APPROVAL_THRESHOLD="1000", PAYOUT_DAILY_COUNT="3",
                          PAYOUT_DAILY_AMOUNT="5000.50", PAYOUT_COOLDOWN_AFTER_TOPUP="2h")
    risk = payouts.stub.GetPayoutLimits(pb.GetPayoutLimitsRequest()).risk
    assert (risk.dual_approval_threshold, risk.daily_count, risk.daily_amount,
            risk.cooldown_after_topup_seconds) == (100_000, 3, 500_050, 7200)


def test_defaults_leave_every_rule_off(harness_for: Callable[..., RiskHarness], wallet: WalletHarness,
                                       provider_server: ProviderDoubleServer) -> None:
    payouts = harness_for()
    risk = payouts.stub.GetPayoutLimits(pb.GetPayoutLimitsRequest()).risk
    assert (risk.dual_approval_threshold, risk.daily_count, risk.daily_amount,
            risk.cooldown_after_topup_seconds) == (0, 0, 0, 0)
    user, other = new_user(), new_user()
    wallet.fund(user, 1_000_000)
    wallet.fund(other, 1_000_000)
    payouts.request(other, 10_000)
    for _ in range(6):
        payout = payouts.request(user, 100_000)
        assert payout.status == "requested" and not payout.needs_dual_approval
    assert payouts.approve(payout.id).status == "paid"
    payouts.assert_books(user)


def test_maker_checker_two_admins_then_one_provider_call(
        harness_for: Callable[..., RiskHarness], wallet: WalletHarness,
        provider_server: ProviderDoubleServer) -> None:
    payouts = harness_for(PAYOUT_DUAL_APPROVAL_THRESHOLD="1000")
    user = new_user()
    wallet.fund(user, 1_000_000)
    small = payouts.request(user, 99_999)
    assert not small.needs_dual_approval
    assert payouts.approve(small.id).status == "paid"
    large = payouts.request(user, 100_000)
    assert large.needs_dual_approval
    first = payouts.approve(large.id, ADMIN)
    assert first.status == "awaiting_second_approval"
    assert [a.by for a in first.approvals] == [ADMIN]
    assert provider_server.double.send_calls(large.id) == 0
    assert wallet.balance(user).held == 100_000
    assert _refusal(lambda: payouts.approve(large.id, ADMIN)) == (
        grpc.StatusCode.PERMISSION_DENIED, "SECOND_APPROVAL_SAME_ADMIN")
    assert _refusal(lambda: payouts.approve(large.id, user)) == (
        grpc.StatusCode.PERMISSION_DENIED, "SELF_APPROVAL_FORBIDDEN")
    listed = payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(status="awaiting_second_approval"))
    assert large.id in {p.id for p in listed.payouts}
    second = payouts.approve(large.id, OTHER_ADMIN)
    assert second.status == "paid"
    assert [a.by for a in second.approvals] == [ADMIN, OTHER_ADMIN]
    assert provider_server.double.send_calls(large.id) == 1
    payouts.assert_books(user)


def test_two_admins_at_once_give_one_awaiting_and_one_approved(
        harness_for: Callable[..., RiskHarness], wallet: WalletHarness,
        provider_server: ProviderDoubleServer) -> None:
    payouts = harness_for(PAYOUT_DUAL_APPROVAL_THRESHOLD="1000")
    user = new_user()
    wallet.fund(user, 1_000_000)
    payout = payouts.request(user, 200_000)
    results = _together([lambda: payouts.approve(payout.id, ADMIN), lambda: payouts.approve(payout.id, OTHER_ADMIN)])
    statuses = sorted(r.status for r in results if isinstance(r, pb.PayoutRequest))
    assert statuses == ["awaiting_second_approval", "paid"]
    assert provider_server.double.send_calls(payout.id) == 1
    payouts.assert_books(user)


def test_velocity_count_and_amount(harness_for: Callable[..., RiskHarness], wallet: WalletHarness) -> None:
    payouts = harness_for(PAYOUT_DAILY_COUNT="2", PAYOUT_DAILY_AMOUNT="1500")
    user, other = new_user(), new_user()
    wallet.fund(user, 1_000_000)
    wallet.fund(other, 1_000_000)
    payouts.request(user, 100_000)
    assert _refusal(lambda: payouts.request(user, 50_001)) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                               "LIMIT_EXCEEDED")
    second = payouts.request(user, 50_000, key="k-2")
    assert payouts.request(user, 50_000, key="k-2").id == second.id
    assert _refusal(lambda: payouts.request(user, 10_000)) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                               "LIMIT_EXCEEDED")
    assert wallet.balance(user).held == 150_000
    payouts.reject(second.id)
    assert _refusal(lambda: payouts.request(user, 10_000))[1] == "LIMIT_EXCEEDED"
    payouts.request(other, 150_000)
    payouts.assert_books(user)
    payouts.assert_books(other)


def test_a_request_the_wallet_refuses_frees_its_count(harness_for: Callable[..., RiskHarness],
                                                      wallet: WalletHarness) -> None:
    payouts = harness_for(PAYOUT_DAILY_COUNT="1")
    user = new_user()
    wallet.fund(user, 20_000)
    assert _refusal(lambda: payouts.request(user, 30_000))[1] == "INSUFFICIENT_FUNDS"
    payouts.request(user, 20_000)
    assert _refusal(lambda: payouts.request(user, 10_000))[1] == "LIMIT_EXCEEDED"
    payouts.assert_books(user)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ten_parallel_requests_against_a_count_of_three(
        backend: str, tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    skip_unless_available(backend)
    with ExitStack() as stack:
        store: PayoutStore = _sqlite(tmp_path)
        if backend == MONGO:
            uri = stack.enter_context(fresh_mongo_database("winzone_payout_risk"))
            client: MongoClient[dict[str, Any]] = MongoClient(uri, serverSelectionTimeoutMS=10_000)
            store = MongoPayoutStore(client, client.get_default_database().name,
                                     sealer=Sealer(decode_key(TEST_PAYOUT_METHOD_KEY, "PAYOUT_METHOD_KEY")))
        payouts = RiskHarness(store, wallet, provider_server.address, PAYOUT_DAILY_COUNT="3")
        stack.callback(payouts.close)
        user = new_user()
        wallet.fund(user, 1_000_000)
        results = _together([lambda: payouts.request(user, 10_000) for _ in range(10)])
        made = [r for r in results if isinstance(r, pb.PayoutRequest)]
        refused = [r for r in results if isinstance(r, grpc.RpcError)]
        assert len(made) == 3
        assert {error_code(r) for r in refused} == {"LIMIT_EXCEEDED"}
        assert wallet.balance(user).held == 30_000
        payouts.assert_books(user)


def test_shared_destination_held_then_released_then_approved(
        harness_for: Callable[..., RiskHarness], wallet: WalletHarness) -> None:
    payouts = harness_for(PAYOUT_HOLD_SHARED_DESTINATION="true")
    first, second = new_user(), new_user()
    wallet.fund(first, 100_000)
    wallet.fund(second, 100_000)
    mixed_case = {"type": "upi", "details": {"upiId": "Shared@PayTM", "name": "John Doe"}}
    assert payouts.request(first, 10_000, {"type": "upi", "details": {"upiId": "shared@paytm",
                                                                       "name": "John Doe"}}).status == "requested"
    assert payouts.request(first, 10_000, mixed_case).status == "requested"
    held = payouts.request(second, 10_000, mixed_case)
    assert held.status == "held"
    assert [r.rule for r in held.review_reasons] == ["shared_destination"]
    assert held.history[-1].status == "held" and held.history[-1].note == held.review_reasons[0].message
    assert wallet.balance(second).held == 10_000
    queue = payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(status="held")).payouts
    assert held.id in {p.id for p in queue}
    assert _refusal(lambda: payouts.approve(held.id)) == (grpc.StatusCode.FAILED_PRECONDITION, "PAYOUT_HELD")
    assert _refusal(lambda: payouts.release(held.id, admin=second))[1] == "SELF_APPROVAL_FORBIDDEN"
    released = payouts.release(held.id)
    assert released.status == "requested" and released.history[-1].note == "Checked with the player"
    assert [r.rule for r in released.review_reasons] == ["shared_destination"]
    assert _refusal(lambda: payouts.release(held.id))[1] == "INVALID_PAYOUT_STATE"
    assert payouts.approve(held.id).status == "paid"
    payouts.assert_books(first)
    payouts.assert_books(second)


def test_recent_topup_held_then_rejected_with_the_funds_back(
        harness_for: Callable[..., RiskHarness], wallet: WalletHarness) -> None:
    payouts = harness_for(PAYOUT_COOLDOWN_AFTER_TOPUP="1h")
    user = new_user()
    wallet.fund(user, 100_000)
    held = payouts.request(user, 40_000)
    assert held.status == "held"
    assert [r.rule for r in held.review_reasons] == ["recent_card_topup"]
    assert wallet.balance(user).held == 40_000
    report = payouts.stub.ReconcilePayouts(pb.ReconcilePayoutsRequest(min_age_seconds=0))
    assert (report.settled, report.errors) == (0, 0)
    assert payouts.stub.GetPayoutRequest(pb.GetPayoutRequestRequest(payout_id=held.id)).status == "held"
    keyed = payouts.request(user, 40_000, key="same")
    assert payouts.request(user, 40_000, key="same").id == keyed.id
    assert keyed.status == "held"
    payouts.reject(keyed.id)
    rejected = payouts.reject(held.id)
    assert rejected.status == "rejected"
    assert wallet.balance(user).held == 0
    assert wallet.balance(user).available == 100_000
    payouts.assert_books(user)


def test_a_user_without_topups_is_not_held(harness_for: Callable[..., RiskHarness], wallet: WalletHarness) -> None:
    payouts = harness_for(PAYOUT_COOLDOWN_AFTER_TOPUP="1h")
    user = new_user()
    wallet.stub.Credit(_credit(user))
    assert payouts.request(user, 10_000).status == "requested"
    payouts.assert_books(user)


def _credit(user: str) -> wallet_pb2.CreditRequest:
    return wallet_pb2.CreditRequest(idempotency_key=f"prize_{user}", user_id=user, amount=50_000, currency="INR",
                                    type="reward", counter_account="clearing:test")


@pytest.mark.parametrize(("payout_id", "admin", "note", "code"), [
    ("", ADMIN, "ok", "PAYOUT_NOT_FOUND"),
    ("payout_missing", ADMIN, "ok", "PAYOUT_NOT_FOUND"),
    ("../etc", ADMIN, "ok", "PAYOUT_NOT_FOUND"),
    ("x" * 10_000, ADMIN, "ok", "PAYOUT_NOT_FOUND"),
    (None, "", "ok", None),
    (None, ADMIN, "", "INVALID_NOTE"),
    (None, ADMIN, "   ", "INVALID_NOTE"),
    (None, ADMIN, "x" * 501, "INVALID_NOTE"),
    (None, ADMIN, "bad\x00note", "INVALID_NOTE"),
])
def test_release_refuses_bad_input(harness_for: Callable[..., RiskHarness], wallet: WalletHarness,
                                   payout_id: str | None, admin: str, note: str, code: str | None) -> None:
    payouts = harness_for(PAYOUT_COOLDOWN_AFTER_TOPUP="1h")
    user = new_user()
    wallet.fund(user, 100_000)
    held = payouts.request(user, 10_000)
    status, found = _refusal(lambda: payouts.release(held.id if payout_id is None else payout_id, note, admin))
    if code is not None:
        assert found == code
    assert status in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND)
    assert payouts.stub.GetPayoutRequest(pb.GetPayoutRequestRequest(payout_id=held.id)).status == "held"
    payouts.assert_books(user)
