"""Top-ups end to end: `winzone up` as real processes (mock provider), driven over REST and `winzone webhook`."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.stack import Stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e


def _player(http: httpx.Client) -> dict[str, str]:
    return sign_up(http)[1]


def _balance(http: httpx.Client, headers: dict[str, str]) -> Any:
    return http.get("/api/wallet", headers=headers).json()["data"]["balance"]


def _winzone_webhook(stack: Stack, session_id: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "winzone_ops.cli", "webhook", "--type", "checkout.session.completed",
         "--session", session_id, "--url", stack.url],
        env={**stack.env, **env}, capture_output=True, text=True, timeout=60,
    )


def test_seed_flow_1_topup_verify_and_the_balance(stack: Stack, http: httpx.Client) -> None:
    assert http.get("/health").json()["data"]["services"]["payments"] == "SERVING"
    headers = _player(http)
    assert _balance(http, headers) == 0
    created = http.post("/api/wallet/topup", json={"amount": 1000}, headers=headers)
    assert created.status_code == 201, created.text
    session_id = created.json()["data"]["sessionId"]
    assert created.json()["data"]["provider"] == "mock"
    verified = http.post("/api/wallet/topup/verify", json={"sessionId": session_id}, headers=headers)
    assert verified.status_code == 200, verified.text
    assert verified.json()["data"]["status"] == "credited"
    assert verified.json()["data"]["balance"] == 1000
    assert _balance(http, headers) == 1000
    history = http.get("/api/wallet/transactions?type=topup", headers=headers).json()
    assert [(t["amount"], t["status"]) for t in history["data"]] == [(1000, "completed")]
    stack.assert_audit_ok()


def test_mock_checkout_page_then_webhooks_change_nothing(stack: Stack, http: httpx.Client) -> None:
    headers = _player(http)
    created = http.post("/api/wallet/topup", json={"amount": 1000}, headers=headers).json()["data"]
    page = http.get(urlsplit(created["checkoutUrl"]).path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    pay_action = re.search(r'<form method="post" action="([^"]+/pay)"', page.text)
    assert pay_action is not None
    paid = http.post(pay_action.group(1), follow_redirects=False)
    assert paid.status_code == 303
    location = urlsplit(paid.headers["location"])
    assert location.path == "/wallet/topup/success"
    returned_id = parse_qs(location.query)["session_id"][0]
    assert returned_id == created["sessionId"]
    verified = http.post("/api/wallet/topup/verify", json={"sessionId": returned_id}, headers=headers)
    assert verified.json()["data"]["status"] == "credited"
    assert _balance(http, headers) == 1000

    signed = _winzone_webhook(stack, returned_id)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert "HTTP 200" in signed.stdout and '"outcome":"ignored"' in signed.stdout
    assert _balance(http, headers) == 1000

    forged = _winzone_webhook(stack, returned_id, MOCK_WEBHOOK_SECRET="whsec_forged_by_someone_else")
    assert forged.returncode == 1
    assert "HTTP 400" in forged.stdout and "INVALID_SIGNATURE" in forged.stdout
    assert _balance(http, headers) == 1000
    history = http.get("/api/wallet/transactions?type=topup", headers=headers).json()
    assert history["pagination"]["total"] == 1
    stack.assert_audit_ok()


def test_winzone_webhook_credits_a_session_nobody_verified(stack: Stack, http: httpx.Client) -> None:
    headers = _player(http)
    created = http.post("/api/wallet/topup", json={"amount": 250}, headers=headers).json()["data"]
    sent = _winzone_webhook(stack, created["sessionId"])
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert '"outcome":"applied"' in sent.stdout
    assert _balance(http, headers) == 250
    again = http.post("/api/wallet/topup/verify", json={"sessionId": created["sessionId"]}, headers=headers)
    assert again.json()["data"]["balance"] == 250
    stack.assert_audit_ok()
