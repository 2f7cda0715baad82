"""What a payment provider answers, in our own terms: checkout and payout outcomes.

Amounts are integer minor units with an upper-case ISO-4217 code on this side of the provider port;
adapters translate to and from the provider's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

PAYOUT_METHOD_TYPES = frozenset({"upi", "bank", "stripe"})
"""Every payout method type a payout request may name; each provider pays out to some of them."""
REVERSED_REASON = "Transfer was reversed"
"""The failure reason of a paid transfer the provider took back in full."""


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
    payment_intent: str | None = None


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """The provider's answer for one payout; ``failure_reason`` is set only when ``status`` is failed."""

    status: PayoutStatus
    provider_ref: str | None
    failure_reason: str | None = None
    amount_minor: int | None = None
    currency: str | None = None
    amount_reversed: int = 0
    """How much of a paid transfer the provider took back so far (cumulative); all of it makes it FAILED."""


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
    amount_reversed: int = 0


def with_reversal(result: PayoutResult, amount_reversed: int) -> PayoutResult:
    """``result`` with its cumulative ``amount_reversed`` raised to ``amount_reversed`` (never lowered); once
    all of the amount is reversed it is ``FAILED`` (with ``REVERSED_REASON`` unless it had failed already)."""
    total = max(result.amount_reversed, amount_reversed)
    full = result.amount_minor is not None and 0 < result.amount_minor <= total
    if full and result.status is not PayoutStatus.FAILED:
        return replace(result, status=PayoutStatus.FAILED, failure_reason=REVERSED_REASON, amount_reversed=total)
    return replace(result, amount_reversed=total)
