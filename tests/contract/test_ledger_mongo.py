"""The ledger contract on a real MongoDB replica set: ``MONGODB_URI``, or a container when Docker answers.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when neither is there.
"""

from __future__ import annotations

import pytest

from tests.contract.ledger_contract import LedgerStoreContract
from tests.contract.test_ledger_mongomock import MongoAdapterChecks
from tests.support.mongo import RealMongoDatabase, require_real_mongo
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.ports import LedgerStore

require_real_mongo()

pytestmark = pytest.mark.mongo

CONTENDED_TIMEOUT = 60.0
"""Seconds per store call: 50 threads on one account make ``with_transaction`` back off many times."""


class TestMongoLedgerStore(RealMongoDatabase, MongoAdapterChecks, LedgerStoreContract):
    def create_store(self) -> LedgerStore:
        return MongoLedgerStore(*self.new_database(), timeout=CONTENDED_TIMEOUT)
