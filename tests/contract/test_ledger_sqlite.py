"""The ledger contract on the embedded SQLite store (a file per test)."""

from __future__ import annotations

from tests.contract.ledger_contract import LedgerStoreContract
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerStore(LedgerStoreContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db")
