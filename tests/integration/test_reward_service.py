"""The reward service through gRPC, paying through a real wallet server, both on SQLite files.

Every test that moves money ends with the wallet's Audit RPC: balances sum to zero, each balance equals
its legs, no user or pool account is negative, total earnings equal posted rewards.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import grpc
import pytest

from reward_service.adapters.sqlite_store import SqliteRewardStore
from reward_service.domain.commands import ContributionRequest, DistributeCommand, OpenCompetitionCommand
from reward_service.domain.ports import RewardStore, RewardUnitOfWork
from reward_service.domain.split import Standing
from reward_service.use_cases.facade import RewardService
from tests.support.ids import new_id
from tests.support.rewards import FEES, RUPEE, Harness, InMemoryWallet, rpc_code
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.wallet.v1 import wallet_pb2 as wpb


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


def parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once (released together by a barrier); each result is a value or the raised error."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        try:
            return call()
        except grpc.RpcError as exc:
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


class TestWorkedExamples:
    def test_pool_of_400_rupees_with_top3(self, env: Harness) -> None:
        competition, organizer, (a, b, c, d) = env.competition_with_players(4)
        assert env.competition(competition).pool_balance == 400 * RUPEE

        paid = env.distribute("m-" + competition, competition, [(a, 1), (b, 2), (c, 3), (d, 4)])

        assert (paid.prize_pool, paid.platform_fee, paid.organizer_fee) == (40_000, 4_000, 2_000)
        assert [(p.user_id, p.rank, p.amount) for p in paid.payouts] == [(a, 1, 17_000), (b, 2, 10_200),
                                                                         (c, 3, 6_800)]
        assert paid.status == "paid" and paid.entry_id
        assert [env.balance(u) for u in (a, b, c, d)] == [17_000, 10_200, 6_800, 0]
        assert [env.earnings(u) for u in (a, b, c, d)] == [17_000, 10_200, 6_800, 0]
        assert env.balance(organizer) == 2_000
        assert [t.type for t in env.transactions(organizer)] == ["organizerFee"]
        rewards = env.transactions(a, "reward")
        assert [(t.amount, t.idempotency_key) for t in rewards] == [(17_000, f"match_reward_m-{competition}_{a}")]
        assert env.pool(competition) == 0
        after = env.competition(competition)
        assert (after.pool_balance, after.status, after.entries) == (0, "closed", 4)
        env.assert_audit_ok()

    def test_pool_of_300_rupees_with_two_tied_first(self, env: Harness) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)

        paid = env.distribute(new_id("m"), competition, [(b, 1), (a, 1), (c, 3)])

        assert (paid.platform_fee, paid.organizer_fee) == (3_000, 1_500)
        assert sorted((p.user_id, p.amount) for p in paid.payouts) == sorted([(a, 10_200), (b, 10_200),
                                                                               (c, 5_100)])
        assert [env.balance(u) for u in (a, b, c)] == [10_200, 10_200, 5_100]
        env.assert_audit_ok()


class TestIdempotency:
    def test_the_same_request_returns_the_same_distribution(self, env: Harness) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)
        match = new_id("m")
        first = env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)])
        before = env.ledger_state()

        again = env.distribute(match, competition, [(c, 3), (a, 1), (b, 2)])

        assert again == first
        assert env.ledger_state() == before
        assert env.rewards.GetDistribution(rpb.GetDistributionRequest(match_id=match)) == first
        assert [len(env.transactions(u, "reward")) for u in (a, b, c)] == [1, 1, 1]
        env.assert_audit_ok()

    @pytest.mark.parametrize("change", ["standings", "template", "shares", "prize_pool", "competition"])
    def test_another_request_for_a_paid_match_is_already_exists_and_moves_nothing(
        self, env: Harness, change: str
    ) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)
        other_competition, _, _ = env.competition_with_players(1)
        match = new_id("m")
        env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)], prize_pool=200 * RUPEE)
        before = env.ledger_state()
        fields: dict[str, Any] = {"prize_pool": 200 * RUPEE}
        standings = [(a, 1), (b, 2), (c, 3)]
        target = competition
        if change == "standings":
            standings = [(b, 1), (a, 2), (c, 3)]
        elif change == "template":
            fields["template"] = "winner_takes_all"
        elif change == "shares":
            fields["shares"] = ["60", "30", "10"]
        elif change == "prize_pool":
            fields["prize_pool"] = 100 * RUPEE
        else:
            target = other_competition

        status, code = rpc_code(lambda: env.distribute(match, target, standings, **fields))

        assert (status, code) == (grpc.StatusCode.ALREADY_EXISTS, "DISTRIBUTION_CONFLICT")
        assert env.ledger_state() == before
        env.assert_audit_ok()

    def test_ten_parallel_distributions_of_one_match_pay_once(self, env: Harness) -> None:
        competition, organizer, users = env.competition_with_players(5)
        match = new_id("m")
        standings = [(u, rank) for rank, u in enumerate(users, start=1)]

        results = parallel([lambda: env.distribute(match, competition, standings) for _ in range(10)])

        assert all(isinstance(r, rpb.Distribution) for r in results), results
        assert len({r.entry_id for r in results}) == 1
        assert len({r.SerializeToString() for r in results}) == 1
        for user in users[:3]:
            assert len(env.transactions(user, "reward")) == 1
        assert sum(env.balance(u) for u in users) + env.balance(organizer) == 500 * RUPEE - 50 * RUPEE
        assert env.pool(competition) == 0
        env.assert_audit_ok()

    def test_a_crash_before_the_wallet_posting_is_resumed_by_the_same_request_only(self, env: Harness) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)
        match = new_id("m")
        assert env.flaky is not None
        env.flaky.fail_before.add(f"distribution_{match}")

        status, _ = rpc_code(lambda: env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)]))

        assert status == grpc.StatusCode.UNAVAILABLE
        pending = env.rewards.GetDistribution(rpb.GetDistributionRequest(match_id=match))
        assert pending.status == "pending" and not pending.entry_id
        assert env.balance(a) == 0 and env.pool(competition) == 300 * RUPEE
        assert env.competition(competition).pool_balance == 0
        assert rpc_code(lambda: env.distribute(match, competition, [(b, 1), (a, 2), (c, 3)]))[0] == \
            grpc.StatusCode.ALREADY_EXISTS
        assert env.balance(a) == 0

        paid = env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)])

        assert paid.status == "paid"
        assert [env.balance(u) for u in (a, b, c)] == [12_750, 7_650, 5_100]
        env.assert_audit_ok()

    def test_a_crash_after_the_wallet_posting_pays_once_when_retried(self, env: Harness) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)
        match = new_id("m")
        assert env.flaky is not None
        env.flaky.fail_after.add(f"distribution_{match}")

        assert rpc_code(lambda: env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)]))[0] == \
            grpc.StatusCode.UNAVAILABLE
        assert env.balance(a) == 12_750

        paid = env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)])

        assert paid.status == "paid"
        assert env.balance(a) == 12_750
        assert len(env.transactions(a, "reward")) == 1
        env.assert_audit_ok()


class TestEntries:
    def test_fifty_parallel_entries_fill_the_pool_exactly(self, env: Harness) -> None:
        organizer = new_id("org")
        competition = env.open(organizer, 25 * RUPEE)
        users = [new_id("p") for _ in range(50)]
        for user in users:
            env.credit(user, 30 * RUPEE)

        results = parallel([
            lambda u=u: env.rewards.ChargeEntryFee(rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=u))
            for u in users
        ])

        assert all(isinstance(r, rpb.PoolPayment) for r in results), results
        assert env.pool(competition) == 50 * 25 * RUPEE
        after = env.competition(competition)
        assert (after.pool_balance, after.entries) == (50 * 25 * RUPEE, 50)
        assert all(env.balance(u) == 5 * RUPEE for u in users)
        env.assert_audit_ok()

    def test_a_player_is_charged_once_however_often_they_enter(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.credit(player, 100 * RUPEE)
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)

        first = env.rewards.ChargeEntryFee(request)
        results = parallel([lambda: env.rewards.ChargeEntryFee(request) for _ in range(8)])

        assert not first.replayed
        assert (first.transaction.type, first.transaction.amount) == ("entryFee", -40 * RUPEE)
        assert first.transaction.idempotency_key == f"entry_{competition}_{player}"
        assert all(r.replayed and r.transaction.id == first.transaction.id for r in results)
        assert env.balance(player) == 60 * RUPEE
        assert env.competition(competition).entries == 1
        env.assert_audit_ok()

    def test_parallel_first_entries_of_one_player_charge_once(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.credit(player, 100 * RUPEE)
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)

        results = parallel([lambda: env.rewards.ChargeEntryFee(request) for _ in range(8)])

        assert all(isinstance(r, rpb.PoolPayment) for r in results), results
        assert len({r.transaction.id for r in results}) == 1
        assert env.balance(player) == 60 * RUPEE
        assert env.pool(competition) == 40 * RUPEE
        env.assert_audit_ok()

    def test_insufficient_funds_charges_nothing_and_a_later_entry_works(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.credit(player, 39 * RUPEE)
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)

        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request)) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                                        "INSUFFICIENT_FUNDS")
        assert env.competition(competition).entries == 0
        assert env.balance(player) == 39 * RUPEE

        env.credit(player, 1 * RUPEE)
        assert not env.rewards.ChargeEntryFee(request).replayed
        assert env.balance(player) == 0 and env.pool(competition) == 40 * RUPEE
        env.assert_audit_ok()

    def test_each_refused_entry_attempt_is_kept_and_the_next_one_gets_a_fresh_wallet_key(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        entry = f"entry_{competition}_{player}"
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)
        for _ in range(2):
            assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[1] == "INSUFFICIENT_FUNDS"
        refused = env.contribution(entry)
        assert refused is not None and (refused.status, refused.attempt) == ("refused", 1)
        assert env.competition(competition).entries == 0

        env.credit(player, 100 * RUPEE)
        paid = env.rewards.ChargeEntryFee(request)
        again = env.rewards.ChargeEntryFee(request)

        assert env.flaky is not None and env.flaky.posted == [entry, f"{entry}:1", f"{entry}:2", f"{entry}:2"]
        assert paid.transaction.idempotency_key == entry
        assert again.replayed and again.transaction.id == paid.transaction.id
        stored = env.contribution(entry)
        assert stored is not None and (stored.status, stored.attempt) == ("paid", 2)
        assert env.balance(player) == 60 * RUPEE and len(env.transactions(player, "entryFee")) == 1
        after = env.competition(competition)
        assert (after.entries, after.pool_balance) == (1, 40 * RUPEE) and env.pool(competition) == 40 * RUPEE
        env.assert_audit_ok()

    def test_an_entry_refused_while_the_account_is_restricted_works_once_the_debt_is_settled(
        self, env: Harness
    ) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.wallet.Recover(wpb.RecoverRequest(idempotency_key=new_id("cb"), user_id=player, amount=10 * RUPEE,
                                              currency="INR", counter_account="clearing:stripe"))
        env.credit(player, 5 * RUPEE)
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[1] == "ACCOUNT_RESTRICTED"

        env.credit(player, 45 * RUPEE)
        paid = env.rewards.ChargeEntryFee(request)

        assert not paid.replayed and env.balance(player) == 0
        assert env.pool(competition) == env.competition(competition).pool_balance == 40 * RUPEE
        env.assert_audit_ok()

    def test_a_refused_sponsorship_key_stays_refused(self, env: Harness) -> None:
        organizer = new_id("org")
        competition = env.open(organizer, 10 * RUPEE)
        owner = rpb.Actor(user_id=organizer, role="organizer")
        request = rpb.FundPrizePoolRequest(competition_id=competition, user_id=organizer, amount=300 * RUPEE,
                                           idempotency_key="sponsor-1", actor=owner)
        assert rpc_code(lambda: env.rewards.FundPrizePool(request))[1] == "INSUFFICIENT_FUNDS"
        env.credit(organizer, 500 * RUPEE)

        assert rpc_code(lambda: env.rewards.FundPrizePool(request))[1] == "INSUFFICIENT_FUNDS"
        fresh = env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
            competition_id=competition, user_id=organizer, amount=300 * RUPEE, idempotency_key="sponsor-2",
            actor=owner))

        assert env.flaky is not None
        assert env.flaky.posted == [f"fund_{competition}_sponsor-1"] * 2 + [f"fund_{competition}_sponsor-2"]
        assert fresh.transaction.amount == -300 * RUPEE and env.balance(organizer) == 200 * RUPEE
        assert env.pool(competition) == env.competition(competition).pool_balance == 300 * RUPEE
        env.assert_audit_ok()

    def test_a_lost_answer_is_charged_once_when_retried(self, env: Harness) -> None:
        competition, player, request = env.entry_with_lost_answer()

        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[0] == grpc.StatusCode.UNAVAILABLE
        retried = env.rewards.ChargeEntryFee(request)

        assert retried.replayed
        assert env.balance(player) == 60 * RUPEE
        assert env.competition(competition).pool_balance == env.pool(competition) == 40 * RUPEE
        env.assert_audit_ok()

    def test_entries_close_once_a_distribution_was_made(self, env: Harness) -> None:
        competition, _, (a, b) = env.competition_with_players(2)
        env.distribute(new_id("m"), competition, [(a, 1), (b, 2)])
        late = new_id("p")
        env.credit(late, 100 * RUPEE)

        status, code = rpc_code(lambda: env.rewards.ChargeEntryFee(
            rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=late)))

        assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "ENTRIES_CLOSED")
        assert env.balance(late) == 100 * RUPEE
        assert env.enter(competition, a, fund=False).replayed
        env.assert_audit_ok()

    def test_sponsorship_tops_up_the_pool_once_per_key(self, env: Harness) -> None:
        organizer = new_id("org")
        competition = env.open(organizer, 10 * RUPEE)
        env.credit(organizer, 500 * RUPEE)
        owner = rpb.Actor(user_id=organizer, role="organizer")
        request = rpb.FundPrizePoolRequest(competition_id=competition, user_id=organizer, amount=300 * RUPEE,
                                           idempotency_key="sponsor-1", actor=owner)

        first = env.rewards.FundPrizePool(request)
        again = env.rewards.FundPrizePool(request)
        other = rpb.FundPrizePoolRequest(competition_id=competition, user_id=organizer, amount=1 * RUPEE,
                                         idempotency_key="sponsor-1", actor=owner)

        assert again.replayed and again.transaction.id == first.transaction.id
        assert (first.transaction.type, first.transaction.amount) == ("debit", -300 * RUPEE)
        assert rpc_code(lambda: env.rewards.FundPrizePool(other))[0] == grpc.StatusCode.ALREADY_EXISTS
        assert env.pool(competition) == env.competition(competition).pool_balance == 300 * RUPEE
        assert env.competition(competition).entries == 0
        env.assert_audit_ok()


class TestRefunds:
    def test_refund_returns_every_entry_fee_and_sponsorship_once(self, env: Harness) -> None:
        competition, organizer, users = env.competition_with_players(3)
        env.credit(organizer, 50 * RUPEE)
        env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
            competition_id=competition, user_id=organizer, amount=50 * RUPEE, idempotency_key="k1",
            actor=rpb.Actor(user_id=organizer, role="organizer")))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="venue unavailable")

        result = env.rewards.RefundEntryFees(request)
        again = env.rewards.RefundEntryFees(request)

        assert result.competition.status == "cancelled"
        assert (result.refund.status, result.refund.total, len(result.refund.lines)) == ("paid", 350 * RUPEE, 4)
        assert again.refund == result.refund
        assert [env.balance(u) for u in users] == [100 * RUPEE] * 3
        assert env.balance(organizer) == 50 * RUPEE
        assert [[t.type for t in env.transactions(u)] for u in users] == [["refund", "entryFee", "topup"]] * 3
        assert env.pool(competition) == 0 and result.competition.pool_balance == 0
        late = new_id("p")
        env.credit(late, 100 * RUPEE)
        assert rpc_code(lambda: env.enter(competition, late, fund=False))[1] == "COMPETITION_CANCELLED"
        assert rpc_code(lambda: env.distribute(new_id("m"), competition, [(users[0], 1)]))[1] == \
            "COMPETITION_CANCELLED"
        env.assert_audit_ok()

    def test_refund_of_an_empty_competition_just_cancels_it(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 10 * RUPEE)
        result = env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(competition_id=competition, reason="x"))
        assert (result.competition.status, result.refund.status, result.refund.total) == ("cancelled", "paid", 0)

    def test_refund_is_refused_after_a_distribution(self, env: Harness) -> None:
        competition, _, (a, b) = env.competition_with_players(2)
        env.distribute(new_id("m"), competition, [(a, 1), (b, 2)], prize_pool=100 * RUPEE)
        before = env.ledger_state()

        status, code = rpc_code(lambda: env.rewards.RefundEntryFees(
            rpb.RefundEntryFeesRequest(competition_id=competition, reason="too late")))

        assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "REFUND_REFUSED")
        assert env.ledger_state() == before
        env.assert_audit_ok()

    @pytest.mark.parametrize("round_", range(4))
    def test_a_refund_racing_a_distribution_lets_exactly_one_happen(self, env: Harness, round_: int) -> None:
        competition, organizer, users = env.competition_with_players(4)
        standings = [(u, rank) for rank, u in enumerate(users, start=1)]
        refund = rpb.RefundEntryFeesRequest(competition_id=competition, reason="race")
        calls: list[Callable[[], Any]] = [
            lambda: env.rewards.RefundEntryFees(refund),
            lambda: env.distribute(new_id("m"), competition, standings),
        ]
        if round_ % 2:
            calls.reverse()

        results = parallel(calls)

        succeeded = [r for r in results if not isinstance(r, grpc.RpcError)]
        failed = [r for r in results if isinstance(r, grpc.RpcError)]
        assert len(succeeded) == 1 and len(failed) == 1, results
        assert failed[0].code() == grpc.StatusCode.FAILED_PRECONDITION
        balances = [env.balance(u) for u in users]
        if isinstance(succeeded[0], rpb.RefundResult):
            assert balances == [100 * RUPEE] * 4
            assert all(env.earnings(u) == 0 for u in users)
        else:
            assert balances == [17_000, 10_200, 6_800, 0]
            assert env.balance(organizer) == 2_000
        assert env.pool(competition) == 0
        env.assert_audit_ok()

    def test_a_refund_settles_an_entry_whose_answer_was_lost(self, env: Harness) -> None:
        competition, _, users = env.competition_with_players(2)
        late = new_id("p")
        env.credit(late, 100 * RUPEE)
        assert env.flaky is not None
        env.flaky.fail_after.add(f"entry_{competition}_{late}")
        assert rpc_code(lambda: env.enter(competition, late, fund=False))[0] == grpc.StatusCode.UNAVAILABLE
        assert env.pool(competition) == 300 * RUPEE
        assert env.competition(competition).pool_balance == 200 * RUPEE

        result = env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(competition_id=competition, reason="x"))

        assert result.refund.total == 300 * RUPEE
        assert [env.balance(u) for u in [*users, late]] == [100 * RUPEE] * 3
        assert env.pool(competition) == 0
        env.assert_audit_ok()


class TestCompetitions:
    def test_the_owner_may_change_terms_only_before_the_first_entry(self, env: Harness) -> None:
        organizer = new_id("org")
        owner = rpb.Actor(user_id=organizer, role="organizer")
        competition = env.open(organizer, 10 * RUPEE, actor=owner)
        changed = env.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, entry_fee=20 * RUPEE, template="top5", actor=owner))
        assert (changed.created, changed.competition.entry_fee, changed.competition.template) == (
            False, 20 * RUPEE, "top5")
        env.enter(competition, new_id("p"))

        status, code = rpc_code(lambda: env.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, entry_fee=30 * RUPEE, template="top5", actor=owner)))
        same = env.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
            competition_id=competition, entry_fee=20 * RUPEE, template="top5", actor=owner))

        assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "COMPETITION_HAS_ENTRIES")
        assert same.competition.entry_fee == 20 * RUPEE and not same.created

    def test_another_organizer_is_denied_everything(self, env: Harness) -> None:
        competition, _, (a, b) = env.competition_with_players(2)
        intruder = rpb.Actor(user_id=new_id("org"), role="organizer")
        env.credit(intruder.user_id, 100 * RUPEE)
        before = env.ledger_state()
        calls = [
            lambda: env.rewards.OpenCompetition(rpb.OpenCompetitionRequest(
                competition_id=competition, entry_fee=1, actor=intruder)),
            lambda: env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
                competition_id=competition, user_id=intruder.user_id, amount=100, idempotency_key="k",
                actor=intruder)),
            lambda: env.distribute(f"m1@{competition}", competition, [(a, 1)], actor=intruder),
            lambda: env.rewards.PreviewDistribution(env.request(f"m1@{competition}", competition, [(a, 1)],
                                                                actor=intruder)),
            lambda: env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(
                competition_id=competition, reason="mine now", actor=intruder)),
        ]
        for call in calls:
            assert rpc_code(call) == (grpc.StatusCode.PERMISSION_DENIED, "FORBIDDEN")
        assert env.ledger_state() == before
        admin = rpb.Actor(user_id=new_id("adm"), role="admin")
        assert env.distribute(f"final@{competition}", competition, [(a, 1), (b, 2)], actor=admin).status == "paid"
        env.assert_audit_ok()

    def test_preview_moves_nothing_and_matches_the_payment(self, env: Harness) -> None:
        competition, _, (a, b, c) = env.competition_with_players(3)
        match = new_id("m")
        request = env.request(match, competition, [(a, 1), (b, 2), (c, 3)], shares=["70", "29.5", "0.5"])
        before = env.ledger_state()

        preview = env.rewards.PreviewDistribution(request)

        assert preview.status == "preview" and env.ledger_state() == before
        assert rpc_code(lambda: env.rewards.GetDistribution(rpb.GetDistributionRequest(match_id=match)))[0] == \
            grpc.StatusCode.NOT_FOUND
        paid = env.rewards.DistributeMatchRewards(request)
        assert list(paid.payouts) == list(preview.payouts)
        assert (paid.template, list(paid.shares)) == ("", ["70", "29.5", "0.5"])

    def test_part_of_the_pool_per_match(self, env: Harness) -> None:
        competition, _, (a, b, c, d) = env.competition_with_players(4)
        first = env.distribute(new_id("m"), competition, [(a, 1), (b, 2)], prize_pool=100 * RUPEE,
                               template="winner_takes_all")
        second = env.distribute(new_id("m"), competition, [(c, 1), (d, 2)])
        assert [(p.user_id, p.amount) for p in first.payouts] == [(a, 8_500)]
        assert second.prize_pool == 300 * RUPEE
        assert env.pool(competition) == 0 == env.competition(competition).pool_balance
        status, code = rpc_code(lambda: env.distribute(new_id("m"), competition, [(a, 1)]))
        assert (status, code) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_POOL")
        env.assert_audit_ok()


def _standings(users: list[str]) -> list[tuple[str, int]]:
    return [(u, rank) for rank, u in enumerate(users, start=1)]


VALIDATION_CASES: list[tuple[str, Callable[[list[str]], dict[str, Any]], grpc.StatusCode, str]] = [
    ("empty standings", lambda u: {"standings": []}, grpc.StatusCode.INVALID_ARGUMENT, "EMPTY_STANDINGS"),
    ("duplicate users", lambda u: {"standings": [(u[0], 1), (u[0], 2)]}, grpc.StatusCode.INVALID_ARGUMENT,
     "DUPLICATE_USER"),
    ("rank zero", lambda u: {"standings": [(u[0], 0), (u[1], 1)]}, grpc.StatusCode.INVALID_ARGUMENT,
     "INVALID_RANK"),
    ("negative rank", lambda u: {"standings": [(u[0], -1)]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_RANK"),
    ("blank user", lambda u: {"standings": [("", 1)]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_USER_ID"),
    ("bad user id", lambda u: {"standings": [("a b", 1)]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ID"),
    ("unknown template", lambda u: {"template": "top4"}, grpc.StatusCode.INVALID_ARGUMENT, "UNKNOWN_TEMPLATE"),
    ("shares below 100", lambda u: {"shares": ["50", "30"]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SHARES"),
    ("negative share", lambda u: {"shares": ["110", "-10"]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SHARES"),
    ("share not a number", lambda u: {"shares": ["NaN"]}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_SHARES"),
    ("share too precise", lambda u: {"shares": ["99.9999999", "0.0000001"]}, grpc.StatusCode.INVALID_ARGUMENT,
     "INVALID_SHARES"),
    ("template and shares", lambda u: {"template": "top3", "shares": ["100"]}, grpc.StatusCode.INVALID_ARGUMENT,
     "TEMPLATE_AND_SHARES"),
    ("zero prize pool", lambda u: {"prize_pool": 0}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_AMOUNT"),
    ("pool too small", lambda u: {"prize_pool": 300 * RUPEE + 1}, grpc.StatusCode.FAILED_PRECONDITION,
     "INSUFFICIENT_POOL"),
    ("unknown competition", lambda u: {"competition_id": "nope"}, grpc.StatusCode.NOT_FOUND,
     "COMPETITION_NOT_FOUND"),
    ("bad match id", lambda u: {"match_id": "x" * 65}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ID"),
    ("bad actor", lambda u: {"actor": rpb.Actor(user_id="x", role="root")}, grpc.StatusCode.INVALID_ARGUMENT,
     "INVALID_ACTOR"),
]


@pytest.mark.parametrize(("case", "change", "status", "code"), VALIDATION_CASES,
                         ids=[case[0] for case in VALIDATION_CASES])
def test_an_invalid_distribution_moves_nothing(
    env: Harness, case: str, change: Callable[[list[str]], dict[str, Any]], status: grpc.StatusCode, code: str
) -> None:
    competition, _, users = env.competition_with_players(3)
    fields: dict[str, Any] = {"match_id": new_id("m"), "competition_id": competition, "standings": _standings(users)}
    fields.update(change(users))
    request = env.request(fields.pop("match_id"), fields.pop("competition_id"), fields.pop("standings"), **fields)
    before = env.ledger_state()

    for method in (env.rewards.PreviewDistribution, env.rewards.DistributeMatchRewards):
        assert rpc_code(lambda method=method: method(request)) == (status, code)

    assert env.ledger_state() == before
    assert env.competition(competition).pool_balance == 300 * RUPEE
    env.assert_audit_ok()


ENTRY_CASES: list[tuple[str, dict[str, Any], grpc.StatusCode, str]] = [
    ("unknown competition", {"competition_id": "nope"}, grpc.StatusCode.NOT_FOUND, "COMPETITION_NOT_FOUND"),
    ("fee differs", {"expected_amount": 1}, grpc.StatusCode.INVALID_ARGUMENT, "ENTRY_FEE_MISMATCH"),
    ("currency differs", {"expected_currency": "USD"}, grpc.StatusCode.INVALID_ARGUMENT, "CURRENCY_MISMATCH"),
    ("unsupported currency", {"expected_currency": "EUR"}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_CURRENCY"),
    ("bad user id", {"user_id": "../x"}, grpc.StatusCode.INVALID_ARGUMENT, "INVALID_ID"),
]


@pytest.mark.parametrize(("case", "fields", "status", "code"), ENTRY_CASES, ids=[c[0] for c in ENTRY_CASES])
def test_an_invalid_entry_moves_nothing(
    env: Harness, case: str, fields: dict[str, Any], status: grpc.StatusCode, code: str
) -> None:
    competition = env.open(new_id("org"), 10 * RUPEE)
    player = new_id("p")
    env.credit(player, 10 * RUPEE)
    before = env.ledger_state()
    request = {"competition_id": competition, "user_id": player, **fields}

    assert rpc_code(lambda: env.rewards.ChargeEntryFee(rpb.ChargeEntryFeeRequest(**request))) == (status, code)

    assert env.ledger_state() == before
    assert env.competition(competition).entries == 0
    env.assert_audit_ok()


class ThreadRecordingStore(RewardStore):
    """The SQLite store behind the port's default ``read_async`` (as the MongoDB store uses it), recording the
    thread of every read."""

    def __init__(self, inner: SqliteRewardStore) -> None:
        self.inner = inner
        self.read_threads: list[int] = []

    def atomic(self, op: Callable[[RewardUnitOfWork], Any]) -> Any:
        return self.inner.atomic(op)

    def read(self, op: Callable[[RewardUnitOfWork], Any]) -> Any:
        self.read_threads.append(threading.get_ident())
        return self.inner.read(op)

    def migrate(self) -> None:
        self.inner.migrate()

    def close(self) -> None:
        self.inner.close()


def test_store_reads_never_block_the_event_loop(tmp_path: Path) -> None:
    """A read of a remote store (MongoDB) can wait up to its timeout: it must not freeze every other call."""
    store = ThreadRecordingStore(SqliteRewardStore(tmp_path / "rewards.sqlite3", synchronous="NORMAL"))
    store.migrate()
    wallet = InMemoryWallet()
    for user in ("a", "b"):
        wallet.fund(user, 100)
    service = RewardService(store, wallet, FEES)

    async def scenario() -> int:
        await service.open_competition(OpenCompetitionCommand.build(
            competition_id="c1", organizer_id="org1", entry_fee=100, currency="INR", template="top3"), None)
        for user in ("a", "b"):
            await service.contribute(ContributionRequest.entry(competition_id="c1", user_id=user))
        cmd = DistributeCommand.build(match_id="m1", competition_id="c1", template=None, shares=None,
                                      standings=[Standing("a", 1), Standing("b", 2)], prize_pool=None, actor=None)
        await service.preview(cmd)
        await service.distribute(cmd)
        await service.distribute(cmd)
        await service.distribution("m1")
        await service.competition("c1")
        await service.reconcile()
        return threading.get_ident()

    try:
        loop_thread = asyncio.run(scenario())
    finally:
        store.close()
    assert store.read_threads and loop_thread not in store.read_threads
