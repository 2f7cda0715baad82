"""Sign-in abuse: failed logins are throttled per account and per client address with exponential backoff,
answered 429 ``TOO_MANY_ATTEMPTS`` with ``Retry-After``, and never say more than "Invalid credentials".
The gateway runs in-process over a real SQLite user store; its throttle gets a hand-driven clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from api_gateway.use_cases.throttle import LoginThrottle, TooManyAttempts
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_email
from winzone_ops.admin import ensure_admin

PASSWORD = "correct-horse-1"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[TestClient, Clock, Any]]:
    settings = GatewaySettings.from_env({"INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "x" * 48,
                                         "WINZONE_DATA_DIR": str(tmp_path), "SQLITE_SYNCHRONOUS": "NORMAL"})
    users = SqliteUserStore(settings.common.sqlite_path("gateway"))
    users.migrate()
    clock = Clock()
    try:
        with TestClient(build_app(settings, users, throttle=LoginThrottle(clock=clock))) as client:
            yield client, clock, settings.common
    finally:
        users.close()


def login(client: TestClient, email: str, password: str) -> Any:
    return client.post("/api/auth/login", json={"email": email, "password": password})


def test_thirty_wrong_admin_passwords_lock_the_account_and_the_right_one_waits(gateway: Any) -> None:
    client, clock, common = gateway
    email = new_email("admin")
    ensure_admin(common, email, PASSWORD)
    statuses = [login(client, email, f"wrong-{i}").status_code for i in range(30)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {401, 429}
    locked = login(client, email, PASSWORD)
    assert locked.status_code == 429, locked.text
    assert locked.json() == {"success": False, "message": "Too many sign-in attempts; try again later",
                             "error": "TOO_MANY_ATTEMPTS"}
    retry_after = int(locked.headers["Retry-After"])
    assert retry_after >= 1
    clock.advance(retry_after - 1)
    assert login(client, email, PASSWORD).status_code == 429
    clock.advance(1)
    assert login(client, email, PASSWORD).status_code == 200


def test_backoff_doubles_per_failure_and_a_success_resets_the_account() -> None:
    clock = Clock()
    throttle = LoginThrottle(clock=clock, free_failures=2)
    keys = throttle.keys("A@x.test ", "10.0.0.1")
    assert keys == ("account:a@x.test", "address:10.0.0.1")
    waits = []
    for _ in range(5):
        throttle.check(*keys)
        throttle.failed(*keys)
        try:
            throttle.check(*keys)
            waits.append(0)
        except TooManyAttempts as exc:
            waits.append(exc.retry_after)
        clock.advance(waits[-1])
    assert waits == [0, 0, 1, 2, 4]
    throttle.succeeded(keys[0])
    throttle.failed(*keys)
    throttle.check(keys[0])
    with pytest.raises(TooManyAttempts) as caught:
        throttle.check(keys[1])
    assert caught.value.retry_after == 8


def test_one_address_spraying_many_accounts_is_throttled(gateway: Any) -> None:
    client, _, _ = gateway
    statuses = [login(client, new_email("victim"), "guess-1234").status_code for _ in range(8)]
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429


def test_wrong_password_and_unknown_email_say_the_same(gateway: Any) -> None:
    client, _, _ = gateway
    email = new_email("player")
    registered = client.post("/api/auth/register", json={"name": "p", "email": email, "password": PASSWORD})
    assert registered.status_code == 201
    wrong = login(client, email, "not-the-password")
    unknown = login(client, new_email("nobody"), "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json() == {"success": False, "message": "Invalid credentials",
                                              "error": "INVALID_CREDENTIALS"}
