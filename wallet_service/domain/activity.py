"""Money moved per UTC day: which completed journal legs count as which figure, and the validated range.

A figure is the sum of one kind of completed leg, as a positive magnitude of minor units:

- ``topups``: top-up credits into user wallets (type ``topup``, amount > 0);
- ``payouts``: captured payouts leaving user wallets (type ``payout``, amount < 0);
- ``entry_fees``: entry fees paid from user wallets (type ``entryFee``, amount < 0);
- ``rewards``: match rewards into user wallets (type ``reward``, amount > 0);
- ``platform_fees``: the platform's fee of a distribution (type ``platformFee``, amount > 0, the system
  account ``platform_fees``);
- ``organizer_fees``: organizers' fees into their wallets (type ``organizerFee``, amount > 0);
- ``refunds``: money returned to user wallets (type ``refund``, amount > 0: entry fees and sponsorships of a
  cancelled competition, payouts the provider reversed).

The other leg of each entry (a pool, a clearing account) is not counted again, nor are sponsorships, plain
credits and debits, chargebacks and pending holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of

MAX_DAYS = 366

CREDITS = {"topup": "topups", "reward": "rewards", "platformFee": "platform_fees", "organizerFee": "organizer_fees",
           "refund": "refunds"}
"""Leg type → figure, for the legs that count when they put money into the account."""
DEBITS = {"payout": "payouts", "entryFee": "entry_fees"}
"""Leg type → figure, for the legs that count when they take money out of the account."""
COUNTED_TYPES = tuple(sorted({*CREDITS, *DEBITS}))
SYSTEM_TYPES = ("platformFee",)
"""Types whose counted leg is on a system account; every other counted leg is on a user's wallet."""


@dataclass(frozen=True, slots=True)
class ActivityRow:
    """What a store aggregates: for one UTC day (``YYYY-MM-DD``) and leg type, the completed legs' money in
    (``credits``, the sum of positive amounts) and out (``debits``, the magnitude of the negative ones)."""

    day: str
    type: str
    credits: int
    debits: int


@dataclass(slots=True)
class ActivityFigures:
    """Money moved, in minor units, each figure a positive magnitude (see the module docstring)."""

    topups: int = 0
    payouts: int = 0
    entry_fees: int = 0
    rewards: int = 0
    platform_fees: int = 0
    organizer_fees: int = 0
    refunds: int = 0

    def add(self, other: ActivityFigures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def count(self, row: ActivityRow) -> None:
        if row.type in CREDITS:
            name = CREDITS[row.type]
            setattr(self, name, getattr(self, name) + row.credits)
        if row.type in DEBITS:
            name = DEBITS[row.type]
            setattr(self, name, getattr(self, name) + row.debits)


@dataclass(slots=True)
class ActivityDay:
    """One UTC day's figures."""

    day: str
    figures: ActivityFigures = field(default_factory=ActivityFigures)


def _day(value: object, what: str) -> date:
    if not isinstance(value, str) or len(value) != 10 or not value.isascii() or value[4] != "-" or value[7] != "-":
        raise InvalidArgument(f"{what} must be a date YYYY-MM-DD", code="INVALID_DATE")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"{what} must be a date YYYY-MM-DD", code="INVALID_DATE") from None


@dataclass(frozen=True, slots=True)
class ActivityQuery:
    """A range of UTC days, both ends included, of at most ``MAX_DAYS`` days, in one supported currency."""

    first: date
    last: date
    currency: str

    @classmethod
    def build(cls, from_date: object, to_date: object, currency: object) -> ActivityQuery:
        first, last = _day(from_date, "from_date"), _day(to_date, "to_date")
        if first > last:
            raise InvalidArgument("from_date must not be after to_date", code="INVALID_RANGE")
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidArgument(f"The range may span at most {MAX_DAYS} days", code="INVALID_RANGE")
        return cls(first, last, currency_of(currency).code)

    @property
    def start(self) -> str:
        """The first day, ``YYYY-MM-DD``: a timestamp of that day or later is not less than it."""
        return self.first.isoformat()

    @property
    def end(self) -> str:
        """The day after the last, ``YYYY-MM-DD``: every timestamp of the range is less than it."""
        return (self.last + timedelta(days=1)).isoformat()

    def days(self) -> list[str]:
        return [(self.first + timedelta(days=n)).isoformat() for n in range((self.last - self.first).days + 1)]


def summarize(query: ActivityQuery, rows: Iterable[ActivityRow]) -> tuple[list[ActivityDay], ActivityFigures]:
    """Every day of the range (zeros where nothing moved) and the range's totals."""
    days = {day: ActivityDay(day) for day in query.days()}
    for row in rows:
        if row.day in days:
            days[row.day].figures.count(row)
    totals = ActivityFigures()
    for day in days.values():
        totals.add(day.figures)
    return list(days.values()), totals
