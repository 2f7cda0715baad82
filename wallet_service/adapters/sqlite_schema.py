"""The ledger's SQLite schema (tables, CHECK constraints, unique keys, immutability triggers) and the in-place
widening that lets a file created before a transaction type existed accept it."""

from __future__ import annotations

import sqlite3

from wallet_service.domain.model import TX_STATUSES, TX_TYPES

_types = ", ".join(f"'{t}'" for t in sorted(TX_TYPES))
_statuses = ", ".join(f"'{s}'" for s in sorted(TX_STATUSES))

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS accounts (
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'pool', 'system')),
    balance INTEGER NOT NULL DEFAULT 0,
    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
    total_earnings INTEGER NOT NULL DEFAULT 0 CHECK (total_earnings >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fund_deposit INTEGER NOT NULL DEFAULT 0 CHECK (fund_deposit >= held_deposit),
    fund_winnings INTEGER NOT NULL DEFAULT 0 CHECK (fund_winnings >= held_winnings),
    fund_bonus INTEGER NOT NULL DEFAULT 0 CHECK (fund_bonus >= held_bonus),
    held_deposit INTEGER NOT NULL DEFAULT 0 CHECK (held_deposit >= 0),
    held_winnings INTEGER NOT NULL DEFAULT 0 CHECK (held_winnings >= 0),
    held_bonus INTEGER NOT NULL DEFAULT 0 CHECK (held_bonus >= 0),
    PRIMARY KEY (account, currency),
    CHECK (kind = 'system' OR balance - held >= 0)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS transactions (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT,
    type TEXT NOT NULL CHECK (type IN ({_types})),
    amount INTEGER NOT NULL CHECK (amount <> 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_statuses})),
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
    fund_deposit INTEGER,
    fund_winnings INTEGER,
    fund_bonus INTEGER,
    CHECK ((status = 'completed') = (entry_id IS NOT NULL)),
    CHECK ((status = 'completed') = (balance_after IS NOT NULL))
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS transactions_idempotency_key ON transactions (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS transactions_user_posted ON transactions (user_id, posted_at)
    WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS transactions_status_type ON transactions (status, type) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS transactions_posted ON transactions (posted_at) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS transactions_activity ON transactions (currency, posted_at) WHERE status = 'completed';

CREATE TRIGGER IF NOT EXISTS transactions_posted_are_immutable
BEFORE UPDATE ON transactions WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'posted transactions are immutable'); END;

CREATE TRIGGER IF NOT EXISTS transactions_pending_keep_their_terms
BEFORE UPDATE ON transactions WHEN NEW.amount <> OLD.amount OR NEW.account <> OLD.account
    OR NEW.currency <> OLD.currency OR NEW.user_id IS NOT OLD.user_id
BEGIN SELECT RAISE(ABORT, 'transaction terms are immutable'); END;

CREATE TRIGGER IF NOT EXISTS transactions_are_never_deleted
BEFORE DELETE ON transactions
BEGIN SELECT RAISE(ABORT, 'transactions are never deleted'); END;

CREATE TABLE IF NOT EXISTS holds (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'captured', 'voided')),
    transaction_id TEXT NOT NULL UNIQUE REFERENCES transactions (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fund_deposit INTEGER NOT NULL DEFAULT 0,
    fund_winnings INTEGER NOT NULL DEFAULT 0,
    fund_bonus INTEGER NOT NULL DEFAULT 0,
    tds INTEGER NOT NULL DEFAULT 0,
    net_winnings INTEGER NOT NULL DEFAULT 0,
    financial_year TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS holds_status ON holds (status);

CREATE TRIGGER IF NOT EXISTS holds_close_once
BEFORE UPDATE ON holds WHEN OLD.status <> 'open' OR NEW.amount <> OLD.amount
BEGIN SELECT RAISE(ABORT, 'a hold is captured or voided exactly once'); END;

CREATE TABLE IF NOT EXISTS hold_tombstones (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS hold_tombstones_exclude_holds
BEFORE INSERT ON hold_tombstones WHEN EXISTS (SELECT 1 FROM holds WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'a hold id is a hold or a tombstone, never both'); END;

CREATE TRIGGER IF NOT EXISTS holds_exclude_tombstones
BEFORE INSERT ON holds WHEN EXISTS (SELECT 1 FROM hold_tombstones WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'a hold id is a hold or a tombstone, never both'); END;

CREATE TABLE IF NOT EXISTS player_controls (
    user_id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS transactions_user_entry_fees ON transactions (user_id, currency, posted_at)
    WHERE type = 'entryFee' AND status = 'completed' AND amount < 0;

CREATE TABLE IF NOT EXISTS bonus_grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    remaining INTEGER NOT NULL CHECK (remaining >= 0),
    reason TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'spent', 'expired')),
    granted_by TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (status = 'active' OR remaining = 0)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bonus_grants_user ON bonus_grants (user_id, currency);
CREATE INDEX IF NOT EXISTS bonus_grants_due ON bonus_grants (status, expires_at);

CREATE TABLE IF NOT EXISTS pool_contributions (
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    pool TEXT NOT NULL,
    deposit INTEGER NOT NULL DEFAULT 0,
    winnings INTEGER NOT NULL DEFAULT 0,
    bonus INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, currency, pool)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    result TEXT NOT NULL,
    created_at TEXT NOT NULL
) WITHOUT ROWID;
"""


def widen_transaction_types(conn: sqlite3.Connection) -> None:
    """Let a ledger file created before a transaction type existed accept it: the CHECK only widens, so every
    stored row still satisfies it (SQLite's documented in-place change of a constraint)."""
    row = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'transactions'").fetchone()
    if row is None or f"type IN ({_types})" in row[0]:
        return
    start = row[0].index("type IN (")
    end = row[0].index(")", start)
    widened = row[0][:start] + f"type IN ({_types}" + row[0][end:]
    (version,) = conn.execute("PRAGMA schema_version").fetchone()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'transactions'", (widened,))
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


FUND_COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "held_deposit INTEGER NOT NULL DEFAULT 0 CHECK (held_deposit >= 0)",
        "held_winnings INTEGER NOT NULL DEFAULT 0 CHECK (held_winnings >= 0)",
        "held_bonus INTEGER NOT NULL DEFAULT 0 CHECK (held_bonus >= 0)",
        "fund_deposit INTEGER NOT NULL DEFAULT 0 CHECK (fund_deposit >= held_deposit)",
        "fund_winnings INTEGER NOT NULL DEFAULT 0 CHECK (fund_winnings >= held_winnings)",
        "fund_bonus INTEGER NOT NULL DEFAULT 0 CHECK (fund_bonus >= held_bonus)",
    ),
    "transactions": ("fund_deposit INTEGER", "fund_winnings INTEGER", "fund_bonus INTEGER"),
    "holds": (
        "fund_deposit INTEGER NOT NULL DEFAULT 0", "fund_winnings INTEGER NOT NULL DEFAULT 0",
        "fund_bonus INTEGER NOT NULL DEFAULT 0", "tds INTEGER NOT NULL DEFAULT 0",
        "net_winnings INTEGER NOT NULL DEFAULT 0", "financial_year TEXT NOT NULL DEFAULT ''",
    ),
}
"""The columns funds added, per table, as ``ALTER TABLE ADD COLUMN`` adds them to a file from before funds."""


def add_fund_columns(conn: sqlite3.Connection) -> None:
    """Give a ledger file created before funds existed their columns, in one transaction: legacy legs and holds
    keep NULL / zero splits (they count as deposit), and every user wallet's balance and held amount become its
    deposit fund, so every balance is unchanged and in ``deposit`` at once. Safe to run any number of times."""
    missing: dict[str, tuple[str, ...]] = {}
    for table, columns in FUND_COLUMNS.items():
        present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if not present:
            continue
        missing[table] = tuple(column for column in columns if column.split()[0] not in present)
    if not any(missing.values()):
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table, columns in missing.items():
            for column in columns:
                conn.execute(f"ALTER TABLE {table} ADD COLUMN {column}")
        if FUND_COLUMNS["accounts"][0] in missing.get("accounts", ()):
            conn.execute("UPDATE accounts SET held_deposit = held, fund_deposit = balance WHERE kind = 'user'")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
