"""The ledger contract on the embedded SQLite store (a file per test)."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.contract.ledger_contract import LedgerStoreContract
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import user_account
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerStore(LedgerStoreContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db")


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
