"""``JURISDICTION`` fills the defaults of the rules a jurisdiction applies; an explicit setting always wins."""

from __future__ import annotations

import pytest

from winzone_kernel.config import ConfigError
from winzone_kernel.jurisdiction import (
    DEFAULTS,
    env_bool,
    env_duration_seconds,
    jurisdiction,
    with_jurisdiction,
)


def test_no_jurisdiction_adds_nothing() -> None:
    assert jurisdiction({}) == "none"
    assert with_jurisdiction({"PAYOUT_MIN": "100"}) == {"PAYOUT_MIN": "100"}


@pytest.mark.parametrize("raw", ["IN", "in", " In "])
def test_india_fills_every_default(raw: str) -> None:
    merged = with_jurisdiction({"JURISDICTION": raw})
    assert jurisdiction({"JURISDICTION": raw}) == "IN"
    for name, value in DEFAULTS["IN"].items():
        assert merged[name] == value
    assert merged["KYC_REQUIRED_FOR_PAYOUT"] == "true"


def test_an_explicit_setting_wins_over_the_jurisdiction() -> None:
    merged = with_jurisdiction({"JURISDICTION": "IN", "KYC_REQUIRED_FOR_PAYOUT": "false", "PAYOUT_DAILY_COUNT": ""})
    assert merged["KYC_REQUIRED_FOR_PAYOUT"] == "false"
    assert merged["PAYOUT_DAILY_COUNT"] == DEFAULTS["IN"]["PAYOUT_DAILY_COUNT"]


@pytest.mark.parametrize("raw", ["US", "india", "1", "IN;"])
def test_an_unknown_jurisdiction_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="JURISDICTION"):
        jurisdiction({"JURISDICTION": raw})


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("YES", True), ("false", False),
                                            ("0", False), ("no", False), ("", False)])
def test_booleans(raw: str, value: bool) -> None:
    assert env_bool({"X": raw}, "X") is value


def test_a_bad_boolean_is_refused() -> None:
    with pytest.raises(ConfigError, match="X must be true or false"):
        env_bool({"X": "maybe"}, "X")


@pytest.mark.parametrize(("raw", "seconds"), [("", 0), ("0", 0), ("90", 90), ("90s", 90), ("30m", 1800),
                                              ("24h", 86400), ("3d", 259200), ("2H", 7200)])
def test_durations(raw: str, seconds: int) -> None:
    assert env_duration_seconds({"D": raw}, "D") == seconds


@pytest.mark.parametrize("raw", ["-5", "1.5h", "h", "24 h", "1w", "abc"])
def test_a_bad_duration_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match="D must be a duration"):
        env_duration_seconds({"D": raw}, "D")
