"""``GET /api/admin/audit`` over real stores: the gateway asks a real auditor gRPC server
(``winzone_ops.auditor_server``), which reads every store the way `winzone audit` does. Clean books are ok;
an orphan hold written straight into the wallet's store, and a balance changed behind the ledger's back, are
reported with their ids and exact amounts; players and organizers get 403, nobody signed in 401; the auditor
down is 503; and the auditor itself refuses calls without the internal token and a bad grace period."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient

from api_gateway.app import build_app
from api_gateway.server import build_user_store
from api_gateway.settings import GatewaySettings
from tests.support.backends import BACKENDS, SQLITE, skip_unless_available, store_env
from tests.support.books import Books
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.users import PASSWORD
from winzone.audit.v1 import audit_pb2, audit_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_ops.admin import ensure_admin
from winzone_ops.auditor_server import create_server, runner
from winzone_ops.stack_ports import free_port

ADMIN_EMAIL = "auditor-admin@winzone.test"


@dataclass
class World:
    """Books written through the real stores, the auditor over them, and the gateway in front."""

    books: Books
    auditor: RunningServer
    client: TestClient
    env: dict[str, str]
    backend: str

    def headers(self, email: str, role: str | None = None) -> dict[str, str]:
        if role is not None:
            registered = self.client.post("/api/auth/register", json={"name": role.title(), "email": email,
                                                                       "password": PASSWORD, "role": role})
            assert registered.status_code == 201, registered.text
        login = self.client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        return {"Authorization": f"Bearer {login.json()['data']['token']}"}

    def audit(self) -> dict[str, Any]:
        reply = self.client.get("/api/admin/audit", headers=self.headers(ADMIN_EMAIL))
        assert reply.status_code == 200, reply.text
        body: dict[str, Any] = json.loads(reply.text, parse_float=Decimal)
        assert body["success"] is True
        return body


@pytest.fixture(params=BACKENDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    skip_unless_available(request.param)
    with store_env(request.param) as store:
        env = {"INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "a" * 48, "WINZONE_DATA_DIR": str(tmp_path),
               "SQLITE_SYNCHRONOUS": "NORMAL", "PAYMENT_PROVIDER": "mock", **store}
        books = Books(tmp_path, store)
        common = CommonSettings.from_env(env)
        auditor = RunningServer(lambda: create_server(runner(common, env), token=TEST_TOKEN))
        settings = GatewaySettings.from_env({**env, "AUDITOR_SERVICE_ADDR": auditor.address})
        users = build_user_store(settings.common)
        users.migrate()
        ensure_admin(settings.common, ADMIN_EMAIL, PASSWORD)
        try:
            with TestClient(build_app(settings, users)) as client:
                yield World(books, auditor, client, env, request.param)
        finally:
            users.close()
            auditor.stop()
            books.close()


def _clean_world(books: Books) -> None:
    books.top_up("tps_books1", "usr_a", 100_000)
    paid = books.request_payout("payout_paid1", "usr_a", 30_000)
    books.provider_pays("payout_paid1", 30_000)
    books.capture(paid)
    books.request_payout("payout_waiting1", "usr_a", 20_050, approve=False)


def test_clean_books_are_ok_with_what_was_checked(world: World) -> None:
    _clean_world(world.books)
    body = world.audit()
    data = body["data"]
    assert body["message"] == "The books balance"
    assert data["ok"] is True and data["discrepancies"] == [] and data["stuck"] == []
    assert data["checkedAt"].endswith("Z")
    ledger = data["ledger"]
    assert ledger["ok"] is True and ledger["violations"] == [] and ledger["totals"] == {"INR": 0}
    assert ledger["accountsChecked"] >= 2 and ledger["holdsChecked"] == 2 and ledger["transactionsChecked"] >= 3
    checked = data["crossService"]["checked"]
    assert data["crossService"]["ok"] is True
    assert (checked["holds"], checked["payouts"], checked["sessions"], checked["provider_charges"]) == (2, 2, 1, 1)
    again = world.audit()["data"]
    assert {k: v for k, v in again.items() if k != "checkedAt"} == {k: v for k, v in data.items() if k != "checkedAt"}


def test_an_orphan_hold_written_into_the_wallet_store_is_reported_in_exact_major_units(world: World) -> None:
    _clean_world(world.books)
    world.books.hold("payout_ghost", "usr_a", 7_550)
    body = world.audit()
    data = body["data"]
    assert body["message"] == "The audit found discrepancies"
    assert data["ok"] is False and data["ledger"]["ok"] is True and data["crossService"]["ok"] is False
    assert data["discrepancies"] == [{
        "source": "crossService", "kind": "orphan_hold",
        "ids": {"hold": "payout_ghost", "user": "usr_a", "currency": "INR"},
        "currency": "INR", "amounts": {"held": Decimal("75.5")}, "amountsMinor": {"held": 7_550},
        "detail": "an open hold no payout accounts for"}]


def test_a_transfer_for_a_payout_nobody_approved_names_its_currency_from_the_payout(world: World) -> None:
    _clean_world(world.books)
    world.books.provider_pays("payout_waiting1", 20_050)
    data = world.audit()["data"]
    assert data["ok"] is False and data["ledger"]["ok"] is True
    twice, clearing = data["discrepancies"]
    assert (twice["kind"], twice["ids"]["payout"], twice["ids"]["hold_status"]) == (
        "payout_paid_twice", "payout_waiting1", "open")
    assert "currency" not in twice["ids"] and twice["currency"] == "INR"
    assert twice["amounts"] == {"payout": Decimal("200.5"), "sent": Decimal("200.5")}
    assert twice["amountsMinor"] == {"payout": 20_050, "sent": 20_050}
    assert (clearing["kind"], clearing["ids"], clearing["currency"]) == (
        "clearing_mismatch", {"account": "clearing:mock", "currency": "INR"}, "INR")
    assert clearing["amounts"] == {"ledger": Decimal("-700"), "provider": Decimal("-499.5")}


def test_a_balance_changed_behind_the_ledger_is_a_ledger_violation(world: World, tmp_path: Path) -> None:
    if world.backend != SQLITE:
        pytest.skip("writes the SQLite file directly")
    _clean_world(world.books)
    with sqlite3.connect(tmp_path / "wallet.sqlite3") as conn:
        changed = conn.execute("UPDATE accounts SET balance = balance + 12345 WHERE account = 'user:usr_a'").rowcount
    assert changed == 1
    data = world.audit()["data"]
    assert data["ok"] is False and data["ledger"]["ok"] is False
    assert data["ledger"]["totals"] == {"INR": Decimal("123.45")}
    kinds = [(d["source"], d["kind"]) for d in data["discrepancies"]]
    assert ("ledger", "ledger_violation") in kinds
    details = [d["detail"] for d in data["discrepancies"] if d["source"] == "ledger"]
    assert any("user:usr_a INR" in d for d in details) and any("sum to 12345" in d for d in details), details
    assert data["ledger"]["violations"] == details


def test_only_admins_may_run_the_audit(world: World) -> None:
    for role in ("player", "organizer"):
        refused = world.client.get("/api/admin/audit", headers=world.headers(f"{role}@audit.test", role))
        assert refused.status_code == 403, refused.text
        assert refused.json() == {"success": False, "message": "You do not have permission to do this",
                                  "error": "FORBIDDEN"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}):
        assert world.client.get("/api/admin/audit", headers=headers).status_code == 401
    admin = world.headers(ADMIN_EMAIL)
    for method in ("post", "put", "delete"):
        wrong = world.client.request(method, "/api/admin/audit", headers=admin, json={"$ne": None})
        assert wrong.status_code == 405 and wrong.json()["error"] == "METHOD_NOT_ALLOWED", method
    assert world.client.get("/api/admin/audit", headers=admin, params={"x": {"$ne": None}}).status_code == 200


def test_the_auditor_over_grpc_needs_the_token_and_a_sane_grace_period(world: World) -> None:
    bare = grpc.insecure_channel(world.auditor.address)
    try:
        with pytest.raises(grpc.RpcError) as refused:
            audit_pb2_grpc.AuditServiceStub(bare).RunAudit(audit_pb2.RunAuditRequest(), timeout=30)
        assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
    finally:
        bare.close()
    with authed_channel(world.auditor.address) as channel:
        stub = audit_pb2_grpc.AuditServiceStub(channel)
        for grace in (-1, -600, 30 * 24 * 3600 + 1, 2**31 - 1):
            with pytest.raises(grpc.RpcError) as bad:
                stub.RunAudit(audit_pb2.RunAuditRequest(stuck_grace_seconds=grace))
            assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT, grace
        report = stub.RunAudit(audit_pb2.RunAuditRequest(stuck_grace_seconds=1))
        assert report.ok and report.ledger.ok and report.cross_service.ok and list(report.stuck) == []


def test_the_cli_and_the_endpoint_tell_the_same_story(world: World) -> None:
    _clean_world(world.books)
    world.books.hold("payout_ghost", "usr_a", 7_500)
    env = {**world.env, "PATH": "", "PAYOUT_METHOD_KEY": os.environ["PAYOUT_METHOD_KEY"]}
    cli = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--json"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    document = json.loads(cli.stdout)
    data = world.audit()["data"]
    assert data["crossService"]["checked"] == document["cross"]["checked"]
    assert [(d["kind"], d["ids"], d["amountsMinor"], d["detail"]) for d in data["discrepancies"]] == [
        (d["kind"], d["ids"], d["amounts"], d["detail"]) for d in document["cross"]["discrepancies"]]
    assert data["ledger"]["accountsChecked"] == document["wallet"]["accounts"]


def test_an_auditor_that_is_down_is_503_and_shows_in_health(tmp_path: Path) -> None:
    env = {"INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "b" * 48, "WINZONE_DATA_DIR": str(tmp_path),
           "SQLITE_SYNCHRONOUS": "NORMAL", "AUDITOR_SERVICE_ADDR": f"127.0.0.1:{free_port()}"}
    settings = GatewaySettings.from_env(env)
    users = build_user_store(settings.common)
    users.migrate()
    ensure_admin(settings.common, ADMIN_EMAIL, PASSWORD)
    try:
        with TestClient(build_app(settings, users)) as client:
            login = client.post("/api/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['data']['token']}"}
            down = client.get("/api/admin/audit", headers=headers)
            assert down.status_code == 503, down.text
            assert down.json() == {"success": False, "message": "A backing service is unavailable",
                                   "error": "SERVICE_UNAVAILABLE"}
            health = client.get("/health")
            assert health.status_code == 503 and health.json()["data"]["services"]["auditor"] == "UNAVAILABLE"
    finally:
        users.close()
