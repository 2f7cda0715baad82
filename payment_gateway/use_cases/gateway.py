"""The one object the gRPC servicer talks to: top-ups, webhooks and payouts over the same adapters."""

from __future__ import annotations

from collections.abc import Mapping

from payment_gateway.domain.model import TopUpLimits, TopUpSession
from payment_gateway.domain.ports import PaymentProvider, PayoutResultSink, TopUpStore, Wallet
from payment_gateway.domain.provider import PayoutResult
from payment_gateway.use_cases.chargebacks import Chargebacks
from payment_gateway.use_cases.payouts import Payouts
from payment_gateway.use_cases.topups import TopUps, Verified
from payment_gateway.use_cases.webhooks import WebhookResult, Webhooks
from winzone_kernel.clock import Clock, utc_now


class PaymentGatewayService:
    """Top-ups from checkout to wallet credit, provider webhooks, and payouts passed to the provider.

    ``topups``, ``webhooks`` and ``payouts`` are the workflows; the methods here are what the servicer calls.
    """

    def __init__(
        self,
        *,
        store: TopUpStore,
        provider: PaymentProvider,
        wallet: Wallet,
        limits: TopUpLimits,
        success_url: str,
        cancel_url: str,
        payouts: PayoutResultSink | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.provider_name = provider.name
        self.limits = limits
        self.topups = TopUps(store=store, provider=provider, wallet=wallet, limits=limits,
                             success_url=success_url, cancel_url=cancel_url, clock=clock)
        self.chargebacks = Chargebacks(store=store, provider=provider, topups=self.topups, wallet=wallet, clock=clock)
        self.webhooks = Webhooks(store=store, provider=provider, topups=self.topups, payouts=payouts,
                                 chargebacks=self.chargebacks, clock=clock)
        self.payouts = Payouts(provider)

    async def create_session(
        self, user_id: str, amount: int, currency: str, idempotency_key: str = ""
    ) -> tuple[TopUpSession, bool]:
        """See :meth:`TopUps.create_session`."""
        return await self.topups.create_session(user_id, amount, currency, idempotency_key)

    async def verify(self, user_id: str, session_ref: str) -> Verified:
        """See :meth:`TopUps.verify`."""
        return await self.topups.verify(user_id, session_ref)

    async def settle_paid_sessions(self, limit: int = 100) -> int:
        """See :meth:`TopUps.settle_paid_sessions`."""
        return await self.topups.settle_paid_sessions(limit)

    async def handle_webhook(self, raw_body: bytes, headers: Mapping[str, str]) -> WebhookResult:
        """See :meth:`Webhooks.handle`."""
        return await self.webhooks.handle(raw_body, headers)

    async def send_payout(
        self, payout_id: str, user_id: str, amount: int, currency: str, method_type: str, details: Mapping[str, str]
    ) -> PayoutResult:
        """See :meth:`Payouts.send`."""
        return await self.payouts.send(payout_id, user_id, amount, currency, method_type, details)

    async def get_payout(self, payout_id: str) -> PayoutResult | None:
        """See :meth:`Payouts.get`."""
        return await self.payouts.get(payout_id)
