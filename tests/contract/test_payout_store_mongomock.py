"""The payout store contract on the MongoDB adapter over mongomock (every run), plus its document shape.

mongomock runs each operation under the shim's lock, so the compare-and-set race only proves the adapter's
filter is right; ``test_payout_store_mongo.py`` proves it against a real server's atomic ``replace_one``,
its unique partial index and its duplicate-key error format.
"""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import OperationFailure, WriteConcernError

from payout_service.adapters.mongo_store import COLLECTION, MongoPayoutStore
from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import PayoutStore
from tests.contract.payout_store_contract import T0, PayoutStoreContract, new_record
from tests.support.mongo import MongomockClient
from winzone_kernel.errors import Unavailable

DB_NAME = "winzone_payout_contract"


class MongoPayoutChecks:
    """Checks specific to the MongoDB adapter, for any client that reaches its database directly."""

    store: PayoutStore

    def raw_db(self) -> Any:
        raise NotImplementedError

    def test_migrate_creates_the_indexes(self) -> None:
        indexes = {i["name"]: i for i in self.raw_db()[COLLECTION].list_indexes()}
        assert [list(indexes[name]["key"]) for name in (
            "status", "userId_createdAt", "attention_updatedAt", "userId_requestKey_unique")] == [
            ["status"], ["userId", "createdAt"], ["attention", "updatedAt"], ["userId", "requestKey"]]
        unique = indexes["userId_requestKey_unique"]
        assert unique["unique"] is True
        assert unique["partialFilterExpression"] == {"requestKey": {"$type": "string"}}

    def test_documents_use_the_documented_fields_and_keep_the_method_unmasked(self) -> None:
        record = new_record(key="k")
        self.store.insert(record)
        doc = self.raw_db()[COLLECTION].find_one({"_id": record.payout.id})
        assert set(doc) == {
            "_id", "userId", "amount", "currency", "method", "status", "adminNote", "processedBy", "transactionId",
            "providerReference", "failureReason", "refundTransactionId", "history", "createdAt", "updatedAt",
            "version", "requestKey", "fingerprint", "holdPlaced", "pendingFunds", "attention"}
        assert doc["method"]["details"]["accountNumber"] == "123456784321"
        assert (doc["status"], doc["amount"], doc["holdPlaced"], doc["attention"]) == ("requested", 10_000, True,
                                                                                       False)


class TestMongomockPayoutStore(MongoPayoutChecks, PayoutStoreContract):
    client: MongomockClient

    def create_store(self) -> PayoutStore:
        self.client = MongomockClient()
        return MongoPayoutStore(self.client, DB_NAME)

    def raw_db(self) -> Any:
        return self.client.raw[DB_NAME]


class _FailingCollection:
    """Every operation fails the way a server under trouble answers (not a connection error)."""

    def __init__(self, error: Exception) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise self._error

        return fail


@pytest.mark.parametrize("error", [OperationFailure("not primary", code=10107),
                                   WriteConcernError("waiting for replication timed out")])
def test_driver_failures_are_unavailable_not_bugs(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    store = MongoPayoutStore(MongomockClient(), DB_NAME)
    monkeypatch.setattr(MongoPayoutStore, "_payouts", property(lambda self: _FailingCollection(error)))
    record = new_record()
    calls = [
        lambda: store.insert(record), lambda: store.get(record.payout.id), lambda: store.save(record, 0),
        lambda: store.find_by_key("usr_x", "k"), lambda: store.delete_unplaced(record.payout.id),
        lambda: store.list(user_id=None, status=PayoutStatus.REQUESTED, page=1, limit=10),
        lambda: store.needing_attention(T0, 10),
    ]
    for call in calls:
        with pytest.raises(Unavailable):
            call()
