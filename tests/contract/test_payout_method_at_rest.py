"""Payout methods at rest, on every payout store: what lands on disk (the SQLite file and its WAL, the MongoDB
document) holds no account number and no UPI id; records written in the clear before sealing still read and are
sealed when next saved; a sealed method opens only for its own payout and key."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from payout_service.adapters.mongo_store import COLLECTION, MongoPayoutStore
from payout_service.adapters.sqlite_store import SqlitePayoutStore
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.ports import PayoutRecord, PayoutStore
from tests.contract.payout_store_contract import new_record
from tests.support.contract import StoreContract
from tests.support.mongo import RealMongoDatabase
from winzone_kernel.dev_secrets import new_aes_key
from winzone_kernel.sealing import Sealer, SealError, decode_key

ACCOUNT_NUMBER = "123456784321"
UPI_ID = "secret.player@okaxis"
UPI = {"type": "upi", "details": {"upiId": UPI_ID, "name": "Secret Player"}}


def upi_record() -> PayoutRecord:
    record = new_record()
    record.payout.method = parse_payout_method(UPI)
    return record


class MethodsAtRest(StoreContract[PayoutStore]):
    """The checks; a backend says how to read what it stored and how to put a record back in the clear."""

    def stored_text(self, *, files: bool = True) -> str:
        """Every stored record as text (with ``files``, on SQLite, also the bytes of its files)."""
        raise NotImplementedError

    def put_method_in_the_clear(self, record: PayoutRecord) -> None:
        raise NotImplementedError

    def test_nothing_stored_holds_an_account_number_or_a_upi_id(self) -> None:
        bank, upi = new_record(), upi_record()
        self.store.insert(bank)
        self.store.insert(upi)
        assert self.store.save(upi, upi.payout.version)
        text = self.stored_text()
        assert bank.payout.id in text and upi.payout.id in text
        assert ACCOUNT_NUMBER not in text and UPI_ID not in text and "secret.player" not in text
        loaded = self.store.get(upi.payout.id)
        assert loaded is not None and loaded.payout.method.details["upiId"] == UPI_ID
        assert self.store.get(bank.payout.id).payout.method.details["accountNumber"] == ACCOUNT_NUMBER

    def test_a_method_stored_in_the_clear_still_reads_and_is_sealed_when_saved(self) -> None:
        record = upi_record()
        self.store.insert(record)
        self.put_method_in_the_clear(record)
        assert UPI_ID in self.stored_text()
        loaded = self.store.get(record.payout.id)
        assert loaded is not None and loaded.payout.method.to_json() == record.payout.method.to_json()
        assert self.store.save(loaded, loaded.payout.version)
        assert UPI_ID not in self.stored_text(files=False)
        assert self.store.get(record.payout.id).payout.method.details["upiId"] == UPI_ID


class TestSqliteMethodsAtRest(MethodsAtRest):
    def create_store(self) -> PayoutStore:
        return SqlitePayoutStore(self.tmp_path / "payouts.sqlite3", synchronous="NORMAL")

    def stored_text(self, *, files: bool = True) -> str:
        conn = sqlite3.connect(self.tmp_path / "payouts.sqlite3")
        try:
            rows = conn.execute("SELECT * FROM payout_requests").fetchall()
        finally:
            conn.close()
        paths = [p for p in self.tmp_path.iterdir() if files and p.name.startswith("payouts.sqlite3")]
        raw = b"".join(p.read_bytes() for p in paths)
        return json.dumps(rows, ensure_ascii=False) + raw.decode("utf-8", errors="replace")

    def put_method_in_the_clear(self, record: PayoutRecord) -> None:
        conn = sqlite3.connect(self.tmp_path / "payouts.sqlite3", isolation_level=None)
        try:
            (document,) = conn.execute("SELECT document FROM payout_requests WHERE id = ?",
                                       (record.payout.id,)).fetchone()
            doc = json.loads(document)
            doc["method"] = record.payout.method.to_json()
            conn.execute("UPDATE payout_requests SET document = ? WHERE id = ?", (json.dumps(doc), record.payout.id))
        finally:
            conn.close()


@pytest.mark.mongo
class TestMongoMethodsAtRest(RealMongoDatabase, MethodsAtRest):
    def create_store(self) -> PayoutStore:
        return MongoPayoutStore(*self.new_database())

    def stored_text(self, *, files: bool = True) -> str:
        docs: list[dict[str, Any]] = list(self.raw_db()[COLLECTION].find({}))
        return json.dumps(docs, default=str, ensure_ascii=False)

    def put_method_in_the_clear(self, record: PayoutRecord) -> None:
        self.raw_db()[COLLECTION].update_one({"_id": record.payout.id},
                                             {"$set": {"method": record.payout.method.to_json()}})


def test_a_sealed_value_opens_only_with_its_key_and_for_its_record() -> None:
    sealer = Sealer(decode_key(new_aes_key(), "KEY"))
    sealed = sealer.seal(json.dumps(UPI), "payout_a")
    assert UPI_ID not in sealed and Sealer.is_sealed(sealed)
    assert json.loads(sealer.open(sealed, "payout_a")) == UPI
    assert sealer.seal("same", "payout_a") != sealer.seal("same", "payout_a")
    for attempt in (lambda: sealer.open(sealed, "payout_b"),
                    lambda: Sealer(decode_key(new_aes_key(), "KEY")).open(sealed, "payout_a"),
                    lambda: sealer.open(sealed[:-4] + "AAAA", "payout_a")):
        with pytest.raises(SealError):
            attempt()


def test_the_key_is_required_and_must_be_32_bytes(tmp_path: Path) -> None:
    from winzone_kernel.config import ConfigError

    base = {"WINZONE_DATA_DIR": str(tmp_path)}
    for env in (base, {**base, "PAYOUT_METHOD_KEY": "c2hvcnQ"}, {**base, "PAYOUT_METHOD_KEY": "not base64 !!"},
                {**base, "APP_ENV": "production"}):
        with pytest.raises(ConfigError, match="PAYOUT_METHOD_KEY"):
            Sealer.from_env(env)
    assert repr(Sealer.from_env({**base, "PAYOUT_METHOD_KEY": new_aes_key()})) == "Sealer(<key hidden>)"
