"""The responsible-gaming rules (``wallet_service.domain.controls``) with an injected clock: limits in force,
the cooling-off measured to the microsecond, re-asks and cancels, self-exclusion only lengthening, and every
validation error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from wallet_service.domain import controls
from wallet_service.domain.controls import COOLING_OFF, LimitRequest
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import MAX_MINOR

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
TICK = timedelta(microseconds=1)


def entry(doc: dict[str, Any] | None, amount: int | None, now: datetime) -> dict[str, Any]:
    return controls.set_limits(doc, "INR", [LimitRequest("entry_daily", amount)], now)


def in_force(doc: dict[str, Any] | None, now: datetime) -> int | None:
    return controls.view("u", doc, "INR", now).limits.get("entry_daily")


def test_first_and_lower_limits_apply_at_once() -> None:
    doc = entry(None, 500, T0)
    assert in_force(doc, T0) == 500 and controls.limit_in_force(doc, "INR", "entry_daily", T0) == 500
    doc = entry(doc, 200, T0 + TICK)
    assert in_force(doc, T0 + TICK) == 200
    assert controls.view("u", doc, "INR", T0).pending == []
    assert controls.view("u", doc, "USD", T0).limits == {}


@pytest.mark.parametrize("raised", [900, None])
def test_raise_or_removal_waits_out_the_cooling_off(raised: int | None) -> None:
    doc = entry(entry(None, 500, T0), raised, T0)
    (pending,) = controls.view("u", doc, "INR", T0).pending
    assert (pending.amount, pending.effective_at, pending.requested_at) == (raised, format_utc(T0 + COOLING_OFF),
                                                                          format_utc(T0))
    assert in_force(doc, T0 + COOLING_OFF - TICK) == 500
    assert controls.limit_in_force(doc, "INR", "entry_daily", T0 + COOLING_OFF - TICK) == 500
    assert in_force(doc, T0 + COOLING_OFF) == raised
    assert controls.limit_in_force(doc, "INR", "entry_daily", T0 + COOLING_OFF) == raised
    assert controls.view("u", doc, "INR", T0 + COOLING_OFF).pending == []


def test_re_ask_keeps_effective_at_and_value_in_force_cancels() -> None:
    doc = entry(entry(None, 500, T0), 900, T0)
    later = entry(doc, 900, T0 + timedelta(hours=10))
    assert controls.view("u", later, "INR", T0).pending[0].effective_at == format_utc(T0 + COOLING_OFF)
    other = entry(doc, 1_000, T0 + timedelta(hours=10))
    assert controls.view("u", other, "INR", T0).pending[0].effective_at == \
        format_utc(T0 + timedelta(hours=10) + COOLING_OFF)
    cancelled = entry(doc, 500, T0 + timedelta(hours=1))
    assert controls.view("u", cancelled, "INR", T0 + COOLING_OFF).limits == {"entry_daily": 500}
    lower = entry(doc, 100, T0 + timedelta(hours=1))
    assert in_force(lower, T0 + timedelta(hours=1)) == 100 and in_force(lower, T0 + COOLING_OFF) == 100


def test_self_exclusion_only_lengthens_and_permanent_is_forever() -> None:
    doc = controls.self_exclude(None, 30, False, T0)
    view = controls.view("u", doc, "USD", T0)
    assert view.self_excluded and view.excluded_until == format_utc(T0 + timedelta(days=30))
    assert controls.self_exclude(doc, 7, False, T0 + timedelta(days=1)) == doc
    longer = controls.self_exclude(doc, 365, False, T0)
    assert controls.view("u", longer, "INR", T0).excluded_until == format_utc(T0 + timedelta(days=365))
    assert controls.excluded(doc, T0 + timedelta(days=30) - TICK)
    assert not controls.excluded(doc, T0 + timedelta(days=30))
    forever = controls.self_exclude(doc, 0, True, T0)
    assert controls.excluded(forever, T0 + timedelta(days=100_000))
    assert controls.self_exclude(forever, 365, False, T0) == forever
    view = controls.view("u", forever, "INR", T0)
    assert view.excluded_permanently and view.excluded_until is None and view.excluded_at == format_utc(T0)


@pytest.mark.parametrize(("changes", "code"), [
    ([("weekly", 5, False)], "INVALID_LIMIT"),
    ([("", 5, False)], "INVALID_LIMIT"),
    ([("entry_daily", 5, False), ("entry_daily", 6, False)], "INVALID_LIMIT"),
    ([("entry_daily", 0, False)], "INVALID_AMOUNT"),
    ([("entry_daily", -1, False)], "INVALID_AMOUNT"),
    ([("entry_daily", MAX_MINOR + 1, False)], "INVALID_AMOUNT"),
    ([("entry_daily", None, False)], "INVALID_AMOUNT"),
    ([("entry_daily", 5, True)], "INVALID_AMOUNT"),
    ([("entry_daily", 1.5, False)], "INVALID_AMOUNT"),
    ([("entry_daily", True, False)], "INVALID_AMOUNT"),
])
def test_bad_changes(changes: list[tuple[str, Any, bool]], code: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        controls.check_changes(changes)
    assert info.value.code == code


@pytest.mark.parametrize(("days", "permanent"), [(6, False), (366, False), (0, False), (-7, False), (30, True)])
def test_bad_days(days: int, permanent: bool) -> None:
    with pytest.raises(InvalidArgument) as info:
        controls.check_days(days, permanent)
    assert info.value.code == "INVALID_DAYS"


def test_good_input_and_user_ids() -> None:
    assert controls.check_days(7, False) == 7 and controls.check_days(365, False) == 365
    assert controls.check_days(0, True) == 0
    assert controls.check_changes([("deposit_daily", 1, False), ("entry_daily", None, True)]) == [
        LimitRequest("deposit_daily", 1), LimitRequest("entry_daily", None)]
    for bad in ("", "  ", "x" * 129):
        with pytest.raises(InvalidArgument):
            controls.check_user(bad)
