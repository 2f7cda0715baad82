"""Composition root of the reward service: store, wallet client, use cases, servicer, gRPC server.

Besides serving, the process reconciles: once at start-up (every payment left pending, whatever its age)
and then every ``REWARD_RECONCILE_INTERVAL_SECONDS`` (payments untouched for
``REWARD_RECONCILE_GRACE_SECONDS``, so that requests in flight are left alone). See
``reward_service.use_cases.reconciliation``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import grpc

from reward_service.adapters.grpc_wallet import GrpcWallet
from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.domain.model import FeeSchedule
from reward_service.domain.ports import RewardStore, WalletPort
from reward_service.servicer import RewardServicer
from reward_service.settings import RewardSettings
from reward_service.use_cases.facade import RewardService
from winzone.rewards.v1 import rewards_pb2, rewards_pb2_grpc
from winzone_kernel import stores
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.lifecycle import Resources
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.periodic import PeriodicTask, Sleep

SERVICE = "rewards"
SERVICE_NAME = rewards_pb2.DESCRIPTOR.services_by_name["RewardService"].full_name
log = logging.getLogger("winzone.rewards")


def build_store(common: CommonSettings) -> RewardStore:
    """The reward store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return stores.build_store(
        common, SERVICE,
        sqlite=lambda path, synchronous: SqliteRewardStore(path, synchronous=synchronous),
        mongo=MongoRewardStore.from_uri,
    )


async def create_server(store: RewardStore, wallet: WalletPort, fees: FeeSchedule, *, token: str, port: int = 0,
                        host: str = "127.0.0.1", service: RewardService | None = None) -> ServingServer:
    """Start a reward gRPC server on ``port`` (0 picks a free one) over ``store``, paying through ``wallet``
    (or serving ``service``, built over them, when given)."""
    servicer = RewardServicer(service or RewardService(store, wallet, fees))

    def register(server: grpc.aio.Server) -> list[str]:
        rewards_pb2_grpc.add_RewardServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


def reconciler(reconcile: Callable[[float], Awaitable[object]], interval_seconds: float, grace_seconds: float, *,
               sleep: Sleep = asyncio.sleep) -> PeriodicTask:
    """The reconcile loop over ``reconcile(min_age_seconds)`` (not started): run 0 settles every pending payment
    whatever its age, each later run, ``interval_seconds`` after the one before, those untouched for
    ``grace_seconds``."""

    async def run(number: int) -> None:
        await reconcile(0.0 if number == 0 else grace_seconds)

    return PeriodicTask(run, interval_seconds, name="reward-reconcile", sleep=sleep)


async def serve(settings: RewardSettings) -> None:
    """Run the reward service until SIGTERM/SIGINT, then stop serving, the reconciler, the wallet channel and
    the store, in that order."""
    common = settings.common
    resources = Resources()
    try:
        store = build_store(common)
        resources.store("reward store", store)
        await asyncio.to_thread(store.migrate)
        channel = service_channel(common.addresses["wallet"], common.internal_token)
        resources.channel("wallet", channel)
        wallet = GrpcWallet(channel)
        service = RewardService(store, wallet, settings.fees)
        serve_metrics(common.metrics_ports[SERVICE], common.bind_host)
        serving = await create_server(store, wallet, settings.fees, token=common.internal_token,
                                      port=common.ports[SERVICE], host=common.bind_host, service=service)
        log.info("reward service listening", extra={"fields": {
            "port": serving.port, "platform_fee_percentage": str(settings.fees.platform),
            "organizer_fee_percentage": str(settings.fees.organizer)}})
        reconciling = reconciler(service.reconcile, settings.reconcile_interval_seconds,
                                 settings.reconcile_grace_seconds).start()
        resources.on_close("reconciler", reconciling.stop)
        await serve_until_signal(serving)
    finally:
        await resources.aclose()


def main() -> None:
    """Entry point of ``winzone serve rewards``."""
    settings = RewardSettings.from_env()
    configure_logging(SERVICE, settings.common.log_level)
    asyncio.run(serve(settings))
