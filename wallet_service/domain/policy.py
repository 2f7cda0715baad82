"""The ledger's policy (``winzone_kernel.funds_policy``, shared with the gateway, which shows it) and the
wallet's own schedule setting for bonus expiry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from winzone_kernel.config import ConfigError
from winzone_kernel.funds_policy import (
    DEFAULT_POLICY,
    WITHDRAWABLE,
    LedgerPolicy,
    env_percent,
    env_withdrawable_funds,
    policy_from_env,
)
from winzone_kernel.jurisdiction import env_duration_seconds

__all__ = ["DEFAULT_POLICY", "WITHDRAWABLE", "LedgerPolicy", "bonus_expiry_interval", "env_percent",
           "env_withdrawable_funds", "policy_from_env"]

DEFAULT_BONUS_EXPIRY_INTERVAL: Final = 60


def bonus_expiry_interval(env: Mapping[str, str]) -> int:
    """``BONUS_EXPIRY_INTERVAL``: seconds between the wallet's own bonus expiry sweeps (default 60, > 0)."""
    seconds = env_duration_seconds(env, "BONUS_EXPIRY_INTERVAL", DEFAULT_BONUS_EXPIRY_INTERVAL)
    if seconds <= 0:
        raise ConfigError("BONUS_EXPIRY_INTERVAL must be a positive number of seconds")
    return seconds

