"""The top-up store contract on the embedded SQLite store (a file per test), plus what only SQLite enforces."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import PAYABLE, TopUpStatus
from payment_gateway.domain.ports import TopUpStore
from payment_gateway.domain.provider import PayoutResult, PayoutStatus
from tests.contract.topup_store_contract import DepositGuardContract, TopUpStoreContract, new_session
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


def test_a_file_from_before_chargebacks_gains_the_new_columns(tmp_path: Path) -> None:
    path = tmp_path / "payments.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE topup_sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, amount INTEGER NOT NULL, "
        "currency TEXT NOT NULL, provider TEXT NOT NULL, status TEXT NOT NULL, provider_ref TEXT, checkout_url TEXT, "
        "idempotency_key TEXT, transaction_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
        "INSERT INTO topup_sessions VALUES ('tps_old', 'usr_1', 5000, 'INR', 'mock', 'created', 'mock_session_o', "
        "'', NULL, NULL, 't', 't');"
        "CREATE TABLE mock_checkouts (provider_ref TEXT PRIMARY KEY, session_id TEXT NOT NULL, user_id TEXT NOT NULL, "
        "amount INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, success_url TEXT NOT NULL, "
        "cancel_url TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO mock_checkouts VALUES ('mock_session_o', 'tps_old', 'usr_1', 5000, 'INR', 'paid', 'ok', 'no', "
        "'t');")
    conn.close()
    store = SqliteTopUpStore(path, synchronous="NORMAL")
    try:
        store.migrate()
        assert store.attach_payment_intent("tps_old", "mock_pi_o", timestamp_now()).payment_intent == "mock_pi_o"
        found = store.mock_state().get("mock_session_o")
        assert found is not None and (found.refunds, found.dispute_id, found.dispute_status) == ((), None, "")
    finally:
        store.close()


def test_a_file_from_before_payout_reversals_gains_the_new_column(tmp_path: Path) -> None:
    path = tmp_path / "payments.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE mock_payouts (payout_id TEXT PRIMARY KEY, status TEXT NOT NULL, provider_ref TEXT, "
        "failure_reason TEXT, amount INTEGER, currency TEXT, created_at TEXT NOT NULL) WITHOUT ROWID;"
        "INSERT INTO mock_payouts VALUES ('pay_old', 'paid', 'mock_payout_o', NULL, 5000, 'INR', 't');")
    conn.close()
    store = SqliteTopUpStore(path, synchronous="NORMAL")
    try:
        store.migrate()
        state = store.mock_state()
        assert state.get_payout("pay_old") == PayoutResult(PayoutStatus.PAID, "mock_payout_o", None, 5000, "INR")
        reversed_ = state.reverse_payout("pay_old", 5000)
        assert reversed_ is not None and (reversed_.status, reversed_.amount_reversed) == (PayoutStatus.FAILED, 5000)
    finally:
        store.close()


class TestSqliteDepositGuard(DepositGuardContract):
    def create_store(self) -> TopUpStore:
        return SqliteTopUpStore(self.tmp_path / "payments.sqlite3", synchronous="NORMAL")
