"""Ledger records and results: transactions, holds, account states and wallet views."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from wallet_service.domain.funds import ZERO, Funds, withdrawable
from wallet_service.domain.policy import LedgerPolicy
from winzone_kernel.errors import (
    FailedPrecondition,
    InsufficientFunds,
    InvalidState,
    NotFound,
    WinzoneError,
)


class TxType(StrEnum):
    TOPUP = "topup"
    ENTRY_FEE = "entryFee"
    REWARD = "reward"
    PAYOUT = "payout"
    REFUND = "refund"
    CREDIT = "credit"
    DEBIT = "debit"
    ORGANIZER_FEE = "organizerFee"
    PLATFORM_FEE = "platformFee"
    CHARGEBACK = "chargeback"
    BONUS = "bonus"
    BONUS_EXPIRED = "bonusExpired"
    TDS = "tds"
    GST = "gst"
    MIGRATION = "migration"


class TxStatus(StrEnum):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"


class HoldStatus(StrEnum):
    OPEN = "open"
    CAPTURED = "captured"
    VOIDED = "voided"


TX_TYPES = frozenset(t.value for t in TxType)
TX_STATUSES = frozenset(s.value for s in TxStatus)


@dataclass(slots=True)
class TransactionRecord:
    """One leg of a journal entry as its account holder sees it (or a hold's pending view)."""

    id: str
    account: str
    user_id: str | None
    type: str
    amount: int
    currency: str
    status: str
    source: str
    description: str
    metadata: dict[str, str]
    idempotency_key: str | None
    balance_after: int | None
    entry_id: str | None
    hold_id: str | None
    created_at: str
    updated_at: str
    posted_at: str = ""
    """When it took effect on the balance (creation, or capture for a hold); lists are ordered by it."""
    funds: dict[str, int] = field(default_factory=dict)
    """A user wallet's leg: the signed amount it moved in each fund (zero parts omitted, summing to amount)."""

    @property
    def fund(self) -> str:
        """The one fund this leg moved, or empty when it moved several (or is not a user wallet's leg)."""
        return next(iter(self.funds)) if len(self.funds) == 1 else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "account": self.account, "user_id": self.user_id, "type": self.type,
            "amount": self.amount, "currency": self.currency, "status": self.status, "source": self.source,
            "description": self.description, "metadata": dict(self.metadata),
            "idempotency_key": self.idempotency_key, "balance_after": self.balance_after,
            "entry_id": self.entry_id, "hold_id": self.hold_id, "created_at": self.created_at,
            "updated_at": self.updated_at, "posted_at": self.posted_at, "funds": dict(self.funds),
        }


@dataclass(slots=True)
class HoldRecord:
    """Funds of a user's wallet reserved until captured (money leaves) or voided (money returns)."""

    id: str
    account: str
    user_id: str
    currency: str
    amount: int
    status: str
    transaction_id: str
    created_at: str
    updated_at: str
    funds: dict[str, int] = field(default_factory=dict)
    """What it reserves in each fund (positive parts summing to amount)."""
    tds: int = 0
    """The tax its capture withholds to ``tds_payable`` (a payout hold under TDS_RATE)."""
    net_winnings: int = 0
    financial_year: str = ""

    @property
    def net_amount(self) -> int:
        """What its capture sends to the counter account."""
        return self.amount - self.tds

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "account": self.account, "user_id": self.user_id, "currency": self.currency,
            "amount": self.amount, "status": self.status, "transaction_id": self.transaction_id,
            "created_at": self.created_at, "updated_at": self.updated_at, "funds": dict(self.funds),
            "tds": self.tds, "net_winnings": self.net_winnings, "financial_year": self.financial_year,
        }


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account's balances after a change (or as read)."""

    account: str
    currency: str
    balance: int
    held: int
    total_earnings: int
    funds: Funds = ZERO
    """A user wallet's balance per fund (zero for other accounts); their sum is ``balance``."""
    held_funds: Funds = ZERO
    """A user wallet's held amount per fund; their sum is ``held``."""

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def available_funds(self) -> Funds:
        return self.funds - self.held_funds


@dataclass(frozen=True, slots=True)
class WalletView:
    """A user's wallet in one currency, with what the user owes the platform (``receivable``, >= 0)."""

    user_id: str
    currency: str
    balance: int
    held: int
    total_earnings: int
    receivable: int = 0
    funds: Funds = ZERO
    held_funds: Funds = ZERO
    withdrawable: int = 0
    """What a payout could take now: the available part of the WITHDRAWABLE_FUNDS (0 while restricted)."""

    @property
    def available(self) -> int:
        return self.balance - self.held

    @property
    def restricted(self) -> bool:
        """Whether holds, entry fees, transfers and debits from this wallet are refused until it is settled."""
        return self.receivable > 0

    def to_dict(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "currency": self.currency, "balance": self.balance, "held": self.held,
                "total_earnings": self.total_earnings, "receivable": self.receivable,
                "funds": self.funds.to_dict(), "held_funds": self.held_funds.to_dict(),
                "withdrawable": self.withdrawable}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WalletView:
        """A wallet as an idempotency record kept it (records from before funds read as all deposit)."""
        values = dict(data)
        funds = values.pop("funds", None)
        held_funds = values.pop("held_funds", None)
        withdrawable_now = values.pop("withdrawable", None)
        view = cls(**values)
        balance = Funds.legacy(view.balance) if funds is None else Funds.of(funds)
        held = Funds.legacy(view.held) if held_funds is None else Funds.of(held_funds)
        fallback = 0 if view.restricted else view.available
        return cls(view.user_id, view.currency, view.balance, view.held, view.total_earnings, view.receivable,
                   balance, held, fallback if withdrawable_now is None else int(withdrawable_now))

    @classmethod
    def of(cls, user_id: str, state: AccountState | None, currency: str, receivable: int = 0,
           policy: LedgerPolicy | None = None) -> WalletView:
        if state is None:
            return cls(user_id, currency, 0, 0, 0, receivable)
        rules = policy or LedgerPolicy()
        ready = 0 if receivable > 0 else withdrawable(state.funds, state.held_funds, rules)
        return cls(user_id, currency, state.balance, state.held, state.total_earnings, receivable, state.funds,
                   state.held_funds, ready)


REFUSALS: dict[str, type[WinzoneError]] = {
    cls.__name__: cls for cls in (FailedPrecondition, InsufficientFunds, InvalidState, NotFound)
}
"""The definite business refusals a command's idempotency key remembers (by class name)."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """A command refused for good: returned (not raised) so that the store commits the refusal's record, then
    raises ``error`` to the caller."""

    error: WinzoneError

    def to_dict(self) -> dict[str, Any]:
        return {"refusal": {"kind": type(self.error).__name__, "code": self.error.code,
                            "message": self.error.message}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Refusal | None:
        refusal = data.get("refusal")
        if refusal is None:
            return None
        error_class = REFUSALS.get(refusal["kind"], FailedPrecondition)
        return cls(error_class(refusal["message"], code=refusal["code"]))


@dataclass(slots=True)
class PostingOutcome:
    """The result of Credit, Debit, Transfer or Post: the entry, its legs and the user wallets after it."""

    entry_id: str
    transactions: list[TransactionRecord]
    wallets: list[WalletView]
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """What an idempotency record keeps: the legs by id (posted legs are immutable, so they are read back
        exactly on a replay) and the wallets as they were right after the entry."""
        return {
            "entry_id": self.entry_id,
            "transaction_ids": [t.id for t in self.transactions],
            "wallets": [w.to_dict() for w in self.wallets],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], transactions: list[TransactionRecord], *,
                  replayed: bool) -> PostingOutcome:
        return cls(
            entry_id=data["entry_id"],
            transactions=transactions,
            wallets=[WalletView.from_dict(w) for w in data["wallets"]],
            replayed=replayed,
        )


@dataclass(slots=True)
class HoldOutcome:
    """The result of CreateHold, CaptureHold or VoidHold; a tombstone (a void of an unknown hold id) has an
    empty hold (amount 0) and neither transaction nor wallet."""

    hold: HoldRecord
    transaction: TransactionRecord | None
    wallet: WalletView | None
    replayed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"hold": self.hold.to_dict(),
                "transaction": None if self.transaction is None else self.transaction.to_dict(),
                "wallet": None if self.wallet is None else self.wallet.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, replayed: bool) -> HoldOutcome:
        return cls(
            hold=HoldRecord(**data["hold"]),
            transaction=None if data["transaction"] is None else TransactionRecord(**data["transaction"]),
            wallet=None if data["wallet"] is None else WalletView.from_dict(data["wallet"]),
            replayed=replayed,
        )

    @classmethod
    def tombstone(cls, hold_id: str, created_at: str) -> HoldOutcome:
        """The answer to a void of a hold id no hold was created under."""
        return cls(HoldRecord(id=hold_id, account="", user_id="", currency="", amount=0, status=HoldStatus.VOIDED.value,
                              transaction_id="", created_at=created_at, updated_at=created_at), None, None)


@dataclass(slots=True)
class RecoverOutcome:
    """The result of Recover: one entry taking ``recovered`` from the wallet and ``shortfall`` as receivable."""

    posting: PostingOutcome
    recovered: int
    shortfall: int

    @property
    def wallet(self) -> WalletView:
        return self.posting.wallets[0]

    @property
    def replayed(self) -> bool:
        return self.posting.replayed

    def to_dict(self) -> dict[str, Any]:
        return {**self.posting.to_dict(), "recovered": self.recovered, "shortfall": self.shortfall}


@dataclass(slots=True)
class TransactionPage:
    """A page of transactions, newest first, with the total matching the filter."""

    items: list[TransactionRecord]
    total: int
    page: int
    limit: int


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """Filters of ListTransactions; empty strings mean no filter."""

    user_id: str = ""
    type: str = ""
    status: str = ""
    currency: str = ""
    page: int = 1
    limit: int = 20


@dataclass(slots=True)
class AuditFacts:
    """Aggregates a store reads in one consistent snapshot, for the pure audit rules."""

    accounts: list[tuple[str, str, str, int, int, int]] = field(default_factory=list)
    """(account, currency, kind, balance, held, total_earnings)"""
    posted_sums: dict[tuple[str, str], int] = field(default_factory=dict)
    """(account, currency) -> sum of completed legs"""
    reward_sums: dict[tuple[str, str], int] = field(default_factory=dict)
    """(account, currency) -> sum of completed positive reward legs"""
    open_hold_sums: dict[tuple[str, str], int] = field(default_factory=dict)
    unbalanced_entries: list[tuple[str, str, int]] = field(default_factory=list)
    """(entry_id, currency, sum) for every entry whose legs do not sum to zero"""
    hold_mismatches: list[str] = field(default_factory=list)
    account_funds: dict[tuple[str, str], tuple[Funds, Funds]] = field(default_factory=dict)
    """user (account, currency) -> (balance per fund, held per fund) as the account row keeps them"""
    posted_fund_sums: dict[tuple[str, str], Funds] = field(default_factory=dict)
    """user (account, currency) -> fund parts of its completed legs summed (legacy legs as deposit)"""
    open_hold_fund_sums: dict[tuple[str, str], Funds] = field(default_factory=dict)
    """user (account, currency) -> funds of its open holds summed (legacy holds as deposit)"""
    bonus_grant_sums: dict[tuple[str, str], int] = field(default_factory=dict)
    """user (account, currency) -> what is left of the user's active bonus grants"""
    transactions_checked: int = 0
    holds_checked: int = 0
