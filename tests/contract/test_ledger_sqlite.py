"""The ledger contract on the embedded SQLite store (a file per test)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from tests.contract.ledger_batch_contract import LedgerBatchContract
from tests.contract.ledger_funds_contract import LedgerFundsContract
from tests.contract.ledger_safety_contract import LedgerSafetyContract
from wallet_service.adapters.sqlite_store import SCHEMA, SqliteLedgerStore
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.sqlite import connect


class TestSqliteLedgerStore(LedgerBatchContract, LedgerSafetyContract, LedgerFundsContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db")

    def corrupt_fund(self, user: str, fund: str, delta: int) -> None:
        conn = connect(self.tmp_path / "wallet.db")
        try:
            conn.execute(f"UPDATE accounts SET fund_{fund} = fund_{fund} + ? WHERE account = ? AND currency = 'INR'",
                         (delta, f"user:{user}"))
        finally:
            conn.close()


def test_read_connections_of_ended_threads_are_closed(tmp_path: Path) -> None:
    store = SqliteLedgerStore(tmp_path / "threads.sqlite3", synchronous="NORMAL")
    store.migrate()
    try:
        for _ in range(50):
            reader = threading.Thread(target=lambda: store.get_account(user_account("u"), "INR"))
            reader.start()
            reader.join()
        assert store._readers.open_connections() <= 2
    finally:
        store.close()


def test_a_ledger_file_from_before_chargebacks_accepts_them_after_migrate(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = connect(path)
    conn.executescript(SCHEMA.replace("'chargeback', ", ""))
    conn.close()
    store = SqliteLedgerStore(path)
    store.migrate()
    store.migrate()
    try:
        service = WalletUseCases(store)
        asyncio.run(service.postings.recover(
            key="k1", user_id="u1", amount=500, currency="INR", counter_account="clearing:stripe", type="",
            source="", description="", metadata={}))
        topup = asyncio.run(service.postings.credit(
            key="k2", user_id="u1", amount=800, currency="INR", type="topup", counter_account="", source="",
            description="", metadata={}))
        assert topup.wallets[0].balance == 300
        with sqlite3.connect(path) as check:
            assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert audit(store.audit_facts()).ok
    finally:
        store.close()
