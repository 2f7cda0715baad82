"""The reward service's read RPCs for the web app over real gRPC (a wallet and a reward server on SQLite):
ListCompetitions, ListEntries and GetFees, their paging, filters, ownership and refusals of bad input. The
payment gateway's GetTopUpLimits and the payout service's GetPayoutLimits are checked through REST in
``test_config_and_analytics_api``; the wallet's SummarizeActivity in the ledger activity contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from tests.support.ids import new_id
from tests.support.rewards import RUPEE, Harness, rpc_code
from winzone.rewards.v1 import rewards_pb2 as rpb


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    path: Path = tmp_path_factory.mktemp("reward-listing")
    with Harness(path) as harness:
        yield harness


def listed(env: Harness, **fields: object) -> tuple[list[str], int]:
    reply = env.rewards.ListCompetitions(rpb.ListCompetitionsRequest(**fields))  # type: ignore[arg-type]
    return [c.id for c in reply.competitions], reply.total


def test_competitions_are_listed_newest_first_per_organizer_and_status(env: Harness) -> None:
    organizer = new_id("org")
    opened = [env.open(organizer, 100 * (i + 1)) for i in range(4)]
    env.rewards.RefundEntryFees(rpb.RefundEntryFeesRequest(competition_id=opened[0], reason="called off"))

    assert listed(env, organizer_id=organizer) == (opened[::-1], 4)
    assert listed(env, organizer_id=organizer, page=2, limit=3) == ([opened[0]], 4)
    assert listed(env, organizer_id=organizer, status="cancelled") == ([opened[0]], 1)
    assert listed(env, organizer_id=organizer, status="closed") == ([], 0)
    reply = env.rewards.ListCompetitions(rpb.ListCompetitionsRequest(organizer_id=organizer))
    assert (reply.page, reply.limit) == (1, 20)
    assert reply.competitions[0].entry_fee == 400 and reply.competitions[0].status == "open"
    env.assert_audit_ok()


@pytest.mark.parametrize("fields", [
    {"page": -1}, {"limit": -1}, {"limit": 101}, {"page": 1_000_001}, {"status": "paused"},
    {"organizer_id": "a b"}, {"organizer_id": "{'$ne': null}"}, {"organizer_id": "x" * 65},
])
def test_bad_listing_requests_are_invalid_argument(env: Harness, fields: dict[str, object]) -> None:
    code, _ = rpc_code(lambda: env.rewards.ListCompetitions(rpb.ListCompetitionsRequest(**fields)))  # type: ignore[arg-type]
    assert code == grpc.StatusCode.INVALID_ARGUMENT


def test_entries_are_the_paid_entry_fees_for_the_manager_only(env: Harness) -> None:
    organizer = new_id("org")
    competition = env.open(organizer, 25 * RUPEE)
    players = [new_id("p") for _ in range(3)]
    for player in players:
        env.enter(competition, player)
    broke = new_id("p")
    code, error = rpc_code(lambda: env.enter(competition, broke, fund=False))
    assert (code, error) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_FUNDS")
    sponsor = new_id("s")
    env.credit(sponsor, 10 * RUPEE)
    env.rewards.FundPrizePool(rpb.FundPrizePoolRequest(competition_id=competition, user_id=sponsor,
                                                       amount=10 * RUPEE, idempotency_key=new_id("k")))

    def entries(actor: rpb.Actor | None = None, **paging: int) -> rpb.ListEntriesResponse:
        return env.rewards.ListEntries(rpb.ListEntriesRequest(competition_id=competition, actor=actor, **paging))

    everything = entries(rpb.Actor(user_id=organizer, role="organizer"))
    assert [e.user_id for e in everything.entries] == players and everything.total == 3
    assert {(e.amount, e.currency, e.status) for e in everything.entries} == {(25 * RUPEE, "INR", "paid")}
    assert [e.user_id for e in entries(page=2, limit=2).entries] == players[2:]
    assert entries(rpb.Actor(user_id="someone", role="admin")).total == 3
    for actor in (rpb.Actor(user_id="other", role="organizer"), rpb.Actor(user_id=players[0], role="player")):
        assert rpc_code(lambda actor=actor: entries(actor)) == (grpc.StatusCode.PERMISSION_DENIED, "FORBIDDEN")
    assert rpc_code(lambda: entries(rpb.Actor(user_id="x", role="root")))[0] == grpc.StatusCode.INVALID_ARGUMENT
    assert rpc_code(lambda: entries(limit=101)) == (grpc.StatusCode.INVALID_ARGUMENT, "INVALID_PAGE")
    assert rpc_code(lambda: env.rewards.ListEntries(rpb.ListEntriesRequest(competition_id="no-such"))) == (
        grpc.StatusCode.NOT_FOUND, "COMPETITION_NOT_FOUND")
    assert rpc_code(lambda: env.rewards.ListEntries(rpb.ListEntriesRequest(competition_id="")))[0] == (
        grpc.StatusCode.NOT_FOUND)
    env.assert_audit_ok()


def test_fees_are_the_schedule_distributions_apply(env: Harness) -> None:
    fees = env.rewards.GetFees(rpb.GetFeesRequest())
    assert (fees.platform_fee_percentage, fees.organizer_fee_percentage) == ("10", "5")
    organizer = new_id("org")
    competition = env.open(organizer, 100 * RUPEE)
    player = new_id("p")
    env.enter(competition, player)
    paid = env.distribute(f"final@{competition}", competition, [(player, 1)])
    assert (paid.platform_fee_percentage, paid.organizer_fee_percentage) == (
        fees.platform_fee_percentage, fees.organizer_fee_percentage)
    env.assert_audit_ok()
