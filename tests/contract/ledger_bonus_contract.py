"""The bonus part of the ledger contract on a real store, at chosen instants: grants into the bonus fund from
``promotions``, their replay and conflicts, bad input that changes nothing, spending across grants soonest
expiry first, expiry returning exactly what is left, and refunds restoring bonus; the audit (the bonus fund
equals what is left of the active grants) after each. Subclass per backend with ``create_store``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from tests.support.contract import StoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain.accounts import parse_account
from wallet_service.domain.audit import audit
from wallet_service.domain.bonus import BonusGrant, ExpiryOutcome, GrantOutcome
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import PostingOutcome, TransactionFilter, TransactionRecord
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidArgument
from winzone_kernel.money import MAX_MINOR

T = TypeVar("T")

START = datetime(2026, 11, 1, 12, tzinfo=UTC)


def at(delta: timedelta) -> str:
    return (START + delta).isoformat()


class LedgerBonusContract(StoreContract[LedgerStore]):
    """Bonus grants through the real use cases and store, with a clock the test moves."""

    now: datetime

    @pytest.fixture(autouse=True)
    def _service(self, _fresh_store: None) -> None:
        self.now = START
        self.service = WalletUseCases(self.store, clock=lambda: self.now)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def grant(self, user: str, amount: int, *, expires_at: str = "", key: str | None = None,
              reason: str = "Welcome bonus", **fields: Any) -> GrantOutcome:
        request: dict[str, Any] = {"key": new_key() if key is None else key, "user_id": user, "amount": amount,
                                   "currency": "INR", "reason": reason, "expires_at": expires_at,
                                   "granted_by": "usr_admin", **fields}
        return self.run(self.service.bonuses.grant(**request))

    def expire(self, limit: int = 0) -> ExpiryOutcome:
        return self.run(self.service.bonuses.expire(limit))

    def topup(self, user: str, amount: int) -> None:
        self.run(self.service.postings.credit(
            key=new_key(), user_id=user, amount=amount, currency="INR", type="topup", counter_account="clearing:t",
            source="test", description="top-up", metadata={}))

    def fee(self, user: str, amount: int, pool: str = "pool:cup") -> PostingOutcome:
        return self.run(self.service.postings.post(
            key=new_key(), legs=[LegRequest(account=f"user:{user}", amount=-amount, type="entryFee"),
                                 LegRequest(account=pool, amount=amount, type="entryFee")],
            source="test", description="entry", metadata={}))

    def refund(self, user: str, amount: int, pool: str = "pool:cup") -> PostingOutcome:
        return self.run(self.service.postings.post(
            key=new_key(), legs=[LegRequest(account=pool, amount=-amount, type="refund"),
                                 LegRequest(account=f"user:{user}", amount=amount, type="refund")],
            source="test", description="cancelled", metadata={}))

    def funds(self, user: str) -> Funds:
        return self.service.queries.wallet(user, "INR").funds

    def balance(self, account: str) -> int:
        state = self.store.get_account(parse_account(account), "INR")
        return 0 if state is None else state.balance

    def grants(self, user: str) -> dict[str, BonusGrant]:
        return {g.id: g for g in self.store.bonus_grants_of(user, "INR")}

    def legs(self, user: str, type: str) -> list[TransactionRecord]:
        return self.store.list_transactions(TransactionFilter(user_id=user, type=type, limit=100)).items

    def state(self) -> tuple[Any, ...]:
        facts = self.store.audit_facts()
        return (sorted(facts.accounts), facts.posted_sums, facts.bonus_grant_sums, facts.transactions_checked,
                sorted(facts.account_funds.items()))

    def assert_audit_ok(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        assert all(total == 0 for total in report.totals.values()), report.totals

    def test_a_grant_credits_the_bonus_fund_from_promotions(self) -> None:
        user = new_user()
        outcome = self.grant(user, 50_000, expires_at="2026-12-01T05:30:00+05:30", reason="Diwali promotion")
        created, posting = outcome.grant, outcome.posting
        assert (created.user_id, created.currency, created.amount, created.remaining, created.reason,
                created.expires_at, created.status, created.granted_by, created.created_at) == (
            user, "INR", 50_000, 50_000, "Diwali promotion", "2026-12-01T00:00:00.000000Z", "active", "usr_admin",
            format_utc(START))
        assert not outcome.replayed
        user_leg, promotions_leg = posting.transactions
        assert (user_leg.account, user_leg.type, user_leg.amount, user_leg.funds, user_leg.balance_after) == (
            f"user:{user}", "bonus", 50_000, {"bonus": 50_000}, 50_000)
        assert (promotions_leg.account, promotions_leg.type, promotions_leg.amount, promotions_leg.funds) == (
            "promotions", "bonus", -50_000, {})
        assert created.transaction_id == user_leg.id
        assert user_leg.metadata["grantId"] == created.id
        assert "grantedBy" not in user_leg.metadata and "grantedBy" not in promotions_leg.metadata
        wallet = posting.wallets[0]
        assert (wallet.balance, wallet.funds, wallet.withdrawable) == (50_000, Funds(0, 0, 50_000), 0)
        assert self.funds(user) == Funds(0, 0, 50_000)
        assert self.balance("promotions") == -50_000
        assert self.grants(user) == {created.id: created}
        assert [g.id for g in self.service.bonuses.grants(user, "INR")] == [created.id]
        self.assert_audit_ok()

    def test_a_replay_returns_the_first_grant_and_another_request_conflicts(self) -> None:
        user = new_user()
        key = new_key()
        first = self.grant(user, 2_500, key=key, expires_at=at(timedelta(days=3)))
        self.now += timedelta(hours=1)
        again = self.grant(user, 2_500, key=key, expires_at=at(timedelta(days=3)))
        assert again.replayed
        assert again.grant == first.grant
        assert [t.id for t in again.posting.transactions] == [t.id for t in first.posting.transactions]
        before = self.state()
        with pytest.raises(IdempotencyConflict):
            self.grant(user, 2_600, key=key, expires_at=at(timedelta(days=3)))
        with pytest.raises(IdempotencyConflict):
            self.grant(user, 2_500, key=key, expires_at=at(timedelta(days=4)))
        assert self.state() == before
        assert self.funds(user) == Funds(0, 0, 2_500) and len(self.grants(user)) == 1
        self.assert_audit_ok()

    def test_bad_input_is_refused_and_changes_nothing(self) -> None:
        user = new_user()
        self.grant(user, 100)
        before = self.state()
        bad: list[tuple[dict[str, Any], str]] = [
            ({"amount": 0}, "INVALID_AMOUNT"), ({"amount": -500}, "INVALID_AMOUNT"),
            ({"amount": MAX_MINOR + 1}, "INVALID_AMOUNT"), ({"amount": "500"}, "INVALID_AMOUNT"),
            ({"amount": 5.5}, "INVALID_AMOUNT"), ({"currency": "EUR"}, "INVALID_CURRENCY"),
            ({"reason": ""}, "INVALID_REASON"), ({"reason": "r" * 501}, "INVALID_REASON"),
            ({"expires_at": at(-timedelta(seconds=1))}, "INVALID_EXPIRY"),
            ({"expires_at": at(timedelta(0))}, "INVALID_EXPIRY"),
            ({"expires_at": at(timedelta(days=5 * 365 + 1))}, "INVALID_EXPIRY"),
            ({"expires_at": "tomorrow"}, "INVALID_EXPIRY"),
            ({"user_id": "not a user"}, "VALIDATION_ERROR"), ({"user_id": ""}, "VALIDATION_ERROR"),
            ({"key": ""}, "INVALID_IDEMPOTENCY_KEY"),
        ]
        for change, code in bad:
            fields: dict[str, Any] = {"amount": 500, **change}
            amount = fields.pop("amount")
            target = fields.pop("user_id", user)
            with pytest.raises(InvalidArgument) as info:
                self.grant(target, amount, **fields)
            assert info.value.code == code, (change, info.value.code)
        assert self.state() == before
        assert self.funds(user) == Funds(0, 0, 100)
        self.assert_audit_ok()

    def test_expiry_returns_exactly_what_is_left_to_promotions(self) -> None:
        user = new_user()
        created = self.grant(user, 700, expires_at=at(timedelta(days=1))).grant
        self.now = START + timedelta(days=1) - timedelta(microseconds=1)
        assert self.expire() == ExpiryOutcome(expired=[], closed=0, more=False)
        self.now = START + timedelta(days=1)
        outcome = self.expire()
        assert [(g.id, g.remaining, g.status) for g in outcome.expired] == [(created.id, 0, "expired")]
        assert (outcome.closed, outcome.more) == (1, False)
        (leg,) = self.legs(user, "bonusExpired")
        assert (leg.amount, leg.funds, leg.idempotency_key, leg.balance_after, leg.metadata["grantId"]) == (
            -700, {"bonus": -700}, f"bonus_expire_{created.id}", 0, created.id)
        assert self.funds(user) == Funds(0, 0, 0)
        assert self.balance("promotions") == 0
        assert self.grants(user)[created.id].status == "expired"
        assert self.service.bonuses.grants(user, "INR") == []
        self.assert_audit_ok()
        assert self.expire().expired == []
        assert len(self.legs(user, "bonusExpired")) == 1
        self.assert_audit_ok()

    def test_a_partly_spent_grant_expires_only_what_is_left(self) -> None:
        user = new_user()
        self.topup(user, 10_000)
        created = self.grant(user, 500, expires_at=at(timedelta(days=2))).grant
        fee = self.fee(user, 1_000)
        assert fee.transactions[0].funds == {"bonus": -100, "deposit": -900}
        assert self.grants(user)[created.id].remaining == 400
        self.assert_audit_ok()
        self.now = START + timedelta(days=3)
        outcome = self.expire()
        assert [(g.id, g.remaining, g.status) for g in outcome.expired] == [(created.id, 0, "expired")]
        (leg,) = self.legs(user, "bonusExpired")
        assert (leg.amount, leg.funds) == (-400, {"bonus": -400})
        assert self.funds(user) == Funds(9_100, 0, 0)
        assert self.balance("promotions") == -100
        assert self.balance("pool:cup") == 1_000
        self.assert_audit_ok()

    def test_bonus_is_spent_soonest_expiry_first_across_grants(self) -> None:
        user = new_user()
        self.topup(user, 10_000)
        later = self.grant(user, 50, expires_at=at(timedelta(days=10))).grant
        sooner = self.grant(user, 300, expires_at=at(timedelta(days=5))).grant
        never = self.grant(user, 100).grant
        self.fee(user, 2_000)
        grants = self.grants(user)
        assert [(grants[g.id].remaining, grants[g.id].status) for g in (sooner, later, never)] == [
            (100, "active"), (50, "active"), (100, "active")]
        assert [g.id for g in self.service.bonuses.grants(user, "INR")] == [sooner.id, later.id, never.id]
        self.assert_audit_ok()
        second = self.fee(user, 2_000)
        assert second.transactions[0].funds == {"bonus": -200, "deposit": -1_800}
        grants = self.grants(user)
        assert [(grants[g.id].remaining, grants[g.id].status) for g in (sooner, later, never)] == [
            (0, "spent"), (0, "spent"), (50, "active")]
        assert [g.id for g in self.service.bonuses.grants(user, "INR")] == [never.id]
        assert self.funds(user) == Funds(10_000 - 3_600, 0, 50)
        self.assert_audit_ok()
        self.now = START + timedelta(days=30)
        assert self.expire().expired == []
        assert self.funds(user).bonus == 50
        self.assert_audit_ok()

    def test_a_grant_past_its_expiry_is_never_spent(self) -> None:
        user = new_user()
        created = self.grant(user, 300, expires_at=at(timedelta(days=1))).grant
        self.topup(user, 1_000)
        self.now = START + timedelta(days=1)
        fee = self.fee(user, 1_000)
        assert fee.transactions[0].funds == {"deposit": -1_000}
        before = self.state()
        with pytest.raises(InsufficientFunds):
            self.fee(user, 100)
        assert self.state() == before
        assert self.grants(user)[created.id].remaining == 300
        self.assert_audit_ok()
        assert [g.id for g in self.expire().expired] == [created.id]
        assert self.funds(user) == Funds(0, 0, 0)
        self.assert_audit_ok()

    def test_a_grant_spent_to_nothing_is_spent_and_expiry_books_nothing(self) -> None:
        user = new_user()
        self.topup(user, 900)
        created = self.grant(user, 100, expires_at=at(timedelta(days=1))).grant
        self.fee(user, 1_000)
        assert (self.grants(user)[created.id].remaining, self.grants(user)[created.id].status) == (0, "spent")
        self.now = START + timedelta(days=2)
        assert self.expire().expired == []
        assert self.legs(user, "bonusExpired") == []
        assert self.funds(user) == Funds(0, 0, 0)
        self.assert_audit_ok()

    def test_a_refunded_entry_returns_its_bonus_to_the_latest_expiring_grant(self) -> None:
        user = new_user()
        self.topup(user, 900)
        first = self.grant(user, 100, expires_at=at(timedelta(days=5))).grant
        self.fee(user, 1_000)
        last = self.grant(user, 100, expires_at=at(timedelta(days=10))).grant
        assert self.grants(user)[first.id].status == "spent"
        refund = self.refund(user, 1_000)
        assert refund.transactions[1].funds == {"deposit": 900, "bonus": 100}
        grants = self.grants(user)
        assert [(grants[g.id].remaining, grants[g.id].status) for g in (first, last)] == [
            (0, "spent"), (200, "active")]
        assert self.funds(user) == Funds(900, 0, 200)
        self.assert_audit_ok()
        self.now = START + timedelta(days=10)
        assert [(g.id, g.status) for g in self.expire().expired] == [(last.id, "expired")]
        assert self.balance("promotions") == 0
        self.assert_audit_ok()

    def test_a_refund_after_every_grant_expired_opens_a_grant_the_next_sweep_expires(self) -> None:
        user = new_user()
        self.topup(user, 900)
        created = self.grant(user, 300, expires_at=at(timedelta(days=1))).grant
        self.fee(user, 1_000)
        self.now = START + timedelta(days=1)
        self.expire()
        refund = self.refund(user, 1_000)
        assert refund.transactions[1].funds == {"deposit": 900, "bonus": 100}
        opened = [g for g in self.grants(user).values() if g.id != created.id]
        assert [(g.amount, g.remaining, g.status, g.expires_at) for g in opened] == [
            (100, 100, "active", created.expires_at)]
        self.assert_audit_ok()
        assert [g.id for g in self.expire().expired] == [opened[0].id]
        assert self.funds(user) == Funds(900, 0, 0)
        self.assert_audit_ok()

    def test_a_bonus_never_settles_what_a_restricted_user_owes(self) -> None:
        user = new_user()
        recovered = self.run(self.service.postings.recover(
            key=new_key(), user_id=user, amount=500, currency="INR", counter_account="clearing:stripe", type="",
            source="test", description="chargeback", metadata={}))
        assert recovered.shortfall == 500
        outcome = self.grant(user, 200)
        assert [t.type for t in outcome.posting.transactions] == ["bonus", "bonus"]
        wallet = self.service.queries.wallet(user, "INR")
        assert (wallet.funds, wallet.receivable, wallet.restricted) == (Funds(0, 0, 200), 500, True)
        assert self.balance(f"receivable:{user}") == -500
        self.assert_audit_ok()

    def test_expiry_honours_its_limit_and_says_when_more_are_due(self) -> None:
        users = [new_user() for _ in range(3)]
        for index, user in enumerate(users):
            self.grant(user, 100 * (index + 1), expires_at=at(timedelta(hours=index + 1)))
        self.now = START + timedelta(days=1)
        first = self.expire(limit=2)
        assert ([g.user_id for g in first.expired], first.closed, first.more) == (users[:2], 2, True)
        rest = self.expire(limit=2)
        assert ([g.user_id for g in rest.expired], rest.closed, rest.more) == (users[2:], 1, False)
        assert self.balance("promotions") == 0
        for bad in (-1, 5_001):
            with pytest.raises(InvalidArgument):
                self.expire(limit=bad)
        self.assert_audit_ok()

    def test_a_sweep_larger_than_a_chunk_expires_every_grant(self) -> None:
        user = new_user()
        for _ in range(130):
            self.grant(user, 10, expires_at=at(timedelta(hours=1)))
        self.now = START + timedelta(hours=2)
        outcome = self.expire()
        assert (len(outcome.expired), outcome.closed, outcome.more) == (130, 130, False)
        assert self.funds(user) == Funds(0, 0, 0)
        assert self.store.list_transactions(TransactionFilter(user_id=user, type="bonusExpired")).total == 130
        assert self.balance("promotions") == 0
        self.assert_audit_ok()

    def test_concurrent_entry_fees_never_spend_the_same_bonus_twice(self) -> None:
        user = new_user()
        self.topup(user, 20_000)
        first = self.grant(user, 150, expires_at=at(timedelta(days=1))).grant
        second = self.grant(user, 150, expires_at=at(timedelta(days=2))).grant

        async def fees() -> list[PostingOutcome]:
            return await asyncio.gather(*[self.service.postings.post(
                key=new_key(), legs=[LegRequest(account=f"user:{user}", amount=-1_000, type="entryFee"),
                                     LegRequest(account="pool:cup", amount=1_000, type="entryFee")],
                source="test", description="entry", metadata={}) for _ in range(8)])

        postings = self.run(fees())
        spent = sorted(-p.transactions[0].funds.get("bonus", 0) for p in postings)
        assert spent == [0, 0, 0, 0, 0, 100, 100, 100]
        grants = self.grants(user)
        assert [(grants[g.id].remaining, grants[g.id].status) for g in (first, second)] == [
            (0, "spent"), (0, "spent")]
        assert self.funds(user) == Funds(20_000 - 7_700, 0, 0)
        self.assert_audit_ok()

    def test_reads_of_grants_refuse_bad_ids(self) -> None:
        with pytest.raises(InvalidArgument):
            self.service.bonuses.grants("bad id", "INR")
        with pytest.raises(InvalidArgument):
            self.service.bonuses.grants(new_user(), "EUR")
        assert self.service.bonuses.grants(new_user(), "") == []
