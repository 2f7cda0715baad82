"""A request id given to (or made by) the gateway follows the call through every gRPC hop into the logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.stack import start_stack

pytestmark = pytest.mark.e2e


def test_request_id_reaches_every_service_the_call_touches(tmp_path: Path) -> None:
    stack = start_stack(tmp_path / "stack", {"LOG_LEVEL": "DEBUG"})
    try:
        with stack.client() as http:
            http.post("/api/auth/register", json={"name": "R", "email": "rid@winzone.test", "password": "rid-pass-1"})
            token = http.post("/api/auth/login", json={"email": "rid@winzone.test", "password": "rid-pass-1"})
            headers = {"Authorization": f"Bearer {token.json()['data']['token']}", "X-Request-Id": "abcdef0123456789"}
            created = http.post("/api/wallet/topup", json={"amount": 250}, headers=headers)
            assert created.status_code == 201
            assert created.headers["x-request-id"] == "abcdef0123456789"
            verify_headers = {**headers, "X-Request-Id": "fedcba9876543210"}
            verified = http.post("/api/wallet/topup/verify", json={"sessionId": created.json()["data"]["sessionId"]},
                                 headers=verify_headers)
            assert verified.status_code == 200
    finally:
        assert stack.stop() == 0
    lines = [json.loads(line) for line in stack.log().splitlines() if line.startswith("{")]
    services_seen = {line["service"] for line in lines if line.get("request_id") == "fedcba9876543210"}
    assert {"gateway", "payments", "wallet"} <= services_seen, services_seen
    assert any(line.get("request_id") == "abcdef0123456789" and line["service"] == "payments" for line in lines)
