"""Payments nobody comes back for are still settled, and requests that could strand money are refused before
anything is decided: the reward service's reconciler over a real wallet server, the restart of a crashed
service, and the limits of one wallet posting.

Every test ends with nothing left pending, each pool's unpromised balance equal to the wallet's pool, and the
wallet's audit passing.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from reward_service import server as reward_server
from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest
from reward_service.domain.model import Contribution
from reward_service.domain.postings import MAX_PAYOUTS
from reward_service.settings import RewardSettings
from reward_service.use_cases import reconciliation
from reward_service.use_cases.reconciliation import ReconcileReport
from tests.support.grpc_servers import TEST_TOKEN
from tests.support.ids import new_id
from tests.support.rewards import RUPEE, Harness, rpc_code
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone_kernel.clock import format_utc, utc_now


def refund_key(competition: str, user: str) -> str:
    """The wallet key of the refund of ``user``'s entry fee."""
    return f"refund_{Contribution.entry_id(competition, user)}"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Harness]:
    with Harness(tmp_path) as harness:
        yield harness


def assert_books_agree(env: Harness, *competitions: str) -> None:
    assert env.pending_distributions() == []
    for competition in competitions:
        assert env.competition(competition).pool_balance == env.pool(competition)
    env.assert_audit_ok()


def claim_and_crash(env: Harness, request: ContributionRequest) -> None:
    """What a request that crashed right after claiming its contribution leaves: a pending, leased entry."""
    now = utc_now()
    env.rewards_store.atomic(lambda uow: rules.claim_contribution(
        uow, request, "crashed-driver", now=format_utc(now), lease_until=format_utc(now + timedelta(seconds=30))))


class TestReconciler:
    def test_a_distribution_its_caller_never_retried_is_paid(self, env: Harness) -> None:
        competition, organizer, (a, b, c) = env.competition_with_players(3)
        match = new_id("m")
        assert env.flaky is not None
        env.flaky.fail_before.add(f"distribution_{match}")
        assert rpc_code(lambda: env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)]))[0] == \
            grpc.StatusCode.UNAVAILABLE
        assert env.pending_distributions() == [match]

        assert env.reconcile(min_age_seconds=60) == ReconcileReport()
        assert env.reconcile() == ReconcileReport(distributions=1)

        paid = env.rewards.GetDistribution(rpb.GetDistributionRequest(match_id=match))
        assert paid.status == "paid" and paid.entry_id
        assert [env.balance(u) for u in (a, b, c)] == [12_750, 7_650, 5_100]
        assert env.balance(organizer) == 1_500
        assert env.reconcile() == ReconcileReport()
        assert [env.balance(u) for u in (a, b, c)] == [12_750, 7_650, 5_100]
        assert_books_agree(env, competition)

    def test_an_entry_whose_answer_was_lost_is_recorded(self, env: Harness) -> None:
        competition, player, request = env.entry_with_lost_answer()
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[0] == grpc.StatusCode.UNAVAILABLE
        assert (env.pool(competition), env.competition(competition).pool_balance) == (40 * RUPEE, 0)

        assert env.reconcile() == ReconcileReport(contributions=1)

        after = env.competition(competition)
        assert (after.pool_balance, after.entries) == (40 * RUPEE, 1)
        assert env.balance(player) == 60 * RUPEE
        assert env.rewards.ChargeEntryFee(request).replayed
        assert_books_agree(env, competition)

    def test_an_entry_left_by_a_crashed_request_is_settled_once_its_lease_ran_out(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.credit(player, 100 * RUPEE)
        claim_and_crash(env, ContributionRequest.entry(competition_id=competition, user_id=player))

        assert env.reconcile() == ReconcileReport()
        env.clock_offset = 31.0
        assert env.reconcile() == ReconcileReport(contributions=1)

        after = env.competition(competition)
        assert (after.pool_balance, after.entries) == (40 * RUPEE, 1)
        assert env.balance(player) == 60 * RUPEE
        assert_books_agree(env, competition)

    def test_an_entry_the_wallet_refuses_is_removed_and_charges_nothing(self, env: Harness) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        env.credit(player, 10 * RUPEE)
        claim_and_crash(env, ContributionRequest.entry(competition_id=competition, user_id=player))
        assert env.competition(competition).entries == 1
        env.clock_offset = 31.0

        assert env.reconcile() == ReconcileReport(contributions=1)

        after = env.competition(competition)
        assert (after.pool_balance, after.entries) == (0, 0)
        assert env.balance(player) == 10 * RUPEE
        assert_books_agree(env, competition)

    def test_an_entry_post_that_lands_after_its_call_timed_out_is_counted_by_the_reconciler(
        self, env: Harness
    ) -> None:
        competition = env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        entry = f"entry_{competition}_{player}"
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)
        env.credit(player, 39 * RUPEE)
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[1] == "INSUFFICIENT_FUNDS"
        env.credit(player, 1 * RUPEE)
        assert env.flaky is not None
        env.flaky.late.add(f"{entry}:1")
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[0] == grpc.StatusCode.UNAVAILABLE

        landed = env.land_late()

        assert [type(answer).__name__ for answer in landed] == ["PostingReceipt"]
        assert (env.pool(competition), env.competition(competition).pool_balance) == (40 * RUPEE, 0)
        assert env.reconcile() == ReconcileReport(contributions=1)
        after = env.competition(competition)
        assert (after.pool_balance, after.entries) == (40 * RUPEE, 1)
        assert env.rewards.ChargeEntryFee(request).replayed
        assert env.flaky.posted == [entry, f"{entry}:1", f"{entry}:1", f"{entry}:1"]
        assert env.balance(player) == 0
        assert_books_agree(env, competition)

    def test_a_timed_out_entry_post_landing_after_a_refusal_of_its_key_moves_nothing(self, env: Harness) -> None:
        competition, other = env.open(new_id("org"), 40 * RUPEE), env.open(new_id("org"), 40 * RUPEE)
        player = new_id("p")
        entry = f"entry_{competition}_{player}"
        request = rpb.ChargeEntryFeeRequest(competition_id=competition, user_id=player)
        env.credit(player, 40 * RUPEE)
        assert env.flaky is not None
        env.flaky.late.add(entry)
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[0] == grpc.StatusCode.UNAVAILABLE
        env.enter(other, player, fund=False)
        assert rpc_code(lambda: env.rewards.ChargeEntryFee(request))[1] == "INSUFFICIENT_FUNDS"
        env.credit(player, 40 * RUPEE)

        landed = env.land_late()
        stored = env.contribution(entry)

        assert [getattr(answer, "code", "") for answer in landed] == ["INSUFFICIENT_FUNDS"]
        assert stored is not None and (stored.status, stored.attempt) == ("refused", 0)
        assert env.pool(competition) == 0 and env.balance(player) == 40 * RUPEE
        assert not env.rewards.ChargeEntryFee(request).replayed
        assert env.reconcile() == ReconcileReport()
        assert env.balance(player) == 0 and len(env.transactions(player, "entryFee")) == 2
        assert (env.pool(competition), env.competition(competition).entries) == (40 * RUPEE, 1)
        assert_books_agree(env, competition, other)

    def test_a_refund_interrupted_before_its_posting_is_finished(self, env: Harness) -> None:
        competition, _, users = env.competition_with_players(3)
        assert env.flaky is not None
        env.flaky.fail_before.add(refund_key(competition, users[0]))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="venue flooded")
        assert rpc_code(lambda: env.rewards.RefundEntryFees(request))[0] == grpc.StatusCode.UNAVAILABLE
        assert env.competition(competition).status == "cancelled"
        assert env.pool(competition) == 300 * RUPEE

        assert env.reconcile() == ReconcileReport(refunds=1)

        assert [env.balance(u) for u in users] == [100 * RUPEE] * 3
        assert env.rewards.RefundEntryFees(request).refund.status == "paid"
        assert [len(env.transactions(u, "refund")) for u in users] == [1, 1, 1]
        assert_books_agree(env, competition)

    def test_a_failure_is_left_for_the_next_run(self, env: Harness) -> None:
        competition, _, (a, b) = env.competition_with_players(2)
        match = new_id("m")
        assert env.flaky is not None
        env.flaky.fail_before.add(f"distribution_{match}")
        rpc_code(lambda: env.distribute(match, competition, [(a, 1), (b, 2)]))
        env.flaky.fail_before.add(f"distribution_{match}")

        assert env.reconcile() == ReconcileReport(failed=1)
        assert env.pending_distributions() == [match]
        assert env.reconcile() == ReconcileReport(distributions=1)
        assert_books_agree(env, competition)


def test_a_record_that_keeps_failing_is_backed_off_and_paged_past(
    env: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reconciliation, "RECONCILE_BATCH", 1)
    competition, _, (a, b) = env.competition_with_players(2)
    stuck, newer = new_id("m"), new_id("m")
    assert env.flaky is not None
    env.flaky.refuse.add(f"distribution_{stuck}")
    env.flaky.fail_before.add(f"distribution_{newer}")
    for match in (stuck, newer):
        rpc_code(lambda match=match: env.distribute(match, competition, [(a, 1), (b, 2)], prize_pool=50 * RUPEE))
    assert env.pending_distributions() == [stuck, newer]
    env.clock_offset = 120.0

    assert env.reconcile(min_age_seconds=60) == ReconcileReport(distributions=1, failed=1)
    assert env.pending_distributions() == [stuck]
    assert env.reconcile(min_age_seconds=60) == ReconcileReport(skipped=1)
    assert env.reconcile() == ReconcileReport(failed=1)
    env.flaky.refuse.clear()
    env.clock_offset = 4_000.0
    assert env.reconcile(min_age_seconds=60) == ReconcileReport(distributions=1)
    assert env.flaky.posted.count(f"distribution_{stuck}") == 1
    assert_books_agree(env, competition)


def test_a_restarted_service_pays_what_its_crashed_predecessor_decided(
    env: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    competition, _, (a, b, c) = env.competition_with_players(3)
    match = new_id("m")
    assert env.flaky is not None
    env.flaky.fail_before.add(f"distribution_{match}")
    assert rpc_code(lambda: env.distribute(match, competition, [(a, 1), (b, 2), (c, 3)]))[0] == \
        grpc.StatusCode.UNAVAILABLE
    env.stop_rewards()
    hosts: list[str] = []
    real_start_server = reward_server.start_server

    async def start_server(**kwargs: Any) -> Any:
        hosts.append(kwargs["host"])
        return await real_start_server(**{**kwargs, "host": "127.0.0.1"})

    async def until_paid(serving: Any, on_stop: Callable[[], Any] | None = None) -> None:
        deadline = time.monotonic() + 20
        while await asyncio.to_thread(env.balance, a) == 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        await serving.stop(0)
        if on_stop is not None:
            await on_stop()

    monkeypatch.setattr(reward_server, "start_server", start_server)
    monkeypatch.setattr(reward_server, "serve_until_signal", until_paid)
    settings = RewardSettings.from_env({
        "INTERNAL_TOKEN": TEST_TOKEN, "WINZONE_DATA_DIR": str(tmp_path), "SQLITE_SYNCHRONOUS": "NORMAL",
        "WALLET_SERVICE_ADDR": env.wallet_server.address, "REWARDS_SERVICE_PORT": "0",
        "GRPC_BIND_HOST": "0.0.0.0",
    })

    asyncio.run(reward_server.serve(settings))

    assert hosts == ["0.0.0.0"]
    assert [env.balance(u) for u in (a, b, c)] == [12_750, 7_650, 5_100]
    assert [len(env.transactions(u, "reward")) for u in (a, b, c)] == [1, 1, 1]
    env.assert_audit_ok()


def test_the_reconciler_runs_at_start_up_then_every_interval_past_the_grace() -> None:
    runs: list[float] = []
    slept: list[float] = []

    async def reconcile(min_age_seconds: float) -> ReconcileReport:
        runs.append(min_age_seconds)
        if len(runs) == 2:
            raise RuntimeError("a failed run does not stop the next one")
        return ReconcileReport()

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    async def three_runs() -> None:
        task = reward_server.reconciler(reconcile, 60, 45, sleep=sleep).start()
        while len(runs) < 3:
            await asyncio.sleep(0)
        await task.stop()

    asyncio.run(three_runs())
    assert runs[:3] == [0, 45, 45]
    assert slept and set(slept) == {60}


def test_a_refund_too_large_for_one_posting_is_paid_in_several(tmp_path: Path) -> None:
    env = Harness(tmp_path, refund_batch=2)
    try:
        competition, _, users = env.competition_with_players(5)
        assert env.flaky is not None
        in_order = sorted(users, key=lambda u: Contribution.entry_id(competition, u))
        env.flaky.fail_before.add(refund_key(competition, in_order[4]))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancelled")
        assert rpc_code(lambda: env.rewards.RefundEntryFees(request))[0] == grpc.StatusCode.UNAVAILABLE
        assert [env.balance(u) for u in in_order] == [100 * RUPEE] * 4 + [0]

        result = env.rewards.RefundEntryFees(request)

        assert (result.refund.status, result.refund.total, len(result.refund.lines)) == ("paid", 500 * RUPEE, 5)
        assert [line.user_id for line in result.refund.lines] == in_order
        first_line = env.transactions(in_order[0], "refund")[0]
        assert result.refund.entry_id == first_line.entry_id
        assert len({env.transactions(u, "refund")[0].entry_id for u in users}) == 5
        assert [env.balance(u) for u in users] == [100 * RUPEE] * 5
        assert [len(env.transactions(u, "refund")) for u in users] == [1] * 5
        assert_books_agree(env, competition)
    finally:
        env.close()


def test_a_refund_whose_post_batch_answer_was_lost_resumes_and_refunds_nobody_twice(tmp_path: Path) -> None:
    env = Harness(tmp_path, refund_batch=2)
    try:
        competition, _, users = env.competition_with_players(5)
        in_order = sorted(users, key=lambda u: Contribution.entry_id(competition, u))
        assert env.flaky is not None
        env.flaky.fail_after.add(refund_key(competition, in_order[2]))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancelled")
        assert rpc_code(lambda: env.rewards.RefundEntryFees(request))[0] == grpc.StatusCode.UNAVAILABLE
        assert [env.balance(u) for u in in_order] == [100 * RUPEE] * 4 + [0]
        assert env.competition(competition).status == "cancelled"

        assert env.reconcile() == ReconcileReport(refunds=1)

        result = env.rewards.RefundEntryFees(request)
        assert result.refund.status == "paid"
        assert [env.balance(u) for u in users] == [100 * RUPEE] * 5
        assert [len(env.transactions(u, "refund")) for u in users] == [1] * 5
        assert env.pool(competition) == 0
        assert env.flaky.posted.count(refund_key(competition, in_order[2])) == 2
        assert_books_agree(env, competition)
    finally:
        env.close()


def test_a_refund_line_the_wallet_refuses_leaves_the_refund_pending_and_the_others_paid(tmp_path: Path) -> None:
    env = Harness(tmp_path, refund_batch=10)
    try:
        competition, _, users = env.competition_with_players(3)
        in_order = sorted(users, key=lambda u: Contribution.entry_id(competition, u))
        assert env.flaky is not None
        env.flaky.refuse.add(refund_key(competition, in_order[1]))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancelled")
        assert rpc_code(lambda: env.rewards.RefundEntryFees(request)) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                                          "REFUSED_BY_TEST")
        assert [env.balance(u) for u in in_order] == [100 * RUPEE, 0, 100 * RUPEE]
        assert env.competition(competition).status == "cancelled"
        env.flaky.refuse.clear()

        result = env.rewards.RefundEntryFees(request)

        assert result.refund.status == "paid"
        assert [env.balance(u) for u in users] == [100 * RUPEE] * 3
        assert [len(env.transactions(u, "refund")) for u in users] == [1] * 3
        assert_books_agree(env, competition)
    finally:
        env.close()


def test_a_refused_line_in_the_first_call_does_not_hold_back_the_later_calls(tmp_path: Path) -> None:
    env = Harness(tmp_path, refund_batch=2)
    try:
        competition, _, users = env.competition_with_players(5)
        in_order = sorted(users, key=lambda u: Contribution.entry_id(competition, u))
        assert env.flaky is not None
        env.flaky.refuse.add(refund_key(competition, in_order[0]))
        request = rpb.RefundEntryFeesRequest(competition_id=competition, reason="cancelled")
        assert rpc_code(lambda: env.rewards.RefundEntryFees(request)) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                                          "REFUSED_BY_TEST")
        assert [env.balance(u) for u in in_order] == [0] + [100 * RUPEE] * 4
        env.flaky.refuse.clear()

        result = env.rewards.RefundEntryFees(request)

        assert result.refund.status == "paid"
        assert [env.balance(u) for u in users] == [100 * RUPEE] * 5
        assert [len(env.transactions(u, "refund")) for u in users] == [1] * 5
        assert_books_agree(env, competition)
    finally:
        env.close()


def test_ids_that_could_share_a_wallet_key_are_refused_before_anything_is_decided(env: Harness) -> None:
    first, _, _ = env.competition_with_players(1)
    second, _, _ = env.competition_with_players(1)

    assert rpc_code(lambda: env.distribute("k_x", first, [("y", 1)])) == (grpc.StatusCode.INVALID_ARGUMENT,
                                                                          "INVALID_ID")
    paid = env.distribute("k", second, [("x_y", 1)])

    assert paid.status == "paid" and paid.payouts[0].user_id == "x_y"
    assert env.competition(first).pool_balance == 100 * RUPEE
    assert_books_agree(env, first, second)


def test_more_winners_than_one_posting_holds_are_refused_and_promise_nothing(env: Harness) -> None:
    competition = env.open(new_id("org"), 100)
    sponsor = new_id("s")
    env.credit(sponsor, 1_000_000)
    env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(competition_id=competition, user_id=sponsor,
                                                       amount=1_000_000, idempotency_key="seed"))
    everyone_tied_first = [(f"p{i}", 1) for i in range(MAX_PAYOUTS + 1)]
    request = env.request(new_id("m"), competition, everyone_tied_first)

    for method in (env.rewards.PreviewDistribution, env.rewards.DistributeMatchRewards):
        assert rpc_code(lambda method=method: method(request)) == (grpc.StatusCode.INVALID_ARGUMENT,
                                                                   "TOO_MANY_WINNERS")

    assert env.competition(competition).pool_balance == 1_000_000
    assert len(env.rewards.PreviewDistribution(
        env.request(new_id("m"), competition, everyone_tied_first[:MAX_PAYOUTS])).payouts) == MAX_PAYOUTS
    assert_books_agree(env, competition)


def test_a_sponsor_actor_pays_from_its_own_wallet_only(env: Harness) -> None:
    organizer = new_id("org")
    owner = rpb.Actor(user_id=organizer, role="organizer")
    competition = env.open(organizer, 10 * RUPEE, actor=owner)
    player = new_id("p")
    env.credit(player, 100 * RUPEE)
    env.credit(organizer, 50 * RUPEE)
    before = env.ledger_state()

    assert rpc_code(lambda: env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
        competition_id=competition, user_id=player, amount=50 * RUPEE, idempotency_key="k1", actor=owner))) == \
        (grpc.StatusCode.PERMISSION_DENIED, "FORBIDDEN")
    assert env.ledger_state() == before

    funded = env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(
        competition_id=competition, amount=50 * RUPEE, idempotency_key="k2", actor=owner))

    assert (funded.transaction.user_id, funded.transaction.amount) == (organizer, -50 * RUPEE)
    assert env.balance(player) == 100 * RUPEE
    assert_books_agree(env, competition)
