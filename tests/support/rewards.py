"""A wallet and a reward service on real gRPC ports over SQLite files, with synchronous clients, for the
reward tests; and a wallet client that can be made to fail around a posting, as a crash would."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import pytest

from reward_service import server as reward_server
from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.adapters.wallet_client import GrpcWallet
from reward_service.domain.model import FeeSchedule
from reward_service.domain.ports import PostingReceipt, WalletPort
from reward_service.domain.postings import PostingPlan
from reward_service.service import ReconcileReport, RewardService
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from wallet_service import server as wallet_server
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import parse_account
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.errors import Unavailable
from winzone_kernel.grpc_client import internal_channel

FEES = FeeSchedule(Decimal(10), Decimal(5))
RUPEE = 100


def uid(prefix: str) -> str:
    """A fresh id; '-' because competition and match ids may not contain '_'."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def rpc_code(call: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    """The status code and the ``winzone-error-code`` of the RPC error that ``call`` must raise."""
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error: Any = caught.value
    return error.code(), dict(error.trailing_metadata() or ()).get("winzone-error-code", "")


class FlakyWallet(WalletPort):
    """The real wallet client, made to fail on chosen calls: before posting (the call never reached the
    wallet) or after posting (the wallet moved the money but the answer was lost, as in a crash)."""

    def __init__(self, inner: WalletPort) -> None:
        self.inner = inner
        self.fail_before: set[str] = set()
        self.fail_after: set[str] = set()

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        if plan.key in self.fail_before:
            self.fail_before.discard(plan.key)
            raise Unavailable("wallet unreachable (test)")
        receipt = await self.inner.post(plan)
        if plan.key in self.fail_after:
            self.fail_after.discard(plan.key)
            raise Unavailable("answer lost (test)")
        return receipt

    async def close(self) -> None:
        await self.inner.close()


class Harness:
    """A wallet and a reward server on port 0, and synchronous clients for both; closed on leaving ``with``."""

    def __init__(self, tmp_path: Path, **service_options: Any) -> None:
        self.ledger = SqliteLedgerStore(tmp_path / "wallet.sqlite3", synchronous="NORMAL")
        self.ledger.migrate()
        self.wallet_server = RunningServer(lambda: wallet_server.create_server(self.ledger, token=TEST_TOKEN))
        self.rewards_store = SqliteRewardStore(tmp_path / "rewards.sqlite3", synchronous="NORMAL")
        self.rewards_store.migrate()
        self.flaky: FlakyWallet | None = None
        self.service: RewardService | None = None
        self.clock_offset = 0.0
        """Seconds added to the reward service's clock (to let leases run out without waiting)."""

        async def start_rewards() -> Any:
            self.flaky = FlakyWallet(GrpcWallet(internal_channel(self.wallet_server.address, TEST_TOKEN)))
            self.service = RewardService(self.rewards_store, self.flaky, FEES,
                                         clock=lambda: time.time() + self.clock_offset, **service_options)
            return await reward_server.create_server(self.rewards_store, self.flaky, FEES, token=TEST_TOKEN,
                                                     service=self.service)

        self.reward_server = RunningServer(start_rewards)
        self._wallet_channel = authed_channel(self.wallet_server.address)
        self._reward_channel = authed_channel(self.reward_server.address)
        self.wallet = wallet_pb2_grpc.WalletServiceStub(self._wallet_channel)
        self.rewards = rewards_pb2_grpc.RewardServiceStub(self._reward_channel)

    def stop_rewards(self) -> None:
        """Stop the reward server and close its store, as a crash or a restart would."""
        if self.service is not None:
            self.service = None
            self.reward_server.stop()
            self.rewards_store.close()

    def close(self) -> None:
        self._wallet_channel.close()
        self._reward_channel.close()
        self.stop_rewards()
        self.wallet_server.stop()
        self.ledger.close()

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def reconcile(self, min_age_seconds: float = 0.0) -> ReconcileReport:
        """Run the reward service's reconciler once, on the server's event loop."""
        assert self.service is not None
        return self.reward_server.thread.run(self.service.reconcile(min_age_seconds))

    def pending_distributions(self) -> list[str]:
        pending = self.rewards_store.read(lambda uow: uow.distributions_pending("9999", 1_000))
        return [d.match_id for d in pending]

    def credit(self, user: str, amount: int) -> None:
        self.wallet.Credit(wpb.CreditRequest(idempotency_key=uid("topup"), user_id=user, amount=amount,
                                             currency="INR", type="topup"))

    def open(self, organizer: str, entry_fee: int, *, competition: str | None = None, template: str = "top3",
             actor: rpb.Actor | None = None) -> str:
        competition = competition or uid("cmp")
        self.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, organizer_id=organizer, entry_fee=entry_fee, currency="INR",
            template=template, actor=actor))
        return competition

    def enter(self, competition: str, user: str, *, fund: bool = True) -> rpb.PoolPayment:
        if fund:
            fee = self.rewards.GetCompetition(rpb.GetCompetitionRequest(competition_id=competition)).entry_fee
            self.credit(user, fee)
        return self.rewards.ChargeEntryFee(rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=user))

    def entry_with_lost_answer(self) -> tuple[str, str, rpb.ChargeEntryFeeRequest]:
        """A new 40-rupee competition and a funded player whose entry fee the wallet will take while its answer
        is lost: the competition, the player and the request that charges the fee."""
        competition = self.open(uid("org"), 40 * RUPEE)
        player = uid("p")
        self.credit(player, 100 * RUPEE)
        assert self.flaky is not None
        self.flaky.fail_after.add(f"entry_{competition}_{player}")
        return competition, player, rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)

    def competition_with_players(self, players: int, entry_fee: int = 100 * RUPEE) -> tuple[str, str, list[str]]:
        organizer = uid("org")
        competition = self.open(organizer, entry_fee)
        users = [uid("p") for _ in range(players)]
        for user in users:
            self.enter(competition, user)
        return competition, organizer, users

    def distribute(self, match: str, competition: str, standings: list[tuple[str, int]], **fields: Any
                   ) -> rpb.Distribution:
        return self.rewards.DistributeMatchRewards(self.request(match, competition, standings, **fields))

    @staticmethod
    def request(match: str, competition: str, standings: list[tuple[str, int]], **fields: Any
                ) -> rpb.DistributeMatchRewardsRequest:
        return rpb.DistributeMatchRewardsRequest(
            match_id=match, competition_id=competition,
            standings=[rpb.Standing(user_id=u, rank=r) for u, r in standings], **fields)

    def competition(self, competition: str) -> rpb.Competition:
        return self.rewards.GetCompetition(rpb.GetCompetitionRequest(competition_id=competition))

    def balance(self, user: str) -> int:
        return self.wallet.GetWallet(wpb.GetWalletRequest(user_id=user, currency="INR")).wallet.balance

    def earnings(self, user: str) -> int:
        return self.wallet.GetWallet(wpb.GetWalletRequest(user_id=user, currency="INR")).wallet.total_earnings

    def pool(self, competition: str) -> int:
        state = self.ledger.get_account(parse_account(f"pool:{competition}"), "INR")
        return 0 if state is None else state.balance

    def transactions(self, user: str, type: str = "") -> list[wpb.Transaction]:
        return list(self.wallet.ListTransactions(
            wpb.ListTransactionsRequest(user_id=user, type=type, limit=100)).transactions)

    def ledger_state(self) -> tuple[Any, ...]:
        facts = self.ledger.audit_facts()
        return sorted(facts.accounts), facts.transactions_checked

    def assert_audit_ok(self) -> None:
        report = self.wallet.Audit(wpb.AuditRequest())
        assert report.ok, list(report.violations)
        assert not report.violations
