"""Composition root of the reward service: store, wallet client, use cases, servicer, gRPC server."""

from __future__ import annotations

import asyncio
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
                        host: str = "127.0.0.1") -> ServingServer:
    """Start a reward gRPC server on ``port`` (0 picks a free one) over ``store``, paying through ``wallet``."""
    servicer = RewardServicer(RewardService(store, wallet, fees))

    def register(server: object) -> list[str]:
        rewards_pb2_grpc.add_RewardServiceServicer_to_server(servicer, server)
        return [SERVICE_NAME]

    return await start_server(register=register, token=token, port=port, host=host)


async def serve(settings: RewardSettings, host: str = "127.0.0.1") -> None:
    """Run the reward service until SIGTERM/SIGINT."""
    common = settings.common
    store = build_store(common)
    store.migrate()
    wallet = GrpcWallet(internal_channel(common.addresses["wallet"], common.internal_token))
    serving = await create_server(store, wallet, settings.fees, token=common.internal_token,
                                  port=common.ports["rewards"], host=host)
    log.info("reward service listening", extra={"fields": {
        "port": serving.port, "platform_fee_percentage": str(settings.fees.platform),
        "organizer_fee_percentage": str(settings.fees.organizer)}})

    async def close() -> None:
        await wallet.close()
        await asyncio.to_thread(store.close)

    await serve_until_signal(serving, close)


def main() -> None:
    settings = RewardSettings.from_env()
    configure_logging("rewards", settings.common.log_level)
    asyncio.run(serve(settings))
