"""The reward store on SQLite: WAL, CHECK constraints, unique keys, immutability triggers and group commit."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

from reward_service.adapters.lease_values import lease_until_of
from reward_service.domain.model import Competition, Contribution, Distribution, Payout, Refund, RefundLine
from reward_service.domain.ports import RewardStore, RewardUnitOfWork
from winzone_kernel.errors import AlreadyExists
from winzone_kernel.sqlite import SqliteUnitOfWorkStore

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

CREATE TABLE IF NOT EXISTS contributions (
    id TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions (id),
    user_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('entry', 'sponsorship')),
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    request_fingerprint TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'paid')),
    lease_token TEXT NOT NULL,
    lease_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS contributions_one_entry_per_user
    ON contributions (competition_id, user_id) WHERE kind = 'entry';
CREATE INDEX IF NOT EXISTS contributions_competition ON contributions (competition_id, status);
CREATE INDEX IF NOT EXISTS contributions_pending ON contributions (lease_until) WHERE status = 'pending';

CREATE TRIGGER IF NOT EXISTS contributions_paid_are_final
BEFORE UPDATE ON contributions WHEN OLD.status = 'paid' OR NEW.amount <> OLD.amount
    OR NEW.user_id <> OLD.user_id OR NEW.competition_id <> OLD.competition_id
BEGIN SELECT RAISE(ABORT, 'a paid contribution never changes'); END;

CREATE TRIGGER IF NOT EXISTS contributions_paid_are_never_deleted
BEFORE DELETE ON contributions WHEN OLD.status = 'paid'
BEGIN SELECT RAISE(ABORT, 'a paid contribution is never deleted'); END;

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
                        "lease_token, lease_until, created_at, updated_at")
DISTRIBUTION_COLUMNS = ("match_id, competition_id, fingerprint, status, prize_pool, platform_fee, organizer_fee, "
                        "entry_id, body, created_at, updated_at")
REFUND_COLUMNS = "competition_id, reason, status, total, lines, entry_id, created_at, updated_at"


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
            c.lease_token, c.lease_until, c.created_at, c.updated_at)


def _contribution(row: tuple[Any, ...]) -> Contribution:
    cid, competition_id, user_id, kind, amount, currency, fingerprint, status, token, until, created, updated = row
    return Contribution(cid, competition_id, user_id, kind, amount, currency, fingerprint, status, token,
                        lease_until_of(until), created, updated)


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
            "UPDATE contributions SET status = ?, lease_token = ?, lease_until = ?, updated_at = ? WHERE id = ?",
            (c.status, c.lease_token, c.lease_until, c.updated_at, c.id),
        )

    def contribution_delete(self, contribution_id: str) -> None:
        self._conn.execute("DELETE FROM contributions WHERE id = ? AND status = 'pending'", (contribution_id,))

    def contributions_of(self, competition_id: str) -> list[Contribution]:
        rows = self._conn.execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE competition_id = ? ORDER BY id",
            (competition_id,),
        ).fetchall()
        return [_contribution(row) for row in rows]

    def contributions_pending(self, lease_expired_by: str, limit: int) -> list[Contribution]:
        rows = self._conn.execute(
            f"SELECT {CONTRIBUTION_COLUMNS} FROM contributions WHERE status = 'pending' AND lease_until <= ? "
            "ORDER BY lease_until, id LIMIT ?",
            (lease_expired_by, limit),
        ).fetchall()
        return [_contribution(row) for row in rows]

    def distribution_get(self, match_id: str) -> Distribution | None:
        row = self._conn.execute(f"SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE match_id = ?",
                                 (match_id,)).fetchone()
        return None if row is None else _distribution(row)

    def distribution_add(self, distribution: Distribution) -> None:
        self._insert("distributions", DISTRIBUTION_COLUMNS, _distribution_row(distribution),
                     "A distribution of this match")

    def distributions_pending(self, updated_before: str, limit: int) -> list[Distribution]:
        rows = self._conn.execute(
            f"SELECT {DISTRIBUTION_COLUMNS} FROM distributions WHERE status = 'pending' AND updated_at < ? "
            "ORDER BY updated_at, match_id LIMIT ?",
            (updated_before, limit),
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

    def refunds_unfinished(self, updated_before: str, limit: int) -> list[Refund]:
        rows = self._conn.execute(
            f"SELECT {REFUND_COLUMNS} FROM refunds WHERE status <> 'paid' AND updated_at < ? "
            "ORDER BY updated_at, competition_id LIMIT ?",
            (updated_before, limit),
        ).fetchall()
        return [_refund(row) for row in rows]


class SqliteRewardStore(SqliteUnitOfWorkStore[RewardUnitOfWork], RewardStore):
    """The embedded reward store (one file, one writer thread with group commit, many readers)."""

    schema = SCHEMA
    writer_name = "reward-writer"
    unit_of_work = SqliteRewardUnitOfWork

    async def read_async(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        """Inline: a read of the local WAL file is a few microseconds and never waits for the writer."""
        return self.read(op)

    def read(self, op: Callable[[RewardUnitOfWork], T]) -> T:
        with self._snapshot() as conn:
            return op(SqliteRewardUnitOfWork(conn))
