"""The payment gateway over real gRPC (real SQLite store, real wallet server, mock provider).

Exactly-once crediting under parallel webhook deliveries and verify racing webhooks, the checkout event
types (completed paid/unpaid, async succeeded/failed, expired, payment_intent.payment_failed, unknown),
amount and currency mismatches, payout events without a payout service, and SendPayout / GetPayout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from payment_gateway.adapters.mock_events import build_signed_event
from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_user
from tests.support.payments import MOCK_SECRET, PaymentsHarness, mock_event, user_topups
from winzone.payments.v1 import payments_pb2 as pb


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet)
    yield harness
    harness.close()


def _verify(payments: PaymentsHarness, user: str, session_id: str) -> pb.VerifyTopUpResponse:
    return payments.stub.VerifyTopUp(pb.VerifyTopUpRequest(user_id=user, session_id=session_id))


def test_the_same_event_delivered_ten_times_in_parallel_credits_once(
    payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user = new_user()
    session = payments.create(user, 150_000)
    body, headers = mock_event("checkout.session.completed", session)
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda _: payments.webhook(body, headers).outcome, range(10)))
    assert outcomes.count("applied") >= 1
    assert set(outcomes) <= {"applied", "duplicate", "ignored"}
    assert wallet.balance(user).balance == 150_000
    credits = user_topups(wallet, user)
    assert len(credits) == 1
    assert credits[0].idempotency_key == f"topup_{session.id}"
    assert payments.session(session.id).status == "credited"
    assert payments.session(session.id).transaction_id == credits[0].id
    wallet.assert_audit_ok()


def test_verify_racing_webhooks_credits_once(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    user = new_user()
    session = payments.create(user, 99_900)

    def deliver(i: int) -> str:
        if i % 2:
            return _verify(payments, user, session.id).session.status
        body, headers = mock_event("checkout.session.completed", session)
        return payments.webhook(body, headers).outcome

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(deliver, range(20)))
    assert wallet.balance(user).balance == 99_900
    assert len(user_topups(wallet, user)) == 1
    final = _verify(payments, user, session.id)
    assert final.session.status == "credited"
    assert final.transaction.amount == 99_900
    wallet.assert_audit_ok()


def test_completed_but_unpaid_credits_nothing_until_async_payment_succeeds(
    payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user = new_user()
    session = payments.create(user)
    unpaid = payments.webhook(*mock_event("checkout.session.completed", session, payment_status="unpaid"))
    assert unpaid.outcome == "ignored"
    assert unpaid.event.status == "unpaid"
    assert payments.session(session.id).status == "created"
    assert wallet.balance(user).balance == 0

    intent = pb.TopUpSession(id=session.id, provider_ref="pi_123", amount=session.amount, currency="INR")
    failed_attempt = payments.webhook(*build_signed_event(
        "payment_intent.payment_failed",
        {"id": intent.provider_ref, "object": "payment_intent", "metadata": {"session_id": session.id},
         "last_payment_error": {"message": "Your card was declined."}},
        secret=MOCK_SECRET,
    ))
    assert failed_attempt.outcome == "ignored"
    assert payments.session(session.id).status == "created"

    succeeded = payments.webhook(*mock_event("checkout.session.async_payment_succeeded", session))
    assert succeeded.outcome == "applied"
    assert payments.session(session.id).status == "credited"
    assert wallet.balance(user).balance == session.amount
    wallet.assert_audit_ok()


def test_async_payment_failed_and_expired_close_the_session_without_money(
    payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user = new_user()
    failing, expiring = payments.create(user), payments.create(user)
    failed = payments.webhook(*mock_event("checkout.session.async_payment_failed", failing, payment_status="unpaid"))
    expired = payments.webhook(*mock_event("checkout.session.expired", expiring, payment_status="unpaid"))
    assert (failed.outcome, failed.session.status) == ("applied", "failed")
    assert (expired.outcome, expired.session.status) == ("applied", "expired")
    assert payments.session(failing.id).status == "failed"
    assert payments.session(expiring.id).status == "expired"
    assert wallet.balance(user).balance == 0
    again = payments.webhook(*mock_event("checkout.session.expired", expiring, payment_status="unpaid"))
    assert again.outcome == "ignored"


def test_expired_after_credited_changes_nothing(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    user = new_user()
    session = payments.create(user)
    assert _verify(payments, user, session.id).session.status == "credited"
    late = payments.webhook(*mock_event("checkout.session.expired", session, payment_status="unpaid"))
    assert late.outcome == "ignored"
    assert payments.session(session.id).status == "credited"
    assert wallet.balance(user).balance == session.amount
    wallet.assert_audit_ok()


@pytest.mark.parametrize(("amount", "currency"), [(1, None), (100_001, None), (100_000, "USD")])
def test_amount_or_currency_mismatch_credits_nothing_and_alerts(
    payments: PaymentsHarness, wallet: WalletHarness, caplog: pytest.LogCaptureFixture, amount: int,
    currency: str | None,
) -> None:
    user = new_user()
    session = payments.create(user, 100_000)
    with caplog.at_level(logging.ERROR, logger="winzone.payments"):
        reply = payments.webhook(*mock_event("checkout.session.completed", session, amount=amount,
                                             currency=currency))
    assert reply.outcome == "mismatch"
    assert any(getattr(r, "fields", {}).get("alert") == "topup_amount_mismatch" for r in caplog.records)
    assert payments.session(session.id).status == "created"
    assert wallet.balance(user).balance == 0
    assert wallet.balance(user, "USD").balance == 0
    assert payments.webhook(*mock_event("checkout.session.completed", session)).outcome == "applied"
    assert wallet.balance(user).balance == 100_000
    wallet.assert_audit_ok()


def test_unknown_event_types_are_acknowledged(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    reply = payments.webhook(*build_signed_event("customer.created", {"id": "cus_1"}, secret=MOCK_SECRET))
    assert (reply.event.type, reply.outcome) == ("customer.created", "ignored")
    wallet.assert_audit_ok()


def test_payout_events_without_a_payout_service_are_acknowledged_and_not_recorded(
    payments: PaymentsHarness,
) -> None:
    body, headers = build_signed_event(
        "transfer.reversed",
        {"id": "tr_1", "object": "transfer", "amount": 50_000, "currency": "inr", "transfer_group": "pay_1",
         "metadata": {"payout_id": "pay_1"}, "reversed": True},
        secret=MOCK_SECRET,
    )
    reply = payments.webhook(body, headers)
    assert reply.outcome == "unrouted"
    assert (reply.event.payout_id, reply.event.status) == ("pay_1", "failed")
    assert not payments.store.event_processed("mock", reply.event.event_id)


def test_create_topup_session_validates_and_is_idempotent_per_user(payments: PaymentsHarness) -> None:
    user = new_user()
    for amount, currency in ((999, "INR"), (10_000_001, "INR"), (0, "INR"), (100_000, "EUR"), (100_000, "inr")):
        with pytest.raises(grpc.RpcError) as info:
            payments.create(user, amount, currency)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    first = payments.create(user, 100_000, key="k1")
    assert payments.create(user, 100_000, key="k1").id == first.id
    with pytest.raises(grpc.RpcError) as info:
        payments.create(user, 100_001, key="k1")
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert error_code(info.value) == "IDEMPOTENCY_CONFLICT"
    with pytest.raises(grpc.RpcError) as info:
        payments.create(user, 100_000, key="bad key with spaces")
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = set(pool.map(lambda _: payments.create(user, 100_000, key="k2").id, range(8)))
    assert len(ids) == 1
    assert payments.create(user, 100_000, key="k2").checkout_url.endswith(payments.session(ids.pop()).provider_ref)


def test_verify_needs_the_owner(payments: PaymentsHarness) -> None:
    session = payments.create(new_user())
    for user in (new_user(), ""):
        with pytest.raises(grpc.RpcError) as info:
            _verify(payments, user, session.id)
        assert info.value.code() == grpc.StatusCode.NOT_FOUND


def _send(payments: PaymentsHarness, payout_id: str, amount: int = 50_000, method: str = "upi",
          **details: str) -> pb.PayoutResult:
    request = pb.SendPayoutRequest(payout_id=payout_id, user_id="usr_1", amount=amount, currency="INR",
                                   method_type=method, method_details=details or {"upiId": "player@paytm",
                                                                                  "name": "Player"})
    return payments.stub.SendPayout(request).result


def test_send_payout_and_get_payout_pass_through_to_the_mock_provider(payments: PaymentsHarness) -> None:
    paid = _send(payments, "pay_ok")
    assert (paid.status, paid.payout_id, paid.provider, paid.amount, paid.currency) == (
        "paid", "pay_ok", "mock", 50_000, "INR")
    assert paid.provider_reference.startswith("mock_payout_")
    assert _send(payments, "pay_ok") == paid

    declined = _send(payments, "pay_declined", upiId="fail@paytm", name="Player")
    assert (declined.status, declined.provider_reference) == ("failed", "")
    assert declined.failure_reason

    bank = _send(payments, "pay_bank", method="bank", accountNumber="123456789012", ifsc="HDFC0001234",
                 accountHolderName="Player")
    assert bank.status == "paid"

    found = payments.stub.GetPayout(pb.GetPayoutRequest(payout_id="pay_ok"))
    assert found.found and found.result == paid
    assert not payments.stub.GetPayout(pb.GetPayoutRequest(payout_id="pay_never_sent")).found

    with pytest.raises(grpc.RpcError) as info:
        _send(payments, "pay_ok", amount=60_000)
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    for payout_id, amount, method in (("pay_bad", 50_000, "cheque"), ("pay_bad", 0, "upi"),
                                      ("has spaces", 50_000, "upi")):
        with pytest.raises(grpc.RpcError) as info:
            _send(payments, payout_id, amount=amount, method=method)
        assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
