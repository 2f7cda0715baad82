"""Payout service settings: limits in major units, the fault switch, fail-fast on bad values."""

from __future__ import annotations

import asyncio

import pytest

from payout_service.server import fault_hook, reconciler
from payout_service.settings import Fault, PayoutSettings
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone_kernel.config import ConfigError

BASE = {"INTERNAL_TOKEN": "a-random-internal-token-0123", "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY}


def test_defaults() -> None:
    settings = PayoutSettings.from_env(BASE)
    assert (settings.limits.min_minor, settings.limits.max_minor) == (10_000, 5_000_000)
    assert (settings.provider, settings.fault) == ("mock", None)
    assert settings.reconcile_interval_seconds == 60 and settings.provider_timeout_seconds == 8.0
    assert settings.reconcile_batch == 500
    assert fault_hook(settings.fault) is None


def test_limits_and_timings_come_from_the_environment() -> None:
    settings = PayoutSettings.from_env({**BASE, "PAYOUT_MIN": "250.50", "PAYOUT_MAX": "1000",
                                        "PAYOUT_RECONCILE_INTERVAL_SECONDS": "5", "PAYOUT_RECONCILE_BATCH": "3",
                                        "PAYOUT_PROVIDER_TIMEOUT_SECONDS": "2.5", "PAYMENT_PROVIDER": "stripe"})
    assert (settings.limits.min_minor, settings.limits.max_minor) == (25_050, 100_000)
    assert (settings.reconcile_interval_seconds, settings.provider_timeout_seconds) == (5, 2.5)
    assert settings.reconcile_batch == 3
    assert settings.provider == "stripe"


@pytest.mark.parametrize("env", [
    {"PAYOUT_MIN": "0"}, {"PAYOUT_MIN": "1.001"}, {"PAYOUT_MIN": "abc"}, {"PAYOUT_MIN": "600", "PAYOUT_MAX": "500"},
    {"PAYOUT_RECONCILE_INTERVAL_SECONDS": "0"}, {"PAYOUT_PROVIDER_TIMEOUT_SECONDS": "-1"},
    {"PAYOUT_RECONCILE_BATCH": "0"},
    {"PAYMENT_PROVIDER": "paypal"}, {"PAYOUT_FAULT": "explode"},
    {"PAYOUT_FAULT": "crash_after_provider_call", "APP_ENV": "production"},
])
def test_bad_settings_refuse_to_start(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        PayoutSettings.from_env({**BASE, **env})


def test_the_crash_fault_is_wired_only_when_asked_for() -> None:
    settings = PayoutSettings.from_env({**BASE, "PAYOUT_FAULT": "crash_after_provider_call"})
    assert settings.fault is Fault.CRASH_AFTER_PROVIDER_CALL
    assert fault_hook(settings.fault) is not None


def test_the_reconcile_loop_takes_every_payout_at_start_up_then_only_those_past_the_grace_period() -> None:
    settings = PayoutSettings.from_env({**BASE, "PAYOUT_RECONCILE_INTERVAL_SECONDS": "45",
                                        "PAYOUT_RECONCILE_GRACE_SECONDS": "300"})
    ages: list[int] = []
    pauses: list[float] = []

    class Service:
        async def reconcile(self, min_age_seconds: int = 0) -> None:
            ages.append(min_age_seconds)
            if len(ages) == 1:
                raise RuntimeError("a failed run does not stop the loop")

    async def scenario() -> None:
        third_pause = asyncio.Event()

        async def sleep(seconds: float) -> None:
            pauses.append(seconds)
            if len(pauses) == 3:
                third_pause.set()
                await asyncio.Event().wait()

        loop = reconciler(Service(), settings, sleep=sleep).start()
        await asyncio.wait_for(third_pause.wait(), 5)
        await loop.stop()

    asyncio.run(scenario())
    assert ages == [0, 300, 300]
    assert pauses == [45, 45, 45]
