"""What a payment provider answers, in our own terms: checkout and payout outcomes.

Amounts are integer minor units with an upper-case ISO-4217 code on this side of the provider port;
adapters translate to and from the provider's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PAYOUT_METHOD_TYPES = frozenset({"upi", "bank", "stripe"})
"""Every payout method type a payout request may name; each provider pays out to some of them."""


class SessionStatus(StrEnum):
    """Where a checkout session stands, as far as crediting is concerned."""

    PAID = "paid"
    UNPAID = "unpaid"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


class PayoutStatus(StrEnum):
    """A payout's outcome. ``PENDING`` is not final: the outcome may still be unknown."""

    PAID = "paid"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Checkout:
    """A checkout session created at the provider, and where to send the player to pay."""

    provider_ref: str
    checkout_url: str


@dataclass(frozen=True, slots=True)
class CheckoutStatus:
    """A checkout session as the provider reports it now; amounts come from the provider."""

    provider_ref: str
    status: SessionStatus
    amount_minor: int | None
    currency: str | None
    client_reference_id: str | None


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """The provider's answer for one payout; ``failure_reason`` is set only when ``status`` is failed."""

    status: PayoutStatus
    provider_ref: str | None
    failure_reason: str | None = None
    amount_minor: int | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutProviderResult:
    """A payout outcome reported by the provider's webhook, for the payout service."""

    payout_id: str
    status: str
    provider: str
    provider_reference: str
    failure_reason: str
    event_id: str
    event_type: str
    amount: int | None
    currency: str
