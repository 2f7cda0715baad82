"""The ledger contract on a real MongoDB replica set (``tests.support.mongo``), plus the adapter's own checks:
its indexes and documents as the server keeps them, the audit of tampered documents, a conflict with a real
concurrent writer, a failed command leaving nothing behind, and a server out of reach.

Each test gets a database of its own, dropped afterwards. Skipped, with the reason, when there is no server.
"""

from __future__ import annotations

import pytest

from tests.contract.ledger_batch_contract import LedgerBatchContract, move, topup
from tests.contract.ledger_funds_contract import LedgerFundsContract
from tests.contract.ledger_safety_contract import LedgerSafetyContract
from tests.support.ids import new_key, new_user
from tests.support.mongo import RealMongoDatabase, finds_in, require_real_mongo, unreachable_client
from wallet_service.adapters.mongo_store import ACCOUNTS, HOLDS, TRANSACTIONS, MongoLedgerStore
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import TransactionFilter
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, Unavailable
from winzone_ops.admin import migrate_funds

require_real_mongo()

pytestmark = pytest.mark.mongo

CONTENDED_TIMEOUT = 60.0
"""Seconds per store call: 50 threads on one account make ``with_transaction`` back off many times."""


class TestMongoLedgerStore(RealMongoDatabase, LedgerBatchContract, LedgerSafetyContract, LedgerFundsContract):
    def create_store(self) -> LedgerStore:
        return MongoLedgerStore(*self.new_database(), timeout=CONTENDED_TIMEOUT)

    def corrupt_fund(self, user: str, fund: str, delta: int) -> None:
        self.raw_db()[ACCOUNTS].update_one({"_id": f"user:{user}|INR"}, {"$inc": {f"funds.{fund}": delta}})

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
                                "version", "createdAt", "updatedAt", "funds", "heldFunds"}
        assert (account["funds"], account["heldFunds"]) == ({"deposit": 100, "winnings": 0, "bonus": 0},
                                                            {"deposit": 0, "winnings": 0, "bonus": 0})
        assert (account["balance"], account["version"]) == (100, 1)
        transaction = self.raw_db()[TRANSACTIONS].find_one({"_id": leg.id})
        assert set(transaction) == {"_id", "userId", "account", "type", "amount", "currency", "status", "source",
                                    "description", "metadata", "idempotencyKey", "balanceAfter", "entryId",
                                    "holdId", "createdAt", "updatedAt", "postedAt", "funds"}
        assert transaction["funds"] == {"deposit": 100, "winnings": 0, "bonus": 0}
        clearing = self.raw_db()[TRANSACTIONS].find_one({"entryId": leg.entry_id, "userId": None})
        assert clearing is not None and "funds" not in clearing

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

    def test_an_account_another_writer_changed_after_it_was_read_reruns_the_command(self) -> None:
        user = new_user()
        self.credit(user, 1_000)
        writer = self.other_writer()
        self.events.after_next(finds_in(ACCOUNTS), lambda: writer[ACCOUNTS].update_one(
            {"_id": f"user:{user}|INR"}, {"$inc": {"version": 1}}))
        before = self.events.transactions_started

        outcome = self.debit(user, 400)

        assert self.events.transactions_started - before == 2
        assert outcome.wallets[0].balance == 600
        assert self.store.list_transactions(TransactionFilter(user_id=user)).total == 2
        self.assert_audit_ok()

    def test_an_account_another_writer_created_after_it_was_read_reruns_the_command(self) -> None:
        user = new_user()
        writer = self.other_writer()
        self.events.after_next(finds_in(ACCOUNTS), lambda: writer[ACCOUNTS].insert_one({
            "_id": f"user:{user}|INR", "account": f"user:{user}", "currency": "INR", "kind": "user",
            "balance": 0, "held": 0, "totalEarnings": 0, "version": 1,
            "createdAt": "2000-01-01T00:00:00.000000Z", "updatedAt": "2000-01-01T00:00:00.000000Z",
        }))
        before = self.events.transactions_started

        outcome = self.credit(user, 250)

        assert self.events.transactions_started - before == 2
        assert outcome.wallets[0].balance == 250
        state = self.store.get_account(user_account(user), "INR")
        assert state is not None and state.balance == 250
        assert self.raw_db()[ACCOUNTS].find_one({"_id": f"user:{user}|INR"})["version"] == 2
        self.assert_audit_ok()

    def test_a_batch_is_one_transaction_and_a_refused_entry_leaves_no_document(self) -> None:
        user, poor = new_user(), new_user()
        before = self.events.transactions_started
        answers = self.batch([topup(user, 40), move(f"user:{poor}", f"user:{user}", 5, type="debit"),
                              topup(poor, 3)])
        assert self.events.transactions_started - before == 1
        assert isinstance(answers[1], InsufficientFunds)
        db = self.raw_db()
        assert db[TRANSACTIONS].count_documents({"account": f"user:{poor}"}) == 1
        assert db[ACCOUNTS].find_one({"_id": f"user:{poor}|INR"})["balance"] == 3
        self.assert_audit_ok()

    def test_a_refused_command_leaves_every_collection_as_it_was(self) -> None:
        user = new_user()
        self.credit(user, 100, key="used-key")
        db = self.raw_db()
        before = {name: list(db[name].find()) for name in db.list_collection_names()}
        with pytest.raises(IdempotencyConflict):
            self.post([{"account": f"user:{user}", "amount": -10, "type": "entryFee"},
                       {"account": f"user:{new_user()}", "amount": 10, "type": "credit", "key": "used-key"}],
                      key=new_key())
        after = {name: list(db[name].find()) for name in db.list_collection_names()}
        assert after == before
        self.assert_audit_ok()

    def test_documents_from_before_funds_migrate_to_deposit_then_earnings_to_winnings(self) -> None:
        db = self.raw_db()
        stamp = "2026-05-01T10:00:00.000000Z"
        alice, carol = new_user(), new_user()
        for account, kind, balance, held, earnings in (
                (f"user:{alice}", "user", 1_250, 400, 250), (f"user:{carol}", "user", 100, 0, 800),
                ("clearing:external", "system", -1_350, 0, 0)):
            db[ACCOUNTS].insert_one({"_id": f"{account}|INR", "account": account, "currency": "INR", "kind": kind,
                                     "balance": balance, "held": held, "totalEarnings": earnings, "version": 3,
                                     "createdAt": stamp, "updatedAt": stamp})
        for tx_id, account, user, tx_type, amount, entry_id, after in (
                ("l1", f"user:{alice}", alice, "topup", 1_000, "e1", 1_000),
                ("l2", "clearing:external", None, "topup", -1_000, "e1", -1_000),
                ("l3", f"user:{alice}", alice, "reward", 250, "e2", 1_250),
                ("l4", "clearing:external", None, "reward", -250, "e2", -1_250),
                ("l5", f"user:{carol}", carol, "reward", 800, "e3", 800),
                ("l6", "clearing:external", None, "reward", -800, "e3", -2_050),
                ("l7", f"user:{carol}", carol, "debit", -700, "e4", 100),
                ("l8", "clearing:external", None, "debit", 700, "e4", -1_350)):
            db[TRANSACTIONS].insert_one({
                "_id": tx_id, "userId": user, "account": account, "type": tx_type, "amount": amount,
                "currency": "INR", "status": "completed", "source": "legacy", "description": "", "metadata": [],
                "idempotencyKey": None, "balanceAfter": after, "entryId": entry_id, "holdId": None,
                "createdAt": stamp, "updatedAt": stamp, "postedAt": stamp})
        db[TRANSACTIONS].insert_one({
            "_id": "l9", "userId": alice, "account": f"user:{alice}", "type": "payout", "amount": -400,
            "currency": "INR", "status": "pending", "source": "payouts", "description": "", "metadata": [],
            "idempotencyKey": f"hold-{alice}", "balanceAfter": None, "entryId": None, "holdId": f"payout-{alice}",
            "createdAt": stamp, "updatedAt": stamp, "postedAt": stamp})
        db[HOLDS].insert_one({"_id": f"payout-{alice}", "account": f"user:{alice}", "userId": alice,
                              "currency": "INR", "amount": 400, "status": "open", "transactionId": "l9",
                              "createdAt": stamp, "updatedAt": stamp})
        assert self.store.get_transaction("l3").funds == {"deposit": 250}
        assert self.store.get_hold(f"payout-{alice}").funds == {"deposit": 400}
        self.store.migrate()
        legacy = db[ACCOUNTS].find_one({"_id": f"user:{alice}|INR"})
        assert (legacy["funds"], legacy["heldFunds"]) == ({"deposit": 1_250, "winnings": 0, "bonus": 0},
                                                          {"deposit": 400, "winnings": 0, "bonus": 0})
        result = migrate_funds(self.store)
        assert result.before.ok and result.after.ok, (result.before.violations, result.after.violations)
        assert sorted(result.moved) == sorted([(alice, "INR", 250), (carol, "INR", 100)])
        assert self.wallet(alice).funds == Funds(deposit=1_000, winnings=250)
        assert self.wallet(alice).held_funds == Funds(deposit=400)
        assert self.wallet(carol).funds == Funds(winnings=100)
        assert migrate_funds(self.store).moved == []
        captured = self.capture(f"payout-{alice}")
        assert captured.transaction is not None and captured.transaction.funds == {"deposit": -400}
        assert self.wallet(alice).funds == Funds(deposit=600, winnings=250)
        self.assert_audit_ok()

    def test_the_funds_migration_never_moves_deposits_made_after_funds_were_introduced(self) -> None:
        db = self.raw_db()
        stamp = "2026-05-01T10:00:00.000000Z"
        dave, erin = new_user(), new_user()
        for account, balance in ((f"user:{dave}", 0), (f"user:{erin}", 800), ("clearing:external", -800)):
            db[ACCOUNTS].insert_one({"_id": f"{account}|INR", "account": account, "currency": "INR",
                                     "kind": "system" if account.startswith("clearing") else "user",
                                     "balance": balance, "held": 0, "totalEarnings": 0 if balance < 0 else 800,
                                     "version": 3, "createdAt": stamp, "updatedAt": stamp})
        for tx_id, account, user, tx_type, amount, entry_id, after in (
                ("m1", f"user:{dave}", dave, "reward", 800, "e1", 800),
                ("m2", "clearing:external", None, "reward", -800, "e1", -800),
                ("m3", f"user:{dave}", dave, "debit", -800, "e2", 0),
                ("m4", "clearing:external", None, "debit", 800, "e2", 0),
                ("m5", f"user:{erin}", erin, "reward", 800, "e3", 800),
                ("m6", "clearing:external", None, "reward", -800, "e3", -800)):
            db[TRANSACTIONS].insert_one({
                "_id": tx_id, "userId": user, "account": account, "type": tx_type, "amount": amount,
                "currency": "INR", "status": "completed", "source": "legacy", "description": "", "metadata": [],
                "idempotencyKey": None, "balanceAfter": after, "entryId": entry_id, "holdId": None,
                "createdAt": stamp, "updatedAt": stamp, "postedAt": stamp})
        self.store.migrate()
        self.post([{"account": f"user:{erin}", "amount": -800, "type": "entryFee"},
                   {"account": "pool:cup-late", "amount": 800, "type": "entryFee"}])
        self.credit(erin, 1_000, type="topup")
        first = migrate_funds(self.store)
        assert first.before.ok and first.after.ok, (first.before.violations, first.after.violations)
        assert first.moved == []
        assert self.wallet(erin).funds == Funds(deposit=1_000)
        assert self.store.atomic(lambda uow: uow.idempotency_get(f"migrate_funds_{dave}_INR")) == (
            f"migration:{dave}:INR", {"moved": 0})
        self.credit(dave, 1_000, type="topup")
        second = migrate_funds(self.store)
        assert second.moved == [] and second.after.ok, second.after.violations
        assert self.wallet(dave).funds == Funds(deposit=1_000)
        assert self.wallet(erin).funds == Funds(deposit=1_000)
        assert self.store.list_transactions(TransactionFilter(user_id=dave, type="migration", limit=10)).items == []
        self.assert_audit_ok()


def test_a_server_out_of_reach_is_unavailable() -> None:
    store = MongoLedgerStore(unreachable_client(), "winzone_unreachable", timeout=0.5)
    try:
        with pytest.raises(Unavailable):
            store.get_account(user_account(new_user()), "INR")
        with pytest.raises(Unavailable):
            store.atomic(lambda uow: uow.account_get(user_account(new_user()), "INR"))
        with pytest.raises(Unavailable):
            store.audit_facts()
    finally:
        store.close()

