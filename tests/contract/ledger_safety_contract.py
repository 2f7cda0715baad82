"""The money-safety part of the ledger contract (issue 10): refusals remembered under their key, hold
tombstones, Recover with the receivable it leaves, restriction, settlement from later credits, holds up to
what is available. Run by every backend through ``LedgerSafetyContract``; every test ends with the audit."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.ledger_contract import CLEARING, LedgerStoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain import ledger
from wallet_service.domain.commands import CreateHoldCommand, SettleHoldCommand
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import HoldOutcome, PostingOutcome, RecoverOutcome, WalletView
from winzone_kernel.errors import (
    FailedPrecondition,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidArgument,
    NotFound,
)

STRIPE = "clearing:stripe"


class LedgerSafetyContract(LedgerStoreContract):
    """``LedgerStoreContract`` plus the money-safety rules; subclass this per backend."""

    def recover(self, user: str, amount: int, *, key: str | None = None) -> RecoverOutcome:
        return self.run(self.service.postings.recover(
            key=key or new_key(), user_id=user, amount=amount, currency="INR", counter_account=STRIPE, type="",
            source="test", description="chargeback", metadata={"charge": "ch_1"},
        ))

    def hold_up_to(self, user: str, amount: int, *, key: str | None = None) -> HoldOutcome:
        return self.run(self.service.holds.create(
            key=key or new_key(), hold_id="", user_id=user, amount=amount, currency="INR", type="debit",
            source="test", description="dispute", metadata={}, up_to_available=True,
        ))

    def refusal(self, call: Any) -> FailedPrecondition | NotFound:
        with pytest.raises((FailedPrecondition, NotFound)) as info:
            call()
        error = info.value
        assert isinstance(error, FailedPrecondition | NotFound)
        return error

    def test_a_refusal_is_remembered_under_its_key(self) -> None:
        alice = new_user()
        self.credit(alice, 100)
        key = new_key()
        first = self.refusal(lambda: self.debit(alice, 500, key=key))
        assert isinstance(first, InsufficientFunds)
        self.credit(alice, 1_000)
        again = self.refusal(lambda: self.debit(alice, 500, key=key))
        assert (type(again), again.code, again.message) == (type(first), first.code, first.message)
        with pytest.raises(IdempotencyConflict):
            self.debit(alice, 499, key=key)
        assert self.debit(alice, 500).wallets[0].balance == 600
        self.assert_audit_ok()

    def test_refusals_of_every_kind_are_remembered(self) -> None:
        alice, bob = new_user(), new_user()
        self.credit(alice, 1_000)
        unknown, capture_key = "payout-later", new_key()
        assert isinstance(self.refusal(lambda: self.capture(unknown, key=capture_key)), NotFound)
        held = self.hold(alice, 100)
        self.void(held.hold.id)
        settle_key = new_key()
        assert self.refusal(lambda: self.capture(held.hold.id, key=settle_key)).code == "HOLD_NOT_OPEN"
        transfer_key, hold_key = new_key(), new_key()
        self.refusal(lambda: self.transfer(alice, bob, 5_000, key=transfer_key))
        self.refusal(lambda: self.hold(alice, 5_000, key=hold_key, hold_id="payout-big"))
        self.credit(alice, 10_000)
        assert isinstance(self.refusal(lambda: self.capture(unknown, key=capture_key)), NotFound)
        assert self.refusal(lambda: self.capture(held.hold.id, key=settle_key)).code == "HOLD_NOT_OPEN"
        assert isinstance(self.refusal(lambda: self.transfer(alice, bob, 5_000, key=transfer_key)),
                          InsufficientFunds)
        assert isinstance(self.refusal(lambda: self.hold(alice, 5_000, key=hold_key, hold_id="payout-big")),
                          InsufficientFunds)
        assert self.store.get_hold("payout-big") is None
        assert self.wallet(alice) == WalletView(alice, "INR", 11_000, 0, 0, funds=Funds(deposit=11_000),
                                                    withdrawable=11_000)
        self.assert_audit_ok()

    def test_malformed_requests_are_not_remembered(self) -> None:
        alice, key = new_user(), new_key()
        with pytest.raises(InvalidArgument):
            self.debit(alice, -5, key=key)
        with pytest.raises(InvalidArgument):
            self.post([{"account": f"user:{alice}", "amount": 10, "type": "credit"},
                       {"account": CLEARING, "amount": -9, "type": "credit"}], key=key)
        assert not self.credit(alice, 10, key=key).replayed
        self.assert_audit_ok()

    def test_concurrent_requests_under_one_key_all_get_the_first_answer(self) -> None:
        user = new_user()
        self.credit(user, 5_000)
        keys = [new_key() for _ in range(10)]
        outcomes = self._in_threads(20, lambda i: self._debit_cmd(user, 1_000, keys[i % 10]))
        for index, key in enumerate(keys):
            pair = (outcomes[index], outcomes[index + 10])
            kinds = {type(o) for o in pair}
            assert kinds in ({PostingOutcome}, {InsufficientFunds}), (key, pair)
        paid = [o for o in outcomes if isinstance(o, PostingOutcome)]
        assert len({o.entry_id for o in paid}) == 5 and sum(not o.replayed for o in paid) == 5
        assert self.wallet(user).balance == 0
        self.assert_audit_ok()

    def test_a_void_before_any_hold_leaves_a_tombstone(self) -> None:
        alice = new_user()
        self.credit(alice, 1_000)
        voided = self.void("payout-7", key="void_payout-7")
        assert (voided.hold.id, voided.hold.status, voided.hold.amount) == ("payout-7", "voided", 0)
        assert voided.transaction is None and voided.wallet is None
        replay = self.void("payout-7", key="void_payout-7")
        assert replay.replayed and replay.hold == voided.hold
        assert self.store.get_hold("payout-7") is None
        assert self.refusal(lambda: self.void("payout-7")).code == "HOLD_NOT_OPEN"
        assert self.refusal(lambda: self.capture("payout-7")).code == "HOLD_NOT_OPEN"
        assert self.wallet(alice) == WalletView(alice, "INR", 1_000, 0, 0, funds=Funds(deposit=1_000),
                                                    withdrawable=1_000)
        self.assert_audit_ok()

    def test_a_create_that_lands_after_its_void_is_refused_for_good(self) -> None:
        """Issue 10, scenario 3: CreateHold answered UNAVAILABLE but still queued; reconciliation voids the
        unknown hold; then the create lands, and the caller retries it under its key."""
        alice = new_user()
        self.credit(alice, 1_000)
        create = CreateHoldCommand.build(
            key="hold_payout-9", hold_id="payout-9", user_id=alice, amount=400, currency="INR", type="payout",
            source="test", description="payout hold", metadata={}, new_hold_id="unused",
        )
        void = SettleHoldCommand.build(key="void_payout-9", hold_id="payout-9", capture=False, note="discarded")
        voided = self.store.atomic(lambda uow: ledger.settle_hold(uow, void))
        assert voided.hold.status == "voided"
        with pytest.raises(FailedPrecondition) as late:
            self.store.atomic(lambda uow: ledger.create_hold(uow, create))
        assert late.value.code == "HOLD_VOIDED"
        with pytest.raises(FailedPrecondition) as retried:
            self.hold(alice, 400, key="hold_payout-9", hold_id="payout-9")
        assert retried.value.code == "HOLD_VOIDED"
        assert self.refusal(lambda: self.hold(alice, 400, hold_id="payout-9")).code == "HOLD_VOIDED"
        assert self.store.get_hold("payout-9") is None
        assert self.wallet(alice) == WalletView(alice, "INR", 1_000, 0, 0, funds=Funds(deposit=1_000),
                                                    withdrawable=1_000)
        assert self.store.open_holds() == {}
        self.assert_audit_ok()

    def test_recover_takes_what_is_available_and_books_the_rest_as_receivable(self) -> None:
        alice = new_user()
        self.credit(alice, 1_000)
        self.hold(alice, 700)
        key = new_key()
        outcome = self.recover(alice, 1_000, key=key)
        assert (outcome.recovered, outcome.shortfall) == (300, 700)
        assert outcome.wallet == WalletView(alice, "INR", 700, 700, 0, 700, funds=Funds(deposit=700),
                                            held_funds=Funds(deposit=700))
        assert outcome.wallet.restricted
        assert [(t.account, t.type, t.amount) for t in outcome.posting.transactions] == [
            (f"user:{alice}", "chargeback", -300), (f"receivable:{alice}", "chargeback", -700),
            (STRIPE, "chargeback", 1_000)]
        assert len({t.entry_id for t in outcome.posting.transactions}) == 1
        assert self.balance(f"receivable:{alice}") == -700
        replay = self.recover(alice, 1_000, key=key)
        assert replay.replayed and (replay.recovered, replay.shortfall) == (300, 700)
        assert replay.posting.transactions == outcome.posting.transactions
        with pytest.raises(IdempotencyConflict):
            self.recover(alice, 999, key=key)
        assert self.wallet(alice).receivable == 700
        stranger = self.recover(new_user(), 250)
        assert (stranger.recovered, stranger.shortfall, stranger.wallet.receivable) == (0, 250, 250)
        assert self.recover(new_user(), 1).wallet.balance == 0
        self.assert_audit_ok()

    def test_a_user_who_owes_is_restricted(self) -> None:
        alice, bob = new_user(), new_user()
        self.credit(alice, 100)
        self.credit(bob, 100)
        self.recover(alice, 300)
        before = self.ledger_state()
        for call in (
            lambda: self.debit(alice, 1),
            lambda: self.transfer(alice, bob, 1),
            lambda: self.hold(alice, 1),
            lambda: self.post([{"account": f"user:{alice}", "amount": -1, "type": "entryFee"},
                               {"account": "pool:cup-r", "amount": 1, "type": "entryFee"}]),
        ):
            assert self.refusal(call).code == "ACCOUNT_RESTRICTED"
        assert self.ledger_state() == before
        assert self.wallet(alice) == WalletView(alice, "INR", 0, 0, 0, 200)
        self.assert_audit_ok()

    def test_later_credits_settle_what_is_owed_first(self) -> None:
        alice, bob = new_user(), new_user()
        self.recover(alice, 1_000)
        topup = self.credit(alice, 600)
        assert [(t.account, t.type, t.amount, t.balance_after) for t in topup.transactions] == [
            (f"user:{alice}", "topup", 600, 600), (CLEARING, "topup", -600, -600),
            (f"user:{alice}", "chargeback", -600, 0), (f"receivable:{alice}", "chargeback", 600, -400)]
        assert topup.wallets == [WalletView(alice, "INR", 0, 0, 0, 400)]
        self.credit(bob, 500)
        moved = self.transfer(bob, alice, 100)
        assert [w.receivable for w in moved.wallets if w.user_id == alice] == [300]
        self.post([{"account": f"user:{bob}", "amount": -400, "type": "entryFee"},
                   {"account": "pool:cup-s", "amount": 400, "type": "entryFee"}])
        prizes = self.post([{"account": "pool:cup-s", "amount": -400, "type": "reward"},
                            {"account": f"user:{alice}", "amount": 400, "type": "reward"}])
        assert prizes.wallets == [WalletView(alice, "INR", 100, 0, 400, 0, funds=Funds(winnings=100), withdrawable=100)]
        assert not self.wallet(alice).restricted
        assert self.debit(alice, 100).wallets[0].balance == 0
        assert [t.type for t in self.listed(user_id=alice, type="chargeback")] == ["chargeback"] * 3
        self.assert_audit_ok()

    def test_a_hold_up_to_available_takes_what_there_is(self) -> None:
        alice = new_user()
        self.credit(alice, 300)
        held = self.hold_up_to(alice, 1_000)
        assert (held.hold.amount, held.transaction and held.transaction.amount) == (300, -300)
        assert held.wallet == WalletView(alice, "INR", 300, 300, 0, funds=Funds(deposit=300),
                                          held_funds=Funds(deposit=300))
        with pytest.raises(InsufficientFunds):
            self.hold_up_to(alice, 1)
        with pytest.raises(InsufficientFunds):
            self.hold_up_to(new_user(), 1)
        self.void(held.hold.id)
        self.recover(alice, 500)
        self.credit(alice, 250)
        assert self.wallet(alice) == WalletView(alice, "INR", 50, 0, 0, 0, funds=Funds(deposit=50), withdrawable=50)
        assert self.hold_up_to(alice, 80).hold.amount == 50
        self.assert_audit_ok()

    def test_no_caller_names_a_receivable(self) -> None:
        alice = new_user()
        with pytest.raises(InvalidArgument):
            self.run(self.service.postings.credit(
                key=new_key(), user_id=alice, amount=5, currency="INR", type="", counter_account=f"receivable:{alice}",
                source="", description="", metadata={}))
        with pytest.raises(InvalidArgument):
            self.post([{"account": f"receivable:{alice}", "amount": 5, "type": "credit"},
                       {"account": CLEARING, "amount": -5, "type": "credit"}])
        self.assert_audit_ok()
