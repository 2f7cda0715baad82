"""The reward store contract on the MongoDB adapter over mongomock and the session/transaction shim.

Every query, index definition and duplicate-key path of ``reward_service/adapters/mongo_store.py`` runs
here, and the rerun of a step whose competition moved after it was read is driven deterministically by the
shim's ``after_next`` hook. The shim runs transactions one at a time under a lock, so true concurrency,
server-side rollback, write concerns and the server's own index enforcement are proven only by
``test_reward_store_mongo.py`` against a real replica set (``MONGODB_URI`` or Docker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import mongomock
import pytest
from pymongo import _csot
from pymongo.errors import (
    AutoReconnect,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from reward_service.adapters.mongo_store import COMPETITIONS, CONTRIBUTIONS, DISTRIBUTIONS, MongoRewardStore
from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest
from reward_service.domain.model import NO_LEASE
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import NOW, RewardStoreContract, a_competition, a_contribution, at
from tests.support.mongo import MongomockClient
from winzone_kernel.clock import parse_utc
from winzone_kernel.errors import Unavailable
from winzone_kernel.mongo import ILLEGAL_OPERATION, TRANSIENT_LABEL

DB_NAME = "winzone_reward_contract"


class MongoAdapterChecks:
    """Checks specific to the MongoDB adapter, for any client that reaches its database directly."""

    store: RewardStore

    def raw_db(self) -> Any:
        raise NotImplementedError

    def test_migrate_creates_the_unique_indexes(self) -> None:
        self.store.migrate()
        contributions = {i["name"]: i for i in self.raw_db()[CONTRIBUTIONS].list_indexes()}
        one_entry = contributions["one_entry_per_user"]
        assert list(one_entry["key"]) == ["competitionId", "userId"]
        assert one_entry["unique"] is True
        assert one_entry["partialFilterExpression"] == {"kind": "entry"}
        assert "competitionId" in {i["name"] for i in self.raw_db()[DISTRIBUTIONS].list_indexes()}

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


class TestMongomockRewardStore(MongoAdapterChecks, RewardStoreContract):
    client: MongomockClient

    def create_store(self) -> RewardStore:
        self.client = MongomockClient()
        return MongoRewardStore(self.client, DB_NAME)

    def raw_db(self) -> mongomock.Database:
        return self.client.raw[DB_NAME]

    def test_a_competition_that_moved_after_it_was_read_reruns_the_step(self) -> None:
        competition = self.add_competition()

        def concurrent_writer(db: mongomock.Database) -> None:
            db[COMPETITIONS].update_one({"_id": competition.id}, {"$inc": {"version": 1}})

        self.client.after_next(COMPETITIONS, "find_one", concurrent_writer)
        request = ContributionRequest.entry(competition_id=competition.id, user_id="u1")
        claim = self.atomic(lambda uow: rules.claim_contribution(
            uow, request, "t1", now=NOW, lease_until=at(30)))
        assert self.client.transient_retries == 1
        assert claim.competition.version == 3
        assert self.competition(competition.id).entries == 1
        assert len(self.read(lambda uow: uow.contributions_of(competition.id))) == 1

    def test_documents_use_camel_case_fields(self) -> None:
        competition = self.add_competition()
        assert set(self.raw_db()[COMPETITIONS].find_one({"_id": competition.id})) == {
            "_id", "organizerId", "entryFee", "currency", "template", "status", "poolBalance", "entries",
            "version", "createdAt", "updatedAt"}

    @pytest.mark.parametrize("error", [
        lambda: ServerSelectionTimeoutError("127.0.0.1:27017: connection refused"),
        lambda: AutoReconnect("connection reset", errors={"errorLabels": [TRANSIENT_LABEL]}),
        lambda: ExecutionTimeout("operation exceeded time limit", 50),
        lambda: OperationFailure("Transaction numbers are only allowed on a replica set member", ILLEGAL_OPERATION),
    ], ids=["unreachable", "transient-until-the-deadline", "deadline", "not-a-replica-set"])
    def test_driver_failures_become_unavailable(self, error: Callable[[], PyMongoError]) -> None:
        store = MongoRewardStore(FailingClient(error), DB_NAME)
        with pytest.raises(Unavailable):
            store.read(lambda uow: uow.competition_get("c1"))
        with pytest.raises(Unavailable):
            store.atomic(lambda uow: uow.competition_get("c1"))

    def test_other_server_errors_are_not_disguised_as_unavailable(self) -> None:
        store = MongoRewardStore(FailingClient(lambda: OperationFailure("bad query", 2)), DB_NAME)
        with pytest.raises(OperationFailure):
            store.read(lambda uow: uow.competition_get("c1"))

    def test_every_store_call_runs_under_the_store_timeout(self) -> None:
        """pymongo bounds a call, ``with_transaction`` reruns and server selection included, by the innermost
        ``pymongo.timeout``; so each call must run under one (pymongo's own rerun limit is 120 s)."""
        store = MongoRewardStore(self.client, DB_NAME, timeout=2.5)
        seen = []

        def op(uow: object) -> None:
            seen.append(_csot.get_timeout())

        store.read(op)
        store.atomic(op)
        assert seen == [2.5, 2.5]


class FailingClient(MongomockClient):
    """The session/transaction shim over mongomock, where every collection call fails with ``error()`` as
    pymongo fails when the server is unreachable, times out or is not a replica set: no network, no waiting."""

    def __init__(self, error: Callable[[], PyMongoError]) -> None:
        super().__init__()
        self._error = error

    def _run_after(self, raw_collection: mongomock.Collection, method: str) -> None:
        raise self._error()
