"""The responsible-gaming part of the ledger contract on a real store, at chosen instants: controls persisted,
the cooling-off measured, and the entry limit (rolling 24 hours) and self-exclusion enforced on real postings
with refusals that move nothing and are remembered under their key; subclass per backend with
``create_store``."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from tests.support.contract import StoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import EntryRequest, LegRequest
from wallet_service.domain.controls import COOLING_OFF
from wallet_service.domain.model import PostingOutcome
from wallet_service.domain.ports import LedgerStore
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.errors import FailedPrecondition

T = TypeVar("T")

START = datetime(2026, 11, 1, 12, tzinfo=UTC)


class LedgerControlsContract(StoreContract[LedgerStore]):
    """Controls and their enforcement through the real use cases, with a clock the test moves."""

    now: datetime

    @pytest.fixture(autouse=True)
    def _service(self, _fresh_store: None) -> None:
        self.now = START
        self.service = WalletUseCases(self.store, clock=lambda: self.now)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coro)

    def fund(self, user: str, amount: int) -> None:
        self.run(self.service.postings.credit(
            key=new_key(), user_id=user, amount=amount, currency="INR", type="topup", counter_account="clearing:t",
            source="test", description="credit", metadata={}))

    def fee(self, user: str, amount: int, key: str | None = None, type: str = "entryFee") -> PostingOutcome:
        return self.run(self.service.postings.post(
            key=key or new_key(), legs=[LegRequest(account=f"user:{user}", amount=-amount, type=type),
                                        LegRequest(account="pool:cup", amount=amount, type=type)],
            source="test", description="entry", metadata={}))

    def limit(self, user: str, amount: int | None) -> None:
        self.run(self.service.controls.set_limits(user_id=user, currency="INR",
                                                  changes=[("entry_daily", amount, amount is None)]))

    def balance(self, user: str) -> int:
        state = self.store.get_account(user_account(user), "INR")
        return 0 if state is None else state.balance

    def refused(self, code: str, user: str, amount: int, key: str | None = None) -> str:
        with pytest.raises(FailedPrecondition) as info:
            self.fee(user, amount, key)
        assert info.value.code == code
        return info.value.message

    def test_controls_persist_and_the_cooling_off_is_measured(self) -> None:
        user = new_user()
        self.limit(user, 500)
        self.limit(user, 800)
        requested = self.now
        self.now = requested + COOLING_OFF - timedelta(microseconds=1)
        held = self.run(self.service.controls.get(user_id=user, currency="INR"))
        assert held.limits == {"entry_daily": 500} and [p.amount for p in held.pending] == [800]
        self.now = requested + COOLING_OFF
        due = self.run(self.service.controls.get(user_id=user, currency="INR"))
        assert due.limits == {"entry_daily": 800} and due.pending == []
        self.run(self.service.controls.self_exclude(user_id=user, days=7, permanent=False))
        assert self.run(self.service.controls.get(user_id=user, currency="USD")).self_excluded
        self.now += timedelta(days=7)
        assert not self.run(self.service.controls.get(user_id=user, currency="INR")).self_excluded

    def test_entry_limit_counts_the_rolling_day_and_refusals_move_nothing(self) -> None:
        user = new_user()
        self.fund(user, 10_000)
        self.fee(user, 400)
        self.limit(user, 500)
        self.fee(user, 100)
        key = new_key()
        message = self.refused("LIMIT_EXCEEDED", user, 1, key)
        assert "0 left" in message
        self.fee(user, 1_000, type="debit")
        assert self.balance(user) == 10_000 - 500 - 1_000
        self.now = START + timedelta(hours=24)
        self.refused("LIMIT_EXCEEDED", user, 1, key)
        self.fee(user, 400)
        self.refused("LIMIT_EXCEEDED", user, 101)
        assert self.balance(user) == 10_000 - 900 - 1_000
        assert audit(self.store.audit_facts()).ok

    def test_self_exclusion_refuses_pool_payments_only(self) -> None:
        user, other = new_user(), new_user()
        self.fund(user, 10_000)
        self.run(self.service.controls.self_exclude(user_id=user, days=30, permanent=False))
        key = new_key()
        self.refused("SELF_EXCLUDED", user, 100, key)
        with pytest.raises(FailedPrecondition):
            self.fee(user, 100, type="debit")
        self.now += timedelta(days=31)
        self.refused("SELF_EXCLUDED", user, 100, key)
        self.now = START
        self.fund(user, 100)
        self.run(self.service.postings.transfer(key=new_key(), from_user_id=user, to_user_id=other, amount=50,
                                                currency="INR", description="gift", metadata={}))
        hold = self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=1_000, currency="INR", type="payout", source="test",
            description="payout", metadata={}))
        self.run(self.service.holds.capture(key=new_key(), hold_id=hold.hold.id, counter_account="clearing:t"))
        assert self.balance(user) == 10_000 + 100 - 50 - 1_000
        assert audit(self.store.audit_facts()).ok

    def test_a_batch_counts_its_earlier_entries(self) -> None:
        user = new_user()
        self.fund(user, 10_000)
        self.limit(user, 250)
        answers = self.run(self.service.batches.post_batch([
            EntryRequest(key=new_key(), legs=[LegRequest(account=f"user:{user}", amount=-100, type="entryFee"),
                                              LegRequest(account="pool:cup", amount=100, type="entryFee")],
                         source="test", description="entry", metadata={})
            for _ in range(3)]))
        assert [getattr(a, "code", "posted") for a in answers] == ["posted", "posted", "LIMIT_EXCEEDED"]
        assert self.balance(user) == 9_800
