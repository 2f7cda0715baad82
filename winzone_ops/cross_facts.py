"""What the cross-service audit reads from each store and from the provider, as plain values, and what it
reports: a discrepancy has a kind, the ids it concerns and the amounts (minor units) that disagree."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One thing the books of two services (or ours and the provider's) disagree on."""

    kind: str
    ids: Mapping[str, str]
    amounts: Mapping[str, int] = field(default_factory=dict)
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "ids": dict(self.ids), "amounts": dict(self.amounts), "detail": self.detail}

    def __str__(self) -> str:
        ids = " ".join(f"{k}={v}" for k, v in self.ids.items())
        amounts = " ".join(f"{k}={v}" for k, v in self.amounts.items())
        return " ".join(part for part in (self.kind, ids, amounts, self.detail and f"({self.detail})") if part)


@dataclass(frozen=True, slots=True)
class HoldFact:
    """A wallet hold; tombstones (voided with amount 0) are kept out of the facts. ``tds``: the tax its
    capture sends to ``tds_payable`` (0 where none, or where the wallet predates tax)."""

    id: str
    user_id: str
    amount: int
    currency: str
    status: str
    tds: int = 0


@dataclass(frozen=True, slots=True)
class LegFact:
    """One user leg of a wallet entry (the wallet's store lists user legs only)."""

    id: str
    user_id: str
    type: str
    amount: int
    currency: str
    status: str
    source: str
    key: str
    entry_id: str
    metadata: Mapping[str, str]


@dataclass(slots=True)
class LedgerFacts:
    """The wallet's holds, user legs and every account's balance, per (account, currency)."""

    holds: dict[str, HoldFact] = field(default_factory=dict)
    legs: list[LegFact] = field(default_factory=list)
    balances: dict[tuple[str, str], int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PayoutFact:
    """A payout request as the payout store holds it; ``refunded_amount`` is None where the store predates it.
    ``tds`` is the tax withheld from it (0 where none): the provider is sent ``net_amount``."""

    id: str
    user_id: str
    amount: int
    currency: str
    status: str
    placed: bool
    withdrawn: bool = False
    refunded_amount: int | None = None
    tds: int = 0

    @property
    def net_amount(self) -> int:
        """What the provider is sent for it: the amount less the tax withheld."""
        return self.amount - self.tds


@dataclass(frozen=True, slots=True)
class SessionFact:
    """A top-up session of the payment gateway."""

    id: str
    user_id: str
    amount: int
    currency: str
    provider: str
    status: str
    provider_ref: str
    transaction_id: str


@dataclass(frozen=True, slots=True)
class PoolFact:
    """One competition's pool as the reward store accounts for it.

    ``expected`` is what its wallet account must hold: the pool balance the store keeps (paid contributions
    minus what distributions and refunds reserved) plus what is reserved but not yet posted; ``in_flight``
    are contributions still pending, whose posting may or may not have landed.
    """

    competition_id: str
    currency: str
    exists: bool
    expected: int
    in_flight: int = 0


@dataclass(frozen=True, slots=True)
class ContributionFact:
    """A contribution by id, for legs that claim to pay one."""

    id: str
    competition_id: str
    user_id: str
    amount: int
    status: str


@dataclass(slots=True)
class RewardFacts:
    pools: dict[str, PoolFact] = field(default_factory=dict)
    contributions: dict[str, ContributionFact | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ProviderTransfer:
    """Money the provider sent out for one of our payouts (``payout_id`` empty when it names none)."""

    id: str
    payout_id: str
    amount: int
    currency: str
    amount_reversed: int = 0


@dataclass(frozen=True, slots=True)
class ProviderCharge:
    """Money the provider took in for a top-up session, and what later went back (refunds, disputes)."""

    id: str
    session_id: str
    user_id: str
    amount: int
    currency: str
    paid: bool
    amount_refunded: int = 0
    dispute_status: str = ""


@dataclass(slots=True)
class ProviderRecords:
    """The provider's own books as far as the audit needs them, and the clearing movements they imply
    (``clearing``: per currency, what ``clearing:<provider>`` must hold; None when not known)."""

    provider: str
    transfers: list[ProviderTransfer] = field(default_factory=list)
    charges: list[ProviderCharge] = field(default_factory=list)
    clearing: dict[str, int] | None = None
    complete_transfer_list: bool = True


@dataclass(slots=True)
class CrossFacts:
    ledger: LedgerFacts
    payouts: dict[str, PayoutFact]
    sessions: dict[str, SessionFact]
    rewards: RewardFacts
    provider: ProviderRecords


@dataclass(slots=True)
class CrossAuditReport:
    """Every discrepancy found and how much was looked at; ``ok`` only when nothing disagrees."""

    discrepancies: list[Discrepancy] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": dict(self.checked),
                "discrepancies": [d.to_dict() for d in self.discrepancies]}
