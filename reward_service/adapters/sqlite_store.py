"""The reward store on SQLite: WAL, CHECK constraints, unique keys, immutability triggers and group commit.

``migrate`` brings a file of an earlier version forward in place (``upgrade_contributions``): contributions
gain an attempt number (0 for every existing row, whose wallet key is therefore unchanged) and may be
``refused``."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from reward_service.adapters.lease_values import lease_until_of
from reward_service.domain.model import Competition, Contribution, Distribution, Payout, Refund, RefundLine
from reward_service.domain.ports import Cursor, RewardStore, RewardUnitOfWork
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.sqlite import SqliteUnitOfWorkStore, connect

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS competitions (
    id TEXT PRIMARY KEY,
    organizer_id TEXT NOT NULL,
    entry_fee INTEGER NOT NULL CHECK (entry_fee > 0),
    currency TEXT NOT NULL,
    template TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    pool_balance INTEGER NOT NULL CHECK (pool_balance >= 0),
    entries INTEGER NOT NULL CHECK (entries >= 0),
    version INTEGER NOT NULL CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS competitions_newest ON competitions (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS competitions_status_newest ON competitions (status, created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS competitions_organizer_newest ON competitions (organizer_id, created_at DESC, id DESC);

CREATE TABLE IF NOT EXISTS contributions (
    id TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('entry', 'sponsorship')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'refused')),
    lease_token TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    attempt INTEGER NOT NULL DEFAULT 0 CHECK (attempt >= 0)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS contributions_one_entry_per_user
    ON contributions (competition_id, user_id) WHERE kind = 'entry';
CREATE INDEX IF NOT EXISTS contributions_competition ON contributions (competition_id, status);
CREATE INDEX IF NOT EXISTS contributions_pending ON contributions (lease_until) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS contributions_entries ON contributions (competition_id, created_at, id)
    WHERE kind = 'entry';

CREATE TRIGGER IF NOT EXISTS contributions_attempts_are_final
BEFORE UPDATE ON contributions WHEN OLD.status = 'paid' OR NEW.user_id <> OLD.user_id
    OR NEW.competition_id <> OLD.competition_id OR NEW.kind <> OLD.kind OR NEW.attempt < OLD.attempt
    OR (OLD.status = 'pending' AND (NEW.amount <> OLD.amount OR NEW.currency <> OLD.currency
                                    OR NEW.attempt <> OLD.attempt))
BEGIN SELECT RAISE(ABORT, 'a paid contribution, or an attempt in flight, never changes its terms'); END;

CREATE TRIGGER IF NOT EXISTS contributions_are_never_deleted
BEFORE DELETE ON contributions
BEGIN SELECT RAISE(ABORT, 'contributions are never deleted'); END;

CREATE TABLE IF NOT EXISTS distributions (
    match_id TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    prize_pool INTEGER NOT NULL CHECK (prize_pool > 0),
    platform_fee INTEGER NOT NULL CHECK (platform_fee >= 0),
    organizer_fee INTEGER NOT NULL CHECK (organizer_fee >= 0),
    entry_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((status = 'paid') = (entry_id <> ''))
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS distributions_competition ON distributions (competition_id);
CREATE INDEX IF NOT EXISTS distributions_pending ON distributions (updated_at) WHERE status = 'pending';

CREATE TRIGGER IF NOT EXISTS distributions_keep_their_terms
BEFORE UPDATE ON distributions WHEN OLD.status = 'paid' OR NEW.fingerprint <> OLD.fingerprint
    OR NEW.body <> OLD.body OR NEW.prize_pool <> OLD.prize_pool
BEGIN SELECT RAISE(ABORT, 'a distribution only goes from pending to paid'); END;

CREATE TRIGGER IF NOT EXISTS distributions_are_never_deleted
BEFORE DELETE ON distributions
BEGIN SELECT RAISE(ABORT, 'distributions are never deleted'); END;

CREATE TABLE IF NOT EXISTS refunds (
    competition_id TEXT PRIMARY KEY REFERENCES competitions (id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('collecting', 'pending', 'paid')),
    total INTEGER NOT NULL CHECK (total >= 0),
    lines TEXT NOT NULL,
    entry_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS refunds_unfinished ON refunds (updated_at) WHERE status <> 'paid';

CREATE TRIGGER IF NOT EXISTS refunds_paid_are_final
BEFORE UPDATE ON refunds WHEN OLD.status = 'paid'
BEGIN SELECT RAISE(ABORT, 'a paid refund never changes'); END;

CREATE TRIGGER IF NOT EXISTS refunds_are_never_deleted
BEFORE DELETE ON refunds
BEGIN SELECT RAISE(ABORT, 'refunds are never deleted'); END;
"""

COMPETITION_COLUMNS = ("id, organizer_id, entry_fee, currency, template, status, pool_balance, entries, version, "
                       "created_at, updated_at")
CONTRIBUTION_COLUMNS = ("id, competition_id, user_id, kind, amount, currency, request_fingerprint, status, "
                        "lease_token, lease_until, created_at, updated_at, attempt")
DISTRIBUTION_COLUMNS = ("match_id, competition_id, fingerprint, status, prize_pool, platform_fee, organizer_fee, "
                        "entry_id, body, created_at, updated_at")
REFUND_COLUMNS = "competition_id, reason, status, total, lines, entry_id, created_at, updated_at"
_AFTER = "AND ({}, {}) > (?, ?) "


def _distribution_row(d: Distribution) -> tuple[Any, ...]:
    body = json.dumps({
        "template": d.template, "shares": list(d.shares), "currency": d.currency, "organizerId": d.organizer_id,
        "platformFeePercentage": d.platform_fee_percentage, "organizerFeePercentage": d.organizer_fee_percentage,
        "payouts": [[p.user_id, p.rank, p.amount] for p in d.payouts],
    }, separators=(",", ":"))
    return (d.match_id, d.competition_id, d.fingerprint, d.status, d.prize_pool, d.platform_fee, d.organizer_fee,
            d.entry_id, body, d.created_at, d.updated_at)


def _distribution(row: tuple[Any, ...]) -> Distribution:
    match_id, competition_id, fp, status, prize_pool, platform_fee, organizer_fee, entry_id, raw, created, updated = row
    body = json.loads(raw)
    return Distribution(
        match_id=match_id, competition_id=competition_id, fingerprint=fp, template=body["template"],
        shares=tuple(body["shares"]), currency=body["currency"], prize_pool=prize_pool, platform_fee=platform_fee,
        organizer_fee=organizer_fee, organizer_id=body["organizerId"],
        platform_fee_percentage=body["platformFeePercentage"],
        organizer_fee_percentage=body["organizerFeePercentage"],
        payouts=tuple(Payout(u, r, a) for u, r, a in body["payouts"]), status=status, entry_id=entry_id,
        created_at=created, updated_at=updated,
    )


def _refund_row(r: Refund) -> tuple[Any, ...]:
    lines = json.dumps([[line.user_id, line.amount, line.kind, line.contribution_id] for line in r.lines],
                       separators=(",", ":"))
    return (r.competition_id, r.reason, r.status, r.total, lines, r.entry_id, r.created_at, r.updated_at)


def _refund(row: tuple[Any, ...]) -> Refund:
    competition_id, reason, status, total, lines, entry_id, created, updated = row
    return Refund(competition_id, reason, status, total, tuple(RefundLine(*line) for line in json.loads(lines)),
                  entry_id, created, updated)


def _contribution_row(c: Contribution) -> tuple[Any, ...]:
    return (c.id, c.competition_id, c.user_id, c.kind, c.amount, c.currency, c.request_fingerprint, c.status,
            c.lease_token, c.lease_until, c.created_at, c.updated_at, c.attempt)


def _contribution(row: tuple[Any, ...]) -> Contribution:
    (cid, competition_id, user_id, kind, amount, currency, fingerprint, status, token, until, created, updated,
     attempt) = row
    return Contribution(cid, competition_id, user_id, kind, amount, currency, fingerprint, status, token,
                        lease_until_of(until), created, updated, attempt)


def upgrade_contributions(conn: sqlite3.Connection) -> None:
    """Bring a contributions table of an earlier version forward, in one transaction: an ``attempt`` column
    (0 for every existing row), ``refused`` allowed by the status CHECK (it only widens, so every stored row
    still satisfies it: SQLite's documented in-place change of a constraint), and the old update and delete
    triggers dropped (``SCHEMA`` creates their successors)."""
    row = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'contributions'").fetchone()
    if row is None or "'refused'" in row[0]:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        columns = {c[1] for c in conn.execute("PRAGMA table_info(contributions)")}
        if "attempt" not in columns:
            conn.execute("ALTER TABLE contributions ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0 "
                         "CHECK (attempt >= 0)")
        (sql,) = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'contributions'"
                              ).fetchone()
        widened = sql.replace("status IN ('pending', 'paid')", "status IN ('pending', 'paid', 'refused')", 1)
        (version,) = conn.execute("PRAGMA schema_version").fetchone()
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'contributions'", (widened,))
        conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
        conn.execute("PRAGMA writable_schema = OFF")
        conn.execute("DROP TRIGGER IF EXISTS contributions_paid_are_final")
        conn.execute("DROP TRIGGER IF EXISTS contributions_paid_are_never_deleted")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _competition_row(c: Competition) -> tuple[Any, ...]:
    return (c.id, c.organizer_id, c.entry_fee, c.currency, c.template, c.status, c.pool_balance, c.entries,
            c.version, c.created_at, c.updated_at)


class SqliteRewardUnitOfWork(RewardUnitOfWork):
    """Reward reads and writes on one connection (the writer's, inside its savepoint, or a reader's)."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _insert(self, table: str, columns: str, row: tuple[Any, ...], what: str) -> None:
        try:
            self._conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))})", row)
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" in str(exc):
                raise AlreadyExists(f"{what} already exists") from exc
            raise

    def competition_get(self, competition_id: str) -> Competition | None:
        row = self._conn.execute(f"SELECT {COMPETITION_COLUMNS} FROM competitions WHERE id = ?",
                                 (competition_id,)).fetchone()
        return None if row is None else Competition(*row)

    def competition_add(self, competition: Competition) -> None:
        self._insert("competitions", COMPETITION_COLUMNS, _competition_row(competition), "The competition")

    def competition_update(self, competition: Competition) -> None:
        c = competition
        cursor = self._conn.execute(
            "UPDATE competitions SET organizer_id = ?, entry_fee = ?, currency = ?, template = ?, status = ?, "
            "pool_balance = ?, entries = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
            (c.organizer_id, c.entry_fee, c.currency, c.template, c.status, c.pool_balance, c.entries, c.version,
             c.updated_at, c.id, c.version - 1),
        )
        if cursor.rowcount != 1:
            raise RuntimeError(f"competition {c.id} is not at version {c.version - 1}")

    def contribution_get(self, contribution_id: str) -> Contribution | None:
        row = self._conn.execute(f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE id = ?",
                                 (contribution_id,)).fetchone()
        return None if row is None else _contribution(row)

    def contribution_add(self, contribution: Contribution) -> None:
        self._insert("contributions", CONTRIBUTION_COLUMNS, _contribution_row(contribution), "The contribution")

    def contribution_update(self, contribution: Contribution) -> None:
        c = contribution
        self._conn.execute(
            "UPDATE contributions SET status = ?, attempt = ?, amount = ?, currency = ?, lease_token = ?, "
            "lease_until = ?, updated_at = ? WHERE id = ? AND status <> 'paid'",
            (c.status, c.attempt, c.amount, c.currency, c.lease_token, c.lease_until, c.updated_at, c.id),
        )

    def contributions_of(self, competition_id: str) -> list[Contribution]:
        rows = self._conn.execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE competition_id = ? ORDER BY id",
            (competition_id,),
        ).fetchall()
        return [_contribution(row) for row in rows]

    def competitions_page(self, status: str, organizer_id: str, skip: int, limit: int
                          ) -> tuple[list[Competition], int]:
        clauses = [(column, value) for column, value in (("status", status), ("organizer_id", organizer_id)) if value]
        where = f"WHERE {' AND '.join(f'{column} = ?' for column, _ in clauses)} " if clauses else ""
        values = tuple(value for _, value in clauses)
        rows = self._conn.execute(
            f"SELECT {COMPETITION_COLUMNS} FROM competitions {where}ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            (*values, limit, skip),
        ).fetchall()
        (total,) = self._conn.execute(f"SELECT COUNT(*) FROM competitions {where}", values).fetchone()
        return [Competition(*row) for row in rows], int(total)

    def entries_page(self, competition_id: str, skip: int, limit: int) -> tuple[list[Contribution], int]:
        where = "WHERE competition_id = ? AND kind = 'entry' AND status <> 'refused'"
        rows = self._conn.execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions {where} ORDER BY created_at, id LIMIT ? OFFSET ?",
            (competition_id, limit, skip),
        ).fetchall()
        (total,) = self._conn.execute(f"SELECT COUNT(*) FROM contributions {where}", (competition_id,)).fetchone()
        return [_contribution(row) for row in rows], int(total)

    def contributions_pending(self, lease_expired_by: str, limit: int, after: Cursor | None = None
                              ) -> list[Contribution]:
        rows = self._conn.execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE status = 'pending' AND lease_until <= ? "
            f"{_AFTER.format('lease_until', 'id') if after else ''}ORDER BY lease_until, id LIMIT ?",
            (lease_expired_by, *(after or ()), limit),
        ).fetchall()
        return [_contribution(row) for row in rows]

    def distribution_get(self, match_id: str) -> Distribution | None:
        row = self._conn.execute(f"SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE match_id = ?",
                                 (match_id,)).fetchone()
        return None if row is None else _distribution(row)

    def distribution_add(self, distribution: Distribution) -> None:
        self._insert("distributions", DISTRIBUTION_COLUMNS, _distribution_row(distribution),
                     "A distribution of this match")

    def distributions_pending(self, updated_before: str, limit: int, after: Cursor | None = None
                              ) -> list[Distribution]:
        rows = self._conn.execute(
            f"SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE status = 'pending' AND updated_at < ? "
            f"{_AFTER.format('updated_at', 'match_id') if after else ''}ORDER BY updated_at, match_id LIMIT ?",
            (updated_before, *(after or ()), limit),
        ).fetchall()
        return [_distribution(row) for row in rows]

    def distribution_mark_paid(self, match_id: str, entry_id: str, now: str) -> None:
        self._conn.execute(
            "UPDATE distributions SET status = 'paid', entry_id = ?, updated_at = ? "
            "WHERE match_id = ? AND status = 'pending'",
            (entry_id, now, match_id),
        )

    def refund_get(self, competition_id: str) -> Refund | None:
        row = self._conn.execute(f"SELECT {REFUND_COLUMNS} FROM refunds WHERE competition_id = ?",
                                 (competition_id,)).fetchone()
        return None if row is None else _refund(row)

    def refund_add(self, refund: Refund) -> None:
        self._insert("refunds", REFUND_COLUMNS, _refund_row(refund), "A refund of this competition")

    def refund_update(self, refund: Refund) -> None:
        row = _refund_row(refund)
        self._conn.execute(
            "UPDATE refunds SET reason = ?, status = ?, total = ?, lines = ?, entry_id = ?, updated_at = ? "
            "WHERE competition_id = ?",
            (*row[1:6], row[7], row[0]),
        )

    def refunds_unfinished(self, updated_before: str, limit: int, after: Cursor | None = None) -> list[Refund]:
        rows = self._conn.execute(
            f"SELECT {REFUND_COLUMNS} FROM refunds WHERE status <> 'paid' AND updated_at < ? "
            f"{_AFTER.format('updated_at', 'competition_id') if after else ''}"
            "ORDER BY updated_at, competition_id LIMIT ?",
            (updated_before, *(after or ()), limit),
        ).fetchall()
        return [_refund(row) for row in rows]


class SqliteRewardStore(SqliteUnitOfWorkStore[RewardUnitOfWork], RewardStore):
    """The embedded reward store (one file, one writer thread with group commit, many readers)."""

    schema = SCHEMA
    writer_name = "reward-writer"
    unit_of_work = SqliteRewardUnitOfWork

    def migrate(self) -> None:
        conn = connect(self.path)
        try:
            upgrade_contributions(conn)
            conn.executescript(self.schema)
        finally:
            conn.close()

    async def read_async(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """Inline: a read of the local WAL file is a few microseconds and never waits for the writer."""
        return self.read(op)

    def read(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        with self._snapshot() as conn:
            return op(SqliteRewardUnitOfWork(conn))
