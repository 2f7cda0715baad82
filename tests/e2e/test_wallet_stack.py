"""`winzone up` as real processes on free ports, driven over REST as a client would."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.support.backends import fresh_mongo_database
from tests.support.errors import rest_error_code
from tests.support.ids import new_email
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from tests.support.stack import Stack
from tests.support.users import sign_up

pytestmark = pytest.mark.e2e


def test_player_registers_signs_in_and_sees_an_empty_wallet(http: httpx.Client) -> None:
    health = http.get("/health")
    assert health.status_code == 200 and health.json()["data"]["services"]["wallet"] == "SERVING"
    email = new_email("p1")
    created = http.post("/api/auth/register", json={"name": "Player One", "email": email, "password": "p1-password"})
    assert created.status_code == 201
    login = http.post("/api/auth/login", json={"email": email, "password": "p1-password"})
    headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
    wallet = http.get("/api/wallet", headers=headers).json()["data"]
    assert (wallet["balance"], wallet["currency"], wallet["totalEarnings"]) == (0, "INR", 0)
    assert http.get("/api/wallet", headers={"Authorization": "Bearer garbage"}).status_code == 401
    assert http.get("/api/transactions/all", headers=headers).status_code == 403
    malformed = http.post("/api/auth/login", content=b'{"email": ', headers={"content-type": "application/json"})
    assert malformed.status_code == 400 and rest_error_code(malformed) == "INVALID_JSON"
    assert http.get("/docs").status_code == 200
    assert "/api/wallet" in http.get("/openapi.json").json()["paths"]


def test_admin_sees_every_transaction_and_the_books_balance(stack: Stack, http: httpx.Client) -> None:
    player, _ = sign_up(http)
    stack.credit(player, 250_000, counter_account="clearing:seed")
    admin = http.post("/api/auth/login", json={"email": stack.admin_email, "password": stack.admin_password})
    assert admin.status_code == 200 and admin.json()["data"]["user"]["role"] == "admin"
    admin_headers = {"Authorization": f"Bearer {admin.json()['data']['token']}"}
    listed = http.get(f"/api/transactions/all?userId={player}", headers=admin_headers).json()
    assert listed["pagination"]["total"] == 1 and listed["data"][0]["amount"] == 2500
    stack.assert_audit_ok()


def test_winzone_audit_command_passes_and_fails_on_a_broken_ledger(stack: Stack, tmp_path: Path) -> None:
    """The audit passes on the shared stack's books; the broken ledger is a data dir (SQLite) or a database
    (MongoDB) of its own, never served."""
    ok = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit"], env=stack.env, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "audit: OK" in ok.stdout
    with _broken_ledger(stack, tmp_path / "broken") as env:
        failed = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit"], env=env, capture_output=True,
                                text=True, timeout=60)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "VIOLATION: user:ghost INR: balance 500 != sum of its legs 0" in failed.stdout
    assert "INR: account balances sum to 500, not 0" in failed.stdout


@contextmanager
def _broken_ledger(stack: Stack, data_dir: Path) -> Iterator[dict[str, str]]:
    """The stack's environment pointed at freshly migrated stores whose ledger holds an account with a
    balance and no legs, written straight into the store."""
    data_dir.mkdir()
    with ExitStack() as cleanup:
        env = {**stack.env, "WINZONE_DATA_DIR": str(data_dir), "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY}
        if stack.mongodb_uri:
            env["MONGODB_URI"] = cleanup.enter_context(fresh_mongo_database("winzone_e2e_broken"))
        subprocess.run([sys.executable, "-m", "winzone_ops.cli", "migrate"], env=env, check=True, timeout=60)
        if stack.mongodb_uri:
            client: MongoClient[dict[str, Any]] = cleanup.enter_context(MongoClient(env["MONGODB_URI"]))
            client.get_default_database()["accounts"].insert_one(
                {"_id": "user:ghost|INR", "account": "user:ghost", "currency": "INR", "kind": "user", "balance": 500,
                 "held": 0, "totalEarnings": 0, "version": 1, "createdAt": "now", "updatedAt": "now"})
        else:
            with sqlite3.connect(data_dir / "wallet.sqlite3") as conn:
                conn.execute("INSERT INTO accounts (account, currency, kind, balance, created_at, updated_at) "
                             "VALUES ('user:ghost', 'INR', 'user', 500, 'now', 'now')")
        yield env
