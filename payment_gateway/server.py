"""Composition root of the payment gateway: settings, store, provider, wallet and payout clients, gRPC server."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import grpc

from payment_gateway.adapters.grpc_payouts import GrpcPayoutResults
from payment_gateway.adapters.grpc_wallet import GrpcWallet
from payment_gateway.adapters.mock_checkout import MockCheckoutPage
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.domain.ports import PaymentProvider, PayoutResultSink, TopUpStore, Wallet
from payment_gateway.servicer import MockCheckoutServicer, PaymentGatewayServicer
from payment_gateway.settings import PaymentSettings
from payment_gateway.use_cases.gateway import PaymentGatewayService
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone_kernel import stores
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.lifecycle import Resources
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.periodic import PeriodicTask, Sleep

SERVICE_NAMES = [
    payments_pb2.DESCRIPTOR.services_by_name["PaymentGateway"].full_name,
    payments_pb2.DESCRIPTOR.services_by_name["MockCheckout"].full_name,
]
WALLET_DEADLINE_SECONDS = 10.0
PAYOUTS_DEADLINE_SECONDS = 10.0
SETTLE_INTERVAL_SECONDS = 60.0
STRIPE_CALL_TIMEOUT_SECONDS = 12.0
"""Per Stripe request; with two retries a call stays inside the gateway's 45 s deadline for this service."""
log = logging.getLogger("winzone.payments")


def _sqlite_store(path: Path, synchronous: str) -> TopUpStore:
    from payment_gateway.adapters.sqlite_store import SqliteTopUpStore

    return SqliteTopUpStore(path, synchronous=synchronous)


def _mongo_store(uri: str, database: str) -> TopUpStore:
    from payment_gateway.adapters.mongo_store import MongoTopUpStore

    return MongoTopUpStore.from_uri(uri, database)


def build_store(settings: CommonSettings) -> TopUpStore:
    """The store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return stores.build_store(settings, "payments", sqlite=_sqlite_store, mongo=_mongo_store)


def build_provider(settings: PaymentSettings, store: TopUpStore) -> PaymentProvider:
    """The provider named by PAYMENT_PROVIDER (the settings already refused mock in production)."""
    if settings.provider == "stripe":
        from payment_gateway.adapters.stripe_provider import StripeProvider, create_stripe_client

        client = create_stripe_client(settings.stripe_secret_key, api_base=settings.stripe_api_base,
                                      timeout_seconds=STRIPE_CALL_TIMEOUT_SECONDS, max_network_retries=2)
        return StripeProvider(client, webhook_secret=settings.stripe_webhook_secret)
    return MockProvider(store.mock_state(), gateway_base_url=settings.gateway_public_url,
                        webhook_secret=settings.mock_webhook_secret)


def build_service(
    settings: PaymentSettings,
    store: TopUpStore,
    provider: PaymentProvider,
    wallet: Wallet,
    payouts: PayoutResultSink | None,
) -> PaymentGatewayService:
    """The use cases over the given adapters."""
    return PaymentGatewayService(
        store=store, provider=provider, wallet=wallet, limits=settings.limits, success_url=settings.success_url,
        cancel_url=settings.cancel_url, payouts=payouts,
    )


def build_mock_checkout(
    provider: PaymentProvider, store: TopUpStore, service: PaymentGatewayService
) -> MockCheckoutPage | None:
    """The mock checkout page when the provider is the mock; ``None`` otherwise (Stripe hosts its own)."""
    if not isinstance(provider, MockProvider):
        return None
    return MockCheckoutPage(provider, store, service.topups)


async def create_server(
    service: PaymentGatewayService,
    *,
    token: str,
    mock_checkout: MockCheckoutPage | None = None,
    port: int = 0,
    host: str = "127.0.0.1",
) -> ServingServer:
    """Start a payment gateway gRPC server on ``port`` (0 picks a free one).

    Without ``mock_checkout`` the ``MockCheckout`` service answers NOT_FOUND (the provider is not the mock).
    """

    def register(server: grpc.aio.Server) -> list[str]:
        payments_pb2_grpc.add_PaymentGatewayServicer_to_server(PaymentGatewayServicer(service), server)
        payments_pb2_grpc.add_MockCheckoutServicer_to_server(MockCheckoutServicer(mock_checkout), server)
        return SERVICE_NAMES

    return await start_server(register=register, token=token, port=port, host=host)


def settle_task(
    service: PaymentGatewayService, *, interval: float = SETTLE_INTERVAL_SECONDS, sleep: Sleep = asyncio.sleep
) -> PeriodicTask:
    """Credits sessions left ``paid`` at start-up and then every ``interval`` seconds (not started yet)."""

    async def settle(run: int) -> None:
        settled = await service.settle_paid_sessions()
        if settled:
            log.info("paid top-ups settled", extra={"fields": {"credited": settled, "run": run}})

    return PeriodicTask(settle, interval, name="topup-settle", sleep=sleep)


async def serve(settings: PaymentSettings) -> None:
    """Run the payment gateway until SIGTERM/SIGINT."""
    common = settings.common
    host = common.bind_host
    serve_metrics(common.metrics_ports["payments"], host)
    resources = Resources()
    store = build_store(common)
    resources.store("payments store", store)
    store.migrate()
    provider = build_provider(settings, store)
    wallet_channel = service_channel(common.addresses["wallet"], common.internal_token,
                                     deadline=WALLET_DEADLINE_SECONDS)
    resources.channel("wallet channel", wallet_channel)
    payouts_channel = service_channel(common.addresses["payouts"], common.internal_token,
                                      deadline=PAYOUTS_DEADLINE_SECONDS)
    resources.channel("payouts channel", payouts_channel)
    service = build_service(settings, store, provider, GrpcWallet(wallet_channel), GrpcPayoutResults(payouts_channel))
    serving = await create_server(service, token=common.internal_token,
                                  mock_checkout=build_mock_checkout(provider, store, service),
                                  port=common.ports["payments"], host=host)
    log.info("payment gateway listening", extra={"fields": {"port": serving.port, "provider": provider.name}})
    resources.on_close("settle task", settle_task(service).start().stop)
    await serve_until_signal(serving, resources.aclose)


def main() -> None:
    settings = PaymentSettings.from_env()
    configure_logging("payments", settings.common.log_level)
    logging.getLogger("stripe").setLevel(logging.WARNING)
    asyncio.run(serve(settings))
