"""The ledger contract on the MongoDB adapter over mongomock and a session/transaction shim, on every run.

Every query, aggregation pipeline, index definition and duplicate-key path of
``wallet_service/adapters/mongo_store.py`` runs here, together with the retry paths of ``account_apply``
(a version that moved under us, an account inserted concurrently), driven deterministically by the shim's
``after_next`` hook. Nothing is skipped: the concurrency tests of the contract pass too, but the shim runs
transactions one at a time under a lock, so here they only prove the adapter is correct when serialized.

Guarantees only a real replica set proves (``test_ledger_mongo.py``, with ``MONGODB_URI`` or Docker):

- Isolation under true concurrency: two transactions touching the same account really conflict
  (``WriteConflict``), ``with_transaction`` backs off and reruns them, and the ``version`` check holds —
  50 parallel debits never overdraw, 20 parallel requests under one key post once, a wallet first used by
  20 parallel credits is created once.
- Atomicity by the server: an aborted transaction leaves nothing behind (the shim imitates that by restoring
  copies of the collections it wrote to).
- Unique indexes enforced by the server, including the partial filter on ``idempotencyKey`` and the
  duplicate-key error format (``keyPattern``) that the adapter reads.
- The server accepts the index definitions and ``migrate`` is idempotent against existing indexes.
- Aggregation, ``$lookup`` and sort semantics as the server evaluates them (mongomock reimplements them).
- Durability and read consistency: majority write and read concerns, primary reads, snapshot sessions for
  a page with its total and for the audit, commit retries on ``UnknownTransactionCommitResult``.
- Driver failures on a real network (timeouts, failover, a standalone server that cannot run transactions)
  reaching the adapter's translation to ``Unavailable``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mongomock
import pytest
from pymongo import MongoClient

from tests.contract.ledger_contract import LedgerStoreContract
from tests.support.ids import new_key, new_user
from tests.support.mongo import MongomockClient
from wallet_service.adapters.mongo_store import ACCOUNTS, HOLDS, TRANSACTIONS, MongoLedgerStore
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.model import HoldOutcome, PostingOutcome, TransactionFilter
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.errors import IdempotencyConflict, Unavailable

DB_NAME = "winzone_contract"


class MongoAdapterChecks:
    """Checks specific to the MongoDB adapter, for any client that reaches its database directly."""

    store: LedgerStore
    credit: Callable[..., PostingOutcome]
    hold: Callable[..., HoldOutcome]

    def raw_db(self) -> Any:
        """The test's database, for writes that bypass the adapter."""
        raise NotImplementedError

    def test_migrate_creates_the_indexes(self) -> None:
        self.store.migrate()
        transactions = {i["name"]: i for i in self.raw_db()[TRANSACTIONS].list_indexes()}
        assert [list(transactions[name]["key"]) for name in (
            "userId_createdAt", "type_status", "status", "createdAt", "entryId", "account_currency",
            "idempotencyKey_unique")] == [
            ["userId", "createdAt"], ["type", "status"], ["status"], ["createdAt"], ["entryId"],
            ["account", "currency"], ["idempotencyKey"]]
        unique_key = transactions["idempotencyKey_unique"]
        assert unique_key["unique"] is True
        assert unique_key["partialFilterExpression"] == {"idempotencyKey": {"$type": "string"}}
        holds = {i["name"]: i for i in self.raw_db()[HOLDS].list_indexes()}
        assert list(holds["status"]["key"]) == ["status"]
        assert holds["transactionId_unique"]["unique"] is True

    def test_documents_use_the_documented_fields(self) -> None:
        user = new_user()
        leg = self.credit(user, 100).transactions[0]
        account = self.raw_db()[ACCOUNTS].find_one({"_id": f"user:{user}|INR"})
        assert set(account) == {"_id", "account", "currency", "kind", "balance", "held", "totalEarnings",
                                "version", "createdAt", "updatedAt"}
        assert (account["balance"], account["version"]) == (100, 1)
        transaction = self.raw_db()[TRANSACTIONS].find_one({"_id": leg.id})
        assert set(transaction) == {"_id", "userId", "account", "type", "amount", "currency", "status", "source",
                                    "description", "metadata", "idempotencyKey", "balanceAfter", "entryId",
                                    "holdId", "createdAt", "updatedAt", "postedAt"}

    def test_audit_reports_tampering(self) -> None:
        user = new_user()
        self.credit(user, 1_000)
        held = self.hold(user, 100)
        db = self.raw_db()
        db[ACCOUNTS].update_one({"_id": f"user:{user}|INR"}, {"$inc": {"balance": 1}})
        db[TRANSACTIONS].insert_one({
            "_id": "txn_forged", "userId": None, "account": "platform_fees", "type": "platformFee", "amount": 5,
            "currency": "INR", "status": "completed", "source": "", "description": "", "metadata": [],
            "idempotencyKey": None, "balanceAfter": 5, "entryId": "ent_forged", "holdId": None,
            "createdAt": "2000-01-01T00:00:00.000000Z", "updatedAt": "2000-01-01T00:00:00.000000Z",
        })
        db[HOLDS].update_one({"_id": held.hold.id}, {"$set": {"status": "captured"}})
        violations = audit(self.store.audit_facts()).violations
        assert f"user:{user} INR: balance 1001 != sum of its legs 1000" in violations
        assert "INR: account balances sum to 1, not 0" in violations
        assert "entry ent_forged INR: legs sum to 5, not 0" in violations
        assert "platform_fees INR: legs posted to an account that does not exist" in violations
        assert f"hold {held.hold.id} is captured but its transaction is pending" in violations
        assert f"user:{user} INR: held 100 != open holds 0" in violations


class TestMongomockLedgerStore(MongoAdapterChecks, LedgerStoreContract):
    client: MongomockClient

    def create_store(self) -> LedgerStore:
        self.client = MongomockClient()
        return MongoLedgerStore(self.client, DB_NAME)

    def raw_db(self) -> mongomock.Database:
        return self.client.raw[DB_NAME]

    def test_an_account_that_moved_after_it_was_read_is_retried(self) -> None:
        user = new_user()
        self.credit(user, 1_000)

        def concurrent_writer(db: mongomock.Database) -> None:
            db[ACCOUNTS].update_one({"_id": f"user:{user}|INR"}, {"$inc": {"version": 1}})

        self.client.after_next(ACCOUNTS, "find_one", concurrent_writer)
        outcome = self.debit(user, 400)
        assert self.client.transient_retries == 1
        assert outcome.wallets[0].balance == 600
        assert self.store.list_transactions(TransactionFilter(user_id=user)).total == 2
        self.assert_audit_ok()

    def test_an_account_created_concurrently_is_retried(self) -> None:
        user = new_user()

        def concurrent_creator(db: mongomock.Database) -> None:
            db[ACCOUNTS].insert_one({
                "_id": f"user:{user}|INR", "account": f"user:{user}", "currency": "INR", "kind": "user",
                "balance": 0, "held": 0, "totalEarnings": 0, "version": 1,
                "createdAt": "2000-01-01T00:00:00.000000Z", "updatedAt": "2000-01-01T00:00:00.000000Z",
            })

        self.client.after_next(ACCOUNTS, "find_one", concurrent_creator)
        outcome = self.credit(user, 250)
        assert self.client.transient_retries == 1
        assert outcome.wallets[0].balance == 250
        state = self.store.get_account(user_account(user), "INR")
        assert state is not None and state.balance == 250
        assert self.raw_db()[ACCOUNTS].find_one({"_id": f"user:{user}|INR"})["version"] == 2
        self.assert_audit_ok()

    def test_a_failed_command_restores_every_collection(self) -> None:
        user = new_user()
        self.credit(user, 100, key="used-key")
        before = {name: list(self.raw_db()[name].find()) for name in self.raw_db().list_collection_names()}
        with pytest.raises(IdempotencyConflict):
            self.post([{"account": f"user:{user}", "amount": -10, "type": "entryFee"},
                       {"account": f"user:{new_user()}", "amount": 10, "type": "credit", "key": "used-key"}],
                      key=new_key())
        after = {name: list(self.raw_db()[name].find()) for name in self.raw_db().list_collection_names()}
        assert after == before
        self.assert_audit_ok()

    def test_driver_failures_become_unavailable(self) -> None:
        unreachable: MongoClient[dict[str, Any]] = MongoClient(
            "mongodb://127.0.0.1:1/", serverSelectionTimeoutMS=100, connectTimeoutMS=100)
        store = MongoLedgerStore(unreachable, DB_NAME, timeout=0.5)
        try:
            with pytest.raises(Unavailable):
                store.get_account(user_account(new_user()), "INR")
            with pytest.raises(Unavailable):
                store.atomic(lambda uow: uow.account_get(user_account(new_user()), "INR"))
            with pytest.raises(Unavailable):
                store.audit_facts()
        finally:
            store.close()


class TestMongomockShim:
    """The shim behaves as the adapter relies on: sessions accepted, rollback complete, misuse caught."""

    def test_rollback_restores_documents_written_in_the_transaction(self) -> None:
        client = MongomockClient()
        db = client["shim"]
        db["things"].insert_one({"_id": 1, "n": 1})

        def fails(session: Any) -> None:
            db["things"].update_one({"_id": 1}, {"$set": {"n": 2}}, session=session)
            db["things"].insert_one({"_id": 2}, session=session)
            db["others"].insert_one({"_id": 3}, session=session)
            raise RuntimeError("boom")

        with client.start_session() as session, pytest.raises(RuntimeError, match="boom"):
            session.with_transaction(fails)
        assert list(client.raw["shim"]["things"].find()) == [{"_id": 1, "n": 1}]
        assert list(client.raw["shim"]["others"].find()) == []

    def test_an_operation_without_the_session_inside_a_transaction_raises(self) -> None:
        client = MongomockClient()
        db = client["shim"]

        def forgets_session(session: Any) -> None:
            db["things"].insert_one({"_id": 1})

        with client.start_session() as session, pytest.raises(RuntimeError, match="without the transaction"):
            session.with_transaction(forgets_session)
        assert client.raw["shim"]["things"].count_documents({}) == 0
