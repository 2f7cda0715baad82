"""The ledger's storage port: a unit of work for one atomic command, and the store that runs them."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import (
    AccountState,
    AuditFacts,
    HoldRecord,
    Refusal,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
)
from winzone_kernel.errors import WinzoneError

if TYPE_CHECKING:
    from wallet_service.domain.bonus import BonusGrant
    from wallet_service.domain.tax import FinancialYear, TaxFacts, TaxYearRecord

T = TypeVar("T")


class LedgerUnitOfWork(ABC):
    """Everything one ledger command may read or write; all of it commits together or not at all.

    Implementations enforce the invariants a second time: a user or pool account whose balance would fall
    below its held funds, or a fund of a user wallet below its held part, raises ``InsufficientFunds``; a reused
    transaction or idempotency key raises ``IdempotencyConflict``.
    """

    @abstractmethod
    def discard(self) -> None:
        """Undo every write of this command so far; the unit of work stays usable (a refused command then
        records its refusal in it)."""

    @abstractmethod
    def idempotency_get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """The (fingerprint, stored result) of an earlier command under ``key``."""

    @abstractmethod
    def idempotency_put(self, key: str, fingerprint: str, result: dict[str, Any], now: str) -> None:
        """Remember the result of the command under ``key``."""

    @abstractmethod
    def account_get(self, account: Account, currency: str) -> AccountState | None:
        """The account's current state, or None if it was never used."""

    @abstractmethod
    def account_apply(self, account: Account, currency: str, delta: int, earnings: int, now: str,
                      funds: Funds | None = None) -> AccountState:
        """Add ``delta`` to the balance (creating the account at 0 first) and ``earnings`` to total earnings; on a
        user wallet ``funds`` (summing to ``delta``; None: all deposit) to its fund balances."""

    @abstractmethod
    def account_hold(self, account: Account, currency: str, delta_held: int, now: str,
                     funds: Funds | None = None) -> AccountState:
        """Add ``delta_held`` to the account's held funds (on a user wallet ``funds`` per fund; None: deposit)."""

    @abstractmethod
    def pool_contribution_get(self, user_id: str, currency: str, pool: str) -> Funds:
        """The funds of the user's payments into ``pool:<pool>`` not yet refunded (zero when none)."""

    @abstractmethod
    def pool_contribution_add(self, user_id: str, currency: str, pool: str, delta: Funds, now: str) -> None:
        """Add ``delta`` (payments in, or negative refunds) to the user's contributions to ``pool:<pool>``."""

    @abstractmethod
    def legacy_earnings(self, user_id: str, currency: str) -> int:
        """Sum of the wallet's completed positive ``reward`` legs stored before funds existed (no split)."""

    @abstractmethod
    def legacy_deposit(self, user_id: str, currency: str) -> int:
        """What is left of the balance the wallet had when funds were introduced: its completed legs stored
        before funds existed (no split) less the deposit parts taken out by completed legs since."""

    @abstractmethod
    def transactions_add(self, records: list[TransactionRecord]) -> None:
        """Insert new transactions (legs or pending hold views)."""

    @abstractmethod
    def transaction_get(self, tx_id: str) -> TransactionRecord | None:
        """One transaction by id."""

    @abstractmethod
    def transaction_settle(
        self, tx_id: str, status: str, entry_id: str | None, balance_after: int | None, now: str
    ) -> None:
        """Move a pending hold transaction to completed (with its entry, posted at ``now``) or failed."""

    @abstractmethod
    def hold_get(self, hold_id: str) -> HoldRecord | None:
        """A hold by id."""

    @abstractmethod
    def hold_add(self, hold: HoldRecord) -> None:
        """Insert a new open hold."""

    @abstractmethod
    def hold_set_status(self, hold_id: str, status: str, now: str) -> None:
        """Close an open hold as captured or voided."""

    @abstractmethod
    def tombstone_get(self, hold_id: str) -> str | None:
        """When a hold id was voided before any hold was created under it, or None."""

    @abstractmethod
    def tombstone_add(self, hold_id: str, now: str) -> None:
        """Record that ``hold_id`` was voided before any hold existed under it: it can never be created."""

    @abstractmethod
    def controls_get(self, user_id: str) -> dict[str, Any] | None:
        """The player's responsible-gaming controls document (see ``domain.controls``), or None: one
        primary-key read."""

    @abstractmethod
    def controls_put(self, user_id: str, doc: dict[str, Any]) -> None:
        """Store the player's controls document (insert or replace)."""

    @abstractmethod
    def entry_fees_since(self, user_id: str, currency: str, since: str) -> int:
        """Magnitude of the user's completed ``entryFee`` legs out of their wallet in ``currency`` posted after
        ``since``, this unit of work's own legs (and a batch's earlier entries) included."""

    @abstractmethod
    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        """Every bonus grant of the user in ``currency`` (any status), this unit of work's writes included."""

    @abstractmethod
    def bonus_grant_put(self, grant: BonusGrant) -> None:
        """Store a bonus grant (insert or replace by id)."""

    @abstractmethod
    def bonus_grants_due(self, now: str, limit: int) -> list[BonusGrant]:
        """Up to ``limit`` active grants whose expiry is at or before ``now``, soonest expiry first."""

    @abstractmethod
    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        """Rule 133's inputs for the wallet and year: deposit parts of completed ``topup`` legs of the year less
        the deposit and winnings parts of its ``chargeback`` legs and captured dispute holds (``debit`` holds
        naming a ``disputeId``), floored at 0; amounts of the year's payout holds open or captured less the
        ``refund`` credits naming them (metadata ``payoutId``), and their net winnings except of a hold refunded
        in full (its tds came back); the opening balance (the previous year's record, else deposit +
        winnings at the year's start less payout holds then unpaid), this unit of work's writes included."""

    @abstractmethod
    def tax_balance_at(self, user_id: str, currency: str, moment: str) -> int:
        """Deposit + winnings posted before ``moment`` less payout holds created before it and unpaid by then."""

    @abstractmethod
    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        """The wallet's record of a closed financial year, or None."""

    @abstractmethod
    def tax_year_put(self, record: TaxYearRecord) -> None:
        """Record a closed year (once: a second record of the same wallet and year is refused)."""


class LedgerStore(ABC):
    """Runs ledger commands atomically and answers read queries."""

    @abstractmethod
    def atomic(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        """Run ``op`` in one transaction, committed durably before this returns; nothing persists if it raises.
        When ``op`` returns a ``Refusal``, what it wrote (the refusal's record) commits and the refusal's error
        is raised (``answer``)."""

    async def atomic_async(self, op: Callable[[LedgerUnitOfWork], T | Refusal]) -> T:
        """``atomic`` for an event loop; adapters with a writer thread override this to skip a thread hop."""
        return await asyncio.to_thread(self.atomic, op)

    @abstractmethod
    def atomic_each(self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]) -> list[T | WinzoneError]:
        """Run every op in order, each in a unit of work of its own inside one transaction committed durably
        once before this returns. An op that raises a ``WinzoneError`` or returns a ``Refusal`` has only its
        own writes undone (a refusal's record still commits) and answers that error in its place; a later op
        sees what the earlier ones wrote. Any other failure fails them all, and nothing persists."""

    async def atomic_each_async(
        self, ops: Sequence[Callable[[LedgerUnitOfWork], T | Refusal]]
    ) -> list[T | WinzoneError]:
        """``atomic_each`` for an event loop; adapters with a writer thread override this to skip a thread hop."""
        return await asyncio.to_thread(self.atomic_each, ops)

    @abstractmethod
    def migrate(self) -> None:
        """Create tables/collections and indexes; safe to run any number of times."""

    @abstractmethod
    def get_account(self, account: Account, currency: str) -> AccountState | None:
        """Read one account."""

    @abstractmethod
    def list_transactions(self, flt: TransactionFilter) -> TransactionPage:
        """Transactions matching ``flt``, newest first."""

    @abstractmethod
    def get_controls(self, user_id: str) -> dict[str, Any] | None:
        """A player's controls document as last committed (a read outside any unit of work)."""

    @abstractmethod
    def get_transaction(self, tx_id: str) -> TransactionRecord | None:
        """One transaction by id."""

    @abstractmethod
    def bonus_grants_of(self, user_id: str, currency: str) -> list[BonusGrant]:
        """Every bonus grant of the user in ``currency`` as last committed (a read outside any unit of work)."""

    @abstractmethod
    def get_hold(self, hold_id: str) -> HoldRecord | None:
        """One hold by id."""

    @abstractmethod
    def open_holds(self) -> dict[str, tuple[int, int]]:
        """Per currency: (number of open holds, minor units they reserve)."""

    @abstractmethod
    def activity(self, currency: str, start: str, end: str, types: Sequence[str], system_types: Sequence[str]
                 ) -> list[ActivityRow]:
        """Completed legs in ``currency`` posted at ``start`` or later and before ``end`` (timestamps or
        ``YYYY-MM-DD`` days), of ``types``, on user accounts (and on system accounts for ``system_types``),
        summed by UTC day of ``posted_at`` and type, from one consistent snapshot."""

    @abstractmethod
    def tax_facts(self, user_id: str, currency: str, year: FinancialYear) -> TaxFacts:
        """``LedgerUnitOfWork.tax_facts`` as last committed."""

    @abstractmethod
    def tax_year_get(self, user_id: str, currency: str, financial_year: str) -> TaxYearRecord | None:
        """The wallet's record of a closed financial year, or None."""

    @abstractmethod
    def tax_years_of(self, currency: str, financial_year: str) -> list[TaxYearRecord]:
        """Every wallet's record of a closed year in ``currency``, by user id."""

    @abstractmethod
    def tax_wallets(self, currency: str, year: FinancialYear) -> list[str]:
        """User ids with a transaction or hold of their wallet in the year, or a record of the previous year."""

    @abstractmethod
    def tax_payout_holds(self, currency: str, year: FinancialYear, user_id: str | None,
                         statuses: Sequence[str]) -> list[HoldRecord]:
        """Payout holds created in the year with one of ``statuses`` (one user's or everyone's), oldest first."""

    @abstractmethod
    def tax_payout_refunds(self, hold_ids: Sequence[str]) -> dict[str, int]:
        """Per payout hold id, the sum of completed ``refund`` legs to its user naming it in metadata ``payoutId``
        (what reversals of the payout gave back; holds without one omitted)."""

    @abstractmethod
    def statement_opening(self, user_id: str, currency: str, before: str) -> dict[str, int]:
        """The wallet's balance per fund (deposit, winnings, bonus) from its completed legs posted before
        ``before``."""

    @abstractmethod
    def statement_legs(self, user_id: str, currency: str, start: str, end: str, limit: int
                       ) -> list[TransactionRecord]:
        """The wallet's completed legs posted in [start, end), oldest first, at most ``limit``."""

    @abstractmethod
    def user_wallets(self) -> list[tuple[str, str]]:
        """(user_id, currency) of every user wallet, in order."""

    @abstractmethod
    def audit_facts(self) -> AuditFacts:
        """The aggregates the audit rules check, from one consistent snapshot."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and stop background threads."""


def answer(result: T | Refusal) -> T:
    """A committed command's outcome, or its refusal raised."""
    if isinstance(result, Refusal):
        raise result.error
    return result


def each_answer(result: T | Refusal) -> T | WinzoneError:
    """One op's outcome in a batch: its result, or its refusal's error in its place."""
    return result.error if isinstance(result, Refusal) else result
