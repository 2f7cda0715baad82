"""Issue 13's "done when", over real processes: `winzone up` with ``JURISDICTION=IN`` and, since funds exist,
``WITHDRAWABLE_FUNDS=winnings,deposit`` (IN alone withdraws winnings only, and these players only top up; the
funds rules under IN are tests/e2e/test_funds_tax_stack.py's); TDS at 30 % finds no net winnings in these withdrawals. A
player without verified KYC cannot withdraw; a self-excluded player cannot top up or enter a competition but can
still withdraw what is withdrawable; a payout at or above the dual-approval threshold waits for a second admin
(and, right after a top-up, for an admin's release first). Both audits hold at the end."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.stack import Stack, start_stack
from tests.support.users import PASSWORD, sign_in, sign_up

pytestmark = pytest.mark.e2e
RUPEE = 100


@pytest.fixture(scope="module")
def india(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    stack = start_stack(tmp_path_factory.mktemp("india"), {"JURISDICTION": "IN",
                                                              "WITHDRAWABLE_FUNDS": "winnings,deposit"})
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture
def http(india: Stack) -> Iterator[httpx.Client]:
    with india.client() as client:
        yield client


def _upi(name: str, upi_id: str) -> dict[str, Any]:
    return {"type": "upi", "details": {"upiId": upi_id, "name": name}}


def _wallet(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    return http.get("/api/wallet", headers=headers).json()["data"]


def _second_admin(stack: Stack, http: httpx.Client) -> dict[str, str]:
    email = "checker@winzone.test"
    subprocess.run([sys.executable, "-m", "winzone_ops.cli", "create-admin", "--email", email, "--password",
                    PASSWORD, "--name", "Checker"], env=stack.env, check=True, capture_output=True,
                   cwd=Path(__file__).resolve().parents[2])
    return sign_in(http, email, PASSWORD)[1]


def _verified_kyc(http: httpx.Client, player: dict[str, str], admin: dict[str, str], user_id: str, pan: str,
                  name: str) -> None:
    submitted = http.post("/api/kyc", json={"pan": pan, "name": name, "dateOfBirth": "1994-05-17"}, headers=player)
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["data"]["status"] == "pending" and pan not in submitted.text
    verified = http.put(f"/api/admin/kyc/{user_id}/verify", json={"note": "documents seen"}, headers=admin)
    assert verified.status_code == 200 and verified.json()["data"]["status"] == "verified", verified.text


def test_a_large_payout_needs_kyc_a_release_and_two_admins(india: Stack, http: httpx.Client) -> None:
    user_id, player = sign_up(http)
    india.credit(user_id, 20_000 * RUPEE)
    admin = sign_in(http, india.admin_email, india.admin_password)[1]
    method = _upi("Asha Rao", "asha.rao@okbank")

    refused = http.post("/api/wallet/payout-request", json={"amount": 15_000, "method": method}, headers=player)
    assert refused.status_code == 409 and refused.json()["error"] == "KYC_REQUIRED", refused.text
    assert _wallet(http, player)["held"] == 0

    _verified_kyc(http, player, admin, user_id, "ABCDE1234F", "Asha Rao")
    other = _upi("A Rao", "other.name@okbank")
    mismatch = http.post("/api/wallet/payout-request", json={"amount": 15_000, "method": other}, headers=player)
    assert mismatch.status_code == 409 and mismatch.json()["error"] == "KYC_NAME_MISMATCH", mismatch.text

    created = http.post("/api/wallet/payout-request",
                        json={"amount": 15_000, "method": _upi("  asha   RAO ", "asha.rao@okbank")}, headers=player)
    assert created.status_code == 201, created.text
    payout = created.json()["data"]
    assert payout["status"] == "held" and payout["needsDualApproval"] is True
    assert [r["rule"] for r in payout["reviewReasons"]] == ["recent_card_topup"]
    assert _wallet(http, player)["held"] == 15_000

    pid = payout["_id"]
    early = http.put(f"/api/admin/payouts/{pid}/approve", json={}, headers=admin)
    assert early.status_code == 409 and early.json()["error"] == "PAYOUT_HELD", early.text
    queue = http.get("/api/admin/payouts", params={"status": "held"}, headers=admin).json()["data"]
    assert pid in [p["_id"] for p in queue]
    released = http.put(f"/api/admin/payouts/{pid}/release", json={"note": "top-up cleared by phone"}, headers=admin)
    assert released.status_code == 200 and released.json()["data"]["status"] == "requested", released.text

    first = http.put(f"/api/admin/payouts/{pid}/approve", json={"note": "maker"}, headers=admin)
    assert first.status_code == 200 and first.json()["data"]["status"] == "awaiting_second_approval", first.text
    twice = http.put(f"/api/admin/payouts/{pid}/approve", json={}, headers=admin)
    assert twice.status_code == 403 and twice.json()["error"] == "SECOND_APPROVAL_SAME_ADMIN", twice.text
    assert _wallet(http, player)["balance"] == 20_000

    second = http.put(f"/api/admin/payouts/{pid}/approve", json={"note": "checker"}, headers=_second_admin(india, http))
    assert second.status_code == 200, second.text
    paid = second.json()["data"]
    assert paid["status"] == "paid" and len(paid["approvals"]) == 2
    after = _wallet(http, player)
    assert (after["balance"], after["held"]) == (5_000, 0)
    india.assert_books_ok()


def test_a_self_excluded_player_cannot_top_up_or_enter_but_can_withdraw(india: Stack, http: httpx.Client) -> None:
    _, organizer = sign_up(http, "organizer")
    opened = http.post("/api/competitions", json={"entryFee": 100}, headers=organizer)
    assert opened.status_code == 201, opened.text
    competition = opened.json()["data"]["_id"]
    user_id, player = sign_up(http)
    india.credit(user_id, 500 * RUPEE)
    admin = sign_in(http, india.admin_email, india.admin_password)[1]

    excluded = http.post("/api/wallet/self-exclusion", json={"days": 30}, headers=player)
    assert excluded.status_code in (200, 201) and excluded.json()["data"]["until"], excluded.text
    topup = http.post("/api/wallet/topup", json={"amount": 100}, headers=player)
    assert topup.status_code == 409 and topup.json()["error"] == "SELF_EXCLUDED", topup.text
    entry = http.post(f"/api/competitions/{competition}/entry", json={}, headers=player)
    assert entry.status_code == 409 and entry.json()["error"] == "SELF_EXCLUDED", entry.text
    assert _wallet(http, player)["balance"] == 500
    shorter = http.post("/api/wallet/self-exclusion", json={"days": 7}, headers=player)
    assert shorter.json()["data"]["until"] == excluded.json()["data"]["until"], shorter.text

    _verified_kyc(http, player, admin, user_id, "PQRSV6789K", "Ravi Kumar")
    payout = http.post("/api/wallet/payout-request", json={"amount": 200, "method": _upi("Ravi Kumar", "ravi@upi")},
                       headers=player)
    assert payout.status_code == 201, payout.text
    assert payout.json()["data"]["needsDualApproval"] is False
    assert _wallet(http, player)["held"] == 200
    protection = http.get(f"/api/admin/users/{user_id}/protection", headers=admin)
    assert protection.status_code == 200 and protection.json()["data"]["selfExclusion"]["selfExcluded"] is True
    india.assert_books_ok()
