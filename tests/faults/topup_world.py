"""The top-up fault world: a real wallet server and the payment gateway (the mock provider, or Stripe through
the stand-in), restartable, behind a real payment gateway gRPC server.

Faults sit on the gateway's store (``payments.store.*``), its wallet client (``payments.wallet.*``) and its
provider calls (``payments.provider.*``: checkout create/retrieve/close, the mock page's pay/cancel). Every
schedule uses a fresh user.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from payment_gateway.adapters import signatures
from payment_gateway.adapters.grpc_wallet import GrpcWallet as GatewayWallet
from payment_gateway.adapters.mock_checkout import MockCheckoutPage
from payment_gateway.adapters.mock_events import build_signed_event, checkout_session_object
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.adapters.stripe_provider import StripeProvider, create_stripe_client
from payment_gateway.domain.mock_checkout import MockSessionState
from payment_gateway.domain.model import TopUpSession, TopUpStatus
from payment_gateway.domain.ports import PaymentProvider
from payment_gateway.servicer import MockCheckoutServicer, PaymentGatewayServicer
from payment_gateway.settings import PaymentSettings
from payment_gateway.use_cases.gateway import PaymentGatewayService
from tests.conftest import WalletHarness
from tests.faults.cross import AuditWatch, stripe_account_reader
from tests.faults.explorer import CallProxy, Incarnation, StoreProxy, SyncCallProxy
from tests.faults.stripe_account import FaultStripeAccount
from tests.faults.world import Current, Holder, Restartable, StepClock
from tests.support.grpc_servers import TEST_TOKEN, LoopThread
from tests.support.payments import MOCK_SECRET, PUBLIC_URL, base_env
from tests.support.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeStandIn
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer, start_server
from winzone_ops.cross_audit import mock_provider

AMOUNT = 50_000
PROVIDER_CALLS = ("create_checkout", "retrieve_checkout", "close_checkout", "pay", "cancel")


@dataclass
class Gateway:
    """One incarnation of the payment gateway: its use cases and the mock checkout page."""

    service: PaymentGatewayService
    page: MockCheckoutPage | None


class TopUpWorld:
    """The servers and stores of the top-up workflows for one provider (``mock`` or ``stripe``)."""

    def __init__(self, tmp: Path, loop: LoopThread, provider: str) -> None:
        self.loop, self.provider_name = loop, provider
        self.holder = Holder()
        self.clock = StepClock()
        self.wallet = WalletHarness(tmp / "wallet.sqlite3")
        self.store = SqliteTopUpStore(tmp / "payments.sqlite3", synchronous="NORMAL")
        self.store.migrate()
        self.settings = PaymentSettings.from_env(base_env(tmp, WALLET_SERVICE_ADDR=self.wallet.server.address))
        self.account = FaultStripeAccount()
        self.standin: StripeStandIn | None = None
        if provider == "stripe":
            self.standin = StripeStandIn()
            self.standin.respond_with(self.account)
            self.standin.start()
        self.provider = self._provider()
        self._ids = itertools.count(1)
        self.server: ServingServer = loop.run(self._start())
        self.audit = AuditWatch(tmp, stripe_account_reader(self.account) if provider == "stripe" else mock_provider)

    def _provider(self) -> PaymentProvider:
        if self.standin is None:
            return MockProvider(self.store.mock_state(), gateway_base_url=PUBLIC_URL, webhook_secret=MOCK_SECRET)
        client = create_stripe_client(API_KEY, api_base=self.standin.url, timeout_seconds=5, max_network_retries=0)
        return StripeProvider(client, webhook_secret=WEBHOOK_SECRET)

    def _build(self, life: Incarnation) -> Gateway:
        injector = self.holder.injector
        store: Any = StoreProxy(self.store, "payments.store", injector, life)
        provider: Any = SyncCallProxy(self.provider, "payments.provider", injector, life, PROVIDER_CALLS)
        wallet: Any = CallProxy(self._wallet_port, "payments.wallet", injector, life)
        service = PaymentGatewayService(store=store, provider=provider, wallet=wallet, limits=self.settings.limits,
                                        success_url=self.settings.success_url, cancel_url=self.settings.cancel_url,
                                        clock=self.clock)
        page = MockCheckoutPage(provider, store, service.topups) if self.standin is None else None
        return Gateway(service, page)

    async def _start(self) -> ServingServer:
        self._wallet_channel = service_channel(self.wallet.server.address, TEST_TOKEN)
        self._wallet_port = GatewayWallet(self._wallet_channel)
        self.gateway = Restartable("payments", self._build)
        gateway_servicer = PaymentGatewayServicer(Current(self.gateway, "service"))  # type: ignore[arg-type]
        page_servicer = MockCheckoutServicer(Current(self.gateway, "page"))  # type: ignore[arg-type]

        def register(server: grpc.aio.Server) -> list[str]:
            payments_pb2_grpc.add_PaymentGatewayServicer_to_server(gateway_servicer, server)
            payments_pb2_grpc.add_MockCheckoutServicer_to_server(page_servicer, server)
            return [payments_pb2.DESCRIPTOR.services_by_name[name].full_name
                    for name in ("PaymentGateway", "MockCheckout")]

        serving = await start_server(register=register, token=TEST_TOKEN)
        channel = service_channel(f"127.0.0.1:{serving.port}", TEST_TOKEN)
        self.stub = payments_pb2_grpc.PaymentGatewayStub(channel)
        self.page = payments_pb2_grpc.MockCheckoutStub(channel)
        return serving

    @property
    def service(self) -> PaymentGatewayService:
        return self.gateway.service.service

    def new_user(self) -> str:
        return f"usr_topup_{self.provider_name}_{next(self._ids):05d}"

    async def create(self, user: str, key: str) -> payments_pb2.TopUpSession:
        response = await self.stub.CreateTopUpSession(payments_pb2.CreateTopUpSessionRequest(
            user_id=user, amount=AMOUNT, currency="INR", idempotency_key=key))
        return response.session

    async def verify(self, user: str, session_id: str) -> payments_pb2.VerifyTopUpResponse:
        return await self.stub.VerifyTopUp(payments_pb2.VerifyTopUpRequest(user_id=user, session_id=session_id))

    async def pay(self, provider_ref: str) -> None:
        await self.page.PayMockCheckout(payments_pb2.MockCheckoutRequest(provider_ref=provider_ref))

    async def cancel(self, provider_ref: str) -> None:
        await self.page.CancelMockCheckout(payments_pb2.MockCheckoutRequest(provider_ref=provider_ref))

    async def webhook(self, body: bytes, headers: dict[str, str]) -> str:
        response = await self.stub.HandleWebhook(payments_pb2.HandleWebhookRequest(raw_body=body, headers=headers))
        return str(response.outcome)

    def provider_ref(self, session_id: str) -> str:
        """The checkout the player pays: the one our stored session points at."""
        stored = self.store.get_session(session_id)
        return (stored.provider_ref or "") if stored else ""

    def pay_at_provider(self, session_id: str) -> bool:
        """The player pays on the provider's page (outside the gateway); False if there is nothing to pay."""
        ref = self.provider_ref(session_id)
        if not ref:
            return False
        if self.standin is not None:
            self.account.pay_checkout(ref)
        else:
            assert isinstance(self.provider, MockProvider)
            self.provider.pay(ref)
        return True

    def expire_at_provider(self, session_id: str) -> None:
        ref = self.provider_ref(session_id)
        if ref and self.standin is not None:
            self.account.expire_checkout(ref)

    def event(self, event_type: str, session_id: str, event_id: str) -> tuple[bytes, dict[str, str]]:
        """A signed provider event about the session's checkout, as the provider has it now."""
        ref = self.provider_ref(session_id)
        if self.standin is not None:
            body = self.account.checkout_event(event_type, ref, event_id)
            return body, {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET),
                          "Content-Type": "application/json"}
        assert isinstance(self.provider, MockProvider)
        checkout = self.provider.checkout(ref)
        paid = checkout.status is MockSessionState.PAID
        obj = checkout_session_object(ref, client_reference_id=checkout.session_id, amount_minor=checkout.amount_minor,
                                      currency=checkout.currency, payment_status="paid" if paid else "unpaid",
                                      status="complete" if paid else "expired")
        return build_signed_event(event_type, obj, secret=MOCK_SECRET, event_id=event_id)

    def paid_at_provider(self, session_id: str) -> list[str]:
        """The provider's checkouts of this session that took the player's money."""
        if self.standin is not None:
            return [s["id"] for s in self.account.checkouts_of(session_id) if s["payment_status"] == "paid"]
        stored = self.store.get_session(session_id)
        if stored is None or not stored.provider_ref:
            return []
        assert isinstance(self.provider, MockProvider)
        checkout = self.provider.checkout(stored.provider_ref)
        return [checkout.provider_ref] if checkout.status is MockSessionState.PAID else []

    def sessions_of(self, user: str) -> list[TopUpSession]:
        return [s for status in TopUpStatus for s in self.store.sessions_in_status(status, 10_000) if s.user_id == user]

    def topups(self, user: str) -> list[wallet_pb2.Transaction]:
        return list(self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
            user_id=user, type="topup", limit=100)).transactions)

    def close(self) -> None:
        self.loop.run(self.server.stop(0.2))
        self.loop.run(self._wallet_channel.close())
        if self.standin is not None:
            self.standin.stop()
        self.store.close()
        self.wallet.close()

