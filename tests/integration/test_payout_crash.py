"""Crash recovery with a real process: SIGKILL after the provider paid, before the capture; restart; settle.

The payout service runs as `winzone serve payouts` with ``PAYOUT_FAULT=crash_after_provider_call``, which
kills it with SIGKILL right after the payment gateway answered ``SendPayout``. The wallet is a real wallet
server and the provider a scripted double that counts every call. After a restart without the fault, the
start-up reconciliation asks the provider (``GetPayout``), captures the hold once and marks the payout paid.
It runs on each store: SQLite files, and a MongoDB database (payouts and the wallet's ledger) of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.backends import BACKENDS, skip_unless_available, store_env
from tests.support.grpc_servers import TEST_TOKEN, authed_channel
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import UPI
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from wallet_service.adapters.mongo_store import MongoLedgerStore
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.payouts.v1 import payouts_pb2_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.config import database_in_uri
from winzone_ops.supervisor import free_port, grpc_serving

START_TIMEOUT = 30.0


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """The payout process's store environment; on MongoDB the wallet's ledger shares that database."""
    skip_unless_available(request.param)
    with store_env(request.param) as env:
        yield env


@pytest.fixture
def wallet(store: dict[str, str], tmp_path: Path) -> Iterator[WalletHarness]:
    uri = store.get("MONGODB_URI")
    ledger = MongoLedgerStore.from_uri(uri, database_in_uri(uri) or "") if uri else None
    harness = WalletHarness(tmp_path / "wallet.sqlite3", ledger)
    yield harness
    harness.close()


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "winzone_ops.cli", "serve", "payouts"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while not grpc_serving(env["PAYOUTS_SERVICE_ADDR"]):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"payout service did not start:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)
    return proc


def _wait_for_status(stub: payouts_pb2_grpc.PayoutServiceStub, payout_id: str, status: str) -> pb.PayoutRequest:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        payout = stub.GetPayoutRequest(pb.GetPayoutRequestRequest(payout_id=payout_id))
        if payout.status == status or time.monotonic() > deadline:
            return payout
        time.sleep(0.1)


def test_sigkill_after_the_provider_call_is_resumed_not_repeated(
        tmp_path: Path, store: dict[str, str], wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WINZONE_", "MONGODB_", "PAYOUT"))}
    env.update(store)
    env.update({
        "INTERNAL_TOKEN": TEST_TOKEN, "WINZONE_DATA_DIR": str(tmp_path), "SQLITE_SYNCHRONOUS": "FULL",
        "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY,
        "PAYOUTS_SERVICE_PORT": str(port), "PAYOUTS_SERVICE_ADDR": f"127.0.0.1:{port}",
        "WALLET_SERVICE_ADDR": wallet.server.address, "PAYMENTS_SERVICE_ADDR": provider_server.address,
        "PYTHONUNBUFFERED": "1",
    })
    log = tmp_path / "payouts.log"
    user = f"usr_{uuid.uuid4().hex[:16]}"
    wallet.fund(user, 100_000)
    provider = provider_server.double

    proc = _start({**env, "PAYOUT_FAULT": "crash_after_provider_call"}, log)
    try:
        with authed_channel(env["PAYOUTS_SERVICE_ADDR"]) as channel:
            stub = payouts_pb2_grpc.PayoutServiceStub(channel)
            payout = stub.CreatePayoutRequest(pb.CreatePayoutRequestRequest(
                user_id=user, amount=50_000, method_json=json.dumps(UPI))).payout
            with pytest.raises(grpc.RpcError) as info:
                stub.ApprovePayout(pb.ApprovePayoutRequest(payout_id=payout.id, admin_id="usr_admin_1"))
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert provider.send_calls(payout.id) == 1 and provider.payouts_made() == 1
    interrupted = wallet.balance(user)
    assert (interrupted.balance, interrupted.held) == (100_000, 50_000)

    proc = _start(env, log)
    try:
        with authed_channel(env["PAYOUTS_SERVICE_ADDR"]) as channel:
            stub = payouts_pb2_grpc.PayoutServiceStub(channel)
            paid = _wait_for_status(stub, payout.id, "paid")
            assert paid.status == "paid", log.read_text(errors="replace")
            assert [h.status for h in paid.history] == ["requested", "approved", "paid"]
            assert stub.ReconcilePayouts(pb.ReconcilePayoutsRequest()).examined == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    assert provider.send_calls(payout.id) == 1 and provider.payouts_made() == 1
    captured = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user, type="payout"))
    assert [(t.status, t.amount, t.id) for t in captured.transactions] == [("completed", -50_000, paid.transaction_id)]
    final = wallet.balance(user)
    assert (final.balance, final.held) == (50_000, 0)
    wallet.assert_audit_ok()
    assert (tmp_path / "payouts.sqlite3").exists() == ("MONGODB_URI" not in store)
    logged = log.read_text(errors="replace")
    assert "fault injected" in logged and "player@paytm" not in logged
