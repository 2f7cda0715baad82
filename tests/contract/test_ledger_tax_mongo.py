"""The ledger's tax contract on a real MongoDB replica set (``tests.support.mongo``). Skipped, with the reason,
when there is no server."""

from __future__ import annotations

import pytest

from tests.contract.ledger_tax_contract import LedgerTaxContract
from tests.support.mongo import RealMongoDatabase, require_real_mongo
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.domain.ports import LedgerStore

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoLedgerTax(RealMongoDatabase, LedgerTaxContract):
    def create_store(self) -> LedgerStore:
        return MongoLedgerStore(*self.new_database())
