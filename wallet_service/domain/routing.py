"""Which funds each user leg of one entry moves, decided in leg order against a projection of every wallet's
available funds (what the store holds, plus the entry's earlier legs).

Credits go to the fund of their type; a refund credit returns to the funds it was paid from (the user's payments
into the pool the entry debits, or the captured hold of the payout named by ``payoutId``); debits draw on the
funds of their type in order, an entry fee spending bonus only up to its cap and to the bonus grants still usable.

What a refund may still return is kept as pool contributions: per (user, currency, pool) for payments into a
pool, and under ``payout:<holdId>`` for a captured payout (recorded by its capture), so partial refunds never
return more to a fund than was paid from it; what was never recorded (a payout captured before funds existed,
all deposit) returns to deposit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wallet_service.domain import bonus
from wallet_service.domain.accounts import AccountKind, user_account
from wallet_service.domain.commands import LegSpec
from wallet_service.domain.funds import (
    BONUS,
    DEPOSIT,
    REFUND_ORDER,
    ZERO,
    Funds,
    bonus_cap,
    credit_fund,
    debit_split,
    draw,
    draw_order,
)
from wallet_service.domain.model import TxType
from wallet_service.domain.policy import LedgerPolicy
from wallet_service.domain.ports import LedgerUnitOfWork

Wallet = tuple[str, str]
"""(user_id, currency)"""


def pool_of(legs: list[LegSpec], *, credited: bool) -> str | None:
    """The competition id of the first pool the entry credits (or debits)."""
    for leg in legs:
        if leg.account.kind is AccountKind.POOL and (leg.amount > 0) == credited:
            return leg.account.owner
    return None


def payout_slot(hold_id: str) -> str:
    """The contribution key of a captured payout: what refunds of its reversal may still return."""
    return f"payout:{hold_id}"


def hold_funds(amount: int, funds: dict[str, int]) -> Funds:
    """A hold's funds (a hold stored before funds existed reserves deposit)."""
    return Funds.of(funds) if funds else Funds.legacy(amount)


@dataclass(slots=True)
class Router:
    """Splits the user legs of one entry into funds and remembers what the entry does to bonus grants and
    pool contributions, for ``finish`` to store."""

    uow: LedgerUnitOfWork
    policy: LedgerPolicy
    now: str
    metadata: dict[str, str]
    available: dict[Wallet, Funds] = field(default_factory=dict)
    spendable: dict[Wallet, int] = field(default_factory=dict)
    bonus_spent: dict[Wallet, int] = field(default_factory=dict)
    bonus_refunded: dict[Wallet, int] = field(default_factory=dict)
    contributions: dict[tuple[str, str, str], Funds] = field(default_factory=dict)
    contributed: dict[tuple[str, str, str], Funds] = field(default_factory=dict)

    def route(self, legs: list[LegSpec]) -> list[Funds | None]:
        """Each leg's signed split (None for a leg that is not on a user wallet)."""
        into_pool = pool_of(legs, credited=True)
        out_of_pool = pool_of(legs, credited=False)
        splits: list[Funds | None] = []
        for leg in legs:
            user_id = leg.account.user_id
            if user_id is None:
                splits.append(None)
                continue
            wallet = (user_id, leg.currency)
            if leg.amount > 0:
                split = self._credit(leg, wallet, out_of_pool)
            else:
                split = self._debit(leg, wallet)
                if into_pool is not None:
                    slot = (user_id, leg.currency, into_pool)
                    self.contributed[slot] = self.contributed.get(slot, ZERO) - split
            self.available[wallet] = self._available(wallet) + split
            splits.append(split)
        return splits

    def finish(self) -> None:
        """Store what the entry spent from and returned to bonus grants and changed in pool contributions."""
        for (user_id, currency), amount in sorted(self.bonus_spent.items()):
            if amount:
                bonus.consume(self.uow, user_id, currency, amount, self.now)
        for (user_id, currency), amount in sorted(self.bonus_refunded.items()):
            if amount:
                bonus.restore(self.uow, user_id, currency, amount, self.now)
        for (user_id, currency, pool), delta in sorted(self.contributed.items()):
            if delta != ZERO:
                self.uow.pool_contribution_add(user_id, currency, pool, delta, self.now)

    def _available(self, wallet: Wallet) -> Funds:
        if wallet not in self.available:
            state = self.uow.account_get(user_account(wallet[0]), wallet[1])
            self.available[wallet] = ZERO if state is None else state.available_funds
        return self.available[wallet]

    def _credit(self, leg: LegSpec, wallet: Wallet, out_of_pool: str | None) -> Funds:
        if leg.type != TxType.REFUND:
            return Funds.only(credit_fund(leg.type), leg.amount)
        payout_id = (leg.metadata or self.metadata).get("payoutId")
        if payout_id:
            hold = self.uow.hold_get(payout_id)
            if hold is not None and (hold.user_id, hold.currency) == wallet:
                return self._refund((wallet[0], wallet[1], payout_slot(hold.id)), leg.amount)
        if out_of_pool is not None:
            return self._refund((wallet[0], wallet[1], out_of_pool), leg.amount)
        return Funds.legacy(leg.amount)

    def _refund(self, slot: tuple[str, str, str], amount: int) -> Funds:
        paid = self._contribution(slot) + self.contributed.get(slot, ZERO)
        taken, left = draw(amount, REFUND_ORDER, paid)
        self.contributed[slot] = self.contributed.get(slot, ZERO) - taken
        split = taken.plus(DEPOSIT, left) if left else taken
        if split.bonus:
            wallet = (slot[0], slot[1])
            self.bonus_refunded[wallet] = self.bonus_refunded.get(wallet, 0) + split.bonus
        return split

    def _contribution(self, slot: tuple[str, str, str]) -> Funds:
        if slot not in self.contributions:
            self.contributions[slot] = self.uow.pool_contribution_get(*slot)
        return self.contributions[slot]

    def _debit(self, leg: LegSpec, wallet: Wallet) -> Funds:
        fee = -leg.amount
        order = draw_order(leg.type, self.policy)
        available = self._available(wallet)
        limits = None
        if leg.type == TxType.ENTRY_FEE:
            limits = {BONUS: min(bonus_cap(fee, self.policy), self._spendable(wallet, available))}
        split = debit_split(fee, order, available, limits)
        if leg.type == TxType.ENTRY_FEE and split.bonus:
            self.bonus_spent[wallet] = self.bonus_spent.get(wallet, 0) - split.bonus
        return split

    def _spendable(self, wallet: Wallet, available: Funds) -> int:
        if available.bonus <= 0:
            return 0
        if wallet not in self.spendable:
            self.spendable[wallet] = bonus.spendable(self.uow, wallet[0], wallet[1], self.now)
        return max(0, self.spendable[wallet] - self.bonus_spent.get(wallet, 0)
                   + self.bonus_refunded.get(wallet, 0))
