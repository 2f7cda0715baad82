"""The REST contract of player protection over one real stack (`winzone up`, SQLite): KYC submission and
review, deposit and entry limits with their cooling-off, self-exclusion, the admin's protection view, and the
release of a payout a risk rule held. Shapes, bad input, ownership and roles for every endpoint; the books
hold after every test that moves money.

The stack holds every payout made within an hour of a top-up (``PAYOUT_COOLDOWN_AFTER_TOPUP=1h``) and needs
two admins at ₹2,000 or more (``PAYOUT_DUAL_APPROVAL_THRESHOLD``)."""

from __future__ import annotations

import secrets
import string
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.ids import new_key
from tests.support.stack import Stack, start_stack
from tests.support.users import PASSWORD, sign_in, sign_up
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.clock import utc_now

pytestmark = pytest.mark.e2e
RUPEE = 100
ROOT = Path(__file__).resolve().parents[2]
KYC_FIELDS = {"userId", "status", "pan", "name", "dateOfBirth", "submittedAt", "reviewedAt", "reviewedBy", "note",
              "updatedAt"}
LIMIT_FIELDS = {"currency", "depositDaily", "depositMonthly", "entryDaily", "pending"}
EXCLUSION_FIELDS = {"selfExcluded", "until", "permanent", "since"}
UPI = {"type": "upi", "details": {"upiId": "asha.rao@okbank", "name": "Asha Rao"}}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("protection"), {
        "PAYOUT_COOLDOWN_AFTER_TOPUP": "1h", "PAYOUT_DUAL_APPROVAL_THRESHOLD": "2000"})
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def http(stack: Stack) -> Iterator[httpx.Client]:
    with stack.client() as client:
        yield client


@pytest.fixture
def admin(stack: Stack, http: httpx.Client) -> dict[str, str]:
    return sign_in(http, stack.admin_email, stack.admin_password)[1]


def _pan() -> str:
    letters = string.ascii_uppercase
    return ("".join(secrets.choice(letters) for _ in range(5)) + f"{secrets.randbelow(10_000):04d}"
            + secrets.choice(letters))


def _data(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    body = response.json(parse_float=Decimal)
    assert body["success"] is True
    return body["data"]


def _refused(response: httpx.Response, status: int, *codes: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False and set(body) == {"success", "message", "error"}, body
    if codes:
        assert body["error"] in codes, body


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _raw(http: httpx.Client, method: str, path: str, raw: bytes, headers: dict[str, str]) -> httpx.Response:
    return http.request(method, path, content=raw, headers={**headers, "content-type": "application/json"})


def _credit(stack: Stack, user_id: str, amount_minor: int) -> None:
    """Money in that is not a top-up (so no payout cooling-down applies)."""
    with stack.wallet() as wallet:
        wallet.Credit(wallet_pb2.CreditRequest(idempotency_key=new_key(), user_id=user_id, amount=amount_minor,
                                               currency="INR", type="credit"))


def _top_up(http: httpx.Client, player: dict[str, str], amount: int) -> httpx.Response:
    created = http.post("/api/wallet/topup", json={"amount": amount}, headers=player)
    if created.status_code == 201:
        session = created.json()["data"]["sessionId"]
        verified = _data(http.post("/api/wallet/topup/verify", json={"sessionId": session}, headers=player))
        assert verified["status"] == "credited"
    return created


def _wallet(http: httpx.Client, headers: dict[str, str]) -> Any:
    return _data(http.get("/api/wallet", headers=headers))


def _second_admin(stack: Stack, http: httpx.Client) -> tuple[str, dict[str, str]]:
    email = f"checker-{secrets.token_hex(4)}@winzone.test"
    subprocess.run([sys.executable, "-m", "winzone_ops.cli", "create-admin", "--email", email, "--password",
                    PASSWORD, "--name", "Checker"], env=stack.env, check=True, capture_output=True, cwd=ROOT,
                   timeout=60)
    return sign_in(http, email, PASSWORD)


def test_config_shows_the_payout_risk_rules(http: httpx.Client) -> None:
    risk = _data(http.get("/api/config"))["payoutRisk"]
    assert risk == {"kycRequired": False, "dualApprovalThreshold": 2000, "dailyCount": 0, "dailyAmount": 0,
                    "cooldownAfterTopupSeconds": 3600, "minAge": 18}


def test_kyc_submit_then_admin_verifies_or_rejects(http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    other_id, other = sign_up(http)
    assert _data(http.get("/api/kyc", headers=player)) | {"userId": None} == dict.fromkeys(KYC_FIELDS) | {
        "status": "none"}
    pan = _pan()
    submitted = http.post("/api/kyc", json={"pan": pan, "name": "Asha Rao", "dateOfBirth": "1994-05-17"},
                          headers=player)
    record = _data(submitted, 201)
    assert pan not in submitted.text and set(record) == KYC_FIELDS
    assert (record["userId"], record["status"], record["pan"], record["name"], record["dateOfBirth"]) == (
        user_id, "pending", "XXXXXX" + pan[-4:], "Asha Rao", "1994-05-17")
    assert record["submittedAt"] and record["reviewedAt"] is None
    assert _data(http.get("/api/kyc", headers=player)) == record
    assert _data(http.get("/api/kyc", headers=other))["status"] == "none"
    _refused(http.post("/api/kyc", json={"pan": pan, "name": "Asha Rao", "dateOfBirth": "1994-05-17"},
                       headers=player), 409, "KYC_ALREADY_SUBMITTED")

    queue = http.get("/api/admin/kyc", params={"status": "pending", "limit": 100}, headers=admin)
    assert user_id in [r["userId"] for r in _data(queue)] and pan not in queue.text
    assert queue.json()["pagination"]["limit"] == 100
    for path in ("/api/admin/kyc", f"/api/admin/users/{user_id}/protection"):
        _refused(http.get(path, headers=other), 403, "FORBIDDEN")
        _refused(http.get(path), 401, "UNAUTHORIZED")
    _refused(http.get("/api/admin/kyc", params={"status": "none"}, headers=admin), 400, "VALIDATION_ERROR")
    _refused(http.get("/api/admin/kyc", params={"status[$ne]": ""}, headers=admin), 400, "VALIDATION_ERROR")
    _refused(http.get("/api/admin/kyc", params={"limit": 0}, headers=admin), 400, "VALIDATION_ERROR")
    _refused(http.put(f"/api/admin/kyc/{user_id}/verify", json={}, headers=other), 403, "FORBIDDEN")
    _refused(http.put(f"/api/admin/kyc/{user_id}/verify", json={}), 401)
    _refused(http.put("/api/admin/kyc/no-such-user/verify", json={}, headers=admin), 404, "USER_NOT_FOUND")
    _refused(http.put("/api/admin/kyc/no-such-user/reject", json={"reason": "x"}, headers=admin), 404,
             "USER_NOT_FOUND")
    _refused(http.put(f"/api/admin/kyc/{other_id}/verify", json={}, headers=admin), 404, "KYC_NOT_FOUND")
    _refused(http.put(f"/api/admin/kyc/{user_id}/verify", json={"note": {"$ne": None}}, headers=admin), 400)
    _refused(http.put(f"/api/admin/kyc/{user_id}/verify", json={"note": "x" * 501}, headers=admin), 400)
    _refused(http.put(f"/api/admin/kyc/{user_id}/verify", json={"status": "verified"}, headers=admin), 400)

    verified = _data(http.put(f"/api/admin/kyc/{user_id}/verify", json={"note": "documents seen"}, headers=admin))
    assert (verified["status"], verified["note"], verified["pan"]) == ("verified", "documents seen", record["pan"])
    assert verified["reviewedAt"] and verified["reviewedBy"]
    _refused(http.put(f"/api/admin/kyc/{user_id}/reject", json={"reason": "late"}, headers=admin), 409,
             "INVALID_KYC_STATE")
    assert _data(http.get("/api/kyc", headers=player))["status"] == "verified"

    _data(http.post("/api/kyc", json={"pan": _pan(), "name": "Ravi Kumar", "dateOfBirth": "1990-01-31"},
                    headers=other), 201)
    for bad in ({}, {"reason": ""}, {"reason": None}, {"reason": {"$ne": None}}, {"reason": 7},
                {"reason": "x" * 501}, {"reason": "ok", "extra": 1}):
        _refused(http.put(f"/api/admin/kyc/{other_id}/reject", json=bad, headers=admin), 400)
    rejected = _data(http.put(f"/api/admin/kyc/{other_id}/reject", json={"reason": "blurred photo"}, headers=admin))
    assert (rejected["status"], rejected["note"]) == ("rejected", "blurred photo")
    again = _data(http.post("/api/kyc", json={"pan": _pan(), "name": "Ravi Kumar", "dateOfBirth": "1990-01-31"},
                            headers=other), 201)
    assert again["status"] == "pending"


def test_kyc_bad_input_is_400_and_stores_nothing(http: httpx.Client) -> None:
    _, player = sign_up(http)
    good = {"pan": _pan(), "name": "Asha Rao", "dateOfBirth": "1994-05-17"}
    eighteen_next_year = (utc_now().date() - timedelta(days=365 * 18 - 30)).isoformat()
    table: list[tuple[dict[str, Any], tuple[str, ...]]] = [
        ({}, ("VALIDATION_ERROR",)),
        (good | {"pan": {"$ne": None}}, ("VALIDATION_ERROR",)),
        (good | {"pan": 1234}, ("VALIDATION_ERROR",)),
        (good | {"pan": None}, ("VALIDATION_ERROR",)),
        (good | {"pan": "ABCDE12345"}, ("INVALID_PAN",)),
        (good | {"pan": "abcde1234f"}, ("INVALID_PAN",)),
        (good | {"pan": "ABCD1234FF"}, ("INVALID_PAN",)),
        (good | {"name": ""}, ("VALIDATION_ERROR", "INVALID_NAME")),
        (good | {"name": "   "}, ("VALIDATION_ERROR", "INVALID_NAME")),
        (good | {"name": "x" * 101}, ("VALIDATION_ERROR", "INVALID_NAME")),
        (good | {"name": ["Asha"]}, ("VALIDATION_ERROR",)),
        (good | {"dateOfBirth": "17/05/1994"}, ("INVALID_DATE_OF_BIRTH",)),
        (good | {"dateOfBirth": "1994-02-30"}, ("INVALID_DATE_OF_BIRTH",)),
        (good | {"dateOfBirth": 19940517}, ("VALIDATION_ERROR",)),
        (good | {"dateOfBirth": eighteen_next_year}, ("UNDER_AGE",)),
        (good | {"role": "admin"}, ("VALIDATION_ERROR",)),
    ]
    for body, codes in table:
        _refused(http.post("/api/kyc", json=body, headers=player), 400, *codes)
    for raw in (b"[]", b"{", b'{"pan": "A", "pan": "B"}', b'{"pan": NaN}'):
        _refused(_raw(http, "POST", "/api/kyc", raw, player), 400, "INVALID_JSON", "VALIDATION_ERROR")
    _refused(http.post("/api/kyc", json=good), 401)
    assert _data(http.get("/api/kyc", headers=player))["status"] == "none"


def test_a_pan_another_account_holds_is_refused_and_flags_the_account(http: httpx.Client,
                                                                     admin: dict[str, str]) -> None:
    _, first = sign_up(http)
    second_id, second = sign_up(http)
    pan = _pan()
    _data(http.post("/api/kyc", json={"pan": pan, "name": "Asha Rao", "dateOfBirth": "1994-05-17"}, headers=first),
          201)
    reused = http.post("/api/kyc", json={"pan": pan, "name": "Someone Else", "dateOfBirth": "1991-03-03"},
                       headers=second)
    _refused(reused, 409, "PAN_IN_USE")
    assert pan not in reused.text
    mine = _data(http.get("/api/kyc", headers=second))
    assert mine["status"] == "flagged" and pan not in str(mine)
    flagged = http.get("/api/admin/kyc", params={"status": "flagged", "limit": 100}, headers=admin)
    assert second_id in [r["userId"] for r in _data(flagged)] and pan not in flagged.text
    assert {r["status"] for r in _data(flagged)} == {"flagged"}
    view = _data(http.get(f"/api/admin/users/{second_id}/protection", headers=admin))
    assert view["kyc"]["status"] == "flagged"


def test_limits_lower_at_once_raise_after_cooling_off_and_deposits_stop_at_the_limit(
        stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    initial = _data(http.get("/api/wallet/limits", headers=player))
    assert initial == {"currency": "INR", "depositDaily": None, "depositMonthly": None, "entryDaily": None,
                       "pending": []}
    first = _data(http.put("/api/wallet/limits", json={"depositDaily": 15, "entryDaily": 50.5}, headers=player))
    assert set(first) == LIMIT_FIELDS
    assert (first["depositDaily"], first["entryDaily"], first["pending"]) == (15, Decimal("50.5"), [])
    lower = _data(http.put("/api/wallet/limits", json={"entryDaily": 40}, headers=player))
    assert (lower["entryDaily"], lower["pending"]) == (40, [])

    asked = utc_now()
    raised = _data(http.put("/api/wallet/limits", json={"depositDaily": 100, "entryDaily": None}, headers=player))
    assert (raised["depositDaily"], raised["entryDaily"]) == (15, 40)
    pending = {p["limit"]: p for p in raised["pending"]}
    assert set(pending) == {"depositDaily", "entryDaily"}
    assert (pending["depositDaily"]["value"], pending["entryDaily"]["value"]) == (100, None)
    for change in pending.values():
        assert set(change) == {"limit", "value", "effectiveAt"}
        assert abs(_at(change["effectiveAt"]) - (asked + timedelta(hours=24))) < timedelta(minutes=2)
    assert _data(http.get("/api/wallet/limits", headers=player)) == raised
    assert _data(http.get("/api/wallet/limits", params={"currency": "USD"}, headers=player))["depositDaily"] is None
    view = _data(http.get(f"/api/admin/users/{user_id}/protection", headers=admin))
    assert set(view) == {"userId", "kyc", "limits", "selfExclusion"} and view["limits"] == raised
    assert view["kyc"]["status"] == "none" and view["selfExclusion"]["selfExcluded"] is False

    assert _top_up(http, player, 10).status_code == 201
    _refused(_top_up(http, player, 10), 409, "LIMIT_EXCEEDED")
    assert _wallet(http, player)["balance"] == 10
    stack.assert_books_ok()


def test_limits_bad_input_is_400_and_changes_nothing(http: httpx.Client) -> None:
    _, player = sign_up(http)
    _data(http.put("/api/wallet/limits", json={"depositDaily": 500}, headers=player))
    before = _data(http.get("/api/wallet/limits", headers=player))
    for bad in ({"depositDaily": 0}, {"depositDaily": -5}, {"depositDaily": 1.001}, {"depositDaily": "5"},
                {"depositDaily": {"$ne": None}}, {"depositDaily": True}, {"depositDaily": [5]},
                {"depositDaily": 10**20}, {"depositWeekly": 5}, {"depositDaily": 5,
                                                                                    "currency": "inr"},
                {"currency": "EUR"}, {"currency": None}, {"entryDaily": 5, "userId": "someone-else"}):
        _refused(http.put("/api/wallet/limits", json=bad, headers=player), 400)
    for raw in (b'{"depositDaily": NaN}', b'{"depositDaily": Infinity}', b'{"depositDaily": 1, "depositDaily": 2}',
                b"[1]", b"{"):
        _refused(_raw(http, "PUT", "/api/wallet/limits", raw, player), 400)
    _refused(http.get("/api/wallet/limits", params={"currency": "EUR"}, headers=player), 400, "VALIDATION_ERROR")
    _refused(http.get("/api/wallet/limits", params={"userId": "x"}, headers=player), 400, "VALIDATION_ERROR")
    _refused(http.put("/api/wallet/limits", json={"depositDaily": 1}), 401)
    assert _data(http.get("/api/wallet/limits", headers=player)) == before


def test_self_exclusion_stops_top_ups_and_entries_but_not_payouts(
        stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    _, organizer = sign_up(http, "organizer")
    competition = _data(http.post("/api/competitions", json={"entryFee": 100}, headers=organizer), 201)["_id"]
    user_id, player = sign_up(http)
    _credit(stack, user_id, 1_000 * RUPEE)
    assert _data(http.get("/api/wallet/self-exclusion", headers=player)) == {
        "selfExcluded": False, "until": None, "permanent": False, "since": None}
    for bad in ({}, {"days": 6}, {"days": 366}, {"days": 0}, {"days": -7}, {"days": 7.5}, {"days": "30"},
                {"days": True}, {"days": {"$ne": None}}, {"permanent": False}, {"permanent": "true"},
                {"days": 30, "permanent": True}, {"days": 30, "userId": "other"}, {"days": None}):
        _refused(http.post("/api/wallet/self-exclusion", json=bad, headers=player), 400)
    _refused(_raw(http, "POST", "/api/wallet/self-exclusion", b'{"days": NaN}', player), 400)
    _refused(http.post("/api/wallet/self-exclusion", json={"days": 30}), 401)
    assert _data(http.get("/api/wallet/self-exclusion", headers=player))["selfExcluded"] is False

    asked = utc_now()
    excluded = _data(http.post("/api/wallet/self-exclusion", json={"days": 30}, headers=player))
    assert set(excluded) == EXCLUSION_FIELDS and excluded["selfExcluded"] is True and excluded["permanent"] is False
    assert abs(_at(excluded["until"]) - (asked + timedelta(days=30))) < timedelta(minutes=2)
    assert _data(http.post("/api/wallet/self-exclusion", json={"days": 7}, headers=player))["until"] == excluded[
        "until"]
    assert _data(http.get("/api/wallet/self-exclusion", headers=player)) == excluded

    _refused(http.post("/api/wallet/topup", json={"amount": 100}, headers=player), 409, "SELF_EXCLUDED")
    _refused(http.post(f"/api/competitions/{competition}/entry", json={}, headers=player), 409, "SELF_EXCLUDED")
    assert _wallet(http, player)["balance"] == 1_000
    payout = _data(http.post("/api/wallet/payout-request", json={"amount": 200, "method": UPI}, headers=player), 201)
    assert payout["status"] == "requested" and payout["reviewReasons"] == [] and payout["needsDualApproval"] is False
    assert "asha.rao@okbank" not in str(payout["method"])
    assert _wallet(http, player)["held"] == 200

    view = _data(http.get(f"/api/admin/users/{user_id}/protection", headers=admin))
    assert view["userId"] == user_id and view["selfExclusion"] == excluded
    _refused(http.get("/api/admin/users/no-such-user/protection", headers=admin), 404, "USER_NOT_FOUND")
    _refused(http.get(f"/api/admin/users/{user_id}/protection", headers=organizer), 403, "FORBIDDEN")

    forever = _data(http.post("/api/wallet/self-exclusion", json={"permanent": True}, headers=player))
    assert (forever["selfExcluded"], forever["permanent"], forever["until"]) == (True, True, None)
    _refused(http.post("/api/wallet/topup", json={"amount": 100}, headers=player), 409, "SELF_EXCLUDED")
    stack.assert_books_ok()


def test_a_payout_right_after_a_top_up_is_held_until_an_admin_releases_it(
        stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    _, stranger = sign_up(http)
    assert _top_up(http, player, 1_000).status_code == 201
    created = _data(http.post("/api/wallet/payout-request", json={"amount": 500, "method": UPI}, headers=player),
                    201)
    assert created["status"] == "held" and created["needsDualApproval"] is False and created["approvals"] == []
    assert [r["rule"] for r in created["reviewReasons"]] == ["recent_card_topup"]
    assert all(r["message"] and r["at"] for r in created["reviewReasons"])
    assert _wallet(http, player)["held"] == 500
    pid = created["_id"]
    assert pid in [p["_id"] for p in _data(http.get("/api/admin/payouts", params={"status": "held", "limit": 100},
                                                    headers=admin))]
    assert [p["status"] for p in _data(http.get("/api/wallet/payout-requests", headers=player))] == ["held"]

    _refused(http.put(f"/api/admin/payouts/{pid}/approve", json={}, headers=admin), 409, "PAYOUT_HELD")
    _refused(http.put(f"/api/admin/payouts/{pid}/release", json={"note": "mine"}, headers=player), 403, "FORBIDDEN")
    _refused(http.put(f"/api/admin/payouts/{pid}/release", json={"note": "x"}), 401)
    for bad in ({}, {"note": ""}, {"note": None}, {"note": {"$ne": None}}, {"note": 5}, {"note": "x" * 501}):
        _refused(http.put(f"/api/admin/payouts/{pid}/release", json=bad, headers=admin), 400)
    _refused(http.put("/api/admin/payouts/no-such-payout/release", json={"note": "x"}, headers=admin), 404)

    released = _data(http.put(f"/api/admin/payouts/{pid}/release", json={"note": "top-up confirmed"},
                              headers=admin))
    assert released["status"] == "requested"
    assert [r["rule"] for r in released["reviewReasons"]] == ["recent_card_topup"]
    assert ("requested", "top-up confirmed") in [(h["status"], h["note"]) for h in released["history"]]
    _refused(http.put(f"/api/admin/payouts/{pid}/release", json={"note": "again"}, headers=admin), 409,
             "INVALID_PAYOUT_STATE")
    _refused(http.get(f"/api/wallet/payout-requests/{pid}", headers=stranger), 404)

    paid = _data(http.put(f"/api/admin/payouts/{pid}/approve", json={"note": "ok"}, headers=admin))
    assert paid["status"] == "paid" and [a["note"] for a in paid["approvals"]] == ["ok"]
    after = _wallet(http, player)
    assert (after["balance"], after["held"]) == (500, 0)
    assert user_id == paid["userId"]
    stack.assert_books_ok()


def test_a_large_payout_needs_two_different_admins(stack: Stack, http: httpx.Client, admin: dict[str, str]) -> None:
    user_id, player = sign_up(http)
    _credit(stack, user_id, 5_000 * RUPEE)
    created = _data(http.post("/api/wallet/payout-request", json={"amount": 2_000, "method": UPI}, headers=player),
                    201)
    assert (created["status"], created["needsDualApproval"]) == ("requested", True)
    pid = created["_id"]
    first = _data(http.put(f"/api/admin/payouts/{pid}/approve", json={"note": "maker"}, headers=admin))
    assert first["status"] == "awaiting_second_approval" and [a["note"] for a in first["approvals"]] == ["maker"]
    assert _wallet(http, player)["held"] == 2_000
    _refused(http.put(f"/api/admin/payouts/{pid}/approve", json={}, headers=admin), 403, "SECOND_APPROVAL_SAME_ADMIN")
    _, checker = _second_admin(stack, http)
    second = _data(http.put(f"/api/admin/payouts/{pid}/approve", json={"note": "checker"}, headers=checker))
    assert second["status"] == "paid" and [a["note"] for a in second["approvals"]] == ["maker", "checker"]
    assert (_wallet(http, player)["balance"], _wallet(http, player)["held"]) == (3_000, 0)
    stack.assert_books_ok()
