"""The payout store contract on the embedded SQLite store (a file per test), plus its own guarantees."""

from __future__ import annotations

import sqlite3

import pytest

from payout_service.adapters.sqlite_store import SCHEMA, SqlitePayoutStore
from payout_service.domain.model import PayoutStatus, Withholding
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

    def test_a_row_written_before_the_risk_fields_loads_with_them_empty(self) -> None:
        record = new_record()
        self.store.insert(record)
        with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
            conn.execute(
                "UPDATE payout_requests SET document = json_remove(document, '$.approvals', '$.reviewReasons', "
                "'$.needsDualApproval', '$.destination') WHERE id = ?", (record.payout.id,))
        loaded = self.store.get(record.payout.id)
        assert loaded is not None
        assert (loaded.payout.approvals, loaded.payout.review_reasons, loaded.payout.needs_dual_approval,
                loaded.destination) == ([], [], False, None)

    def test_a_file_from_before_the_tax_columns_gains_them_and_its_rows_withhold_nothing(self) -> None:
        record = new_record(amount=18_888)
        self.store.insert(record)
        self.store.close()
        path = self.tmp_path / "payouts.db"
        with sqlite3.connect(path) as conn:
            conn.executescript(
                "DROP TRIGGER payout_requests_keep_their_tax; ALTER TABLE payout_requests DROP COLUMN tds; "
                "ALTER TABLE payout_requests DROP COLUMN net_amount; "
                "ALTER TABLE payout_requests DROP COLUMN net_winnings; "
                "ALTER TABLE payout_requests DROP COLUMN financial_year; "
                "UPDATE payout_requests SET document = json_remove(document, '$.tds', '$.netAmount', "
                "'$.netWinnings', '$.financialYear');")
        self.store = store = SqlitePayoutStore(path, synchronous="NORMAL")
        store.migrate()
        store.migrate()
        loaded = store.get(record.payout.id)
        assert loaded is not None
        assert (loaded.payout.tds, loaded.payout.net_amount, loaded.payout.net_winnings,
                loaded.payout.financial_year) == (0, 18_888, 0, "")
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT tds, net_amount, net_winnings, financial_year FROM payout_requests "
                                "WHERE id = ?", (record.payout.id,)).fetchone() == (0, 18_888, 0, "")
        taxed = new_record(amount=10_000, placed=False)
        store.insert(taxed)
        version = taxed.payout.version
        taxed.payout.withhold(Withholding(3_000, 10_000, "2026-27"))
        taxed.hold_placed = True
        assert store.save(taxed, version)
        with sqlite3.connect(path) as conn:
            assert conn.execute("SELECT tds, net_amount, net_winnings, financial_year FROM payout_requests "
                                "WHERE id = ?", (taxed.payout.id,)).fetchone() == (3_000, 7_000, 10_000, "2026-27")

    def test_the_tax_of_a_placed_payout_cannot_be_rewritten_in_place(self) -> None:
        record = new_record()
        self.store.insert(record)
        with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                conn.execute("UPDATE payout_requests SET tds = 1 WHERE id = ?", (record.payout.id,))
            with pytest.raises(sqlite3.IntegrityError, match="immutable"):
                conn.execute("UPDATE payout_requests SET financial_year = '2026-27' WHERE id = ?",
                             (record.payout.id,))

    def test_the_destination_lookup_uses_its_index(self) -> None:
        with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
            plan = conn.execute(
                "EXPLAIN QUERY PLAN SELECT 1 FROM payout_requests WHERE json_extract(document, '$.destination') = ? "
                "AND user_id <> ? LIMIT 1", ("d", "u")).fetchall()
        assert "payout_requests_destination" in str(plan)

    def test_a_table_from_before_the_new_statuses_is_rebuilt_with_its_rows(self) -> None:
        record = new_record()
        self.store.insert(record)
        self.store.close()
        path = self.tmp_path / "payouts.db"
        with sqlite3.connect(path) as conn:
            conn.executescript(
                "ALTER TABLE payout_requests RENAME TO t; DROP INDEX payout_requests_status; "
                "DROP INDEX payout_requests_user_created; DROP INDEX payout_requests_attention; "
                "DROP INDEX payout_requests_destination; DROP TRIGGER payout_requests_keep_their_terms; "
                + SCHEMA.split(";", 1)[0].replace("'held', ", "").replace("'awaiting_second_approval', ", "")
                + "; INSERT INTO payout_requests SELECT * FROM t; DROP TABLE t;")
            assert "'held'" not in conn.execute("SELECT sql FROM sqlite_master WHERE name = 'payout_requests'"
                                                 ).fetchone()[0]
        self.store = store = SqlitePayoutStore(path, synchronous="NORMAL")
        store.migrate()
        store.migrate()
        loaded = store.get(record.payout.id)
        assert loaded is not None and loaded.payout.id == record.payout.id
        held = new_record()
        held.payout.status = PayoutStatus.HELD
        store.insert(held)
        with sqlite3.connect(path) as conn:
            names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert {"payout_requests_status", "payout_requests_destination", "payout_requests_keep_their_terms"} <= names
