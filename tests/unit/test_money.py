"""Exact money parsing at the edges: only positive amounts with the currency's precision get through."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import MAX_MINOR, check_minor, currency_of, to_major, to_minor


@pytest.mark.parametrize(
    ("value", "minor"),
    [(1000, 100000), (Decimal("10.5"), 1050), (Decimal("0.01"), 1), (Decimal("99999.99"), 9999999),
     (Decimal("1E+2"), 10000), (Decimal("12.50"), 1250)],
)
def test_valid_amounts_parse_exactly(value: object, minor: int) -> None:
    assert to_minor(value, "INR") == minor


@pytest.mark.parametrize(
    "value",
    [0, -1, Decimal("-0.01"), Decimal("0"), Decimal("0.001"), Decimal("10.005"), Decimal("NaN"), Decimal("sNaN"),
     Decimal("Infinity"), Decimal("-Infinity"), "100", "", None, True, False, 1.5, 100.0, {}, {"$ne": None}, [100],
     Decimal("1e30"), 10**30, Decimal(MAX_MINOR) + 1, Decimal("10.0000000000000000000000000001"),
     Decimal("99999999999.9999999999999999999"), Decimal("1E-1000000"), Decimal("0.1E-999999")],
)
def test_invalid_amounts_are_rejected(value: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        to_minor(value, "INR")
    assert info.value.code == "INVALID_AMOUNT"


@pytest.mark.parametrize("code", ["EUR", "inr", "", None, 5, {"$ne": None}, "INRR"])
def test_unknown_currencies_are_rejected(code: object) -> None:
    with pytest.raises(InvalidArgument) as info:
        currency_of(code)
    assert info.value.code == "INVALID_CURRENCY"


@pytest.mark.parametrize("value", [0, -5, True, 1.0, "5", MAX_MINOR + 1])
def test_minor_unit_check_rejects(value: object) -> None:
    with pytest.raises(InvalidArgument):
        check_minor(value)


@given(st.integers(min_value=1, max_value=MAX_MINOR))
def test_major_minor_round_trip(minor: int) -> None:
    major = to_major(minor, "INR")
    assert isinstance(major, Decimal)
    assert to_minor(major, "INR") == minor
    assert to_major(-minor, "INR") == -major

