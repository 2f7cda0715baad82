"""The payout store contract on the MongoDB adapter over mongomock (every run), plus its document shape.

mongomock runs each operation under the shim's lock, so the compare-and-set race only proves the adapter's
filter is right; ``test_payout_store_mongo.py`` proves it against a real server's atomic ``replace_one``,
its unique partial index and its duplicate-key error format.
"""

from __future__ import annotations

from typing import Any

from payout_service.adapters.mongo_store import COLLECTION, MongoPayoutStore
from payout_service.ports import PayoutStore
from tests.contract.payout_store_contract import PayoutStoreContract, new_record
from tests.support.mongo import MongomockClient

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
