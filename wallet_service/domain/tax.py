"""Tax rules: Indian financial years, tax-inclusive splits (GST), and TDS on net winnings from online games.

TDS follows section 194BA of the Income-tax Act and Rule 133 of the Income-tax Rules: at each withdrawal the
net winnings are the withdrawals of the financial year (this one included) less the deposits of the year,
less the balance the wallet opened the year with, less the net winnings already taxed in the year, and
never below zero; the TDS is the rate on them. Bonus is never a deposit and never part of a balance for tax.

Rounding: section 288B rounds the tax finally payable or refundable on assessment to ten rupees; tax deducted
at source is deducted, deposited and reported (TDS statements, Form 16A) in whole rupees. This module rounds every
TDS amount half-up to a whole number of major units (50 paise and more count as a rupee), never to tens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from wallet_service.domain.accounts import Account, AccountKind
from wallet_service.domain.commands import LegSpec
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of

if TYPE_CHECKING:
    from wallet_service.domain.policy import LedgerPolicy
    from wallet_service.domain.ports import LedgerUnitOfWork

INDIA = timezone(timedelta(hours=5, minutes=30), "IST")
FY_PATTERN = re.compile(r"^([0-9]{4})-([0-9]{2})$")
TDS_TYPE = "tds"
GST_TYPE = "gst"
TDS_PAYABLE = "tds_payable"
GST_PAYABLE = "gst_payable"
QUARTERS = ("Q1", "Q2", "Q3", "Q4")


def _moment(utc_iso: str) -> datetime:
    """An aware datetime of an RFC 3339 timestamp (the ledger's own form, or any ISO form with a zone)."""
    if not isinstance(utc_iso, str):
        raise InvalidArgument("timestamp must be an RFC 3339 string", code="INVALID_DATE")
    try:
        moment = datetime.fromisoformat(utc_iso.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidArgument(f"invalid timestamp {utc_iso[:40]!r}", code="INVALID_DATE") from None
    if moment.tzinfo is None:
        raise InvalidArgument(f"timestamp {utc_iso[:40]!r} has no time zone", code="INVALID_DATE")
    return moment


@dataclass(frozen=True, slots=True, order=True)
class FinancialYear:
    """One Indian financial year: 1 April 00:00 to the next 1 April 00:00, India time (UTC+05:30)."""

    start_year: int

    @property
    def label(self) -> str:
        """``YYYY-YY``, e.g. ``2026-27``."""
        return f"{self.start_year:04d}-{(self.start_year + 1) % 100:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.start_year, 4, 1, tzinfo=INDIA)

    @property
    def end(self) -> datetime:
        return datetime(self.start_year + 1, 4, 1, tzinfo=INDIA)

    @property
    def start_utc(self) -> str:
        """The first instant of the year as a ledger timestamp (``2026-03-31T18:30:00.000000Z``)."""
        return format_utc(self.start)

    @property
    def end_utc(self) -> str:
        """The first instant after the year, as a ledger timestamp (exclusive end)."""
        return format_utc(self.end)

    @property
    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    @property
    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def contains(self, utc_iso: str) -> bool:
        return self.start <= _moment(utc_iso) < self.end

    def ended_by(self, now: datetime) -> bool:
        """Whether the year is over at ``now``."""
        return now >= self.end

    def quarter_of(self, utc_iso: str) -> str:
        """``Q1`` (April-June) .. ``Q4`` (January-March), India time, of an instant inside this year."""
        moment = _moment(utc_iso)
        if not self.start <= moment < self.end:
            raise InvalidArgument(f"{utc_iso[:40]} is not in financial year {self.label}",
                                  code="INVALID_FINANCIAL_YEAR")
        return QUARTERS[((moment.astimezone(INDIA).month - 4) % 12) // 3]


def parse_financial_year(text: object) -> FinancialYear:
    """``YYYY-YY`` where ``YY`` is the next year's last two digits; otherwise INVALID_FINANCIAL_YEAR."""
    match = FY_PATTERN.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidArgument("financial_year must look like 2026-27", code="INVALID_FINANCIAL_YEAR")
    first, second = int(match.group(1)), int(match.group(2))
    if first < 2000 or second != (first + 1) % 100:
        raise InvalidArgument(f"financial year {text!r} is not a year and the next one",
                              code="INVALID_FINANCIAL_YEAR")
    return FinancialYear(first)


def financial_year_of(utc_iso: str) -> FinancialYear:
    """The financial year an instant falls in."""
    local = _moment(utc_iso).astimezone(INDIA)
    return FinancialYear(local.year if local.month >= 4 else local.year - 1)


def financial_year_at(moment: datetime) -> FinancialYear:
    """The financial year of an aware datetime."""
    return financial_year_of(moment.astimezone(UTC).isoformat())


def _half_up(value: Fraction) -> int:
    """``value`` (>= 0) rounded to the nearest integer, halves up."""
    numerator, denominator = value.numerator, value.denominator
    return (2 * numerator + denominator) // (2 * denominator)


def split_inclusive(gross: int, percent: Decimal) -> tuple[int, int]:
    """(net, tax) of a tax-inclusive ``gross``: tax = gross * p / (100 + p) half-up to the minor unit."""
    if gross < 0:
        raise ValueError("gross must not be negative")
    rate = Fraction(percent)
    if rate <= 0:
        return gross, 0
    tax = _half_up(Fraction(gross) * rate / (100 + rate))
    return gross - tax, tax


def round_tax_to_rupee(amount_minor: Decimal | int, minor_per_major: int) -> int:
    """``amount_minor`` (minor units, possibly fractional) rounded half-up to whole major units, in minor
    units: 5,999.50 paise -> 6,000 paise; 5,949 paise -> 5,900 paise; 5,950 paise -> 6,000 paise."""
    value = Fraction(Decimal(amount_minor)) / minor_per_major
    if value < 0:
        raise ValueError("tax must not be negative")
    return _half_up(value) * minor_per_major


@dataclass(frozen=True, slots=True)
class TaxFacts:
    """What Rule 133 needs of one user's wallet in one currency and financial year (minor units): deposits
    of the year, withdrawals of the year (open and captured payout holds), the opening balance, and the net
    winnings already taxed at earlier withdrawals of the year."""

    deposits: int = 0
    withdrawals: int = 0
    opening_balance: int = 0
    taxed_net_winnings: int = 0


def net_winnings_of_withdrawal(facts: TaxFacts, amount: int) -> int:
    """Net winnings of a withdrawal of ``amount`` after the year's earlier ones (Rule 133)."""
    return max(0, facts.withdrawals + amount - facts.deposits - facts.opening_balance - facts.taxed_net_winnings)


def year_end_net_winnings(facts: TaxFacts, closing_balance: int) -> int:
    """Net winnings left in the wallet at the end of the year: the closing balance counts as a withdrawal."""
    return net_winnings_of_withdrawal(facts, closing_balance)


def tds_on(net_winnings: int, rate: Decimal, minor_per_major: int) -> int:
    """TDS at ``rate`` percent on ``net_winnings`` minor units, rounded half-up to the rupee."""
    if net_winnings <= 0 or rate <= 0:
        return 0
    return round_tax_to_rupee(Decimal(net_winnings) * Decimal(rate) / 100, minor_per_major)


def minor_per_major(currency: str) -> int:
    return currency_of(currency).factor


@dataclass(frozen=True, slots=True)
class Withholding:
    """The tax a payout hold withholds: ``tds`` on ``net_winnings`` of ``financial_year``."""

    tds: int
    net_winnings: int
    financial_year: str


def withholding(uow: LedgerUnitOfWork, user_id: str, currency: str, amount: int, now: str,
                policy: LedgerPolicy) -> Withholding:
    """The TDS a payout hold of ``amount`` created at ``now`` withholds (never more than ``amount``); zeros
    when ``policy.tds_rate`` is 0."""
    year = financial_year_of(now)
    if policy.tds_rate <= 0:
        return Withholding(0, 0, year.label)
    facts = uow.tax_facts(user_id, currency, year)
    net_winnings = net_winnings_of_withdrawal(facts, amount)
    tds = min(amount, tds_on(net_winnings, policy.tds_rate, minor_per_major(currency)))
    return Withholding(tds, net_winnings, year.label)


def _split_leg(leg: LegSpec, percent: Decimal) -> list[LegSpec]:
    net, gst = split_inclusive(leg.amount, percent)
    if gst == 0:
        return [leg]
    return [replace(leg, amount=net),
            LegSpec(gst_payable_account(), gst, leg.currency, GST_TYPE, leg.description, None, leg.metadata)]


def gst_payable_account() -> Account:
    return Account(GST_PAYABLE, AccountKind.SYSTEM, "platform")


def tds_payable_account() -> Account:
    return Account(TDS_PAYABLE, AccountKind.SYSTEM, "platform")


def gst_legs(legs: list[LegSpec], policy: LedgerPolicy) -> list[LegSpec]:
    """``legs`` with GST split out: a ``topup`` credit to a user wallet (GST_ON_DEPOSIT_PERCENT) and a
    ``platformFee`` credit to ``platform_fees`` (GST_ON_PLATFORM_FEE_PERCENT) are tax-inclusive; each becomes
    its net credit plus a ``gst`` credit to ``gst_payable``. The other legs are unchanged."""
    out: list[LegSpec] = []
    for leg in legs:
        if (leg.amount > 0 and leg.type == "topup" and leg.account.user_id is not None
                and policy.gst_on_deposit_percent > 0):
            out.extend(_split_leg(leg, policy.gst_on_deposit_percent))
        elif (leg.amount > 0 and leg.type == "platformFee" and leg.account.name == "platform_fees"
                and policy.gst_on_platform_fee_percent > 0):
            out.extend(_split_leg(leg, policy.gst_on_platform_fee_percent))
        else:
            out.append(leg)
    return out


@dataclass(frozen=True, slots=True)
class TaxYearRecord:
    """A wallet's closed financial year (the year-end step): what it was taxed on, what was withheld then,
    and the balance the next year opens with (``closing_balance - withheld``)."""

    user_id: str
    currency: str
    financial_year: str
    opening_balance: int
    closing_balance: int
    deposits: int
    withdrawals: int
    taxed_net_winnings: int
    net_winnings: int
    tds: int
    withheld: int
    next_opening_balance: int
    transaction_id: str
    closed_at: str

    @property
    def shortfall(self) -> int:
        """TDS of the year end that the wallet no longer held when the year was closed."""
        return self.tds - self.withheld
