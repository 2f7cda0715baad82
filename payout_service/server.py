"""Composition root of the payout service: store, wallet and payment-gateway clients, use cases, gRPC server.

Besides serving, the process reconciles: once at start-up (every payout left in between, whatever its
age) and then every ``PAYOUT_RECONCILE_INTERVAL_SECONDS`` (payouts untouched for
``PAYOUT_RECONCILE_GRACE_SECONDS``, so that requests in flight are left alone).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from payout_service.adapters.grpc_payments import GrpcPayments
from payout_service.adapters.grpc_wallet import GrpcWallet
from payout_service.adapters.kyc_mongo import MongoKycStore
from payout_service.adapters.kyc_sqlite import SqliteKycStore
from payout_service.adapters.mongo_store import MongoPayoutStore
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import KycStore, PayoutStore
from payout_service.servicer import PayoutServicer
from payout_service.settings import Fault, PayoutSettings
from payout_service.use_cases.facade import PayoutService
from winzone.payments.v1 import payments_pb2_grpc
from winzone.payouts.v1 import payouts_pb2, payouts_pb2_grpc
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel import stores
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import SHUTDOWN_GRACE_SECONDS, ServingServer, serve_until_signal, start_server
from winzone_kernel.lifecycle import Resources
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.periodic import Job, PeriodicTask, Sleep

SERVICE_NAME = payouts_pb2.DESCRIPTOR.services_by_name["PayoutService"].full_name
log = logging.getLogger("winzone.payouts")


def build_store(common: CommonSettings) -> PayoutStore:
    """The payout store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return stores.build_store(
        common, "payouts",
        sqlite=lambda path, synchronous: SqlitePayoutStore(path, synchronous=synchronous),
        mongo=MongoPayoutStore.from_uri,
    )


def build_kyc_store(store: PayoutStore, settings: PayoutSettings) -> KycStore | None:
    """The KYC store beside ``store`` (the same SQLite file or MongoDB database); None without a KYC key."""
    kyc = settings.kyc
    if kyc.sealer is None:
        return None
    if isinstance(store, MongoPayoutStore):
        return MongoKycStore.beside(store, sealer=kyc.sealer, index_key=kyc.index_key)
    path = store.path if isinstance(store, SqlitePayoutStore) else settings.common.sqlite_path("payouts")
    return SqliteKycStore(path, sealer=kyc.sealer, index_key=kyc.index_key,
                          synchronous=settings.common.sqlite_synchronous)


def _kill_self() -> None:
    log.critical("fault injected: killing the payout service after the provider call")
    os.kill(os.getpid(), signal.SIGKILL)


def fault_hook(fault: Fault | None) -> Callable[[], None] | None:
    """What to run right after the payment gateway answered ``SendPayout`` (``PAYOUT_FAULT``)."""
    return _kill_self if fault is Fault.CRASH_AFTER_PROVIDER_CALL else None


@dataclass
class PayoutServer:
    """A started payout server with its use cases and the client channels it owns."""

    serving: ServingServer
    service: PayoutService
    clients: Resources

    @property
    def port(self) -> int:
        return self.serving.port

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        await self.serving.stop(grace)
        await self.clients.aclose()


async def create_server(
    store: PayoutStore, settings: PayoutSettings, *, port: int = 0, host: str = "127.0.0.1"
) -> PayoutServer:
    """Start a payout gRPC server on ``port`` (0 picks a free one) over ``store``, calling the wallet and the
    payment gateway at the addresses in ``settings``. Call it on the event loop that will serve."""
    common = settings.common
    clients = Resources()
    wallet_channel = service_channel(common.addresses["wallet"], common.internal_token)
    clients.channel("wallet channel", wallet_channel)
    payments_channel = service_channel(common.addresses["payments"], common.internal_token)
    clients.channel("payments channel", payments_channel)
    kyc = build_kyc_store(store, settings)
    if kyc is not None:
        clients.store("kyc store", kyc)
        await asyncio.to_thread(kyc.migrate)
    service = PayoutService(
        store,
        GrpcWallet(wallet_pb2_grpc.WalletServiceStub(wallet_channel), provider=settings.provider),
        GrpcPayments(payments_pb2_grpc.PaymentGatewayStub(payments_channel),
                     timeout=settings.provider_timeout_seconds),
        limits=settings.limits,
        risk=settings.risk,
        after_provider_call=fault_hook(settings.fault),
        reconcile_batch=settings.reconcile_batch,
        kyc=kyc,
        kyc_required=settings.kyc.required,
        min_age=settings.kyc.min_age,
    )
    servicer = PayoutServicer(service)

    def register(server: grpc.aio.Server) -> list[str]:
        payouts_pb2_grpc.add_PayoutServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    serving = await start_server(register=register, token=common.internal_token, port=port, host=host)
    return PayoutServer(serving, service, clients)


def reconcile_job(service: PayoutService, grace_seconds: int) -> Job:
    """Run 0 (at start-up) reconciles every payout left in between, whatever its age; later runs only those
    untouched for ``grace_seconds``, so that requests in flight are left alone."""

    async def reconcile(run: int) -> None:
        await service.reconcile(0 if run == 0 else grace_seconds)

    return reconcile


def reconciler(service: PayoutService, settings: PayoutSettings, *, sleep: Sleep = asyncio.sleep) -> PeriodicTask:
    """The reconcile loop of a serving process (not started): ``reconcile_job`` every interval."""
    return PeriodicTask(reconcile_job(service, settings.reconcile_grace_seconds),
                        settings.reconcile_interval_seconds, name="payout-reconcile", sleep=sleep)


class PayoutsByStatusCollector(Collector):
    """Payout requests per status, read from the store at scrape time."""

    def __init__(self, store: PayoutStore) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("winzone_payouts", "Payout requests by status", labels=["status"])
        for status in PayoutStatus:
            found = self._store.list(user_id=None, status=status, page=1, limit=1)
            family.add_metric([status.value], found.total)
        yield family


async def serve(settings: PayoutSettings, *, sleep: Sleep = asyncio.sleep) -> None:
    """Run the payout service until SIGTERM/SIGINT; ``sleep`` paces the reconcile loop."""
    common = settings.common
    resources = Resources()
    store = build_store(common)
    resources.store("payout store", store)
    await asyncio.to_thread(store.migrate)
    REGISTRY.register(PayoutsByStatusCollector(store))
    serve_metrics(common.metrics_ports["payouts"], common.bind_host)
    server = await create_server(store, settings, port=common.ports["payouts"], host=common.bind_host)
    resources.on_close("payout clients", server.clients.aclose)
    log.info("payout service listening", extra={"fields": {"port": server.port, "fault": settings.fault}})
    reconciling = reconciler(server.service, settings, sleep=sleep).start()
    resources.on_close("payout reconciler", reconciling.stop)
    await serve_until_signal(server.serving, resources.aclose)


def main() -> None:
    settings = PayoutSettings.from_env()
    configure_logging("payouts", settings.common.log_level)
    asyncio.run(serve(settings))
