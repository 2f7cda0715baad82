"""Upgrading a SQLite ledger file written before funds existed: the schema migration adds the fund columns
(legacy legs and holds count as deposit, so every balance is in deposit at once and the audit holds), then the
funds migration moves each wallet's earnings to winnings once, and ``winzone migrate`` prints the audit before
and after. The tables below are the schema as it was before funds (the DDL of ``sqlite_schema.py`` then)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.ids import new_key
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import TransactionFilter
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.sqlite import connect
from winzone_ops import cli
from winzone_ops.admin import migrate_funds

OLD_TYPES = ("'chargeback', 'credit', 'debit', 'entryFee', 'organizerFee', 'payout', 'platformFee', 'refund', "
             "'reward', 'topup'")

OLD_SCHEMA = f"""
CREATE TABLE accounts (
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'pool', 'system')),
    balance INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    total_earnings INTEGER NOT NULL DEFAULT 0 CHECK (total_earnings >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, currency),
    CHECK (kind = 'system' OR balance - held >= 0)
) WITHOUT ROWID;
CREATE TABLE transactions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT,
    type TEXT NOT NULL CHECK (type IN ({OLD_TYPES})),
    amount INTEGER NOT NULL CHECK (amount <> 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('completed', 'failed', 'pending')),
    source TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata TEXT NOT NULL,
    idempotency_key TEXT,
    balance_after INTEGER,
    entry_id TEXT,
    hold_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    CHECK ((status = 'completed') = (entry_id IS NOT NULL)),
    CHECK ((status = 'completed') = (balance_after IS NOT NULL))
) WITHOUT ROWID;
CREATE UNIQUE INDEX transactions_idempotency_key ON transactions (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE TRIGGER transactions_posted_are_immutable
BEFORE UPDATE ON transactions WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'posted transactions are immutable'); END;
CREATE TABLE holds (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'captured', 'voided')),
    transaction_id TEXT NOT NULL UNIQUE REFERENCES transactions (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TRIGGER holds_close_once
BEFORE UPDATE ON holds WHEN OLD.status <> 'open' OR NEW.amount <> OLD.amount
BEGIN SELECT RAISE(ABORT, 'a hold is captured or voided exactly once'); END;
CREATE TABLE hold_tombstones (id TEXT PRIMARY KEY, created_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE player_controls (user_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
"""

T0 = "2026-05-01T10:00:00.000000Z"

LEGACY_LEGS = [
    ("t1", "user:alice", "alice", "topup", 1_000, "e1", 1_000),
    ("t2", "clearing:external", None, "topup", -1_000, "e1", -1_000),
    ("t3", "user:bob", "bob", "topup", 500, "e2", 500),
    ("t4", "clearing:external", None, "topup", -500, "e2", -1_500),
    ("t5", "user:bob", "bob", "entryFee", -300, "e3", 200),
    ("t6", "pool:cup", None, "entryFee", 300, "e3", 300),
    ("t7", "pool:cup", None, "reward", -300, "e4", 0),
    ("t8", "user:alice", "alice", "reward", 250, "e4", 1_250),
    ("t9", "platform_fees", None, "platformFee", 50, "e4", 50),
    ("t10", "user:carol", "carol", "reward", 800, "e5", 800),
    ("t11", "clearing:external", None, "reward", -800, "e5", -2_300),
    ("t12", "user:carol", "carol", "debit", -700, "e6", 100),
    ("t13", "clearing:external", None, "debit", 700, "e6", -1_600),
]
"""(id, account, user_id, type, amount, entry_id, balance_after): completed legs of balanced entries."""

LEGACY_ACCOUNTS = [
    ("user:alice", "user", 1_250, 400, 250), ("user:bob", "user", 200, 0, 0), ("user:carol", "user", 100, 0, 800),
    ("pool:cup", "pool", 0, 0, 0), ("platform_fees", "system", 50, 0, 0), ("clearing:external", "system", -1_600, 0, 0),
]


def legacy_ledger(path: Path) -> None:
    """A ledger file of the old schema: three players, a pool, fees, and alice's open payout hold of 400."""
    conn = connect(path)
    try:
        conn.executescript(OLD_SCHEMA)
        for account, kind, balance, held, earnings in LEGACY_ACCOUNTS:
            conn.execute("INSERT INTO accounts VALUES (?, 'INR', ?, ?, ?, ?, ?, ?)",
                         (account, kind, balance, held, earnings, T0, T0))
        for tx_id, account, user_id, tx_type, amount, entry_id, after in LEGACY_LEGS:
            conn.execute("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, 'INR', 'completed', 'legacy', '', '{}', "
                         "NULL, ?, ?, NULL, ?, ?, ?)", (tx_id, account, user_id, tx_type, amount, after, entry_id,
                                                       T0, T0, T0))
        conn.execute("INSERT INTO transactions VALUES ('t14', 'user:alice', 'alice', 'payout', -400, 'INR', "
                     "'pending', 'payouts', '', ?, 'hold_payout-1', NULL, NULL, 'payout-1', ?, ?, ?)",
                     (json.dumps({"payoutId": "payout-1"}), T0, T0, T0))
        conn.execute("INSERT INTO holds VALUES ('payout-1', 'user:alice', 'alice', 'INR', 400, 'open', 't14', ?, ?)",
                     (T0, T0))
    finally:
        conn.close()


@pytest.fixture
def legacy_store(tmp_path: Path) -> Iterator[SqliteLedgerStore]:
    path = tmp_path / "wallet.sqlite3"
    legacy_ledger(path)
    store = SqliteLedgerStore(path)
    store.migrate()
    store.migrate()
    yield store
    store.close()


def funds(store: SqliteLedgerStore, user: str) -> tuple[Funds, Funds]:
    state = store.get_account(user_account(user), "INR")
    assert state is not None
    return state.funds, state.held_funds


def test_the_schema_migration_puts_every_legacy_balance_in_deposit(legacy_store: SqliteLedgerStore) -> None:
    assert funds(legacy_store, "alice") == (Funds(deposit=1_250), Funds(deposit=400))
    assert funds(legacy_store, "carol") == (Funds(deposit=100), Funds())
    assert legacy_store.get_transaction("t8").funds == {"deposit": 250}
    assert legacy_store.get_transaction("t14").funds == {"deposit": -400}
    assert legacy_store.get_transaction("t2").funds == {}
    hold = legacy_store.get_hold("payout-1")
    assert hold is not None and (hold.funds, hold.tds, hold.net_amount, hold.financial_year) == (
        {"deposit": 400}, 0, 400, "")
    report = audit(legacy_store.audit_facts())
    assert report.ok, report.violations
    assert (report.accounts_checked, report.transactions_checked, report.holds_checked) == (6, 14, 1)
    with sqlite3.connect(legacy_store.path) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_funds_migration_moves_legacy_earnings_to_winnings_once(legacy_store: SqliteLedgerStore) -> None:
    result = migrate_funds(legacy_store)
    assert result.before.ok and result.after.ok, (result.before.violations, result.after.violations)
    assert result.moved == [("alice", "INR", 250), ("carol", "INR", 100)]
    assert funds(legacy_store, "alice") == (Funds(deposit=1_000, winnings=250), Funds(deposit=400))
    assert funds(legacy_store, "bob") == (Funds(deposit=200), Funds())
    assert funds(legacy_store, "carol") == (Funds(winnings=100), Funds())
    entry = legacy_store.list_transactions(TransactionFilter(user_id="alice", type="migration", limit=10)).items
    assert sorted((t.amount, t.balance_after, tuple(t.funds.items()), t.idempotency_key) for t in entry) == [
        (-250, 1_000, (("deposit", -250),), "migrate_funds_alice_INR"), (250, 1_250, (("winnings", 250),), None)]
    again = migrate_funds(legacy_store)
    assert again.moved == [] and again.after.ok
    assert funds(legacy_store, "alice") == (Funds(deposit=1_000, winnings=250), Funds(deposit=400))
    service = WalletUseCases(legacy_store)
    captured = asyncio.run(service.holds.capture(key=new_key(), hold_id="payout-1",
                                                 counter_account="clearing:external"))
    assert captured.transaction is not None and captured.transaction.funds == {"deposit": -400}
    assert funds(legacy_store, "alice") == (Funds(deposit=600, winnings=250), Funds())
    assert service.queries.wallet("alice", "INR").withdrawable == 850
    report = audit(legacy_store.audit_facts())
    assert report.ok, report.violations


def test_winzone_migrate_prints_the_audit_before_and_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    legacy_ledger(tmp_path / "wallet.sqlite3")
    monkeypatch.setenv("WINZONE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    with pytest.raises(SystemExit) as ended:
        cli.main(["migrate"])
    assert ended.value.code == 0
    out = capsys.readouterr().out
    assert "ledger audit before the funds migration: ok (6 accounts, 14 transactions, 1 holds)" in out
    assert "funds migration: 2 wallets moved 350 minor units of earnings to winnings" in out
    assert "ledger audit after the funds migration: ok (6 accounts, 18 transactions, 1 holds)" in out
    with pytest.raises(SystemExit):
        cli.main(["migrate"])
    assert "funds migration: 0 wallets moved 0 minor units" in capsys.readouterr().out


SPENT_LEGS = [
    ("d1", "user:dave", "dave", "reward", 800, "e7", 800),
    ("d2", "clearing:external", None, "reward", -800, "e7", -2_400),
    ("d3", "user:dave", "dave", "debit", -800, "e8", 0),
    ("d4", "clearing:external", None, "debit", 800, "e8", -1_600),
    ("d5", "user:erin", "erin", "reward", 800, "e9", 800),
    ("d6", "clearing:external", None, "reward", -800, "e9", -2_400),
]
"""dave spent his legacy rewards before funds existed; erin still had hers (800) when funds were introduced."""


def test_the_funds_migration_never_moves_deposits_made_after_funds_were_introduced(tmp_path: Path) -> None:
    path = tmp_path / "wallet.sqlite3"
    legacy_ledger(path)
    conn = connect(path)
    try:
        for tx_id, account, user_id, tx_type, amount, entry_id, after in SPENT_LEGS:
            conn.execute("INSERT INTO transactions VALUES (?, ?, ?, ?, ?, 'INR', 'completed', 'legacy', '', '{}', "
                         "NULL, ?, ?, NULL, ?, ?, ?)", (tx_id, account, user_id, tx_type, amount, after, entry_id,
                                                       T0, T0, T0))
        conn.execute("INSERT INTO accounts VALUES ('user:dave', 'INR', 'user', 0, 0, 800, ?, ?)", (T0, T0))
        conn.execute("INSERT INTO accounts VALUES ('user:erin', 'INR', 'user', 800, 0, 800, ?, ?)", (T0, T0))
        conn.execute("UPDATE accounts SET balance = -2400 WHERE account = 'clearing:external'")
    finally:
        conn.close()
    store = SqliteLedgerStore(path)
    try:
        store.migrate()
        service = WalletUseCases(store)
        asyncio.run(service.postings.post(
            key=new_key(), legs=[LegRequest(account="user:erin", amount=-800, type="entryFee"),
                                 LegRequest(account="pool:cup-late", amount=800, type="entryFee")],
            source="test", description="entry", metadata={}))
        asyncio.run(service.postings.credit(
            key=new_key(), user_id="erin", amount=1_000, currency="INR", type="topup",
            counter_account="clearing:external", source="test", description="top-up", metadata={}))
        first = migrate_funds(store)
        assert first.before.ok and first.after.ok, (first.before.violations, first.after.violations)
        assert first.moved == [("alice", "INR", 250), ("carol", "INR", 100)]
        assert funds(store, "erin") == (Funds(deposit=1_000), Funds())
        assert store.atomic(lambda uow: uow.idempotency_get("migrate_funds_dave_INR")) == (
            "migration:dave:INR", {"moved": 0})
        asyncio.run(service.postings.credit(
            key=new_key(), user_id="dave", amount=1_000, currency="INR", type="topup",
            counter_account="clearing:external", source="test", description="top-up", metadata={}))
        second = migrate_funds(store)
        assert second.moved == [] and second.after.ok, second.after.violations
        assert funds(store, "dave") == (Funds(deposit=1_000), Funds())
        assert funds(store, "erin") == (Funds(deposit=1_000), Funds())
        assert store.list_transactions(TransactionFilter(user_id="dave", type="migration", limit=10)).items == []
        report = audit(store.audit_facts())
        assert report.ok, report.violations
    finally:
        store.close()
