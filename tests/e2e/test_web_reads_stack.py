"""The reads the web app needs, end to end over real processes (`winzone up`, on SQLite and on MongoDB): the
public configuration, the competition list, a competition's entrants, a reward preview that the real
distribution then pays to the paisa, and the admin's per-day analytics of what moved."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.support.ids import new_id
from tests.support.stack import Stack
from tests.support.users import sign_in, sign_up
from winzone_kernel.clock import utc_now

pytestmark = pytest.mark.e2e
RUPEE = 100
FIGURES = ("topups", "payouts", "entryFees", "rewards", "platformFees", "organizerFees", "refunds")


def _analytics(http: httpx.Client, admin: dict[str, str], first: str, last: str) -> dict[str, Any]:
    response = http.get("/api/admin/analytics", params={"from": first, "to": last, "currency": "INR"},
                        headers=admin)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json(parse_float=Decimal)["data"]
    return data


def test_config_listing_entrants_preview_and_analytics(stack: Stack, http: httpx.Client) -> None:
    config = http.get("/api/config")
    assert config.status_code == 200, config.text
    data = config.json()["data"]
    assert data["paymentProvider"] == "mock"
    assert (data["platformFeePercentage"], data["organizerFeePercentage"]) == (10, 5)
    assert {c["code"]: (c["minorDigits"], c["topup"], c["payout"]) for c in data["currencies"]}["INR"] == (
        2, {"min": 10, "max": 100000}, {"min": 100, "max": 50000})

    admin = sign_in(http, stack.admin_email, stack.admin_password)[1]
    today = utc_now().date()
    first, last = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    before = _analytics(http, admin, first, last)

    organizer, org = sign_up(http, "organizer")
    opened = [http.post("/api/competitions", json={"entryFee": 40}, headers=org).json()["data"]["_id"]
              for _ in range(2)]
    listed = http.get("/api/competitions", params={"organizerId": organizer}, headers=org).json()
    assert [c["_id"] for c in listed["data"]] == opened[::-1] and listed["pagination"]["total"] == 2
    assert http.get("/api/competitions", params={"organizerId[$ne]": ""}, headers=org).status_code == 400

    competition = opened[0]
    players = [sign_up(http, "player") for _ in range(3)]
    for player_id, headers in players:
        stack.credit(player_id, 100 * RUPEE)
        assert http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers).status_code == 201
    entrants = http.get(f"/api/competitions/{competition}/entries", headers=org).json()["data"]
    assert [e["userId"] for e in entrants] == [p for p, _ in players]
    assert http.get(f"/api/competitions/{competition}/entries", headers=players[0][1]).status_code == 403

    match = f"/api/matches/{new_id('final')}@{competition}/rewards"
    body = {"competitionId": competition,
            "standings": [{"userId": p, "rank": rank} for rank, (p, _) in enumerate(players, start=1)]}
    preview = http.post(f"{match}/preview", json=body, headers=org)
    assert preview.status_code == 200, preview.text
    assert http.get(f"/api/competitions/{competition}", headers=org).json()["data"]["poolBalance"] == 120
    paid = http.post(match, json=body, headers=org)
    assert paid.status_code == 201, paid.text
    assert paid.json()["data"]["payouts"] == preview.json()["data"]["payouts"]
    assert (paid.json()["data"]["platformFee"], paid.json()["data"]["organizerFee"]) == (12, 6)

    after = _analytics(http, admin, first, last)
    assert len(after["days"]) == 3
    moved = {k: after["totals"][k] - before["totals"][k] for k in FIGURES}
    assert moved == {"topups": 300, "payouts": 0, "entryFees": 120, "rewards": 102, "platformFees": 12,
                     "organizerFees": 6, "refunds": 0}
    assert http.get("/api/admin/analytics", params={"from": last, "to": first}, headers=admin).status_code == 400
    assert http.get("/api/admin/analytics", params={"from": first, "to": last}, headers=org).status_code == 403
    stack.assert_audit_ok()
