"""The REST contract of payouts (API.md): shapes, roles, 404 for other users' payouts, bad input, idempotency.

The gateway runs in-process (TestClient) against a real wallet server, a real payout server and a scripted
payment provider. Every bad request is checked to leave the player's balance, held funds and payouts
unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.payout_provider_double import FAILED, ProviderDoubleServer
from tests.support.payouts import BANK, UPI, PayoutHarness
from winzone_ops.admin import ensure_admin

ADMIN_EMAIL = "root@winzone.test"
ADMIN_PASSWORD = "admin-pass-123"
PAYOUT_FIELDS = {"_id", "userId", "amount", "currency", "method", "status", "adminNote", "processedBy",
                 "transactionId", "providerReference", "failureReason", "refundedAmount", "history", "approvals",
                 "reviewReasons", "needsDualApproval", "tds", "netAmount", "netWinnings", "financialYear",
                 "createdAt", "updatedAt"}


@dataclass
class Api:
    """The gateway client plus the services behind it."""

    client: TestClient
    wallet: WalletHarness
    payouts: PayoutHarness
    provider: ProviderDoubleServer
    admin: dict[str, str]

    def player(self, email: str, funds: int = 0) -> tuple[str, dict[str, str]]:
        created = self.client.post("/api/auth/register", json={"name": "Player", "email": email,
                                                               "password": "correct-horse-1"})
        assert created.status_code == 201, created.text
        login = self.client.post("/api/auth/login", json={"email": email, "password": "correct-horse-1"})
        user_id = login.json()["data"]["user"]["_id"]
        if funds:
            self.wallet.fund(user_id, funds)
        return user_id, {"Authorization": f"Bearer {login.json()['data']['token']}"}

    def request_payout(self, headers: dict[str, str], body: Any, key: str | None = None) -> Any:
        extra = {"Idempotency-Key": key} if key else {}
        if isinstance(body, bytes):
            return self.client.post("/api/wallet/payout-request", content=body,
                                    headers={**headers, **extra, "content-type": "application/json"})
        return self.client.post("/api/wallet/payout-request", json=body, headers={**headers, **extra})

    def wallet_of(self, headers: dict[str, str]) -> dict[str, Any]:
        return self.client.get("/api/wallet", headers=headers).json()["data"]


@pytest.fixture
def api(tmp_path: Path, wallet: WalletHarness) -> Iterator[Api]:
    provider = ProviderDoubleServer()
    payouts = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, provider.address)
    env = {
        "INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "x" * 48, "WINZONE_DATA_DIR": str(tmp_path),
        "SQLITE_SYNCHRONOUS": "NORMAL", "WALLET_SERVICE_ADDR": wallet.server.address,
        "PAYOUTS_SERVICE_ADDR": payouts.server.address, "PAYMENTS_SERVICE_ADDR": provider.address,
    }
    settings = GatewaySettings.from_env(env)
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    ensure_admin(settings.common, ADMIN_EMAIL, ADMIN_PASSWORD)
    try:
        with TestClient(build_app(settings, users)) as client:
            login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            admin = {"Authorization": f"Bearer {login.json()['data']['token']}"}
            yield Api(client, wallet, payouts, provider, admin)
    finally:
        users.close()
        payouts.close()
        provider.stop()


def test_seed_flow_request_list_approve_and_pay(api: Api) -> None:
    user_id, player = api.player("payee@winzone.test", funds=100_000)
    created = api.request_payout(player, {"amount": 500, "method": UPI})
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["success"] is True and set(body["data"]) == PAYOUT_FIELDS
    payout = body["data"]
    assert (payout["userId"], payout["amount"], payout["currency"], payout["status"]) == (user_id, 500, "INR",
                                                                                          "requested")
    assert payout["method"] == {"type": "upi", "details": {"upiId": "pl****@paytm", "name": "John Doe"}}
    assert payout["history"] == [{"status": "requested", "at": payout["createdAt"], "by": user_id, "note": None}]
    assert all(payout[k] is None for k in ("adminNote", "processedBy", "transactionId", "providerReference",
                                           "failureReason"))
    assert api.wallet_of(player) | {"recentTransactions": None} == {
        "balance": 1000, "available": 500, "held": 500, "currency": "INR", "totalEarnings": 0,
        "receivable": 0, "restricted": False, "recentTransactions": None, "bonusGrants": [],
        "funds": {"deposit": 1000, "winnings": 0, "bonus": 0}, "heldFunds": {"deposit": 500, "winnings": 0, "bonus": 0},
        "withdrawable": 500}
    assert (payout["tds"], payout["netAmount"], payout["netWinnings"]) == (0, 500, 0)

    mine = api.client.get("/api/wallet/payout-requests", headers=player).json()
    assert mine["pagination"] == {"page": 1, "limit": 20, "total": 1, "pages": 1}
    assert mine["data"] == [payout]
    queue = api.client.get("/api/admin/payouts?status=requested", headers=api.admin).json()
    assert [p["_id"] for p in queue["data"]] == [payout["_id"]]

    approved = api.client.put(f"/api/admin/payouts/{payout['_id']}/approve", json={"note": "KYC ok"},
                              headers=api.admin)
    assert approved.status_code == 200, approved.text
    paid = approved.json()["data"]
    assert (paid["status"], paid["adminNote"]) == ("paid", "KYC ok")
    assert paid["providerReference"] and paid["transactionId"]
    assert [(h["status"], h["note"]) for h in paid["history"]] == [("requested", None), ("approved", "KYC ok"),
                                                                   ("paid", None)]
    wallet = api.wallet_of(player)
    assert (wallet["balance"], wallet["held"], wallet["available"]) == (500, 0, 500)
    payout_tx = next(t for t in wallet["recentTransactions"] if t["type"] == "payout")
    assert (payout_tx["_id"], payout_tx["status"], payout_tx["amount"]) == (paid["transactionId"], "completed", -500)
    assert api.client.get("/api/admin/payouts?status=requested", headers=api.admin).json()["data"] == []
    by_user = api.client.get(f"/api/admin/payouts?userId={user_id}&status=paid", headers=api.admin).json()
    assert [p["_id"] for p in by_user["data"]] == [payout["_id"]]
    api.payouts.assert_books_match(user_id)


def test_reject_flow_returns_the_funds_and_conflicts_are_409(api: Api) -> None:
    user_id, player = api.player("rejected@winzone.test", funds=100_000)
    payout = api.request_payout(player, {"amount": 250.5, "method": BANK}).json()["data"]
    assert payout["amount"] == 250.5
    assert payout["method"]["details"] == {"accountNumber": "XXXXXXXX4321", "ifsc": "HDFC0001234",
                                           "accountHolderName": "John Doe"}
    path = f"/api/admin/payouts/{payout['_id']}"
    for body in ({}, {"reason": ""}, {"reason": "   "}, {"reason": {"$ne": None}}, {"reason": "x" * 501}):
        refused = api.client.put(f"{path}/reject", json=body, headers=api.admin)
        assert refused.status_code == 400, (body, refused.text)
    rejected = api.client.put(f"{path}/reject", json={"reason": "Name mismatch"}, headers=api.admin)
    assert rejected.status_code == 200
    data = rejected.json()["data"]
    assert (data["status"], data["adminNote"], data["history"][-1]["note"]) == ("rejected", "Name mismatch",
                                                                                 "Name mismatch")
    assert api.wallet_of(player)["held"] == 0 and api.wallet_of(player)["balance"] == 1000
    again = api.client.put(f"{path}/approve", json={}, headers=api.admin)
    assert again.status_code == 409 and again.json() == {
        "success": False, "message": "Cannot approve a payout that is rejected", "error": "INVALID_PAYOUT_STATE"}
    assert api.client.put(f"{path}/reject", json={"reason": "twice"}, headers=api.admin).status_code == 409
    api.payouts.assert_books_match(user_id)


def test_a_failed_payout_returns_the_funds(api: Api) -> None:
    user_id, player = api.player("declined@winzone.test", funds=100_000)
    payout = api.request_payout(player, {"amount": 300, "method": UPI}).json()["data"]
    api.provider.double.behave(payout["_id"], FAILED)
    failed = api.client.put(f"/api/admin/payouts/{payout['_id']}/approve", headers=api.admin).json()
    assert failed["data"]["status"] == "failed" and failed["data"]["failureReason"] == "Destination account closed"
    assert api.wallet_of(player)["balance"] == 1000 and api.wallet_of(player)["held"] == 0
    api.payouts.assert_books_match(user_id)


def test_idempotency_key_replays_the_same_body_and_refuses_another(api: Api) -> None:
    user_id, player = api.player("idem@winzone.test", funds=100_000)
    first = api.request_payout(player, {"amount": 200, "method": UPI}, key="req-1")
    replay = api.request_payout(player, {"amount": 200.00, "currency": "INR", "method": UPI}, key="req-1")
    assert first.status_code == replay.status_code == 201
    assert replay.json()["data"] == first.json()["data"]
    conflict = api.request_payout(player, {"amount": 201, "method": UPI}, key="req-1")
    assert conflict.status_code == 409 and conflict.json()["error"] == "IDEMPOTENCY_CONFLICT"
    _, other = api.player("idem2@winzone.test", funds=100_000)
    theirs = api.request_payout(other, {"amount": 200, "method": UPI}, key="req-1")
    assert theirs.status_code == 201 and theirs.json()["data"]["_id"] != first.json()["data"]["_id"]
    assert api.wallet_of(player)["held"] == 200
    api.payouts.assert_books_match(user_id)


BAD_AMOUNTS: list[Any] = [0, -100, 0.001, 99.99, 50_000.01, "100", 1e30, True, {}, [], None, "NaN", {"$ne": None}]
BAD_RAW_BODIES = [
    b'{"amount": NaN, "method": {"type": "upi", "details": {"upiId": "a@b", "name": "A"}}}',
    b'{"amount": Infinity}', b'{"amount": -Infinity}', b'{"amount": 100, ', b"[]", b'"amount"', b"\xff",
]
BAD_METHODS: list[Any] = [
    {"type": "upi", "details": {"upiId": upi, "name": "John Doe"}}
    for upi in ("player", "@paytm", "player@", "p@paytm", "player@@paytm", "play er@paytm", "player@pay.tm",
                "player@paytm ; drop", "pl\u0430yer@paytm", "", 42)
] + [
    {"type": "bank", "details": {**BANK["details"], "accountNumber": number}}
    for number in ("12345678", "1234", "1234567890123456789", "12345678901a", "-123456789", 123456789012)
] + [
    {"type": "bank", "details": {**BANK["details"], "ifsc": ifsc}}
    for ifsc in ("HDFC1001234", "HDF0001234", "HDFC00012345", "1234O001234", "HDFC0001 34", "")
] + [
    {"type": "bank", "details": {"accountNumber": "123456784321", "ifsc": "HDFC0001234"}},
    {"type": "stripe", "details": {"accountId": "acc_123456"}},
    {"type": "paypal", "details": {"email": "a@b.c"}},
    {"type": "UPI ", "details": {}},
    {"type": None, "details": UPI["details"]},
    {"details": UPI["details"]},
    {"type": "upi"},
    {"type": "upi", "details": "player@paytm"},
    {"type": "upi", "details": {**UPI["details"], "extra": "x"}},
    {**UPI, "note": "extra"},
    {"$ne": None},
    {"type": {"$ne": None}, "details": UPI["details"]},
    {"type": "upi", "details": {"$ne": None}},
    {"type": "upi", "details": {"upiId": {"$ne": None}, "name": "John Doe"}},
    None, "upi", [], 7,
]


def test_bad_input_is_400_and_changes_nothing(api: Api) -> None:
    user_id, player = api.player("fuzz@winzone.test", funds=100_000)
    before = api.wallet_of(player)
    for amount in BAD_AMOUNTS:
        response = api.request_payout(player, {"amount": amount, "method": UPI})
        assert response.status_code == 400, (amount, response.text)
        assert response.json()["error"] == "INVALID_AMOUNT", (amount, response.text)
    assert api.request_payout(player, {"method": UPI}).json()["error"] == "INVALID_AMOUNT"
    for raw in BAD_RAW_BODIES:
        response = api.request_payout(player, raw)
        assert response.status_code == 400 and response.json()["error"] == "INVALID_JSON", (raw, response.text)
    for method in BAD_METHODS:
        response = api.request_payout(player, {"amount": 100, "method": method})
        assert response.status_code == 400, (method, response.text)
        assert response.json()["error"] == "INVALID_PAYOUT_METHOD", (method, response.text)
        assert "player@paytm" not in response.text and "123456784321" not in response.text
    missing = api.request_payout(player, {"amount": 100})
    assert (missing.status_code, missing.json()["error"]) == (400, "INVALID_PAYOUT_METHOD")
    for currency in ("EUR", "inr", {"$ne": None}, 5):
        response = api.request_payout(player, {"amount": 100, "currency": currency, "method": UPI})
        assert (response.status_code, response.json()["error"]) == (400, "INVALID_CURRENCY"), currency
    too_much = api.request_payout(player, {"amount": 1000.01, "method": UPI})
    assert (too_much.status_code, too_much.json()["error"]) == (400, "INSUFFICIENT_FUNDS")
    assert api.wallet_of(player) == before
    assert api.client.get("/api/wallet/payout-requests", headers=player).json()["pagination"]["total"] == 0
    for query in ("status=paused", "limit=0", "limit=101", "page=-1", "status=requested&status=paid"):
        response = api.client.get(f"/api/wallet/payout-requests?{query}", headers=player)
        assert response.status_code == 400, query
    bad_user = api.client.get('/api/admin/payouts?userId={"$ne":null}', headers=api.admin)
    assert bad_user.status_code == 400
    api.payouts.assert_books_match(user_id)


def test_roles_and_other_users_payouts(api: Api) -> None:
    owner_id, owner = api.player("owner@winzone.test", funds=100_000)
    _, stranger = api.player("stranger@winzone.test", funds=100_000)
    payout = api.request_payout(owner, {"amount": 150, "method": UPI}).json()["data"]
    path = f"/api/wallet/payout-requests/{payout['_id']}"
    assert api.client.get(path, headers=owner).json()["data"] == payout
    assert api.client.get(path, headers=api.admin).status_code == 200
    hidden = api.client.get(path, headers=stranger)
    assert hidden.status_code == 404 and hidden.json()["error"] == "PAYOUT_NOT_FOUND"
    for unknown in ("payout_unknown", '{"$ne":null}', "x" * 300):
        assert api.client.get(f"/api/wallet/payout-requests/{unknown}", headers=owner).status_code == 404
        assert api.client.put(f"/api/admin/payouts/{unknown}/approve", headers=api.admin).status_code == 404
    assert api.client.get("/api/wallet/payout-requests?userId=" + owner_id, headers=stranger).json()["data"] == []
    for method, url, body in (
        ("get", "/api/admin/payouts", None),
        ("put", f"/api/admin/payouts/{payout['_id']}/approve", {}),
        ("put", f"/api/admin/payouts/{payout['_id']}/reject", {"reason": "mine now"}),
    ):
        for headers in (owner, stranger):
            response = api.client.request(method.upper(), url, json=body, headers=headers)
            assert response.status_code == 403 and response.json()["error"] == "FORBIDDEN", url
        assert api.client.request(method.upper(), url, json=body).status_code == 401
    assert api.client.post("/api/wallet/payout-request", json={"amount": 100, "method": UPI}).status_code == 401
    assert api.client.get("/api/wallet/payout-requests").status_code == 401
    assert api.client.get(path, headers=owner).json()["data"]["status"] == "requested"
    assert api.wallet_of(owner)["held"] == 150
    api.payouts.assert_books_match(owner_id)


def test_an_admin_cannot_approve_their_own_payout(api: Api) -> None:
    login = api.client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()
    admin_id = login["data"]["user"]["_id"]
    api.wallet.fund(admin_id, 100_000)
    own = api.request_payout(api.admin, {"amount": 100, "method": UPI}).json()["data"]
    refused = api.client.put(f"/api/admin/payouts/{own['_id']}/approve", headers=api.admin)
    assert (refused.status_code, refused.json()["error"]) == (403, "SELF_APPROVAL_FORBIDDEN")
    assert api.client.get(f"/api/wallet/payout-requests/{own['_id']}", headers=api.admin).json()["data"][
        "status"] == "requested"
    api.payouts.assert_books_match(admin_id)


def test_amounts_are_exact_decimals_in_responses(api: Api) -> None:
    user_id, player = api.player("exact@winzone.test", funds=100_000)
    response = api.request_payout(player, json.loads('{"amount": 123.45, "method": {"type": "stripe", '
                                                     '"details": {"accountId": "acct_1A2b3C4d5E6f"}}}'))
    assert '"amount":123.45' in response.text
    assert Decimal(str(response.json()["data"]["amount"])) == Decimal("123.45")
    assert response.json()["data"]["method"]["details"] == {"accountId": "acct_****5E6f"}
    api.payouts.assert_books_match(user_id)
