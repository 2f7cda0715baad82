"""Provider webhook events: the Stripe-shaped payload both providers send, normalised and validated.

The parser refuses what no provider sends as ``InvalidArgument`` (``INVALID_WEBHOOK_PAYLOAD``) and drops
odd fields, so a correctly signed but malformed body is a 400, never a 5xx after part of it was applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TypeGuard

from payment_gateway.domain.provider import REVERSED_REASON, PayoutStatus, SessionStatus
from winzone_kernel.errors import InvalidArgument

CHECKOUT_EVENT_TYPES = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
CHARGE_REFUNDED = "charge.refunded"
DISPUTE_CREATED = "charge.dispute.created"
DISPUTE_CLOSED = "charge.dispute.closed"
CHARGE_EVENT_TYPES = frozenset({CHARGE_REFUNDED, DISPUTE_CREATED, DISPUTE_CLOSED})
"""Money the provider took back (or may take back) from a top-up's charge."""
_DEAD_REFUNDS = frozenset({"failed", "canceled"})
_PAYOUT_EVENT_STATUS = {
    "payout.paid": PayoutStatus.PAID,
    "payout.failed": PayoutStatus.FAILED,
    "payout.canceled": PayoutStatus.FAILED,
}
_REASON_MAX = 200
_EVENT_FIELD = re.compile(r"[\x21-\x7e]{1,255}")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


@dataclass(frozen=True, slots=True)
class RefundStep:
    """One refund of a charge: its ``amount`` and the charge's cumulative refunded amount after it."""

    cumulative: int
    amount: int


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified provider event, normalised.

    ``status`` is what the event means for our object: a :class:`SessionStatus` for ``checkout.session.*``
    (``PAID`` only when the session's ``payment_status`` is ``paid``), a :class:`PayoutStatus` for
    ``transfer.*`` / ``payout.*``, and ``None`` for anything that must not change state, including
    ``payment_intent.payment_failed``: Checkout lets the player retry with another card, so a failed
    attempt never fails the session. ``client_reference_id`` is our top-up session id and ``payout_id``
    our payout id, when the event carries them. ``amount_reversed`` is a transfer's cumulative reversed
    amount: a partial reversal (``reversed`` still false) is ``PAID`` with it, a full one ``FAILED``.
    ``payment_intent`` is the provider's payment behind a paid checkout, and of a charge or dispute (how
    ``charge.refunded`` and ``charge.dispute.*`` find their top-up); ``charge_id``, ``dispute_id`` and
    ``dispute_status`` come with those, ``amount_minor`` being the charge's or the disputed amount.
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
    amount_reversed: int | None = None
    payment_intent: str | None = None
    charge_id: str | None = None
    dispute_id: str | None = None
    dispute_status: str | None = None
    refund_steps: tuple[RefundStep, ...] = ()
    """For ``charge.refunded``: every refund of the charge so far, oldest first (from its ``refunds`` list,
    else from the event's ``previous_attributes``); the last step's ``cumulative`` is ``amount_refunded``."""

    @classmethod
    def from_payload(cls, payload: object) -> WebhookEvent:
        """Normalise a Stripe-shaped event (``{"id", "type", "data": {"object": {...}}}``)."""
        return parse_event(payload)


def parse_event(payload: object) -> WebhookEvent:
    """Normalise a Stripe-shaped event; ``InvalidArgument`` (``INVALID_WEBHOOK_PAYLOAD``) if it is none."""
    if not isinstance(payload, Mapping):
        raise _malformed()
    event_id, event_type = payload.get("id"), payload.get("type")
    if not _is_event_field(event_id) or not _is_event_field(event_type):
        raise _malformed()
    data = payload.get("data")
    found = data.get("object") if isinstance(data, Mapping) else None
    obj: Mapping[str, object] = found if isinstance(found, Mapping) else {}
    metadata = _metadata(obj)
    base = WebhookEvent(
        event_id=event_id, type=event_type, object_ref=_text(obj.get("id")), client_reference_id=None,
        amount_minor=_amount(obj.get("amount")), currency=_currency(obj.get("currency")), status=None,
        payment_status=None, payout_id=None,
    )
    if event_type.startswith("checkout.session."):
        payment_status = _text(obj.get("payment_status"))
        return replace(
            base,
            client_reference_id=_text(obj.get("client_reference_id")) or _text(metadata.get("session_id")),
            amount_minor=_amount(obj.get("amount_total")),
            payment_status=payment_status,
            status=_checkout_event_status(event_type, payment_status),
            payment_intent=_ref(obj.get("payment_intent")),
        )
    if event_type == CHARGE_REFUNDED:
        previous = data.get("previous_attributes") if isinstance(data, Mapping) else None
        return replace(
            base, charge_id=base.object_ref, payment_intent=_ref(obj.get("payment_intent")),
            client_reference_id=_text(metadata.get("session_id")),
            refund_steps=_refund_steps(obj, previous if isinstance(previous, Mapping) else {}),
        )
    if event_type.startswith("charge.dispute."):
        return replace(
            base, dispute_id=base.object_ref, charge_id=_ref(obj.get("charge")),
            payment_intent=_ref(obj.get("payment_intent")), dispute_status=_text(obj.get("status")),
            client_reference_id=_text(metadata.get("session_id")),
        )
    if event_type.startswith("payment_intent."):
        return replace(base, client_reference_id=_text(metadata.get("session_id")),
                       failure_reason=_payment_error_reason(obj.get("last_payment_error")))
    if event_type.startswith("transfer."):
        fully, amount_reversed = _transfer_reversal(event_type, obj, base.amount_minor)
        return replace(
            base,
            payout_id=_text(metadata.get("payout_id")) or _text(obj.get("transfer_group")),
            status=PayoutStatus.FAILED if fully else PayoutStatus.PAID,
            failure_reason=(REVERSED_REASON if fully
                            else "Transfer was partially reversed" if amount_reversed else None),
            amount_reversed=amount_reversed,
        )
    if event_type.startswith("payout."):
        status = _PAYOUT_EVENT_STATUS.get(event_type, PayoutStatus.PENDING)
        reason = _text(obj.get("failure_message")) or _text(obj.get("failure_code"))
        return replace(
            base,
            payout_id=_text(metadata.get("payout_id")),
            status=status,
            failure_reason=(reason or "Payout failed")[:_REASON_MAX] if status is PayoutStatus.FAILED else None,
        )
    return base


def transfer_reversal(fields: Mapping[str, object]) -> tuple[bool, int]:
    """Whether a transfer object is fully reversed, and its cumulative ``amount_reversed`` (the whole amount
    when fully reversed without a figure); a negative figure is no transfer."""
    return _transfer_reversal("transfer.updated", fields, _amount(fields.get("amount")))


def _transfer_reversal(event_type: str, obj: Mapping[str, object], amount: int | None) -> tuple[bool, int]:
    amount_reversed = _amount(obj.get("amount_reversed"))
    if amount_reversed is not None and amount_reversed < 0:
        raise _malformed()
    fully = obj.get("reversed") is True or (
        amount_reversed is not None and amount is not None and 0 < amount <= amount_reversed)
    if event_type == "transfer.reversed" and amount_reversed is None:
        fully = True
    if fully:
        return True, amount_reversed or amount or 0
    return False, amount_reversed or 0


def _refund_steps(charge: Mapping[str, object], previous: Mapping[str, object]) -> tuple[RefundStep, ...]:
    total = _amount(charge.get("amount_refunded"))
    if total is None or total <= 0:
        return ()
    listed = charge.get("refunds")
    items = listed.get("data") if isinstance(listed, Mapping) else listed
    refunds = [r for r in items if isinstance(r, Mapping)] if isinstance(items, list) else []
    refunds = [r for r in refunds if r.get("status") not in _DEAD_REFUNDS]
    refunds.sort(key=lambda r: (_amount(r.get("created")) or 0, _text(r.get("id")) or ""))
    steps: list[RefundStep] = []
    cumulative = 0
    for refund in refunds:
        amount = _amount(refund.get("amount"))
        if amount is None or amount <= 0:
            raise _malformed()
        if cumulative + amount > total:
            break
        cumulative += amount
        steps.append(RefundStep(cumulative, amount))
    if not steps:
        before = _amount(previous.get("amount_refunded"))
        cumulative = before if before is not None and 0 <= before < total else 0
    if cumulative < total:
        steps.append(RefundStep(total, total - cumulative))
    return tuple(steps)


def _ref(value: object) -> str | None:
    """An id, or the id of an expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    found = _text(value)
    return found if found is not None and _EVENT_FIELD.fullmatch(found) else None


def _metadata(obj: Mapping[str, object]) -> Mapping[str, object]:
    metadata = obj.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def _malformed() -> InvalidArgument:
    return InvalidArgument("Webhook body is not a provider event", code="INVALID_WEBHOOK_PAYLOAD")


def _is_event_field(value: object) -> TypeGuard[str]:
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
