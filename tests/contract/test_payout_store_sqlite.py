"""The payout store contract on the embedded SQLite store (a file per test), plus its own guarantees."""

from __future__ import annotations

import sqlite3

import pytest

from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.ports import PayoutStore
from tests.contract.payout_store_contract import PayoutStoreContract, new_record


class TestSqlitePayoutStore(PayoutStoreContract):
    def create_store(self) -> PayoutStore:
        return SqlitePayoutStore(self.tmp_path / "payouts.db", synchronous="NORMAL")

    def test_terms_of_a_payout_cannot_be_rewritten_in_place(self) -> None:
        record = new_record()
        self.store.insert(record)
        with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                conn.execute("UPDATE payout_requests SET amount = 1 WHERE id = ?", (record.payout.id,))
            with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
                conn.execute("UPDATE payout_requests SET status = 'paused' WHERE id = ?", (record.payout.id,))
