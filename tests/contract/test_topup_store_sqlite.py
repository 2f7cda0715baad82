"""The top-up store contract on the embedded SQLite store (a file per test), plus what only SQLite enforces."""

from __future__ import annotations

import sqlite3

import pytest

from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import PAYABLE, TopUpStatus
from payment_gateway.domain.ports import TopUpStore
from tests.contract.topup_store_contract import TopUpStoreContract, new_session
from winzone_kernel.clock import timestamp_now


class TestSqliteTopUpStore(TopUpStoreContract):
    def create_store(self) -> TopUpStore:
        return SqliteTopUpStore(self.tmp_path / "payments.sqlite3", synchronous="NORMAL")

    def test_state_survives_a_restart(self) -> None:
        session = self.add(new_session())
        self.store.close()
        self.store = self.create_store()
        assert self.store.get_session(session.id) == session

    def test_the_schema_refuses_what_the_code_never_does(self) -> None:
        session = self.add(new_session())
        self.store.transition(session.id, PAYABLE, TopUpStatus.PAID, timestamp_now())
        self.store.transition(session.id, {TopUpStatus.PAID}, TopUpStatus.CREDITED, timestamp_now(), transaction_id="t")
        conn = sqlite3.connect(self.tmp_path / "payments.sqlite3")
        try:
            for statement in (
                "UPDATE topup_sessions SET status = 'paid' WHERE id = ?",
                "UPDATE topup_sessions SET amount = 1 WHERE id = ?",
            ):
                with pytest.raises(sqlite3.IntegrityError):
                    conn.execute(statement, (session.id,))
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("INSERT INTO topup_sessions (id, user_id, amount, currency, provider, status, "
                             "created_at, updated_at) VALUES ('x', 'u', 0, 'INR', 'mock', 'created', 't', 't')")
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("INSERT INTO topup_sessions (id, user_id, amount, currency, provider, status, "
                             "created_at, updated_at) VALUES ('y', 'u', 5, 'INR', 'mock', 'credited', 't', 't')")
        finally:
            conn.close()
