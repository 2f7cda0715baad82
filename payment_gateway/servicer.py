"""gRPC adapter of the payment gateway: protobuf messages to use-case calls and back."""

from __future__ import annotations

import grpc

from payment_gateway.adapters.grpc_wallet import transaction_message
from payment_gateway.adapters.mock_checkout import MockCheckoutPage
from payment_gateway.domain.events import WebhookEvent
from payment_gateway.domain.mock_checkout import MockCheckout
from payment_gateway.domain.model import TopUpSession
from payment_gateway.domain.provider import PayoutResult
from payment_gateway.use_cases.gateway import PaymentGatewayService
from winzone.payments.v1 import payments_pb2 as pb
from winzone.payments.v1 import payments_pb2_grpc as pb_grpc
from winzone_kernel.errors import NotFound


def session_pb(s: TopUpSession) -> pb.TopUpSession:
    return pb.TopUpSession(
        id=s.id, user_id=s.user_id, amount=s.amount, currency=s.currency, provider=s.provider,
        provider_ref=s.provider_ref or "", status=s.status.value, checkout_url=s.checkout_url or "",
        transaction_id=s.transaction_id or "", created_at=s.created_at, updated_at=s.updated_at,
    )


def event_pb(e: WebhookEvent) -> pb.WebhookEvent:
    msg = pb.WebhookEvent(
        event_id=e.event_id, type=e.type, object_ref=e.object_ref or "", session_id=e.client_reference_id or "",
        payout_id=e.payout_id or "", currency=e.currency or "", status=e.status.value if e.status else "",
        payment_status=e.payment_status or "", failure_reason=e.failure_reason or "",
    )
    if e.amount_minor is not None:
        msg.amount = e.amount_minor
    return msg


def payout_pb(payout_id: str, provider: str, r: PayoutResult, amount: int = 0, currency: str = "") -> pb.PayoutResult:
    return pb.PayoutResult(
        payout_id=payout_id, status=r.status.value, provider_reference=r.provider_ref or "",
        failure_reason=r.failure_reason or "", amount=r.amount_minor if r.amount_minor is not None else amount,
        currency=r.currency or currency, provider=provider, amount_reversed=r.amount_reversed,
    )


def mock_view_pb(c: MockCheckout, redirect_url: str = "", status: str = "") -> pb.MockCheckoutView:
    return pb.MockCheckoutView(
        provider_ref=c.provider_ref, session_id=c.session_id, amount=c.amount_minor, currency=c.currency,
        status=status or c.status.value, redirect_url=redirect_url,
    )


class PaymentGatewayServicer(pb_grpc.PaymentGatewayServicer):
    """``winzone.payments.v1.PaymentGateway``: top-ups, provider webhooks and payouts."""

    def __init__(self, service: PaymentGatewayService) -> None:
        self._svc = service

    async def CreateTopUpSession(
        self, request: pb.CreateTopUpSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateTopUpSessionResponse:
        """Store a session and open the provider's checkout; idempotent per (user, idempotency key)."""
        session, replayed = await self._svc.create_session(
            request.user_id, request.amount, request.currency, request.idempotency_key
        )
        return pb.CreateTopUpSessionResponse(session=session_pb(session), replayed=replayed)

    async def VerifyTopUp(self, request: pb.VerifyTopUpRequest, context: grpc.aio.ServicerContext
                          ) -> pb.VerifyTopUpResponse:
        """Check the session with the provider and credit the wallet once when it is paid."""
        verified = await self._svc.verify(request.user_id, request.session_id)
        response = pb.VerifyTopUpResponse(session=session_pb(verified.session))
        if verified.transaction is not None:
            response.transaction.CopyFrom(transaction_message(verified.transaction))
        return response

    async def HandleWebhook(self, request: pb.HandleWebhookRequest, context: grpc.aio.ServicerContext
                            ) -> pb.HandleWebhookResponse:
        """Verify the raw body's signature and apply the event once (INVALID_SIGNATURE otherwise)."""
        result = await self._svc.handle_webhook(request.raw_body, dict(request.headers))
        response = pb.HandleWebhookResponse(event=event_pb(result.event), outcome=result.outcome.value)
        if result.session is not None:
            response.session.CopyFrom(session_pb(result.session))
        return response

    async def SendPayout(self, request: pb.SendPayoutRequest, context: grpc.aio.ServicerContext
                         ) -> pb.SendPayoutResponse:
        """Send money once per payout id; paid, pending (outcome unknown) or failed with a reason."""
        result = await self._svc.send_payout(
            request.payout_id, request.user_id, request.amount, request.currency, request.method_type,
            dict(request.method_details),
        )
        return pb.SendPayoutResponse(result=payout_pb(request.payout_id, self._svc.provider_name, result,
                                                      request.amount, request.currency))

    async def GetPayout(self, request: pb.GetPayoutRequest, context: grpc.aio.ServicerContext
                        ) -> pb.GetPayoutResponse:
        """The provider's record of our payout id; ``found`` is false when it has none."""
        result = await self._svc.get_payout(request.payout_id)
        if result is None:
            return pb.GetPayoutResponse(found=False)
        return pb.GetPayoutResponse(found=True, result=payout_pb(request.payout_id, self._svc.provider_name, result))


    async def GetTopUpLimits(self, request: pb.GetTopUpLimitsRequest, context: grpc.aio.ServicerContext
                             ) -> pb.TopUpLimits:
        """The accepted top-up currencies with their configured bounds (minor units), and the provider's name."""
        limits = [pb.TopUpLimit(currency=code, min=low, max=high)
                  for code, (low, high) in sorted(self._svc.limits.bounds.items())]
        return pb.TopUpLimits(limits=limits, provider=self._svc.provider_name)


class MockCheckoutServicer(pb_grpc.MockCheckoutServicer):
    """``winzone.payments.v1.MockCheckout``: the mock provider's hosted page (NOT_FOUND for other providers)."""

    def __init__(self, page: MockCheckoutPage | None) -> None:
        self._page = page

    def _wired(self) -> MockCheckoutPage:
        if self._page is None:
            raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
        return self._page

    async def GetMockCheckout(self, request: pb.MockCheckoutRequest, context: grpc.aio.ServicerContext
                              ) -> pb.MockCheckoutView:
        """The mock checkout session to show on the page."""
        checkout, shown = await self._wired().show(request.provider_ref)
        return mock_view_pb(checkout, status=shown)

    async def PayMockCheckout(self, request: pb.MockCheckoutRequest, context: grpc.aio.ServicerContext
                              ) -> pb.MockCheckoutView:
        """Pay: the session is paid and credited; redirect to the success URL."""
        checkout = await self._wired().pay(request.provider_ref)
        return mock_view_pb(checkout, checkout.success_url)

    async def CancelMockCheckout(self, request: pb.MockCheckoutRequest, context: grpc.aio.ServicerContext
                                 ) -> pb.MockCheckoutView:
        """Cancel: the session is cancelled; redirect to the cancel URL."""
        checkout = await self._wired().cancel(request.provider_ref)
        return mock_view_pb(checkout, checkout.cancel_url)
