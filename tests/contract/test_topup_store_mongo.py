"""The top-up store contract on a real MongoDB replica set (``tests.support.mongo``), plus the adapter's own
checks: its indexes and documents as the server keeps them, and a server out of reach.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when there is no server.
"""

from __future__ import annotations

import pytest

from payment_gateway.adapters.mongo_store import EVENTS, SESSIONS, MongoTopUpStore
from payment_gateway.domain.ports import TopUpStore
from tests.contract.topup_store_contract import DepositGuardContract, TopUpStoreContract, new_session
from tests.support.mongo import RealMongoDatabase, require_real_mongo, unreachable_client
from winzone_kernel.errors import Unavailable

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoTopUpStore(RealMongoDatabase, TopUpStoreContract):
    def create_store(self) -> TopUpStore:
        return MongoTopUpStore(*self.new_database())

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


def test_a_server_out_of_reach_is_unavailable() -> None:
    store = MongoTopUpStore(unreachable_client(), "winzone_unreachable", timeout=0.5)
    try:
        with pytest.raises(Unavailable):
            store.get_session("tps_1")
        with pytest.raises(Unavailable):
            store.add_session(new_session())
    finally:
        store.close()


class TestMongoDepositGuard(RealMongoDatabase, DepositGuardContract):
    def create_store(self) -> TopUpStore:
        return MongoTopUpStore(*self.new_database())
