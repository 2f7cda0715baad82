"""Prize templates and explicit shares: the percentage of the winners' pool each place receives.

A share list gives, for places 1, 2, 3, ..., the percentage of the winners' pool that place is worth.
Every share is strictly positive, has at most ``SHARE_DECIMALS`` decimal places, and the list sums to
exactly 100. Places beyond the end of the list are worth nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import cast

from winzone_kernel.errors import InvalidArgument

MAX_PLACES = 10_000
"""Most paid places an explicit share list may have."""

SHARE_DECIMALS = 6
"""Most decimal places a share may have; shares are exact multiples of 10^-6 percent."""

UNITS_PER_PERCENT = 10**SHARE_DECIMALS
"""Integer share units in one percent (see ``share_units``)."""

WHOLE_UNITS = 100 * UNITS_PER_PERCENT
"""Share units in 100 percent: what a valid share list sums to."""


def _percentages(*values: int) -> tuple[Decimal, ...]:
    return tuple(Decimal(value) for value in values)


TEMPLATES: Mapping[str, tuple[Decimal, ...]] = MappingProxyType(
    {
        "winner_takes_all": _percentages(100),
        "top3": _percentages(50, 30, 20),
        "top5": _percentages(40, 25, 15, 12, 8),
        "top10": _percentages(30, 20, 12, 9, 7, 6, 5, 4, 4, 3),
    }
)
"""The named prize templates, share lists in percent."""


def _invalid_shares(message: str) -> InvalidArgument:
    return InvalidArgument(message, code="INVALID_SHARES")


def _share_to_units(value: object) -> int:
    """One share as an exact integer number of 10^-6 percent, without any Decimal context rounding."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _invalid_shares("Each share must be a decimal number of percent")
    exact = Decimal(value)
    if not exact.is_finite():
        raise _invalid_shares("Each share must be a finite number")
    if not 0 < exact <= 100:
        raise _invalid_shares("Each share must be greater than 0 and at most 100 percent")
    _, digits, finite_exponent = exact.as_tuple()
    exponent = cast(int, finite_exponent)
    excess = -SHARE_DECIMALS - exponent
    if excess > 0:
        if excess > len(digits) or any(digits[-excess:]):
            raise _invalid_shares(f"Shares may have at most {SHARE_DECIMALS} decimal places")
        digits = digits[:-excess]
        exponent = -SHARE_DECIMALS
    coefficient = int("".join(map(str, digits)))
    scale: int = 10 ** (exponent + SHARE_DECIMALS)
    return coefficient * scale


def share_units(shares: Sequence[Decimal]) -> tuple[int, ...]:
    """Validate ``shares`` and return them as integers of 10^-6 percent, summing to ``WHOLE_UNITS``.

    Raises ``InvalidArgument`` (code ``INVALID_SHARES``) unless there are 1 to ``MAX_PLACES`` shares,
    each an ``int`` or finite ``Decimal`` in (0, 100] with at most ``SHARE_DECIMALS`` decimal places,
    summing to exactly 100.
    """
    if isinstance(shares, str | bytes) or not isinstance(shares, Sequence):
        raise _invalid_shares("Shares must be a list of percentages")
    if not shares:
        raise _invalid_shares("At least one share is required")
    if len(shares) > MAX_PLACES:
        raise _invalid_shares(f"At most {MAX_PLACES} shares are allowed")
    units = tuple(_share_to_units(share) for share in shares)
    if sum(units) != WHOLE_UNITS:
        raise _invalid_shares("Shares must sum to exactly 100 percent")
    return units


def validate_shares(shares: Sequence[Decimal]) -> tuple[Decimal, ...]:
    """Return explicit ``shares`` as a tuple of ``Decimal`` after the checks of ``share_units``."""
    share_units(shares)
    return tuple(Decimal(share) for share in shares)


def resolve_shares(template: str | None = None, shares: Sequence[Decimal] | None = None) -> tuple[Decimal, ...]:
    """Return the share list of a named ``template`` or of explicit ``shares``; exactly one must be given.

    ``None`` means "not given" (a servicer maps an empty proto string or repeated field to ``None``).
    Raises ``InvalidArgument`` with code ``TEMPLATE_AND_SHARES`` when both are given,
    ``TEMPLATE_OR_SHARES_REQUIRED`` when neither is, ``UNKNOWN_TEMPLATE`` for a name not in
    ``TEMPLATES`` and ``INVALID_SHARES`` for explicit shares that fail ``share_units``.
    """
    if shares is not None:
        if template is not None:
            raise InvalidArgument("Give either a template or explicit shares, not both", code="TEMPLATE_AND_SHARES")
        return validate_shares(shares)
    if template is None:
        raise InvalidArgument("A template or explicit shares are required", code="TEMPLATE_OR_SHARES_REQUIRED")
    if not isinstance(template, str) or template not in TEMPLATES:
        known = ", ".join(TEMPLATES)
        raise InvalidArgument(f"Unknown template; expected one of: {known}", code="UNKNOWN_TEMPLATE")
    return TEMPLATES[template]
