"""Top-up sessions, processed events and the mock provider's state on SQLite (WAL, one writer thread)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from payment_gateway.domain.deposits import DepositGuard
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import TOPUP_STATUSES, UNSETTLED, ProcessedEvent, TopUpSession, TopUpStatus
from payment_gateway.domain.ports import MockCheckoutState, TopUpStore
from payment_gateway.domain.provider import PayoutResult, PayoutStatus, with_reversal
from winzone_kernel.clock import timestamp_now
from winzone_kernel.errors import NotFound
from winzone_kernel.sqlite import SqliteStore, connect

T = TypeVar("T")

_statuses = ", ".join(f"'{s}'" for s in sorted(TOPUP_STATUSES))
_mock_statuses = ", ".join(f"'{s.value}'" for s in MockSessionState)
_payout_statuses = ", ".join(f"'{s.value}'" for s in PayoutStatus)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS topup_sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_statuses})),
    provider_ref TEXT,
    checkout_url TEXT,
    idempotency_key TEXT,
    transaction_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    payment_intent TEXT,
    CHECK ((status = 'credited') = (transaction_id IS NOT NULL))
);
CREATE UNIQUE INDEX IF NOT EXISTS topup_sessions_user_key
    ON topup_sessions (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS topup_sessions_provider_ref
    ON topup_sessions (provider, provider_ref) WHERE provider_ref IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS topup_sessions_payment_intent
    ON topup_sessions (provider, payment_intent) WHERE payment_intent IS NOT NULL;
CREATE INDEX IF NOT EXISTS topup_sessions_user_created ON topup_sessions (user_id, created_at);
CREATE INDEX IF NOT EXISTS topup_sessions_status ON topup_sessions (status);

CREATE TRIGGER IF NOT EXISTS topup_sessions_keep_their_terms
BEFORE UPDATE ON topup_sessions WHEN NEW.user_id <> OLD.user_id OR NEW.amount <> OLD.amount
    OR NEW.currency <> OLD.currency OR NEW.provider <> OLD.provider
    OR (OLD.provider_ref IS NOT NULL AND NEW.provider_ref IS NOT OLD.provider_ref)
    OR (OLD.payment_intent IS NOT NULL AND NEW.payment_intent IS NOT OLD.payment_intent)
BEGIN SELECT RAISE(ABORT, 'top-up session terms are immutable'); END;

DROP TRIGGER IF EXISTS topup_sessions_credited_is_final;
CREATE TRIGGER topup_sessions_credited_is_final
BEFORE UPDATE ON topup_sessions WHEN OLD.status = 'credited' AND (NEW.status IS NOT OLD.status
    OR NEW.transaction_id IS NOT OLD.transaction_id OR NEW.provider_ref IS NOT OLD.provider_ref)
BEGIN SELECT RAISE(ABORT, 'a credited top-up session is final'); END;

CREATE TABLE IF NOT EXISTS webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    session_id TEXT,
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mock_checkouts (
    provider_ref TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    amount INTEGER NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_mock_statuses})),
    success_url TEXT NOT NULL,
    cancel_url TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    refunds TEXT NOT NULL DEFAULT '',
    dispute_id TEXT,
    dispute_amount INTEGER NOT NULL DEFAULT 0,
    dispute_status TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS mock_payouts (
    payout_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ({_payout_statuses})),
    provider_ref TEXT,
    failure_reason TEXT,
    amount INTEGER,
    currency TEXT,
    created_at TEXT NOT NULL,
    amount_reversed INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
"""

SESSION_COLUMNS = (
    "id, user_id, amount, currency, provider, status, provider_ref, checkout_url, idempotency_key, "
    "transaction_id, created_at, updated_at, payment_intent"
)
MOCK_COLUMNS = ("provider_ref, session_id, user_id, amount, currency, status, success_url, cancel_url, refunds, "
                "dispute_id, dispute_amount, dispute_status")
ADDED_COLUMNS = {
    "topup_sessions": {"payment_intent": "TEXT"},
    "mock_checkouts": {"refunds": "TEXT NOT NULL DEFAULT ''", "dispute_id": "TEXT",
                       "dispute_amount": "INTEGER NOT NULL DEFAULT 0", "dispute_status": "TEXT NOT NULL DEFAULT ''"},
    "mock_payouts": {"amount_reversed": "INTEGER NOT NULL DEFAULT 0"},
}
"""Columns added after the first release, added to an older file by ``migrate``."""
PAYOUT_COLUMNS = "status, provider_ref, failure_reason, amount, currency, amount_reversed"


def _session(row: tuple[Any, ...] | None) -> TopUpSession | None:
    if row is None:
        return None
    (id_, user_id, amount, currency, provider, status, provider_ref, checkout_url, key, tx_id, created,
     updated, payment_intent) = row
    return TopUpSession(
        id=id_, user_id=user_id, amount=amount, currency=currency, provider=provider,
        status=TopUpStatus(status), created_at=created, updated_at=updated, provider_ref=provider_ref,
        checkout_url=checkout_url, idempotency_key=key, transaction_id=tx_id, payment_intent=payment_intent,
    )


def _mock(row: tuple[Any, ...] | None) -> MockCheckout | None:
    if row is None:
        return None
    ref, session_id, user_id, amount, currency, status, success_url, cancel_url, refunds, dispute_id, disputed, \
        dispute_status = row
    return MockCheckout(ref, session_id, user_id, amount, currency, MockSessionState(status), success_url,
                        cancel_url, tuple(int(r) for r in refunds.split(",") if r), dispute_id, disputed,
                        dispute_status)


def _payout(row: tuple[Any, ...] | None) -> PayoutResult | None:
    if row is None:
        return None
    status, ref, reason, amount, currency, amount_reversed = row
    return PayoutResult(PayoutStatus(status), ref, reason, amount, currency, amount_reversed)



_UNSETTLED_VALUES = tuple(sorted(status.value for status in UNSETTLED))


def _committed_since(conn: sqlite3.Connection, user_id: str, currency: str, since: str) -> int:
    """What the user's sessions in ``currency`` created at ``since`` or later commit them to pay."""
    row = conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM topup_sessions WHERE user_id = ? AND currency = ? AND created_at >= ? "
        f"AND status NOT IN ({', '.join('?' for _ in _UNSETTLED_VALUES)})",
        (user_id, currency, since, *_UNSETTLED_VALUES),
    ).fetchone()
    return int(row[0])

class SqliteTopUpStore(SqliteStore, TopUpStore):
    """The embedded store: one file, one writer thread with group commit, a read connection per thread."""

    schema = SCHEMA
    writer_name = "payments-writer"

    def migrate(self) -> None:
        conn = connect(self.path)
        try:
            for table, columns in ADDED_COLUMNS.items():
                present = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
                for name, kind in columns.items():
                    if present and name not in present:
                        conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")
        finally:
            conn.close()
        super().migrate()

    def _write(self, op: Callable[[sqlite3.Connection], T]) -> T:
        return self._writer.run(op)

    def _read_one(self, sql: str, params: tuple[Any, ...]) -> tuple[Any, ...] | None:
        return self._readers.conn().execute(sql, params).fetchone()

    def add_session(self, session: TopUpSession, guard: DepositGuard | None = None) -> tuple[TopUpSession, bool]:
        def op(conn: sqlite3.Connection) -> tuple[TopUpSession, bool]:
            if session.idempotency_key is not None:
                earlier = _session(conn.execute(
                    f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE user_id = ? AND idempotency_key = ?",
                    (session.user_id, session.idempotency_key),
                ).fetchone())
                if earlier is not None:
                    return earlier, False
            if guard is not None:
                guard.check([_committed_since(conn, session.user_id, guard.currency, w.since) for w in guard.windows],
                            session.amount)
            conn.execute(
                f"INSERT INTO topup_sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session.id, session.user_id, session.amount, session.currency, session.provider,
                 session.status.value, session.provider_ref, session.checkout_url, session.idempotency_key,
                 session.transaction_id, session.created_at, session.updated_at, session.payment_intent),
            )
            return session, True

        return self._write(op)

    def get_session(self, session_id: str) -> TopUpSession | None:
        return _session(self._read_one(f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE id = ?", (session_id,)))

    def find_by_provider_ref(self, provider: str, provider_ref: str) -> TopUpSession | None:
        return _session(self._read_one(
            f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE provider = ? AND provider_ref = ?",
            (provider, provider_ref),
        ))

    def attach_checkout(self, session_id: str, provider_ref: str, checkout_url: str, now: str) -> TopUpSession:
        def op(conn: sqlite3.Connection) -> TopUpSession:
            conn.execute(
                "UPDATE topup_sessions SET provider_ref = ?, checkout_url = ?, updated_at = ? "
                "WHERE id = ? AND provider_ref IS NULL",
                (provider_ref, checkout_url, now, session_id),
            )
            stored = _session(conn.execute(
                f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE id = ?", (session_id,)).fetchone())
            if stored is None:
                raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
            return stored

        return self._write(op)

    def find_by_payment_intent(self, provider: str, payment_intent: str) -> TopUpSession | None:
        return _session(self._read_one(
            f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE provider = ? AND payment_intent = ?",
            (provider, payment_intent),
        ))

    def attach_payment_intent(self, session_id: str, payment_intent: str, now: str) -> TopUpSession:
        def op(conn: sqlite3.Connection) -> TopUpSession:
            conn.execute(
                "UPDATE topup_sessions SET payment_intent = ? WHERE id = ? AND payment_intent IS NULL AND NOT EXISTS "
                "(SELECT 1 FROM topup_sessions other WHERE other.provider = topup_sessions.provider "
                "AND other.payment_intent = ?)",
                (payment_intent, session_id, payment_intent),
            )
            stored = _session(conn.execute(
                f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE id = ?", (session_id,)).fetchone())
            if stored is None:
                raise NotFound("Top-up session not found", code="SESSION_NOT_FOUND")
            return stored

        return self._write(op)

    def transition(
        self,
        session_id: str,
        allowed_from: Collection[TopUpStatus],
        to: TopUpStatus,
        now: str,
        *,
        transaction_id: str | None = None,
    ) -> TopUpSession | None:
        sources = [TopUpStatus(s).value for s in allowed_from]
        if not sources:
            return None
        marks = ", ".join("?" * len(sources))

        def op(conn: sqlite3.Connection) -> TopUpSession | None:
            return _session(conn.execute(
                f"UPDATE topup_sessions SET status = ?, updated_at = ?, "
                f"transaction_id = COALESCE(?, transaction_id) WHERE id = ? AND status IN ({marks}) "
                f"RETURNING {SESSION_COLUMNS}",
                (to.value, now, transaction_id, session_id, *sources),
            ).fetchone())

        return self._write(op)

    def sessions_in_status(
        self, status: TopUpStatus, limit: int, after: tuple[str, str] | None = None
    ) -> list[TopUpSession]:
        since, last = after if after is not None else ("", "")
        rows = self._readers.conn().execute(
            f"SELECT {SESSION_COLUMNS} FROM topup_sessions WHERE status = ? AND (updated_at, id) > (?, ?) "
            "ORDER BY updated_at, id LIMIT ?",
            (TopUpStatus(status).value, since, last, max(0, int(limit))),
        ).fetchall()
        return [s for s in map(_session, rows) if s is not None]

    def event_processed(self, provider: str, event_id: str) -> bool:
        return self._read_one(
            "SELECT 1 FROM webhook_events WHERE provider = ? AND event_id = ?", (provider, event_id)
        ) is not None

    def record_event(self, event: ProcessedEvent) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT INTO webhook_events (provider, event_id, type, outcome, session_id, received_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (provider, event_id) DO NOTHING",
                (event.provider, event.event_id, event.type, event.outcome.value, event.session_id,
                 event.received_at),
            )
            return cursor.rowcount == 1

        return self._write(op)

    def mock_state(self) -> MockCheckoutState:
        return _SqliteMockState(self)


class _SqliteMockState(MockCheckoutState):
    """The mock provider's sessions and payout outcomes in the payment gateway's SQLite file."""

    def __init__(self, store: SqliteTopUpStore) -> None:
        self._store = store

    def get(self, provider_ref: str) -> MockCheckout | None:
        return _mock(self._store._read_one(
            f"SELECT {MOCK_COLUMNS} FROM mock_checkouts WHERE provider_ref = ?", (provider_ref,)))

    def set(self, checkout: MockCheckout, *, expected: MockSessionState | None) -> bool:
        row = (checkout.session_id, checkout.user_id, checkout.amount_minor, checkout.currency,
               checkout.status.value, checkout.success_url, checkout.cancel_url,
               ",".join(str(r) for r in checkout.refunds), checkout.dispute_id, checkout.dispute_amount,
               checkout.dispute_status, timestamp_now())

        def op(conn: sqlite3.Connection) -> bool:
            if expected is None:
                cursor = conn.execute(
                    f"INSERT INTO mock_checkouts ({MOCK_COLUMNS}, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (provider_ref) DO NOTHING",
                    (checkout.provider_ref, *row),
                )
            else:
                cursor = conn.execute(
                    "UPDATE mock_checkouts SET session_id = ?, user_id = ?, amount = ?, currency = ?, status = ?, "
                    "success_url = ?, cancel_url = ?, refunds = ?, dispute_id = ?, dispute_amount = ?, "
                    "dispute_status = ?, updated_at = ? WHERE provider_ref = ? AND status = ?",
                    (*row, checkout.provider_ref, expected.value),
                )
            return cursor.rowcount == 1

        return self._store._write(op)

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        return _payout(self._store._read_one(
            f"SELECT {PAYOUT_COLUMNS} FROM mock_payouts WHERE payout_id = ?", (payout_id,)))

    def add_payout(self, payout_id: str, result: PayoutResult) -> PayoutResult:
        def op(conn: sqlite3.Connection) -> PayoutResult:
            conn.execute(
                f"INSERT INTO mock_payouts (payout_id, {PAYOUT_COLUMNS}, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (payout_id) DO NOTHING",
                (payout_id, result.status.value, result.provider_ref, result.failure_reason, result.amount_minor,
                 result.currency, result.amount_reversed, timestamp_now()),
            )
            recorded = _payout(conn.execute(
                f"SELECT {PAYOUT_COLUMNS} FROM mock_payouts WHERE payout_id = ?", (payout_id,)).fetchone())
            if recorded is None:
                raise RuntimeError("mock payout record vanished inside its own write")
            return recorded

        return self._store._write(op)

    def reverse_payout(self, payout_id: str, amount_reversed: int) -> PayoutResult | None:
        def op(conn: sqlite3.Connection) -> PayoutResult | None:
            found = _payout(conn.execute(
                f"SELECT {PAYOUT_COLUMNS} FROM mock_payouts WHERE payout_id = ?", (payout_id,)).fetchone())
            if found is None:
                return None
            updated = with_reversal(found, amount_reversed)
            if updated != found:
                conn.execute(
                    "UPDATE mock_payouts SET status = ?, failure_reason = ?, amount_reversed = ? WHERE payout_id = ?",
                    (updated.status.value, updated.failure_reason, updated.amount_reversed, payout_id),
                )
            return updated

        return self._store._write(op)
