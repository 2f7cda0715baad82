"""The reward fault world: a real wallet server and the reward service, restartable, behind a real reward
gRPC server, assembled as ``tests.support.rewards.Harness`` assembles them.

Faults sit on the reward store's units of work (``rewards.store.<writes>``) and the wallet client
(``rewards.wallet.post``, and ``rewards.wallet.post_batch`` for refunds: its lost answer, duplicate, late delivery
and crashes around it). Every schedule opens its own competition with fresh players.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import grpc

from reward_service.adapters.grpc_wallet import GrpcWallet
from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.servicer import RewardServicer
from reward_service.use_cases import leases
from reward_service.use_cases.facade import RewardService
from tests.conftest import WalletHarness
from tests.faults.cross import AuditWatch
from tests.faults.explorer import AtomicStoreProxy, CallProxy, Incarnation
from tests.faults.world import Current, Holder, Restartable, StepClock
from tests.support.grpc_servers import TEST_TOKEN, LoopThread
from tests.support.rewards import FEES
from wallet_service.domain.accounts import parse_account
from winzone.rewards.v1 import rewards_pb2, rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import ServingServer, start_server
from winzone_ops.cross_audit import mock_provider


class RewardWorld:
    """The servers and stores of the reward workflows, and the clients a schedule drives them with."""

    def __init__(self, tmp: Path, loop: LoopThread) -> None:
        self.loop = loop
        self.holder = Holder()
        self.clock = StepClock()
        self.wallet = WalletHarness(tmp / "wallet.sqlite3")
        self.store = SqliteRewardStore(tmp / "rewards.sqlite3", synchronous="NORMAL")
        self.store.migrate()
        self._ids = itertools.count(1)
        self._busy_poll, leases.BUSY_POLL_SECONDS = leases.BUSY_POLL_SECONDS, 0.0
        self.server: ServingServer = loop.run(self._start())
        self.audit = AuditWatch(tmp, mock_provider)

    def _build(self, life: Incarnation) -> RewardService:
        injector = self.holder.injector
        store: Any = AtomicStoreProxy(self.store, "rewards.store", injector, life)
        wallet: Any = CallProxy(self._wallet_port, "rewards.wallet", injector, life)
        return RewardService(store, wallet, FEES, clock=self.clock)

    async def _start(self) -> ServingServer:
        self._wallet_channel = service_channel(self.wallet.server.address, TEST_TOKEN)
        self._wallet_port = GrpcWallet(self._wallet_channel)
        self.rewards = Restartable("rewards", self._build)
        servicer = RewardServicer(Current(self.rewards))  # type: ignore[arg-type]

        def register(server: grpc.aio.Server) -> list[str]:
            rewards_pb2_grpc.add_RewardServiceServicer_to_server(servicer, server)
            return [rewards_pb2.DESCRIPTOR.services_by_name["RewardService"].full_name]

        serving = await start_server(register=register, token=TEST_TOKEN)
        self.stub = rewards_pb2_grpc.RewardServiceStub(service_channel(f"127.0.0.1:{serving.port}", TEST_TOKEN))
        return serving

    @property
    def service(self) -> RewardService:
        return self.rewards.service

    def new_id(self, kind: str) -> str:
        return f"{kind}-fault-{next(self._ids):05d}"

    async def open(self, organizer: str, entry_fee: int) -> str:
        competition = self.new_id("cmp")
        await self.stub.OpenCompetition(rewards_pb2.OpenCompetitionRequest(
            competition_id=competition, organizer_id=organizer, entry_fee=entry_fee, currency="INR",
            template="top3"))
        return competition

    async def enter(self, competition: str, user: str) -> rewards_pb2.PoolPayment:
        return await self.stub.ChargeEntryFee(rewards_pb2.ChargeEntryFeeRequest(competition_id=competition,
                                                                                user_id=user))

    async def sponsor(self, competition: str, user: str, amount: int, key: str) -> rewards_pb2.PoolPayment:
        return await self.stub.FundPrizePool(rewards_pb2.FundPrizePoolRequest(
            competition_id=competition, user_id=user, amount=amount, currency="INR", idempotency_key=key))

    async def distribute(self, competition: str, match: str, players: list[str]) -> rewards_pb2.Distribution:
        return await self.stub.DistributeMatchRewards(rewards_pb2.DistributeMatchRewardsRequest(
            match_id=match, competition_id=competition,
            standings=[rewards_pb2.Standing(user_id=u, rank=r) for r, u in enumerate(players, start=1)]))

    async def refund(self, competition: str) -> rewards_pb2.RefundResult:
        return await self.stub.RefundEntryFees(rewards_pb2.RefundEntryFeesRequest(
            competition_id=competition, reason="Cancelled by the organizer"))

    def balance(self, user: str) -> int:
        return self.wallet.balance(user).balance

    def pool(self, competition: str) -> int:
        state = self.wallet.store.get_account(parse_account(f"pool:{competition}"), "INR")
        return 0 if state is None else state.balance

    def legs(self, user: str) -> list[wallet_pb2.Transaction]:
        return list(self.wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
            user_id=user, limit=100)).transactions)

    def close(self) -> None:
        leases.BUSY_POLL_SECONDS = self._busy_poll
        self.loop.run(self.server.stop(0.2))
        self.loop.run(self._wallet_channel.close())
        self.store.close()
        self.wallet.close()
