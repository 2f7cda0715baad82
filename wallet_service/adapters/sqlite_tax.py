"""The ledger's tax and statement reads on SQLite, and the ``tax_years`` table of closed financial years.

Every function takes the connection of a unit of work (the writer's savepoint) or of a reader's snapshot, so
the unit of work and the store answer alike. A user leg stored before funds existed (no fund column set)
counts as all deposit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord

T = TypeVar("T")

TAX_SCHEMA = """
CREATE TABLE IF NOT EXISTS tax_years (
    user_id TEXT NOT NULL,
    currency TEXT NOT NULL,
    financial_year TEXT NOT NULL,
    opening_balance INTEGER NOT NULL,
    closing_balance INTEGER NOT NULL,
    deposits INTEGER NOT NULL,
    withdrawals INTEGER NOT NULL,
    taxed_net_winnings INTEGER NOT NULL,
    net_winnings INTEGER NOT NULL CHECK (net_winnings >= 0),
    tds INTEGER NOT NULL CHECK (tds >= 0),
    withheld INTEGER NOT NULL CHECK (withheld >= 0 AND withheld <= tds),
    next_opening_balance INTEGER NOT NULL,
    transaction_id TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, currency, financial_year)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS tax_years_year ON tax_years (financial_year, currency);
CREATE INDEX IF NOT EXISTS holds_user_created ON holds (user_id, currency, created_at);

CREATE TRIGGER IF NOT EXISTS tax_years_are_immutable
BEFORE UPDATE ON tax_years
BEGIN SELECT RAISE(ABORT, 'a closed tax year is never changed'); END;
"""

TAX_YEAR_COLUMNS = (
    "user_id, currency, financial_year, opening_balance, closing_balance, deposits, withdrawals, "
    "taxed_net_winnings, net_winnings, tds, withheld, next_opening_balance, transaction_id, closed_at"
)

LEGACY = "(fund_deposit IS NULL AND fund_winnings IS NULL AND fund_bonus IS NULL)"
DEPOSIT_PART = f"(CASE WHEN {LEGACY} THEN amount ELSE COALESCE(fund_deposit, 0) END)"
WINNINGS_PART = "COALESCE(fund_winnings, 0)"
BONUS_PART = "COALESCE(fund_bonus, 0)"
WALLET_LEG = "account = 'user:' || user_id AND user_id = ? AND currency = ? AND status = 'completed'"
CHARGED_BACK = ("(type = 'chargeback' OR (type = 'debit' AND hold_id IS NOT NULL "
                "AND json_extract(metadata, '$.disputeId') IS NOT NULL))")
REFUNDED = (
    "(SELECT COALESCE(SUM(r.amount), 0) FROM transactions r WHERE r.user_id = h.user_id "
    "AND r.account = 'user:' || h.user_id AND r.currency = h.currency AND r.type = 'refund' "
    "AND r.status = 'completed' AND r.amount > 0 AND json_extract(r.metadata, '$.payoutId') = h.id)"
)

def _one(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> int:
    row = conn.execute(sql, params).fetchone()
    return 0 if row is None or row[0] is None else int(row[0])


def balance_for_tax(conn: sqlite3.Connection, user_id: str, currency: str, moment: str) -> int:
    """The wallet's deposit + winnings posted before ``moment``, less payout holds created before it that
    had not been paid by then (they count as withdrawals of the year they were requested in)."""
    posted = _one(conn, f"SELECT SUM({DEPOSIT_PART} + {WINNINGS_PART}) FROM transactions "
                        f"WHERE {WALLET_LEG} AND posted_at < ?", (user_id, currency, moment))
    in_flight = _one(
        conn,
        "SELECT SUM(h.amount) FROM holds h JOIN transactions t ON t.id = h.transaction_id "
        "WHERE h.user_id = ? AND h.currency = ? AND t.type = 'payout' AND h.created_at < ? "
        "AND (h.status = 'open' OR (h.status = 'captured' AND t.posted_at >= ?))",
        (user_id, currency, moment, moment),
    )
    return posted - in_flight


def tax_facts(conn: sqlite3.Connection, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
    """Rule 133's inputs for one wallet and financial year (see ``LedgerUnitOfWork.tax_facts``)."""
    start, end = year.start_utc, year.end_utc
    topups = _one(conn, f"SELECT SUM({DEPOSIT_PART}) FROM transactions WHERE {WALLET_LEG} AND type = 'topup' "
                        "AND amount > 0 AND posted_at >= ? AND posted_at < ?", (user_id, currency, start, end))
    charged_back = _one(conn, f"SELECT -SUM({DEPOSIT_PART} + {WINNINGS_PART}) FROM transactions WHERE {WALLET_LEG} "
                              f"AND {CHARGED_BACK} AND amount < 0 AND posted_at >= ? AND posted_at < ?",
                        (user_id, currency, start, end))
    rows = conn.execute(
        f"SELECT h.amount, h.net_winnings, {REFUNDED} FROM holds h "
        "JOIN transactions t ON t.id = h.transaction_id WHERE h.user_id = ? AND h.currency = ? "
        "AND t.type = 'payout' AND h.status IN ('open', 'captured') AND h.created_at >= ? AND h.created_at < ?",
        (user_id, currency, start, end),
    ).fetchall()
    previous = tax_year_get(conn, user_id, currency, year.previous.label)
    opening = (previous.next_opening_balance if previous is not None
               else balance_for_tax(conn, user_id, currency, start))
    return TaxFacts(deposits=max(0, topups - charged_back),
                    withdrawals=sum(max(0, int(amount) - int(refunded)) for amount, _, refunded in rows),
                    opening_balance=opening,
                    taxed_net_winnings=sum(int(nw) for amount, nw, refunded in rows if int(refunded) < int(amount)))


def payout_refunds(conn: sqlite3.Connection, hold_ids: Sequence[str]) -> dict[str, int]:
    """What completed ``refund`` legs to each payout hold's user naming it (metadata ``payoutId``) gave back, per
    hold id (holds with none omitted)."""
    refunded: dict[str, int] = {}
    for start in range(0, len(hold_ids), 500):
        chunk = hold_ids[start:start + 500]
        rows = conn.execute(
            f"SELECT h.id, {REFUNDED} FROM holds h WHERE h.id IN ({', '.join('?' * len(chunk))})", tuple(chunk),
        ).fetchall()
        refunded.update({str(hold_id): int(amount) for hold_id, amount in rows if amount})
    return refunded


def _tax_year(row: Sequence[Any]) -> TaxYearRecord:
    return TaxYearRecord(*row)


def tax_year_get(conn: sqlite3.Connection, user_id: str, currency: str, label: str) -> TaxYearRecord | None:
    row = conn.execute(f"SELECT {TAX_YEAR_COLUMNS} FROM tax_years WHERE user_id = ? AND currency = ? "
                       "AND financial_year = ?", (user_id, currency, label)).fetchone()
    return None if row is None else _tax_year(row)


def tax_year_put(conn: sqlite3.Connection, record: TaxYearRecord) -> None:
    conn.execute(
        f"INSERT INTO tax_years ({TAX_YEAR_COLUMNS}) VALUES ({', '.join('?' * 14)})",
        (record.user_id, record.currency, record.financial_year, record.opening_balance, record.closing_balance,
         record.deposits, record.withdrawals, record.taxed_net_winnings, record.net_winnings, record.tds,
         record.withheld, record.next_opening_balance, record.transaction_id, record.closed_at),
    )


def tax_years_of(conn: sqlite3.Connection, currency: str, label: str) -> list[TaxYearRecord]:
    """Every wallet's record of a closed year, by user id."""
    rows = conn.execute(f"SELECT {TAX_YEAR_COLUMNS} FROM tax_years WHERE financial_year = ? AND currency = ? "
                        "ORDER BY user_id", (label, currency)).fetchall()
    return [_tax_year(r) for r in rows]


def tax_wallets(conn: sqlite3.Connection, currency: str, year: FinancialYear) -> list[str]:
    """User ids whose wallet in ``currency`` has a transaction or a hold in the year, or a record of the
    previous year, sorted."""
    rows = conn.execute(
        "SELECT user_id FROM transactions WHERE user_id IS NOT NULL AND account = 'user:' || user_id "
        "AND currency = ? AND posted_at >= ? AND posted_at < ? "
        "UNION SELECT user_id FROM holds WHERE currency = ? AND created_at >= ? AND created_at < ? "
        "UNION SELECT user_id FROM tax_years WHERE currency = ? AND financial_year = ? ORDER BY 1",
        (currency, year.start_utc, year.end_utc, currency, year.start_utc, year.end_utc, currency,
         year.previous.label),
    ).fetchall()
    return [str(r[0]) for r in rows]


def payout_hold_ids(conn: sqlite3.Connection, currency: str, year: FinancialYear, user_id: str | None,
                    statuses: Sequence[str]) -> list[str]:
    """Ids of payout holds created in the year with one of ``statuses`` (one user's, or everyone's when
    ``user_id`` is None), oldest first."""
    marks = ", ".join("?" * len(statuses))
    user_clause = "h.user_id = ?" if user_id is not None else "h.user_id IS NOT NULL"
    rows = conn.execute(
        "SELECT h.id FROM holds h JOIN transactions t ON t.id = h.transaction_id "
        f"WHERE {user_clause} AND h.currency = ? AND t.type = 'payout' AND h.status IN ({marks}) "
        "AND h.created_at >= ? AND h.created_at < ? ORDER BY h.created_at, h.id",
        (*((user_id,) if user_id is not None else ()), currency, *statuses, year.start_utc, year.end_utc),
    ).fetchall()
    return [str(r[0]) for r in rows]


def statement_opening(conn: sqlite3.Connection, user_id: str, currency: str, before: str) -> dict[str, int]:
    """The wallet's balance per fund from its completed legs posted before ``before``."""
    row = conn.execute(
        f"SELECT COALESCE(SUM({DEPOSIT_PART}), 0), COALESCE(SUM({WINNINGS_PART}), 0), "
        f"COALESCE(SUM({BONUS_PART}), 0) FROM transactions WHERE {WALLET_LEG} AND posted_at < ?",
        (user_id, currency, before),
    ).fetchone()
    return {"deposit": int(row[0]), "winnings": int(row[1]), "bonus": int(row[2])}


def statement_legs(conn: sqlite3.Connection, user_id: str, currency: str, start: str, end: str, limit: int,
                   columns: str, decode: Callable[[Any], T]) -> list[T]:
    """The wallet's completed legs posted in [start, end), oldest first, at most ``limit``."""
    rows = conn.execute(
        f"SELECT {columns} FROM transactions WHERE {WALLET_LEG} AND posted_at >= ? AND posted_at < ? "
        "ORDER BY posted_at, id LIMIT ?",
        (user_id, currency, start, end, limit),
    ).fetchall()
    return [decode(r) for r in rows]
