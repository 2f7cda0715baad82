"""The mock provider: a development stand-in for Stripe that moves no real money.

Checkout sessions (``mock_session_<random>``) are paid on the gateway's own ``/checkout/mock/{ref}``
page. As in the original spec, verifying a session succeeds at once unless it was cancelled, so
``retrieve_checkout`` marks a created session paid. Payouts succeed at once, except that a UPI id or
holder name containing ``fail`` is declined, so failure paths can be tried by hand. A paid session is also
the mock's card charge (``mock_ch_...`` of the payment ``mock_pi_...``), which can be refunded and disputed
(``refund``, ``open_dispute``, ``close_dispute``) for the ``charge.*`` events to send, and a paid payout
reversed (``reverse_payout``) for ``transfer.reversed``. Webhooks are
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
from collections.abc import Mapping
from dataclasses import replace

from payment_gateway.adapters import signatures
from payment_gateway.adapters.mock_events import (
    DISPUTE_PREFIX,
    MOCK_SIGNATURE_HEADER,
    PAYOUT_PREFIX,
    SESSION_PREFIX,
    mock_payment_intent,
)
from payment_gateway.domain.errors import ProviderIdempotencyError
from payment_gateway.domain.events import WebhookEvent, parse_event
from payment_gateway.domain.mock_checkout import DISPUTE_OPEN, DISPUTE_OUTCOMES, MockCheckout, MockSessionState
from payment_gateway.domain.ports import MockCheckoutState, PaymentProvider
from payment_gateway.domain.provider import (
    Checkout,
    CheckoutStatus,
    PayoutResult,
    PayoutStatus,
    SessionStatus,
    with_reversal,
)
from payment_gateway.domain.references import check_checkout_terms, check_payout_terms, check_reference
from winzone_kernel.errors import InvalidArgument, InvalidState, NotFound

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

    def reverse_payout(self, payout_id: str, amount_reversed: int) -> PayoutResult | None:
        with self._lock:
            found = self._payouts.get(payout_id)
            if found is None:
                return None
            self._payouts[payout_id] = with_reversal(found, amount_reversed)
            return self._payouts[payout_id]


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
        return self._status(checkout)

    def lookup_checkout(self, provider_ref: str) -> CheckoutStatus:
        """The mock session as it stands: ``unpaid`` while nobody has paid it, never paid on the spot."""
        checkout = self.checkout(provider_ref)
        if checkout.status is MockSessionState.CREATED:
            return CheckoutStatus(provider_ref=checkout.provider_ref, status=SessionStatus.UNPAID,
                                  amount_minor=checkout.amount_minor, currency=checkout.currency,
                                  client_reference_id=checkout.session_id, payment_intent=None)
        return self._status(checkout)

    def _status(self, checkout: MockCheckout) -> CheckoutStatus:
        paid = checkout.status is MockSessionState.PAID
        return CheckoutStatus(
            provider_ref=checkout.provider_ref,
            status=SessionStatus.PAID if paid else SessionStatus.CANCELLED,
            amount_minor=checkout.amount_minor,
            currency=checkout.currency,
            client_reference_id=checkout.session_id,
            payment_intent=mock_payment_intent(checkout.provider_ref) if paid else None,
        )

    def refund(self, provider_ref: str, amount_minor: int | None = None) -> MockCheckout:
        """Refund ``amount_minor`` (by default all that is left) of a paid session's charge; return the session,
        whose :func:`charge_object` is the body of the ``charge.refunded`` event to send."""
        while True:
            checkout = self._paid(provider_ref)
            left = checkout.amount_minor - checkout.amount_refunded
            amount = left if amount_minor is None else amount_minor
            if not 0 < amount <= left:
                raise InvalidArgument(f"A refund must be between 1 and {left} minor units", code="INVALID_AMOUNT")
            refunded = replace(checkout, refunds=(*checkout.refunds, amount))
            if self._state.set(refunded, expected=MockSessionState.PAID):
                return refunded

    def open_dispute(self, provider_ref: str, amount_minor: int | None = None) -> MockCheckout:
        """The card holder disputes ``amount_minor`` (by default all) of a paid session's charge; return the
        session, whose :func:`dispute_object` is the body of ``charge.dispute.created``."""
        checkout = self._paid(provider_ref)
        if checkout.dispute_id is not None:
            raise InvalidState("The charge is already disputed", code="CHARGE_DISPUTED")
        amount = checkout.amount_minor if amount_minor is None else amount_minor
        if not 0 < amount <= checkout.amount_minor:
            raise InvalidArgument("A dispute must be for part or all of the charge", code="INVALID_AMOUNT")
        disputed = replace(checkout, dispute_id=DISPUTE_PREFIX + secrets.token_hex(12), dispute_amount=amount,
                           dispute_status=DISPUTE_OPEN)
        if not self._state.set(disputed, expected=MockSessionState.PAID):
            raise InvalidState("The charge changed meanwhile; try again", code="CHARGE_DISPUTED")
        return disputed

    def close_dispute(self, provider_ref: str, status: str) -> MockCheckout:
        """Decide the open dispute of a session's charge (``won`` or ``lost``); return the session, whose
        :func:`dispute_object` is the body of ``charge.dispute.closed``."""
        if status not in DISPUTE_OUTCOMES:
            raise InvalidArgument("A dispute is closed won or lost", code="INVALID_DISPUTE_STATUS")
        checkout = self._paid(provider_ref)
        if checkout.dispute_id is None or checkout.dispute_status not in (DISPUTE_OPEN, status):
            raise InvalidState("The charge has no open dispute", code="NO_OPEN_DISPUTE")
        closed = replace(checkout, dispute_status=status)
        if not self._state.set(closed, expected=MockSessionState.PAID):
            raise InvalidState("The charge changed meanwhile; try again", code="NO_OPEN_DISPUTE")
        return closed

    def _paid(self, provider_ref: str) -> MockCheckout:
        checkout = self.checkout(provider_ref)
        if checkout.status is not MockSessionState.PAID:
            raise InvalidState("Only a paid session's charge can be refunded or disputed", code="CHARGE_NOT_PAID")
        return checkout

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

    def reverse_payout(self, payout_id: str, amount_minor: int | None = None) -> PayoutResult:
        """The beneficiary's bank returns ``amount_minor`` more (by default all that is left) of a paid payout;
        return the recorded outcome, whose :func:`transfer_object` is the body of ``transfer.reversed``."""
        check_reference(payout_id, "payout_id")
        found = self._state.get_payout(payout_id)
        if found is None:
            raise NotFound("Payout not found", code="PAYOUT_NOT_FOUND")
        if found.provider_ref is None or found.amount_minor is None or (
                found.status is not PayoutStatus.PAID and found.amount_reversed < found.amount_minor):
            raise InvalidState("Only a paid payout can be reversed", code="PAYOUT_NOT_PAID")
        left = found.amount_minor - found.amount_reversed
        amount = left if amount_minor is None else amount_minor
        if left <= 0:
            raise InvalidState("The payout is already reversed in full", code="PAYOUT_REVERSED")
        if not 0 < amount <= left:
            raise InvalidArgument(f"A reversal must be between 1 and {left} minor units", code="INVALID_AMOUNT")
        recorded = self._state.reverse_payout(payout_id, found.amount_reversed + amount)
        if recorded is None:
            raise NotFound("Payout not found", code="PAYOUT_NOT_FOUND")
        return recorded

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
