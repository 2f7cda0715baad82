"""``GET /api/config`` and ``GET /api/admin/analytics`` through REST, over real gRPC servers and SQLite stores:
the configuration each owning service reports (payment gateway, payout service, reward service), and the money
the wallet summarises per day after real top-ups, entries, a distribution, a payout and a refund."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from tests.conftest import WalletHarness
from tests.integration.test_competition_api import Api, assert_error, match_of
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_id
from tests.support.payments import PaymentsHarness
from tests.support.payouts import PayoutHarness
from tests.support.rewards import RUPEE, Harness
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone_kernel.clock import utc_now

FIGURES = ("topups", "payouts", "entryFees", "rewards", "platformFees", "organizerFees", "refunds")


def gateway(env: Harness, tmp_path: Path, **addresses: str) -> tuple[GatewaySettings, SqliteUserStore]:
    settings = GatewaySettings.from_env({
        "INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "x" * 48, "WINZONE_DATA_DIR": str(tmp_path),
        "WALLET_SERVICE_ADDR": env.wallet_server.address, "REWARDS_SERVICE_ADDR": env.reward_server.address,
        "SQLITE_SYNCHRONOUS": "NORMAL", **addresses,
    })
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    return settings, users


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    tmp_path = tmp_path_factory.mktemp("analytics")
    env = Harness(tmp_path)
    settings, users = gateway(env, tmp_path)
    try:
        with TestClient(build_app(settings, users)) as client:
            yield Api(client, env, settings.common)
    finally:
        users.close()
        env.close()


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """A gateway over a payment gateway taking INR top-ups only (₹50 to ₹20,000.50) and a payout service
    paying ₹100.01 to ₹49,999.99, with the reward service's fees."""
    tmp_path = tmp_path_factory.mktemp("config")
    wallet = WalletHarness(tmp_path / "wallet.sqlite3")
    payments = PaymentsHarness(tmp_path, wallet, env={"TOPUP_CURRENCIES": "INR", "TOPUP_MIN": "50",
                                                      "TOPUP_MAX": "20000.50"})
    payouts = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, payments.server.address, PAYOUT_MIN="100.01",
                            PAYOUT_MAX="49999.99")
    rewards = Harness(tmp_path / "rewards")
    settings, users = gateway(rewards, tmp_path, PAYMENTS_SERVICE_ADDR=payments.server.address,
                              PAYOUTS_SERVICE_ADDR=payouts.server.address)
    try:
        with TestClient(build_app(settings, users)) as client:
            yield client
    finally:
        users.close()
        rewards.close()
        payouts.close()
        payments.close()
        wallet.close()


# --- GET /api/config ------------------------------------------------------------------------------------------

def test_config_is_public_and_says_what_each_owner_has_configured(configured: TestClient) -> None:
    response = configured.get("/api/config")

    assert response.status_code == 200, response.text
    assert '"topup":{"min":50,"max":20000.5},"payout":{"min":100.01,"max":49999.99}' in response.text
    assert response.json()["data"] == {
        "currencies": [
            {"code": "INR", "minorDigits": 2, "topup": {"min": 50, "max": 20000.5},
             "payout": {"min": 100.01, "max": 49999.99}},
            {"code": "USD", "minorDigits": 2, "topup": None, "payout": {"min": 100.01, "max": 49999.99}},
        ],
        "platformFeePercentage": 10, "organizerFeePercentage": 5, "paymentProvider": "mock",
        "payoutRisk": {"kycRequired": False, "dualApprovalThreshold": 0, "dailyCount": 0, "dailyAmount": 0,
                       "cooldownAfterTopupSeconds": 0, "minAge": 18},
        "tdsRate": 0, "withdrawableFunds": ["winnings", "deposit"], "bonusMaxShareOfEntry": 10,
        "gstOnDepositPercent": 0, "gstOnPlatformFeePercent": 0,
    }
    signed = configured.get("/api/config", headers={"Authorization": "Bearer whatever"})
    assert signed.status_code == 200 and signed.json()["data"] == response.json()["data"]


def test_config_reads_parse_exactly(configured: TestClient) -> None:
    data = configured.get("/api/config").json(parse_float=Decimal)["data"]
    inr = data["currencies"][0]
    assert (inr["topup"]["max"], inr["payout"]["min"]) == (Decimal("20000.5"), Decimal("100.01"))


# --- GET /api/admin/analytics ---------------------------------------------------------------------------------

def summary(api: Api, headers: dict[str, str], first: str, last: str, currency: str = "INR") -> dict[str, Any]:
    response = api.client.get(f"/api/admin/analytics?from={first}&to={last}&currency={currency}", headers=headers)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json(parse_float=Decimal)["data"]
    return data


def test_analytics_sum_every_kind_of_movement_per_day(api: Api) -> None:
    _, adm = api.user("admin")
    today = utc_now().date()
    first, last = (today - timedelta(days=2)).isoformat(), (today + timedelta(days=1)).isoformat()
    before = summary(api, adm, first, last)
    organizer, org = api.user("organizer")
    p1, p1h = api.user()
    p2, p2h = api.user()
    api.env.credit(p1, 1_000 * RUPEE)
    api.env.credit(p2, 50_050)
    competition = api.open(org, entryFee=100, template="top3")
    for headers in (p1h, p2h):
        assert api.post(f"/api/competitions/{competition}/entry", headers).status_code == 201
    paid = api.post(f"/api/matches/{match_of(competition)}/rewards", org, {
        "competitionId": competition, "standings": [{"userId": p1, "rank": 1}, {"userId": p2, "rank": 2}]})
    assert paid.status_code == 201, paid.text
    hold = new_id("pay")
    api.env.wallet.CreateHold(wpb.CreateHoldRequest(idempotency_key=f"hold_{hold}", hold_id=hold, user_id=p1,
                                                    amount=300 * RUPEE, currency="INR", type="payout"))
    api.env.wallet.CaptureHold(wpb.CaptureHoldRequest(idempotency_key=f"capture_{hold}", hold_id=hold,
                                                      counter_account="clearing:mock"))
    pending = new_id("pay")
    api.env.wallet.CreateHold(wpb.CreateHoldRequest(idempotency_key=f"hold_{pending}", hold_id=pending, user_id=p1,
                                                    amount=7 * RUPEE, currency="INR", type="payout"))
    cancelled = api.open(org, entryFee=50)
    assert api.post(f"/api/competitions/{cancelled}/entry", p2h).status_code == 201
    assert api.post(f"/api/competitions/{cancelled}/refund", org, {"reason": "no show"}).status_code == 200
    api.env.credit(organizer, 1)

    after = summary(api, adm, first, last)

    assert (after["from"], after["to"], after["currency"]) == (first, last, "INR")
    assert [d["date"] for d in after["days"]] == [(today + timedelta(days=n)).isoformat() for n in (-2, -1, 0, 1)]
    moved = {k: after["totals"][k] - before["totals"][k] for k in FIGURES}
    assert moved == {"topups": Decimal("1500.51"), "payouts": 300, "entryFees": 250, "rewards": 170,
                     "platformFees": 20, "organizerFees": 10, "refunds": 50}
    for k in FIGURES:
        assert sum(d[k] for d in after["days"]) == after["totals"][k]
        assert all(d[k] >= 0 for d in after["days"])
    assert all(d[k] == 0 for d in after["days"][-1:] for k in FIGURES)
    usd = summary(api, adm, first, last, "USD")
    assert all(usd["totals"][k] == 0 for k in FIGURES) and len(usd["days"]) == 4
    api.env.assert_audit_ok()


def test_analytics_default_to_inr_and_accept_a_366_day_range(api: Api) -> None:
    _, adm = api.user("admin")
    response = api.client.get("/api/admin/analytics?from=2024-01-01&to=2024-12-31", headers=adm)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["currency"] == "INR" and len(data["days"]) == 366
    assert data["days"][59] == {"date": "2024-02-29", **{k: 0 for k in FIGURES}}
    assert data["totals"] == {k: 0 for k in FIGURES}


@pytest.mark.parametrize(("query", "code"), [
    ("", "VALIDATION_ERROR"), ("from=2026-11-01", "VALIDATION_ERROR"), ("to=2026-11-30", "VALIDATION_ERROR"),
    ("from=&to=2026-11-30", "VALIDATION_ERROR"), ("from=2026-11-31&to=2026-12-01", "INVALID_DATE"),
    ("from=2026-11-1&to=2026-11-30", "INVALID_DATE"), ("from=yesterday&to=2026-11-30", "INVALID_DATE"),
    ("from=2026-11-01T00:00:00Z&to=2026-11-30", "INVALID_DATE"), ("from=20261101&to=20261130", "INVALID_DATE"),
    ("from=2026-12-01&to=2026-11-30", "INVALID_RANGE"), ("from=2025-01-01&to=2026-01-02", "INVALID_RANGE"),
    ("from=2026-11-01&to=2026-11-30&currency=EUR", "INVALID_CURRENCY"),
    ("from=2026-11-01&to=2026-11-30&currency=inr", "INVALID_CURRENCY"),
    ("from=2026-11-01&to=2026-11-30&currency[$ne]=INR", "VALIDATION_ERROR"),
    ("from[$ne]=x&to=2026-11-30", "VALIDATION_ERROR"),
    ("from=2026-11-01&from=2026-11-02&to=2026-11-30", "VALIDATION_ERROR"),
    ("from=2026-11-01&to=2026-11-30&userId=u1", "VALIDATION_ERROR"),
])
def test_bad_analytics_queries_are_400(api: Api, query: str, code: str) -> None:
    _, adm = api.user("admin")
    assert_error(api.client.get(f"/api/admin/analytics?{query}", headers=adm), 400, code)


def test_analytics_are_for_admins_only(api: Api) -> None:
    _, ph = api.user()
    _, org = api.user("organizer")
    path = "/api/admin/analytics?from=2026-11-01&to=2026-11-30&currency=INR"
    assert_error(api.client.get(path, headers=ph), 403, "FORBIDDEN")
    assert_error(api.client.get(path, headers=org), 403, "FORBIDDEN")
    assert_error(api.client.get(path), 401)
