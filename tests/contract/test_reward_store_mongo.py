"""The reward store contract on a real MongoDB replica set: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import pytest

from reward_service.adapters.mongo_store import MongoRewardStore
from reward_service.domain.ports import RewardStore
from tests.contract.reward_store_contract import RewardStoreContract
from tests.contract.test_reward_store_mongomock import MongoAdapterChecks
from tests.support.mongo import RealMongoDatabase, require_real_mongo

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoRewardStore(RealMongoDatabase, MongoAdapterChecks, RewardStoreContract):
    def create_store(self) -> RewardStore:
        return MongoRewardStore(*self.new_database())
