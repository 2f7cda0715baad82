"""Reward service settings, read once from the environment at start-up and validated there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from reward_service.domain.model import FeeSchedule
from winzone_kernel.config import CommonSettings, ConfigError, env_decimal, env_int
from winzone_kernel.errors import InvalidArgument

DEFAULT_PLATFORM_FEE_PERCENTAGE = "10"
DEFAULT_ORGANIZER_FEE_PERCENTAGE = "5"


@dataclass(frozen=True, slots=True)
class RewardSettings:
    """The shared settings, the fee schedule (each fee 0-100 %, together below 100 %, decimals allowed) and
    the reconciler's timing: every ``reconcile_interval_seconds`` it settles payments left pending for at
    least ``reconcile_grace_seconds`` (at start-up, whatever their age)."""

    common: CommonSettings
    fees: FeeSchedule
    reconcile_interval_seconds: int = 60
    reconcile_grace_seconds: int = 60

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RewardSettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        platform = env_decimal(env, "PLATFORM_FEE_PERCENTAGE", DEFAULT_PLATFORM_FEE_PERCENTAGE)
        organizer = env_decimal(env, "ORGANIZER_FEE_PERCENTAGE", DEFAULT_ORGANIZER_FEE_PERCENTAGE)
        try:
            fees = FeeSchedule(platform, organizer)
        except InvalidArgument as exc:
            raise ConfigError(f"PLATFORM_FEE_PERCENTAGE / ORGANIZER_FEE_PERCENTAGE: {exc.message}") from exc
        return cls(
            common=common,
            fees=fees,
            reconcile_interval_seconds=env_int(env, "REWARD_RECONCILE_INTERVAL_SECONDS", 60, minimum=1),
            reconcile_grace_seconds=env_int(env, "REWARD_RECONCILE_GRACE_SECONDS", 60),
        )
