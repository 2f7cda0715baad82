"""Prize templates and the exact prize split: worked examples, validation and properties."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reward_service.domain.split import Payout, Split, Standing, compute_split, validate_fee_percentages
from reward_service.domain.templates import MAX_PLACES, TEMPLATES, resolve_shares
from winzone_kernel.errors import InvalidArgument

TOP3 = TEMPLATES["top3"]
FEE_10 = Decimal(10)
FEE_5 = Decimal(5)
NO_FEE = Decimal(0)


def standings(*pairs: tuple[str, int]) -> list[Standing]:
    return [Standing(user_id, rank) for user_id, rank in pairs]


def amounts(split: Split) -> dict[str, int]:
    return {payout.user_id: payout.amount_minor for payout in split.payouts}


class TestWorkedExamples:
    def test_top3_pool_400_rupees(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 2), ("c", 3)))

        assert split.platform_fee_minor == 4_000
        assert split.organizer_fee_minor == 2_000
        assert split.winners_minor == 34_000
        assert split.payouts == (Payout("a", 1, 17_000), Payout("b", 2, 10_200), Payout("c", 3, 6_800))

    def test_two_tied_first_pool_300_rupees(self) -> None:
        split = compute_split(30_000, FEE_10, FEE_5, TOP3, standings(("b", 1), ("a", 1), ("c", 3)))

        assert split.platform_fee_minor == 3_000
        assert split.organizer_fee_minor == 1_500
        assert split.payouts == (Payout("a", 1, 10_200), Payout("b", 1, 10_200), Payout("c", 3, 5_100))

    def test_fewer_players_than_places_redistributes_pro_rata(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 2)))

        assert amounts(split) == {"a": 21_250, "b": 12_750}

    def test_single_player_takes_the_whole_winners_pool(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TEMPLATES["top10"], standings(("solo", 7)))

        assert split.payouts == (Payout("solo", 7, 34_000),)

    def test_two_tied_first_with_fewer_players_than_places(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 1)))

        assert amounts(split) == {"a": 17_000, "b": 17_000}

    def test_tie_straddling_the_last_paid_place_shares_it(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 2), ("c", 3), ("d", 3), ("e", 4)))

        assert amounts(split) == {"a": 17_000, "b": 10_200, "c": 3_400, "d": 3_400}

    def test_ranks_only_order_and_group(self) -> None:
        gapped = compute_split(30_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 1), ("c", 3)))
        dense = compute_split(30_000, FEE_10, FEE_5, TOP3, standings(("a", 7), ("b", 7), ("c", 8)))

        assert amounts(gapped) == amounts(dense)
        assert [payout.rank for payout in dense.payouts] == [7, 7, 8]

    def test_fees_are_floored_and_fractional_percentages_allowed(self) -> None:
        split = compute_split(999, Decimal("10.5"), Decimal("4.25"), TEMPLATES["winner_takes_all"], standings(("a", 1)))

        assert split.platform_fee_minor == 104
        assert split.organizer_fee_minor == 42
        assert split.payouts == (Payout("a", 1, 853),)

    def test_fractional_explicit_shares(self) -> None:
        shares = resolve_shares(shares=[Decimal("33.5"), Decimal("33.25"), Decimal("33.25")])
        split = compute_split(10_000, NO_FEE, NO_FEE, shares, standings(("a", 1), ("b", 2), ("c", 3)))

        assert amounts(split) == {"a": 3_350, "b": 3_325, "c": 3_325}


class TestRounding:
    def test_leftover_goes_to_largest_remainder_before_rank(self) -> None:
        shares = [Decimal(33), Decimal(67)]
        split = compute_split(10, NO_FEE, NO_FEE, shares, standings(("a", 1), ("b", 2)))

        assert amounts(split) == {"a": 3, "b": 7}

    def test_equal_remainders_go_to_the_better_rank(self) -> None:
        shares = [Decimal(50), Decimal(50)]
        split = compute_split(3, NO_FEE, NO_FEE, shares, standings(("z", 1), ("a", 2)))

        assert amounts(split) == {"z": 2, "a": 1}

    def test_equal_remainders_in_a_tie_go_to_the_lower_user_id(self) -> None:
        split = compute_split(
            101, NO_FEE, NO_FEE, TEMPLATES["winner_takes_all"], standings(("c", 1), ("a", 1), ("b", 1))
        )

        assert split.payouts == (Payout("a", 1, 34), Payout("b", 1, 34), Payout("c", 1, 33))

    def test_zero_payouts_are_not_listed(self) -> None:
        split = compute_split(1, NO_FEE, NO_FEE, TOP3, standings(("a", 1), ("b", 2), ("c", 3)))

        assert split.payouts == (Payout("a", 1, 1),)

    def test_players_beyond_the_paid_places_are_not_listed(self) -> None:
        split = compute_split(40_000, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)))

        assert [payout.user_id for payout in split.payouts] == ["a", "b", "c"]


class TestTemplates:
    @pytest.mark.parametrize("name", sorted(TEMPLATES))
    def test_every_template_sums_to_100_and_resolves(self, name: str) -> None:
        assert sum(TEMPLATES[name]) == 100
        assert resolve_shares(template=name) == TEMPLATES[name]

    def test_template_shares(self) -> None:
        assert TEMPLATES["winner_takes_all"] == (100,)
        assert TEMPLATES["top3"] == (50, 30, 20)
        assert TEMPLATES["top5"] == (40, 25, 15, 12, 8)
        assert TEMPLATES["top10"] == (30, 20, 12, 9, 7, 6, 5, 4, 4, 3)

    def test_explicit_integer_shares_become_decimals(self) -> None:
        assert resolve_shares(shares=[60, Decimal("40.0")]) == (Decimal(60), Decimal(40))

    def test_max_places_is_allowed(self) -> None:
        assert len(resolve_shares(shares=[Decimal("0.01")] * MAX_PLACES)) == MAX_PLACES


def assert_invalid(code: str, call: Callable[..., object], *args: object, **kwargs: object) -> None:
    with pytest.raises(InvalidArgument) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code


class TestValidation:
    def test_unknown_template(self) -> None:
        assert_invalid("UNKNOWN_TEMPLATE", resolve_shares, template="top4")

    def test_template_and_shares_together(self) -> None:
        assert_invalid("TEMPLATE_AND_SHARES", resolve_shares, template="top3", shares=[Decimal(100)])

    def test_neither_template_nor_shares(self) -> None:
        assert_invalid("TEMPLATE_OR_SHARES_REQUIRED", resolve_shares)

    @pytest.mark.parametrize(
        "shares",
        [
            [],
            [Decimal(50), Decimal(49)],
            [Decimal(50), Decimal(51)],
            [Decimal(110), Decimal(-10)],
            [Decimal(100), Decimal(0)],
            [Decimal("-0"), Decimal(100)],
            [50.0, 50.0],
            ["50", "50"],
            [True, Decimal(99)],
            [Decimal("NaN")],
            [Decimal("Infinity")],
            [Decimal("33.3333333"), Decimal("66.6666667")],
            [Decimal("1E-999999"), Decimal(100)],
            [Decimal("0.01")] * (MAX_PLACES + 1),
            "100",
        ],
        ids=lambda shares: repr(shares)[:40],
    )
    def test_bad_shares(self, shares: object) -> None:
        assert_invalid("INVALID_SHARES", resolve_shares, shares=shares)
        assert_invalid("INVALID_SHARES", compute_split, 100, NO_FEE, NO_FEE, shares, standings(("a", 1)))

    def test_shares_with_trailing_zeros_beyond_six_places_are_fine(self) -> None:
        assert resolve_shares(shares=[Decimal("50.000000000"), Decimal("5E+1")]) == (50, 50)

    def test_empty_standings(self) -> None:
        assert_invalid("EMPTY_STANDINGS", compute_split, 100, FEE_10, FEE_5, TOP3, [])

    def test_duplicate_users(self) -> None:
        assert_invalid(
            "DUPLICATE_USER", compute_split, 100, FEE_10, FEE_5, TOP3, standings(("a", 1), ("b", 2), ("a", 3))
        )

    @pytest.mark.parametrize("rank", [0, -1, True, 1.0, "1", None])
    def test_bad_ranks(self, rank: object) -> None:
        bad = [Standing("a", 1), Standing("b", rank)]  # type: ignore[arg-type]
        assert_invalid("INVALID_RANK", compute_split, 100, FEE_10, FEE_5, TOP3, bad)

    @pytest.mark.parametrize("user_id", ["", "   ", None, 7])
    def test_bad_user_ids(self, user_id: object) -> None:
        bad = [Standing(user_id, 1)]  # type: ignore[arg-type]
        assert_invalid("INVALID_USER_ID", compute_split, 100, FEE_10, FEE_5, TOP3, bad)

    def test_standings_must_be_standing_objects(self) -> None:
        assert_invalid("INVALID_STANDINGS", compute_split, 100, FEE_10, FEE_5, TOP3, [("a", 1)])

    @pytest.mark.parametrize("pool", [0, -1, 1.5, True, Decimal(100), 10**13 + 1])
    def test_bad_pool(self, pool: object) -> None:
        assert_invalid("INVALID_AMOUNT", compute_split, pool, FEE_10, FEE_5, TOP3, standings(("a", 1)))

    @pytest.mark.parametrize(
        ("platform", "organizer"),
        [
            (Decimal(-1), Decimal(5)),
            (Decimal(10), Decimal("-0.01")),
            (Decimal(101), Decimal(0)),
            (Decimal(100), Decimal(0)),
            (Decimal(60), Decimal(40)),
            (Decimal("99.99"), Decimal("0.02")),
            (Decimal("NaN"), Decimal(5)),
            (Decimal(10), Decimal("Infinity")),
            (10.0, Decimal(5)),
            (Decimal(10), True),
            ("10", Decimal(5)),
        ],
    )
    def test_bad_fee_percentages(self, platform: object, organizer: object) -> None:
        assert_invalid("INVALID_FEE_PERCENTAGE", validate_fee_percentages, platform, organizer)
        assert_invalid("INVALID_FEE_PERCENTAGE", compute_split, 100, platform, organizer, TOP3, standings(("a", 1)))

    @pytest.mark.parametrize(
        ("platform", "organizer"),
        [(Decimal(0), Decimal(0)), (Decimal("99.999"), Decimal(0)), (Decimal("33.5"), 12), (10, 5)],
    )
    def test_good_fee_percentages(self, platform: Decimal, organizer: Decimal) -> None:
        validate_fee_percentages(platform, organizer)


def test_ten_thousand_players_and_a_thousand_places() -> None:
    """The benchmark's shape (bench/rewards.py measures its speed): ties straddling the last paid place."""
    shares = [Decimal("0.1")] * 1_000
    players = [Standing(f"user-{index:05d}", index // 3 + 1) for index in range(10_000)]
    split = compute_split(10**12, FEE_10, Decimal("5.5"), shares, players)
    assert len(split.payouts) == 1_002
    assert split.platform_fee_minor + split.organizer_fee_minor + sum(p.amount_minor for p in split.payouts) == 10**12


def reference_split(
    pool: int, platform: Decimal, organizer: Decimal, shares: tuple[Decimal, ...], players: list[Standing]
) -> dict[str, int]:
    """An independent, slow statement of the rules: per-player Fractions, one sort over players."""
    winners = pool - math.floor(pool * Fraction(platform) / 100) - math.floor(pool * Fraction(organizer) / 100)
    ordered = sorted(players, key=lambda standing: (standing.rank, standing.user_id))
    place_share = [Fraction(shares[place]) if place < len(shares) else Fraction(0) for place in range(len(ordered))]
    by_rank: dict[int, list[int]] = defaultdict(list)
    for place, standing in enumerate(ordered):
        by_rank[standing.rank].append(place)
    occupied = sum(place_share)
    exact = {}
    for standing in ordered:
        places = by_rank[standing.rank]
        exact[standing.user_id] = winners * sum(place_share[p] for p in places) / len(places) / occupied
    paid = {user_id: math.floor(value) for user_id, value in exact.items()}
    leftover = winners - sum(paid.values())
    by_remainder = sorted(
        ordered, key=lambda standing: (-(exact[standing.user_id] % 1), standing.rank, standing.user_id)
    )
    for standing in by_remainder[:leftover]:
        paid[standing.user_id] += 1
    return {user_id: amount for user_id, amount in paid.items() if amount > 0}


@st.composite
def fee_settings(draw: st.DrawFn) -> tuple[Decimal, Decimal]:
    platform = draw(st.integers(0, 99_999))
    organizer = draw(st.integers(0, 99_999 - platform))
    return Decimal(platform).scaleb(-3), Decimal(organizer).scaleb(-3)


@st.composite
def share_lists(draw: st.DrawFn) -> tuple[Decimal, ...]:
    if draw(st.booleans()):
        return TEMPLATES[draw(st.sampled_from(sorted(TEMPLATES)))]
    cuts = sorted(draw(st.lists(st.integers(1, 10**8 - 1), unique=True, max_size=25)))
    bounds = [0, *cuts, 10**8]
    parts = [high - low for low, high in pairwise(bounds)]
    if draw(st.booleans()):
        parts.sort(reverse=True)
    return tuple(Decimal(part).scaleb(-6) for part in parts)


@st.composite
def standing_lists(draw: st.DrawFn) -> list[Standing]:
    user_ids = draw(
        st.lists(st.text(alphabet="abcxyz019-", min_size=1, max_size=6), min_size=1, max_size=40, unique=True)
    )
    max_rank = draw(st.integers(1, len(user_ids) + 2))
    return [Standing(user_id, draw(st.integers(1, max_rank))) for user_id in user_ids]


def is_non_increasing(shares: tuple[Decimal, ...]) -> bool:
    return all(earlier >= later for earlier, later in pairwise(shares))


class TestProperties:
    @settings(max_examples=400, deadline=None)
    @given(
        pool=st.integers(1, 10**12),
        fees=fee_settings(),
        shares=share_lists(),
        players=standing_lists(),
        shuffle=st.randoms(use_true_random=False),
    )
    def test_split_invariants(
        self,
        pool: int,
        fees: tuple[Decimal, Decimal],
        shares: tuple[Decimal, ...],
        players: list[Standing],
        shuffle: random.Random,
    ) -> None:
        platform, organizer = fees
        split = compute_split(pool, platform, organizer, shares, players)
        paid = amounts(split)
        everyone = {standing.user_id: paid.get(standing.user_id, 0) for standing in players}

        assert split.platform_fee_minor + split.organizer_fee_minor + sum(paid.values()) == pool
        assert split.platform_fee_minor == math.floor(pool * Fraction(platform) / 100)
        assert split.organizer_fee_minor == math.floor(pool * Fraction(organizer) / 100)
        assert all(payout.amount_minor > 0 for payout in split.payouts)
        assert split.platform_fee_minor >= 0
        assert split.organizer_fee_minor >= 0
        assert list(split.payouts) == sorted(split.payouts, key=lambda payout: (payout.rank, payout.user_id))

        by_rank: dict[int, list[int]] = defaultdict(list)
        for standing in players:
            by_rank[standing.rank].append(everyone[standing.user_id])
        for group in by_rank.values():
            assert max(group) - min(group) <= 1
        if is_non_increasing(shares):
            ranks = sorted(by_rank)
            for better, worse in pairwise(ranks):
                assert min(by_rank[better]) >= max(by_rank[worse])

        assert paid == reference_split(pool, platform, organizer, shares, players)

        reordered = list(players)
        shuffle.shuffle(reordered)
        assert compute_split(pool, platform, organizer, shares, reordered) == split

    @settings(max_examples=200, deadline=None)
    @given(pool=st.integers(1, 10**12), fees=fee_settings(), shares=share_lists(), players=standing_lists())
    def test_each_payout_is_within_one_unit_of_its_exact_entitlement(
        self, pool: int, fees: tuple[Decimal, Decimal], shares: tuple[Decimal, ...], players: list[Standing]
    ) -> None:
        split = compute_split(pool, *fees, shares, players)
        ordered = sorted(players, key=lambda standing: (standing.rank, standing.user_id))
        occupied = sum(Fraction(share) for share in shares[: len(ordered)])
        place = 0
        paid = amounts(split)
        for rank in sorted({standing.rank for standing in ordered}):
            members = [standing for standing in ordered if standing.rank == rank]
            group_share = sum(Fraction(share) for share in shares[place : place + len(members)])
            exact = split.winners_minor * group_share / len(members) / occupied
            for member in members:
                assert abs(paid.get(member.user_id, 0) - exact) < 1
            place += len(members)
