"""``GET /api/admin/audit`` and the web app over real processes: a fresh `winzone up` (with its auditor
process) is balanced; after a top-up through the mock checkout, a competition's entries and rewards and a
payout paid by the provider it is still balanced, across services too, and tells the same story as
`winzone audit --json`; players and organizers get 403. The mock checkout's redirect lands on the gateway's
own public URL, on the port `winzone up` picked, where the gateway serves the app's ``index.html``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.backends import store_env
from tests.support.ids import new_id
from tests.support.stack import Stack, start_stack
from tests.support.users import sign_in, sign_up

pytestmark = pytest.mark.e2e

INDEX = "<!doctype html><html><head><title>WinZone</title></head><body><div id=\"root\"></div></body></html>\n"
UPI = {"type": "upi", "details": {"upiId": "auditee@paytm", "name": "Audit Player"}}


@pytest.fixture
def fresh_stack(backend: str, tmp_path: Path) -> Iterator[Stack]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    with store_env(backend) as store:
        running = start_stack(tmp_path / "stack", {**store, "WEB_DIST_DIR": str(dist)})
        try:
            yield running
        finally:
            assert running.stop() == 0, running.log()


def _audit(http: httpx.Client, admin: dict[str, str]) -> dict[str, Any]:
    reply = http.get("/api/admin/audit", headers=admin)
    assert reply.status_code == 200, reply.text
    data: dict[str, Any] = reply.json()["data"]
    assert data["ok"] is True, data["discrepancies"]
    assert data["discrepancies"] == [] and data["stuck"] == [] and data["ledger"]["violations"] == []
    return data


def _top_up_through_the_checkout_page(stack: Stack, http: httpx.Client, headers: dict[str, str]) -> None:
    created = http.post("/api/wallet/topup", json={"amount": 1000}, headers=headers)
    assert created.status_code == 201, created.text
    page = http.get(urlsplit(created.json()["data"]["checkoutUrl"]).path)
    action = re.search(r'<form method="post" action="([^"]+/pay)"', page.text)
    assert page.status_code == 200 and action is not None, page.text
    paid = http.post(action.group(1), follow_redirects=False)
    assert paid.status_code == 303
    location = urlsplit(paid.headers["location"])
    port = urlsplit(stack.url).port
    assert (location.scheme, location.netloc, location.path) == ("http", f"localhost:{port}", "/wallet/topup/success")
    landing = http.get(f"{location.path}?{location.query}")
    assert landing.status_code == 200 and landing.text == INDEX
    assert "frame-ancestors 'none'" in landing.headers["content-security-policy"]
    session_id = parse_qs(location.query)["session_id"][0]
    verified = http.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)
    assert verified.json()["data"]["status"] == "credited", verified.text


def test_the_audit_endpoint_on_a_fresh_stack_and_after_money_moves(fresh_stack: Stack) -> None:
    stack = fresh_stack
    assert f"WinZone is up: http://localhost:{urlsplit(stack.url).port}" in stack.log()
    with stack.client() as http:
        health = http.get("/health").json()["data"]["services"]
        assert health == {name: "SERVING" for name in ("wallet", "rewards", "payments", "payouts", "auditor")}
        admin = sign_in(http, stack.admin_email, stack.admin_password)[1]
        fresh = _audit(http, admin)
        assert fresh["ledger"]["accountsChecked"] == 0 and set(fresh["crossService"]["checked"].values()) == {0}

        players = [sign_up(http) for _ in range(2)]
        _, org = sign_up(http, "organizer")
        for role_headers in (players[0][1], org):
            refused = http.get("/api/admin/audit", headers=role_headers)
            assert refused.status_code == 403 and refused.json()["error"] == "FORBIDDEN"
        assert http.get("/api/admin/audit").status_code == 401

        for _, headers in players:
            _top_up_through_the_checkout_page(stack, http, headers)
        competition = http.post("/api/competitions", json={"entryFee": 100, "template": "winner_takes_all"},
                                headers=org).json()["data"]["_id"]
        for _, headers in players:
            entered = http.post(f"/api/competitions/{competition}/entry", json={}, headers=headers)
            assert entered.status_code == 201, entered.text
        standings = [{"userId": user_id, "rank": rank} for rank, (user_id, _) in enumerate(players, start=1)]
        rewarded = http.post(f"/api/matches/{new_id('final')}@{competition}/rewards",
                             json={"competitionId": competition, "standings": standings}, headers=org)
        assert rewarded.status_code == 201, rewarded.text
        requested = http.post("/api/wallet/payout-request", json={"amount": 500, "method": UPI},
                              headers=players[0][1])
        assert requested.status_code == 201, requested.text
        approved = http.put(f"/api/admin/payouts/{requested.json()['data']['_id']}/approve", json={"note": "ok"},
                            headers=admin)
        assert approved.status_code == 200 and approved.json()["data"]["status"] == "paid", approved.text

        after = _audit(http, admin)
        checked = after["crossService"]["checked"]
        assert checked["sessions"] == 2 and checked["provider_charges"] == 2 and checked["pools"] == 1
        assert checked["payouts"] == 1 and checked["holds"] == 1 and checked["provider_transfers"] == 1
        assert after["ledger"]["accountsChecked"] >= 5 and set(after["ledger"]["totals"].values()) == {0}
        stack.assert_audit_ok()

    cli = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--json"], env=stack.env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    document = json.loads(cli.stdout)
    assert document["ok"] is True and document["cross"]["checked"] == checked
    assert document["wallet"]["accounts"] == after["ledger"]["accountsChecked"]
