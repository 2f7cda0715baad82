"""A request id given to (or made by) the gateway follows the call through every gRPC hop into the logs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.ids import new_request_id
from tests.support.stack import Stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e


def _services_seen(lines: list[dict[str, Any]], request_id: str) -> set[str]:
    return {line["service"] for line in lines if line.get("request_id") == request_id}


def test_request_id_reaches_every_service_the_call_touches(stack: Stack, http: httpx.Client) -> None:
    """The shared stack logs at DEBUG (tests/e2e/conftest.py), so each service writes a line per call."""
    create_id, verify_id = new_request_id(), new_request_id()
    _, signed = sign_up(http)
    headers = {**signed, "X-Request-Id": create_id}
    created = http.post("/api/wallet/topup", json={"amount": 250}, headers=headers)
    assert created.status_code == 201
    assert created.headers["x-request-id"] == create_id
    verify_headers = {**headers, "X-Request-Id": verify_id}
    verified = http.post("/api/wallet/topup/verify", json={"sessionId": created.json()["data"]["sessionId"]},
                         headers=verify_headers)
    assert verified.status_code == 200

    lines = stack.wait_for_log(lambda lines: {"gateway", "payments", "wallet"} <= _services_seen(lines, verify_id)
                               and "payments" in _services_seen(lines, create_id))
    services_seen = _services_seen(lines, verify_id)
    assert {"gateway", "payments", "wallet"} <= services_seen, services_seen
    assert any(line.get("request_id") == create_id and line["service"] == "payments" for line in lines)
