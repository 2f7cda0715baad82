"""What the payment gateway sends the wallet (one credit per paid session) and what it gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class LedgerTransaction:
    """A wallet transaction as the wallet reports it (amounts in minor units)."""

    id: str
    user_id: str
    type: str
    amount: int
    currency: str
    status: str
    source: str
    description: str
    idempotency_key: str
    balance_after: int | None
    created_at: str
    updated_at: str
    account: str = ""
    entry_id: str = ""
    metadata: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WalletMovement:
    """Money between a user's wallet and the provider's clearing account, under one idempotency key."""

    key: str
    user_id: str
    amount: int
    currency: str
    counter_account: str
    source: str
    description: str
    metadata: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class TopUpCredit(WalletMovement):
    """The one wallet credit of a paid session."""


@dataclass(frozen=True, slots=True)
class Recovery(WalletMovement):
    """Money the provider took back from a top-up (a refund, a lost dispute), to take back from the wallet:
    what is available, and the rest as the user's receivable."""


@dataclass(frozen=True, slots=True)
class Recovered:
    """What one recovery took from the wallet and what it left owing."""

    entry_id: str
    recovered: int
    shortfall: int


@dataclass(frozen=True, slots=True)
class DisputeHold:
    """A hold of up to ``amount`` of the user's available balance while a dispute is open."""

    hold_id: str
    key: str
    user_id: str
    amount: int
    currency: str
    source: str
    description: str
    metadata: Mapping[str, str]
