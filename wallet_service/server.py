"""Composition root of the wallet service: store, use cases, servicer, gRPC server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from wallet_service.domain.ports import LedgerStore
from wallet_service.service import WalletService
from wallet_service.servicer import WalletServicer
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics

SERVICE_NAME = wallet_pb2.DESCRIPTOR.services_by_name["WalletService"].full_name
log = logging.getLogger("winzone.wallet")


def build_store(settings: CommonSettings) -> LedgerStore:
    """The ledger store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    if settings.mongodb_uri:
        from wallet_service.adapters.mongo_store import MongoLedgerStore

        return MongoLedgerStore.from_uri(settings.mongodb_uri, settings.mongodb_db)
    from wallet_service.adapters.sqlite_store import SqliteLedgerStore

    return SqliteLedgerStore(settings.sqlite_path("wallet"), synchronous=settings.sqlite_synchronous)


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


async def create_server(store: LedgerStore, *, token: str, port: int = 0, host: str = "127.0.0.1") -> ServingServer:
    """Start a wallet gRPC server on ``port`` (0 picks a free one) over ``store``."""
    servicer = WalletServicer(WalletService(store))

    def register(server: object) -> list[str]:
        wallet_pb2_grpc.add_WalletServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


async def serve(settings: CommonSettings) -> None:
    """Run the wallet service until SIGTERM/SIGINT."""
    store = build_store(settings)
    store.migrate()
    REGISTRY.register(OpenHoldsCollector(store))
    serve_metrics(settings.metrics_ports["wallet"], settings.bind_host)
    serving = await create_server(store, token=settings.internal_token, port=settings.ports["wallet"],
                                  host=settings.bind_host)
    log.info("wallet service listening", extra={"fields": {"port": serving.port}})

    async def close_store() -> None:
        await asyncio.to_thread(store.close)

    await serve_until_signal(serving, close_store)


def main() -> None:
    settings = CommonSettings.from_env()
    configure_logging("wallet", settings.log_level)
    asyncio.run(serve(settings))
