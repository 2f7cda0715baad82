"""The ledger's bonus contract on a real MongoDB replica set (``tests.support.mongo``), and the collection's
indexes and documents as the server keeps them. Skipped, with the reason, when there is no server."""

from __future__ import annotations

import pytest

from tests.contract.ledger_bonus_contract import LedgerBonusContract
from tests.support.ids import new_user
from tests.support.mongo import RealMongoDatabase, require_real_mongo
from wallet_service.adapters.mongo_store import BONUS_GRANTS, MongoLedgerStore
from wallet_service.domain.ports import LedgerStore

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoLedgerBonus(RealMongoDatabase, LedgerBonusContract):
    def create_store(self) -> LedgerStore:
        return MongoLedgerStore(*self.new_database())

    def test_migrate_creates_the_grant_indexes(self) -> None:
        self.store.migrate()
        self.store.migrate()
        indexes = {i["name"]: list(i["key"]) for i in self.raw_db()[BONUS_GRANTS].list_indexes()}
        assert indexes["userId_currency"] == ["userId", "currency"]
        assert indexes["status_expiresAt"] == ["status", "expiresAt"]

    def test_grant_documents_use_the_documented_fields(self) -> None:
        user = new_user()
        created = self.grant(user, 1_000, expires_at="2026-12-01T00:00:00Z").grant
        doc = self.raw_db()[BONUS_GRANTS].find_one({"_id": created.id})
        assert doc == {"_id": created.id, "userId": user, "currency": "INR", "amount": 1_000, "remaining": 1_000,
                       "reason": "Welcome bonus", "expiresAt": "2026-12-01T00:00:00.000000Z", "status": "active",
                       "grantedBy": "usr_admin", "transactionId": created.transaction_id,
                       "createdAt": created.created_at}
