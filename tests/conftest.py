"""Fixtures shared by the suite: a real wallet gRPC server over a SQLite file, and audit checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.ports import LedgerStore
from wallet_service.server import create_server
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc

os.environ.setdefault("PAYOUT_METHOD_KEY", TEST_PAYOUT_METHOD_KEY)


class WalletHarness:
    """A running wallet service (real store, real port) and a synchronous authenticated stub: on a SQLite file
    at ``path`` unless given another ``store``."""

    def __init__(self, path: Path, store: LedgerStore | None = None) -> None:
        self.store = store or SqliteLedgerStore(path, synchronous="NORMAL")
        self.store.migrate()
        self.server = RunningServer(lambda: create_server(self.store, token=TEST_TOKEN))
        self.channel = authed_channel(self.server.address)
        self.stub = wallet_pb2_grpc.WalletServiceStub(self.channel)

    def balance(self, user_id: str, currency: str = "INR") -> wallet_pb2.Wallet:
        return self.stub.GetWallet(wallet_pb2.GetWalletRequest(user_id=user_id, currency=currency)).wallet

    def fund(self, user_id: str, amount: int, key: str | None = None, currency: str = "INR") -> None:
        self.stub.Credit(wallet_pb2.CreditRequest(
            idempotency_key=key or f"fund_{user_id}_{amount}_{currency}", user_id=user_id, amount=amount,
            currency=currency, type="topup", counter_account="clearing:test",
        ))

    def assert_audit_ok(self) -> wallet_pb2.AuditResponse:
        report = self.stub.Audit(wallet_pb2.AuditRequest())
        assert report.ok, list(report.violations)
        assert all(t.sum_of_balances == 0 for t in report.totals)
        return report

    def close(self) -> None:
        self.channel.close()
        self.server.stop()
        self.store.close()


def pytest_addoption(parser: pytest.Parser) -> None:
    from tests.faults.options import add_options

    add_options(parser)


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[WalletHarness]:
    harness = WalletHarness(tmp_path / "wallet.sqlite3")
    yield harness
    harness.close()
