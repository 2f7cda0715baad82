"""The ledger's activity contract on a real MongoDB replica set (``tests.support.mongo``), and the index its
aggregation reads. Skipped, with the reason, when there is no server."""

from __future__ import annotations

import pytest

from tests.contract.ledger_activity_contract import LedgerActivityContract
from tests.support.mongo import RealMongoDatabase, require_real_mongo
from wallet_service.adapters.mongo_store import TRANSACTIONS, MongoLedgerStore
from wallet_service.domain.ports import LedgerStore

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoLedgerActivity(RealMongoDatabase, LedgerActivityContract):
    def create_store(self) -> LedgerStore:
        return MongoLedgerStore(*self.new_database())

    def test_the_range_is_read_through_the_activity_index(self) -> None:
        self.a_month_of_books()
        plan = str(self.raw_db()[TRANSACTIONS].find(
            {"status": "completed", "currency": "INR", "postedAt": {"$gte": "2026-11-01", "$lt": "2026-12-01"}},
        ).explain()["queryPlanner"]["winningPlan"])
        assert "IXSCAN" in plan and "'activity'" in plan, plan
