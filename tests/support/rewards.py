"""A wallet and a reward service on real gRPC ports over SQLite files, with synchronous clients, for the
reward tests; a wallet client that can be made to fail around a posting, as a crash would; and an in-memory
wallet for use-case tests that need no wallet server. Both fakes pass the wallet port contract
(``tests/contract/reward_wallet_port_contract.py``) beside the real client."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import grpc
import pytest

from reward_service import server as reward_server
from reward_service.adapters.grpc_wallet import GrpcWallet
from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.domain.model import Contribution, FeeSchedule
from reward_service.domain.ports import PostingReceipt, RewardStore, WalletPort, WalletTransaction
from reward_service.domain.postings import SOURCE, WALLET_MAX_BATCH, PostingPlan
from reward_service.use_cases.facade import RewardService
from reward_service.use_cases.reconciliation import ReconcileReport
from tests.support.errors import error_code
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.ids import new_id
from wallet_service import server as wallet_server
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.ports import LedgerStore
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2 as wpb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel import ids
from winzone_kernel.clock import timestamp_now, utc_now
from winzone_kernel.errors import (
    IdempotencyConflict,
    InsufficientFunds,
    InvalidArgument,
    InvalidState,
    Unavailable,
    WinzoneError,
)
from winzone_kernel.grpc_client import service_channel

FEES = FeeSchedule(Decimal(10), Decimal(5))
RUPEE = 100


def rpc_code(call: Callable[[], object]) -> tuple[grpc.StatusCode, str]:
    """The status code and the ``winzone-error-code`` of the RPC error that ``call`` must raise."""
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error: Any = caught.value
    return error.code(), error_code(error)


class FlakyWallet(WalletPort):
    """The real wallet client, made to fail on chosen calls: before posting (the call never reached the
    wallet), after posting (the wallet moved the money but the answer was lost, as in a crash), late (the
    call timed out, but the request is still on its way and reaches the wallet when ``land_late`` says so),
    or always (``refuse``: every posting under the key is refused, as a record that fails permanently)."""

    def __init__(self, inner: WalletPort) -> None:
        self.inner = inner
        self.fail_before: set[str] = set()
        self.fail_after: set[str] = set()
        self.late: set[str] = set()
        self.refuse: set[str] = set()
        self.posted: list[str] = []
        """The key of every posting that reached the wallet, in order."""
        self._in_flight: list[PostingPlan] = []

    async def land_late(self) -> list[PostingReceipt | WinzoneError]:
        """Let the late requests reach the wallet now; what the wallet answered to each."""
        answers: list[PostingReceipt | WinzoneError] = []
        while self._in_flight:
            plan = self._in_flight.pop(0)
            self.posted.append(plan.key)
            try:
                answers.append(await self.inner.post(plan))
            except WinzoneError as exc:
                answers.append(exc)
        return answers

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        if plan.key in self.refuse:
            raise InvalidState("the wallet refuses this posting (test)", code="REFUSED_BY_TEST")
        if plan.key in self.fail_before:
            self.fail_before.discard(plan.key)
            raise Unavailable("wallet unreachable (test)")
        if plan.key in self.late:
            self.late.discard(plan.key)
            self._in_flight.append(plan)
            raise Unavailable("deadline exceeded; the request is still on its way (test)")
        self.posted.append(plan.key)
        receipt = await self.inner.post(plan)
        if plan.key in self.fail_after:
            self.fail_after.discard(plan.key)
            raise Unavailable("answer lost (test)")
        return receipt

    async def post_batch(self, plans: Sequence[PostingPlan]) -> list[PostingReceipt | WinzoneError]:
        """The whole call fails before or after the wallet when any of its keys is in ``fail_before`` or
        ``fail_after``; late when any is in ``late`` (it lands as single posts); a key in ``refuse`` is refused
        in its place."""
        keys = {plan.key for plan in plans}
        if keys & self.fail_before:
            self.fail_before -= keys
            raise Unavailable("wallet unreachable (test)")
        if keys & self.late:
            self.late -= keys
            self._in_flight.extend(plans)
            raise Unavailable("deadline exceeded; the request is still on its way (test)")
        sent = [plan for plan in plans if plan.key not in self.refuse]
        self.posted.extend(plan.key for plan in sent)
        answers = iter(await self.inner.post_batch(sent) if sent or not plans else [])
        if keys & self.fail_after:
            self.fail_after -= keys
            raise Unavailable("answer lost (test)")
        return [InvalidState("the wallet refuses this posting (test)", code="REFUSED_BY_TEST")
                if plan.key in self.refuse else next(answers) for plan in plans]


ACCOUNT = re.compile(r"^(user|pool|clearing):[A-Za-z0-9_.@-]{1,128}$|^platform_fees$")
LEG_TYPES = frozenset({"topup", "entryFee", "reward", "payout", "refund", "credit", "debit", "organizerFee",
                       "platformFee"})
OUTSIDE = "clearing:test"
"""Where ``InMemoryWallet.fund`` takes the money from, so that every currency still sums to zero."""


class InMemoryWallet(WalletPort):
    """The wallet's posting rules over a dictionary of balances: user and pool accounts never go below zero,
    a plan is replayed under its key, a key is bound to its plan and a leg key to its posting, and a refused
    posting moves nothing and is refused again under its key. ``unreachable`` makes every call fail as a
    wallet that cannot be reached."""

    def __init__(self) -> None:
        self.balances: dict[tuple[str, str], int] = {}
        self.unreachable = False
        self._postings: dict[str, tuple[PostingPlan, PostingReceipt | InsufficientFunds]] = {}
        self._leg_keys: set[str] = set()

    def fund(self, user_id: str, amount: int, currency: str = "INR") -> None:
        """Top up a user's wallet from outside the platform."""
        for account, delta in ((f"user:{user_id}", amount), (OUTSIDE, -amount)):
            self.balances[account, currency] = self.balances.get((account, currency), 0) + delta

    def balance(self, account: str, currency: str = "INR") -> int:
        return self.balances.get((account, currency), 0)

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        if self.unreachable:
            raise Unavailable("A backing service is unavailable")
        _check(plan)
        stored = self._postings.get(plan.key)
        if stored is not None:
            if stored[0] != plan:
                raise IdempotencyConflict()
            if isinstance(stored[1], InsufficientFunds):
                raise InsufficientFunds(stored[1].message)
            return replace(stored[1], replayed=True)
        after = dict(self.balances)
        running = []
        for leg in plan.legs:
            slot = (leg.account, plan.currency)
            after[slot] = after.get(slot, 0) + leg.amount
            running.append(after[slot])
        for account, currency in {(leg.account, plan.currency) for leg in plan.legs}:
            kind = account.partition(":")[0]
            if kind in ("user", "pool") and after[account, currency] < 0:
                refused = InsufficientFunds(f"Insufficient balance in {kind} account")
                self._postings[plan.key] = (plan, refused)
                raise refused
        keys = {leg.key for leg in plan.legs if leg.key}
        if keys & self._leg_keys:
            raise IdempotencyConflict("a transaction with this idempotency key already exists")
        entry_id, now = ids.new_id("ent"), timestamp_now()
        transactions = tuple(
            WalletTransaction(
                id=ids.new_id("txn"), user_id=_user_of(leg.account), account=leg.account, type=leg.type,
                amount=leg.amount, currency=plan.currency, source=SOURCE, status="completed",
                description=leg.description or plan.description,
                metadata=leg.metadata or plan.metadata, idempotency_key=leg.key, balance_after=balance,
                entry_id=entry_id, hold_id="", created_at=now, updated_at=now, posted_at=now,
            )
            for leg, balance in zip(plan.legs, running, strict=True)
        )
        receipt = PostingReceipt(entry_id=entry_id, replayed=False, transactions=transactions)
        self.balances = after
        self._leg_keys |= keys
        self._postings[plan.key] = (plan, receipt)
        return receipt

    async def post_batch(self, plans: Sequence[PostingPlan]) -> list[PostingReceipt | WinzoneError]:
        """Each plan as ``post`` takes it, in order; the call is refused whole when it is empty or too big."""
        if self.unreachable:
            raise Unavailable("A backing service is unavailable")
        if not 1 <= len(plans) <= WALLET_MAX_BATCH:
            raise InvalidArgument(f"a batch needs between 1 and {WALLET_MAX_BATCH} entries", code="INVALID_BATCH")
        answers: list[PostingReceipt | WinzoneError] = []
        for plan in plans:
            try:
                answers.append(await self.post(plan))
            except WinzoneError as exc:
                answers.append(exc)
        return answers


def _user_of(account: str) -> str:
    kind, _, owner = account.partition(":")
    return owner if kind == "user" else ""


def _check(plan: PostingPlan) -> None:
    """The wallet's checks of a posting's legs (a plan is balanced by construction)."""
    keys = [leg.key for leg in plan.legs if leg.key]
    if len(set(keys)) != len(keys):
        raise InvalidArgument("leg idempotency keys must be unique", code="INVALID_POSTING")
    for leg in plan.legs:
        if leg.amount == 0:
            raise InvalidArgument("every leg needs a non-zero amount within limits", code="INVALID_AMOUNT")
        if leg.type not in LEG_TYPES:
            raise InvalidArgument(f"leg type must be one of {sorted(LEG_TYPES)}", code="INVALID_TYPE")
        if not ACCOUNT.fullmatch(leg.account):
            raise InvalidArgument(f"unknown account {leg.account[:140]!r}", code="INVALID_ACCOUNT")


class Harness:
    """A wallet and a reward server on port 0, and synchronous clients for both; closed on leaving ``with``."""

    def __init__(self, tmp_path: Path, *, ledger: LedgerStore | None = None, rewards_store: RewardStore | None = None,
                 **service_options: Any) -> None:
        """On SQLite files under ``tmp_path``, unless ``ledger`` / ``rewards_store`` are given (the harness then
        migrates and closes them)."""
        self.ledger = ledger or SqliteLedgerStore(tmp_path / "wallet.sqlite3", synchronous="NORMAL")
        self.ledger.migrate()
        self.wallet_server = RunningServer(lambda: wallet_server.create_server(self.ledger, token=TEST_TOKEN))
        self.rewards_store = rewards_store or SqliteRewardStore(tmp_path / "rewards.sqlite3", synchronous="NORMAL")
        self.rewards_store.migrate()
        self.flaky: FlakyWallet | None = None
        self.service: RewardService | None = None
        self._service_wallet_channel: grpc.aio.Channel | None = None
        self.clock_offset = 0.0
        """Seconds added to the reward service's clock (to let leases run out without waiting)."""

        async def start_rewards() -> Any:
            self._service_wallet_channel = service_channel(self.wallet_server.address, TEST_TOKEN)
            self.flaky = FlakyWallet(GrpcWallet(self._service_wallet_channel))
            self.service = RewardService(self.rewards_store, self.flaky, FEES,
                                         clock=lambda: utc_now() + timedelta(seconds=self.clock_offset),
                                         **service_options)
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
            if self._service_wallet_channel is not None:
                self.reward_server.thread.run(self._service_wallet_channel.close())
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

    def land_late(self) -> list[PostingReceipt | WinzoneError]:
        """Deliver the wallet requests that timed out but were still on their way (``FlakyWallet.late``)."""
        assert self.flaky is not None
        return self.reward_server.thread.run(self.flaky.land_late())

    def contribution(self, contribution_id: str) -> Contribution | None:
        return self.rewards_store.read(lambda uow: uow.contribution_get(contribution_id))

    def pending_distributions(self) -> list[str]:
        pending = self.rewards_store.read(lambda uow: uow.distributions_pending("9999", 1_000))
        return [d.match_id for d in pending]

    def credit(self, user: str, amount: int) -> None:
        self.wallet.Credit(wpb.CreditRequest(idempotency_key=new_id("topup"), user_id=user, amount=amount,
                                             currency="INR", type="topup"))

    def open(self, organizer: str, entry_fee: int, *, competition: str | None = None, template: str = "top3",
             actor: rpb.Actor | None = None) -> str:
        """Open a competition: under ``competition`` (or a fresh id) for an internal caller; with an ``actor``
        under the id the service generates, as end users must (``competition`` then names one to change)."""
        if competition is None:
            competition = "" if actor is not None else new_id("cmp")
        opened = self.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, organizer_id=organizer, entry_fee=entry_fee, currency="INR",
            template=template, actor=actor))
        return str(opened.competition.id)

    def enter(self, competition: str, user: str, *, fund: bool = True) -> rpb.PoolPayment:
        if fund:
            fee = self.rewards.GetCompetition(rpb.GetCompetitionRequest(competition_id=competition)).entry_fee
            self.credit(user, fee)
        return self.rewards.ChargeEntryFee(rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=user))

    def entry_with_lost_answer(self) -> tuple[str, str, rpb.ChargeEntryFeeRequest]:
        """A new 40-rupee competition and a funded player whose entry fee the wallet will take while its answer
        is lost: the competition, the player and the request that charges the fee."""
        competition = self.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        self.credit(player, 100 * RUPEE)
        assert self.flaky is not None
        self.flaky.fail_after.add(f"entry_{competition}_{player}")
        return competition, player, rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)

    def competition_with_players(self, players: int, entry_fee: int = 100 * RUPEE) -> tuple[str, str, list[str]]:
        organizer = new_id("org")
        competition = self.open(organizer, entry_fee)
        users = [new_id("p") for _ in range(players)]
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
