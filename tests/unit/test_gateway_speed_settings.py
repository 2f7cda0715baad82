"""``AUTH_CACHE_SECONDS`` and ``GATEWAY_WORKERS``: their defaults, and the values refused at start-up."""

from __future__ import annotations

import pytest

from api_gateway.settings import GatewaySettings
from winzone_kernel.config import ConfigError

BASE = {"JWT_SECRET": "j" * 40, "INTERNAL_TOKEN": "i" * 24}


def test_defaults() -> None:
    settings = GatewaySettings.from_env(BASE)
    assert settings.auth_cache_seconds == 5
    assert settings.workers == 1


def test_values_in_range_are_taken() -> None:
    settings = GatewaySettings.from_env({**BASE, "AUTH_CACHE_SECONDS": "0", "GATEWAY_WORKERS": "4"})
    assert (settings.auth_cache_seconds, settings.workers) == (0, 4)


@pytest.mark.parametrize(("name", "value"), [
    ("AUTH_CACHE_SECONDS", "-1"), ("AUTH_CACHE_SECONDS", "301"), ("AUTH_CACHE_SECONDS", "5.5"),
    ("AUTH_CACHE_SECONDS", "five"), ("GATEWAY_WORKERS", "0"), ("GATEWAY_WORKERS", "65"), ("GATEWAY_WORKERS", "-2"),
    ("GATEWAY_WORKERS", "two"),
])
def test_bad_values_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        GatewaySettings.from_env({**BASE, name: value})
