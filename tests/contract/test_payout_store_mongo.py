"""The payout store contract on a real MongoDB replica set (``tests.support.mongo``), plus the adapter's own
checks: its indexes and documents as the server keeps them, and a server in trouble (``failCommand``)
answering as ``Unavailable``, never as a bug.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when there is no server.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from payout_service.adapters.mongo_store import COLLECTION, MongoPayoutStore
from payout_service.domain.model import PayoutStatus
from payout_service.domain.ports import PayoutRecord, PayoutStore
from tests.contract.payout_store_contract import T0, PayoutStoreContract, new_record
from tests.support.mongo import RealMongoDatabase, require_real_mongo
from winzone_kernel.errors import Unavailable
from winzone_kernel.sealing import Sealer

require_real_mongo()

pytestmark = pytest.mark.mongo

NOT_PRIMARY = 10107
WRITE_CONCERN_TIMEOUT = {"code": 64, "errmsg": "waiting for replication timed out", "errInfo": {"wtimeout": True}}
TROUBLED_TIMEOUT = 0.5
"""Seconds per call on a troubled server: pymongo retries a "not primary" answer until the budget runs out."""


class TestMongoPayoutStore(RealMongoDatabase, PayoutStoreContract):
    def create_store(self) -> PayoutStore:
        return MongoPayoutStore(*self.new_database())

    def test_migrate_creates_the_indexes(self) -> None:
        indexes = {i["name"]: i for i in self.raw_db()[COLLECTION].list_indexes()}
        assert [list(indexes[name]["key"]) for name in (
            "status", "userId_createdAt", "attention_updatedAt", "userId_requestKey_unique")] == [
            ["status"], ["userId", "createdAt"], ["attention", "updatedAt"], ["userId", "requestKey"]]
        unique = indexes["userId_requestKey_unique"]
        assert unique["unique"] is True
        assert unique["partialFilterExpression"] == {"requestKey": {"$type": "string"}}

    def test_documents_use_the_documented_fields_and_seal_the_method(self) -> None:
        record = new_record(key="k")
        self.store.insert(record)
        doc = self.raw_db()[COLLECTION].find_one({"_id": record.payout.id})
        assert set(doc) == {
            "_id", "userId", "amount", "currency", "method", "status", "adminNote", "processedBy", "transactionId",
            "providerReference", "failureReason", "refundTransactionId", "refundedAmount", "history", "createdAt",
            "updatedAt", "version", "requestKey", "fingerprint", "holdPlaced", "pendingFunds", "attention", "approvals",
            "reviewReasons", "needsDualApproval", "destination", "tds", "netAmount", "netWinnings", "financialYear"}
        assert Sealer.is_sealed(doc["method"]) and "123456784321" not in str(doc)
        assert (doc["status"], doc["amount"], doc["holdPlaced"], doc["attention"]) == ("requested", 10_000, True,
                                                                                       False)
        assert (doc["tds"], doc["netAmount"], doc["netWinnings"], doc["financialYear"]) == (0, 10_000, 0, "")

    def test_a_document_written_before_the_tax_fields_loads_as_withholding_nothing(self) -> None:
        record = new_record(amount=17_777)
        self.store.insert(record)
        self.raw_db()[COLLECTION].update_one({"_id": record.payout.id}, {"$unset": {
            "tds": "", "netAmount": "", "netWinnings": "", "financialYear": ""}})
        loaded = self.store.get(record.payout.id)
        assert loaded is not None
        assert (loaded.payout.tds, loaded.payout.net_amount, loaded.payout.net_winnings,
                loaded.payout.financial_year) == (0, 17_777, 0, "")

    def test_migrate_indexes_the_destination(self) -> None:
        indexes = {i["name"]: i for i in self.raw_db()[COLLECTION].list_indexes()}
        assert list(indexes["destination"]["key"]) == ["destination"]

    def test_a_document_written_before_the_risk_fields_loads_with_them_empty(self) -> None:
        record = new_record()
        self.store.insert(record)
        self.raw_db()[COLLECTION].update_one({"_id": record.payout.id}, {"$unset": {
            "approvals": "", "reviewReasons": "", "needsDualApproval": "", "destination": ""}})
        loaded = self.store.get(record.payout.id)
        assert loaded is not None
        assert (loaded.payout.approvals, loaded.payout.review_reasons, loaded.payout.needs_dual_approval,
                loaded.destination) == ([], [], False, None)

    def test_a_server_that_is_no_longer_primary_is_unavailable_not_a_bug(self) -> None:
        store = MongoPayoutStore(self.client, self.db_name, timeout=TROUBLED_TIMEOUT)
        record = new_record()
        with self.failing(["insert", "find", "update", "delete", "aggregate"], errorCode=NOT_PRIMARY):
            for call in self._every_call(store, record):
                with pytest.raises(Unavailable):
                    call()

    def test_a_write_concern_that_timed_out_is_unavailable_not_a_bug(self) -> None:
        store = MongoPayoutStore(self.client, self.db_name, timeout=TROUBLED_TIMEOUT)
        record = new_record()
        with self.failing(["insert", "update", "delete"], writeConcernError=WRITE_CONCERN_TIMEOUT):
            for call in (lambda: store.insert(record), lambda: store.save(record, 0),
                         lambda: store.delete_unplaced(record.payout.id)):
                with pytest.raises(Unavailable):
                    call()

    @staticmethod
    def _every_call(store: PayoutStore, record: PayoutRecord) -> list[Callable[[], object]]:
        return [
            lambda: store.insert(record), lambda: store.get(record.payout.id), lambda: store.save(record, 0),
            lambda: store.find_by_key("usr_x", "k"), lambda: store.delete_unplaced(record.payout.id),
            lambda: store.list(user_id=None, status=PayoutStatus.REQUESTED, page=1, limit=10),
            lambda: store.needing_attention(T0, 10),
        ]
