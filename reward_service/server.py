"""Composition root of the reward service: store, wallet client, use cases, servicer, gRPC server.

Besides serving, the process reconciles: once at start-up (every payment left pending, whatever its age)
and then every ``REWARD_RECONCILE_INTERVAL_SECONDS`` (payments untouched for
``REWARD_RECONCILE_GRACE_SECONDS``, so that requests in flight are left alone). See
``RewardService.reconcile``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from reward_service.adapters.wallet_client import GrpcWallet
from reward_service.domain.model import FeeSchedule
from reward_service.domain.ports import RewardStore, WalletPort
from reward_service.service import RewardService
from reward_service.servicer import RewardServicer
from reward_service.settings import RewardSettings
from winzone.rewards.v1 import rewards_pb2, rewards_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import internal_channel
from winzone_kernel.grpc_server import ServingServer, serve_until_signal, start_server
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics

SERVICE_NAME = rewards_pb2.DESCRIPTOR.services_by_name["RewardService"].full_name
log = logging.getLogger("winzone.rewards")


def build_store(settings: CommonSettings) -> RewardStore:
    """The reward store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    if settings.mongodb_uri:
        from reward_service.adapters.mongo_store import MongoRewardStore

        return MongoRewardStore.from_uri(settings.mongodb_uri, settings.mongodb_db)
    from reward_service.adapters.sqlite_store import SqliteRewardStore

    return SqliteRewardStore(settings.sqlite_path("rewards"), synchronous=settings.sqlite_synchronous)


async def create_server(store: RewardStore, wallet: WalletPort, fees: FeeSchedule, *, token: str, port: int = 0,
                        host: str = "127.0.0.1", service: RewardService | None = None) -> ServingServer:
    """Start a reward gRPC server on ``port`` (0 picks a free one) over ``store``, paying through ``wallet``
    (or serving ``service``, built over them, when given)."""
    servicer = RewardServicer(service or RewardService(store, wallet, fees))

    def register(server: object) -> list[str]:
        rewards_pb2_grpc.add_RewardServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


async def reconcile_periodically(service: RewardService, interval_seconds: float, grace_seconds: float) -> None:
    """Reconcile at once (whatever the age), then every interval (payments past the grace period)."""
    min_age = 0.0
    while True:
        try:
            await service.reconcile(min_age)
        except Exception:
            log.exception("reward reconciliation run failed")
        min_age = grace_seconds
        await asyncio.sleep(interval_seconds)


async def serve(settings: RewardSettings) -> None:
    """Run the reward service until SIGTERM/SIGINT."""
    common = settings.common
    store = build_store(common)
    await asyncio.to_thread(store.migrate)
    wallet = GrpcWallet(internal_channel(common.addresses["wallet"], common.internal_token))
    service = RewardService(store, wallet, settings.fees)
    serve_metrics(common.metrics_ports["rewards"], common.bind_host)
    serving = await create_server(store, wallet, settings.fees, token=common.internal_token,
                                  port=common.ports["rewards"], host=common.bind_host, service=service)
    log.info("reward service listening", extra={"fields": {
        "port": serving.port, "platform_fee_percentage": str(settings.fees.platform),
        "organizer_fee_percentage": str(settings.fees.organizer)}})
    reconciler = asyncio.create_task(reconcile_periodically(
        service, settings.reconcile_interval_seconds, settings.reconcile_grace_seconds))

    async def close() -> None:
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
        await wallet.close()
        await asyncio.to_thread(store.close)

    await serve_until_signal(serving, close)


def main() -> None:
    settings = RewardSettings.from_env()
    configure_logging("rewards", settings.common.log_level)
    asyncio.run(serve(settings))
