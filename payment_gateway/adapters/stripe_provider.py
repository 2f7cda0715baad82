"""The Stripe adapter of the payment provider port, over ``stripe.StripeClient`` (stripe >= 16).

* Top-ups are Checkout Sessions in ``payment`` mode with inline ``price_data`` in minor units; our session
  id is the ``client_reference_id``, part of the metadata (also on the PaymentIntent) and of the
  idempotency key, so creating twice within Stripe's 24 h idempotency window returns the same session.
* Verification retrieves the session and trusts only its ``payment_status``; a paid one's ``payment_intent``
  is how the charge's ``charge.refunded`` and ``charge.dispute.*`` events find the top-up again.
* Payouts are Connect transfers to an ``acct_...`` destination with ``transfer_group`` and
  ``metadata[payout_id]`` set to our payout id and an idempotency key derived from it; ``get_payout``
  finds them again by listing transfers of that group, and ``send_payout`` does so before sending.
* Webhooks are verified by ``StripeClient.construct_event`` on the raw body.

Stripe's error classes are translated here and nowhere else; see :mod:`payment_gateway.domain.ports`
for what each outcome means to the caller. Logs carry Stripe's error type, code, status and request id,
never Stripe's message text (it can quote account ids) nor a full account id.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import stripe

from payment_gateway.adapters import signatures
from payment_gateway.domain.errors import (
    InvalidSignature,
    ProviderIdempotencyError,
    ProviderRejected,
    ProviderUnavailable,
)
from payment_gateway.domain.events import WebhookEvent, parse_event, transfer_reversal
from payment_gateway.domain.ports import PaymentProvider
from payment_gateway.domain.provider import Checkout, CheckoutStatus, PayoutResult, PayoutStatus, SessionStatus
from payment_gateway.domain.references import check_checkout_terms, check_payout_terms, check_reference, mask
from winzone_kernel.errors import InvalidArgument, NotFound, WinzoneError

if TYPE_CHECKING:
    from stripe.params import TransferCreateParams
    from stripe.params.checkout import SessionCreateParams

log = logging.getLogger(__name__)

STRIPE_SIGNATURE_HEADER = "Stripe-Signature"
DEFAULT_MAX_NETWORK_RETRIES = 2
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_PRODUCT_NAME = "WinZone wallet top-up"
CHECKOUT_KEY_PREFIX = "winzone_checkout_"
PAYOUT_KEY_PREFIX = "winzone_payout_"

_ACCOUNT_ID = re.compile(r"acct_[A-Za-z0-9]{1,64}")
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,64}")
_INSUFFICIENT_BALANCE = "Insufficient platform balance at the payment provider"
_DECLINE_REASONS = {
    "balance_insufficient": _INSUFFICIENT_BALANCE,
    "insufficient_funds": _INSUFFICIENT_BALANCE,
    "resource_missing": "The destination account does not exist",
    "account_invalid": "The destination account cannot receive transfers",
    "transfers_not_allowed": "Transfers to the destination account are not allowed",
    "amount_too_small": "The payout amount is below the provider's minimum",
    "amount_too_large": "The payout amount is above the provider's maximum",
}


def create_stripe_client(
    api_key: str,
    *,
    max_network_retries: int = DEFAULT_MAX_NETWORK_RETRIES,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    api_base: str | None = None,
) -> stripe.StripeClient:
    """A ``StripeClient`` with bounded retries and a request timeout (the SDK default is 80 s).

    ``api_base`` points the client at another host (a test stand-in, stripe-mock); retried POSTs reuse
    their idempotency key, so retries never duplicate a transfer.
    """
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=max_network_retries,
        http_client=stripe.RequestsClient(timeout=timeout_seconds),
    )


class StripeProvider(PaymentProvider):
    """Stripe Checkout for top-ups, Connect transfers for payouts, signed Stripe webhooks."""

    name = "stripe"
    payout_method_types = frozenset({"stripe"})

    def __init__(
        self,
        client: stripe.StripeClient,
        *,
        webhook_secret: str,
        product_name: str = DEFAULT_PRODUCT_NAME,
        tolerance_seconds: int = signatures.DEFAULT_TOLERANCE_SECONDS,
    ) -> None:
        if not webhook_secret:
            raise ValueError("the Stripe provider needs STRIPE_WEBHOOK_SECRET")
        self._client = client
        self._webhook_secret = webhook_secret
        self._product_name = product_name
        self._tolerance = tolerance_seconds

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
        """Create a hosted Checkout Session; idempotent per ``session_id`` for 24 h."""
        check_checkout_terms(session_id, user_id, amount_minor, currency)
        ours = {"session_id": session_id, "user_id": user_id}
        params: SessionCreateParams = {
            "mode": "payment",
            "client_reference_id": session_id,
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": amount_minor,
                        "product_data": {"name": self._product_name},
                    },
                }
            ],
            "metadata": {**(metadata or {}), **ours},
            "payment_intent_data": {"metadata": ours},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        try:
            session = self._client.v1.checkout.sessions.create(
                params, {"idempotency_key": CHECKOUT_KEY_PREFIX + session_id}
            )
        except stripe.StripeError as exc:
            raise _request_error(exc, "checkout.create") from exc
        fields = session.to_dict()
        provider_ref, url = fields.get("id"), fields.get("url")
        if not isinstance(provider_ref, str) or not isinstance(url, str):
            raise ProviderUnavailable("The payment provider returned an incomplete checkout session")
        return Checkout(provider_ref=provider_ref, checkout_url=url)

    def retrieve_checkout(self, provider_ref: str) -> CheckoutStatus:
        """Retrieve the session; ``PAID`` only when Stripe's ``payment_status`` is ``paid``."""
        check_reference(provider_ref, "provider_ref")
        try:
            session = self._client.v1.checkout.sessions.retrieve(provider_ref)
        except stripe.StripeError as exc:
            if isinstance(exc, stripe.InvalidRequestError) and exc.http_status == 404:
                raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND") from exc
            raise _request_error(exc, "checkout.retrieve") from exc
        fields = session.to_dict()
        if fields.get("payment_status") == "paid":
            status = SessionStatus.PAID
        elif fields.get("status") == "expired":
            status = SessionStatus.EXPIRED
        else:
            status = SessionStatus.UNPAID
        amount = fields.get("amount_total")
        currency = fields.get("currency")
        reference = fields.get("client_reference_id")
        return CheckoutStatus(
            provider_ref=provider_ref,
            status=status,
            amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
            currency=currency.upper() if isinstance(currency, str) else None,
            client_reference_id=reference if isinstance(reference, str) else None,
            payment_intent=_payment_intent(fields.get("payment_intent")) if status is SessionStatus.PAID else None,
        )

    def close_checkout(self, provider_ref: str) -> bool:
        """Nothing to do: Stripe closes its own sessions and reports them by webhook, and a session it
        reports expired or failed can no longer be paid."""
        return True

    def send_payout(
        self, payout_id: str, amount_minor: int, currency: str, destination: Mapping[str, str]
    ) -> PayoutResult:
        """Transfer to ``destination["accountId"]``; FAILED on a definite refusal, PENDING if unknown.

        The transfer is looked up first, so sending again after Stripe's 24 h idempotency-key window
        returns the earlier transfer instead of paying twice; within the window the idempotency key
        covers concurrent sends.
        """
        check_payout_terms(payout_id, amount_minor, currency)
        account = destination.get("accountId") if isinstance(destination, Mapping) else None
        if not isinstance(account, str) or not _ACCOUNT_ID.fullmatch(account):
            raise InvalidArgument(
                "Stripe payouts need a connected account id (acct_...)", code="INVALID_PAYOUT_DESTINATION"
            )
        try:
            existing = self.get_payout(payout_id)
        except (ProviderUnavailable, ProviderRejected):
            return PayoutResult(PayoutStatus.PENDING, None, None, amount_minor, currency)
        if existing is not None:
            if (existing.amount_minor, existing.currency) != (amount_minor, currency):
                raise ProviderIdempotencyError()
            return existing
        params: TransferCreateParams = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "destination": account,
            "transfer_group": payout_id,
            "metadata": {"payout_id": payout_id},
            "description": "WinZone payout",
        }
        try:
            transfer = self._client.v1.transfers.create(params, {"idempotency_key": PAYOUT_KEY_PREFIX + payout_id})
        except stripe.IdempotencyError as exc:
            _log_error(exc, "transfer.create", payout_id=payout_id, destination=mask(account))
            raise ProviderIdempotencyError() from exc
        except (stripe.CardError, stripe.InvalidRequestError) as exc:
            _log_error(exc, "transfer.create", payout_id=payout_id, destination=mask(account))
            return PayoutResult(PayoutStatus.FAILED, None, _decline_reason(exc.code), amount_minor, currency)
        except stripe.StripeError as exc:
            _log_error(exc, "transfer.create", payout_id=payout_id, destination=mask(account), outcome="unknown")
            return PayoutResult(PayoutStatus.PENDING, None, None, amount_minor, currency)
        return _transfer_result(transfer.to_dict())

    def get_payout(self, payout_id: str) -> PayoutResult | None:
        """Find the transfer whose ``transfer_group`` is our payout id; a fully reversed one reports FAILED, a
        partially reversed one PAID with its ``amount_reversed``."""
        check_reference(payout_id, "payout_id")
        try:
            page = self._client.v1.transfers.list({"transfer_group": payout_id, "limit": 10})
        except stripe.StripeError as exc:
            raise _request_error(exc, "transfer.list") from exc
        found = [
            item
            for item in page.to_dict().get("data") or []
            if isinstance(item, Mapping)
            and (item.get("transfer_group") == payout_id or (item.get("metadata") or {}).get("payout_id") == payout_id)
        ]
        if not found:
            return None
        if len(found) > 1:
            log.error(
                "several provider transfers for one payout",
                extra={"fields": {"payout_id": payout_id, "count": len(found)}},
            )
        live = [item for item in found if item.get("reversed") is not True]
        return _transfer_result((live or found)[0])

    def parse_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Verify ``Stripe-Signature`` with ``construct_event`` on the raw body, then normalise."""
        if not isinstance(raw_body, bytes | bytearray):
            raise TypeError("verify the raw request body as bytes")
        try:
            header = signatures.header_value(headers, STRIPE_SIGNATURE_HEADER)
            event = self._client.construct_event(raw_body, header, self._webhook_secret, self._tolerance)
            payload = event.to_dict()
        except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
            raise InvalidSignature() from exc
        except (ValueError, RecursionError) as exc:
            raise InvalidArgument("Webhook body is not a Stripe event", code="INVALID_WEBHOOK_PAYLOAD") from exc
        return parse_event(payload)


def _payment_intent(value: object) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _transfer_result(fields: Mapping[str, Any]) -> PayoutResult:
    amount = fields.get("amount")
    currency = fields.get("currency")
    reversed_, amount_reversed = transfer_reversal(fields)
    ref = fields.get("id")
    return PayoutResult(
        status=PayoutStatus.FAILED if reversed_ else PayoutStatus.PAID,
        provider_ref=ref if isinstance(ref, str) else None,
        failure_reason="Transfer was reversed" if reversed_ else None,
        amount_minor=amount if isinstance(amount, int) and not isinstance(amount, bool) else None,
        currency=currency.upper() if isinstance(currency, str) else None,
        amount_reversed=amount_reversed,
    )


def _decline_reason(code: str | None) -> str:
    if code in _DECLINE_REASONS:
        return _DECLINE_REASONS[code]
    if code and _ERROR_CODE.fullmatch(code):
        return f"The payment provider declined the payout ({code})"
    return "The payment provider declined the payout"


def _request_error(exc: stripe.StripeError, operation: str) -> WinzoneError:
    _log_error(exc, operation)
    if isinstance(exc, stripe.IdempotencyError):
        return ProviderIdempotencyError()
    if isinstance(exc, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderUnavailable("The payment provider refused our credentials", code="PROVIDER_AUTH_FAILED")
    if isinstance(exc, stripe.InvalidRequestError | stripe.CardError):
        return ProviderRejected()
    return ProviderUnavailable()


def _log_error(exc: stripe.StripeError, operation: str, **fields: object) -> None:
    log.warning(
        "payment provider call failed",
        extra={
            "fields": {
                "operation": operation,
                "error": type(exc).__name__,
                "http_status": exc.http_status,
                "stripe_code": exc.code,
                "stripe_request_id": exc.request_id,
                **fields,
            }
        },
    )
