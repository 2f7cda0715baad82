"""The mock provider: checkout life cycle, payouts, signed webhooks, and the event normaliser it shares."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest

from payment_gateway.adapters import signatures
from payment_gateway.adapters.mock_events import (
    MOCK_SIGNATURE_HEADER,
    build_signed_event,
    checkout_session_object,
    transfer_object,
)
from payment_gateway.adapters.mock_provider import DECLINE_REASON, InMemoryMockCheckoutStateForTests, MockProvider
from payment_gateway.domain.errors import InvalidSignature, ProviderIdempotencyError
from payment_gateway.domain.events import WebhookEvent
from payment_gateway.domain.mock_checkout import MockSessionState
from payment_gateway.domain.provider import PayoutStatus, SessionStatus
from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, InvalidState, NotFound

SECRET = "mock_webhook_secret_for_tests"
BASE_URL = "http://localhost:5000"
SUCCESS_URL = "http://localhost:5173/wallet/topup/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://localhost:5173/wallet/topup/cancel?session_id={CHECKOUT_SESSION_ID}"


@pytest.fixture
def state() -> InMemoryMockCheckoutStateForTests:
    return InMemoryMockCheckoutStateForTests()


@pytest.fixture
def provider(state: InMemoryMockCheckoutStateForTests) -> MockProvider:
    return MockProvider(state, gateway_base_url=BASE_URL + "/", webhook_secret=SECRET)


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def _create(provider: MockProvider, amount_minor: int = 100_000) -> tuple[str, str]:
    session_id = _id("top")
    checkout = provider.create_checkout(
        session_id, _id("usr"), amount_minor, "INR", SUCCESS_URL, CANCEL_URL, {"purpose": "topup"}
    )
    return session_id, checkout.provider_ref


def test_create_checkout_stores_a_created_session_and_points_at_the_gateway_page(
    provider: MockProvider, state: InMemoryMockCheckoutStateForTests
) -> None:
    session_id = _id("top")
    user_id = _id("usr")

    checkout = provider.create_checkout(session_id, user_id, 100_000, "INR", SUCCESS_URL, CANCEL_URL)

    assert checkout.provider_ref.startswith("mock_session_")
    assert checkout.checkout_url == f"{BASE_URL}/checkout/mock/{checkout.provider_ref}"
    stored = state.get(checkout.provider_ref)
    assert stored is not None
    assert (stored.session_id, stored.user_id, stored.amount_minor, stored.currency) == (
        session_id,
        user_id,
        100_000,
        "INR",
    )
    assert stored.status is MockSessionState.CREATED
    assert stored.success_url.endswith(f"session_id={checkout.provider_ref}")
    assert stored.cancel_url.endswith(f"session_id={checkout.provider_ref}")


def test_each_create_makes_a_distinct_session(provider: MockProvider) -> None:
    refs = {_create(provider)[1] for _ in range(5)}

    assert len(refs) == 5


@pytest.mark.parametrize(
    ("amount", "currency", "session_id"),
    [
        (0, "INR", "top_1"),
        (-1, "INR", "top_1"),
        (10.5, "INR", "top_1"),
        (True, "INR", "top_1"),
        (1000, "inr", "top_1"),
        (1000, "XYZ", "top_1"),
        (1000, "INR", ""),
        (1000, "INR", {"$ne": None}),
        (1000, "INR", "top 1; drop"),
    ],
)
def test_create_checkout_rejects_bad_input(provider: MockProvider, amount: Any, currency: Any, session_id: Any) -> None:
    with pytest.raises(InvalidArgument):
        provider.create_checkout(session_id, "usr_1", amount, currency, SUCCESS_URL, CANCEL_URL)


def test_verifying_a_created_session_succeeds_at_once_and_sticks(provider: MockProvider) -> None:
    session_id, ref = _create(provider)

    status = provider.retrieve_checkout(ref)

    assert status.status is SessionStatus.PAID
    assert (status.provider_ref, status.amount_minor, status.currency, status.client_reference_id) == (
        ref,
        100_000,
        "INR",
        session_id,
    )
    assert provider.checkout(ref).status is MockSessionState.PAID
    with pytest.raises(InvalidState):
        provider.cancel(ref)


def test_a_cancelled_session_never_verifies_as_paid(provider: MockProvider) -> None:
    _, ref = _create(provider)

    provider.cancel(ref)
    provider.cancel(ref)

    assert provider.retrieve_checkout(ref).status is SessionStatus.CANCELLED
    with pytest.raises(InvalidState) as raised:
        provider.pay(ref)
    assert raised.value.code == "CHECKOUT_CLOSED"


def test_pay_is_idempotent_and_returns_the_redirect(provider: MockProvider) -> None:
    _, ref = _create(provider)

    first = provider.pay(ref)
    second = provider.pay(ref)

    assert first == second
    assert first.status is MockSessionState.PAID
    assert first.success_url == f"http://localhost:5173/wallet/topup/success?session_id={ref}"


def test_unknown_sessions_are_not_found(provider: MockProvider) -> None:
    for call in (provider.retrieve_checkout, provider.pay, provider.cancel, provider.checkout):
        with pytest.raises(NotFound) as raised:
            call("mock_session_unknown")
        assert raised.value.code == "CHECKOUT_NOT_FOUND"


def test_state_lives_in_the_injected_port_so_a_new_provider_sees_it(
    provider: MockProvider, state: InMemoryMockCheckoutStateForTests
) -> None:
    _, ref = _create(provider)
    provider.cancel(ref)

    restarted = MockProvider(state, gateway_base_url=BASE_URL, webhook_secret=SECRET)

    assert restarted.retrieve_checkout(ref).status is SessionStatus.CANCELLED


def test_racing_pay_and_cancel_have_exactly_one_winner(provider: MockProvider) -> None:
    _, ref = _create(provider)
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def click(action: str) -> None:
        start.wait()
        try:
            result = provider.pay(ref) if action == "pay" else provider.cancel(ref)
            outcome = result.status.value
        except InvalidState:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=click, args=("pay" if i % 2 else "cancel",)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    final = provider.checkout(ref).status.value
    assert set(outcomes) <= {final, "refused"}
    assert outcomes.count(final) >= 1


def test_payouts_succeed_at_once_and_are_recorded_once_per_payout_id(provider: MockProvider) -> None:
    payout_id = _id("pay")
    destination = {"upiId": "player@paytm", "name": "John Doe"}

    first = provider.send_payout(payout_id, 50_000, "INR", destination)
    again = provider.send_payout(payout_id, 50_000, "INR", destination)

    assert first.status is PayoutStatus.PAID
    assert first.provider_ref is not None and first.provider_ref.startswith("mock_payout_")
    assert (first.amount_minor, first.currency, first.failure_reason) == (50_000, "INR", None)
    assert again == first
    assert provider.get_payout(payout_id) == first
    assert provider.get_payout(_id("pay")) is None


def test_a_paid_payout_is_reversed_in_parts_or_all_that_is_left(provider: MockProvider) -> None:
    payout_id = _id("pay")
    sent = provider.send_payout(payout_id, 50_000, "INR", {"upiId": "player@paytm", "name": "John Doe"})

    part = provider.reverse_payout(payout_id, 20_000)
    assert (part.status, part.amount_reversed, part.failure_reason) == (PayoutStatus.PAID, 20_000, None)
    with pytest.raises(InvalidArgument) as too_much:
        provider.reverse_payout(payout_id, 30_001)
    assert too_much.value.code == "INVALID_AMOUNT"
    full = provider.reverse_payout(payout_id)
    assert (full.status, full.amount_reversed, full.provider_ref) == (PayoutStatus.FAILED, 50_000, sent.provider_ref)
    assert provider.get_payout(payout_id) == full
    with pytest.raises(InvalidState) as again:
        provider.reverse_payout(payout_id)
    assert again.value.code == "PAYOUT_REVERSED"

    event = _event("transfer.reversed", transfer_object(payout_id, full))
    assert (event.object_ref, event.payout_id, event.status, event.amount_reversed, event.amount_minor) == (
        sent.provider_ref, payout_id, PayoutStatus.FAILED, 50_000, 50_000)
    partial = _event("transfer.reversed", transfer_object(payout_id, part))
    assert (partial.status, partial.amount_reversed) == (PayoutStatus.PAID, 20_000)


def test_only_a_paid_payout_can_be_reversed(provider: MockProvider) -> None:
    declined = _id("pay")
    provider.send_payout(declined, 50_000, "INR", {"upiId": "fail@paytm", "name": "John Doe"})
    with pytest.raises(InvalidState) as refused:
        provider.reverse_payout(declined)
    assert refused.value.code == "PAYOUT_NOT_PAID"
    with pytest.raises(NotFound):
        provider.reverse_payout(_id("pay"))


@pytest.mark.parametrize(
    "destination",
    [
        {"upiId": "fail@paytm", "name": "John Doe"},
        {"upiId": "player@paytm", "name": "Will Fail"},
        {"accountNumber": "123456784321", "ifsc": "HDFC0001234", "accountHolderName": "FAILING Holder"},
    ],
)
def test_a_upi_id_or_holder_name_containing_fail_is_declined(
    provider: MockProvider, destination: dict[str, str]
) -> None:
    payout_id = _id("pay")

    result = provider.send_payout(payout_id, 50_000, "INR", destination)

    assert result.status is PayoutStatus.FAILED
    assert result.failure_reason == DECLINE_REASON
    assert provider.get_payout(payout_id) == result


def test_reusing_a_payout_id_for_another_amount_is_an_idempotency_error(provider: MockProvider) -> None:
    payout_id = _id("pay")
    provider.send_payout(payout_id, 50_000, "INR", {"accountId": "acct_1Example"})

    with pytest.raises(ProviderIdempotencyError) as raised:
        provider.send_payout(payout_id, 60_000, "INR", {"accountId": "acct_1Example"})
    assert isinstance(raised.value, IdempotencyConflict)
    assert raised.value.code == "PROVIDER_IDEMPOTENCY_CONFLICT"


@pytest.mark.parametrize("destination", [{}, {"upiId": ""}, "player@paytm"])
def test_a_payout_needs_a_destination(provider: MockProvider, destination: Any) -> None:
    with pytest.raises(InvalidArgument):
        provider.send_payout(_id("pay"), 50_000, "INR", destination)


def test_the_provider_refuses_to_start_without_a_webhook_secret(state: InMemoryMockCheckoutStateForTests) -> None:
    with pytest.raises(ValueError):
        MockProvider(state, gateway_base_url=BASE_URL, webhook_secret="")


def _completed_event(ref: str = "mock_session_abc", session_id: str = "top_1") -> dict[str, Any]:
    return checkout_session_object(ref, client_reference_id=session_id, amount_minor=100_000, currency="INR")


def test_a_correctly_signed_mock_event_parses_into_a_normalised_event(provider: MockProvider) -> None:
    body, headers = build_signed_event(
        "checkout.session.completed", _completed_event(), secret=SECRET, event_id="evt_mock_1"
    )

    event = provider.parse_webhook(body, {"X-Webhook-Signature": headers[MOCK_SIGNATURE_HEADER]})

    assert event == WebhookEvent(
        event_id="evt_mock_1",
        type="checkout.session.completed",
        object_ref="mock_session_abc",
        client_reference_id="top_1",
        amount_minor=100_000,
        currency="INR",
        status=SessionStatus.PAID,
        payment_status="paid",
        payout_id=None,
        payment_intent="mock_pi_abc",
    )


@pytest.mark.parametrize(
    "case", ["tampered_body", "wrong_secret", "too_old", "missing_header", "reserialised_json", "stripe_header"]
)
def test_only_the_untouched_body_signed_with_the_mock_secret_parses(provider: MockProvider, case: str) -> None:
    secret = "someone_elses_secret" if case == "wrong_secret" else SECRET
    timestamp = int(time.time()) - 301 if case == "too_old" else None
    body, headers = build_signed_event(
        "checkout.session.completed", _completed_event(), secret=secret, timestamp=timestamp
    )
    if case == "tampered_body":
        body = body.replace(b"100000", b"900000")
    if case == "reserialised_json":
        body = json.dumps(json.loads(body), indent=1).encode()
    if case == "missing_header":
        headers = {}
    if case == "stripe_header":
        headers = {"Stripe-Signature": headers[MOCK_SIGNATURE_HEADER]}

    with pytest.raises(InvalidSignature) as raised:
        provider.parse_webhook(body, headers)
    assert (raised.value.code, raised.value.message) == ("INVALID_SIGNATURE", "Invalid signature")


@pytest.mark.parametrize("body", [b"not json", b'{"type": "checkout.session.completed"}', b"[]", b"\xff\xfe"])
def test_a_signed_body_that_is_not_an_event_is_invalid_payload_not_invalid_signature(
    provider: MockProvider, body: bytes
) -> None:
    headers = {MOCK_SIGNATURE_HEADER: signatures.sign_header(body, SECRET)}

    with pytest.raises(InvalidArgument) as raised:
        provider.parse_webhook(body, headers)
    assert not isinstance(raised.value, InvalidSignature)
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"


def _event(event_type: str, obj: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent.from_payload({"id": "evt_1", "type": event_type, "data": {"object": obj}})


SESSION = {"id": "cs_1", "client_reference_id": "top_1", "amount_total": 1000, "currency": "inr"}


@pytest.mark.parametrize(
    ("event_type", "payment_status", "expected"),
    [
        ("checkout.session.completed", "paid", SessionStatus.PAID),
        ("checkout.session.completed", "unpaid", SessionStatus.UNPAID),
        ("checkout.session.completed", "no_payment_required", SessionStatus.UNPAID),
        ("checkout.session.async_payment_succeeded", "paid", SessionStatus.PAID),
        ("checkout.session.async_payment_failed", "unpaid", SessionStatus.FAILED),
        ("checkout.session.expired", "unpaid", SessionStatus.EXPIRED),
    ],
)
def test_checkout_events_normalise_to_a_session_status(
    event_type: str, payment_status: str, expected: SessionStatus
) -> None:
    event = _event(event_type, {**SESSION, "payment_status": payment_status})

    assert event.status is expected
    assert (event.object_ref, event.client_reference_id, event.amount_minor, event.currency) == (
        "cs_1",
        "top_1",
        1000,
        "INR",
    )
    assert event.payment_status == payment_status


def test_a_failed_payment_attempt_changes_no_session_state() -> None:
    event = _event(
        "payment_intent.payment_failed",
        {
            "id": "pi_1",
            "amount": 1000,
            "currency": "inr",
            "metadata": {"session_id": "top_1"},
            "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
        },
    )

    assert event.status is None
    assert (event.object_ref, event.client_reference_id, event.amount_minor) == ("pi_1", "top_1", 1000)
    assert event.failure_reason == "Your card was declined."


@pytest.mark.parametrize(
    ("event_type", "reversed_", "expected"),
    [
        ("transfer.created", False, PayoutStatus.PAID),
        ("transfer.updated", False, PayoutStatus.PAID),
        ("transfer.updated", True, PayoutStatus.FAILED),
        ("transfer.reversed", True, PayoutStatus.FAILED),
    ],
)
def test_transfer_events_carry_our_payout_id(event_type: str, reversed_: bool, expected: PayoutStatus) -> None:
    event = _event(
        event_type,
        {"id": "tr_1", "amount": 500, "currency": "inr", "transfer_group": "pay_1", "reversed": reversed_},
    )

    assert (event.status, event.payout_id, event.object_ref, event.amount_minor) == (expected, "pay_1", "tr_1", 500)
    assert (event.failure_reason is not None) is (expected is PayoutStatus.FAILED)


def test_payout_events_normalise_with_the_failure_message() -> None:
    paid = _event("payout.paid", {"id": "po_1", "amount": 500, "currency": "inr", "metadata": {"payout_id": "pay_1"}})
    failed = _event("payout.failed", {"id": "po_2", "failure_message": "The bank account has been closed."})

    assert (paid.status, paid.payout_id, paid.failure_reason) == (PayoutStatus.PAID, "pay_1", None)
    assert (failed.status, failed.payout_id, failed.failure_reason) == (
        PayoutStatus.FAILED,
        None,
        "The bank account has been closed.",
    )


def test_unknown_event_types_parse_without_a_status_and_odd_fields_are_dropped() -> None:
    event = _event("customer.created", {"id": "cus_1", "amount": 10.5, "currency": "rupees"})

    assert (event.type, event.status, event.object_ref, event.amount_minor, event.currency) == (
        "customer.created",
        None,
        "cus_1",
        None,
        None,
    )
