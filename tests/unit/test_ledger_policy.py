"""The ledger policy read from the environment (jurisdiction defaults under explicit settings, bad values
refused at start-up) and the pure fund rules: draw orders, the bonus cap, debit and refund splits."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wallet_service.domain.funds import (
    Funds,
    bonus_cap,
    credit_fund,
    debit_split,
    draw_order,
    refund_split,
    withdrawable,
)
from wallet_service.domain.policy import LedgerPolicy, policy_from_env
from wallet_service.settings import WalletSettings
from winzone_kernel.config import ConfigError

TOKEN = {"INTERNAL_TOKEN": "a-real-internal-token-for-tests"}


def test_no_settings_give_the_default_policy() -> None:
    assert policy_from_env({}) == LedgerPolicy() == LedgerPolicy(
        bonus_max_share_percent=Decimal(10), withdrawable_funds=("winnings", "deposit"), tds_rate=Decimal(0),
        gst_on_deposit_percent=Decimal(0), gst_on_platform_fee_percent=Decimal(0))


def test_india_withdraws_winnings_only_and_withholds_30_percent() -> None:
    policy = policy_from_env({"JURISDICTION": "IN"})
    assert (policy.withdrawable_funds, policy.tds_rate) == (("winnings",), Decimal(30))
    assert (policy.gst_on_deposit_percent, policy.gst_on_platform_fee_percent) == (Decimal(0), Decimal(0))
    assert policy.bonus_max_share_percent == Decimal(10)


def test_an_explicit_setting_wins_over_the_jurisdiction() -> None:
    policy = policy_from_env({"JURISDICTION": "IN", "WITHDRAWABLE_FUNDS": "deposit, winnings", "TDS_RATE": "0",
                              "BONUS_MAX_SHARE_OF_ENTRY": "12.5", "GST_ON_DEPOSIT_PERCENT": "28",
                              "GST_ON_PLATFORM_FEE_PERCENT": "18"})
    assert policy == LedgerPolicy(Decimal("12.5"), ("deposit", "winnings"), Decimal(0), Decimal(28), Decimal(18))


@pytest.mark.parametrize(("name", "raw"), [
    ("WITHDRAWABLE_FUNDS", "bonus"), ("WITHDRAWABLE_FUNDS", "winnings,bonus"), ("WITHDRAWABLE_FUNDS", "cash"),
    ("WITHDRAWABLE_FUNDS", "winnings,winnings"), ("WITHDRAWABLE_FUNDS", ","), ("TDS_RATE", "101"),
    ("TDS_RATE", "-1"), ("TDS_RATE", "NaN"), ("TDS_RATE", "thirty"), ("TDS_RATE", "Infinity"),
    ("BONUS_MAX_SHARE_OF_ENTRY", "100.01"), ("GST_ON_DEPOSIT_PERCENT", "1e3"), ("GST_ON_PLATFORM_FEE_PERCENT", "x"),
])
def test_a_bad_value_is_refused_at_start_up(name: str, raw: str) -> None:
    with pytest.raises(ConfigError, match=name):
        policy_from_env({name: raw})
    with pytest.raises(ConfigError, match=name):
        WalletSettings.from_env({**TOKEN, name: raw})


def test_the_wallet_settings_carry_the_policy() -> None:
    settings = WalletSettings.from_env({**TOKEN, "JURISDICTION": "IN"})
    assert settings.policy == LedgerPolicy(withdrawable_funds=("winnings",), tds_rate=Decimal(30))


def test_credit_routing_and_draw_orders() -> None:
    policy = LedgerPolicy()
    assert [credit_fund(t) for t in ("topup", "credit", "reward", "organizerFee", "bonus", "migration")] == [
        "deposit", "deposit", "winnings", "winnings", "bonus", "winnings"]
    assert draw_order("entryFee", policy) == ("bonus", "deposit", "winnings")
    assert draw_order("payout", policy) == ("winnings", "deposit")
    assert draw_order("payout", LedgerPolicy(withdrawable_funds=("winnings",))) == ("winnings",)
    for tx_type in ("debit", "chargeback", "tds"):
        assert draw_order(tx_type, policy) == ("deposit", "winnings")
    assert draw_order("bonusExpired", policy) == ("bonus",)


@pytest.mark.parametrize(("fee", "share", "cap"), [(1_000, "10", 100), (55, "10", 5), (9, "10", 0),
                                                   (1_000, "12.5", 125), (333, "33.3", 110), (700, "0", 0),
                                                   (700, "100", 700)])
def test_the_bonus_cap_rounds_down(fee: int, share: str, cap: int) -> None:
    assert bonus_cap(fee, LedgerPolicy(bonus_max_share_percent=Decimal(share))) == cap


def test_debit_and_refund_splits() -> None:
    order = ("bonus", "deposit", "winnings")
    assert debit_split(1_000, order, Funds(300, 5_000, 500), {"bonus": 100}) == Funds(-300, -600, -100)
    assert debit_split(400, ("winnings",), Funds(300, 100, 0)) == Funds(0, -400, 0)
    assert debit_split(400, ("deposit", "winnings"), Funds(100, 100, 0)) == Funds(-300, -100, 0)
    assert refund_split(700, Funds(300, 600, 100)) == Funds(100, 600, 0)
    assert refund_split(1_200, Funds(300, 600, 100)) == Funds(500, 600, 100)
    assert withdrawable(Funds(300, 500, 900), Funds(100, 500, 0), LedgerPolicy()) == 200
    assert Funds(0, -5, 7).to_dict() == {"winnings": -5, "bonus": 7}
    assert Funds.of({"deposit": 3}).total == 3
    with pytest.raises(ValueError, match="unknown funds"):
        Funds.of({"cash": 1})
