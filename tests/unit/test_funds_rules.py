"""The gateway's ``/api/config`` shows the funds and tax rules from the same reading of the settings the wallet
enforces (``winzone_kernel.funds_policy``): defaults, jurisdiction defaults, explicit values, bad values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api_gateway.settings import GatewaySettings
from wallet_service.domain.policy import policy_from_env
from winzone_kernel.config import ConfigError

BASE = {"INTERNAL_TOKEN": "t" * 32, "JWT_SECRET": "j" * 40}


def gateway_rules(env: dict[str, str]) -> object:
    return GatewaySettings.from_env({**BASE, **env}).funds_rules


ENVS = [
    {}, {"JURISDICTION": "IN"}, {"JURISDICTION": "in", "TDS_RATE": "0", "WITHDRAWABLE_FUNDS": "deposit, winnings"},
    {"TDS_RATE": "12.5", "GST_ON_DEPOSIT_PERCENT": "28", "GST_ON_PLATFORM_FEE_PERCENT": "18",
     "BONUS_MAX_SHARE_OF_ENTRY": "0"}, {"JURISDICTION": "none", "WITHDRAWABLE_FUNDS": "winnings"},
]


@pytest.mark.parametrize("env", ENVS)
def test_the_gateway_reads_the_settings_as_the_wallet_does(env: dict[str, str]) -> None:
    assert gateway_rules(env) == policy_from_env(env)


@pytest.mark.parametrize("env", [{"TDS_RATE": "101"}, {"TDS_RATE": "NaN"}, {"TDS_RATE": "-1"},
                                 {"WITHDRAWABLE_FUNDS": "bonus"}, {"WITHDRAWABLE_FUNDS": "winnings,winnings"},
                                 {"GST_ON_DEPOSIT_PERCENT": "x"}, {"JURISDICTION": "US"}])
def test_bad_settings_are_refused_by_both(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        gateway_rules(env)
    with pytest.raises(ConfigError):
        policy_from_env(env)


def test_in_defaults() -> None:
    rules = policy_from_env({"JURISDICTION": "IN"})
    assert (rules.tds_rate, rules.withdrawable_funds, rules.gst_on_deposit_percent) == (Decimal(30), ("winnings",),
                                                                                         Decimal(0))
