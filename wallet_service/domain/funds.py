"""The three funds of a user's wallet and the rules that route money between them.

A wallet in one currency is ``deposit`` (top-ups, credits, transfers received), ``winnings`` (rewards,
organizer fees) and ``bonus`` (promotions, spent only on entry fees). Every leg on a ``user:`` account moves a
split of its amount across them, chosen here by the leg's type: credits go to one fund, debits draw on funds in
a fixed order, and refunds return each part to the fund it was paid from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Final

from wallet_service.domain.policy import LedgerPolicy

DEPOSIT: Final = "deposit"
WINNINGS: Final = "winnings"
BONUS: Final = "bonus"
FUNDS: Final = (DEPOSIT, WINNINGS, BONUS)

DEPOSIT_FIRST: Final = (DEPOSIT, WINNINGS)
"""Debits, sponsorships, transfers, chargebacks, recoveries and tds: never bonus."""
ENTRY_ORDER: Final = (BONUS, DEPOSIT, WINNINGS)
REFUND_ORDER: Final = (WINNINGS, DEPOSIT, BONUS)
"""What a partial refund returns first (the fund a player can withdraw soonest)."""

CREDIT_FUNDS: Final[Mapping[str, str]] = {
    "reward": WINNINGS, "organizerFee": WINNINGS, "migration": WINNINGS, "bonus": BONUS,
}
"""Where a credit of each type goes; every other credit type goes to deposit."""

DRAW_ORDERS: Final[Mapping[str, tuple[str, ...]]] = {
    "entryFee": ENTRY_ORDER, "bonusExpired": (BONUS,), "bonus": (BONUS,), "migration": (DEPOSIT,),
}
"""The funds a debit of each type draws on, in order (payout: the policy's withdrawable funds); every other
debit type draws deposit then winnings."""


@dataclass(frozen=True, slots=True)
class Funds:
    """An amount per fund (a balance, a held amount or a signed split of one leg)."""

    deposit: int = 0
    winnings: int = 0
    bonus: int = 0

    @property
    def total(self) -> int:
        return self.deposit + self.winnings + self.bonus

    def get(self, name: str) -> int:
        return int(getattr(self, name))

    def to_dict(self) -> dict[str, int]:
        """The non-zero parts, by fund name."""
        return {name: self.get(name) for name in FUNDS if self.get(name)}

    def parts(self) -> tuple[int, int, int]:
        return self.deposit, self.winnings, self.bonus

    def plus(self, name: str, amount: int) -> Funds:
        return Funds(**{**self.as_mapping(), name: self.get(name) + amount})

    def as_mapping(self) -> dict[str, int]:
        return {name: self.get(name) for name in FUNDS}

    def __add__(self, other: Funds) -> Funds:
        return Funds(self.deposit + other.deposit, self.winnings + other.winnings, self.bonus + other.bonus)

    def __sub__(self, other: Funds) -> Funds:
        return Funds(self.deposit - other.deposit, self.winnings - other.winnings, self.bonus - other.bonus)

    def __neg__(self) -> Funds:
        return Funds(-self.deposit, -self.winnings, -self.bonus)

    @classmethod
    def of(cls, mapping: Mapping[str, int] | None) -> Funds:
        """Funds from a ``{fund: amount}`` mapping (missing funds are 0; unknown names are refused)."""
        values = dict(mapping or {})
        unknown = set(values) - set(FUNDS)
        if unknown:
            raise ValueError(f"unknown funds {sorted(unknown)}")
        return cls(**{name: int(amount) for name, amount in values.items()})

    @classmethod
    def only(cls, name: str, amount: int) -> Funds:
        return cls(**{name: amount})

    @classmethod
    def legacy(cls, amount: int) -> Funds:
        """The split of a leg or hold stored before funds existed: all of it deposit."""
        return cls(deposit=amount)


ZERO: Final = Funds()


def credit_fund(tx_type: str) -> str:
    """The fund a credit of ``tx_type`` goes to (a refund returns to the funds it was paid from: ``routing``)."""
    return CREDIT_FUNDS.get(tx_type, DEPOSIT)


def draw_order(tx_type: str, policy: LedgerPolicy) -> tuple[str, ...]:
    """The funds a debit of ``tx_type`` may draw on, in order."""
    if tx_type == "payout":
        return policy.withdrawable_funds
    return DRAW_ORDERS.get(tx_type, DEPOSIT_FIRST)


def bonus_cap(fee: int, policy: LedgerPolicy) -> int:
    """The most bonus an entry fee of ``fee`` may spend: floor(fee * share / 100)."""
    cap = Decimal(fee) * policy.bonus_max_share_percent / 100
    return int(cap.to_integral_value(rounding=ROUND_FLOOR))


def draw(amount: int, order: Iterable[str], available: Funds, limits: Mapping[str, int] | None = None
         ) -> tuple[Funds, int]:
    """Take ``amount`` (> 0) from the funds of ``order`` in turn, each at most its available part (and its
    limit); returns the positive split taken and what could not be taken."""
    taken = ZERO
    left = amount
    for name in order:
        room = max(0, available.get(name))
        if limits is not None and name in limits:
            room = min(room, max(0, limits[name]))
        part = min(left, room)
        if part:
            taken = taken.plus(name, part)
            left -= part
    return taken, left


def debit_split(amount: int, order: tuple[str, ...], available: Funds, limits: Mapping[str, int] | None = None
                ) -> Funds:
    """The negative split of a debit of ``amount`` (> 0): drawn in ``order``; what the funds cannot cover is put
    on the first fund of the order that is not bonus (or bonus when only bonus may be drawn), where the account's
    per-fund check refuses it unless a credit of the same entry covers it."""
    taken, left = draw(amount, order, available, limits)
    if left:
        overflow = next((name for name in order if name != BONUS), order[0])
        taken = taken.plus(overflow, left)
    return -taken


def refund_split(amount: int, paid: Funds, order: tuple[str, ...] = REFUND_ORDER) -> Funds:
    """The positive split of a refund of ``amount``: each fund at most what was paid from it (``paid``), in
    ``order``; the rest to deposit."""
    taken, left = draw(amount, order, paid)
    return taken.plus(DEPOSIT, left) if left else taken


def withdrawable(balance: Funds, held: Funds, policy: LedgerPolicy) -> int:
    """What a payout could take now: the available part of the policy's withdrawable funds."""
    return sum(max(0, balance.get(name) - held.get(name)) for name in policy.withdrawable_funds)
