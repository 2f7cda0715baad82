"""The ledger's storage port: a unit of work for one atomic command, and the store that runs them."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from wallet_service.domain.accounts import Account
from wallet_service.domain.activity import ActivityRow
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

T = TypeVar("T")


class LedgerUnitOfWork(ABC):
    """Everything one ledger command may read or write; all of it commits together or not at all.

    Implementations enforce the invariants a second time: a user or pool account whose balance would fall
    below its held funds raises ``InsufficientFunds``; a reused transaction or idempotency key raises
    ``IdempotencyConflict``.
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
    def account_apply(self, account: Account, currency: str, delta: int, earnings: int, now: str) -> AccountState:
        """Add ``delta`` to the balance (creating the account at 0 first) and ``earnings`` to total earnings."""

    @abstractmethod
    def account_hold(self, account: Account, currency: str, delta_held: int, now: str) -> AccountState:
        """Add ``delta_held`` to the account's held funds."""

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
