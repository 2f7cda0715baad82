"""The payout workflow over real gRPC: a real wallet, a real payout service and store, a scripted provider.

Every allowed and every refused transition, the failure paths (provider decline, timeout, outage, a paid
payout reversed later), recovery of steps a crash interrupted, idempotency and masking. Every test that
moves money ends with ``assert_books_match``: wallet audit ok, each hold open exactly while its payout is
requested or approved, captured when paid, voided when failed or rejected.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import grpc
import pytest

from payout_service.adapters.grpc_wallet import capture_key
from payout_service.domain.model import HoldAction
from payout_service.domain.ports import PendingFunds
from payout_service.server import reconciler
from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_user
from tests.support.payout_provider_double import DOWN, FAILED, PENDING, SLOW, ProviderDouble, ProviderDoubleServer
from tests.support.payouts import ADMIN, BANK, UPI, PayoutHarness
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.clock import utc_now

FUNDS = 200_000


@pytest.fixture
def provider(provider_server: ProviderDoubleServer) -> ProviderDouble:
    return provider_server.double


@pytest.fixture
def payouts(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> Iterator[PayoutHarness]:
    harness = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, provider_server.address)
    yield harness
    harness.close()


@pytest.fixture
def user(wallet: WalletHarness) -> str:
    user_id = new_user()
    wallet.fund(user_id, FUNDS)
    return user_id


def _rpc_error(call: Callable[[], object]) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()
    return info.value


def _hold_transaction(wallet: WalletHarness, user_id: str, payout_id: str) -> wallet_pb2.Transaction:
    listed = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user_id, type="payout"))
    return next(t for t in listed.transactions if t.hold_id == payout_id)


def test_request_holds_funds_and_approval_pays_and_captures(payouts: PayoutHarness, wallet: WalletHarness,
                                                            provider: ProviderDouble, user: str) -> None:
    payout = payouts.request(user, 50_000, BANK)
    assert (payout.status, payout.amount, payout.currency) == ("requested", 50_000, "INR")
    assert payout.method.details["accountNumber"] == "XXXXXXXX4321"
    assert [(h.status, h.by) for h in payout.history] == [("requested", user)]
    balance = wallet.balance(user)
    assert (balance.balance, balance.held, balance.available) == (FUNDS, 50_000, FUNDS - 50_000)
    assert _hold_transaction(wallet, user, payout.id).status == "pending"

    paid = payouts.approve(payout.id, note="Looks good")
    assert paid.status == "paid"
    assert (paid.processed_by, paid.admin_note) == (ADMIN, "Looks good")
    assert paid.provider_reference == f"po_double_{payout.id}"
    assert [(h.status, h.by) for h in paid.history] == [("requested", user), ("approved", ADMIN),
                                                        ("paid", "provider")]
    assert paid.history[1].note == "Looks good"
    hold_tx = _hold_transaction(wallet, user, payout.id)
    assert paid.transaction_id == hold_tx.id and hold_tx.status == "completed"
    balance = wallet.balance(user)
    assert (balance.balance, balance.held, balance.available) == (FUNDS - 50_000, 0, FUNDS - 50_000)
    sent = provider.sent[payout.id].request
    assert (sent.amount, sent.method_type, sent.method_details["accountNumber"]) == (50_000, "bank", "123456784321")
    assert provider.send_calls(payout.id) == 1
    assert payouts.get(payout.id) == paid
    payouts.assert_books_match(user)


def test_rejection_releases_the_hold(payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble,
                                     user: str) -> None:
    payout = payouts.request(user, 30_000)
    rejected = payouts.reject(payout.id, "Account under review")
    assert (rejected.status, rejected.admin_note, rejected.processed_by) == ("rejected", "Account under review", ADMIN)
    assert [(h.status, h.note) for h in rejected.history][-1] == ("rejected", "Account under review")
    assert not rejected.HasField("transaction_id")
    balance = wallet.balance(user)
    assert (balance.balance, balance.held, balance.available) == (FUNDS, 0, FUNDS)
    assert _hold_transaction(wallet, user, payout.id).status == "failed"
    assert provider.send_calls() == 0
    payouts.assert_books_match(user)


def test_provider_failure_returns_the_funds(payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble,
                                            user: str) -> None:
    payout = payouts.request(user, 40_000)
    provider.behave(payout.id, FAILED)
    failed = payouts.approve(payout.id)
    assert failed.status == "failed" and failed.failure_reason == "Destination account closed"
    assert [h.status for h in failed.history] == ["requested", "approved", "failed"]
    assert failed.history[-1].note == "Destination account closed"
    balance = wallet.balance(user)
    assert (balance.balance, balance.held, balance.available) == (FUNDS, 0, FUNDS)
    payouts.assert_books_match(user)


def test_provider_timeout_leaves_approved_and_reconciliation_settles_it(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str) -> None:
    payout = payouts.request(user, 25_000)
    provider.behave(payout.id, SLOW)
    provider.slow_seconds = 1.5
    waiting = payouts.approve(payout.id)
    assert waiting.status == "approved"
    assert wallet.balance(user).held == 25_000
    payouts.assert_books_match(user)
    report = payouts.reconcile()
    assert (report.examined, report.settled, report.pending, report.errors) == (1, 1, 0, 0)
    paid = payouts.get(payout.id)
    assert paid.status == "paid" and paid.transaction_id
    assert provider.send_calls(payout.id) == 1
    assert wallet.balance(user).balance == FUNDS - 25_000
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user)


def test_provider_outage_is_retried_by_reconciliation_without_paying_twice(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str) -> None:
    payout = payouts.request(user, 25_000)
    provider.behave(payout.id, DOWN)
    assert payouts.approve(payout.id).status == "approved"
    report = payouts.reconcile()
    assert (report.examined, report.pending) == (1, 1)
    provider.behave(payout.id, "paid")
    assert payouts.reconcile().settled == 1
    assert payouts.get(payout.id).status == "paid"
    assert provider.payouts_made() == 1
    assert wallet.balance(user).balance == FUNDS - 25_000
    payouts.assert_books_match(user)


def test_pending_outcome_waits_for_the_webhook_which_is_idempotent(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str) -> None:
    payout = payouts.request(user, 60_000)
    provider.behave(payout.id, PENDING)
    assert payouts.approve(payout.id).status == "approved"
    assert payouts.reconcile().pending == 1
    pending = payouts.provider_result(payout.id, "pending")
    assert (pending.payout.status, pending.changed) == ("approved", False)
    first = payouts.provider_result(payout.id, "paid", reference="tr_123")
    assert (first.payout.status, first.changed, first.payout.provider_reference) == ("paid", True, "tr_123")
    again = payouts.provider_result(payout.id, "paid", reference="tr_123")
    assert (again.payout, again.changed) == (first.payout, False)
    assert wallet.balance(user).balance == FUNDS - 60_000
    payouts.assert_books_match(user)


def test_paid_then_failed_refunds_once_with_history(payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    payout = payouts.request(user, 70_000)
    assert payouts.approve(payout.id).status == "paid"
    reversed_ = payouts.provider_result(payout.id, "failed", reason="Transfer was reversed")
    assert (reversed_.payout.status, reversed_.changed) == ("failed", True)
    assert reversed_.payout.failure_reason == "Transfer was reversed"
    assert reversed_.payout.refund_transaction_id
    assert [h.status for h in reversed_.payout.history] == ["requested", "approved", "paid", "failed"]
    for _ in range(3):
        again = payouts.provider_result(payout.id, "failed", reason="Transfer was reversed")
        assert again.changed is False
    assert payouts.reconcile().examined == 0
    refunds = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user, type="refund"))
    assert refunds.total == 1
    assert refunds.transactions[0].id == reversed_.payout.refund_transaction_id
    assert refunds.transactions[0].amount == 70_000
    balance = wallet.balance(user)
    assert (balance.balance, balance.held) == (FUNDS, 0)
    payouts.assert_books_match(user)


def _in_status(payouts: PayoutHarness, provider: ProviderDouble, user: str, status: str) -> pb.PayoutRequest:
    payout = payouts.request(user, 10_000)
    if status == "approved":
        provider.behave(payout.id, PENDING)
        return payouts.approve(payout.id)
    if status == "paid":
        return payouts.approve(payout.id)
    if status == "failed":
        provider.behave(payout.id, FAILED)
        return payouts.approve(payout.id)
    if status == "rejected":
        return payouts.reject(payout.id)
    return payout


ACTIONS: dict[str, Callable[[PayoutHarness, str], object]] = {
    "approve": lambda h, pid: h.approve(pid, admin="usr_admin_9"),
    "reject": lambda h, pid: h.reject(pid, admin="usr_admin_9"),
    "provider paid": lambda h, pid: h.provider_result(pid, "paid"),
    "provider failed": lambda h, pid: h.provider_result(pid, "failed", reason="Bank rejected"),
}

OUTCOMES: dict[tuple[str, str], str | None] = {
    ("requested", "approve"): "paid", ("requested", "reject"): "rejected",
    ("approved", "provider paid"): "paid", ("approved", "provider failed"): "failed",
    ("paid", "provider paid"): "paid", ("paid", "provider failed"): "failed",
    ("failed", "provider failed"): "failed",
}
"""Where each action takes a payout in each status; any pair not listed is refused (FAILED_PRECONDITION)."""


@pytest.mark.parametrize("status", ["requested", "approved", "paid", "failed", "rejected"])
def test_every_allowed_and_refused_transition(payouts: PayoutHarness, wallet: WalletHarness,
                                              provider: ProviderDouble, status: str) -> None:
    for action, act in ACTIONS.items():
        user = new_user()
        wallet.fund(user, 50_000)
        payout = _in_status(payouts, provider, user, status)
        assert payout.status == status
        before = wallet.balance(user)
        target = OUTCOMES.get((status, action))
        if target is None:
            error = _rpc_error(lambda act=act, pid=payout.id: act(payouts, pid))
            assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, (status, action)
            assert error_code(error) == "INVALID_PAYOUT_STATE"
            assert payouts.get(payout.id) == payout
            assert wallet.balance(user) == before
        else:
            act(payouts, payout.id)
            assert payouts.get(payout.id).status == target, (status, action)
        payouts.assert_books_match(user)


def test_refused_requests_change_nothing(payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    payout = payouts.request(user, 10_000)
    no_reason = _rpc_error(lambda: payouts.reject(payout.id, reason=""))
    assert (no_reason.code(), error_code(no_reason)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_REASON")
    own = _rpc_error(lambda: payouts.approve(payout.id, admin=user))
    assert (own.code(), error_code(own)) == (grpc.StatusCode.PERMISSION_DENIED, "SELF_APPROVAL_FORBIDDEN")
    long_note = _rpc_error(lambda: payouts.approve(payout.id, note="x" * 501))
    assert long_note.code() == grpc.StatusCode.INVALID_ARGUMENT
    for unknown in ("payout_nope", "", "x" * 300, '{"$ne": null}'):
        missing = _rpc_error(lambda unknown=unknown: payouts.approve(unknown))
        assert (missing.code(), error_code(missing)) == (grpc.StatusCode.NOT_FOUND, "PAYOUT_NOT_FOUND")
    other = _rpc_error(lambda: payouts.stub.GetPayoutRequest(pb.GetPayoutRequestRequest(
        payout_id=payout.id, user_id=new_user())))
    assert other.code() == grpc.StatusCode.NOT_FOUND
    assert payouts.get(payout.id) == payout
    assert wallet.balance(user).held == 10_000
    payouts.assert_books_match(user)


@pytest.mark.parametrize(("amount", "code"), [
    (9_999, "INVALID_AMOUNT"), (5_000_001, "INVALID_AMOUNT"), (0, "INVALID_AMOUNT"), (-10_000, "INVALID_AMOUNT"),
])
def test_amount_outside_the_limits_is_refused(payouts: PayoutHarness, wallet: WalletHarness, user: str,
                                              amount: int, code: str) -> None:
    error = _rpc_error(lambda: payouts.request(user, amount))
    assert (error.code(), error_code(error)) == (grpc.StatusCode.INVALID_ARGUMENT, code)
    assert wallet.balance(user).held == 0
    payouts.assert_books_match(user)


def test_amount_above_available_is_insufficient_funds_and_leaves_no_record(
        payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    payouts.request(user, FUNDS - 10_000)
    error = _rpc_error(lambda: payouts.request(user, 20_000, key="too-much"))
    assert (error.code(), error_code(error)) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS")
    listed = payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user))
    assert listed.total == 1
    assert payouts.store.find_by_key(user, "too-much") is None
    withdrawn = payouts.store.needing_attention(utc_now(), 10)
    assert [(r.payout.amount_minor, r.hold_placed, r.withdrawn) for r in withdrawn] == [(20_000, False, True)]
    assert payouts.reconcile().settled == 1
    assert payouts.store.get(withdrawn[0].payout.id) is None
    assert wallet.balance(user).held == FUNDS - 10_000
    payouts.assert_books_match(user)


@pytest.mark.parametrize("method", [
    None, "null", "[]", '"upi"', "{not json", json.dumps({"type": "paypal", "details": {}}),
    json.dumps({"type": "upi"}), json.dumps({"type": "upi", "details": {"upiId": "nope", "name": "A"}}),
    json.dumps({"type": "bank", "details": {**BANK["details"], "accountNumber": "12345678"}}),
    json.dumps({"type": "bank", "details": {**BANK["details"], "ifsc": "HDFC1001234"}}),
    json.dumps({"type": "upi", "details": {"upiId": {"$ne": None}, "name": "A"}}),
    json.dumps({"$ne": None}),
])
def test_invalid_methods_are_refused(payouts: PayoutHarness, wallet: WalletHarness, user: str,
                                     method: str | None) -> None:
    request = pb.CreatePayoutRequestRequest(user_id=user, amount=10_000, method_json=method or "")
    error = _rpc_error(lambda: payouts.stub.CreatePayoutRequest(request))
    assert (error.code(), error_code(error)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAYOUT_METHOD")
    assert wallet.balance(user).held == 0


def test_idempotency_key_returns_the_first_payout_and_refuses_a_different_request(
        payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    first = payouts.stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
        user_id=user, amount=15_000, method_json=json.dumps(UPI), idempotency_key="key-1"))
    again = payouts.stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
        user_id=user, amount=15_000, currency="INR", method_json=json.dumps(UPI, indent=2), idempotency_key="key-1"))
    assert (first.replayed, again.replayed) == (False, True)
    assert again.payout == first.payout
    for changed in (16_000, 15_000):
        method = UPI if changed != 15_000 else {"type": "upi", "details": {"upiId": "other@upi", "name": "John Doe"}}
        conflict = _rpc_error(lambda changed=changed, method=method: payouts.request(user, changed, method,
                                                                                   key="key-1"))
        assert (conflict.code(), error_code(conflict)) == (grpc.StatusCode.ALREADY_EXISTS, "IDEMPOTENCY_CONFLICT")
    someone_else = new_user()
    wallet.fund(someone_else, 50_000)
    theirs = payouts.request(someone_else, 15_000, key="key-1")
    assert theirs.id != first.payout.id
    assert wallet.balance(user).held == 15_000
    payouts.assert_books_match(user)
    payouts.assert_books_match(someone_else)


def test_lists_are_paged_filtered_and_newest_first(payouts: PayoutHarness, wallet: WalletHarness,
                                                   provider: ProviderDouble, user: str) -> None:
    created = [payouts.request(user, 10_000 + i) for i in range(5)]
    payouts.reject(created[0].id)
    provider.behave(created[1].id, FAILED)
    payouts.approve(created[1].id)
    page = payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user, page=1, limit=2))
    assert (page.total, page.page, page.limit) == (5, 1, 2)
    assert [p.id for p in page.payouts] == [created[4].id, created[3].id]
    requested = payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(status="requested"))
    assert {p.id for p in requested.payouts} >= {c.id for c in created[2:]}
    assert all(p.status == "requested" for p in requested.payouts)
    bad = _rpc_error(lambda: payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(status="paused")))
    assert (bad.code(), error_code(bad)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_STATUS")
    too_big = _rpc_error(lambda: payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(limit=101)))
    assert too_big.code() == grpc.StatusCode.INVALID_ARGUMENT
    payouts.assert_books_match(user)


def _unconfirm(payouts: PayoutHarness, payout_id: str) -> None:
    """As if the service crashed after the wallet placed the hold, before it confirmed the record."""
    record = payouts.store.get(payout_id)
    assert record is not None
    record.hold_placed = False
    assert payouts.store.save(record, record.payout.version)


def test_reconcile_finishes_a_keyed_hold_a_crash_left_unconfirmed(payouts: PayoutHarness, wallet: WalletHarness,
                                                                  user: str) -> None:
    payout = payouts.request(user, 10_000, key="crashed-once")
    _unconfirm(payouts, payout.id)
    missing = _rpc_error(lambda: payouts.get(payout.id))
    assert missing.code() == grpc.StatusCode.NOT_FOUND
    assert payouts.reconcile().settled == 1
    assert payouts.get(payout.id).status == "requested"
    assert wallet.balance(user).held == 10_000
    retried = payouts.stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
        user_id=user, amount=10_000, method_json=json.dumps(UPI), idempotency_key="crashed-once"))
    assert (retried.payout.id, retried.replayed) == (payout.id, True)
    payouts.assert_books_match(user)


def test_a_client_retry_finishes_a_keyed_hold_a_crash_left_unconfirmed(
        payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    payout = payouts.request(user, 10_000, key="retry-me")
    _unconfirm(payouts, payout.id)
    assert payouts.request(user, 10_000, key="retry-me").id == payout.id
    assert payouts.get(payout.id).status == "requested"
    assert payouts.reconcile().examined == 0
    assert wallet.balance(user).held == 10_000
    payouts.assert_books_match(user)


def test_reconcile_withdraws_an_unkeyed_request_a_crash_left_unconfirmed(
        payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    """The client was told its request failed and holds no key to find it by: the request is withdrawn and its
    hold released, rather than turning into a payout behind the back of a client that may have retried."""
    payout = payouts.request(user, 10_000)
    _unconfirm(payouts, payout.id)
    assert wallet.balance(user).held == 10_000
    report = payouts.reconcile()
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    assert payouts.store.get(payout.id) is None
    assert wallet.balance(user).held == 0
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user, withdrawn={payout.id})


def test_reconcile_finishes_a_release_and_a_refund_a_crash_interrupted(
        payouts: PayoutHarness, wallet: WalletHarness, user: str) -> None:
    rejected = payouts.request(user, 10_000)
    record = payouts.store.get(rejected.id)
    assert record is not None
    version = record.payout.version
    record.payout.reject(ADMIN, "Fraud check", at=utc_now())
    record.pending = PendingFunds(HoldAction.VOID)
    assert payouts.store.save(record, version)
    assert wallet.balance(user).held == 10_000

    paid = payouts.approve(payouts.request(user, 20_000).id)
    record = payouts.store.get(paid.id)
    assert record is not None
    record.pending = PendingFunds(HoldAction.REFUND, "Reversed", "tr_9")
    assert payouts.store.save(record, record.payout.version)

    report = payouts.reconcile()
    assert (report.examined, report.settled) == (2, 2)
    assert payouts.get(rejected.id).status == "rejected"
    refunded = payouts.get(paid.id)
    assert (refunded.status, refunded.failure_reason) == ("failed", "Reversed")
    balance = wallet.balance(user)
    assert (balance.balance, balance.held) == (FUNDS, 0)
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user)


def test_reconcile_resends_an_approval_the_provider_never_saw_and_captures_one_it_paid(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str) -> None:
    never_sent = payouts.request(user, 10_000)
    paid_uncaptured = payouts.request(user, 20_000)
    for payout in (never_sent, paid_uncaptured):
        record = payouts.store.get(payout.id)
        assert record is not None
        version = record.payout.version
        record.payout.approve(ADMIN, None, at=utc_now())
        assert payouts.store.save(record, version)
    provider.preset(paid_uncaptured.id, 20_000)
    report = payouts.reconcile()
    assert (report.examined, report.settled) == (2, 2)
    assert provider.send_calls(never_sent.id) == 1 and provider.send_calls(paid_uncaptured.id) == 0
    assert payouts.get(never_sent.id).status == payouts.get(paid_uncaptured.id).status == "paid"
    assert wallet.balance(user).balance == FUNDS - 30_000
    payouts.assert_books_match(user)


def _approve_in_store(payouts: PayoutHarness, payout_id: str) -> None:
    """As if an approval was recorded and the service crashed before it called the provider."""
    record = payouts.store.get(payout_id)
    assert record is not None
    version = record.payout.version
    record.payout.approve(ADMIN, None, at=utc_now())
    assert payouts.store.save(record, version)


@pytest.mark.parametrize("settle", ["webhook", "reconcile"])
def test_a_reversal_of_a_payout_captured_but_not_yet_recorded_as_paid_is_refunded_once(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str, settle: str) -> None:
    """The provider paid and the hold was captured, but the service crashed before recording ``paid``; then
    the provider reverses the transfer. The hold cannot be voided any more: the money must come back as one
    refund, and the payout must end ``failed`` instead of staying ``approved`` for ever."""
    payout = payouts.request(user, 30_000)
    _approve_in_store(payouts, payout.id)
    provider.preset(payout.id, 30_000)
    wallet.stub.CaptureHold(wallet_pb2.CaptureHoldRequest(
        idempotency_key=capture_key(payout.id), hold_id=payout.id, counter_account="clearing:mock",
        description="Payout paid"))
    assert wallet.balance(user).balance == FUNDS - 30_000
    provider.settle(payout.id, FAILED, "Transfer was reversed")
    if settle == "webhook":
        result = payouts.provider_result(payout.id, "failed", reason="Transfer was reversed")
        assert (result.payout.status, result.changed) == ("failed", True)
    else:
        report = payouts.reconcile()
        assert (report.settled, report.errors) == (1, 0)
    final = payouts.get(payout.id)
    assert [h.status for h in final.history] == ["requested", "approved", "paid", "failed"]
    assert final.transaction_id == _hold_transaction(wallet, user, payout.id).id
    assert final.refund_transaction_id
    refunds = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user, type="refund"))
    assert refunds.total == 1 and refunds.transactions[0].amount == 30_000
    assert (wallet.balance(user).balance, wallet.balance(user).held) == (FUNDS, 0)
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user)


@pytest.mark.parametrize("status", ["paid", "failed"])
def test_an_unusable_provider_reference_does_not_stop_the_settlement(
        payouts: PayoutHarness, wallet: WalletHarness, provider: ProviderDouble, user: str, status: str) -> None:
    """The wallet step is taken before the payout is recorded, so recording must not refuse the provider's
    answer afterwards (here: a reference over the 255 characters we keep)."""
    payout = payouts.request(user, 10_000)
    provider.preset(payout.id, 10_000, status)
    provider.sent[payout.id].result.provider_reference = "tr_" + "9" * 300
    settled = payouts.approve(payout.id)
    assert settled.status == status
    assert len(settled.provider_reference or settled.id) <= 255
    assert payouts.reconcile().examined == 0
    payouts.assert_books_match(user)


def test_payouts_the_provider_keeps_pending_do_not_starve_newer_ones(
        tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    harness = PayoutHarness(tmp_path / "batches.sqlite3", wallet, provider_server.address,
                            PAYOUT_RECONCILE_BATCH="2")
    provider = provider_server.double
    try:
        user = new_user()
        wallet.fund(user, 100_000)
        stuck = []
        for _ in range(3):
            payout = harness.request(user, 10_000)
            provider.behave(payout.id, PENDING)
            stuck.append(harness.approve(payout.id))
        never_sent = harness.request(user, 10_000)
        provider.behave(never_sent.id, DOWN)
        assert harness.approve(never_sent.id).status == "approved"
        provider.behave(never_sent.id, "paid")
        report = harness.reconcile()
        assert (report.examined, report.settled, report.pending, report.errors) == (4, 1, 3, 0)
        assert harness.get(never_sent.id).status == "paid"
        assert all(harness.get(p.id).status == "approved" for p in stuck)
        harness.assert_books_match(user)
    finally:
        harness.close()


def test_methods_are_masked_in_every_response_and_log_line(payouts: PayoutHarness, wallet: WalletHarness,
                                                           provider: ProviderDouble, user: str,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = ("123456784321", "player@paytm", "acct_1A2b3C4d5E6f")
    stripe = {"type": "stripe", "details": {"accountId": "acct_1A2b3C4d5E6f"}}
    responses = []
    for method in (BANK, UPI, stripe):
        payout = payouts.request(user, 10_000, method)
        responses.append(payout)
        provider.behave(payout.id, FAILED)
        responses.append(payouts.approve(payout.id))
    responses.append(payouts.provider_result(responses[0].id, "failed"))
    responses.append(payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user)))
    text = " ".join(str(r) for r in responses)
    assert "XXXXXXXX4321" in text and "pl****@paytm" in text and "acct_****5E6f" in text
    logged = " ".join(r.getMessage() + json.dumps(getattr(r, "fields", {}), default=str) for r in caplog.records)
    assert "payout_" in logged
    for secret in secrets:
        assert secret not in text
        assert secret not in logged
    payouts.assert_books_match(user)


def test_periodic_reconciliation_settles_a_timed_out_payout(tmp_path: Path, wallet: WalletHarness,
                                                            provider_server: ProviderDoubleServer) -> None:
    harness = PayoutHarness(tmp_path / "periodic.sqlite3", wallet, provider_server.address,
                            PAYOUT_RECONCILE_INTERVAL_SECONDS="1", PAYOUT_RECONCILE_GRACE_SECONDS="0")
    try:
        user = new_user()
        wallet.fund(user, 50_000)
        payout = harness.request(user, 20_000)
        provider_server.double.behave(payout.id, SLOW)
        provider_server.double.slow_seconds = 1.0
        assert harness.approve(payout.id).status == "approved"
        periodic = reconciler(harness.server.serving.service, harness.settings)

        async def start() -> None:
            periodic.start()

        harness.server.thread.run(start())
        try:
            deadline = time.monotonic() + 10
            while harness.get(payout.id).status == "approved" and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            harness.server.thread.run(periodic.stop())
        assert harness.get(payout.id).status == "paid"
        assert provider_server.double.send_calls(payout.id) == 1
        harness.assert_books_match(user)
    finally:
        harness.close()


@pytest.mark.parametrize(("code", "status"), [("INVALID_PAYOUT_DESTINATION", "failed"),
                                              ("SOMETHING_NEW", "approved")])
def test_only_definite_refusals_release_the_funds(payouts: PayoutHarness, wallet: WalletHarness,
                                                  provider: ProviderDouble, user: str, code: str,
                                                  status: str) -> None:
    from tests.support.payout_provider_double import REFUSE_PREFIX

    payout = payouts.request(user, 30_000)
    provider.behave(payout.id, REFUSE_PREFIX + code)
    after = payouts.approve(payout.id)
    assert after.status == status
    held = wallet.balance(user).held
    assert held == (0 if status == "failed" else 30_000)
    payouts.assert_books_match(user)
