"""Where the platform operates, and the defaults each jurisdiction gives the settings that depend on it.

``JURISDICTION`` is ``none`` (the default: every rule below off, so every earlier flow is unchanged) or ``IN``
(the rules Indian real-money gaming platforms apply). A setting named explicitly in the environment always
wins over its jurisdiction's default, so each rule is also its own switch.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from winzone_kernel.config import ConfigError

JURISDICTIONS: Final = frozenset({"none", "IN"})

DEFAULTS: Final[Mapping[str, Mapping[str, str]]] = {
    "none": {},
    "IN": {
        "KYC_REQUIRED_FOR_PAYOUT": "true",
        "PAYOUT_DUAL_APPROVAL_THRESHOLD": "10000",
        "PAYOUT_DAILY_COUNT": "5",
        "PAYOUT_DAILY_AMOUNT": "100000",
        "PAYOUT_COOLDOWN_AFTER_TOPUP": "24h",
        "PAYOUT_HOLD_SHARED_DESTINATION": "true",
        "WITHDRAWABLE_FUNDS": "winnings",
        "TDS_RATE": "30",
    },
}
"""Per jurisdiction, the value a setting takes when the environment does not name it (amounts in major units
of the currency, durations as ``<n>s|m|h|d`` or seconds)."""


def jurisdiction(env: Mapping[str, str] | None = None) -> str:
    """The configured jurisdiction; ``ConfigError`` for an unknown one."""
    env = os.environ if env is None else env
    raw = (env.get("JURISDICTION") or "none").strip()
    value = raw.upper() if raw.lower() != "none" else "none"
    if value not in JURISDICTIONS:
        raise ConfigError(f"JURISDICTION must be one of {sorted(JURISDICTIONS)}, got {raw!r}")
    return value


def with_jurisdiction(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` with the jurisdiction's defaults filled in for every setting it leaves unset or empty."""
    env = os.environ if env is None else env
    merged = dict(env)
    for name, value in DEFAULTS[jurisdiction(env)].items():
        if not merged.get(name):
            merged[name] = value
    return merged


def env_bool(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A ``true|false|1|0|yes|no`` setting; ``ConfigError`` for anything else."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in {"true", "1", "yes"}:
        return True
    if raw in {"false", "0", "no"}:
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


_UNITS: Final = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_duration_seconds(env: Mapping[str, str], name: str, default: int = 0) -> int:
    """A duration as whole seconds (``3600``) or with a unit (``30m``, ``24h``, ``3d``); 0 means off."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    number, unit = (raw[:-1], _UNITS[raw[-1]]) if raw[-1] in _UNITS else (raw, 1)
    if not number.isdigit():
        raise ConfigError(f"{name} must be a duration such as 3600, 30m, 24h or 3d, got {raw!r}")
    return int(number) * unit
