"""The KYC store contract on SQLite, in the payout store's file (a file per test)."""

from __future__ import annotations

import sqlite3

from payout_service.adapters.kyc_sqlite import SqliteKycStore
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.ports import KycStore
from tests.contract.kyc_store_contract import INDEX_KEY, SEALER, KycStoreContract, pending
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone_kernel.sealing import Sealer, decode_key


class TestSqliteKycStore(KycStoreContract):
    def create_store(self) -> KycStore:
        return SqliteKycStore(self.tmp_path / "payouts.db", sealer=SEALER, index_key=INDEX_KEY,
                              synchronous="NORMAL")

    def raw_texts(self) -> str:
        with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
            rows = conn.execute("SELECT * FROM kyc").fetchall() + conn.execute("SELECT * FROM pan_owners").fetchall()
        return repr(rows)

    def test_it_shares_the_payout_stores_file(self) -> None:
        payouts = SqlitePayoutStore(self.tmp_path / "payouts.db", synchronous="NORMAL",
                                    sealer=Sealer(decode_key(TEST_PAYOUT_METHOD_KEY, "PAYOUT_METHOD_KEY")))
        try:
            payouts.migrate()
            self.store.submit(pending("usr_a"))
            with sqlite3.connect(self.tmp_path / "payouts.db") as conn:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert {"payout_requests", "kyc", "pan_owners"} <= tables
        finally:
            payouts.close()
