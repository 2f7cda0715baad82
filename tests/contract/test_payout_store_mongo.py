"""The payout store contract on a real MongoDB: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import pytest

from payout_service.adapters.mongo_store import MongoPayoutStore
from payout_service.domain.ports import PayoutStore
from tests.contract.payout_store_contract import PayoutStoreContract
from tests.contract.test_payout_store_mongomock import MongoPayoutChecks
from tests.support.mongo import RealMongoDatabase, require_real_mongo

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoPayoutStore(RealMongoDatabase, MongoPayoutChecks, PayoutStoreContract):
    def create_store(self) -> PayoutStore:
        return MongoPayoutStore(*self.new_database())
