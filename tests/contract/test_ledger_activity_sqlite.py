"""The ledger's activity contract on the embedded SQLite store, and the index its query reads."""

from __future__ import annotations

import contextlib
import sqlite3

from tests.contract.ledger_activity_contract import LedgerActivityContract
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerActivity(LedgerActivityContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db", synchronous="NORMAL")

    def test_the_range_is_read_through_the_activity_index(self) -> None:
        with contextlib.closing(sqlite3.connect(self.tmp_path / "wallet.db")) as conn:
            plan = " | ".join(row[3] for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT substr(posted_at, 1, 10) AS day, type, SUM(amount) FROM transactions "
                "WHERE status = 'completed' AND currency = 'INR' AND posted_at >= '2026-11-01' "
                "AND posted_at < '2026-12-01' GROUP BY day, type"))
        assert "transactions_activity" in plan, plan
