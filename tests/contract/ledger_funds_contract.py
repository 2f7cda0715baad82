"""The funds contract every ``LedgerStore`` must pass: which fund each leg moves (deposit, winnings, bonus),
the bonus cap of an entry fee, refunds returning to the funds paid from, withdrawals from the withdrawable
funds only, holds reserving per fund, capture with TDS, and the per-fund audit. Every test that moves money ends
with ``assert_audit_ok``; subclass per backend with ``corrupt_fund`` (tamper with a stored fund balance).
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.contract.ledger_contract import CLEARING, LedgerStoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import HoldOutcome, PostingOutcome, WalletView
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import FailedPrecondition, InsufficientFunds, InvalidArgument

INDIA = LedgerPolicy(withdrawable_funds=("winnings",))
TAXED = LedgerPolicy(tds_rate=Decimal(30))


class LedgerFundsContract(LedgerStoreContract):
    """``LedgerStoreContract``'s frame with the funds rules; subclass this per backend."""

    @abstractmethod
    def corrupt_fund(self, user: str, fund: str, delta: int) -> None:
        """Add ``delta`` to the stored balance of ``fund`` of the user's INR wallet, behind the ledger's back."""

    def with_policy(self, policy: LedgerPolicy) -> WalletUseCases:
        return WalletUseCases(self.store, policy=policy)

    def grant(self, user: str, amount: int) -> None:
        self.run(self.service.bonuses.grant(key=new_key(), user_id=user, amount=amount, currency="INR",
                                            reason="welcome", expires_at="", granted_by=""))

    def entry(self, user: str, fee: int, pool: str, *, key: str | None = None) -> PostingOutcome:
        return self.post([{"account": f"user:{user}", "amount": -fee, "type": "entryFee"},
                          {"account": f"pool:{pool}", "amount": fee, "type": "entryFee"}], key=key)

    def refund(self, user: str, amount: int, pool: str) -> PostingOutcome:
        return self.post([{"account": f"pool:{pool}", "amount": -amount, "type": "refund"},
                          {"account": f"user:{user}", "amount": amount, "type": "refund"}])

    def payout_hold(self, service: WalletUseCases, user: str, amount: int, hold_id: str = "") -> HoldOutcome:
        return self.run(service.holds.create(
            key=new_key(), hold_id=hold_id, user_id=user, amount=amount, currency="INR", type="payout",
            source="test", description="payout hold", metadata={"payoutId": hold_id} if hold_id else {},
        ))

    def funds_of(self, user: str) -> tuple[Funds, Funds]:
        view = self.wallet(user)
        return view.funds, view.held_funds

    def player(self, *, deposit: int = 0, winnings: int = 0, bonus: int = 0) -> str:
        user = new_user()
        if deposit:
            self.credit(user, deposit, type="topup")
        if winnings:
            self.credit(user, winnings, type="reward")
        if bonus:
            self.grant(user, bonus)
        assert self.wallet(user).funds == Funds(deposit, winnings, bonus)
        return user

    def legs(self, outcome: PostingOutcome) -> list[tuple[str, str, int, dict[str, int], str]]:
        return [(t.account, t.type, t.amount, t.funds, t.fund) for t in outcome.transactions]

    def test_credits_go_to_the_fund_of_their_type(self) -> None:
        user = new_user()
        topup = self.credit(user, 1_000, type="topup")
        assert self.legs(topup) == [(f"user:{user}", "topup", 1_000, {"deposit": 1_000}, "deposit"),
                                    (CLEARING, "topup", -1_000, {}, "")]
        reward = self.credit(user, 500, type="reward")
        assert reward.transactions[0].funds == {"winnings": 500}
        fee = self.credit(user, 70, type="organizerFee")
        assert fee.transactions[0].funds == {"winnings": 70}
        other = new_user()
        self.credit(other, 90)
        moved = self.transfer(other, user, 40)
        assert self.legs(moved) == [(f"user:{other}", "debit", -40, {"deposit": -40}, "deposit"),
                                    (f"user:{user}", "credit", 40, {"deposit": 40}, "deposit")]
        assert moved.wallets[1] == WalletView(user, "INR", 1_610, 0, 500, funds=Funds(deposit=1_040, winnings=570),
                                              withdrawable=1_610)
        assert self.store.get_transaction(topup.transactions[0].id) == topup.transactions[0]
        self.assert_audit_ok()

    def test_an_entry_fee_spends_capped_bonus_then_deposit_then_winnings(self) -> None:
        user = self.player(deposit=300, winnings=5_000, bonus=500)
        paid = self.entry(user, 1_000, "cup-f1")
        assert paid.transactions[0].funds == {"bonus": -100, "deposit": -300, "winnings": -600}
        assert paid.transactions[0].fund == ""
        assert paid.transactions[1].funds == {}
        assert paid.wallets == [WalletView(user, "INR", 4_800, 0, 5_000, funds=Funds(0, 4_400, 400),
                                           withdrawable=4_400)]
        assert [g.remaining for g in self.service.bonuses.grants(user, "INR")] == [400]
        second = self.entry(user, 55, "cup-f1")
        assert second.transactions[0].funds == {"bonus": -5, "winnings": -50}
        assert self.funds_of(user) == (Funds(0, 4_350, 395), Funds())
        self.assert_audit_ok()

    def test_bonus_alone_never_pays_an_entry_fee(self) -> None:
        user = self.player(bonus=500)
        before = self.ledger_state()
        with pytest.raises(InsufficientFunds) as refused:
            self.entry(user, 100, "cup-f2")
        assert refused.value.code == "INSUFFICIENT_FUNDS"
        assert self.ledger_state() == before
        assert self.funds_of(user) == (Funds(bonus=500), Funds())
        self.credit(user, 90)
        assert self.entry(user, 100, "cup-f2").transactions[0].funds == {"bonus": -10, "deposit": -90}
        assert self.funds_of(user) == (Funds(bonus=490), Funds())
        self.assert_audit_ok()

    def test_an_expired_grant_is_never_spent_even_before_its_sweep(self) -> None:
        start = datetime(2026, 6, 1, 10, tzinfo=UTC)
        now = [start]
        service = WalletUseCases(self.store, clock=lambda: now[0])
        user = new_user()
        self.credit(user, 90)
        self.run(service.bonuses.grant(key=new_key(), user_id=user, amount=500, currency="INR", reason="weekend",
                                       expires_at="2026-06-01T11:00:00Z", granted_by=""))
        now[0] = start + timedelta(hours=2)
        before = self.ledger_state()
        with pytest.raises(InsufficientFunds):
            self.run(service.postings.post(key=new_key(), legs=[
                LegRequest(account=f"user:{user}", amount=-100, type="entryFee"),
                LegRequest(account="pool:cup-f9", amount=100, type="entryFee")], source="test", description="",
                metadata={}))
        assert self.ledger_state() == before
        paid = self.run(service.postings.post(key=new_key(), legs=[
            LegRequest(account=f"user:{user}", amount=-90, type="entryFee"),
            LegRequest(account="pool:cup-f9", amount=90, type="entryFee")], source="test", description="",
            metadata={}))
        assert paid.transactions[0].funds == {"deposit": -90}
        assert self.funds_of(user) == (Funds(bonus=500), Funds())
        self.assert_audit_ok()

    def test_bonus_is_never_debited_recovered_or_withdrawn(self) -> None:
        user = self.player(deposit=100, bonus=500)
        with pytest.raises(InsufficientFunds):
            self.debit(user, 101)
        with pytest.raises(InsufficientFunds):
            self.payout_hold(self.service, user, 101)
        assert self.wallet(user).withdrawable == 100
        recovered = self.run(self.service.postings.recover(
            key=new_key(), user_id=user, amount=300, currency="INR", counter_account="clearing:stripe", type="",
            source="test", description="chargeback", metadata={}))
        assert (recovered.recovered, recovered.shortfall) == (100, 200)
        assert recovered.posting.transactions[0].funds == {"deposit": -100}
        assert recovered.wallet == WalletView(user, "INR", 500, 0, 0, 200, funds=Funds(bonus=500))
        self.assert_audit_ok()

    def test_a_pool_refund_returns_each_part_to_its_fund(self) -> None:
        user = self.player(deposit=300, winnings=5_000, bonus=500)
        self.entry(user, 1_000, "cup-f3")
        refunded = self.refund(user, 1_000, "cup-f3")
        assert refunded.transactions[1].funds == {"deposit": 300, "winnings": 600, "bonus": 100}
        assert self.funds_of(user) == (Funds(300, 5_000, 500), Funds())
        assert [g.remaining for g in self.service.bonuses.grants(user, "INR")] == [500]
        self.assert_audit_ok()

    def test_a_refund_to_a_user_who_owes_settles_from_its_deposit_and_returns_bonus_to_bonus(self) -> None:
        user = self.player(deposit=900, bonus=100)
        paid = self.entry(user, 1_000, "cup-f9")
        assert paid.transactions[0].funds == {"bonus": -100, "deposit": -900}
        self.credit(user, 500, type="topup")
        recovered = self.run(self.service.postings.recover(
            key=new_key(), user_id=user, amount=2_000, currency="INR", counter_account="clearing:stripe", type="",
            source="test", description="chargeback", metadata={}))
        assert (recovered.recovered, recovered.shortfall) == (500, 1_500)
        refunded = self.refund(user, 1_000, "cup-f9")
        assert self.legs(refunded) == [
            ("pool:cup-f9", "refund", -1_000, {}, ""),
            (f"user:{user}", "refund", 1_000, {"deposit": 900, "bonus": 100}, ""),
            (f"user:{user}", "chargeback", -900, {"deposit": -900}, "deposit"),
            (f"receivable:{user}", "chargeback", 900, {}, ""),
        ]
        assert refunded.wallets == [WalletView(user, "INR", 100, 0, 0, 600, funds=Funds(bonus=100))]
        assert self.funds_of(user) == (Funds(bonus=100), Funds())
        assert [g.remaining for g in self.service.bonuses.grants(user, "INR")] == [100]
        self.assert_audit_ok()

    def test_a_refund_of_bonus_alone_settles_nothing(self) -> None:
        user = self.player(deposit=900, bonus=100)
        self.entry(user, 1_000, "cup-f10")
        self.refund(user, 900, "cup-f10")
        self.run(self.service.postings.recover(
            key=new_key(), user_id=user, amount=1_500, currency="INR", counter_account="clearing:stripe", type="",
            source="test", description="chargeback", metadata={}))
        refunded = self.refund(user, 100, "cup-f10")
        assert self.legs(refunded) == [("pool:cup-f10", "refund", -100, {}, ""),
                                       (f"user:{user}", "refund", 100, {"bonus": 100}, "bonus")]
        assert refunded.wallets == [WalletView(user, "INR", 100, 0, 0, 600, funds=Funds(bonus=100))]
        self.assert_audit_ok()

    def test_a_partial_refund_returns_winnings_then_deposit_then_bonus(self) -> None:
        user = self.player(deposit=300, winnings=5_000, bonus=500)
        self.entry(user, 1_000, "cup-f4")
        first = self.refund(user, 700, "cup-f4")
        assert first.transactions[1].funds == {"deposit": 100, "winnings": 600}
        second = self.refund(user, 250, "cup-f4")
        assert second.transactions[1].funds == {"deposit": 200, "bonus": 50}
        third = self.refund(user, 50, "cup-f4")
        assert third.transactions[1].funds == {"bonus": 50}
        assert self.funds_of(user) == (Funds(300, 5_000, 500), Funds())
        self.assert_audit_ok()

    def test_a_refund_beyond_what_was_paid_in_goes_to_deposit(self) -> None:
        user = self.player(winnings=400)
        sponsor = self.player(deposit=1_000)
        self.entry(user, 400, "cup-f5")
        self.entry(sponsor, 1_000, "cup-f5")
        refunded = self.refund(user, 600, "cup-f5")
        assert refunded.transactions[1].funds == {"deposit": 200, "winnings": 400}
        plain = self.credit(user, 30, type="refund")
        assert plain.transactions[0].funds == {"deposit": 30}
        assert self.funds_of(user) == (Funds(deposit=230, winnings=400), Funds())
        self.assert_audit_ok()

    def test_a_sponsorship_takes_deposit_then_winnings(self) -> None:
        user = self.player(deposit=300, winnings=500, bonus=200)
        paid = self.post([{"account": f"user:{user}", "amount": -450, "type": "debit"},
                          {"account": "pool:cup-f6", "amount": 450, "type": "debit"}])
        assert paid.transactions[0].funds == {"deposit": -300, "winnings": -150}
        assert self.funds_of(user) == (Funds(0, 350, 200), Funds())
        with pytest.raises(InsufficientFunds):
            self.post([{"account": f"user:{user}", "amount": -351, "type": "debit"},
                       {"account": "pool:cup-f6", "amount": 351, "type": "debit"}])
        assert self.funds_of(user) == (Funds(0, 350, 200), Funds())
        self.assert_audit_ok()

    def test_withdrawals_take_winnings_then_deposit(self) -> None:
        user = self.player(deposit=300, winnings=500)
        held = self.payout_hold(self.service, user, 600)
        assert held.hold.funds == {"winnings": 500, "deposit": 100}
        assert held.transaction is not None and held.transaction.funds == {"deposit": -100, "winnings": -500}
        assert held.wallet == WalletView(user, "INR", 800, 600, 500, funds=Funds(300, 500),
                                         held_funds=Funds(100, 500), withdrawable=200)
        assert self.store.get_hold(held.hold.id) == held.hold
        self.assert_audit_ok()

    def test_under_india_only_winnings_are_withdrawable(self) -> None:
        india = self.with_policy(INDIA)
        user = self.player(deposit=300, winnings=500)
        assert india.queries.wallet(user, "INR").withdrawable == 500
        before = self.ledger_state()
        with pytest.raises(InsufficientFunds) as refused:
            self.payout_hold(india, user, 501)
        assert refused.value.code == "INSUFFICIENT_FUNDS"
        assert self.ledger_state() == before
        held = self.payout_hold(india, user, 500)
        assert held.hold.funds == {"winnings": 500}
        assert held.wallet is not None and held.wallet.withdrawable == 0
        assert india.queries.wallet(user, "INR").available == 300
        self.assert_audit_ok()

    def test_held_funds_are_reserved_per_fund(self) -> None:
        user = self.player(deposit=300, winnings=500)
        self.payout_hold(self.service, user, 500)
        with pytest.raises(InsufficientFunds):
            self.debit(user, 301)
        with pytest.raises(InsufficientFunds):
            self.entry(user, 301, "cup-f7")
        assert self.debit(user, 300).transactions[0].funds == {"deposit": -300}
        assert self.funds_of(user) == (Funds(0, 500), Funds(0, 500))
        with pytest.raises(InsufficientFunds):
            self.debit(user, 1)
        self.assert_audit_ok()

    def test_a_dispute_hold_up_to_available_counts_deposit_and_winnings_only(self) -> None:
        user = self.player(deposit=200, winnings=100, bonus=400)
        held = self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=1_000, currency="INR", type="debit", source="test",
            description="dispute", metadata={}, up_to_available=True))
        assert (held.hold.amount, held.hold.funds) == (300, {"deposit": 200, "winnings": 100})
        self.assert_audit_ok()

    def test_capture_takes_the_held_funds_out(self) -> None:
        user = self.player(deposit=300, winnings=500)
        held = self.payout_hold(self.service, user, 600)
        captured = self.capture(held.hold.id)
        assert captured.transaction is not None
        assert (captured.transaction.amount, captured.transaction.funds) == (-600, {"deposit": -100, "winnings": -500})
        entry = [t for t in self.listed() if t.entry_id == captured.transaction.entry_id]
        assert entry == [captured.transaction]
        assert self.balance(CLEARING) == -800 + 600
        assert self.funds_of(user) == (Funds(deposit=200), Funds())
        assert captured.hold.net_amount == 600 and captured.hold.tds == 0
        self.assert_audit_ok()

    def test_capture_of_a_taxed_payout_sends_net_amount_and_tds(self) -> None:
        taxed = self.with_policy(TAXED)
        user = self.player(deposit=100_000, winnings=200_000)
        held = self.payout_hold(taxed, user, 250_000, hold_id=f"payout-{user}")
        assert (held.hold.tds, held.hold.net_amount, held.hold.net_winnings) == (45_000, 205_000, 150_000)
        assert held.hold.financial_year != ""
        captured = self.run(taxed.holds.capture(key=new_key(), hold_id=held.hold.id, counter_account=CLEARING))
        assert captured.transaction is not None
        assert [t for t in self.listed() if t.entry_id == captured.transaction.entry_id] == [captured.transaction]
        assert self.balance("tds_payable") == 45_000
        assert self.balance(CLEARING) == -300_000 + 205_000
        assert self.funds_of(user) == (Funds(deposit=50_000), Funds())
        assert captured.transaction.funds == {"deposit": -50_000, "winnings": -200_000}
        self.assert_audit_ok()

    def test_a_payout_hold_whose_whole_amount_would_be_withheld_is_refused(self) -> None:
        service = self.with_policy(LedgerPolicy(tds_rate=Decimal(50)))
        user = self.player(winnings=100)
        before = self.ledger_state()
        request: dict[str, Any] = {"key": new_key(), "hold_id": "", "user_id": user, "amount": 100,
                                   "currency": "INR", "type": "payout", "source": "test",
                                   "description": "payout hold", "metadata": {}}
        with pytest.raises(FailedPrecondition) as refused:
            self.run(service.holds.create(**request))
        assert refused.value.code == "NOTHING_TO_PAY"
        assert refused.value.message == "nothing to pay: the whole amount of 100 INR would be withheld as TDS"
        assert self.ledger_state() == before
        self.credit(user, 900, type="topup")
        with pytest.raises(FailedPrecondition) as again:
            self.run(service.holds.create(**request))
        assert (again.value.code, again.value.message) == (refused.value.code, refused.value.message)
        held = self.payout_hold(service, user, 100)
        assert (held.hold.amount, held.hold.tds, held.hold.net_amount) == (100, 0, 100)
        self.capture(held.hold.id)
        assert self.funds_of(user) == (Funds(deposit=900), Funds())
        self.assert_audit_ok()

    def test_void_releases_every_held_fund(self) -> None:
        user = self.player(deposit=300, winnings=500)
        held = self.payout_hold(self.service, user, 700)
        voided = self.void(held.hold.id)
        assert voided.wallet == WalletView(user, "INR", 800, 0, 500, funds=Funds(300, 500), withdrawable=800)
        assert self.funds_of(user) == (Funds(300, 500), Funds())
        self.assert_audit_ok()

    def test_a_reversed_payout_refund_returns_to_the_holds_funds(self) -> None:
        user = self.player(deposit=300, winnings=500)
        held = self.payout_hold(self.service, user, 600, hold_id=f"payout-r-{user}")
        self.capture(held.hold.id)
        first = self.credit(user, 300, type="refund", metadata={"payoutId": held.hold.id})
        assert first.transactions[0].funds == {"winnings": 300}
        rest = self.credit(user, 300, type="refund", metadata={"payoutId": held.hold.id})
        assert rest.transactions[0].funds == {"deposit": 100, "winnings": 200}
        partial = self.credit(user, 100, type="refund", metadata={"payoutId": "payout-unknown"})
        assert partial.transactions[0].funds == {"deposit": 100}
        assert self.funds_of(user) == (Funds(deposit=400, winnings=500), Funds())
        self.assert_audit_ok()

    def test_replays_return_the_same_funds(self) -> None:
        user = self.player(deposit=300, winnings=5_000, bonus=500)
        key = new_key()
        first = self.entry(user, 1_000, "cup-f8", key=key)
        again = self.entry(user, 1_000, "cup-f8", key=key)
        assert again.replayed
        assert [t.funds for t in again.transactions] == [t.funds for t in first.transactions]
        assert again.wallets == first.wallets
        hold_key = new_key()
        held = self.run(self.service.holds.create(
            key=hold_key, hold_id="", user_id=user, amount=700, currency="INR", type="payout", source="test",
            description="payout hold", metadata={}))
        replay = self.run(self.service.holds.create(
            key=hold_key, hold_id="", user_id=user, amount=700, currency="INR", type="payout", source="test",
            description="payout hold", metadata={}))
        assert replay.replayed and replay.hold == held.hold and replay.wallet == held.wallet
        assert replay.hold.funds == {"winnings": 700}
        assert self.funds_of(user) == (Funds(0, 4_400, 400), Funds(winnings=700))
        self.assert_audit_ok()

    @pytest.mark.parametrize("tx_type", ["bonus", "bonusExpired", "tds", "gst", "migration"])
    def test_no_post_may_book_a_ledger_only_type(self, tx_type: str) -> None:
        user = self.player(deposit=300)
        before = self.ledger_state()
        for legs in (
            [{"account": f"user:{user}", "amount": 100, "type": tx_type},
             {"account": "promotions", "amount": -100, "type": tx_type}],
            [{"account": f"user:{user}", "amount": -100, "type": tx_type},
             {"account": "tds_payable", "amount": 100, "type": tx_type}],
        ):
            with pytest.raises(InvalidArgument) as refused:
                self.post(legs)
            assert refused.value.code == "INVALID_TYPE"
        assert self.ledger_state() == before
        self.assert_audit_ok()

    def test_the_audit_catches_a_corrupted_fund(self) -> None:
        user = self.player(deposit=300, winnings=500)
        self.payout_hold(self.service, user, 100)
        self.corrupt_fund(user, "deposit", -50)
        self.corrupt_fund(user, "winnings", 50)
        violations = audit(self.store.audit_facts()).violations
        assert f"user:{user} INR: deposit 250 != sum of its legs' deposit 300" in violations
        assert f"user:{user} INR: winnings 550 != sum of its legs' winnings 500" in violations
        self.corrupt_fund(user, "winnings", 25)
        violations = audit(self.store.audit_facts()).violations
        assert f"user:{user} INR: funds sum to 825, balance is 800" in violations
        assert f"user:{user} INR: winnings 575 != sum of its legs' winnings 500" in violations
