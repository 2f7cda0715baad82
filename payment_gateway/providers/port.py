"""The payment provider port: what the payment gateway needs from a provider, in our own terms.

Amounts are integer minor units with an upper-case ISO-4217 code on this side of the port; adapters
translate to and from the provider's shapes and errors. Outcomes and errors:

* ``create_checkout`` / ``retrieve_checkout`` / ``get_payout`` raise :class:`ProviderUnavailable` when the
  provider cannot be reached or fails (5xx, timeout, rate limit, rejected credentials): retry later.
* ``send_payout`` never raises for a provider failure whose outcome is unknown. A timeout or 5xx may
  have moved the money, so it returns ``PayoutStatus.PENDING``; resolve it with ``get_payout`` or by
  sending again with the same payout id (the provider idempotency key). A definite refusal by the
  provider (insufficient platform balance, invalid destination, ...) returns ``PayoutStatus.FAILED`` with
  a reason that is safe to show. :class:`ProviderIdempotencyError` means the payout id was already used
  with different parameters: a bug, never a payout outcome.
* ``parse_webhook`` raises :class:`InvalidSignature` for any missing or bad signature, and
  ``InvalidArgument`` (``INVALID_WEBHOOK_PAYLOAD``) for a correctly signed body that is not an event.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from winzone_kernel.errors import IdempotencyConflict, InvalidArgument, Unavailable


class InvalidSignature(InvalidArgument):
    """A webhook's signature header is missing, malformed, stale or does not match its raw body."""

    default_code = "INVALID_SIGNATURE"
    default_message = "Invalid signature"


class ProviderRejected(InvalidArgument):
    """The provider refused a checkout request as invalid (e.g. an amount below its minimum)."""

    default_code = "PROVIDER_REJECTED"
    default_message = "The payment provider rejected the request"


class ProviderIdempotencyError(IdempotencyConflict):
    """Our id (the provider idempotency key) was already used with different parameters."""

    default_code = "PROVIDER_IDEMPOTENCY_CONFLICT"
    default_message = "The payment provider saw this id with different parameters"


class ProviderUnavailable(Unavailable):
    """The provider could not be reached or did not give a definite answer; retry later."""

    default_code = "PROVIDER_UNAVAILABLE"
    default_message = "The payment provider is unavailable"


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


CHECKOUT_EVENT_TYPES = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
_REASON_MAX = 200
_EVENT_FIELD = re.compile(r"[\x21-\x7e]{1,255}")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified provider event, normalised.

    ``status`` is what the event means for our object: a :class:`SessionStatus` for ``checkout.session.*``
    (``PAID`` only when the session's ``payment_status`` is ``paid``), a :class:`PayoutStatus` for
    ``transfer.*`` / ``payout.*``, and ``None`` for anything that must not change state, including
    ``payment_intent.payment_failed``: Checkout lets the player retry with another card, so a failed
    attempt never fails the session. ``client_reference_id`` is our top-up session id and ``payout_id``
    our payout id, when the event carries them.
    """

    event_id: str
    type: str
    object_ref: str | None
    client_reference_id: str | None
    amount_minor: int | None
    currency: str | None
    status: SessionStatus | PayoutStatus | None
    payment_status: str | None
    payout_id: str | None
    failure_reason: str | None = None

    @classmethod
    def from_payload(cls, payload: object) -> WebhookEvent:
        """Normalise a Stripe-shaped event (``{"id", "type", "data": {"object": {...}}}``)."""
        if not isinstance(payload, Mapping):
            raise _malformed()
        event_id, event_type = payload.get("id"), payload.get("type")
        if not _is_event_field(event_id) or not _is_event_field(event_type):
            raise _malformed()
        data = payload.get("data")
        obj = data.get("object") if isinstance(data, Mapping) else None
        if not isinstance(obj, Mapping):
            obj = {}
        metadata = obj.get("metadata")
        if not isinstance(metadata, Mapping):
            metadata = {}
        base: dict[str, Any] = {
            "event_id": event_id,
            "type": event_type,
            "object_ref": _text(obj.get("id")),
            "client_reference_id": None,
            "amount_minor": _amount(obj.get("amount")),
            "currency": _currency(obj.get("currency")),
            "status": None,
            "payment_status": None,
            "payout_id": None,
        }
        if event_type.startswith("checkout.session."):
            payment_status = _text(obj.get("payment_status"))
            base.update(
                client_reference_id=_text(obj.get("client_reference_id")) or _text(metadata.get("session_id")),
                amount_minor=_amount(obj.get("amount_total")),
                payment_status=payment_status,
                status=_checkout_event_status(event_type, payment_status),
            )
        elif event_type.startswith("payment_intent."):
            base.update(
                client_reference_id=_text(metadata.get("session_id")),
                failure_reason=_payment_error_reason(obj.get("last_payment_error")),
            )
        elif event_type.startswith("transfer."):
            reversed_ = event_type == "transfer.reversed" or obj.get("reversed") is True
            base.update(
                payout_id=_text(metadata.get("payout_id")) or _text(obj.get("transfer_group")),
                status=PayoutStatus.FAILED if reversed_ else PayoutStatus.PAID,
                failure_reason="Transfer was reversed" if reversed_ else None,
            )
        elif event_type.startswith("payout."):
            status = {
                "payout.paid": PayoutStatus.PAID,
                "payout.failed": PayoutStatus.FAILED,
                "payout.canceled": PayoutStatus.FAILED,
            }.get(event_type, PayoutStatus.PENDING)
            reason = _text(obj.get("failure_message")) or _text(obj.get("failure_code"))
            base.update(
                payout_id=_text(metadata.get("payout_id")),
                status=status,
                failure_reason=(reason or "Payout failed")[:_REASON_MAX] if status is PayoutStatus.FAILED else None,
            )
        return cls(**base)


class PaymentProvider(ABC):
    """A payment provider: hosted checkout for top-ups, payouts, and signed webhooks."""

    name: ClassVar[str]
    payout_method_types: ClassVar[frozenset[str]]
    """Payout method types (``upi``, ``bank``, ``stripe``) this provider can pay out to."""

    @abstractmethod
    def create_checkout(
        self,
        session_id: str,
        user_id: str,
        amount_minor: int,
        currency: str,
        success_url: str,
        cancel_url: str,
        metadata: Mapping[str, str] | None = None,
    ) -> Checkout:
        """Create a hosted checkout for our top-up ``session_id``.

        ``success_url`` / ``cancel_url`` may contain ``{CHECKOUT_SESSION_ID}``, which the provider replaces
        with the provider ref. Raises ``InvalidArgument`` for bad input, :class:`ProviderRejected` or
        :class:`ProviderUnavailable`.
        """

    @abstractmethod
    def retrieve_checkout(self, provider_ref: str) -> CheckoutStatus:
        """The session's current status; ``NotFound`` (``CHECKOUT_NOT_FOUND``) if the provider has none."""

    @abstractmethod
    def send_payout(
        self, payout_id: str, amount_minor: int, currency: str, destination: Mapping[str, str]
    ) -> PayoutResult:
        """Send money once per ``payout_id``; sending again with the same id returns the same outcome.

        ``destination`` is the payout method's details (``{"accountId": "acct_..."}``,
        ``{"upiId", "name"}`` or ``{"accountNumber", "ifsc", "accountHolderName"}``).
        """

    @abstractmethod
    def get_payout(self, payout_id: str) -> PayoutResult | None:
        """Look a payout up by OUR payout id; ``None`` when the provider has no record of it."""

    @abstractmethod
    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify the signature over the exact raw body, then normalise the event."""


_REFERENCE = re.compile(r"[A-Za-z0-9_\-.:]{1,200}")


def is_reference(value: object) -> bool:
    """Whether ``value`` has the shape of one of our ids or a provider reference (1-200 of ``[A-Za-z0-9_-.:]``)."""
    return isinstance(value, str) and _REFERENCE.fullmatch(value) is not None


def check_reference(value: object, field: str) -> str:
    """Validate one of our ids before it becomes a provider reference or idempotency key."""
    if not is_reference(value):
        raise InvalidArgument(f"{field} must be 1-200 letters, digits or _-.:", code="INVALID_REFERENCE")
    return value


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup (HTTP header names are case-insensitive)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def mask(value: str | None) -> str:
    """A reference safe to log: its prefix and last four characters (``acct_…1a2B``)."""
    if not value:
        return ""
    prefix = value.split("_", 1)[0] + "_" if "_" in value else ""
    return f"{prefix}…{value[-4:]}" if len(value) > len(prefix) + 4 else f"{prefix}…"


def _malformed() -> InvalidArgument:
    return InvalidArgument("Webhook body is not a provider event", code="INVALID_WEBHOOK_PAYLOAD")


def _is_event_field(value: object) -> bool:
    """Event ids and types are short printable ASCII (``evt_...``, ``checkout.session.completed``)."""
    return isinstance(value, str) and _EVENT_FIELD.fullmatch(value) is not None


def _text(value: object) -> str | None:
    """A non-empty string that can be stored and sent on (JSON escapes can smuggle in lone surrogates)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _amount(value: object) -> int | None:
    """An integer amount; one that no int64 field can carry is not a provider event (never a 500 later)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise _malformed()
    return value


def _currency(value: object) -> str | None:
    if isinstance(value, str) and len(value) == 3 and value.isascii() and value.isalpha():
        return value.upper()
    return None


def _checkout_event_status(event_type: str, payment_status: str | None) -> SessionStatus | None:
    if event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        return SessionStatus.PAID if payment_status == "paid" else SessionStatus.UNPAID
    if event_type == "checkout.session.async_payment_failed":
        return SessionStatus.FAILED
    if event_type == "checkout.session.expired":
        return SessionStatus.EXPIRED
    return None


def _payment_error_reason(error: object) -> str | None:
    if not isinstance(error, Mapping):
        return None
    reason = _text(error.get("message")) or _text(error.get("decline_code")) or _text(error.get("code"))
    return reason[:_REASON_MAX] if reason else None
