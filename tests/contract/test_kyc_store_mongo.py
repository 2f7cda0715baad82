"""The KYC store contract on a real MongoDB replica set (``tests.support.mongo``), in a database of its own
per test; skipped, with the reason, when there is no server."""

from __future__ import annotations

import pytest

from payout_service.adapters.kyc_mongo import KYC, PAN_OWNERS, MongoKycStore
from payout_service.adapters.mongo_store import MongoPayoutStore
from payout_service.domain.ports import KycStore
from tests.contract.kyc_store_contract import INDEX_KEY, SEALER, KycStoreContract, pending
from tests.support.mongo import RealMongoDatabase, require_real_mongo

require_real_mongo()

pytestmark = pytest.mark.mongo


class TestMongoKycStore(RealMongoDatabase, KycStoreContract):
    def create_store(self) -> KycStore:
        client, name = self.new_database()
        return MongoKycStore(client, name, sealer=SEALER, index_key=INDEX_KEY)

    def raw_texts(self) -> str:
        db = self.raw_db()
        return repr(list(db[KYC].find()) + list(db[PAN_OWNERS].find()))

    def test_beside_a_payout_store_it_uses_its_database_and_leaves_its_client_open(self) -> None:
        payouts = MongoPayoutStore(self.client, self.db_name, sealer=SEALER)
        kyc = MongoKycStore.beside(payouts, sealer=SEALER, index_key=INDEX_KEY)
        kyc.submit(pending("usr_a"))
        kyc.close()
        assert self.raw_db()[KYC].count_documents({"_id": "usr_a"}) == 1
        assert {"kyc", "pan_owners"} <= set(self.raw_db().list_collection_names())
