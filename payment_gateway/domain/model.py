"""Top-up sessions and the rules of their life cycle: plain Python, no transport or storage.

A session is created with the user, amount and currency that will be credited; the provider's answers
(verify, webhooks, the mock checkout page) move it along:

``created → paid → credited``, ``created → failed | expired | cancelled``. A provider that reports a
session paid after we recorded it failed, expired or cancelled wins (money was taken, so it is credited);
nothing leaves ``paid`` except crediting, and ``credited`` is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of, to_major


class TopUpStatus(StrEnum):
    """Where a top-up session stands."""

    CREATED = "created"
    PAID = "paid"
    CREDITED = "credited"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


TOPUP_STATUSES = frozenset(s.value for s in TopUpStatus)
UNSETTLED = frozenset({TopUpStatus.FAILED, TopUpStatus.EXPIRED, TopUpStatus.CANCELLED})
"""Closed without money, as far as we know; a provider that later says ``paid`` still gets credited."""

PAYABLE = frozenset({TopUpStatus.CREATED, *UNSETTLED})
"""States a session may move to ``paid`` from."""


class WebhookOutcome(StrEnum):
    """What one provider event did."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    MISMATCH = "mismatch"
    FORWARDED = "forwarded"
    UNROUTED = "unrouted"


SESSION_ID_PREFIX = "tps"
CREDIT_KEY_PREFIX = "topup_"
TOPUP_TRANSACTION_TYPE = "topup"
CHARGEBACK_TRANSACTION_TYPE = "chargeback"
DISPUTE_HOLD_TYPE = "debit"
"""The wallet's transaction type of a dispute hold (a hold's type is one of the debit types)."""


def credit_key(session_id: str) -> str:
    """The wallet idempotency key of a session's one credit."""
    return CREDIT_KEY_PREFIX + session_id


def refund_key(charge_id: str, cumulative: int) -> str:
    """The wallet key of one card refund: the charge and its cumulative refunded amount after it."""
    return f"chargeback_refund_{charge_id}_{cumulative}"


def dispute_hold_id(dispute_id: str) -> str:
    """The wallet hold (and the key that creates it) of an open dispute."""
    return f"dispute_{dispute_id}"


def dispute_keys(dispute_id: str) -> dict[str, str]:
    """The wallet keys of a dispute's outcome: capture of its hold, release of it, recovery of the rest."""
    return {"capture": f"dispute_capture_{dispute_id}", "void": f"dispute_void_{dispute_id}",
            "recover": f"dispute_lost_{dispute_id}"}


def clearing_account(provider: str) -> str:
    """The system account money enters through."""
    return f"clearing:{provider}"


@dataclass(frozen=True, slots=True)
class TopUpSession:
    """A stored top-up session. ``amount`` is in minor units; user and amount are what gets credited."""

    id: str
    user_id: str
    amount: int
    currency: str
    provider: str
    status: TopUpStatus
    created_at: str
    updated_at: str
    provider_ref: str | None = None
    checkout_url: str | None = None
    idempotency_key: str | None = None
    transaction_id: str | None = None
    payment_intent: str | None = None
    """The provider's payment behind the paid checkout (Stripe's ``payment_intent``): how a charge's refunds
    and disputes find their session. Recorded once, when the checkout is known to be paid."""

    def same_request(self, amount: int, currency: str) -> bool:
        """Whether a create request with the same idempotency key asks for this very session."""
        return (self.amount, self.currency) == (amount, currency)


@dataclass(frozen=True, slots=True)
class ProcessedEvent:
    """A provider event we have applied (or deliberately ignored); unique per provider and event id."""

    provider: str
    event_id: str
    type: str
    outcome: WebhookOutcome
    received_at: str
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class TopUpLimits:
    """Per-currency bounds of one top-up, in minor units, and the currencies accepted at all."""

    bounds: Mapping[str, tuple[int, int]]

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(self.bounds)

    def check(self, amount: int, currency: str) -> None:
        """Raise ``InvalidArgument`` unless ``amount`` of ``currency`` may be topped up."""
        if currency not in self.bounds:
            raise InvalidArgument("Unsupported currency", code="INVALID_CURRENCY")
        low, high = self.bounds[currency]
        if amount < low:
            raise InvalidArgument(f"Minimum top-up is {to_major(low, currency)} {currency}", code="INVALID_AMOUNT")
        if amount > high:
            raise InvalidArgument(f"Maximum top-up is {to_major(high, currency)} {currency}", code="INVALID_AMOUNT")


def amounts_match(session: TopUpSession, amount: int | None, currency: str | None) -> bool:
    """Whether the provider's amount and currency are exactly the stored session's."""
    if amount is None or currency is None:
        return False
    try:
        code = currency_of(currency.upper()).code
    except InvalidArgument:
        return False
    return (amount, code) == (session.amount, session.currency)
