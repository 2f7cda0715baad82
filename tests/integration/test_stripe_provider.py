"""The Stripe adapter with the real ``stripe`` SDK, pointed at a local HTTP stand-in for api.stripe.com.

The stand-in (``tests.support.stripe_standin``) records every request and replays scripted responses, so
these tests pin down exactly what goes over the wire and how each Stripe answer maps to our outcomes.
Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import stripe

from payment_gateway.adapters import signatures
from payment_gateway.adapters.stripe_provider import StripeProvider, create_stripe_client
from payment_gateway.domain.errors import (
    InvalidSignature,
    ProviderIdempotencyError,
    ProviderRejected,
    ProviderUnavailable,
)
from payment_gateway.domain.provider import PayoutStatus, SessionStatus
from tests.support.stripe_standin import (
    ACCOUNT,
    API_KEY,
    WEBHOOK_SECRET,
    StripeStandIn,
    running_standin,
)
from tests.support.stripe_standin import checkout_session as _session
from tests.support.stripe_standin import stripe_error as _error
from tests.support.stripe_standin import stripe_event as _stripe_event
from tests.support.stripe_standin import transfer as _transfer
from tests.support.stripe_standin import transfer_list as _list
from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, NotFound, Unavailable

SUCCESS_URL = "http://localhost:5173/wallet/topup/success?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://localhost:5173/wallet/topup/cancel?session_id={CHECKOUT_SESSION_ID}"


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    yield from running_standin(monkeypatch)


def make_provider(api_base: str, *, retries: int = 0, timeout: float = 5.0) -> StripeProvider:
    client = create_stripe_client(API_KEY, max_network_retries=retries, timeout_seconds=timeout, api_base=api_base)
    return StripeProvider(client, webhook_secret=WEBHOOK_SECRET)


@pytest.fixture
def provider(standin: StripeStandIn) -> StripeProvider:
    return make_provider(standin.url)


@pytest.fixture
def offline_provider(unreachable_base: str) -> StripeProvider:
    """For webhook parsing, which never calls Stripe."""
    return make_provider(unreachable_base)


@pytest.fixture
def unreachable_base() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def test_create_checkout_sends_exactly_the_checkout_session_form(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    session_id, user_id = _id("top"), _id("usr")
    standin.reply(200, _session("cs_test_a1", session_id))

    checkout = provider.create_checkout(
        session_id,
        user_id,
        100_000,
        "INR",
        SUCCESS_URL,
        CANCEL_URL,
        {"purpose": "topup", "session_id": "spoofed"},
    )

    assert (checkout.provider_ref, checkout.checkout_url) == (
        "cs_test_a1",
        "https://checkout.stripe.com/c/pay/cs_test_a1",
    )
    [request] = standin.seen
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")
    assert request.form == {
        "mode": ["payment"],
        "client_reference_id": [session_id],
        "line_items[0][quantity]": ["1"],
        "line_items[0][price_data][currency]": ["inr"],
        "line_items[0][price_data][unit_amount]": ["100000"],
        "line_items[0][price_data][product_data][name]": ["WinZone wallet top-up"],
        "metadata[purpose]": ["topup"],
        "metadata[session_id]": [session_id],
        "metadata[user_id]": [user_id],
        "payment_intent_data[metadata][session_id]": [session_id],
        "payment_intent_data[metadata][user_id]": [user_id],
        "success_url": [SUCCESS_URL],
        "cancel_url": [CANCEL_URL],
    }
    assert "{CHECKOUT_SESSION_ID}" in request.form["success_url"][0]
    assert request.headers["idempotency-key"] == f"winzone_checkout_{session_id}"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["stripe-version"]


def test_creating_the_same_session_twice_reuses_the_idempotency_key(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    session_id = _id("top")
    standin.reply(200, _session("cs_test_same", session_id))
    standin.reply(200, _session("cs_test_same", session_id))

    first = provider.create_checkout(session_id, "usr_1", 100_000, "INR", SUCCESS_URL, CANCEL_URL)
    second = provider.create_checkout(session_id, "usr_1", 100_000, "INR", SUCCESS_URL, CANCEL_URL)

    assert first == second
    assert [r.headers["idempotency-key"] for r in standin.seen] == [f"winzone_checkout_{session_id}"] * 2


@pytest.mark.parametrize(
    ("reply", "error", "code"),
    [
        (_error(500, "api_error"), ProviderUnavailable, "PROVIDER_UNAVAILABLE"),
        (_error(503, "api_error"), ProviderUnavailable, "PROVIDER_UNAVAILABLE"),
        (_error(429, "rate_limit_error", "rate_limit"), ProviderUnavailable, "PROVIDER_UNAVAILABLE"),
        (_error(401, "invalid_request_error"), ProviderUnavailable, "PROVIDER_AUTH_FAILED"),
        (_error(400, "invalid_request_error", "amount_too_small"), ProviderRejected, "PROVIDER_REJECTED"),
        (_error(400, "idempotency_error"), ProviderIdempotencyError, "PROVIDER_IDEMPOTENCY_CONFLICT"),
    ],
)
def test_create_checkout_maps_stripe_errors(
    standin: StripeStandIn,
    provider: StripeProvider,
    reply: tuple[int, dict[str, Any]],
    error: type[Exception],
    code: str,
) -> None:
    standin.reply(*reply)

    with pytest.raises(error) as raised:
        provider.create_checkout(_id("top"), "usr_1", 100_000, "INR", SUCCESS_URL, CANCEL_URL)
    assert raised.value.code == code  # type: ignore[attr-defined]


def test_an_unreachable_stripe_is_unavailable(unreachable_base: str) -> None:
    provider = make_provider(unreachable_base)

    with pytest.raises(Unavailable):
        provider.create_checkout(_id("top"), "usr_1", 100_000, "INR", SUCCESS_URL, CANCEL_URL)
    with pytest.raises(Unavailable):
        provider.retrieve_checkout("cs_test_1")
    with pytest.raises(Unavailable):
        provider.get_payout(_id("pay"))


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"status": "complete", "payment_status": "paid"}, SessionStatus.PAID),
        ({"status": "complete", "payment_status": "unpaid"}, SessionStatus.UNPAID),
        ({"status": "open", "payment_status": "unpaid"}, SessionStatus.UNPAID),
        ({"status": "expired", "payment_status": "unpaid"}, SessionStatus.EXPIRED),
    ],
)
def test_retrieve_checkout_trusts_only_payment_status(
    standin: StripeStandIn, provider: StripeProvider, fields: dict[str, str], expected: SessionStatus
) -> None:
    session_id = _id("top")
    standin.reply(200, _session("cs_test_r1", session_id, **fields))

    status = provider.retrieve_checkout("cs_test_r1")

    assert status.status is expected
    assert (status.provider_ref, status.amount_minor, status.currency, status.client_reference_id) == (
        "cs_test_r1",
        100_000,
        "INR",
        session_id,
    )
    [request] = standin.seen
    assert (request.method, request.path) == ("GET", "/v1/checkout/sessions/cs_test_r1")
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


def test_retrieving_an_unknown_session_is_not_found(standin: StripeStandIn, provider: StripeProvider) -> None:
    standin.reply(*_error(404, "invalid_request_error", "resource_missing"))

    with pytest.raises(NotFound) as raised:
        provider.retrieve_checkout("cs_test_missing")
    assert raised.value.code == "CHECKOUT_NOT_FOUND"


def test_send_payout_creates_a_transfer_keyed_by_our_payout_id(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    payout_id = _id("pay")
    transfer = _transfer(payout_id)
    standin.reply(200, _list())
    standin.reply(200, transfer)

    result = provider.send_payout(payout_id, 50_000, "INR", {"accountId": ACCOUNT})

    assert (result.status, result.provider_ref, result.failure_reason) == (PayoutStatus.PAID, transfer["id"], None)
    assert (result.amount_minor, result.currency) == (50_000, "INR")
    lookup, request = standin.seen
    assert (lookup.method, lookup.path, lookup.query["transfer_group"]) == ("GET", "/v1/transfers", [payout_id])
    assert (request.method, request.path) == ("POST", "/v1/transfers")
    assert request.form == {
        "amount": ["50000"],
        "currency": ["inr"],
        "destination": [ACCOUNT],
        "transfer_group": [payout_id],
        "metadata[payout_id]": [payout_id],
        "description": ["WinZone payout"],
    }
    assert request.headers["idempotency-key"] == f"winzone_payout_{payout_id}"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (_error(400, "invalid_request_error", "balance_insufficient"), "Insufficient platform balance"),
        (_error(402, "card_error", "balance_insufficient"), "Insufficient platform balance"),
        (_error(400, "invalid_request_error", "resource_missing"), "does not exist"),
        (_error(400, "invalid_request_error", "something_new"), "declined the payout (something_new)"),
    ],
)
def test_a_definite_refusal_fails_the_payout_with_a_safe_reason(
    standin: StripeStandIn, provider: StripeProvider, reply: tuple[int, dict[str, Any]], reason: str
) -> None:
    standin.reply(200, _list())
    standin.reply(*reply)

    result = provider.send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})

    assert result.status is PayoutStatus.FAILED
    assert result.provider_ref is None
    assert result.failure_reason is not None and reason in result.failure_reason
    assert ACCOUNT not in result.failure_reason


def test_a_reused_payout_id_with_other_parameters_is_a_distinct_error(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    standin.reply(200, _list())
    standin.reply(*_error(400, "idempotency_error"))

    with pytest.raises(ProviderIdempotencyError) as raised:
        provider.send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})
    assert isinstance(raised.value, IdempotencyConflict)


@pytest.mark.parametrize(
    "reply", [_error(500, "api_error"), _error(502, "api_error"), _error(429, "rate_limit_error", "rate_limit")]
)
def test_a_provider_failure_leaves_the_payout_pending_never_failed(
    standin: StripeStandIn, provider: StripeProvider, reply: tuple[int, dict[str, Any]]
) -> None:
    standin.reply(200, _list())
    standin.reply(*reply)

    result = provider.send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})

    assert (result.status, result.provider_ref, result.failure_reason) == (PayoutStatus.PENDING, None, None)


def test_connection_refused_leaves_the_payout_pending(unreachable_base: str) -> None:
    result = make_provider(unreachable_base).send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})

    assert result.status is PayoutStatus.PENDING


def test_a_timeout_leaves_the_payout_pending_because_the_money_may_have_moved(standin: StripeStandIn) -> None:
    payout_id = _id("pay")
    standin.reply(200, _list())
    standin.reply(200, _transfer(payout_id), delay=1.0)

    result = make_provider(standin.url, timeout=0.2).send_payout(payout_id, 50_000, "INR", {"accountId": ACCOUNT})

    assert result.status is PayoutStatus.PENDING
    assert [r.method for r in standin.seen] == ["GET", "POST"]


def test_sdk_retries_reuse_the_same_idempotency_key(standin: StripeStandIn) -> None:
    payout_id = _id("pay")
    standin.reply(200, _list())
    standin.reply(*_error(500, "api_error"))
    standin.reply(200, _transfer(payout_id))

    result = make_provider(standin.url, retries=1).send_payout(payout_id, 50_000, "INR", {"accountId": ACCOUNT})

    assert result.status is PayoutStatus.PAID
    posts = [r for r in standin.seen if r.method == "POST"]
    assert [r.headers["idempotency-key"] for r in posts] == [f"winzone_payout_{payout_id}"] * 2


def test_resending_an_already_made_transfer_returns_it_without_paying_again(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    payout_id = _id("pay")
    transfer = _transfer(payout_id)
    standin.reply(200, _list(transfer))

    result = provider.send_payout(payout_id, 50_000, "INR", {"accountId": ACCOUNT})

    assert (result.status, result.provider_ref) == (PayoutStatus.PAID, transfer["id"])
    assert [r.method for r in standin.seen] == ["GET"]


def test_resending_with_another_amount_is_an_idempotency_error(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    payout_id = _id("pay")
    standin.reply(200, _list(_transfer(payout_id, amount=40_000)))

    with pytest.raises(ProviderIdempotencyError):
        provider.send_payout(payout_id, 50_000, "INR", {"accountId": ACCOUNT})
    assert [r.method for r in standin.seen] == ["GET"]


def test_a_failed_lookup_sends_nothing_and_leaves_the_payout_pending(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    standin.reply(*_error(500, "api_error"))

    result = provider.send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})

    assert result.status is PayoutStatus.PENDING
    assert [r.method for r in standin.seen] == ["GET"]


@pytest.mark.parametrize(
    "destination", [{}, {"accountId": ""}, {"accountId": "1234"}, {"upiId": "player@paytm"}, {"accountId": "acct_x y"}]
)
def test_a_payout_needs_a_connected_account_and_sends_nothing_otherwise(
    standin: StripeStandIn, provider: StripeProvider, destination: dict[str, str]
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        provider.send_payout(_id("pay"), 50_000, "INR", destination)
    assert raised.value.code == "INVALID_PAYOUT_DESTINATION"
    assert standin.seen == []


def test_failures_are_logged_without_the_account_id(
    standin: StripeStandIn, provider: StripeProvider, caplog: pytest.LogCaptureFixture
) -> None:
    standin.reply(200, _list())
    standin.reply(*_error(400, "invalid_request_error", "balance_insufficient"))
    caplog.set_level(logging.WARNING, logger="payment_gateway")

    provider.send_payout(_id("pay"), 50_000, "INR", {"accountId": ACCOUNT})

    records = [r for r in caplog.records if r.name.startswith("payment_gateway")]
    assert records
    assert all(ACCOUNT not in repr(vars(r)) and API_KEY not in repr(vars(r)) for r in records)
    assert records[0].fields["destination"] == "acct_…9876"  # type: ignore[attr-defined]


def test_get_payout_finds_the_transfer_by_our_payout_id(standin: StripeStandIn, provider: StripeProvider) -> None:
    payout_id = _id("pay")
    transfer = _transfer(payout_id)
    standin.reply(200, _list(transfer))

    result = provider.get_payout(payout_id)

    assert result is not None
    assert (result.status, result.provider_ref, result.amount_minor, result.currency) == (
        PayoutStatus.PAID,
        transfer["id"],
        50_000,
        "INR",
    )
    [request] = standin.seen
    assert (request.method, request.path) == ("GET", "/v1/transfers")
    assert request.query == {"transfer_group": [payout_id], "limit": ["10"]}


def test_a_reversed_transfer_reports_a_failed_payout(standin: StripeStandIn, provider: StripeProvider) -> None:
    payout_id = _id("pay")
    reversed_transfer = _transfer(payout_id, reversed=True, amount_reversed=50_000)
    standin.reply(200, _list(reversed_transfer))

    result = provider.get_payout(payout_id)

    assert result is not None
    assert (result.status, result.failure_reason) == (PayoutStatus.FAILED, "Transfer was reversed")


def test_a_partially_reversed_transfer_stays_paid_with_its_amount_reversed(
        standin: StripeStandIn, provider: StripeProvider) -> None:
    payout_id = _id("pay")
    standin.reply(200, _list(_transfer(payout_id, reversed=False, amount_reversed=12_000)))

    result = provider.get_payout(payout_id)

    assert result is not None
    assert (result.status, result.amount_reversed, result.amount_minor) == (PayoutStatus.PAID, 12_000, 50_000)


def test_partial_and_full_transfer_reversal_events_carry_the_cumulative_amount() -> None:
    from payment_gateway.domain.events import parse_event

    def event(event_type: str, **fields: object) -> dict[str, object]:
        return {"id": "evt_1", "type": event_type, "data": {"object": _transfer("pay_1", **fields)}}

    partial = parse_event(event("transfer.reversed", amount_reversed=5_000))
    assert (partial.status, partial.amount_reversed) == (PayoutStatus.PAID, 5_000)
    updated = parse_event(event("transfer.updated", amount_reversed=12_000))
    assert (updated.status, updated.amount_reversed) == (PayoutStatus.PAID, 12_000)
    full = parse_event(event("transfer.reversed", amount_reversed=50_000, reversed=True))
    assert (full.status, full.amount_reversed) == (PayoutStatus.FAILED, 50_000)
    created = parse_event(event("transfer.created"))
    assert (created.status, created.amount_reversed) == (PayoutStatus.PAID, 0)


def test_get_payout_is_none_when_stripe_has_no_transfer(standin: StripeStandIn, provider: StripeProvider) -> None:
    standin.reply(200, _list())

    assert provider.get_payout(_id("pay")) is None


def test_get_payout_is_unavailable_rather_than_none_when_stripe_fails(
    standin: StripeStandIn, provider: StripeProvider
) -> None:
    standin.reply(*_error(500, "api_error"))

    with pytest.raises(ProviderUnavailable):
        provider.get_payout(_id("pay"))


def test_a_correctly_signed_stripe_event_parses(offline_provider: StripeProvider) -> None:
    body = _stripe_event("checkout.session.completed", _session("cs_test_w1", "top_1", payment_status="paid"))
    header = stripe.WebhookSignature.generate_signature_header(body.decode(), WEBHOOK_SECRET)

    event = offline_provider.parse_webhook(body, {"stripe-signature": header})

    assert (event.event_id, event.type, event.object_ref, event.client_reference_id) == (
        "evt_1StandIn",
        "checkout.session.completed",
        "cs_test_w1",
        "top_1",
    )
    assert (event.amount_minor, event.currency, event.status, event.payment_status) == (
        100_000,
        "INR",
        SessionStatus.PAID,
        "paid",
    )


@pytest.mark.parametrize(
    "case", ["tampered_body", "wrong_secret", "too_old", "missing_header", "reserialised_json", "not_utf8"]
)
def test_only_the_untouched_body_signed_with_our_secret_parses(offline_provider: StripeProvider, case: str) -> None:
    body = _stripe_event("checkout.session.completed", _session("cs_test_w2", "top_1", payment_status="paid"))
    secret = "whsec_someone_else" if case == "wrong_secret" else WEBHOOK_SECRET
    timestamp = int(time.time()) - 301 if case == "too_old" else None
    headers = {"Stripe-Signature": signatures.sign_header(body, secret, timestamp=timestamp)}
    if case == "tampered_body":
        body = body.replace(b"100000", b"999999")
    if case == "reserialised_json":
        body = json.dumps(json.loads(body), separators=(",", ":")).encode()
    if case == "missing_header":
        headers = {"x-webhook-signature": headers["Stripe-Signature"]}
    if case == "not_utf8":
        body = body + b"\xff"

    with pytest.raises(InvalidSignature) as raised:
        offline_provider.parse_webhook(body, headers)
    assert (raised.value.code, raised.value.message) == ("INVALID_SIGNATURE", "Invalid signature")


def test_one_matching_signature_among_several_is_enough(offline_provider: StripeProvider) -> None:
    body = _stripe_event("checkout.session.expired", _session("cs_test_w3", "top_1", status="expired"))
    good = signatures.sign_header(body, WEBHOOK_SECRET)
    timestamp, signature = good.split(",")
    headers = {"Stripe-Signature": f"{timestamp},v1={'a' * 64},{signature}"}

    assert offline_provider.parse_webhook(body, headers).status is SessionStatus.EXPIRED


def test_a_signed_body_that_is_not_json_is_an_invalid_payload(offline_provider: StripeProvider) -> None:
    body = b"this is not json"

    with pytest.raises(InvalidArgument) as raised:
        offline_provider.parse_webhook(body, {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET)})
    assert not isinstance(raised.value, InvalidSignature)
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"


@pytest.mark.parametrize(
    ("event_type", "obj", "expected"),
    [
        ("checkout.session.completed", _session("cs_1", "top_1", payment_status="unpaid"), SessionStatus.UNPAID),
        (
            "checkout.session.async_payment_succeeded",
            _session("cs_1", "top_1", payment_status="paid"),
            SessionStatus.PAID,
        ),
        ("checkout.session.async_payment_failed", _session("cs_1", "top_1"), SessionStatus.FAILED),
        ("checkout.session.expired", _session("cs_1", "top_1", status="expired"), SessionStatus.EXPIRED),
        (
            "payment_intent.payment_failed",
            {
                "id": "pi_1",
                "object": "payment_intent",
                "amount": 100_000,
                "currency": "inr",
                "metadata": {"session_id": "top_1"},
            },
            None,
        ),
        ("transfer.created", _transfer("pay_1"), PayoutStatus.PAID),
        ("transfer.updated", _transfer("pay_1"), PayoutStatus.PAID),
        ("transfer.reversed", _transfer("pay_1", reversed=True), PayoutStatus.FAILED),
        ("payout.paid", {"id": "po_1", "object": "payout", "amount": 50_000, "currency": "inr"}, PayoutStatus.PAID),
        ("payout.failed", {"id": "po_1", "object": "payout", "failure_code": "account_closed"}, PayoutStatus.FAILED),
        ("customer.created", {"id": "cus_1", "object": "customer"}, None),
    ],
)
def test_stripe_event_types_normalise_through_the_real_sdk(
    offline_provider: StripeProvider, event_type: str, obj: dict[str, Any], expected: object
) -> None:
    body = _stripe_event(event_type, obj)

    event = offline_provider.parse_webhook(body, {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET)})

    assert (event.type, event.status, event.object_ref) == (event_type, expected, obj["id"])
    if event_type.startswith(("checkout.", "payment_intent.")):
        assert event.client_reference_id == "top_1"
    if event_type.startswith("transfer."):
        assert event.payout_id == "pay_1"


def test_a_deeply_nested_signed_stripe_body_is_an_invalid_payload(offline_provider: StripeProvider) -> None:
    body = b'{"id": "evt_1", "type": "x", "data": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"

    with pytest.raises(InvalidArgument) as raised:
        offline_provider.parse_webhook(body, {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET)})
    assert not isinstance(raised.value, InvalidSignature)
    assert raised.value.code == "INVALID_WEBHOOK_PAYLOAD"
