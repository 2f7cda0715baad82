"""Payout records on SQLite: one row per payout, the document as JSON beside indexed, checked columns.

Writes go through the kernel's group-commit writer (one writer thread, WAL, durable before acknowledged);
reads use one connection per thread. The columns that identify a payout's terms (user, amount, currency)
are immutable by trigger, and ``(user_id, request_key)`` is unique. The payout method inside the document is
sealed (``payout_service.adapters.documents``); the file is owner-only (``winzone_kernel.files``).

The tax the wallet withholds (``tds``, ``net_amount``, ``net_winnings``, ``financial_year``) is kept in columns
too, fixed by trigger once the hold is placed; a file from before them gains them on ``migrate`` (its payouts
withheld nothing: ``net_amount`` = ``amount``).
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

from payout_service.adapters.documents import from_document, next_version, to_document
from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import (
    AttentionCursor,
    DuplicateRequestKey,
    PayoutRecord,
    PayoutStore,
    RecordPage,
    VelocityExceeded,
    VelocityLimit,
)
from winzone_kernel.clock import format_utc
from winzone_kernel.sealing import Sealer
from winzone_kernel.sqlite import SqliteStore, connect

_statuses = ", ".join(f"'{s.value}'" for s in PayoutStatus)
_DESTINATION = "json_extract(document, '$.destination')"

_VELOCITY = (
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN currency = ? THEN amount ELSE 0 END), 0) FROM payout_requests "
    "WHERE user_id = ? AND created_at >= ? "
    "AND NOT (hold_placed = 0 AND json_extract(document, '$.pendingFunds') IS NOT NULL)"
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS payout_requests (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_statuses})),
    request_key TEXT,
    hold_placed INTEGER NOT NULL CHECK (hold_placed IN (0, 1)),
    attention INTEGER NOT NULL CHECK (attention IN (0, 1)),
    version INTEGER NOT NULL CHECK (version >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    document TEXT NOT NULL,
    tds INTEGER NOT NULL DEFAULT 0,
    net_amount INTEGER NOT NULL DEFAULT 0,
    net_winnings INTEGER NOT NULL DEFAULT 0,
    financial_year TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, request_key)
);
CREATE INDEX IF NOT EXISTS payout_requests_status ON payout_requests (status);
CREATE INDEX IF NOT EXISTS payout_requests_user_created ON payout_requests (user_id, created_at);
CREATE INDEX IF NOT EXISTS payout_requests_attention ON payout_requests (attention, updated_at);
CREATE INDEX IF NOT EXISTS payout_requests_destination ON payout_requests ({_DESTINATION});

CREATE TRIGGER IF NOT EXISTS payout_requests_keep_their_terms
BEFORE UPDATE ON payout_requests WHEN NEW.user_id <> OLD.user_id OR NEW.amount <> OLD.amount
    OR NEW.currency <> OLD.currency OR NEW.created_at <> OLD.created_at
BEGIN SELECT RAISE(ABORT, 'payout terms are immutable'); END;

CREATE TRIGGER IF NOT EXISTS payout_requests_keep_their_tax
BEFORE UPDATE ON payout_requests WHEN OLD.hold_placed = 1 AND (NEW.tds <> OLD.tds
    OR NEW.net_amount <> OLD.net_amount OR NEW.net_winnings <> OLD.net_winnings
    OR NEW.financial_year <> OLD.financial_year)
BEGIN SELECT RAISE(ABORT, 'the tax of a placed payout is immutable'); END;
"""

_BASE_COLUMNS = (
    "id, user_id, amount, currency, status, request_key, hold_placed, attention, version, created_at, "
    "updated_at, document"
)
_COLUMNS = f"{_BASE_COLUMNS}, tds, net_amount, net_winnings, financial_year"
TAX_COLUMNS = {
    "tds": "INTEGER NOT NULL DEFAULT 0",
    "net_amount": "INTEGER NOT NULL DEFAULT 0",
    "net_winnings": "INTEGER NOT NULL DEFAULT 0",
    "financial_year": "TEXT NOT NULL DEFAULT ''",
}
"""Columns added after the table's first release, with their definitions (``migrate`` adds missing ones)."""


def _row(doc: dict[str, Any]) -> tuple[Any, ...]:
    return (
        doc["_id"], doc["userId"], doc["amount"], doc["currency"], doc["status"], doc["requestKey"],
        int(doc["holdPlaced"]), int(doc["attention"]), doc["version"], doc["createdAt"], doc["updatedAt"],
        json.dumps(doc, separators=(",", ":"), ensure_ascii=False),
        doc["tds"], doc["netAmount"], doc["netWinnings"], doc["financialYear"],
    )


class SqlitePayoutStore(SqliteStore, PayoutStore):
    """The embedded payout store (see the module docstring). Methods are sealed with ``sealer``, by default the
    key ``PAYOUT_METHOD_KEY`` names (``Sealer.from_env``)."""

    schema = SCHEMA
    writer_name = "payout-writer"

    def __init__(self, path: Path | str, *, synchronous: str = "FULL", max_batch: int = 256,
                 sealer: Sealer | None = None) -> None:
        self._sealer = sealer or Sealer.from_env()
        super().__init__(path, synchronous=synchronous, max_batch=max_batch)

    def migrate(self) -> None:
        """Create the schema; a table whose status check predates a status (``held``, ...) is rebuilt first,
        rows kept, so that every status of ``PayoutStatus`` can be stored; a table without the tax columns
        gains them (``net_amount`` = ``amount`` on the rows it had)."""
        conn = connect(self.path)
        try:
            row = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'payout_requests'"
                               ).fetchone()
            if row is not None and any(f"'{s.value}'" not in row[0] for s in PayoutStatus):
                present = {r[1] for r in conn.execute("PRAGMA table_info(payout_requests)")}
                copied = ", ".join(c for c in _COLUMNS.split(", ") if c in present)
                conn.executescript(
                    "BEGIN IMMEDIATE; ALTER TABLE payout_requests RENAME TO payout_requests_before_statuses; "
                    "DROP TRIGGER IF EXISTS payout_requests_keep_their_terms; "
                    "DROP TRIGGER IF EXISTS payout_requests_keep_their_tax; "
                    + SCHEMA.split(";", 1)[0] + f"; INSERT INTO payout_requests ({copied}) SELECT {copied} "
                    "FROM payout_requests_before_statuses; DROP TABLE payout_requests_before_statuses; COMMIT;"
                )
                if "net_amount" not in present:
                    conn.execute("UPDATE payout_requests SET net_amount = amount - tds")
            self._add_tax_columns(conn)
        finally:
            conn.close()
        super().migrate()

    @staticmethod
    def _add_tax_columns(conn: sqlite3.Connection) -> None:
        """Add the missing tax columns in one write transaction (a concurrent migrate sees them added)."""
        if {r[1] for r in conn.execute("PRAGMA table_info(payout_requests)")} >= {"id", *TAX_COLUMNS}:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            present = {r[1] for r in conn.execute("PRAGMA table_info(payout_requests)")}
            missing = [name for name in TAX_COLUMNS if present and name not in present]
            for name in missing:
                conn.execute(f"ALTER TABLE payout_requests ADD COLUMN {name} {TAX_COLUMNS[name]}")
            if "net_amount" in missing:
                conn.execute("UPDATE payout_requests SET net_amount = amount - tds")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _record(self, document: str) -> PayoutRecord:
        return from_document(json.loads(document), self._sealer)

    def insert(self, record: PayoutRecord, velocity: VelocityLimit | None = None) -> None:
        row = _row(to_document(record, self._sealer))

        def op(conn: sqlite3.Connection) -> None:
            if velocity is not None:
                count, amount = conn.execute(
                    _VELOCITY, (record.payout.currency, record.payout.user_id, format_utc(velocity.since))
                ).fetchone()
                if velocity.refuses(count, amount, record):
                    raise VelocityExceeded("Daily payout limit reached; try again later")
            try:
                conn.execute(f"INSERT INTO payout_requests ({_COLUMNS}) VALUES ({', '.join('?' * len(row))})", row)
            except sqlite3.IntegrityError as exc:
                if "request_key" in str(exc):
                    raise DuplicateRequestKey("This idempotency key was already used for a payout") from exc
                raise

        self._writer.run(op)

    def shares_destination(self, destination: str, user_id: str) -> bool:
        row = self._readers.conn().execute(
            f"SELECT 1 FROM payout_requests WHERE {_DESTINATION} = ? AND user_id <> ? LIMIT 1",
            (destination, user_id),
        ).fetchone()
        return row is not None

    def get(self, payout_id: str) -> PayoutRecord | None:
        row = self._readers.conn().execute(
            "SELECT document FROM payout_requests WHERE id = ?", (payout_id,)
        ).fetchone()
        return None if row is None else self._record(row[0])

    def find_by_key(self, user_id: str, request_key: str) -> PayoutRecord | None:
        row = self._readers.conn().execute(
            "SELECT document FROM payout_requests WHERE user_id = ? AND request_key = ?", (user_id, request_key)
        ).fetchone()
        return None if row is None else self._record(row[0])

    def save(self, record: PayoutRecord, expected_version: int) -> bool:
        version = next_version(record, expected_version)
        previous = record.payout.version
        record.payout.version = version
        row = _row(to_document(record, self._sealer))

        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE payout_requests SET status = ?, request_key = ?, hold_placed = ?, attention = ?, "
                "version = ?, updated_at = ?, document = ?, tds = ?, net_amount = ?, net_winnings = ?, "
                "financial_year = ? WHERE id = ? AND version = ?",
                (*row[4:9], row[10], row[11], *row[12:16], row[0], expected_version),
            )
            return cursor.rowcount == 1

        written = self._writer.run(op)
        if not written:
            record.payout.version = previous
        return written

    def delete_unplaced(self, payout_id: str) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute("DELETE FROM payout_requests WHERE id = ? AND hold_placed = 0", (payout_id,))
            return cursor.rowcount == 1

        return self._writer.run(op)

    def needing_attention(
        self, updated_before: datetime, limit: int, after: AttentionCursor | None = None
    ) -> list[PayoutRecord]:
        sql, params = "SELECT document FROM payout_requests WHERE attention = 1 AND updated_at <= ?", [
            format_utc(updated_before)]
        if after is not None:
            at = format_utc(after[0])
            sql += " AND (updated_at > ? OR (updated_at = ? AND id > ?))"
            params += [at, at, after[1]]
        rows = self._readers.conn().execute(f"{sql} ORDER BY updated_at, id LIMIT ?", [*params, limit]).fetchall()
        return [self._record(r[0]) for r in rows]

    def list(self, *, user_id: str | None, status: PayoutStatus | None, page: int, limit: int) -> RecordPage:
        clauses, params = ["hold_placed = 1"], []
        if user_id:
            clauses.append("user_id = ?")
            params.append(user_id)
        if status is not None:
            clauses.append("status = ?")
            params.append(status.value)
        where = " AND ".join(clauses)
        with self._snapshot() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM payout_requests WHERE {where}", params).fetchone()[0]
            rows = conn.execute(
                f"SELECT document FROM payout_requests WHERE {where} ORDER BY created_at DESC, id DESC "
                "LIMIT ? OFFSET ?",
                [*params, limit, (page - 1) * limit],
            ).fetchall()
        return RecordPage([self._record(r[0]) for r in rows], total)
