"""Composition root of the wallet service: store, use cases, servicer, gRPC server."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Iterator

import grpc
from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from wallet_service.servicer import WalletServicer
from wallet_service.settings import SERVICE, WalletSettings
from wallet_service.use_cases import WalletUseCases
from wallet_service.use_cases.bonus import Bonuses
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel import stores
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.lifecycle import Resources
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.periodic import PeriodicTask, Sleep

SERVICE_NAME = wallet_pb2.DESCRIPTOR.services_by_name["WalletService"].full_name
log = logging.getLogger("winzone.wallet")


def build_store(common: CommonSettings) -> LedgerStore:
    """The ledger store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return stores.build_store(
        common, SERVICE,
        sqlite=lambda path, synchronous: SqliteLedgerStore(path, synchronous=synchronous),
        mongo=MongoLedgerStore.from_uri,
    )


class OpenHoldsCollector(Collector):
    """Open holds per currency, read from the store at scrape time."""

    def __init__(self, store: LedgerStore) -> None:
        self._store = store

    def collect(self) -> Iterator[GaugeMetricFamily]:
        count = GaugeMetricFamily("winzone_open_holds", "Open holds", labels=["currency"])
        amount = GaugeMetricFamily("winzone_open_holds_minor", "Minor units reserved by open holds",
                                   labels=["currency"])
        for currency, (n, total) in sorted(self._store.open_holds().items()):
            count.add_metric([currency], n)
            amount.add_metric([currency], total)
        yield count
        yield amount


async def create_server(store: LedgerStore, *, token: str, port: int = 0, host: str = "127.0.0.1",
                        policy: LedgerPolicy = DEFAULT_POLICY) -> ServingServer:
    """Start a wallet gRPC server on ``port`` (0 picks a free one) over ``store``, applying ``policy``."""
    servicer = WalletServicer(WalletUseCases(store, policy=policy))

    def register(server: grpc.aio.Server) -> list[str]:
        wallet_pb2_grpc.add_WalletServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


def bonus_expiry_task(bonuses: Bonuses, interval: float, *, sleep: Sleep = asyncio.sleep) -> PeriodicTask:
    """Expires the bonus grants past their expiry at start-up and then every ``interval`` seconds (not started
    yet); each run closes every grant due, a chunk per unit of work."""

    async def expire(run: int) -> None:
        expired = 0
        while True:
            outcome = await bonuses.expire()
            expired += len(outcome.expired)
            if not outcome.more:
                break
        if expired:
            log.info("bonus grants expired", extra={"fields": {"expired": expired, "run": run}})

    return PeriodicTask(expire, interval, name="bonus-expiry", sleep=sleep)


async def serve(settings: WalletSettings) -> None:
    """Run the wallet service until SIGTERM/SIGINT, then stop serving and close the store. What start-up built
    (modules, servicers, the store) is frozen out of the cyclic garbage collector: a full collection then scans
    only what requests left behind, instead of stalling the event loop and the writer for tens of ms."""
    common = settings.common
    resources = Resources()
    try:
        store = build_store(common)
        resources.store("ledger", store)
        store.migrate()
        REGISTRY.register(OpenHoldsCollector(store))
        serve_metrics(settings.metrics_port, common.bind_host)
        serving = await create_server(store, token=common.internal_token, port=settings.port, host=common.bind_host,
                                      policy=settings.policy)
        log.info("wallet service listening", extra={"fields": {"port": serving.port}})
        expiry = bonus_expiry_task(Bonuses(store, policy=settings.policy), settings.bonus_expiry_interval)
        resources.on_close("bonus expiry", expiry.start().stop)
        gc.freeze()
        await serve_until_signal(serving)
    finally:
        await resources.aclose()


def main() -> None:
    """Entry point of ``winzone serve wallet``."""
    settings = WalletSettings.from_env()
    configure_logging(SERVICE, settings.common.log_level)
    asyncio.run(serve(settings))
