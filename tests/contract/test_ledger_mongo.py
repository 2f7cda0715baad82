"""The ledger contract on a real MongoDB replica set: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import MongoClient

from tests.contract.ledger_contract import LedgerStoreContract
from tests.contract.test_ledger_mongomock import MongoAdapterChecks
from tests.support.mongo import MONGO_SKIP_REASON, real_mongo_uri
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.ports import LedgerStore

MONGODB_URI = real_mongo_uri()
if MONGODB_URI is None:
    pytest.skip(MONGO_SKIP_REASON, allow_module_level=True)

pytestmark = pytest.mark.mongo

CONTENDED_TIMEOUT = 60.0
"""Seconds per store call: 50 threads on one account make ``with_transaction`` back off many times."""


class TestMongoLedgerStore(MongoAdapterChecks, LedgerStoreContract):
    client: MongoClient[dict[str, Any]]
    db_name: str

    def create_store(self) -> LedgerStore:
        assert MONGODB_URI is not None
        self.client = MongoClient(MONGODB_URI, appname="winzone-contract-tests")
        self.db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
        return MongoLedgerStore(self.client, self.db_name, timeout=CONTENDED_TIMEOUT)

    def dispose_store(self, store: LedgerStore) -> None:
        try:
            self.client.drop_database(self.db_name)
        finally:
            store.close()

    def raw_db(self) -> Any:
        return self.client[self.db_name]
