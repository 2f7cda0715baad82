"""The contract every ``WalletPort`` must pass: what the wallet answers to a posting, to the same posting again,
to a posting it refuses and when it cannot be reached, exactly as the reward service relies on it.

The real client (``GrpcWallet`` against a real wallet server) and every fake the reward tests use run it, so
no fake drifts from the wallet. Subclass ``RewardWalletPortContract`` per implementation and implement
``create_port`` and ``unreachable_port`` (both called on the test's event loop), ``dispose_port``, ``fund``
and ``balance``.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

import pytest

from reward_service.domain.model import NO_LEASE, Contribution, Distribution, Payout
from reward_service.domain.ports import PostingReceipt, WalletPort
from reward_service.domain.postings import (
    SOURCE,
    WALLET_MAX_BATCH,
    LegPlan,
    PostingPlan,
    contribution_posting,
    distribution_postings,
    pool_account,
    user_account,
)
from reward_service.use_cases.leases import WALLET_REFUSALS
from tests.support.ids import new_id, new_user
from winzone_kernel.clock import parse_utc
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidArgument, Unavailable, WinzoneError

NOW = "2026-01-01T00:00:00.000000Z"

Scenario = Callable[[WalletPort], Awaitable[None]]


def entry_plan(competition_id: str, user_id: str, amount: int, attempt: int = 0) -> PostingPlan:
    """The posting of a player's entry fee (its ``attempt``), as the reward service plans it."""
    return contribution_posting(Contribution(
        Contribution.entry_id(competition_id, user_id), competition_id, user_id, "entry", amount, "INR", "fp",
        "pending", "tok", NO_LEASE, NOW, NOW, attempt))


def pool_payout_plan(key: str, competition_id: str, user_id: str, amount: int, leg_key: str = "") -> PostingPlan:
    """A hand-made posting from a pool to a user (a refund leg)."""
    return PostingPlan(key=key, currency="INR", description="test refund", legs=(
        LegPlan(pool_account(competition_id), -amount, "refund", "test refund"),
        LegPlan(user_account(user_id), amount, "refund", "test refund", key=leg_key),
    ))


class RewardWalletPortContract(ABC):
    """Abstract contract test case for ``WalletPort`` implementations (pyeventsourcing style)."""

    @abstractmethod
    def create_port(self) -> WalletPort:
        """A port on the test's wallet, whose books ``fund`` and ``balance`` set up and read."""

    @abstractmethod
    def unreachable_port(self) -> WalletPort:
        """A port on a wallet that cannot be reached."""

    @abstractmethod
    def fund(self, user_id: str, amount: int) -> None:
        """Top up a user's INR wallet from outside the platform."""

    @abstractmethod
    def balance(self, account: str) -> int:
        """The INR balance of a wallet account (``user:<id>``, ``pool:<id>``, ``platform_fees``); 0 if unknown."""

    @abstractmethod
    async def dispose_port(self, port: WalletPort) -> None:
        """Release what ``create_port`` or ``unreachable_port`` opened."""

    def run(self, scenario: Scenario, *, reachable: bool = True) -> None:
        """Run ``scenario`` on a new event loop with a new port."""

        async def main() -> None:
            port = self.create_port() if reachable else self.unreachable_port()
            try:
                await scenario(port)
            finally:
                await self.dispose_port(port)

        asyncio.run(main())

    def books(self, *accounts: str) -> list[int]:
        return [self.balance(account) for account in accounts]

    def test_a_posting_moves_the_money_and_shows_each_leg(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)
        plan = entry_plan(competition, player, 600)

        async def scenario(port: WalletPort) -> None:
            receipt = await port.post(plan)

            assert receipt.entry_id and not receipt.replayed
            assert [(t.account, t.user_id, t.amount, t.type, t.balance_after, t.idempotency_key)
                    for t in receipt.transactions] == [
                (f"user:{player}", player, -600, "entryFee", 400, plan.legs[0].key),
                (f"pool:{competition}", "", 600, "entryFee", 600, ""),
            ]
            for t in receipt.transactions:
                assert (t.entry_id, t.currency, t.source, t.status, t.hold_id) == (
                    receipt.entry_id, "INR", SOURCE, "completed", "")
                assert (t.description, dict(t.metadata)) == (plan.description, plan.metadata)
                assert t.created_at == t.updated_at == t.posted_at and parse_utc(t.posted_at)
            assert len({t.id for t in receipt.transactions}) == 2 and all(t.id for t in receipt.transactions)

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [400, 600]

    def test_a_multi_leg_posting_pays_every_account_at_once(self) -> None:
        competition, organizer, a, b = new_id("cmp"), new_user(), new_user(), new_user()
        for user in (a, b):
            self.fund(user, 500)
        fees_before = self.balance("platform_fees")
        match = new_id("m")
        distribution = Distribution(
            match_id=match, competition_id=competition, fingerprint="fp", template="top3", shares=(), currency="INR",
            prize_pool=1_000, platform_fee=100, organizer_fee=50, organizer_id=organizer,
            platform_fee_percentage="10", organizer_fee_percentage="5", payouts=(Payout(a, 1, 510), Payout(b, 2, 340)),
            status="pending", entry_id="", created_at=NOW, updated_at=NOW)

        async def scenario(port: WalletPort) -> None:
            for user in (a, b):
                await port.post(entry_plan(competition, user, 500))
            receipt = await port.post(distribution_postings(distribution)[0])

            assert [(t.account, t.user_id, t.amount, t.type, t.balance_after) for t in receipt.transactions] == [
                (f"pool:{competition}", "", -1_000, "reward", 0),
                (f"user:{a}", a, 510, "reward", 510),
                (f"user:{b}", b, 340, "reward", 340),
                ("platform_fees", "", 100, "platformFee", fees_before + 100),
                (f"user:{organizer}", organizer, 50, "organizerFee", 50),
            ]
            assert [t.idempotency_key for t in receipt.transactions] == [
                "", f"match_reward_{match}_{a}", f"match_reward_{match}_{b}", f"match_platform_fee_{match}",
                f"match_organizer_fee_{match}"]

        self.run(scenario)
        assert self.books(f"pool:{competition}", f"user:{a}", f"user:{b}", f"user:{organizer}") == [0, 510, 340, 50]
        assert self.balance("platform_fees") == fees_before + 100

    def test_the_same_plan_again_is_replayed_and_moves_nothing(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)
        plan = entry_plan(competition, player, 600)
        receipts: list[PostingReceipt] = []

        async def scenario(port: WalletPort) -> None:
            receipts.extend([await port.post(plan), await port.post(plan)])

        self.run(scenario)
        first, again = receipts
        assert (first.replayed, again.replayed) == (False, True)
        assert (again.entry_id, again.transactions) == (first.entry_id, first.transactions)
        assert self.books(f"user:{player}", f"pool:{competition}") == [400, 600]

    def test_a_replay_answers_even_when_the_payer_could_no_longer_pay(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 600)
        plan = entry_plan(competition, player, 600)

        async def scenario(port: WalletPort) -> None:
            first = await port.post(plan)
            again = await port.post(plan)
            assert again.replayed and again.entry_id == first.entry_id

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [0, 600]

    def test_a_key_used_for_another_plan_is_a_conflict_and_moves_nothing(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)

        async def scenario(port: WalletPort) -> None:
            await port.post(entry_plan(competition, player, 600))
            with pytest.raises(IdempotencyConflict) as conflict:
                await port.post(entry_plan(competition, player, 500))
            assert conflict.value.code == "IDEMPOTENCY_CONFLICT"
            assert not isinstance(conflict.value, WALLET_REFUSALS)

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [400, 600]

    def test_a_leg_key_another_posting_used_is_a_conflict_and_leaves_the_key_unused(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)
        leg_key, key = new_id("leg"), new_id("k")

        async def scenario(port: WalletPort) -> None:
            await port.post(entry_plan(competition, player, 600))
            await port.post(pool_payout_plan(new_id("k"), competition, player, 100, leg_key))
            with pytest.raises(IdempotencyConflict):
                await port.post(pool_payout_plan(key, competition, player, 200, leg_key))
            assert not (await port.post(pool_payout_plan(key, competition, player, 200))).replayed

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [700, 300]

    def test_a_user_short_of_funds_is_refused_for_good_under_that_key_and_a_fresh_attempt_works(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 100)
        plan = entry_plan(competition, player, 600)
        retry = entry_plan(competition, player, 600, attempt=1)

        async def scenario(port: WalletPort) -> None:
            with pytest.raises(InsufficientFunds) as refused:
                await port.post(plan)
            assert refused.value.code == "INSUFFICIENT_FUNDS" and isinstance(refused.value, WALLET_REFUSALS)
            assert self.books(f"user:{player}", f"pool:{competition}") == [100, 0]
            self.fund(player, 500)
            with pytest.raises(InsufficientFunds):
                await port.post(plan)
            assert retry.key != plan.key and retry.legs[0].key == plan.legs[0].key
            assert not (await port.post(retry)).replayed
            self.fund(player, 600)
            with pytest.raises(IdempotencyConflict):
                await port.post(entry_plan(competition, player, 600, attempt=2))

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [600, 600]

    def test_a_pool_never_goes_negative(self) -> None:
        competition, player = new_id("cmp"), new_user()

        async def scenario(port: WalletPort) -> None:
            with pytest.raises(InsufficientFunds):
                await port.post(pool_payout_plan(new_id("k"), competition, player, 100))

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [0, 0]

    def test_a_malformed_plan_is_invalid_and_moves_nothing(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)
        good = entry_plan(competition, player, 100)
        payer, pool = good.legs
        malformed = [
            PostingPlan(key=new_id("k"), currency="INR", description="bad", legs=(
                payer, LegPlan("bank:somewhere", 100, "entryFee", "bad"))),
            PostingPlan(key=new_id("k"), currency="INR", description="bad", legs=(
                LegPlan(payer.account, -100, "bonus", "bad"), pool)),
        ]
        codes: list[str] = []

        async def scenario(port: WalletPort) -> None:
            for plan in malformed:
                with pytest.raises(InvalidArgument) as invalid:
                    await port.post(plan)
                assert isinstance(invalid.value, WALLET_REFUSALS)
                codes.append(invalid.value.code)

        self.run(scenario)
        assert codes == ["INVALID_ACCOUNT", "INVALID_TYPE"]
        assert self.books(f"user:{player}", f"pool:{competition}") == [1_000, 0]

    def test_an_unreachable_wallet_is_unavailable_which_proves_nothing(self) -> None:
        plan = entry_plan(new_id("cmp"), new_user(), 100)

        async def scenario(port: WalletPort) -> None:
            with pytest.raises(Unavailable) as unavailable:
                await port.post(plan)
            assert unavailable.value.code == "SERVICE_UNAVAILABLE"
            assert not isinstance(unavailable.value, WALLET_REFUSALS)

        self.run(scenario, reachable=False)

    def test_a_batch_answers_each_plan_as_post_would_and_a_refused_one_alone(self) -> None:
        competition, a, b, poor = new_id("cmp"), new_user(), new_user(), new_user()
        for user in (a, b):
            self.fund(user, 1_000)
        used_key = new_id("k")
        plans = [entry_plan(competition, a, 600), entry_plan(competition, poor, 50), entry_plan(competition, b, 300),
                 pool_payout_plan(used_key, competition, a, 100),
                 pool_payout_plan(used_key, competition, b, 100)]
        answers: list[list[PostingReceipt | WinzoneError]] = []

        async def scenario(port: WalletPort) -> None:
            answers.append(await port.post_batch(plans))
            answers.append(await port.post_batch(plans))
            with pytest.raises(InsufficientFunds):
                await port.post(plans[1])

        self.run(scenario)
        first, again = answers
        assert [type(answer).__name__ for answer in first] == [
            "PostingReceipt", "InsufficientFunds", "PostingReceipt", "PostingReceipt", "IdempotencyConflict"]
        assert [type(answer).__name__ for answer in again] == [type(answer).__name__ for answer in first]
        receipts = [(x, y) for x, y in zip(first, again, strict=True) if isinstance(x, PostingReceipt)]
        assert all(isinstance(y, PostingReceipt) and y.replayed and y.entry_id == x.entry_id and not x.replayed
                   for x, y in receipts)
        assert self.books(f"user:{a}", f"user:{b}", f"user:{poor}", f"pool:{competition}") == [500, 700, 0, 800]

    def test_a_batch_out_of_bounds_is_invalid_and_moves_nothing(self) -> None:
        competition, player = new_id("cmp"), new_user()
        self.fund(player, 1_000)

        async def scenario(port: WalletPort) -> None:
            with pytest.raises(InvalidArgument):
                await port.post_batch([])
            with pytest.raises(InvalidArgument):
                await port.post_batch([pool_payout_plan(new_id("k"), competition, player, 1)
                                       for _ in range(WALLET_MAX_BATCH + 1)])

        self.run(scenario)
        assert self.books(f"user:{player}", f"pool:{competition}") == [1_000, 0]

    def test_an_unreachable_wallet_is_unavailable_for_a_whole_batch(self) -> None:
        plans = [entry_plan(new_id("cmp"), new_user(), 100)]

        async def scenario(port: WalletPort) -> None:
            with pytest.raises(Unavailable):
                await port.post_batch(plans)

        self.run(scenario, reachable=False)
