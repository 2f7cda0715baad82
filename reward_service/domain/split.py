"""Prize split: fees off the distributed pool, the rest to the winners by place, exact to the paisa.

Rules, in the order they apply:

* **Fees** are percentages of the pool being distributed: ``platform = floor(pool × platform% / 100)``
  and ``organizer = floor(pool × organizer% / 100)``, computed exactly. Flooring means the house never
  rounds in its own favour: every minor unit the fees do not take goes to the winners, so the winners'
  pool is ``pool − platform − organizer`` (at least 1 whenever the pool is, since the fees sum to
  less than 100 %).
* **Places.** Standings are ordered by rank, then by user id (code-point order), and the players take
  places 1, 2, 3, ... in that order. Ranks only order and group: ranks ``1, 1, 3`` and ``1, 1, 2`` split
  alike (each payout still reports the rank it was given).
* **Ties.** The k players sharing a rank occupy k consecutive places and split the combined shares of
  those places equally. Places beyond the share list are worth 0 %, so a tie straddling the last paid
  place shares that place's percentage among all of its members.
* **Fewer players than places.** The shares of places nobody occupies are redistributed pro rata over
  the occupied places: the occupied shares are normalised to 100 %. With ``top3`` [50, 30, 20] and only
  two players, they receive 50/80 = 62.5 % and 30/80 = 37.5 % of the winners' pool.
* **Rounding** (largest remainder). Each player's exact entitlement is floored to whole minor units;
  the units left over go one each to the players with the largest fractional remainders, equal
  remainders to the better rank, then to the lower user id. Hence ``platform + organizer +
  sum(payouts) == pool`` exactly, every payout is within one unit of its exact entitlement, tied players
  differ by at most one unit, and the result does not depend on the order the standings arrive in.
* Players whose payout is zero are not listed in the payouts.

All arithmetic is on integers (shares in 10^-6 percent units, see ``templates.share_units``); no float
is involved. Cost is O(n log n) in the number of standings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import accumulate, groupby

from reward_service.domain.templates import share_units
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import check_minor


@dataclass(frozen=True, slots=True)
class Standing:
    """A player's final rank in a match: 1 is best, equal ranks are ties."""

    user_id: str
    rank: int


@dataclass(frozen=True, slots=True)
class Payout:
    """What one winner receives, in minor units of the pool's currency."""

    user_id: str
    rank: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class Split:
    """A pool divided into the platform fee, the organizer fee and the winners' payouts.

    ``platform_fee_minor + organizer_fee_minor + sum(p.amount_minor for p in payouts) == pool_minor``.
    Payouts are ordered by rank, then user id, and each is strictly positive.
    """

    pool_minor: int
    platform_fee_minor: int
    organizer_fee_minor: int
    payouts: tuple[Payout, ...]

    @property
    def winners_minor(self) -> int:
        """The part of the pool paid to winners."""
        return self.pool_minor - self.platform_fee_minor - self.organizer_fee_minor


def _exact_percentage(name: str, value: object) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
        raise InvalidArgument(f"{name} fee percentage must be a finite decimal number", code="INVALID_FEE_PERCENTAGE")
    exact = Fraction(value)
    if not 0 <= exact <= 100:
        raise InvalidArgument(f"{name} fee percentage must be between 0 and 100", code="INVALID_FEE_PERCENTAGE")
    return exact


def validate_fee_percentages(platform: Decimal, organizer: Decimal) -> None:
    """Check the platform and organizer fee percentages: each in [0, 100], together below 100.

    Fractional percentages are allowed (``int`` or finite ``Decimal``; never ``float``). Raises
    ``InvalidArgument`` with code ``INVALID_FEE_PERCENTAGE`` otherwise.
    """
    total = _exact_percentage("Platform", platform) + _exact_percentage("Organizer", organizer)
    if total >= 100:
        raise InvalidArgument(
            "Platform and organizer fee percentages together must be below 100",
            code="INVALID_FEE_PERCENTAGE",
        )


def _fee(pool_minor: int, percentage: Decimal) -> int:
    exact = Fraction(percentage)
    return pool_minor * exact.numerator // (100 * exact.denominator)


def _ordered_standings(standings: Sequence[Standing]) -> list[Standing]:
    """Validate ``standings`` and return them sorted by rank, then user id."""
    if isinstance(standings, str | bytes) or not isinstance(standings, Sequence):
        raise InvalidArgument("Standings must be a list", code="INVALID_STANDINGS")
    if not standings:
        raise InvalidArgument("Standings must not be empty", code="EMPTY_STANDINGS")
    seen: set[str] = set()
    for standing in standings:
        if not isinstance(standing, Standing):
            raise InvalidArgument("Each standing must have a user id and a rank", code="INVALID_STANDINGS")
        user_id, rank = standing.user_id, standing.rank
        if not isinstance(user_id, str) or not user_id.strip():
            raise InvalidArgument("Each standing needs a non-empty user id", code="INVALID_USER_ID")
        if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
            raise InvalidArgument("Ranks must be positive integers", code="INVALID_RANK")
        if user_id in seen:
            raise InvalidArgument(f"User {user_id!r} appears more than once", code="DUPLICATE_USER")
        seen.add(user_id)
    return sorted(standings, key=lambda standing: (standing.rank, standing.user_id))


def _paid_groups(ordered: list[Standing], units: tuple[int, ...]) -> tuple[list[tuple[list[Standing], int]], int]:
    """Tie groups that occupy at least one paid place, each with the combined share units of its places,
    and the share units of all occupied places (the pro-rata base)."""
    prefix = [0, *accumulate(units)]
    paid_places = len(units)
    groups: list[tuple[list[Standing], int]] = []
    start = 0
    for _, members in groupby(ordered, key=lambda standing: standing.rank):
        if start >= paid_places:
            break
        group = list(members)
        end = start + len(group)
        groups.append((group, prefix[min(end, paid_places)] - prefix[start]))
        start = end
    occupied_units = prefix[min(len(ordered), paid_places)]
    return groups, occupied_units


def _largest_remainder(
    winners_minor: int, groups: list[tuple[list[Standing], int]], occupied_units: int
) -> list[list[int]]:
    """Per-member amounts for each group, by largest remainder.

    A member of group g is entitled to ``winners × units_g / (size_g × occupied_units)``. All such
    fractions are put over the common denominator ``occupied_units × lcm(sizes)`` so remainders compare
    as integers. Members of one group share a remainder, so the leftover units are handed out group by
    group (largest remainder first, better rank on equal remainders) and, inside a group, in user-id
    order.
    """
    common_size = math.lcm(*(len(members) for members, _ in groups))
    denominator = occupied_units * common_size
    floors: list[int] = []
    remainders: list[int] = []
    for members, group_units in groups:
        quotient, remainder = divmod(winners_minor * group_units * (common_size // len(members)), denominator)
        floors.append(quotient)
        remainders.append(remainder)
    leftover = winners_minor - sum(floor * len(members) for floor, (members, _) in zip(floors, groups, strict=True))
    extras = [0] * len(groups)
    for index in sorted(range(len(groups)), key=lambda index: -remainders[index]):
        if leftover == 0:
            break
        extras[index] = min(leftover, len(groups[index][0]))
        leftover -= extras[index]
    return [
        [floor + 1] * extra + [floor] * (len(members) - extra)
        for floor, extra, (members, _) in zip(floors, extras, groups, strict=True)
    ]


def compute_split(
    pool_minor: int,
    platform_fee_pct: Decimal,
    organizer_fee_pct: Decimal,
    shares: Sequence[Decimal],
    standings: Sequence[Standing],
) -> Split:
    """Divide ``pool_minor`` into fees and payouts by the rules in this module's docstring.

    ``shares`` are place percentages (a template's or explicit, see ``templates.resolve_shares``) and
    ``standings`` the match result. Raises ``InvalidArgument`` for a pool that is not a positive
    integer up to ``MAX_MINOR`` (``INVALID_AMOUNT``), bad fee percentages (``INVALID_FEE_PERCENTAGE``),
    bad shares (``INVALID_SHARES``), and empty standings, a blank user id, a non-positive rank or a
    repeated user (``EMPTY_STANDINGS``, ``INVALID_USER_ID``, ``INVALID_RANK``, ``DUPLICATE_USER``,
    ``INVALID_STANDINGS``).
    """
    pool = check_minor(pool_minor)
    validate_fee_percentages(platform_fee_pct, organizer_fee_pct)
    units = share_units(shares)
    ordered = _ordered_standings(standings)

    platform_fee = _fee(pool, platform_fee_pct)
    organizer_fee = _fee(pool, organizer_fee_pct)
    winners_minor = pool - platform_fee - organizer_fee

    groups, occupied_units = _paid_groups(ordered, units)
    amounts = _largest_remainder(winners_minor, groups, occupied_units)
    payouts = tuple(
        Payout(standing.user_id, standing.rank, amount)
        for (members, _), group_amounts in zip(groups, amounts, strict=True)
        for standing, amount in zip(members, group_amounts, strict=True)
        if amount > 0
    )
    return Split(pool, platform_fee, organizer_fee, payouts)
