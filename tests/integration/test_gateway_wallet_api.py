"""The REST contract of auth, wallet and transactions, over a real wallet gRPC server and SQLite stores."""

from __future__ import annotations

from collections.abc import Iterator
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
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone_kernel.config import CommonSettings
from winzone_kernel.metrics import exposition
from winzone_ops.admin import ensure_admin


class Api:
    """A TestClient against the gateway plus helpers to register and sign in."""

    def __init__(self, client: TestClient, wallet: WalletHarness, common: CommonSettings) -> None:
        self.client = client
        self.wallet = wallet
        self.common = common

    def register(self, email: str, role: str = "player", password: str = "correct-horse-1") -> dict[str, Any]:
        response = self.client.post("/api/auth/register", json={"name": email.split("@")[0], "email": email,
                                                                "password": password, "role": role})
        assert response.status_code == 201, response.text
        return response.json()["data"]["user"]

    def login(self, email: str, password: str = "correct-horse-1") -> dict[str, str]:
        response = self.client.post("/api/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['data']['token']}"}

    def player(self, email: str) -> tuple[dict[str, Any], dict[str, str]]:
        user = self.register(email)
        return user, self.login(email)


@pytest.fixture
def api(tmp_path: Path, wallet: WalletHarness) -> Iterator[Api]:
    env = {
        "INTERNAL_TOKEN": TEST_TOKEN,
        "JWT_SECRET": "x" * 48,
        "WINZONE_DATA_DIR": str(tmp_path),
        "WALLET_SERVICE_ADDR": wallet.server.address,
        "SQLITE_SYNCHRONOUS": "NORMAL",
    }
    settings = GatewaySettings.from_env(env)
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    with TestClient(build_app(settings, users)) as client:
        yield Api(client, wallet, settings.common)
    users.close()


def test_register_login_me_and_empty_wallet(api: Api) -> None:
    user, headers = api.player("neo@winzone.test")
    assert set(user) == {"_id", "name", "email", "role", "createdAt", "updatedAt"}
    assert user["role"] == "player"
    me = api.client.get("/api/auth/me", headers=headers).json()
    assert me["success"] and me["data"]["user"]["_id"] == user["_id"]
    wallet = api.client.get("/api/wallet", headers=headers).json()
    assert wallet == {"success": True, "message": "Wallet fetched successfully", "data": {
        "balance": 0, "available": 0, "held": 0, "currency": "INR", "totalEarnings": 0, "receivable": 0,
        "restricted": False, "funds": {"deposit": 0, "winnings": 0, "bonus": 0},
        "heldFunds": {"deposit": 0, "winnings": 0, "bonus": 0}, "withdrawable": 0, "recentTransactions": [],
        "bonusGrants": []}}


def test_wallet_amounts_are_exact_major_units(api: Api) -> None:
    user, headers = api.player("trinity@winzone.test")
    api.wallet.fund(user["_id"], 100_050)
    api.wallet.stub.Credit(pb.CreditRequest(idempotency_key="r1", user_id=user["_id"], amount=12_345, type="reward"))
    hold = api.wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="h", user_id=user["_id"], amount=10_000))
    response = api.client.get("/api/wallet", headers=headers)
    assert '"balance":1123.95' in response.text
    data = response.json()["data"]
    assert data["held"] == 100 and Decimal(str(data["available"])) == Decimal("1023.95")
    assert data["totalEarnings"] == 123.45
    recent = data["recentTransactions"]
    assert [t["type"] for t in recent] == ["payout", "reward", "topup"]
    assert recent[0]["status"] == "pending" and recent[0]["amount"] == -100 and recent[0]["balanceAfter"] is None
    assert recent[2]["balanceAfter"] == 1000.5
    assert set(recent[0]) == {"_id", "userId", "type", "amount", "currency", "source", "status", "description",
                              "metadata", "idempotencyKey", "balanceAfter", "fund", "funds", "createdAt",
                              "updatedAt"}
    assert [t["fund"] for t in recent] == ["winnings", "winnings", "deposit"]
    assert data["funds"] == {"deposit": 1000.5, "winnings": 123.45, "bonus": 0}
    assert data["heldFunds"] == {"deposit": 0, "winnings": 100, "bonus": 0} and data["withdrawable"] == 1023.95
    assert hold.transaction.id == recent[0]["_id"]
    api.wallet.assert_audit_ok()


def test_transactions_lists_paginate_filter_and_stay_private(api: Api) -> None:
    alice, alice_h = api.player("alice@winzone.test")
    bob, bob_h = api.player("bob@winzone.test")
    for i in range(3):
        api.wallet.fund(alice["_id"], 1_000 + i, key=f"a{i}")
    api.wallet.fund(bob["_id"], 5_000, key="b0")
    mine = api.client.get("/api/transactions/my?limit=2", headers=alice_h).json()
    assert mine["pagination"] == {"page": 1, "limit": 2, "total": 3, "pages": 2}
    assert all(t["userId"] == alice["_id"] for t in mine["data"])
    same = api.client.get("/api/wallet/transactions?type=topup&status=completed", headers=alice_h).json()
    assert same["pagination"]["total"] == 3
    bobs_tx = api.client.get("/api/transactions/my", headers=bob_h).json()["data"][0]
    assert api.client.get(f"/api/transactions/{bobs_tx['_id']}", headers=bob_h).status_code == 200
    stolen = api.client.get(f"/api/transactions/{bobs_tx['_id']}", headers=alice_h)
    assert stolen.status_code == 404 and stolen.json()["success"] is False
    assert api.client.get("/api/transactions/txn_unknown", headers=alice_h).status_code == 404
    assert api.client.get("/api/transactions/all", headers=alice_h).status_code == 403
    assert api.client.get("/api/transactions/admin/all", headers=alice_h).status_code == 403
    ensure_admin(api.common, "root@winzone.test", "admin-pass-123")
    admin_h = api.login("root@winzone.test", "admin-pass-123")
    everyone = api.client.get("/api/transactions/all", headers=admin_h).json()
    assert everyone["pagination"]["total"] == 4
    only_bob = api.client.get(f"/api/transactions/admin/all?userId={bob['_id']}", headers=admin_h).json()
    assert [t["userId"] for t in only_bob["data"]] == [bob["_id"]]
    assert api.client.get(f"/api/transactions/{bobs_tx['_id']}", headers=admin_h).status_code == 200


@pytest.mark.parametrize("query", ["page=0", "limit=0", "limit=101", "page=abc", "limit=-1", "type=bogus",
                                   "status=done", "currency=EUR", "page=1.5", "type=topup&type=reward"])
def test_bad_list_queries_are_400(api: Api, query: str) -> None:
    _, headers = api.player("q@winzone.test")
    response = api.client.get(f"/api/transactions/my?{query}", headers=headers)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False and body["error"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json", b"[1, 2]", b'"string"', b"null", b'{"name": "A", "email": NaN}',
        b'{"name": "A", "email": {"$ne": null}, "password": "password123"}',
        b'{"name": "A", "email": "a@b.co", "password": {"$gt": ""}}',
        b'{"name": ["A"], "email": "a@b.co", "password": "password123"}',
        b'{"name": "A", "email": "not-an-email", "password": "password123"}',
        b'{"name": "A", "email": "a@b.co", "password": "short"}',
        b'{"email": "a@b.co", "password": "password123"}',
        b'{"name": "A", "email": "a@b.co", "password": "password123", "role": "superuser"}',
        b'{"name": "A", "email": "a@b.co", "password": "password123", "role": {"$ne": null}}',
        b'{"name": "A", "email": "a@b.co", "password": "password123", "role": "player", "role": "admin"}',
    ],
)
def test_bad_registrations_are_400_and_create_nobody(api: Api, body: bytes) -> None:
    response = api.client.post("/api/auth/register", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.json()["success"] is False and response.json()["error"]
    assert api.client.post("/api/auth/login", json={"email": "a@b.co", "password": "password123"}).status_code == 401


def test_admin_registration_is_forbidden_and_duplicates_conflict(api: Api) -> None:
    response = api.client.post("/api/auth/register", json={"name": "Eve", "email": "eve@winzone.test",
                                                           "password": "password123", "role": "admin"})
    assert response.status_code == 403 and response.json()["error"] == "FORBIDDEN"
    api.register("dup@winzone.test")
    again = api.client.post("/api/auth/register", json={"name": "D", "email": "DUP@winzone.test",
                                                        "password": "password123"})
    assert again.status_code == 409 and again.json()["error"] == "EMAIL_TAKEN"
    organizer = api.register("org@winzone.test", role="organizer")
    assert organizer["role"] == "organizer"


@pytest.mark.parametrize(
    ("login", "status"),
    [({"email": "who@winzone.test", "password": "password123"}, 401),
     ({"email": "known@winzone.test", "password": "nope"}, 401),
     ({"email": {"$ne": None}, "password": {"$ne": None}}, 400), ({"email": "known@winzone.test"}, 400)],
)
def test_bad_logins(api: Api, login: dict[str, Any], status: int) -> None:
    api.register("known@winzone.test")
    response = api.client.post("/api/auth/login", json=login)
    assert response.status_code == status
    assert "token" not in response.text


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer not.a.jwt", "Basic abc", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."],
)
def test_bad_tokens_are_401(api: Api, authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = api.client.get("/api/wallet", headers=headers)
    assert response.status_code == 401
    assert response.json()["success"] is False


def test_tokens_signed_with_another_secret_or_algorithm_are_401(api: Api) -> None:
    import jwt

    user, _ = api.player("forger@winzone.test")
    forged = jwt.encode({"sub": user["_id"], "role": "admin", "iat": 1, "exp": 4_000_000_000, "iss": "winzone"},
                        "another-secret-another-secret-xx", algorithm="HS256")
    assert api.client.get("/api/wallet", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    expired = jwt.encode({"sub": user["_id"], "role": "player", "iat": 1, "exp": 2, "iss": "winzone"},
                         "x" * 48, algorithm="HS256")
    assert api.client.get("/api/wallet", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_health_reports_each_service(api: Api) -> None:
    body = api.client.get("/health").json()
    assert body["data"]["services"]["wallet"] == "SERVING"


def test_unknown_routes_and_methods_use_the_envelope(api: Api) -> None:
    missing = api.client.get("/api/nope")
    assert missing.status_code == 404 and missing.json()["success"] is False
    wrong = api.client.delete("/api/wallet")
    assert wrong.status_code == 405 and wrong.json()["error"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("query", ["page=%C2%B2", "limit=%E2%91%A0", "page=%EF%BC%91"])
def test_non_ascii_digits_in_queries_are_400(api: Api, query: str) -> None:
    _, headers = api.player("digits@winzone.test")
    assert api.client.get(f"/api/wallet/transactions?{query}", headers=headers).status_code == 400


@pytest.mark.parametrize(
    "body",
    [b'{"email": "ann@winzone.test", "password": "\\ud800"}', b'{"email": "ann@winzone.test\\ud800", "password": "x"}',
     b'{"name": "A", "email": "a@b.co", "password": "\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800\\ud800"}'],
)
def test_lone_surrogates_are_400(api: Api, body: bytes) -> None:
    for path in ("/api/auth/login", "/api/auth/register"):
        response = api.client.post(path, content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, response.text


def test_oversized_bodies_are_refused_before_reading(api: Api) -> None:
    big = b'{"name": "' + b"x" * 70_000 + b'"}'
    response = api.client.post("/api/auth/register", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "PAYLOAD_TOO_LARGE"


def test_cors_preflight_from_the_frontend_is_allowed(api: Api) -> None:
    response = api.client.options("/api/wallet", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    other = api.client.options("/api/wallet", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in other.headers


def test_a_wrong_internal_token_is_a_503_not_a_401(api: Api, tmp_path: Path) -> None:
    env = {"INTERNAL_TOKEN": "a-different-token-0123456789", "JWT_SECRET": "x" * 48,
           "WINZONE_DATA_DIR": str(tmp_path / "other"), "WALLET_SERVICE_ADDR": api.wallet.server.address}
    settings = GatewaySettings.from_env(env)
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    with TestClient(build_app(settings, users)) as client:
        client.post("/api/auth/register", json={"name": "T", "email": "t@winzone.test", "password": "password123"})
        token = client.post("/api/auth/login", json={"email": "t@winzone.test", "password": "password123"})
        response = client.get("/api/wallet", headers={"Authorization": f"Bearer {token.json()['data']['token']}"})
        assert response.status_code == 503
        assert response.json()["error"] == "UPSTREAM_AUTH_FAILED"
        assert "token" not in response.json()["message"].lower()
    users.close()


def test_metrics_are_counted_but_not_served_on_the_api_port(api: Api) -> None:
    _, headers = api.player("metrics@winzone.test")
    api.client.get("/api/wallet", headers=headers)
    response = api.client.get("/metrics")
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"
    assert 'winzone_http_requests_total{method="GET",route="/api/wallet",status="200"}' in exposition().decode()
