"""The mock provider: a development stand-in for Stripe that moves no real money.

Checkout sessions (``mock_session_<random>``) are paid on the gateway's own ``/checkout/mock/{ref}``
page. As in the original spec, verifying a session succeeds at once unless it was cancelled, so
``retrieve_checkout`` marks a created session paid. Payouts succeed at once, except that a UPI id or
holder name containing ``fail`` is declined, so failure paths can be tried by hand. Webhooks are
Stripe-shaped events signed like Stripe's, in the ``x-webhook-signature`` header, so a mock deployment
cannot be credited by anyone who can merely reach it.

State (sessions and payout outcomes) lives behind the ``MockCheckoutState`` port so that it survives
restarts; the payment gateway's store provides the real implementation. The page's use cases (show, Pay,
Cancel) are in :mod:`payment_gateway.adapters.mock_checkout`.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from payment_gateway.adapters import signatures
from payment_gateway.domain.errors import ProviderIdempotencyError
from payment_gateway.domain.events import WebhookEvent, parse_event
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.ports import MockCheckoutState, PaymentProvider
from payment_gateway.domain.provider import Checkout, CheckoutStatus, PayoutResult, PayoutStatus, SessionStatus
from payment_gateway.domain.references import check_checkout_terms, check_payout_terms, check_reference
from winzone_kernel.errors import InvalidArgument, InvalidState, NotFound

MOCK_SIGNATURE_HEADER = "x-webhook-signature"
SESSION_PREFIX = "mock_session_"
PAYOUT_PREFIX = "mock_payout_"
DECLINE_REASON = "Mock provider declined the payout"
_DECLINE_FIELDS = ("upiId", "name", "accountHolderName")


class InMemoryMockCheckoutStateForTests(MockCheckoutState):
    """Process-local state for unit tests ONLY: everything is lost on restart."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checkouts: dict[str, MockCheckout] = {}
        self._payouts: dict[str, PayoutResult] = {}

    def get(self, provider_ref: str) -> MockCheckout | None:
        with self._lock:
            return self._checkouts.get(provider_ref)

    def set(self, checkout: MockCheckout, *, expected: MockSessionState | None) -> bool:
        with self._lock:
            current = self._checkouts.get(checkout.provider_ref)
            if (current.status if current else None) != expected:
                return False
            self._checkouts[checkout.provider_ref] = checkout
            return True

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        with self._lock:
            return self._payouts.get(payout_id)

    def add_payout(self, payout_id: str, result: PayoutResult) -> PayoutResult:
        with self._lock:
            return self._payouts.setdefault(payout_id, result)


class MockProvider(PaymentProvider):
    """The mock adapter of the ``PaymentProvider`` port."""

    name = "mock"
    payout_method_types = frozenset({"upi", "bank", "stripe"})

    def __init__(
        self,
        state: MockCheckoutState,
        *,
        gateway_base_url: str,
        webhook_secret: str,
        tolerance_seconds: int = signatures.DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        if not webhook_secret:
            raise ValueError("the mock provider needs a webhook signing secret")
        self._state = state
        self._base_url = gateway_base_url.rstrip("/")
        self._secret = webhook_secret
        self._tolerance = tolerance_seconds

    def checkout_url(self, provider_ref: str) -> str:
        """The gateway page where a mock session is paid or cancelled."""
        return f"{self._base_url}/checkout/mock/{provider_ref}"

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
        """Store a new ``created`` session; each call makes a new session (callers persist the ref)."""
        check_checkout_terms(session_id, user_id, amount_minor, currency)
        provider_ref = SESSION_PREFIX + secrets.token_hex(12)
        checkout = MockCheckout(
            provider_ref=provider_ref,
            session_id=session_id,
            user_id=user_id,
            amount_minor=amount_minor,
            currency=currency,
            status=MockSessionState.CREATED,
            success_url=success_url.replace("{CHECKOUT_SESSION_ID}", provider_ref),
            cancel_url=cancel_url.replace("{CHECKOUT_SESSION_ID}", provider_ref),
        )
        if not self._state.set(checkout, expected=None):
            raise RuntimeError("mock session id collision")
        return Checkout(provider_ref=provider_ref, checkout_url=self.checkout_url(provider_ref))

    def checkout(self, provider_ref: str) -> MockCheckout:
        """The stored session, for the checkout page; ``NotFound`` if there is none."""
        found = self._state.get(provider_ref)
        if found is None:
            raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
        return found

    def pay(self, provider_ref: str) -> MockCheckout:
        """The page's Pay button: mark the session paid (again is fine); a cancelled one is refused."""
        return self._transition(provider_ref, MockSessionState.PAID)

    def cancel(self, provider_ref: str) -> MockCheckout:
        """The page's Cancel button: mark the session cancelled (again is fine); a paid one is refused."""
        return self._transition(provider_ref, MockSessionState.CANCELLED)

    def close(self, provider_ref: str) -> MockCheckout:
        """Close a session that is still ``created`` because ours expired or failed: it can no longer be paid.

        Returns the stored session; one that was paid first stays paid (the payment won the race).
        """
        return self._transition_from(self.checkout(provider_ref), MockSessionState.CANCELLED, allow_refusal=True)

    def close_checkout(self, provider_ref: str) -> bool:
        """Close the checkout (see :meth:`close`); ``False`` when it was paid first, ``True`` if there is none."""
        try:
            closed = self.close(provider_ref)
        except NotFound:
            return True
        return closed.status is not MockSessionState.PAID

    def retrieve_checkout(self, provider_ref: str) -> CheckoutStatus:
        """Paid unless cancelled: a session still ``created`` is marked paid on the spot."""
        checkout = self.checkout(provider_ref)
        if checkout.status is MockSessionState.CREATED:
            checkout = self._transition_from(checkout, MockSessionState.PAID, allow_refusal=True)
        status = SessionStatus.PAID if checkout.status is MockSessionState.PAID else SessionStatus.CANCELLED
        return CheckoutStatus(
            provider_ref=checkout.provider_ref,
            status=status,
            amount_minor=checkout.amount_minor,
            currency=checkout.currency,
            client_reference_id=checkout.session_id,
        )

    def send_payout(
        self, payout_id: str, amount_minor: int, currency: str, destination: Mapping[str, str]
    ) -> PayoutResult:
        """Pay at once, or decline when a UPI id or holder name contains ``fail``; once per payout id."""
        check_payout_terms(payout_id, amount_minor, currency)
        if not isinstance(destination, Mapping) or not any(
            isinstance(value, str) and value for value in destination.values()
        ):
            raise InvalidArgument("Payout destination is missing", code="INVALID_PAYOUT_DESTINATION")
        declined = any("fail" in str(destination.get(field, "")).lower() for field in _DECLINE_FIELDS)
        outcome = (
            PayoutResult(PayoutStatus.FAILED, None, DECLINE_REASON, amount_minor, currency)
            if declined
            else PayoutResult(PayoutStatus.PAID, PAYOUT_PREFIX + secrets.token_hex(12), None, amount_minor, currency)
        )
        recorded = self._state.add_payout(payout_id, outcome)
        if (recorded.amount_minor, recorded.currency) != (amount_minor, currency):
            raise ProviderIdempotencyError()
        return recorded

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        """The recorded outcome of ``payout_id``, or ``None`` if it was never sent."""
        check_reference(payout_id, "payout_id")
        return self._state.get_payout(payout_id)

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify ``x-webhook-signature`` over the raw body with the mock secret, then normalise."""
        header = signatures.header_value(headers, MOCK_SIGNATURE_HEADER)
        signatures.verify_header(raw_body, header, self._secret, tolerance=self._tolerance)
        try:
            payload = json.loads(raw_body)
        except (ValueError, RecursionError) as exc:
            raise InvalidArgument("Webhook body is not JSON", code="INVALID_WEBHOOK_PAYLOAD") from exc
        return parse_event(payload)

    def _transition(self, provider_ref: str, target: MockSessionState) -> MockCheckout:
        return self._transition_from(self.checkout(provider_ref), target, allow_refusal=False)

    def _transition_from(
        self, checkout: MockCheckout, target: MockSessionState, *, allow_refusal: bool
    ) -> MockCheckout:
        while checkout.status is MockSessionState.CREATED:
            if self._state.set(replace(checkout, status=target), expected=MockSessionState.CREATED):
                return replace(checkout, status=target)
            checkout = self.checkout(checkout.provider_ref)
        if checkout.status is not target and not allow_refusal:
            raise InvalidState(f"Checkout session is already {checkout.status.value}", code="CHECKOUT_CLOSED")
        return checkout


def checkout_session_object(
    provider_ref: str,
    *,
    client_reference_id: str | None = None,
    amount_minor: int | None = None,
    currency: str | None = None,
    payment_status: str = "paid",
    status: str = "complete",
) -> dict[str, Any]:
    """A Stripe-shaped ``checkout.session`` object for a mock event."""
    return {
        "id": provider_ref,
        "object": "checkout.session",
        "client_reference_id": client_reference_id,
        "amount_total": amount_minor,
        "currency": currency.lower() if currency else None,
        "payment_status": payment_status,
        "status": status,
        "metadata": {"session_id": client_reference_id} if client_reference_id else {},
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
