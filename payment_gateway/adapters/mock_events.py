"""The mock provider's ids and the Stripe-shaped event bodies it reports with, signed like Stripe's: what
:mod:`payment_gateway.adapters.mock_provider` stores is told to the gateway through these."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from typing import Any

from payment_gateway.adapters import signatures
from payment_gateway.domain.mock_checkout import MockCheckout
from payment_gateway.domain.provider import PayoutResult

MOCK_SIGNATURE_HEADER = "x-webhook-signature"
SESSION_PREFIX = "mock_session_"
PAYOUT_PREFIX = "mock_payout_"
PAYMENT_PREFIX = "mock_pi_"
CHARGE_PREFIX = "mock_ch_"
DISPUTE_PREFIX = "mock_dp_"


def mock_payment_intent(provider_ref: str) -> str:
    """The mock's payment behind a paid checkout (Stripe's ``payment_intent``)."""
    return PAYMENT_PREFIX + provider_ref.removeprefix(SESSION_PREFIX)


def mock_charge_id(provider_ref: str) -> str:
    """The mock's card charge of a paid checkout."""
    return CHARGE_PREFIX + provider_ref.removeprefix(SESSION_PREFIX)


def checkout_session_object(
    provider_ref: str,
    *,
    client_reference_id: str | None = None,
    amount_minor: int | None = None,
    currency: str | None = None,
    payment_status: str = "paid",
    status: str = "complete",
) -> dict[str, Any]:
    """A Stripe-shaped ``checkout.session`` object for a mock event (with its ``payment_intent`` once paid)."""
    return {
        "id": provider_ref,
        "object": "checkout.session",
        "client_reference_id": client_reference_id,
        "amount_total": amount_minor,
        "currency": currency.lower() if currency else None,
        "payment_status": payment_status,
        "status": status,
        "payment_intent": mock_payment_intent(provider_ref) if payment_status == "paid" else None,
        "metadata": {"session_id": client_reference_id} if client_reference_id else {},
    }


def charge_object(checkout: MockCheckout) -> dict[str, Any]:
    """A Stripe-shaped ``charge`` object of a paid mock session, with every refund so far (newest first)."""
    charge_id = mock_charge_id(checkout.provider_ref)
    refunds = [{"id": f"mock_re_{charge_id.removeprefix(CHARGE_PREFIX)}_{n}", "object": "refund", "amount": amount,
                "charge": charge_id, "currency": checkout.currency.lower(), "status": "succeeded", "created": n}
               for n, amount in enumerate(checkout.refunds, start=1)]
    return {
        "id": charge_id, "object": "charge", "amount": checkout.amount_minor, "currency": checkout.currency.lower(),
        "paid": True, "status": "succeeded", "payment_intent": mock_payment_intent(checkout.provider_ref),
        "amount_refunded": checkout.amount_refunded, "refunded": checkout.amount_refunded == checkout.amount_minor,
        "refunds": {"object": "list", "data": list(reversed(refunds)), "has_more": False},
        "metadata": {"session_id": checkout.session_id},
    }


def dispute_object(checkout: MockCheckout) -> dict[str, Any]:
    """A Stripe-shaped ``dispute`` object of a mock session's disputed charge."""
    return {
        "id": checkout.dispute_id, "object": "dispute", "amount": checkout.dispute_amount,
        "currency": checkout.currency.lower(), "charge": mock_charge_id(checkout.provider_ref),
        "payment_intent": mock_payment_intent(checkout.provider_ref), "status": checkout.dispute_status,
        "reason": "fraudulent", "metadata": {"session_id": checkout.session_id},
    }


def transfer_object(payout_id: str, result: PayoutResult) -> dict[str, Any]:
    """A Stripe-shaped ``transfer`` object of a paid mock payout, with its cumulative reversal (the body of
    ``transfer.reversed``)."""
    amount = result.amount_minor or 0
    return {
        "id": result.provider_ref, "object": "transfer", "amount": amount,
        "currency": (result.currency or "").lower(), "amount_reversed": result.amount_reversed,
        "reversed": 0 < amount <= result.amount_reversed, "transfer_group": payout_id,
        "metadata": {"payout_id": payout_id},
    }


def build_signed_event(
    event_type: str,
    data_object: Mapping[str, Any],
    *,
    secret: str,
    event_id: str | None = None,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A Stripe-shaped event body and its ``x-webhook-signature`` header, ready to POST."""
    ts = int(time.time()) if timestamp is None else timestamp
    event = {
        "id": event_id or "evt_mock_" + secrets.token_hex(12),
        "object": "event",
        "type": event_type,
        "created": ts,
        "livemode": False,
        "data": {"object": dict(data_object)},
    }
    body = json.dumps(event, separators=(",", ":")).encode("utf-8")
    return body, {MOCK_SIGNATURE_HEADER: signatures.sign_header(body, secret, timestamp=ts)}
