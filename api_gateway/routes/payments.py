"""Top-ups and provider webhooks: ``/api/wallet/topup``, ``/api/wallet/topup/verify``, the webhook endpoints.

Sessions, crediting and signature checks live in the payment gateway service; these routes parse the
request strictly, pass the caller's identity (and the raw webhook body, byte for byte) down, and shape the
answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api_gateway.body import amount_field, currency_field, json_body, read_capped, required_str
from api_gateway.context import GatewayContext, context, principal
from api_gateway.domain.model import Principal
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.idempotency import KEY_CODES, client_key, key_header
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, Header, documented
from api_gateway.schemas.requests import TopUpBody, VerifyTopUpBody
from api_gateway.schemas.responses import TopUpSession, TopUpVerification, WebhookReceipt, envelope
from api_gateway.serializers import transaction_json
from winzone.payments.v1 import payments_pb2 as pb
from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.money import to_major

router = APIRouter(tags=["payments"])

MAX_WEBHOOK_BYTES = 512 * 1024
UNFORWARDED_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-internal-token"})

PROVIDER_CODES = ("PROVIDER_UNAVAILABLE", "PROVIDER_AUTH_FAILED")
TOPUP_KEY = key_header("Scoped to the caller: the same key and body return the first session (or the same "
                       "refusal); another body is 409.")
VERIFY_KEY = key_header("Optional; verifying is idempotent by the session id.")
WEBHOOK = documented(
    raw_body={"type": "object", "description": "The provider's event, verified byte for byte against its signature."},
    headers=[Header("Stripe-Signature", {"type": "string"}, "The signature when the provider is Stripe."),
             Header("X-Webhook-Signature", {"type": "string"}, "The signature when the provider is the mock one.")],
)
WEBHOOK_ERRORS = error_responses(bad_request=["PAYLOAD_TOO_LARGE", "INVALID_SIGNATURE", "INVALID_WEBHOOK_PAYLOAD"],
                                 unavailable=["PAYOUT_BUSY", "PROVIDER_UNAVAILABLE"], authenticated=False)

Who = Annotated[Principal, Depends(principal)]
Ctx = Annotated[GatewayContext, Depends(context)]
Body = Annotated[dict[str, Any], Depends(json_body)]


@router.post(
    "/api/wallet/topup", status_code=201, response_model=envelope(TopUpSession), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=TopUpBody, headers=[TOPUP_KEY]),
    responses=error_responses(
        body=True, bad_request=[*AMOUNT_CODES, *KEY_CODES, "PROVIDER_REJECTED"],
        conflict=["IDEMPOTENCY_CONFLICT", "PROVIDER_IDEMPOTENCY_CONFLICT", "LIMIT_EXCEEDED", "SELF_EXCLUDED"],
        unavailable=PROVIDER_CODES),
)
async def create_topup(request: Request, body: Body, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """Start a top-up: ``{amount, currency?}`` → ``{sessionId, checkoutUrl, provider}``.

    An ``Idempotency-Key`` header (scoped to the caller) returns the same session for the same body, and is
    409 with a different one.
    """
    key = client_key(request, required=False)
    currency = currency_field(body)
    amount = amount_field(body, currency)
    response = await ctx.stubs["payments"].CreateTopUpSession(pb.CreateTopUpSessionRequest(
        user_id=who.user_id, amount=amount, currency=currency, idempotency_key=key,
    ))
    session = response.session
    data = {"sessionId": session.id, "checkoutUrl": session.checkout_url, "provider": session.provider}
    return ok("Top-up session created", data, status=201)


@router.post(
    "/api/wallet/topup/verify", response_model=envelope(TopUpVerification), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=VerifyTopUpBody, headers=[VERIFY_KEY]),
    responses=error_responses(body=True, bad_request=["VALIDATION_ERROR", *KEY_CODES], not_found=["SESSION_NOT_FOUND"],
                              unavailable=PROVIDER_CODES),
)
async def verify_topup(request: Request, body: Body, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """``{sessionId}`` → ``{status, balance, transaction}``; credits once, however often it is called (an
    ``Idempotency-Key`` is checked against the rule but adds nothing: the session id already is one)."""
    client_key(request, required=False)
    session_id = required_str(body, "sessionId", max_length=200)
    response = await ctx.stubs["payments"].VerifyTopUp(pb.VerifyTopUpRequest(user_id=who.user_id,
                                                                              session_id=session_id))
    session = response.session
    wallet = await ctx.wallet.GetWallet(wallet_pb.GetWalletRequest(user_id=who.user_id, currency=session.currency,
                                                                    recent_limit=1))
    credited = response.HasField("transaction")
    data = {
        "status": session.status,
        "sessionId": session.id,
        "amount": to_major(session.amount, session.currency),
        "currency": session.currency,
        "balance": to_major(wallet.wallet.balance, session.currency),
        "transaction": transaction_json(response.transaction) if credited else None,
    }
    message = "Top-up credited" if credited else f"Top-up is {session.status}"
    return ok(message, data)


async def _webhook(request: Request, ctx: GatewayContext) -> EnvelopeResponse:
    raw = await read_capped(request, MAX_WEBHOOK_BYTES)
    headers = {name: value for name, value in request.headers.items() if name.lower() not in UNFORWARDED_HEADERS}
    response = await ctx.stubs["payments"].HandleWebhook(pb.HandleWebhookRequest(raw_body=raw, headers=headers))
    data = {"received": True, "eventId": response.event.event_id, "type": response.event.type,
            "outcome": response.outcome}
    return ok("Webhook processed", data)


@router.post("/api/payments/webhook", response_model=envelope(WebhookReceipt), openapi_extra=WEBHOOK,
             responses=WEBHOOK_ERRORS)
async def payments_webhook(request: Request, ctx: Ctx) -> EnvelopeResponse:
    """The configured provider's webhook; a bad or missing signature is 400 ``INVALID_SIGNATURE``."""
    return await _webhook(request, ctx)


@router.post("/webhook/stripe", response_model=envelope(WebhookReceipt), openapi_extra=WEBHOOK,
             responses=WEBHOOK_ERRORS)
async def stripe_webhook(request: Request, ctx: Ctx) -> EnvelopeResponse:
    """The same handler at the path Stripe's dashboard is given."""
    return await _webhook(request, ctx)
