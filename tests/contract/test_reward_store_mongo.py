"""The reward store contract on a real MongoDB replica set (``tests.support.mongo``), plus the adapter's own
checks: its indexes and documents as the server keeps them, a step rerun after a real concurrent writer moved
its competition, and driver failures (a closed port, and ``failCommand``) becoming ``Unavailable`` within the
store's time budget while a bad query stays a bug.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when there is no server.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pymongo import _csot
from pymongo.errors import OperationFailure

from reward_service.adapters.mongo_store import COMPETITIONS, CONTRIBUTIONS, DISTRIBUTIONS, MongoRewardStore
from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest
from reward_service.domain.model import NO_LEASE
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import NOW, RewardStoreContract, a_competition, a_contribution, at
from tests.support.mongo import RealMongoDatabase, finds_in, require_real_mongo, unreachable_client
from winzone_kernel.clock import parse_utc
from winzone_kernel.errors import Unavailable
from winzone_kernel.mongo import ILLEGAL_OPERATION

require_real_mongo()

pytestmark = pytest.mark.mongo

BAD_VALUE = 2
TROUBLED_TIMEOUT = 0.5
"""Seconds per call on a troubled server: a connection reset inside a transaction is rerun until they run out."""
TROUBLES: dict[str, dict[str, Any]] = {
    "connection-reset-until-the-deadline": {"closeConnection": True},
    "no-answer-within-the-deadline": {"blockConnection": True, "blockTimeMS": 1_000},
    "not-a-replica-set": {"errorCode": ILLEGAL_OPERATION},
}


class TestMongoRewardStore(RealMongoDatabase, RewardStoreContract):
    def create_store(self) -> RewardStore:
        return MongoRewardStore(*self.new_database())

    def test_migrate_creates_the_unique_indexes(self) -> None:
        self.store.migrate()
        contributions = {i["name"]: i for i in self.raw_db()[CONTRIBUTIONS].list_indexes()}
        one_entry = contributions["one_entry_per_user"]
        assert list(one_entry["key"]) == ["competitionId", "userId"]
        assert one_entry["unique"] is True
        assert one_entry["partialFilterExpression"] == {"kind": "entry"}
        assert "competitionId" in {i["name"] for i in self.raw_db()[DISTRIBUTIONS].list_indexes()}

    def test_the_list_queries_read_an_index_in_order_and_sort_nothing(self) -> None:
        self.store.migrate()
        self.add_competition()
        newest = [("createdAt", -1), ("_id", -1)]
        queries: list[tuple[str, dict[str, Any], list[tuple[str, int]], str]] = [
            (COMPETITIONS, {}, newest, "newest"),
            (COMPETITIONS, {"status": "open"}, newest, "status_newest"),
            (COMPETITIONS, {"organizerId": "org1"}, newest, "organizerId_newest"),
            (COMPETITIONS, {"status": "open", "organizerId": "org1"}, newest, ""),
            (CONTRIBUTIONS, {"competitionId": "c", "kind": "entry", "status": {"$ne": "refused"}},
             [("createdAt", 1), ("_id", 1)], "entries"),
        ]
        for collection, query, sort, index in queries:
            plan = str(self.raw_db()[collection].find(query, sort=sort, limit=20).explain()["queryPlanner"][
                "winningPlan"])
            assert "'SORT'" not in plan, (query, plan)
            assert "IXSCAN" in plan and (not index or f"'{index}'" in plan), (query, plan)

    def test_documents_use_camel_case_fields(self) -> None:
        competition = self.add_competition()
        assert set(self.raw_db()[COMPETITIONS].find_one({"_id": competition.id})) == {
            "_id", "organizerId", "entryFee", "currency", "template", "status", "poolBalance", "entries",
            "version", "createdAt", "updatedAt"}

    def test_leases_written_as_epoch_seconds_by_earlier_versions_read_as_timestamps(self) -> None:
        competition = a_competition()
        expired, released = a_contribution(competition.id, "u1"), a_contribution(competition.id, "u2")
        self.store.atomic(lambda uow: (uow.competition_add(competition), uow.contribution_add(expired),
                                       uow.contribution_add(released)))
        contributions = self.raw_db()[CONTRIBUTIONS]
        contributions.update_one({"_id": expired.id}, {"$set": {"leaseUntil": parse_utc(NOW).timestamp() - 30}})
        contributions.update_one({"_id": released.id}, {"$set": {"leaseUntil": 0.0}})

        pending = self.store.read(lambda uow: uow.contributions_pending(NOW, 10))

        assert pending == [replace(released, lease_until=NO_LEASE), replace(expired, lease_until=at(-30))]

    def test_contributions_of_a_version_before_attempts_read_and_migrate_as_attempt_0(self) -> None:
        competition = self.add_competition()
        before = a_contribution(competition.id, "u1")
        self.atomic(lambda uow: uow.contribution_add(before))
        contributions = self.raw_db()[CONTRIBUTIONS]
        contributions.update_one({"_id": before.id}, {"$unset": {"attempt": ""}})
        assert self.read(lambda uow: uow.contribution_get(before.id)) == before

        self.store.migrate()

        assert contributions.find_one({"_id": before.id})["attempt"] == 0  # type: ignore[index]
        assert self.read(lambda uow: uow.contribution_get(before.id)) == before

    def test_a_competition_another_writer_moved_after_it_was_read_reruns_the_step(self) -> None:
        competition = self.add_competition()
        writer = self.other_writer()
        self.events.after_next(finds_in(COMPETITIONS), lambda: writer[COMPETITIONS].update_one(
            {"_id": competition.id}, {"$inc": {"version": 1}}))
        before = self.events.transactions_started

        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        claim = self.atomic(lambda uow: rules.claim_contribution(uow, request, "t1", now=NOW, lease_until=at(30)))

        assert self.events.transactions_started - before == 2
        assert claim.competition.version == 3
        assert self.competition(competition.id).entries == 1
        assert len(self.read(lambda uow: uow.contributions_of(competition.id))) == 1

    @pytest.mark.parametrize("trouble", TROUBLES.values(), ids=TROUBLES.keys())
    def test_a_troubled_server_is_unavailable(self, trouble: dict[str, Any]) -> None:
        store = MongoRewardStore(self.client, self.db_name, timeout=TROUBLED_TIMEOUT)
        with self.failing(["find"], **trouble):
            with pytest.raises(Unavailable):
                store.read(lambda uow: uow.competition_get("c1"))
            with pytest.raises(Unavailable):
                store.atomic(lambda uow: uow.competition_get("c1"))

    def test_other_server_errors_are_not_disguised_as_unavailable(self) -> None:
        with self.failing(["find"], errorCode=BAD_VALUE):
            with pytest.raises(OperationFailure) as read:
                self.store.read(lambda uow: uow.competition_get("c1"))
            with pytest.raises(OperationFailure) as atomic:
                self.store.atomic(lambda uow: uow.competition_get("c1"))
        assert (read.value.code, atomic.value.code) == (BAD_VALUE, BAD_VALUE)

    def test_every_store_call_runs_under_the_store_timeout(self) -> None:
        """pymongo bounds a call, ``with_transaction`` reruns and server selection included, by the innermost
        ``pymongo.timeout``; so each call must run under one (pymongo's own rerun limit is 120 s)."""
        store = MongoRewardStore(self.client, self.db_name, timeout=2.5)
        seen = []

        def op(uow: object) -> None:
            seen.append(_csot.get_timeout())

        store.read(op)
        store.atomic(op)
        assert seen == [2.5, 2.5]


def test_a_server_out_of_reach_is_unavailable() -> None:
    store = MongoRewardStore(unreachable_client(), "winzone_unreachable", timeout=TROUBLED_TIMEOUT)
    try:
        with pytest.raises(Unavailable):
            store.read(lambda uow: uow.competition_get("c1"))
        with pytest.raises(Unavailable):
            store.atomic(lambda uow: uow.competition_get("c1"))
    finally:
        store.close()
