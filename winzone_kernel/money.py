"""Money as integer minor units of an ISO-4217 currency, and exact parsing at the edges.

No float ever holds money: amounts arrive as ``int`` or ``decimal.Decimal`` (the gateway decodes JSON
numbers with ``parse_float=Decimal``), are checked for the currency's precision, and leave as exact
``Decimal`` major units.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded

from winzone_kernel.errors import InvalidArgument


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO-4217 currency and the number of digits of its minor unit."""

    code: str
    exponent: int

    @property
    def factor(self) -> int:
        return int(10**self.exponent)


CURRENCIES: dict[str, Currency] = {"INR": Currency("INR", 2), "USD": Currency("USD", 2)}
DEFAULT_CURRENCY = "INR"

_EXACT = Context(prec=60, traps=[InvalidOperation, Inexact, Rounded])

MAX_MINOR = 10**13
"""Hard ceiling on any single amount (₹100,000,000,000.00), far below int64 and any sum of them."""


def currency_of(code: object) -> Currency:
    """Return the supported currency for ``code`` or raise ``InvalidArgument``."""
    if not isinstance(code, str) or code.upper() not in CURRENCIES or code != code.upper():
        raise InvalidArgument("Unsupported currency", code="INVALID_CURRENCY")
    return CURRENCIES[code]


def to_minor(value: object, currency: str) -> int:
    """Parse a major-unit amount (``int`` or ``Decimal``) into strictly positive minor units.

    Rejects booleans, floats, strings, NaN/Infinity, zero, negatives, amounts with more digits than the
    currency allows and amounts above ``MAX_MINOR``.
    """
    cur = currency_of(currency)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidArgument("Amount must be a number", code="INVALID_AMOUNT")
    try:
        exact = Decimal(value)
        if not exact.is_finite():
            raise InvalidArgument("Amount must be a finite number", code="INVALID_AMOUNT")
        if exact <= 0:
            raise InvalidArgument("Amount must be greater than zero", code="INVALID_AMOUNT")
        if exact > Decimal(MAX_MINOR) / cur.factor:
            raise InvalidArgument("Amount is too large", code="INVALID_AMOUNT")
        if _decimal_places(exact) > cur.exponent:
            raise InvalidArgument(
                f"Amount has more than {cur.exponent} decimal places for {cur.code}", code="INVALID_AMOUNT"
            )
        scaled = exact.scaleb(cur.exponent, _EXACT)
    except (InvalidOperation, Inexact, Rounded) as exc:
        raise InvalidArgument("Amount must be a number with the currency's precision", code="INVALID_AMOUNT") from exc
    return int(scaled)


def _decimal_places(value: Decimal) -> int:
    """Significant digits after the point of a finite Decimal, computed exactly (no context rounding)."""
    _, digits, exponent = value.as_tuple()
    zeros = 0
    for digit in reversed(digits):
        if digit != 0:
            break
        zeros += 1
    return max(0, -(int(exponent) + zeros))


def to_major(minor: int, currency: str) -> Decimal:
    """Exact major-unit value of ``minor`` (``Decimal``, never float)."""
    cur = currency_of(currency)
    whole, frac = divmod(minor, cur.factor)
    if frac == 0:
        return Decimal(whole)
    return Decimal(minor).scaleb(-cur.exponent).normalize()


def check_minor(minor: object, *, allow_zero: bool = False) -> int:
    """Validate an amount already in minor units (gRPC fields): a positive int no larger than MAX_MINOR."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise InvalidArgument("Amount must be an integer number of minor units", code="INVALID_AMOUNT")
    if minor < 0 or (minor == 0 and not allow_zero):
        raise InvalidArgument("Amount must be greater than zero", code="INVALID_AMOUNT")
    if minor > MAX_MINOR:
        raise InvalidArgument("Amount is too large", code="INVALID_AMOUNT")
    return minor
