"""The top-up store contract on a real MongoDB: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import pytest

from payment_gateway.adapters.mongo_store import MongoTopUpStore
from payment_gateway.domain.ports import TopUpStore
from tests.contract.test_topup_store_mongomock import MongoTopUpChecks
from tests.contract.topup_store_contract import TopUpStoreContract
from tests.support.mongo import RealMongoDatabase, require_real_mongo

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoTopUpStore(RealMongoDatabase, MongoTopUpChecks, TopUpStoreContract):
    def create_store(self) -> TopUpStore:
        return MongoTopUpStore(*self.new_database())
