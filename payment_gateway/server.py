"""Composition root of the payment gateway: settings, store, provider, wallet and payout clients, gRPC server."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import grpc

from payment_gateway.adapters.payouts_grpc import GrpcPayoutResults, payouts_contract_available
from payment_gateway.adapters.wallet_grpc import GrpcWallet
from payment_gateway.ports import PayoutResultSink, TopUpStore, Wallet
from payment_gateway.providers.mock import MockProvider
from payment_gateway.providers.port import PaymentProvider
from payment_gateway.service import PaymentGatewayService
from payment_gateway.servicer import MockCheckoutServicer, PaymentGatewayServicer
from payment_gateway.settings import PaymentSettings
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import internal_channel
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics

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


def build_store(settings: CommonSettings) -> TopUpStore:
    """The store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    if settings.mongodb_uri:
        from payment_gateway.adapters.mongo_store import MongoTopUpStore

        return MongoTopUpStore.from_uri(settings.mongodb_uri, settings.mongodb_db)
    from payment_gateway.adapters.sqlite_store import SqliteTopUpStore

    return SqliteTopUpStore(settings.sqlite_path("payments"), synchronous=settings.sqlite_synchronous)


def build_provider(settings: PaymentSettings, store: TopUpStore) -> PaymentProvider:
    """The provider named by PAYMENT_PROVIDER (the settings already refused mock in production)."""
    if settings.provider == "stripe":
        from payment_gateway.providers.stripe_provider import StripeProvider, create_stripe_client

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


async def create_server(
    service: PaymentGatewayService, *, token: str, port: int = 0, host: str = "127.0.0.1"
) -> ServingServer:
    """Start a payment gateway gRPC server on ``port`` (0 picks a free one)."""

    def register(server: grpc.aio.Server) -> list[str]:
        payments_pb2_grpc.add_PaymentGatewayServicer_to_server(PaymentGatewayServicer(service), server)
        payments_pb2_grpc.add_MockCheckoutServicer_to_server(MockCheckoutServicer(service), server)
        return SERVICE_NAMES

    return await start_server(register=register, token=token, port=port, host=host)


async def settle_periodically(service: PaymentGatewayService, interval: float = SETTLE_INTERVAL_SECONDS) -> None:
    """Credit sessions left ``paid`` at start-up and then every ``interval`` seconds, until cancelled."""
    while True:
        try:
            settled = await service.settle_paid_sessions()
            if settled:
                log.info("paid top-ups settled", extra={"fields": {"credited": settled}})
        except Exception:
            log.exception("top-up settle run failed")
        await asyncio.sleep(interval)


async def serve(settings: PaymentSettings) -> None:
    """Run the payment gateway until SIGTERM/SIGINT."""
    common = settings.common
    host = common.bind_host
    serve_metrics(common.metrics_ports["payments"], host)
    store = build_store(common)
    store.migrate()
    provider = build_provider(settings, store)
    wallet_channel = internal_channel(common.addresses["wallet"], common.internal_token,
                                      deadline=WALLET_DEADLINE_SECONDS)
    channels = [wallet_channel]
    payouts: PayoutResultSink | None = None
    if payouts_contract_available():
        payouts_channel = internal_channel(common.addresses["payouts"], common.internal_token,
                                           deadline=PAYOUTS_DEADLINE_SECONDS)
        channels.append(payouts_channel)
        payouts = GrpcPayoutResults(payouts_channel)
    service = build_service(settings, store, provider, GrpcWallet(wallet_channel), payouts)
    serving = await create_server(service, token=common.internal_token, port=common.ports["payments"], host=host)
    log.info("payment gateway listening", extra={"fields": {
        "port": serving.port, "provider": provider.name, "payout_results": "grpc" if payouts else "log-only"}})

    settler = asyncio.create_task(settle_periodically(service))

    async def close() -> None:
        settler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await settler
        for channel in channels:
            await channel.close()
        await asyncio.to_thread(store.close)

    await serve_until_signal(serving, close)


def main() -> None:
    settings = PaymentSettings.from_env()
    configure_logging("payments", settings.common.log_level)
    logging.getLogger("stripe").setLevel(logging.WARNING)
    asyncio.run(serve(settings))
