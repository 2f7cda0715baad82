"""The ledger's bonus contract on the embedded SQLite store, and the indexes its reads use."""

from __future__ import annotations

import contextlib
import sqlite3

from tests.contract.ledger_bonus_contract import LedgerBonusContract
from tests.support.ids import new_user
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.funds import Funds
from wallet_service.domain.ports import LedgerStore


class TestSqliteLedgerBonus(LedgerBonusContract):
    def create_store(self) -> LedgerStore:
        return SqliteLedgerStore(self.tmp_path / "wallet.db", synchronous="NORMAL")

    def plan(self, query: str) -> str:
        with contextlib.closing(sqlite3.connect(self.tmp_path / "wallet.db")) as conn:
            return " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {query}"))

    def test_grant_reads_use_their_indexes(self) -> None:
        assert "bonus_grants_user" in self.plan(
            "SELECT * FROM bonus_grants WHERE user_id = 'u' AND currency = 'INR' ORDER BY created_at, id")
        assert "bonus_grants_due" in self.plan(
            "SELECT * FROM bonus_grants WHERE status = 'active' AND expires_at <> '' "
            "AND expires_at <= '2026-11-01' ORDER BY expires_at, id LIMIT 10")

    def schema(self) -> list[tuple[str, str, str]]:
        with contextlib.closing(sqlite3.connect(self.tmp_path / "wallet.db")) as conn:
            return sorted(conn.execute("SELECT type, name, COALESCE(sql, '') FROM sqlite_master"))

    def test_migrate_is_idempotent(self) -> None:
        user = new_user()
        granted = self.grant(user, 1_000, expires_at="2026-12-01T05:30:00+05:30")
        self.topup(user, 900)
        self.fee(user, 1_000)
        self.store.migrate()
        state, schema, grants = self.state(), self.schema(), self.grants(user)
        assert grants[granted.grant.id].remaining == 900
        self.store.migrate()
        assert (self.state(), self.schema(), self.grants(user)) == (state, schema, grants)
        assert self.funds(user) == Funds(0, 0, 900)
        self.assert_audit_ok()
