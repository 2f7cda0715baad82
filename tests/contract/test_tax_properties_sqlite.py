"""Random sequences of deposits, entry fees, rewards, pool refunds, bonuses (some expiring), clock moves with
expiry sweeps and withdrawals (payout holds at once captured or voided) within one financial year, through the
real use cases on SQLite at TDS_RATE 30, checked against a model that recomputes Rule 133 from the events:

- every fund (balance and held) of every wallet is never negative and the audit stays ok;
- an entry fee spends bonus first, at most 10 % of the fee and never an expired grant, then deposit, then
  winnings; a payout hold reserves winnings, then deposit, never bonus;
- each hold's net winnings are exactly those of the model (withdrawals so far + this one - the year's
  deposits - net winnings already taxed, floored at 0), its TDS exactly 30 % of them rounded half-up to the
  rupee, and what reached ``tds_payable`` is the sum of the captured holds' TDS;
- over the year the net winnings taxed equal max(0, max over captured withdrawals of (withdrawals so far -
  deposits so far)) computed from scratch, and the TDS withheld differs from 30 % of them by at most 50 paise
  per taxed withdrawal (each withdrawal's own rounding to the rupee): |withheld - 0.3 x NW| <= 50 x k.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.ids import new_key
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import LegRequest
from wallet_service.domain.funds import FUNDS, Funds
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.domain.tax import FinancialYear, tds_on
from wallet_service.use_cases import WalletUseCases
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import WinzoneError

T = TypeVar("T")

USERS = ("ana", "bo")
POOL = "pool:cup"
RATE = Decimal(30)
START = datetime(2026, 4, 2, tzinfo=UTC)
amounts = st.integers(min_value=1, max_value=60_000)
users = st.sampled_from(USERS)
operation = st.one_of(
    st.tuples(st.just("deposit"), users, amounts),
    st.tuples(st.just("entry"), users, amounts),
    st.tuples(st.just("reward"), users, amounts),
    st.tuples(st.just("refund"), users, amounts),
    st.tuples(st.just("bonus"), users, amounts, st.one_of(st.none(), st.integers(min_value=1, max_value=48))),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=72)),
    st.tuples(st.just("withdraw"), users, amounts, st.booleans()),
)


@dataclass
class TaxModel:
    """One user's year as the model sees it: deposits, captured withdrawals, net winnings taxed."""

    deposits: int = 0
    withdrawn: int = 0
    taxed: int = 0
    tds: int = 0
    taxed_withdrawals: int = 0
    peaks: list[int] = field(default_factory=list)


class Run:
    def __init__(self, path: Path) -> None:
        self.now = START
        self.store = SqliteLedgerStore(path, synchronous="OFF")
        self.store.migrate()
        self.service = WalletUseCases(self.store, clock=lambda: self.now, policy=LedgerPolicy(tds_rate=RATE))
        self.models = {user: TaxModel() for user in USERS}

    def run(self, coro: Coroutine[Any, Any, T]) -> T | None:
        try:
            return asyncio.run(coro)
        except WinzoneError:
            return None

    def funds(self, user: str) -> tuple[Funds, Funds]:
        state = self.store.get_account(user_account(user), "INR")
        return (Funds(), Funds()) if state is None else (state.funds, state.held_funds)

    def spendable_bonus(self, user: str) -> int:
        now = format_utc(self.now)
        return sum(g.remaining for g in self.store.bonus_grants_of(user, "INR")
                   if g.status == "active" and (g.expires_at == "" or g.expires_at > now))

    def post(self, *legs: tuple[str, int, str]) -> Any:
        return self.run(self.service.postings.post(
            key=new_key(), legs=[LegRequest(account=a, amount=n, type=t, currency="INR") for a, n, t in legs],
            source="prop", description="prop", metadata={}))

    def step(self, op: tuple[Any, ...]) -> None:
        self.now += timedelta(minutes=1)
        kind = op[0]
        if kind == "deposit":
            _, user, amount = op
            done = self.run(self.service.postings.credit(
                key=new_key(), user_id=user, amount=amount, currency="INR", type="topup",
                counter_account="clearing:prop", source="prop", description="topup", metadata={}))
            assert done is not None
            self.models[user].deposits += amount
        elif kind == "entry":
            self.entry(op[1], op[2])
        elif kind == "reward":
            self.post((POOL, -op[2], "reward"), (f"user:{op[1]}", op[2], "reward"))
        elif kind == "refund":
            self.post((POOL, -op[2], "refund"), (f"user:{op[1]}", op[2], "refund"))
        elif kind == "bonus":
            _, user, amount, hours = op
            expiry = "" if hours is None else format_utc(self.now + timedelta(hours=hours))
            assert self.run(self.service.bonuses.grant(key=new_key(), user_id=user, amount=amount, currency="INR",
                                                       reason="promo", expires_at=expiry, granted_by="")) is not None
        elif kind == "wait":
            self.now += timedelta(hours=op[1])
            assert self.run(self.service.bonuses.expire()) is not None
        else:
            self.withdraw(op[1], op[2], capture=op[3])

    def entry(self, user: str, fee: int) -> None:
        balance, held = self.funds(user)
        available = balance - held
        bonus_part = min(self.spendable_bonus(user), fee * 10 // 100, available.bonus)
        outcome = self.post((f"user:{user}", -fee, "entryFee"), (POOL, fee, "entryFee"))
        if outcome is None:
            assert available.deposit + available.winnings + bonus_part < fee
            return
        leg = next(t for t in outcome.transactions if t.account == f"user:{user}")
        deposit_part = min(fee - bonus_part, available.deposit)
        winnings_part = fee - bonus_part - deposit_part
        assert Funds.of(leg.funds) == Funds(-deposit_part, -winnings_part, -bonus_part)

    def withdraw(self, user: str, amount: int, *, capture: bool) -> None:
        balance, held = self.funds(user)
        available = balance - held
        outcome = self.run(self.service.holds.create(
            key=new_key(), hold_id="", user_id=user, amount=amount, currency="INR", type="payout", source="prop",
            description="payout", metadata={}))
        if outcome is None:
            assert available.winnings + available.deposit < amount
            return
        hold = outcome.hold
        winnings_part = min(amount, available.winnings)
        assert Funds.of(hold.funds) == Funds(deposit=amount - winnings_part, winnings=winnings_part)
        model = self.models[user]
        expected = max(0, model.withdrawn + amount - model.deposits - model.taxed)
        assert (hold.net_winnings, hold.tds, hold.financial_year) == (expected, tds_on(expected, RATE, 100),
                                                                      "2026-27")
        self.now += timedelta(seconds=30)
        if capture:
            assert self.run(self.service.holds.capture(key=new_key(), hold_id=hold.id,
                                                       counter_account="clearing:prop")) is not None
            model.withdrawn += amount
            model.taxed += expected
            model.tds += hold.tds
            model.taxed_withdrawals += 1 if expected else 0
            model.peaks.append(model.withdrawn - model.deposits)
        else:
            assert self.run(self.service.holds.void(key=new_key(), hold_id=hold.id)) is not None

    def check(self) -> None:
        report = audit(self.store.audit_facts())
        assert report.ok, report.violations
        for user in USERS:
            balance, held = self.funds(user)
            for name in FUNDS:
                assert balance.get(name) >= 0 and held.get(name) >= 0 and balance.get(name) >= held.get(name)

    def check_year(self) -> None:
        payable = self.store.get_account(parse_account("tds_payable"), "INR")
        assert (0 if payable is None else payable.balance) == sum(m.tds for m in self.models.values())
        for user, model in self.models.items():
            from_scratch = max([0, *model.peaks])
            assert model.taxed == from_scratch
            facts = self.store.tax_facts(user, "INR", FinancialYear(2026))
            assert (facts.deposits, facts.withdrawals, facts.taxed_net_winnings) == (
                model.deposits, model.withdrawn, from_scratch)
            assert abs(Decimal(model.tds) - RATE * from_scratch / 100) <= 50 * model.taxed_withdrawals


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=40))
def test_random_years_keep_funds_spend_order_and_tds_exact(ops: list[tuple[Any, ...]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = Run(Path(tmp) / "wallet.db")
        try:
            for op in ops:
                run.step(op)
                run.check()
            assert run.now < FinancialYear(2026).end
            run.check_year()
        finally:
            run.store.close()
