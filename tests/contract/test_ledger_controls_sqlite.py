"""The ledger's responsible-gaming contract on the embedded SQLite store, and the index the entry limit reads."""

from __future__ import annotations

import contextlib
import sqlite3

from tests.contract.ledger_controls_contract import LedgerControlsContract
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerControls(LedgerControlsContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db", synchronous="NORMAL")

    def test_the_entry_fee_sum_is_read_through_its_index(self) -> None:
        with contextlib.closing(sqlite3.connect(self.tmp_path / "wallet.db")) as conn:
            plan = " | ".join(row[3] for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT COALESCE(-SUM(amount), 0) FROM transactions WHERE user_id = 'u' "
                "AND currency = 'INR' AND account = 'user:' || user_id AND posted_at > '2026-11-01' "
                "AND type = 'entryFee' AND status = 'completed' AND amount < 0"))
        assert "transactions_user_entry_fees" in plan, plan

    def test_migrate_is_idempotent(self) -> None:
        self.store.migrate()
        self.store.migrate()
