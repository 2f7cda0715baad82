"""The top-up store contract on the MongoDB adapter over mongomock (every run), plus adapter-specific checks.

What only a real server proves (``test_topup_store_mongo.py``): unique indexes with partial filters enforced
by the server under true concurrency, ``find_one_and_update`` atomicity across connections, and driver
failures on a real network.
"""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import MongoClient

from payment_gateway.adapters.mongo_store import EVENTS, SESSIONS, MongoTopUpStore
from payment_gateway.domain.ports import TopUpStore
from tests.contract.topup_store_contract import TopUpStoreContract, new_session
from tests.support.mongo import MongomockClient
from winzone_kernel.errors import Unavailable

DB_NAME = "winzone_topup_contract"


class MongoTopUpChecks:
    """Checks of the MongoDB adapter's indexes and documents, for any client."""

    store: TopUpStore

    def raw_db(self) -> Any:
        raise NotImplementedError

    def test_migrate_creates_the_indexes(self) -> None:
        sessions = {i["name"]: i for i in self.raw_db()[SESSIONS].list_indexes()}
        key = sessions["userId_idempotencyKey_unique"]
        assert list(key["key"]) == ["userId", "idempotencyKey"]
        assert key["unique"] is True
        assert key["partialFilterExpression"] == {"idempotencyKey": {"$type": "string"}}
        ref = sessions["provider_providerRef_unique"]
        assert (list(ref["key"]), ref["unique"]) == (["provider", "providerRef"], True)
        assert list(sessions["userId_createdAt"]["key"]) == ["userId", "createdAt"]
        assert list(sessions["status"]["key"]) == ["status"]
        events = {i["name"]: i for i in self.raw_db()[EVENTS].list_indexes()}
        assert events["provider_eventId_unique"]["unique"] is True

    def test_documents_use_camel_case_fields(self) -> None:
        session = new_session(key="doc-key")
        self.store.add_session(session)
        doc = self.raw_db()[SESSIONS].find_one({"_id": session.id})
        assert {k: doc[k] for k in ("userId", "amount", "currency", "status", "idempotencyKey")} == {
            "userId": session.user_id, "amount": 100_000, "currency": "INR", "status": "created",
            "idempotencyKey": "doc-key"}


class TestMongomockTopUpStore(MongoTopUpChecks, TopUpStoreContract):
    client: MongomockClient

    def create_store(self) -> TopUpStore:
        self.client = MongomockClient()
        return MongoTopUpStore(self.client, DB_NAME)

    def raw_db(self) -> Any:
        return self.client.raw[DB_NAME]


def test_driver_failures_become_unavailable() -> None:
    unreachable: MongoClient[dict[str, Any]] = MongoClient(
        "mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=100, connectTimeoutMS=100)
    store = MongoTopUpStore(unreachable, DB_NAME, timeout=0.5)
    try:
        with pytest.raises(Unavailable):
            store.get_session("tps_1")
        with pytest.raises(Unavailable):
            store.add_session(new_session())
    finally:
        store.close()
