"""A stack started the normal way (`winzone up`) keeps its secrets and its data to itself: the mock webhook key
is generated for its data folder (the key that used to be published in the code signs nothing), the data folder
is 0700 and every file in it 0600, and a payout method is stored sealed."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import httpx
import pytest

from payment_gateway.adapters.mock_events import build_signed_event, checkout_session_object
from tests.support.stack import Stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e

PUBLISHED_MOCK_WEBHOOK_SECRET = "whsec_winzone_development_mock_webhook_secret"
"""What `payment_gateway/settings.py` once shipped as the development key: anyone could read it."""
UPI = {"type": "upi", "details": {"upiId": "private.person@okicici", "name": "Private Person"}}


def _completed(http: httpx.Client, session: dict[str, str], secret: str) -> httpx.Response:
    ref = session["checkoutUrl"].rstrip("/").rsplit("/", 1)[-1]
    event = checkout_session_object(ref, client_reference_id=session["sessionId"], amount_minor=100_000,
                                    currency="INR")
    body, headers = build_signed_event("checkout.session.completed", event, secret=secret)
    return http.post("/api/payments/webhook", content=body, headers={**headers, "content-type": "application/json"})


def test_the_published_mock_key_signs_nothing_and_the_generated_one_does(stack: Stack, http: httpx.Client) -> None:
    _, player = sign_up(http)
    session = http.post("/api/wallet/topup", json={"amount": 1000}, headers=player).json()["data"]
    forged = _completed(http, session, PUBLISHED_MOCK_WEBHOOK_SECRET)
    assert forged.status_code == 400, forged.text
    assert http.get("/api/wallet", headers=player).json()["data"]["balance"] == 0
    assert PUBLISHED_MOCK_WEBHOOK_SECRET not in stack.log()

    verified = http.post("/api/wallet/topup/verify", json={"sessionId": session["sessionId"]}, headers=player)
    assert verified.json()["data"]["balance"] == 1000, verified.text
    signed = _completed(http, session, stack.mock_webhook_secret)
    assert signed.status_code == 200 and signed.json()["data"]["outcome"] == "ignored", signed.text
    assert http.get("/api/wallet", headers=player).json()["data"]["balance"] == 1000
    stack.assert_audit_ok()


def test_the_data_folder_is_owner_only_and_payout_methods_are_sealed(stack: Stack, http: httpx.Client) -> None:
    user_id, player = sign_up(http)
    stack.credit(user_id, 50_000)
    requested = http.post("/api/wallet/payout-request", json={"amount": 200, "method": UPI},
                          headers={**player, "Idempotency-Key": f"sealed-{user_id}"})
    assert requested.status_code == 201, requested.text
    data = Path(stack.env["WINZONE_DATA_DIR"])
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    kept = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()
            if p.is_file() and p.name != "stack.log"}
    assert "dev-secrets.json" in kept and kept == {name: 0o600 for name in kept}
    if stack.mongodb_uri is None:
        assert {"payouts.sqlite3", "wallet.sqlite3", "gateway.sqlite3"} <= set(kept)
        conn = sqlite3.connect(data / "payouts.sqlite3")
        try:
            rows = conn.execute("SELECT document FROM payout_requests").fetchall()
        finally:
            conn.close()
        assert rows and not any("private.person" in row[0] for row in rows)
    stack.assert_audit_ok()
