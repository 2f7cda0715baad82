"""The reward store contract on a real MongoDB replica set: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pymongo import MongoClient

from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import RewardStoreContract
from tests.contract.test_reward_store_mongomock import MongoAdapterChecks
from tests.support.mongo import MONGO_SKIP_REASON, real_mongo_uri

MONGODB_URI = real_mongo_uri()
if MONGODB_URI is None:
    pytest.skip(MONGO_SKIP_REASON, allow_module_level=True)

pytestmark = pytest.mark.mongo


class TestMongoRewardStore(MongoAdapterChecks, RewardStoreContract):
    client: MongoClient[dict[str, Any]]
    db_name: str

    def create_store(self) -> RewardStore:
        assert MONGODB_URI is not None
        self.client = MongoClient(MONGODB_URI, appname="winzone-contract-tests")
        self.db_name = f"winzone_test_{uuid.uuid4().hex[:12]}"
        return MongoRewardStore(self.client, self.db_name)

    def dispose_store(self, store: RewardStore) -> None:
        try:
            self.client.drop_database(self.db_name)
        finally:
            store.close()

    def raw_db(self) -> Any:
        return self.client[self.db_name]
