"""The whole system as real processes (`winzone up`) on free ports, for end-to-end tests."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.support.grpc_servers import authed_channel
from tests.support.ids import new_key
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.dev_secrets import read_dev_secrets
from winzone_ops.stack_ports import ANY_PORT, STACK_FILE

START_TIMEOUT = 90.0
GENERATED_PER_DATA_FOLDER = ("MOCK_WEBHOOK_SECRET", "PAYOUT_METHOD_KEY", "KYC_PAN_KEY")
"""Left to `winzone up`, which generates them for the data folder as `make run` does."""
LOG_WAIT = 10.0


@dataclass
class Stack:
    """A running stack: its gateway URL, the dev admin, the environment its services got."""

    url: str
    admin_email: str
    admin_password: str
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def mongodb_uri(self) -> str | None:
        """The MongoDB its services store in, or None on SQLite."""
        return self.env.get("MONGODB_URI")

    @property
    def mock_webhook_secret(self) -> str:
        """The mock webhook key `winzone up` generated for this stack's data folder."""
        return read_dev_secrets(self.env["WINZONE_DATA_DIR"])["MOCK_WEBHOOK_SECRET"]

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30.0)

    def grpc_address(self, service: str) -> str:
        return self.env[f"{service.upper()}_SERVICE_ADDR"]

    def metrics_port(self, service: str) -> int:
        return int(self.env[f"{service.upper()}_METRICS_PORT"])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines the services have written so far (a line still being written is left out)."""
        text = self.log()
        complete = text[: text.rfind("\n") + 1]
        return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]

    def wait_for_log(self, condition: Callable[[list[dict[str, Any]]], bool],
                     timeout: float = LOG_WAIT) -> list[dict[str, Any]]:
        """The JSON log lines as soon as ``condition`` holds of them, or as they are when ``timeout`` runs out:
        a service writes its line for a call just after answering it."""
        deadline = time.monotonic() + timeout
        records = self.log_records()
        while not condition(records) and time.monotonic() < deadline:
            time.sleep(0.05)
            records = self.log_records()
        return records

    @contextmanager
    def wallet(self) -> Iterator[wallet_pb2_grpc.WalletServiceStub]:
        """The wallet's internal gRPC API, as the other services call it."""
        with authed_channel(self.grpc_address("wallet"), self.env["INTERNAL_TOKEN"]) as channel:
            yield wallet_pb2_grpc.WalletServiceStub(channel)

    def credit(self, user_id: str, amount_minor: int, *, counter_account: str = "") -> None:
        """Put money into a user's INR wallet through the wallet's internal API (a top-up, fresh key)."""
        with self.wallet() as wallet:
            wallet.Credit(wallet_pb2.CreditRequest(idempotency_key=new_key(), user_id=user_id, amount=amount_minor,
                                                   currency="INR", type="topup", counter_account=counter_account))

    def assert_audit_ok(self) -> None:
        """The wallet's own audit finds the books consistent."""
        with self.wallet() as wallet:
            report = wallet.Audit(wallet_pb2.AuditRequest())
        assert report.ok, list(report.violations)

    def assert_books_ok(self) -> None:
        """The wallet's audit and the cross-service audit (``GET /api/admin/audit``, run by the auditor) both
        find the books consistent."""
        self.assert_audit_ok()
        with self.client() as http:
            login = http.post("/api/auth/login", json={"email": self.admin_email, "password": self.admin_password})
            assert login.status_code == 200, login.text
            token = login.json()["data"]["token"]
            reply = http.get("/api/admin/audit", headers={"Authorization": f"Bearer {token}"})
        assert reply.status_code == 200, reply.text
        report = reply.json()["data"]
        assert report["ok"], report["discrepancies"]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_stack(data_dir: Path, extra_env: dict[str, str] | None = None, *, up_args: Sequence[str] = (),
                command: Sequence[str] | None = None) -> Stack:
    """Run `winzone up` (with ``up_args``; or ``command``, which runs it its own way) with a fresh data dir;
    return once it printed that it is up. It picks every port itself (the gateway's too: ``GATEWAY_PORT=0``)
    and the stack's ``env`` gets the ports and addresses it recorded in ``stack.json``. The stores are SQLite
    unless ``extra_env`` names a ``MONGODB_URI`` (``tests.support.backends``)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("WINZONE_", "MONGODB_")) and k not in GENERATED_PER_DATA_FOLDER}
    env.update({
        "WINZONE_DATA_DIR": str(data_dir),
        "GATEWAY_PORT": ANY_PORT,
        "WINZONE_ADMIN_EMAIL": "admin@winzone.test",
        "WINZONE_ADMIN_PASSWORD": secrets.token_urlsafe(12),
        "INTERNAL_TOKEN": secrets.token_urlsafe(24),
        "JWT_SECRET": secrets.token_urlsafe(40),
        "SQLITE_SYNCHRONOUS": "NORMAL",
        "PYTHONUNBUFFERED": "1",
    })
    env.update(extra_env or {})
    log_path = data_dir / "stack.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        list(command or [sys.executable, "-m", "winzone_ops.cli", "up", *up_args]), env=env, stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    stack = Stack("", env["WINZONE_ADMIN_EMAIL"], env["WINZONE_ADMIN_PASSWORD"], env,
                  process, log_path)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"winzone up exited with {process.returncode}:\n{stack.log()}")
        if "WinZone is up" in stack.log():
            listening = json.loads((data_dir / STACK_FILE).read_text())
            stack.url = listening.pop("GATEWAY_URL")
            env.update(listening)
            return stack
        time.sleep(0.2)
    stack.stop()
    raise RuntimeError(f"winzone up did not start within {START_TIMEOUT}s:\n{stack.log()}")
