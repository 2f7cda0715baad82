"""The ledger's tax contract on the embedded SQLite store, and the ``tax_years`` table's own guarantees."""

from __future__ import annotations

import contextlib
import sqlite3

import pytest

from tests.contract.ledger_tax_contract import LedgerTaxContract, at
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerTax(LedgerTaxContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db", synchronous="NORMAL")

    def test_a_closed_year_can_be_neither_changed_nor_recorded_twice(self) -> None:
        winner, _ = self.a_match_won(at(4, 10))
        self.now = at(4, 2, year=2027)
        self.run(self.service.taxes.close_year("2026-27", "INR"))
        with contextlib.closing(sqlite3.connect(self.tmp_path / "wallet.db")) as conn:
            with pytest.raises(sqlite3.IntegrityError, match="never changed"):
                conn.execute("UPDATE tax_years SET tds = 0 WHERE user_id = ?", (winner,))
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("INSERT INTO tax_years SELECT * FROM tax_years WHERE user_id = ?", (winner,))
