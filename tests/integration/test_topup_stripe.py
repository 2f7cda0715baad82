"""Top-ups with PAYMENT_PROVIDER=stripe: the real ``stripe`` SDK against the local Stripe stand-in, through
the payment gateway server and the REST gateway, with real Stripe webhook signatures.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from payment_gateway.adapters import signatures
from tests.conftest import WalletHarness
from tests.support.payments import FRONTEND_URL, MOCK_SECRET, GatewayHarness, PaymentsHarness, user_topups
from tests.support.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeStandIn, running_standin


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    yield from running_standin(monkeypatch)


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness, standin: StripeStandIn) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet, env={
        "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": standin.url,
    })
    yield harness
    harness.close()


@pytest.fixture
def gateway(tmp_path: Path, wallet: WalletHarness, payments: PaymentsHarness) -> Iterator[GatewayHarness]:
    harness = GatewayHarness(tmp_path, wallet, payments)
    yield harness
    harness.close()


def _checkout(ref: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": ref, "object": "checkout.session", "url": f"https://checkout.stripe.com/c/pay/{ref}",
        "mode": "payment", "status": "open", "payment_status": "unpaid", "amount_total": 100_000,
        "currency": "inr", **fields,
    }


def _create(gateway: GatewayHarness, standin: StripeStandIn, headers: dict[str, str], ref: str) -> str:
    standin.reply(200, _checkout(ref))
    reply = gateway.client.post("/api/wallet/topup", json={"amount": 1000}, headers=headers)
    assert reply.status_code == 201, reply.text
    data = reply.json()["data"]
    assert data == {"sessionId": data["sessionId"], "checkoutUrl": f"https://checkout.stripe.com/c/pay/{ref}",
                    "provider": "stripe"}
    return str(data["sessionId"])


def _event(event_type: str, ref: str, session_id: str, *, payment_status: str = "paid",
           event_id: str | None = None, amount: int = 100_000) -> bytes:
    obj = _checkout(ref, client_reference_id=session_id, metadata={"session_id": session_id},
                    payment_status=payment_status, status="complete", amount_total=amount)
    event = {"id": event_id or f"evt_{time.time_ns()}", "object": "event", "api_version": "2024-06-20",
             "created": int(time.time()), "livemode": False, "type": event_type, "data": {"object": obj}}
    return json.dumps(event).encode()


def _deliver(gateway: GatewayHarness, body: bytes, signature: str | None) -> Any:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return gateway.client.post("/webhook/stripe", content=body, headers=headers)


def test_create_sends_our_session_to_stripe_and_verify_credits_once(
    gateway: GatewayHarness, standin: StripeStandIn, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _create(gateway, standin, headers, "cs_test_verify")
    [create] = standin.seen
    assert (create.method, create.path) == ("POST", "/v1/checkout/sessions")
    assert create.headers["idempotency-key"] == f"winzone_checkout_{session_id}"
    assert create.form["client_reference_id"] == [session_id]
    assert create.form["line_items[0][price_data][unit_amount]"] == ["100000"]
    assert create.form["success_url"] == [f"{FRONTEND_URL}/wallet/topup/success?session_id={session_id}"]
    assert create.form["metadata[user_id]"] == [user]

    standin.reply(200, _checkout("cs_test_verify", status="open", payment_status="unpaid"))
    pending = gateway.client.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)
    assert pending.status_code == 200
    assert (pending.json()["data"]["status"], pending.json()["data"]["transaction"]) == ("created", None)

    standin.reply(200, _checkout("cs_test_verify", status="complete", payment_status="paid"))
    paid = gateway.client.post("/api/wallet/topup/verify", json={"sessionId": "cs_test_verify"}, headers=headers)
    assert paid.status_code == 200, paid.text
    assert paid.json()["data"]["status"] == "credited"
    assert paid.json()["data"]["balance"] == 1000
    assert [r.path for r in standin.seen[1:]] == ["/v1/checkout/sessions/cs_test_verify"] * 2

    again = gateway.client.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)
    assert again.json()["data"]["transaction"]["_id"] == paid.json()["data"]["transaction"]["_id"]
    assert len(standin.seen) == 3
    [credit] = user_topups(wallet, user)
    assert credit.account == f"user:{user}"
    assert credit.source == "stripe"
    wallet.assert_audit_ok()


def test_verify_when_stripe_fails_is_503_and_changes_nothing(
    gateway: GatewayHarness, standin: StripeStandIn, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _create(gateway, standin, headers, "cs_test_down")
    standin.reply(401, {"error": {"type": "invalid_request_error", "message": "bad key"}})
    reply = gateway.client.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)
    assert reply.status_code == 503
    assert reply.json()["error"] == "SERVICE_UNAVAILABLE"
    assert wallet.balance(user).balance == 0


def test_stripe_webhook_signatures_only_the_valid_one_applies(
    gateway: GatewayHarness, payments: PaymentsHarness, standin: StripeStandIn, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _create(gateway, standin, headers, "cs_test_hook")
    body = _event("checkout.session.completed", "cs_test_hook", session_id, event_id="evt_hook_1")
    good = signatures.sign_header(body, WEBHOOK_SECRET)
    forgeries = {
        "tampered body": (body.replace(b"100000", b"999999"), good),
        "re-serialised JSON": (json.dumps(json.loads(body), indent=1).encode(), good),
        "wrong secret": (body, signatures.sign_header(body, "whsec_not_our_secret")),
        "mock secret": (body, signatures.sign_header(body, MOCK_SECRET)),
        "stale timestamp": (body, signatures.sign_header(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 400)),
        "missing header": (body, None),
        "garbage header": (body, "v1=abc"),
    }
    for case, (raw, signature) in forgeries.items():
        reply = _deliver(gateway, raw, signature)
        assert reply.status_code == 400, (case, reply.text)
        assert reply.json() == {"success": False, "message": "Invalid signature", "error": "INVALID_SIGNATURE"}
        assert payments.session(session_id).status == "created", case
    mock_style = gateway.client.post("/api/payments/webhook", content=body,
                                     headers={"x-webhook-signature": good, "Content-Type": "application/json"})
    assert mock_style.status_code == 400
    assert wallet.balance(user).balance == 0

    reply = _deliver(gateway, body, good)
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["outcome"] == "applied"
    assert wallet.balance(user).balance == 100_000
    assert _deliver(gateway, body, signatures.sign_header(body, WEBHOOK_SECRET)).json()["data"]["outcome"] == (
        "duplicate")
    assert len(user_topups(wallet, user)) == 1
    assert len(standin.seen) == 1
    wallet.assert_audit_ok()


def test_stripe_completed_unpaid_waits_for_async_payment_succeeded(
    gateway: GatewayHarness, payments: PaymentsHarness, standin: StripeStandIn, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _create(gateway, standin, headers, "cs_test_async")
    unpaid = _event("checkout.session.completed", "cs_test_async", session_id, payment_status="unpaid")
    assert _deliver(gateway, unpaid, signatures.sign_header(unpaid, WEBHOOK_SECRET)).json()["data"]["outcome"] == (
        "ignored")
    assert payments.session(session_id).status == "created"
    assert wallet.balance(user).balance == 0

    short = _event("checkout.session.async_payment_succeeded", "cs_test_async", session_id, amount=99_999)
    assert _deliver(gateway, short, signatures.sign_header(short, WEBHOOK_SECRET)).json()["data"]["outcome"] == (
        "mismatch")
    assert wallet.balance(user).balance == 0

    succeeded = _event("checkout.session.async_payment_succeeded", "cs_test_async", session_id)
    reply = _deliver(gateway, succeeded, signatures.sign_header(succeeded, WEBHOOK_SECRET))
    assert reply.json()["data"]["outcome"] == "applied"
    assert payments.session(session_id).status == "credited"
    assert wallet.balance(user).balance == 100_000
    wallet.assert_audit_ok()


def test_the_mock_checkout_page_is_404_with_stripe(gateway: GatewayHarness) -> None:
    assert gateway.client.get("/checkout/mock/mock_session_abc").status_code == 404
    assert gateway.client.post("/checkout/mock/mock_session_abc/pay").status_code == 404
