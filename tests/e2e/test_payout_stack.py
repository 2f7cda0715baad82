"""Payouts end to end over real processes (`winzone up`: wallet, payment gateway with the mock provider, payout
service, REST gateway), driven over REST as the web app and the admin panel would."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import httpx
import pytest

from payment_gateway.adapters.mock_events import build_signed_event, transfer_object
from payment_gateway.domain.provider import REVERSED_REASON, PayoutResult, PayoutStatus
from tests.support.stack import Stack
from tests.support.users import sign_in, sign_up

pytestmark = pytest.mark.e2e

UPI = {"type": "upi", "details": {"upiId": "player@paytm", "name": "Player Three"}}


def _player_with_1000(http: httpx.Client) -> tuple[str, dict[str, str]]:
    user_id, headers = sign_up(http)
    session = http.post("/api/wallet/topup", json={"amount": 1000}, headers=headers)
    assert session.status_code == 201, session.text
    verified = http.post("/api/wallet/topup/verify", json={"sessionId": session.json()["data"]["sessionId"]},
                         headers=headers)
    assert verified.status_code == 200 and verified.json()["data"]["balance"] == 1000, verified.text
    return user_id, headers


def _admin(http: httpx.Client, stack: Stack) -> dict[str, str]:
    return sign_in(http, stack.admin_email, stack.admin_password)[1]


def _wallet(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    return http.get("/api/wallet", headers=headers).json()["data"]


def test_seed_flow_3_request_list_approve_paid(stack: Stack, http: httpx.Client) -> None:
    user_id, player = _player_with_1000(http)
    requested = http.post("/api/wallet/payout-request", json={"amount": 500, "method": UPI}, headers=player)
    assert requested.status_code == 201, requested.text
    payout = requested.json()["data"]
    assert payout["status"] == "requested" and payout["method"]["details"]["upiId"] == "pl****@paytm"
    held = _wallet(http, player)
    assert (held["balance"], held["held"], held["available"]) == (1000, 500, 500)

    admin = _admin(http, stack)
    queue = http.get("/api/admin/payouts", params={"status": "requested"}, headers=admin).json()
    assert payout["_id"] in [p["_id"] for p in queue["data"]]
    approved = http.put(f"/api/admin/payouts/{payout['_id']}/approve", json={"note": "ok"}, headers=admin)
    assert approved.status_code == 200, approved.text
    paid = approved.json()["data"]
    assert paid["status"] == "paid" and paid["providerReference"].startswith("mock_payout_")
    after = _wallet(http, player)
    assert (after["balance"], after["held"], after["available"]) == (500, 0, 500)
    mine = http.get("/api/wallet/payout-requests", headers=player).json()["data"]
    assert [(p["_id"], p["status"]) for p in mine] == [(payout["_id"], "paid")]
    assert user_id == paid["userId"]
    stack.assert_audit_ok()
    assert "player@paytm" not in stack.log()


def test_reject_flow_returns_the_funds(stack: Stack, http: httpx.Client) -> None:
    _, player = _player_with_1000(http)
    payout = http.post("/api/wallet/payout-request", json={"amount": 400, "method": UPI}, headers=player).json()
    admin = _admin(http, stack)
    rejected = http.put(f"/api/admin/payouts/{payout['data']['_id']}/reject", json={"reason": "KYC pending"},
                        headers=admin)
    assert rejected.status_code == 200 and rejected.json()["data"]["status"] == "rejected"
    after = _wallet(http, player)
    assert (after["balance"], after["held"], after["available"]) == (1000, 0, 1000)
    conflict = http.put(f"/api/admin/payouts/{payout['data']['_id']}/approve", json={}, headers=admin)
    assert conflict.status_code == 409
    stack.assert_audit_ok()


def test_declined_payout_and_a_reversal_webhook_return_the_funds(stack: Stack, http: httpx.Client) -> None:
    _, player = _player_with_1000(http)
    admin = _admin(http, stack)
    declined_method = {"type": "upi", "details": {"upiId": "will.fail@okbank", "name": "Player Three"}}
    declined = http.post("/api/wallet/payout-request", json={"amount": 100, "method": declined_method},
                         headers=player).json()["data"]
    failed = http.put(f"/api/admin/payouts/{declined['_id']}/approve", headers=admin).json()["data"]
    assert failed["status"] == "failed" and failed["failureReason"]
    assert _wallet(http, player)["balance"] == 1000

    payout = http.post("/api/wallet/payout-request", json={"amount": 300, "method": UPI}, headers=player).json()
    payout_id = payout["data"]["_id"]
    assert http.put(f"/api/admin/payouts/{payout_id}/approve", headers=admin).json()["data"]["status"] == "paid"
    assert _wallet(http, player)["balance"] == 700
    reversal = subprocess.run(
        [sys.executable, "-m", "winzone_ops.cli", "webhook", "--type", "transfer.reversed", "--payout", payout_id,
         "--url", stack.url, "--event-id", f"evt_reversed_{payout_id}"],
        env=stack.env, capture_output=True, text=True, timeout=60,
    )
    assert reversal.returncode == 0, reversal.stdout + reversal.stderr
    paid_ref = http.get(f"/api/wallet/payout-requests/{payout_id}", headers=player).json()["data"]
    body, headers = build_signed_event(
        "transfer.reversed",
        transfer_object(payout_id, PayoutResult(PayoutStatus.FAILED, paid_ref["providerReference"], None, 30_000,
                                                "INR", amount_reversed=30_000)),
        secret=stack.mock_webhook_secret, event_id=f"evt_reversed_{payout_id}",
    )
    for _ in range(2):
        delivered = http.post("/api/payments/webhook", content=body,
                              headers={**headers, "content-type": "application/json"})
        assert delivered.status_code == 200, delivered.text
    reversed_ = http.get(f"/api/wallet/payout-requests/{payout_id}", headers=player).json()["data"]
    assert reversed_["status"] == "failed"
    assert reversed_["failureReason"] == REVERSED_REASON
    assert [h["status"] for h in reversed_["history"]] == ["requested", "approved", "paid", "failed"]
    wallet = _wallet(http, player)
    assert (wallet["balance"], wallet["held"]) == (1000, 0)
    refunds = http.get("/api/wallet/transactions", params={"type": "refund"}, headers=player).json()
    assert refunds["pagination"]["total"] == 1 and refunds["data"][0]["amount"] == 300
    stack.assert_audit_ok()
