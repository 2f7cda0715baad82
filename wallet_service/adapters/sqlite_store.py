"""The ledger on SQLite: WAL, CHECK constraints, unique keys, immutability triggers and group commit.

Each command runs in a savepoint of its own inside the writer's (``discard`` rolls back to it, so a refused
command can still record its refusal), and ``atomic`` raises a returned ``Refusal`` only after the commit.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wallet_service.adapters import sqlite_tax
from wallet_service.adapters.sqlite_schema import SCHEMA, add_fund_columns, widen_transaction_types
from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
from wallet_service.domain.bonus import BonusGrant
from wallet_service.domain.funds import ZERO, Funds
from wallet_service.domain.model import (
    AccountState,
    AuditFacts,
    HoldRecord,
    Refusal,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
)
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork, answer, each_answer
from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, WinzoneError
from winzone_kernel.sqlite import SqliteUnitOfWorkStore, connect

T = TypeVar("T")

TX_COLUMNS = (
    "id, account, user_id, type, amount, currency, status, source, description, metadata, idempotency_key, "
    "balance_after, entry_id, hold_id, created_at, updated_at, posted_at, fund_deposit, fund_winnings, fund_bonus"
)
HOLD_COLUMNS = (
    "id, account, user_id, currency, amount, status, transaction_id, created_at, updated_at, fund_deposit, "
    "fund_winnings, fund_bonus, tds, net_winnings, financial_year"
)
ACCOUNT_COLUMNS = (
    "balance, held, total_earnings, fund_deposit, fund_winnings, fund_bonus, held_deposit, held_winnings, held_bonus"
)
GRANT_COLUMNS = (
    "id, user_id, currency, amount, remaining, reason, expires_at, status, granted_by, transaction_id, created_at"
)


def _tx_row(record: TransactionRecord) -> tuple[Any, ...]:
    return (
        record.id, record.account, record.user_id, record.type, record.amount, record.currency, record.status,
        record.source, record.description, json.dumps(record.metadata) if record.metadata else "{}",
        record.idempotency_key,
        record.balance_after, record.entry_id, record.hold_id, record.created_at, record.updated_at,
        record.posted_at, *_split_columns(record),
    )


def _split_columns(record: TransactionRecord) -> tuple[int | None, int | None, int | None]:
    if record.user_id is None:
        return None, None, None
    return Funds.of(record.funds).parts()


def _tx_from_row(row: tuple[Any, ...]) -> TransactionRecord:
    values = list(row[:17])
    values[9] = json.loads(values[9])
    record = TransactionRecord(*values)
    if record.user_id is not None:
        split = Funds.legacy(record.amount) if row[17] is None else Funds(row[17], row[18] or 0, row[19] or 0)
        record.funds = split.to_dict()
    return record


def _hold_from_row(row: tuple[Any, ...]) -> HoldRecord:
    split = Funds(row[9], row[10], row[11])
    funds = Funds.legacy(row[4]) if split.total == 0 else split
    return HoldRecord(id=row[0], account=row[1], user_id=row[2], currency=row[3], amount=row[4], status=row[5],
                      transaction_id=row[6], created_at=row[7], updated_at=row[8], funds=funds.to_dict(),
                      tds=row[12], net_winnings=row[13], financial_year=row[14])


def _account_state(account: str, currency: str, row: tuple[Any, ...]) -> AccountState:
    return AccountState(account, currency, row[0], row[1], row[2], Funds(row[3], row[4], row[5]),
                        Funds(row[6], row[7], row[8]))


def _user_funds(account: Account, delta: int, funds: Funds | None) -> Funds:
    if account.user_id is None:
        return ZERO
    return Funds.legacy(delta) if funds is None else funds


def _is_constraint(exc: sqlite3.IntegrityError, marker: str) -> bool:
    return marker in str(exc)


class SqliteUnitOfWork(LedgerUnitOfWork):
    """Ledger reads and writes on the writer connection, inside the group-commit savepoint."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def discard(self) -> None:
        self._conn.execute("ROLLBACK TO ledger_command")

    def idempotency_get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        row = self._conn.execute("SELECT fingerprint, result FROM idempotency WHERE key = ?", (key,)).fetchone()
        return None if row is None else (row[0], json.loads(row[1]))

    def idempotency_put(self, key: str, fingerprint: str, result: dict[str, Any], now: str) -> None:
        try:
            self._conn.execute(
                "INSERT INTO idempotency (key, fingerprint, result, created_at) VALUES (?, ?, ?, ?)",
                (key, fingerprint, json.dumps(result, separators=(",", ":")), now),
            )
        except sqlite3.IntegrityError as exc:
            raise IdempotencyConflict() from exc

    def account_get(self, account: Account, currency: str) -> AccountState | None:
        row = self._conn.execute(
            f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE account = ? AND currency = ?",
            (account.name, currency),
        ).fetchone()
        return None if row is None else _account_state(account.name, currency, row)

    def account_apply(self, account: Account, currency: str, delta: int, earnings: int, now: str,
                      funds: Funds | None = None) -> AccountState:
        split = _user_funds(account, delta, funds)
        try:
            row = self._conn.execute(
                "UPDATE accounts SET balance = balance + ?, total_earnings = total_earnings + ?, updated_at = ?, "
                "fund_deposit = fund_deposit + ?, fund_winnings = fund_winnings + ?, fund_bonus = fund_bonus + ? "
                f"WHERE account = ? AND currency = ? RETURNING {ACCOUNT_COLUMNS}",
                (delta, earnings, now, *split.parts(), account.name, currency),
            ).fetchone()
            if row is None:
                self._conn.execute(
                    "INSERT INTO accounts (account, currency, kind, balance, total_earnings, created_at, updated_at, "
                    "fund_deposit, fund_winnings, fund_bonus) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (account.name, currency, account.kind.value, delta, earnings, now, now, *split.parts()),
                )
                row = (delta, 0, earnings, *split.parts(), 0, 0, 0)
        except sqlite3.IntegrityError as exc:
            if _is_constraint(exc, "CHECK"):
                raise InsufficientFunds(f"Insufficient balance in {account.kind.value} account") from exc
            raise
        state = _account_state(account.name, currency, row)
        if not account.may_go_negative and (state.available < 0 or _short(state)):
            raise InsufficientFunds(f"Insufficient balance in {account.kind.value} account")
        return state

    def account_hold(self, account: Account, currency: str, delta_held: int, now: str,
                     funds: Funds | None = None) -> AccountState:
        split = _user_funds(account, delta_held, funds)
        try:
            row = self._conn.execute(
                "UPDATE accounts SET held = held + ?, updated_at = ?, held_deposit = held_deposit + ?, "
                "held_winnings = held_winnings + ?, held_bonus = held_bonus + ? WHERE account = ? AND currency = ? "
                f"RETURNING {ACCOUNT_COLUMNS}",
                (delta_held, now, *split.parts(), account.name, currency),
            ).fetchone()
        except sqlite3.IntegrityError as exc:
            raise InsufficientFunds() from exc
        if row is None:
            raise InsufficientFunds()
        state = _account_state(account.name, currency, row)
        if state.available < 0 or state.held < 0 or _short(state):
            raise InsufficientFunds()
        return state

    def pool_contribution_get(self, user_id: str, currency: str, pool: str) -> Funds:
        row = self._conn.execute(
            "SELECT deposit, winnings, bonus FROM pool_contributions WHERE user_id = ? AND currency = ? AND pool = ?",
            (user_id, currency, pool),
        ).fetchone()
        return ZERO if row is None else Funds(*row)

    def pool_contribution_add(self, user_id: str, currency: str, pool: str, delta: Funds, now: str) -> None:
        self._conn.execute(
            "INSERT INTO pool_contributions (user_id, currency, pool, deposit, winnings, bonus, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, currency, pool) DO UPDATE SET "
            "deposit = deposit + excluded.deposit, winnings = winnings + excluded.winnings, "
            "bonus = bonus + excluded.bonus, updated_at = excluded.updated_at",
            (user_id, currency, pool, *delta.parts(), now),
        )

    def legacy_earnings(self, user_id: str, currency: str) -> int:
        row = self._conn.execute(
            "SELECT COALESCE(SUM(amount), 0) FROM transactions WHERE user_id = ? AND account = 'user:' || user_id "
            "AND currency = ? AND type = 'reward' AND status = 'completed' AND amount > 0 AND fund_deposit IS NULL",
            (user_id, currency),
        ).fetchone()
        return int(row[0])

    def legacy_deposit(self, user_id: str, currency: str) -> int:
        row = self._conn.execute(
            "SELECT COALESCE(SUM(CASE WHEN fund_deposit IS NULL THEN amount WHEN fund_deposit < 0 THEN fund_deposit "
            "ELSE 0 END), 0) FROM transactions WHERE user_id = ? AND account = 'user:' || user_id AND currency = ? "
            "AND status = 'completed'",
            (user_id, currency),
        ).fetchone()
        return int(row[0])

    def transactions_add(self, records: list[TransactionRecord]) -> None:
        try:
            self._conn.executemany(
                f"INSERT INTO transactions ({TX_COLUMNS}) VALUES ({', '.join('?' * 20)})",
                [_tx_row(r) for r in records],
            )
        except sqlite3.IntegrityError as exc:
            if _is_constraint(exc, "transactions.idempotency_key"):
                raise IdempotencyConflict("a transaction with this idempotency key already exists") from exc
            raise

    def transaction_settle(
        self, tx_id: str, status: str, entry_id: str | None, balance_after: int | None, now: str
    ) -> None:
        self._conn.execute(
            "UPDATE transactions SET status = ?, entry_id = ?, balance_after = ?, updated_at = ?, "
            "posted_at = CASE WHEN ? = 'completed' THEN ? ELSE posted_at END "
            "WHERE id = ? AND status = 'pending'",
            (status, entry_id, balance_after, now, status, now, tx_id),
        )

    def hold_get(self, hold_id: str) -> HoldRecord | None:
        row = self._conn.execute(f"SELECT {HOLD_COLUMNS} FROM holds WHERE id = ?", (hold_id,)).fetchone()
        return None if row is None else _hold_from_row(row)

    def hold_add(self, hold: HoldRecord) -> None:
        self._conn.execute(
            f"INSERT INTO holds ({HOLD_COLUMNS}) VALUES ({', '.join('?' * 15)})",
            (hold.id, hold.account, hold.user_id, hold.currency, hold.amount, hold.status, hold.transaction_id,
             hold.created_at, hold.updated_at, *Funds.of(hold.funds).parts(), hold.tds, hold.net_winnings,
             hold.financial_year),
        )

    def hold_set_status(self, hold_id: str, status: str, now: str) -> None:
        self._conn.execute("UPDATE holds SET status = ?, updated_at = ? WHERE id = ?", (status, now, hold_id))

    def transaction_get(self, tx_id: str) -> TransactionRecord | None:
        row = self._conn.execute(f"SELECT {TX_COLUMNS} FROM transactions WHERE id = ?", (tx_id,)).fetchone()
        return None if row is None else _tx_from_row(row)

    def tombstone_get(self, hold_id: str) -> str | None:
        row = self._conn.execute("SELECT created_at FROM hold_tombstones WHERE id = ?", (hold_id,)).fetchone()
        return None if row is None else str(row[0])

    def tombstone_add(self, hold_id: str, now: str) -> None:
        self._conn.execute("INSERT INTO hold_tombstones (id, created_at) VALUES (?, ?)", (hold_id, now))


    def controls_get(self, user_id: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT doc FROM player_controls WHERE user_id = ?", (user_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def controls_put(self, user_id: str, doc: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO player_controls (user_id, doc, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
            (user_id, json.dumps(doc, separators=(",", ":")), str(doc.get("updatedAt") or "")),
        )

    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        rows = self._conn.execute(
            f"SELECT {GRANT_COLUMNS} FROM bonus_grants WHERE user_id = ? AND currency = ? ORDER BY created_at, id",
            (user_id, currency),
        ).fetchall()
        return [BonusGrant(*row) for row in rows]

    def bonus_grant_put(self, grant: BonusGrant) -> None:
        self._conn.execute(
            f"INSERT INTO bonus_grants ({GRANT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET remaining = excluded.remaining, status = excluded.status",
            (grant.id, grant.user_id, grant.currency, grant.amount, grant.remaining, grant.reason, grant.expires_at,
             grant.status, grant.granted_by, grant.transaction_id, grant.created_at),
        )

    def bonus_grants_due(self, now: str, limit: int) -> list[BonusGrant]:
        rows = self._conn.execute(
            f"SELECT {GRANT_COLUMNS} FROM bonus_grants WHERE status = 'active' AND expires_at <> '' "
            "AND expires_at <= ? ORDER BY expires_at, id LIMIT ?",
            (now, limit),
        ).fetchall()
        return [BonusGrant(*row) for row in rows]

    def entry_fees_since(self, user_id: str, currency: str, since: str) -> int:
        row = self._conn.execute(
            "SELECT COALESCE(-SUM(amount), 0) FROM transactions WHERE user_id = ? AND currency = ? "
            "AND account = 'user:' || user_id AND posted_at > ? "
            "AND type = 'entryFee' AND status = 'completed' AND amount < 0",
            (user_id, currency, since),
        ).fetchone()
        return int(row[0])

    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        return sqlite_tax.tax_facts(self._conn, user_id, currency, year)

    def tax_balance_at(self, user_id: str, currency: str, moment: str) -> int:
        return sqlite_tax.balance_for_tax(self._conn, user_id, currency, moment)

    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        return sqlite_tax.tax_year_get(self._conn, user_id, currency, financial_year)

    def tax_year_put(self, record: TaxYearRecord) -> None:
        sqlite_tax.tax_year_put(self._conn, record)


def _short(state: AccountState) -> bool:
    """Whether a user wallet's fund is below its held part (or a held part negative)."""
    balance, held = state.funds.parts(), state.held_funds.parts()
    return any(h < 0 or b < h for b, h in zip(balance, held, strict=True))


def _writer_unit_of_work(conn: sqlite3.Connection) -> SqliteUnitOfWork:
    conn.execute("SAVEPOINT ledger_command")
    return SqliteUnitOfWork(conn)


def _each(
    ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]
) -> Callable[[sqlite3.Connection], list[T | WinzoneError]]:
    """One writer command running every op in a savepoint of its own, released before the next op."""

    def run(conn: sqlite3.Connection) -> list[T | WinzoneError]:
        results: list[T | WinzoneError] = []
        for op in ops:
            uow = _writer_unit_of_work(conn)
            try:
                results.append(each_answer(op(uow)))
            except WinzoneError as exc:
                conn.execute("ROLLBACK TO ledger_command")
                results.append(exc)
            conn.execute("RELEASE ledger_command")
        return results

    return run


class SqliteLedgerStore(SqliteUnitOfWorkStore[LedgerUnitOfWork], LedgerStore):
    """The embedded ledger store (one file, one writer thread with group commit, many readers)."""

    schema = SCHEMA + sqlite_tax.TAX_SCHEMA
    writer_name = "ledger-writer"
    unit_of_work = staticmethod(_writer_unit_of_work)

    def migrate(self) -> None:
        conn = connect(self.path)
        try:
            widen_transaction_types(conn)
            add_fund_columns(conn)
            conn.executescript(self.schema)
        finally:
            conn.close()

    def atomic(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        return answer(super().atomic(op))

    async def atomic_async(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        return answer(await super().atomic_async(op))

    def atomic_each(self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]) -> list[T | WinzoneError]:
        return self._writer.run(_each(ops))

    async def atomic_each_async(
        self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]
    ) -> list[T | WinzoneError]:
        return await self._writer.run_async(_each(ops))

    def get_account(self, account: Account, currency: str) -> AccountState | None:
        return SqliteUnitOfWork(self._readers.conn()).account_get(account, currency)

    def get_transaction(self, tx_id: str) -> TransactionRecord | None:
        return SqliteUnitOfWork(self._readers.conn()).transaction_get(tx_id)

    def get_controls(self, user_id: str) -> dict[str, Any] | None:
        return SqliteUnitOfWork(self._readers.conn()).controls_get(user_id)

    def get_hold(self, hold_id: str) -> HoldRecord | None:
        return SqliteUnitOfWork(self._readers.conn()).hold_get(hold_id)

    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        return SqliteUnitOfWork(self._readers.conn()).bonus_grants_of(user_id, currency)

    def list_transactions(self, flt: TransactionFilter) -> TransactionPage:
        clauses, params = ["user_id IS NOT NULL"], []
        for column in ("user_id", "type", "status", "currency"):
            value = getattr(flt, column)
            if value:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = " AND ".join(clauses)
        with self._snapshot() as conn:
            total = conn.execute(f"SELECT COUNT(*) FROM transactions WHERE {where}", params).fetchone()[0]
            rows = conn.execute(
                f"SELECT {TX_COLUMNS} FROM transactions WHERE {where} ORDER BY posted_at DESC, id DESC "
                "LIMIT ? OFFSET ?",
                [*params, flt.limit, (flt.page - 1) * flt.limit],
            ).fetchall()
        return TransactionPage([_tx_from_row(r) for r in rows], total, flt.page, flt.limit)

    def open_holds(self) -> dict[str, tuple[int, int]]:
        rows = self._readers.conn().execute(
            "SELECT currency, COUNT(*), SUM(amount) FROM holds WHERE status = 'open' GROUP BY currency"
        ).fetchall()
        return {currency: (count, total) for currency, count, total in rows}

    def activity(self, currency: str, start: str, end: str, types: Sequence[str], system_types: Sequence[str]
                 ) -> list[ActivityRow]:
        marks = ", ".join("?" * len(types))
        system = ", ".join("?" * len(system_types)) or "NULL"
        with self._snapshot() as conn:
            rows = conn.execute(
                "SELECT substr(posted_at, 1, 10) AS day, type, SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END), "
                "SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) FROM transactions "
                "WHERE status = 'completed' AND currency = ? AND posted_at >= ? AND posted_at < ? "
                f"AND type IN ({marks}) AND (user_id IS NOT NULL OR (type IN ({system}) "
                "AND account NOT LIKE 'pool:%')) GROUP BY day, type ORDER BY day, type",
                (currency, start, end, *types, *system_types),
            ).fetchall()
        return [ActivityRow(day, tx_type, int(credits), int(debits)) for day, tx_type, credits, debits in rows]

    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        with self._snapshot() as conn:
            return sqlite_tax.tax_facts(conn, user_id, currency, year)

    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        return sqlite_tax.tax_year_get(self._readers.conn(), user_id, currency, financial_year)

    def tax_years_of(self, currency: str, financial_year: str) -> list[TaxYearRecord]:
        return sqlite_tax.tax_years_of(self._readers.conn(), currency, financial_year)

    def tax_wallets(self, currency: str, year: FinancialYear) -> list[str]:
        return sqlite_tax.tax_wallets(self._readers.conn(), currency, year)

    def tax_payout_holds(self, currency: str, year: FinancialYear, user_id: str | None,
                         statuses: Sequence[str]) -> list[HoldRecord]:
        with self._snapshot() as conn:
            reader = SqliteUnitOfWork(conn)
            ids = sqlite_tax.payout_hold_ids(conn, currency, year, user_id, statuses)
            return [hold for hold in map(reader.hold_get, ids) if hold is not None]

    def tax_payout_refunds(self, hold_ids: Sequence[str]) -> dict[str, int]:
        with self._snapshot() as conn:
            return sqlite_tax.payout_refunds(conn, list(hold_ids))

    def statement_opening(self, user_id: str, currency: str, before: str) -> dict[str, int]:
        return sqlite_tax.statement_opening(self._readers.conn(), user_id, currency, before)

    def statement_legs(self, user_id: str, currency: str, start: str, end: str, limit: int
                       ) -> list[TransactionRecord]:
        return sqlite_tax.statement_legs(self._readers.conn(), user_id, currency, start, end, limit, TX_COLUMNS,
                                         _tx_from_row)

    def user_wallets(self) -> list[tuple[str, str]]:
        rows = self._readers.conn().execute(
            "SELECT substr(account, 6), currency FROM accounts WHERE kind = 'user' ORDER BY account, currency"
        ).fetchall()
        return [(str(user_id), str(currency)) for user_id, currency in rows]

    def audit_facts(self) -> AuditFacts:
        facts = AuditFacts()
        with self._snapshot() as conn:
            facts.accounts = [tuple(r) for r in conn.execute(
                "SELECT account, currency, kind, balance, held, total_earnings FROM accounts")]
            for account, currency, total, rewards in conn.execute(
                "SELECT account, currency, SUM(amount), SUM(CASE WHEN type = 'reward' AND amount > 0 "
                "AND user_id IS NOT NULL THEN amount ELSE 0 END) FROM transactions "
                "WHERE status = 'completed' GROUP BY account, currency"
            ):
                facts.posted_sums[(account, currency)] = total
                facts.reward_sums[(account, currency)] = rewards
            facts.unbalanced_entries = [tuple(r) for r in conn.execute(
                "SELECT entry_id, currency, SUM(amount) FROM transactions WHERE status = 'completed' "
                "GROUP BY entry_id, currency HAVING SUM(amount) <> 0")]
            for account, currency, total in conn.execute(
                "SELECT account, currency, SUM(amount) FROM holds WHERE status = 'open' GROUP BY account, currency"
            ):
                facts.open_hold_sums[(account, currency)] = total
            facts.hold_mismatches = [
                f"hold {hold_id} is {status} but its transaction is {tx_status}"
                for hold_id, status, tx_status in conn.execute(
                    "SELECT h.id, h.status, t.status FROM holds h LEFT JOIN transactions t ON t.id = h.transaction_id "
                    "WHERE NOT ((h.status = 'open' AND t.status = 'pending') "
                    "OR (h.status = 'captured' AND t.status = 'completed') "
                    "OR (h.status = 'voided' AND t.status = 'failed'))"
                )
            ]
            for user_id, currency, remaining in conn.execute(
                "SELECT user_id, currency, SUM(remaining) FROM bonus_grants WHERE status = 'active' "
                "GROUP BY user_id, currency"
            ):
                facts.bonus_grant_sums[(f"user:{user_id}", currency)] = remaining
            _fund_facts(conn, facts)
            facts.transactions_checked = conn.execute("SELECT COUNT(*) FROM transactions").fetchone()[0]
            facts.holds_checked = conn.execute("SELECT COUNT(*) FROM holds").fetchone()[0]
        return facts


def _fund_facts(conn: sqlite3.Connection, facts: AuditFacts) -> None:
    """The per-fund aggregates of the audit (legacy legs and holds, stored without a split, as deposit)."""
    for account, currency, *parts in conn.execute(
        "SELECT account, currency, fund_deposit, fund_winnings, fund_bonus, held_deposit, held_winnings, held_bonus "
        "FROM accounts WHERE kind = 'user'"
    ):
        facts.account_funds[(account, currency)] = (Funds(*parts[:3]), Funds(*parts[3:]))
    for account, currency, *parts in conn.execute(
        "SELECT account, currency, SUM(COALESCE(fund_deposit, amount)), SUM(COALESCE(fund_winnings, 0)), "
        "SUM(COALESCE(fund_bonus, 0)) FROM transactions WHERE status = 'completed' AND user_id IS NOT NULL "
        "GROUP BY account, currency"
    ):
        facts.posted_fund_sums[(account, currency)] = Funds(*parts)
    for account, currency, *parts in conn.execute(
        "SELECT account, currency, SUM(CASE WHEN fund_deposit + fund_winnings + fund_bonus = 0 THEN amount "
        "ELSE fund_deposit END), SUM(fund_winnings), SUM(fund_bonus) FROM holds WHERE status = 'open' "
        "GROUP BY account, currency"
    ):
        facts.open_hold_fund_sums[(account, currency)] = Funds(*parts)
