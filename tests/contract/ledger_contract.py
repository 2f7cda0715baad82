"""The contract every ``LedgerStore`` must pass: the ledger rules of DESIGN.md, run through the store.

Subclass ``LedgerStoreContract`` per backend and implement ``create_store`` (and ``dispose_store`` when
closing is not enough). Every money-moving test ends with ``assert_audit_ok``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from tests.support.contract import StoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain import ledger
from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.audit import AuditReport, audit
from wallet_service.domain.commands import LegRequest, MoveCommand
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import (
    HoldOutcome,
    PostingOutcome,
    TransactionFilter,
    TransactionRecord,
    WalletView,
)
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidState, NotFound
from winzone_kernel.money import MAX_MINOR

T = TypeVar("T")

CLEARING = "clearing:external"


class LedgerStoreContract(StoreContract[LedgerStore]):
    """Abstract contract test case for ``LedgerStore`` implementations (pyeventsourcing style)."""

    service: WalletUseCases

    @pytest.fixture(autouse=True)
    def _service(self, _fresh_store: None) -> None:
        self.service = WalletUseCases(self.store)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def credit(self, user: str, amount: int, *, key: str | None = None, currency: str = "INR",
               type: str = "topup", metadata: dict[str, str] | None = None) -> PostingOutcome:
        return self.run(self.service.postings.credit(
            key=key or new_key(), user_id=user, amount=amount, currency=currency, type=type, counter_account="",
            source="test", description="credit", metadata=metadata or {},
        ))

    def debit(self, user: str, amount: int, *, key: str | None = None, currency: str = "INR",
              type: str = "debit") -> PostingOutcome:
        return self.run(self.service.postings.debit(
            key=key or new_key(), user_id=user, amount=amount, currency=currency, type=type, counter_account="",
            source="test", description="debit", metadata={},
        ))

    def transfer(self, sender: str, receiver: str, amount: int, *, key: str | None = None) -> PostingOutcome:
        return self.run(self.service.postings.transfer(
            key=key or new_key(), from_user_id=sender, to_user_id=receiver, amount=amount, currency="INR",
            description="transfer", metadata={},
        ))

    def post(self, legs: list[dict[str, Any]], *, key: str | None = None) -> PostingOutcome:
        return self.run(self.service.postings.post(
            key=key or new_key(), legs=[LegRequest(**leg) for leg in legs], source="test", description="posting",
            metadata={},
        ))

    def hold(self, user: str, amount: int, *, key: str | None = None, hold_id: str = "") -> HoldOutcome:
        return self.run(self.service.holds.create(
            key=key or new_key(), hold_id=hold_id, user_id=user, amount=amount, currency="INR", type="payout",
            source="test", description="payout hold", metadata={},
        ))

    def capture(self, hold_id: str, *, key: str | None = None) -> HoldOutcome:
        return self.run(self.service.holds.capture(key=key or new_key(), hold_id=hold_id, counter_account=CLEARING))

    def void(self, hold_id: str, *, key: str | None = None) -> HoldOutcome:
        return self.run(self.service.holds.void(key=key or new_key(), hold_id=hold_id, note="failed"))

    def wallet(self, user: str, currency: str = "INR") -> WalletView:
        return self.service.queries.wallet(user, currency)

    def balance(self, account: str, currency: str = "INR") -> int | None:
        state = self.store.get_account(parse_account(account), currency)
        return None if state is None else state.balance

    def listed(self, **filters: Any) -> list[TransactionRecord]:
        return self.store.list_transactions(TransactionFilter(limit=100, **filters)).items

    def ledger_state(self) -> tuple[Any, ...]:
        """Everything the store holds, in a comparable form (to show that nothing changed)."""
        facts = self.store.audit_facts()
        return (sorted(facts.accounts), facts.posted_sums, facts.reward_sums, facts.open_hold_sums,
                facts.transactions_checked, facts.holds_checked,
                [(t.id, t.status) for t in self.listed()])

    def assert_audit_ok(self) -> AuditReport:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        assert all(total == 0 for total in report.totals.values()), report.totals
        return report

    def test_migrate_twice_is_harmless(self) -> None:
        user = new_user()
        self.credit(user, 100)
        self.credit(user, 50)
        self.store.migrate()
        self.credit(user, 25)
        assert self.wallet(user).balance == 175
        self.assert_audit_ok()

    def test_unknown_ids_read_as_none(self) -> None:
        assert self.store.get_transaction("txn_unknown") is None
        assert self.store.get_hold("hold_unknown") is None
        assert self.store.get_account(user_account(new_user()), "INR") is None
        stranger = new_user()
        assert self.wallet(stranger) == WalletView(stranger, "INR", 0, 0, 0)
        report = self.assert_audit_ok()
        assert (report.accounts_checked, report.transactions_checked, report.holds_checked) == (0, 0, 0)

    def test_credit_posts_two_balanced_legs(self) -> None:
        user = new_user()
        outcome = self.credit(user, 50_000, metadata={"session": "cs_1"})
        user_leg, clearing_leg = outcome.transactions
        assert (user_leg.account, user_leg.user_id, user_leg.amount, user_leg.balance_after) == (
            f"user:{user}", user, 50_000, 50_000)
        assert (clearing_leg.account, clearing_leg.user_id, clearing_leg.amount, clearing_leg.balance_after) == (
            CLEARING, None, -50_000, -50_000)
        assert user_leg.entry_id == clearing_leg.entry_id == outcome.entry_id
        assert user_leg.status == clearing_leg.status == "completed"
        funded = WalletView(user, "INR", 50_000, 0, 0, funds=Funds(deposit=50_000), withdrawable=50_000)
        assert outcome.wallets == [funded]
        assert self.store.get_transaction(user_leg.id) == user_leg
        assert self.store.get_transaction(clearing_leg.id) == clearing_leg
        assert self.wallet(user) == funded
        assert self.balance(CLEARING) == -50_000
        self.assert_audit_ok()

    def test_the_injected_clock_stamps_entries_and_holds(self) -> None:
        instant = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
        stamped = WalletUseCases(self.store, clock=lambda: instant)
        user = new_user()
        credit = self.run(stamped.postings.credit(
            key=new_key(), user_id=user, amount=500, currency="INR", type="topup", counter_account="",
            source="test", description="", metadata={},
        ))
        held = self.run(stamped.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=200, currency="INR", type="payout", source="test",
            description="", metadata={},
        ))
        expected = "2031-05-06T07:08:09.123456Z"
        assert {(t.created_at, t.posted_at) for t in credit.transactions} == {(expected, expected)}
        assert (held.hold.created_at, held.transaction.created_at) == (expected, expected)
        assert self.store.get_hold(held.hold.id) == held.hold
        self.assert_audit_ok()

    def test_debit_and_transfer_move_exact_amounts(self) -> None:
        alice, bob = new_user(), new_user()
        self.credit(alice, 1_000)
        debit = self.debit(alice, 300)
        assert [(t.account, t.amount, t.balance_after) for t in debit.transactions] == [
            (f"user:{alice}", -300, 700), (CLEARING, 300, -700)]
        moved = self.transfer(alice, bob, 450)
        assert [(t.account, t.type, t.amount, t.balance_after) for t in moved.transactions] == [
            (f"user:{alice}", "debit", -450, 250), (f"user:{bob}", "credit", 450, 450)]
        assert moved.wallets == [
            WalletView(alice, "INR", 250, 0, 0, funds=Funds(deposit=250), withdrawable=250),
            WalletView(bob, "INR", 450, 0, 0, funds=Funds(deposit=450), withdrawable=450)]
        assert self.wallet(alice).balance == 250
        assert self.wallet(bob).balance == 450
        self.assert_audit_ok()

    def test_amounts_beyond_32_bits_stay_exact(self) -> None:
        user = new_user()
        self.credit(user, MAX_MINOR)
        outcome = self.credit(user, MAX_MINOR - 1)
        assert outcome.transactions[0].balance_after == 2 * MAX_MINOR - 1
        assert self.wallet(user).balance == 2 * MAX_MINOR - 1
        assert self.balance(CLEARING) == -(2 * MAX_MINOR - 1)
        self.assert_audit_ok()

    def test_metadata_round_trips_exactly(self) -> None:
        user = new_user()
        metadata = {"session.id": "cs_1", "$provider": "mock", "": "empty key", "ünïcode": "₹"}
        leg = self.credit(user, 10, metadata=metadata).transactions[0]
        stored = self.store.get_transaction(leg.id)
        assert stored is not None and stored.metadata == metadata
        assert self.listed(user_id=user)[0].metadata == metadata
        self.assert_audit_ok()

    def test_insufficient_funds_changes_nothing(self) -> None:
        alice, bob = new_user(), new_user()
        self.credit(alice, 100)
        before = self.ledger_state()
        key = new_key()
        with pytest.raises(InsufficientFunds):
            self.debit(alice, 101, key=key)
        with pytest.raises(InsufficientFunds):
            self.transfer(alice, bob, 101)
        with pytest.raises(InsufficientFunds):
            self.debit(new_user(), 1)
        assert self.ledger_state() == before
        assert self.store.get_account(user_account(bob), "INR") is None
        self.credit(alice, 1)
        with pytest.raises(InsufficientFunds):
            self.debit(alice, 101, key=key)
        with pytest.raises(IdempotencyConflict):
            self.debit(alice, 100, key=key)
        fresh = self.debit(alice, 101)
        assert not fresh.replayed and fresh.wallets[0].balance == 0
        self.assert_audit_ok()

    def test_posting_rolls_back_when_a_later_leg_fails(self) -> None:
        alice, bob, pool = new_user(), new_user(), "pool:cup-1"
        self.credit(alice, 100)
        self.post([{"account": f"user:{alice}", "amount": -100, "type": "entryFee"},
                   {"account": pool, "amount": 100, "type": "entryFee"}])
        self.credit(alice, 50)
        before = self.ledger_state()
        key = new_key()
        legs = [{"account": pool, "amount": -100, "type": "reward"},
                {"account": f"user:{bob}", "amount": 160, "type": "reward"},
                {"account": f"user:{alice}", "amount": -60, "type": "entryFee"}]
        with pytest.raises(InsufficientFunds):
            self.post(legs, key=key)
        assert self.ledger_state() == before
        assert self.balance(pool) == 100
        assert self.store.get_account(user_account(bob), "INR") is None
        self.credit(alice, 10)
        with pytest.raises(InsufficientFunds):
            self.post(legs, key=key)
        assert self.balance(pool) == 100
        outcome = self.post(legs)
        assert not outcome.replayed
        assert (self.balance(pool), self.wallet(alice).balance, self.wallet(bob).balance) == (0, 0, 160)
        self.assert_audit_ok()

    def test_multi_leg_posting_reports_balance_after_per_leg(self) -> None:
        alice, bob, organizer, pool = new_user(), new_user(), new_user(), "pool:cup-2"
        self.credit(alice, 1_000)
        self.credit(bob, 1_000)
        fees = self.post([
            {"account": f"user:{alice}", "amount": -300, "type": "entryFee"},
            {"account": pool, "amount": 300, "type": "entryFee"},
            {"account": f"user:{alice}", "amount": -200, "type": "entryFee"},
            {"account": pool, "amount": 200, "type": "entryFee"},
            {"account": f"user:{bob}", "amount": -500, "type": "entryFee"},
            {"account": pool, "amount": 500, "type": "entryFee"},
        ])
        assert [t.balance_after for t in fees.transactions] == [700, 300, 500, 500, 500, 1_000]
        assert len({t.entry_id for t in fees.transactions}) == 1
        prizes = self.post([
            {"account": pool, "amount": -1_000, "type": "reward"},
            {"account": f"user:{alice}", "amount": 600, "type": "reward"},
            {"account": f"user:{bob}", "amount": 250, "type": "reward"},
            {"account": "platform_fees", "amount": 100, "type": "platformFee"},
            {"account": f"user:{organizer}", "amount": 50, "type": "organizerFee"},
        ])
        assert [(t.user_id, t.amount, t.balance_after) for t in prizes.transactions] == [
            (None, -1_000, 0), (alice, 600, 1_100), (bob, 250, 750), (None, 100, 100), (organizer, 50, 50)]
        assert {w.user_id: (w.balance, w.total_earnings) for w in prizes.wallets} == {
            alice: (1_100, 600), bob: (750, 250), organizer: (50, 0)}
        assert self.balance(pool) == 0
        assert self.balance("platform_fees") == 100
        self.assert_audit_ok()

    def test_total_earnings_count_only_rewards(self) -> None:
        user, other = new_user(), new_user()
        self.credit(user, 1_000, type="topup")
        self.credit(user, 500, type="reward")
        self.credit(user, 70, type="organizerFee")
        self.credit(user, 30, type="refund")
        self.debit(user, 400)
        self.credit(other, 300)
        self.transfer(other, user, 100)
        self.post([{"account": f"user:{other}", "amount": -200, "type": "entryFee"},
                   {"account": "pool:cup-7", "amount": 200, "type": "entryFee"}])
        prizes = self.post([{"account": "pool:cup-7", "amount": -200, "type": "reward"},
                            {"account": f"user:{user}", "amount": 150, "type": "reward"},
                            {"account": "platform_fees", "amount": 50, "type": "platformFee"}])
        assert prizes.wallets == [WalletView(user, "INR", 1_450, 0, 650, funds=Funds(deposit=730, winnings=720),
                                  withdrawable=1_450)]
        assert self.wallet(user) == WalletView(user, "INR", 1_450, 0, 650, funds=Funds(deposit=730, winnings=720),
                                  withdrawable=1_450)
        assert self.wallet(other).total_earnings == 0
        pool = self.store.get_account(parse_account("pool:cup-7"), "INR")
        assert pool is not None and (pool.balance, pool.total_earnings) == (0, 0)
        self.assert_audit_ok()

    def test_replay_returns_the_first_result(self) -> None:
        alice, bob = new_user(), new_user()
        key = new_key()
        first = self.credit(alice, 700, key=key)
        again = self.credit(alice, 700, key=key)
        assert again.replayed and not first.replayed
        assert again.entry_id == first.entry_id
        assert [t.id for t in again.transactions] == [t.id for t in first.transactions]
        assert again.transactions == first.transactions and again.wallets == first.wallets
        transfer_key = new_key()
        moved = self.transfer(alice, bob, 200, key=transfer_key)
        assert self.transfer(alice, bob, 200, key=transfer_key).entry_id == moved.entry_id
        post_key = new_key()
        legs = [{"account": f"user:{alice}", "amount": -100, "type": "entryFee"},
                {"account": "pool:cup-3", "amount": 100, "type": "entryFee"}]
        posted = self.post(legs, key=post_key)
        assert self.post(legs, key=post_key).transactions == posted.transactions
        assert self.wallet(alice).balance == 400
        assert len(self.listed(user_id=alice)) == 3
        self.assert_audit_ok()

    def test_different_request_under_a_used_key_conflicts(self) -> None:
        alice, bob = new_user(), new_user()
        key = new_key()
        self.credit(alice, 700, key=key)
        before = self.ledger_state()
        with pytest.raises(IdempotencyConflict):
            self.credit(alice, 701, key=key)
        with pytest.raises(IdempotencyConflict):
            self.credit(bob, 700, key=key)
        with pytest.raises(IdempotencyConflict):
            self.debit(alice, 700, key=key)
        with pytest.raises(IdempotencyConflict):
            self.transfer(alice, bob, 1, key=key)
        with pytest.raises(IdempotencyConflict):
            self.hold(alice, 1, key=key)
        assert self.ledger_state() == before
        self.assert_audit_ok()

    def test_duplicate_leg_key_conflicts_and_changes_nothing(self) -> None:
        alice, bob = new_user(), new_user()
        used = new_key()
        self.credit(alice, 1_000, key=used)
        leg_key = new_key()
        self.post([{"account": f"user:{alice}", "amount": -100, "type": "entryFee", "key": leg_key},
                   {"account": "pool:cup-4", "amount": 100, "type": "entryFee"}])
        before = self.ledger_state()
        for taken in (used, leg_key):
            with pytest.raises(IdempotencyConflict):
                self.post([{"account": f"user:{alice}", "amount": -10, "type": "entryFee"},
                           {"account": f"user:{bob}", "amount": 10, "type": "credit", "key": taken}])
        with pytest.raises(IdempotencyConflict):
            self.credit(bob, 5, key=leg_key)
        assert self.ledger_state() == before
        assert self.store.get_account(user_account(bob), "INR") is None
        self.assert_audit_ok()

    def test_held_funds_cannot_be_spent(self) -> None:
        alice, bob = new_user(), new_user()
        self.credit(alice, 1_000)
        created = self.hold(alice, 300)
        assert created.wallet == WalletView(alice, "INR", 1_000, 300, 0, funds=Funds(deposit=1_000),
                                             held_funds=Funds(deposit=300), withdrawable=700)
        assert created.wallet.available == 700
        pending = created.transaction
        assert (pending.status, pending.amount, pending.balance_after, pending.entry_id, pending.hold_id) == (
            "pending", -300, None, None, created.hold.id)
        assert self.store.get_transaction(pending.id) == pending
        assert self.store.get_hold(created.hold.id) == created.hold
        before = self.ledger_state()
        with pytest.raises(InsufficientFunds):
            self.debit(alice, 701)
        with pytest.raises(InsufficientFunds):
            self.transfer(alice, bob, 701)
        with pytest.raises(InsufficientFunds):
            self.hold(alice, 701)
        with pytest.raises(InsufficientFunds):
            self.post([{"account": f"user:{alice}", "amount": -701, "type": "entryFee"},
                       {"account": "pool:cup-5", "amount": 701, "type": "entryFee"}])
        assert self.ledger_state() == before
        self.debit(alice, 700)
        assert self.wallet(alice) == WalletView(alice, "INR", 300, 300, 0, funds=Funds(deposit=300),
                                                    held_funds=Funds(deposit=300))
        with pytest.raises(InsufficientFunds):
            self.debit(alice, 1)
        self.assert_audit_ok()

    def test_capture_moves_held_funds_out_exactly_once(self) -> None:
        alice = new_user()
        credit_leg = self.credit(alice, 1_000).transactions[0]
        created = self.hold(alice, 300)
        key = new_key()
        captured = self.capture(created.hold.id, key=key)
        assert captured.hold.status == "captured"
        assert captured.wallet == WalletView(alice, "INR", 700, 0, 0, funds=Funds(deposit=700), withdrawable=700)
        record = captured.transaction
        assert (record.id, record.status, record.amount, record.balance_after) == (
            created.transaction.id, "completed", -300, 700)
        assert record.entry_id is not None
        assert self.store.get_transaction(record.id) == record
        stored_hold = self.store.get_hold(created.hold.id)
        assert stored_hold is not None and stored_hold.status == "captured"
        assert self.balance(CLEARING) == -700
        assert [t for t in self.listed() if t.entry_id == record.entry_id] == [record]
        before = self.ledger_state()
        replay = self.capture(created.hold.id, key=key)
        assert replay.replayed and replay.transaction == record and replay.hold == captured.hold
        with pytest.raises(InvalidState):
            self.capture(created.hold.id)
        with pytest.raises(InvalidState):
            self.void(created.hold.id)
        assert self.ledger_state() == before
        assert self.store.get_transaction(credit_leg.id) == credit_leg
        self.assert_audit_ok()

    def test_void_returns_held_funds_exactly_once(self) -> None:
        alice = new_user()
        self.credit(alice, 1_000)
        created = self.hold(alice, 300)
        voided = self.void(created.hold.id)
        assert voided.hold.status == "voided"
        assert voided.wallet == WalletView(alice, "INR", 1_000, 0, 0, funds=Funds(deposit=1_000), withdrawable=1_000)
        assert (voided.transaction.status, voided.transaction.balance_after, voided.transaction.entry_id) == (
            "failed", None, None)
        assert self.store.get_transaction(created.transaction.id) == voided.transaction
        before = self.ledger_state()
        with pytest.raises(InvalidState):
            self.void(created.hold.id)
        with pytest.raises(InvalidState):
            self.capture(created.hold.id)
        assert self.ledger_state() == before
        assert self.debit(alice, 1_000).wallets[0].balance == 0
        self.assert_audit_ok()

    def test_hold_keys_and_ids(self) -> None:
        alice = new_user()
        self.credit(alice, 1_000)
        key = new_key()
        first = self.hold(alice, 100, key=key, hold_id="payout-1")
        again = self.hold(alice, 100, key=key, hold_id="payout-1")
        assert again.replayed and again.hold == first.hold and again.transaction == first.transaction
        before = self.ledger_state()
        with pytest.raises(IdempotencyConflict):
            self.hold(alice, 100, key=key, hold_id="payout-2")
        with pytest.raises(IdempotencyConflict):
            self.hold(alice, 100, hold_id="payout-1")
        with pytest.raises(InsufficientFunds):
            self.hold(new_user(), 1)
        with pytest.raises(NotFound):
            self.capture("payout-unknown")
        assert self.ledger_state() == before
        assert self.wallet(alice) == WalletView(alice, "INR", 1_000, 100, 0, funds=Funds(deposit=1_000),
                                                    held_funds=Funds(deposit=100), withdrawable=900)
        self.assert_audit_ok()

    def test_list_transactions_filters_pages_and_orders_newest_first(self) -> None:
        alice, bob = new_user(), new_user()
        topup = self.credit(alice, 1_000).transactions[0]
        debit = self.debit(alice, 100).transactions[0]
        usd = self.credit(alice, 500, currency="USD", type="credit").transactions[0]
        pending = self.hold(alice, 50).transaction
        bob_topup = self.credit(bob, 10).transactions[0]
        fee_legs = self.post([
            {"account": f"user:{alice}", "amount": -20, "type": "entryFee"},
            {"account": f"user:{alice}", "amount": -30, "type": "entryFee"},
            {"account": "pool:cup-6", "amount": 50, "type": "entryFee"},
        ]).transactions
        newest_two = sorted(fee_legs[:2], key=lambda t: t.id, reverse=True)
        assert [t.id for t in self.listed(user_id=alice)] == [
            *(t.id for t in newest_two), pending.id, usd.id, debit.id, topup.id]
        everything = self.listed()
        assert all(t.user_id is not None for t in everything)
        assert [(t.posted_at, t.id) for t in everything] == sorted(
            ((t.posted_at, t.id) for t in everything), reverse=True)
        assert {t.id for t in everything} == {t.id for t in self.listed(user_id=alice)} | {bob_topup.id}
        assert [t.id for t in self.listed(user_id=alice, type="topup")] == [topup.id]
        assert [t.id for t in self.listed(type="topup")] == [bob_topup.id, topup.id]
        assert [t.id for t in self.listed(status="pending")] == [pending.id]
        assert [t.id for t in self.listed(currency="USD")] == [usd.id]
        assert [t.id for t in self.listed(user_id=alice, type="entryFee", status="completed", currency="INR")] \
            == [t.id for t in newest_two]
        assert self.listed(user_id=bob, currency="USD") == []
        pages = [self.store.list_transactions(TransactionFilter(user_id=alice, page=page, limit=3))
                 for page in (1, 2, 3)]
        assert [p.total for p in pages] == [6, 6, 6]
        assert [len(p.items) for p in pages] == [3, 3, 0]
        assert [t.id for p in pages for t in p.items] == [t.id for t in self.listed(user_id=alice)]
        assert (pages[1].page, pages[1].limit) == (2, 3)
        page = self.service.queries.transactions(TransactionFilter(type="debit", page=1, limit=1))
        assert (page.total, [t.id for t in page.items]) == (1, [debit.id])
        self.assert_audit_ok()

    def test_concurrent_debits_never_overdraw(self) -> None:
        user = new_user()
        self.credit(user, 30_000)
        outcomes = self._in_threads(50, lambda _: self._debit_cmd(user, 1_000, new_key()))
        succeeded = [o for o in outcomes if isinstance(o, PostingOutcome)]
        refused = [o for o in outcomes if isinstance(o, InsufficientFunds)]
        assert (len(succeeded), len(refused)) == (30, 20), outcomes
        assert self.wallet(user).balance == 0
        assert sorted(o.wallets[0].balance for o in succeeded) == list(range(0, 30_000, 1_000))
        assert self.store.list_transactions(TransactionFilter(user_id=user)).total == 31
        self.assert_audit_ok()

    def test_concurrent_requests_under_one_key_post_once(self) -> None:
        user = new_user()
        key = new_key()
        outcomes = self._in_threads(20, lambda _: self._credit_cmd(user, 1_000, key))
        assert all(isinstance(o, PostingOutcome) for o in outcomes), outcomes
        assert len({o.entry_id for o in outcomes}) == 1
        assert sum(not o.replayed for o in outcomes) == 1
        assert self.wallet(user).balance == 1_000
        assert self.store.list_transactions(TransactionFilter(user_id=user)).total == 1
        self.assert_audit_ok()

    def test_concurrent_first_use_of_a_wallet(self) -> None:
        user = new_user()
        outcomes = self._in_threads(20, lambda i: self._credit_cmd(user, 100 + i, new_key()))
        assert all(isinstance(o, PostingOutcome) for o in outcomes), outcomes
        assert self.wallet(user).balance == sum(100 + i for i in range(20))
        self.assert_audit_ok()

    def _credit_cmd(self, user: str, amount: int, key: str) -> PostingOutcome:
        return self._move(user, amount, key, direction=1)

    def _debit_cmd(self, user: str, amount: int, key: str) -> PostingOutcome:
        return self._move(user, amount, key, direction=-1)

    def _move(self, user: str, amount: int, key: str, *, direction: int) -> PostingOutcome:
        cmd = MoveCommand.build(
            key=key, user_id=user, amount=amount, currency="INR", type="", counter_account="", source="test",
            description="", metadata={}, direction=direction,
        )
        return self.store.atomic(lambda uow: ledger.move(uow, cmd))

    @staticmethod
    def _in_threads(count: int, task: Callable[[int], T]) -> list[T | Exception]:
        start = threading.Barrier(count)

        def attempt(index: int) -> T | Exception:
            start.wait()
            try:
                return task(index)
            except Exception as exc:
                return exc

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(attempt, range(count)))
