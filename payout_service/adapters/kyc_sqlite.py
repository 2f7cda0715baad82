"""KYC records on SQLite, in the payout store's file: tables ``kyc`` (one row per user, the document as JSON
with the PAN sealed) and ``pan_owners`` (the HMAC of a PAN, primary key, and the user who claimed it first).
A submission checks the stored status, claims the PAN and saves the record in one write transaction of the
group-commit writer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from payout_service.adapters.kyc_documents import from_kyc_document, pan_fingerprint, to_kyc_document
from payout_service.domain.kyc import RESUBMITTABLE, KycAlreadySubmitted, KycRecord, KycStatus
from payout_service.domain.ports import KycStore
from winzone_kernel.clock import format_utc
from winzone_kernel.sealing import Sealer
from winzone_kernel.sqlite import SqliteStore

_statuses = ", ".join(f"'{s.value}'" for s in KycStatus)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS kyc (
    user_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ({_statuses})),
    submitted_at TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kyc_status_submitted ON kyc (status, submitted_at);
CREATE TABLE IF NOT EXISTS pan_owners (
    pan_hmac TEXT PRIMARY KEY,
    user_id TEXT NOT NULL
);
"""


class SqliteKycStore(SqliteStore, KycStore):
    """The embedded KYC store (see the module docstring)."""

    schema = SCHEMA
    writer_name = "kyc-writer"

    def __init__(self, path: Path | str, *, sealer: Sealer, index_key: bytes, synchronous: str = "FULL") -> None:
        self._sealer = sealer
        self._index_key = index_key
        super().__init__(path, synchronous=synchronous)

    def _json(self, record: KycRecord) -> str:
        return json.dumps(to_kyc_document(record, self._sealer), separators=(",", ":"), ensure_ascii=False)

    def _record(self, document: str) -> KycRecord:
        return from_kyc_document(json.loads(document), self._sealer)

    def get(self, user_id: str) -> KycRecord | None:
        row = self._readers.conn().execute("SELECT document FROM kyc WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else self._record(row[0])

    def submit(self, record: KycRecord) -> KycRecord:
        fingerprint = pan_fingerprint(self._index_key, record.pan)

        def op(conn: sqlite3.Connection) -> KycRecord:
            current = conn.execute("SELECT status FROM kyc WHERE user_id = ?", (record.user_id,)).fetchone()
            if current is not None and KycStatus(current[0]) not in RESUBMITTABLE:
                raise KycAlreadySubmitted()
            conn.execute("INSERT OR IGNORE INTO pan_owners (pan_hmac, user_id) VALUES (?, ?)",
                         (fingerprint, record.user_id))
            owner = conn.execute("SELECT user_id FROM pan_owners WHERE pan_hmac = ?", (fingerprint,)).fetchone()[0]
            saved = record if owner == record.user_id else record.flagged()
            conn.execute(
                "INSERT INTO kyc (user_id, status, submitted_at, document) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, "
                "submitted_at = excluded.submitted_at, document = excluded.document",
                (saved.user_id, saved.status.value, format_utc(saved.submitted_at), self._json(saved)),
            )
            return saved

        return self._writer.run(op)

    def update(self, record: KycRecord, expected: KycStatus) -> bool:
        document = self._json(record)

        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute("UPDATE kyc SET status = ?, document = ? WHERE user_id = ? AND status = ?",
                                  (record.status.value, document, record.user_id, expected.value))
            return cursor.rowcount == 1

        return self._writer.run(op)

    def list(self, *, status: KycStatus | None, page: int, limit: int) -> tuple[list[KycRecord], int]:
        where, params = ("WHERE status = ?", [status.value]) if status is not None else ("", [])
        with self._snapshot() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM kyc {where}", params).fetchone()[0]
            rows = conn.execute(f"SELECT document FROM kyc {where} ORDER BY submitted_at, user_id LIMIT ? OFFSET ?",
                                [*params, limit, (page - 1) * limit]).fetchall()
        return [self._record(r[0]) for r in rows], int(total)

