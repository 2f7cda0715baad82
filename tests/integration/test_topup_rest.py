"""Top-ups through the REST gateway, in process, over the real payment gateway and wallet servers (mock provider).

Covers the create/verify contract, ``Idempotency-Key``, bad input (every balance unchanged), other users'
and unknown sessions, mock webhook signatures through ``/api/payments/webhook`` and ``/webhook/stripe``,
and the mock checkout page with its Pay and Cancel forms. Every money-moving test ends with the audit.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from payment_gateway.adapters.mock_events import MOCK_SIGNATURE_HEADER
from tests.conftest import WalletHarness
from tests.support.payments import (
    FRONTEND_URL,
    MOCK_SECRET,
    GatewayHarness,
    PaymentsHarness,
    mock_event,
    user_topups,
)
from winzone.payments.v1 import payments_pb2 as pb


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet)
    yield harness
    harness.close()


@pytest.fixture
def gateway(tmp_path: Path, wallet: WalletHarness, payments: PaymentsHarness) -> Iterator[GatewayHarness]:
    harness = GatewayHarness(tmp_path, wallet, payments)
    yield harness
    harness.close()


def _topup(gateway: GatewayHarness, headers: dict[str, str], body: Any, **extra: str) -> Any:
    return gateway.client.post("/api/wallet/topup", json=body, headers={**headers, **extra})


def _verify(gateway: GatewayHarness, headers: dict[str, str], session_id: Any) -> Any:
    return gateway.client.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)


def _balance(gateway: GatewayHarness, headers: dict[str, str], currency: str = "INR") -> Any:
    reply = gateway.client.get("/api/wallet", params={"currency": currency}, headers=headers)
    assert reply.status_code == 200, reply.text
    return reply.json()["data"]["balance"]


def _session_pb(payments: PaymentsHarness, session_id: str) -> pb.TopUpSession:
    stored = payments.session(session_id)
    return pb.TopUpSession(id=stored.id, provider_ref=stored.provider_ref, amount=stored.amount,
                           currency=stored.currency)


def test_topup_then_verify_credits_once(gateway: GatewayHarness, wallet: WalletHarness) -> None:
    user, headers = gateway.player()
    assert _balance(gateway, headers) == 0
    created = _topup(gateway, headers, {"amount": 1000})
    assert created.status_code == 201, created.text
    data = created.json()["data"]
    assert data["provider"] == "mock"
    assert data["sessionId"].startswith("tps_")
    assert data["checkoutUrl"].startswith("http://gateway.test/checkout/mock/mock_session_")

    first = _verify(gateway, headers, data["sessionId"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["success"] is True
    assert body["data"]["status"] == "credited"
    assert body["data"]["balance"] == 1000
    tx = body["data"]["transaction"]
    assert (tx["type"], tx["amount"], tx["currency"], tx["userId"]) == ("topup", 1000, "INR", user)
    assert tx["idempotencyKey"] == f"topup_{data['sessionId']}"
    assert tx["balanceAfter"] == 1000

    for _ in range(3):
        again = _verify(gateway, headers, data["sessionId"])
        assert again.status_code == 200
        assert again.json()["data"]["transaction"]["_id"] == tx["_id"]
    assert _balance(gateway, headers) == 1000
    assert len(user_topups(wallet, user)) == 1
    wallet.assert_audit_ok()


def test_verify_accepts_the_provider_ref_of_the_callers_own_session(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    _, headers = gateway.player()
    session_id = _topup(gateway, headers, {"amount": 250.5, "currency": "USD"}).json()["data"]["sessionId"]
    ref = payments.session(session_id).provider_ref
    reply = _verify(gateway, headers, ref)
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["sessionId"] == session_id
    assert reply.json()["data"]["balance"] == 250.5
    assert _balance(gateway, headers, "USD") == 250.5
    assert _balance(gateway, headers, "INR") == 0
    wallet.assert_audit_ok()


def test_idempotency_key_replays_the_same_session_and_refuses_another_body(gateway: GatewayHarness) -> None:
    _, headers = gateway.player()
    key = {"Idempotency-Key": "topup-key-1"}
    first = _topup(gateway, headers, {"amount": 1000}, **key)
    second = _topup(gateway, headers, {"amount": 1000, "currency": "INR"}, **key)
    assert first.status_code == second.status_code == 201
    assert first.json()["data"] == second.json()["data"]

    conflict = _topup(gateway, headers, {"amount": 2000}, **key)
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "IDEMPOTENCY_CONFLICT"
    other_currency = _topup(gateway, headers, {"amount": 1000, "currency": "USD"}, **key)
    assert other_currency.status_code == 409

    _, other_headers = gateway.player()
    theirs = _topup(gateway, other_headers, {"amount": 1000}, **key)
    assert theirs.status_code == 201
    assert theirs.json()["data"]["sessionId"] != first.json()["data"]["sessionId"]

    fresh = _topup(gateway, headers, {"amount": 1000})
    assert fresh.json()["data"]["sessionId"] != first.json()["data"]["sessionId"]


BAD_AMOUNTS: list[tuple[str, Any]] = [
    ("zero", {"amount": 0}),
    ("negative", {"amount": -100}),
    ("too precise", {"amount": 0.001}),
    ("three decimals", {"amount": 100.005}),
    ("NaN as string", {"amount": "NaN"}),
    ("number as string", {"amount": "100"}),
    ("huge", {"amount": 1e30}),
    ("boolean", {"amount": True}),
    ("object", {"amount": {}}),
    ("null", {"amount": None}),
    ("missing", {}),
    ("unknown currency", {"amount": 100, "currency": "EUR"}),
    ("lower-case currency", {"amount": 100, "currency": "inr"}),
    ("currency object", {"amount": 100, "currency": {"$ne": None}}),
    ("below the minimum", {"amount": 9.99}),
    ("above the maximum", {"amount": 100_000.01}),
]


@pytest.mark.parametrize(("case", "body"), BAD_AMOUNTS, ids=[c for c, _ in BAD_AMOUNTS])
def test_bad_topup_bodies_are_400_and_change_nothing(
    gateway: GatewayHarness, wallet: WalletHarness, case: str, body: Any
) -> None:
    user, headers = gateway.player()
    reply = _topup(gateway, headers, body)
    assert reply.status_code == 400, (case, reply.text)
    envelope = reply.json()
    assert envelope["success"] is False
    assert envelope["error"] in {"INVALID_AMOUNT", "INVALID_CURRENCY"}
    assert _balance(gateway, headers) == 0
    assert wallet.balance(user).balance == 0


@pytest.mark.parametrize("raw", [b"{", b"[1000]", b'{"amount": NaN}', b'{"amount": Infinity}', b"amount=1000"])
def test_malformed_json_is_400(gateway: GatewayHarness, raw: bytes) -> None:
    _, headers = gateway.player()
    reply = gateway.client.post("/api/wallet/topup", content=raw,
                                headers={**headers, "Content-Type": "application/json"})
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == "INVALID_JSON"
    assert _balance(gateway, headers) == 0


def test_topup_needs_a_token(gateway: GatewayHarness) -> None:
    assert gateway.client.post("/api/wallet/topup", json={"amount": 1000}).status_code == 401
    assert gateway.client.post("/api/wallet/topup/verify", json={"sessionId": "tps_x"}).status_code == 401


@pytest.mark.parametrize("session_id", [{"$ne": None}, {"$gt": ""}, ["tps_x"], 42, None, ""])
def test_verify_rejects_non_string_session_ids(gateway: GatewayHarness, session_id: Any) -> None:
    _, headers = gateway.player()
    _topup(gateway, headers, {"amount": 1000})
    reply = _verify(gateway, headers, session_id)
    assert reply.status_code == 400, reply.text
    assert reply.json()["error"] == "VALIDATION_ERROR"
    assert _balance(gateway, headers) == 0


def test_verify_of_another_users_or_an_unknown_session_is_404(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    owner, owner_headers = gateway.player()
    intruder, intruder_headers = gateway.player()
    session_id = _topup(gateway, owner_headers, {"amount": 1000}).json()["data"]["sessionId"]
    ref = payments.session(session_id).provider_ref
    for probe in (session_id, ref, "tps_unknown", "mock_session_unknown", "x" * 200, "../etc/passwd"):
        reply = _verify(gateway, intruder_headers, probe)
        assert reply.status_code == 404, (probe, reply.text)
        assert reply.json()["error"] == "SESSION_NOT_FOUND"
    assert payments.session(session_id).status == "created"
    assert wallet.balance(owner).balance == 0
    assert wallet.balance(intruder).balance == 0
    assert _verify(gateway, owner_headers, session_id).json()["data"]["status"] == "credited"
    assert wallet.balance(intruder).balance == 0
    wallet.assert_audit_ok()


def _post_webhook(gateway: GatewayHarness, body: bytes, headers: dict[str, str],
                  path: str = "/api/payments/webhook") -> Any:
    return gateway.client.post(path, content=body, headers={**headers, "Content-Type": "application/json"})


def _forgeries(session: pb.TopUpSession) -> dict[str, tuple[bytes, dict[str, str]]]:
    body, headers = mock_event("checkout.session.completed", session)
    payload = json.loads(body)
    tampered = body.replace(str(session.amount).encode(), str(session.amount * 10).encode())
    reserialised = json.dumps(payload, indent=2).encode()
    wrong = mock_event("checkout.session.completed", session, secret="whsec_someone_elses_secret_000")
    stale = mock_event("checkout.session.completed", session, timestamp=int(time.time()) - 3_600)
    future = mock_event("checkout.session.completed", session, timestamp=int(time.time()) + 3_600)
    return {
        "tampered body": (tampered, headers),
        "re-serialised JSON": (reserialised, headers),
        "wrong secret": wrong,
        "stale timestamp": stale,
        "future timestamp": future,
        "missing header": (body, {}),
        "empty header": (body, {MOCK_SIGNATURE_HEADER: ""}),
        "garbage header": (body, {MOCK_SIGNATURE_HEADER: "t=abc,v1=zz"}),
        "stripe header on the mock": (body, {"Stripe-Signature": headers[MOCK_SIGNATURE_HEADER]}),
    }


@pytest.mark.parametrize("path", ["/api/payments/webhook", "/webhook/stripe"])
def test_mock_webhook_signatures_only_the_valid_one_applies(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness, path: str
) -> None:
    user, headers = gateway.player()
    session = _session_pb(payments, _topup(gateway, headers, {"amount": 1000}).json()["data"]["sessionId"])
    for case, (body, signed) in _forgeries(session).items():
        reply = _post_webhook(gateway, body, signed, path)
        assert reply.status_code == 400, (case, reply.text)
        assert reply.json() == {"success": False, "message": "Invalid signature", "error": "INVALID_SIGNATURE"}
        assert payments.session(session.id).status == "created", case
        assert wallet.balance(user).balance == 0, case

    body, signed = mock_event("checkout.session.completed", session)
    reply = _post_webhook(gateway, body, signed, path)
    assert reply.status_code == 200, reply.text
    assert reply.json()["data"]["outcome"] == "applied"
    assert payments.session(session.id).status == "credited"
    assert wallet.balance(user).balance == 100_000

    replay = _post_webhook(gateway, body, signed, path)
    assert replay.status_code == 200
    assert replay.json()["data"]["outcome"] == "duplicate"
    resent = _post_webhook(gateway, *mock_event("checkout.session.completed", session), path)
    assert resent.json()["data"]["outcome"] == "ignored"
    assert wallet.balance(user).balance == 100_000
    assert len(user_topups(wallet, user)) == 1
    wallet.assert_audit_ok()


def test_webhook_about_a_session_we_never_created_is_acknowledged(
    gateway: GatewayHarness, wallet: WalletHarness
) -> None:
    ghost = pb.TopUpSession(id="tps_never_created", provider_ref="mock_session_ghost", amount=100_000,
                            currency="INR")
    reply = _post_webhook(gateway, *mock_event("checkout.session.completed", ghost))
    assert reply.status_code == 200
    assert reply.json()["data"]["outcome"] == "ignored"
    wallet.assert_audit_ok()


def test_signed_but_malformed_webhook_body_is_400(gateway: GatewayHarness) -> None:
    from payment_gateway.adapters import signatures

    body = b'{"not": "an event"}'
    reply = _post_webhook(gateway, body, {MOCK_SIGNATURE_HEADER: signatures.sign_header(body, MOCK_SECRET)})
    assert reply.status_code == 400
    assert reply.json()["error"] == "INVALID_WEBHOOK_PAYLOAD"


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_mock_checkout_page_pay_redirects_with_our_session_id_and_credits(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    data = _topup(gateway, headers, {"amount": 1000}).json()["data"]
    page = gateway.client.get(urlsplit(data["checkoutUrl"]).path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    ref = payments.session(data["sessionId"]).provider_ref
    assert f'action="/checkout/mock/{ref}/pay"' in page.text
    assert f'action="/checkout/mock/{ref}/cancel"' in page.text
    assert "₹1,000.00" in page.text

    paid = gateway.client.post(f"/checkout/mock/{ref}/pay", follow_redirects=False)
    assert paid.status_code == 303
    location = paid.headers["location"]
    assert location == f"{FRONTEND_URL}/wallet/topup/success?session_id={data['sessionId']}"
    assert wallet.balance(user).balance == 100_000
    assert payments.session(data["sessionId"]).status == "credited"

    again = gateway.client.post(f"/checkout/mock/{ref}/pay", follow_redirects=False)
    assert again.status_code == 303
    verified = _verify(gateway, headers, _query(location)["session_id"][0])
    assert verified.json()["data"]["status"] == "credited"
    assert verified.json()["data"]["balance"] == 1000
    assert len(user_topups(wallet, user)) == 1
    assert "already paid" in gateway.client.get(f"/checkout/mock/{ref}").text
    wallet.assert_audit_ok()


def test_mock_checkout_cancel_then_nothing_is_credited(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _topup(gateway, headers, {"amount": 1000}).json()["data"]["sessionId"]
    ref = payments.session(session_id).provider_ref
    cancelled = gateway.client.post(f"/checkout/mock/{ref}/cancel", follow_redirects=False)
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == f"{FRONTEND_URL}/wallet/topup/cancel?session_id={session_id}"
    assert payments.session(session_id).status == "cancelled"

    refused = gateway.client.post(f"/checkout/mock/{ref}/pay", follow_redirects=False)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("text/html")
    verified = _verify(gateway, headers, session_id)
    assert verified.status_code == 200
    assert verified.json()["data"]["status"] == "cancelled"
    assert verified.json()["data"]["transaction"] is None
    assert wallet.balance(user).balance == 0
    wallet.assert_audit_ok()


@pytest.mark.parametrize("ref", ["mock_session_unknown", "tps_notaref", "a" * 300, "%3Cscript%3E"])
def test_mock_checkout_page_for_an_unknown_session_is_404(gateway: GatewayHarness, ref: str) -> None:
    page = gateway.client.get(f"/checkout/mock/{ref}")
    assert page.status_code == 404
    assert "<script>" not in page.text
    assert gateway.client.post(f"/checkout/mock/{ref}/pay", follow_redirects=False).status_code == 404


def test_mock_checkout_of_an_expired_session_offers_no_pay_and_refuses_it(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _topup(gateway, headers, {"amount": 1000}).json()["data"]["sessionId"]
    session = _session_pb(payments, session_id)
    expired = _post_webhook(gateway, *mock_event("checkout.session.expired", session, payment_status="unpaid"))
    assert expired.json()["data"]["outcome"] == "applied"

    page = gateway.client.get(f"/checkout/mock/{session.provider_ref}")
    assert page.status_code == 200
    assert "<form" not in page.text and "already expired" in page.text
    for action in ("pay", "cancel"):
        refused = gateway.client.post(f"/checkout/mock/{session.provider_ref}/{action}", follow_redirects=False)
        assert refused.status_code == 409, (action, refused.text)
        assert refused.headers["content-type"].startswith("text/html")
    assert payments.session(session_id).status == "expired"
    assert _verify(gateway, headers, session_id).json()["data"]["transaction"] is None
    assert wallet.balance(user).balance == 0
    wallet.assert_audit_ok()


def test_mock_checkout_of_a_session_credited_by_webhook_cannot_be_cancelled(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session = _session_pb(payments, _topup(gateway, headers, {"amount": 1000}).json()["data"]["sessionId"])
    assert _post_webhook(gateway, *mock_event("checkout.session.completed", session)).status_code == 200
    page = gateway.client.get(f"/checkout/mock/{session.provider_ref}")
    assert "<form" not in page.text and "already paid" in page.text
    refused = gateway.client.post(f"/checkout/mock/{session.provider_ref}/cancel", follow_redirects=False)
    assert refused.status_code == 409
    assert payments.session(session.id).status == "credited"
    assert wallet.balance(user).balance == 100_000
    wallet.assert_audit_ok()


def test_mock_checkout_forms_accept_only_same_site_posts(
    gateway: GatewayHarness, payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user, headers = gateway.player()
    session_id = _topup(gateway, headers, {"amount": 1000}).json()["data"]["sessionId"]
    ref = payments.session(session_id).provider_ref
    for action in ("pay", "cancel"):
        assert gateway.client.get(f"/checkout/mock/{ref}/{action}").status_code == 405
        forged = gateway.client.post(f"/checkout/mock/{ref}/{action}", headers={"Sec-Fetch-Site": "cross-site"},
                                     follow_redirects=False)
        assert forged.status_code == 403, forged.text
    assert payments.session(session_id).status == "created"
    assert wallet.balance(user).balance == 0
    paid = gateway.client.post(f"/checkout/mock/{ref}/pay", headers={"Sec-Fetch-Site": "same-origin"},
                               follow_redirects=False)
    assert paid.status_code == 303
    assert wallet.balance(user).balance == 100_000
    wallet.assert_audit_ok()


@pytest.mark.parametrize("obj", [
    {"id": "mock_session_x", "amount_total": 2**64, "currency": "inr", "payment_status": "paid"},
    {"id": "tr_1", "amount": 2**64, "metadata": {"payout_id": "pay_1"}},
])
def test_signed_webhook_with_an_amount_no_int64_holds_is_400_not_5xx(
    gateway: GatewayHarness, obj: dict[str, Any]
) -> None:
    from payment_gateway.adapters.mock_events import build_signed_event

    event_type = "transfer.created" if obj["id"].startswith("tr_") else "checkout.session.completed"
    body, signed = build_signed_event(event_type, obj, secret=MOCK_SECRET)
    for _ in range(2):
        reply = _post_webhook(gateway, body, signed)
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"] == "INVALID_WEBHOOK_PAYLOAD"
