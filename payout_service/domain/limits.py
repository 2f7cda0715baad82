"""Per-request payout amount limits, in minor units.

Limits are configuration (``PAYOUT_MIN`` / ``PAYOUT_MAX``); the settings object converts them to minor
units and builds a ``PayoutLimits``. Whether the user can afford the amount is the wallet's decision, made
when the hold is placed, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import MAX_MINOR, check_minor, currency_of, to_major

DEFAULT_PAYOUT_MIN_MINOR: Final = 10_000
"""₹100.00."""

DEFAULT_PAYOUT_MAX_MINOR: Final = 5_000_000
"""₹50,000.00."""


@dataclass(frozen=True, slots=True)
class PayoutLimits:
    """Inclusive bounds on a single payout request's amount, in minor units."""

    min_minor: int = DEFAULT_PAYOUT_MIN_MINOR
    max_minor: int = DEFAULT_PAYOUT_MAX_MINOR

    def __post_init__(self) -> None:
        for bound in (self.min_minor, self.max_minor):
            if isinstance(bound, bool) or not isinstance(bound, int):
                raise TypeError("payout limits must be integers of minor units")
        if not 0 < self.min_minor <= self.max_minor <= MAX_MINOR:
            raise ValueError(
                f"payout limits must satisfy 0 < min ({self.min_minor}) <= max ({self.max_minor}) <= {MAX_MINOR}"
            )

    def check(self, amount_minor: object, currency: str) -> int:
        """Return ``amount_minor`` if it is a whole number of minor units within the limits.

        Raises ``InvalidArgument`` with code ``INVALID_AMOUNT`` (or ``INVALID_CURRENCY``) otherwise; the
        message states the bound in major units, e.g. ``Minimum payout is 100 INR``.
        """
        code = currency_of(currency).code
        amount = check_minor(amount_minor)
        if amount < self.min_minor:
            raise InvalidArgument(f"Minimum payout is {to_major(self.min_minor, code)} {code}", code="INVALID_AMOUNT")
        if amount > self.max_minor:
            raise InvalidArgument(f"Maximum payout is {to_major(self.max_minor, code)} {code}", code="INVALID_AMOUNT")
        return amount


DEFAULT_PAYOUT_LIMITS: Final = PayoutLimits()
