"""The payout risk settings: off by default, major units to minor, JURISDICTION=IN defaults, bad values refused,
and the destination fingerprint (keyed, normalized, never the key itself)."""

from __future__ import annotations

import pytest

from payout_service.domain.methods import parse_payout_method
from payout_service.domain.risk import RiskRules, destination_fingerprint, normalized_destination
from payout_service.settings import PayoutSettings, destination_key
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from winzone_kernel.config import ConfigError
from winzone_kernel.sealing import decode_key

BASE = {"INTERNAL_TOKEN": "a-random-internal-token-0123", "PAYOUT_METHOD_KEY": TEST_PAYOUT_METHOD_KEY}


def test_every_rule_is_off_by_default() -> None:
    risk = PayoutSettings.from_env(BASE).risk
    assert (risk.dual_approval_threshold, risk.daily_count, risk.daily_amount, risk.cooldown_after_topup_seconds,
            risk.hold_shared_destination) == (0, 0, 0, 0, False)
    assert risk.destination_key is not None and "destination_key" not in repr(risk)


def test_values_come_from_the_environment() -> None:
    risk = PayoutSettings.from_env({**BASE, "PAYOUT_DUAL_APPROVAL_THRESHOLD": "10000.5", "PAYOUT_DAILY_COUNT": "4",
                                    "PAYOUT_DAILY_AMOUNT": "250", "PAYOUT_COOLDOWN_AFTER_TOPUP": "30m",
                                    "PAYOUT_HOLD_SHARED_DESTINATION": "yes"}).risk
    assert (risk.dual_approval_threshold, risk.daily_count, risk.daily_amount, risk.cooldown_after_topup_seconds,
            risk.hold_shared_destination) == (1_000_050, 4, 25_000, 1800, True)


def test_india_fills_the_defaults() -> None:
    india = {**BASE, "JURISDICTION": "IN", "KYC_PAN_KEY": TEST_PAYOUT_METHOD_KEY}
    risk = PayoutSettings.from_env(india).risk
    assert (risk.dual_approval_threshold, risk.daily_count, risk.daily_amount, risk.cooldown_after_topup_seconds,
            risk.hold_shared_destination) == (1_000_000, 5, 10_000_000, 86_400, True)
    assert PayoutSettings.from_env({**india, "PAYOUT_DAILY_COUNT": "0"}).risk.daily_count == 0


@pytest.mark.parametrize(("name", "value"), [
    ("PAYOUT_DUAL_APPROVAL_THRESHOLD", "-1"), ("PAYOUT_DUAL_APPROVAL_THRESHOLD", "abc"),
    ("PAYOUT_DUAL_APPROVAL_THRESHOLD", "0.001"), ("PAYOUT_DAILY_AMOUNT", "NaN"), ("PAYOUT_DAILY_COUNT", "-3"),
    ("PAYOUT_DAILY_COUNT", "2.5"), ("PAYOUT_COOLDOWN_AFTER_TOPUP", "soon"), ("PAYOUT_HOLD_SHARED_DESTINATION", "2"),
])
def test_bad_values_are_refused_at_start_up(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        PayoutSettings.from_env({**BASE, name: value})


def test_destination_fingerprint_is_keyed_and_normalized() -> None:
    key = destination_key(BASE)
    assert key != decode_key(TEST_PAYOUT_METHOD_KEY, "PAYOUT_METHOD_KEY")
    upper = parse_payout_method({"type": "upi", "details": {"upiId": "Player@PayTM", "name": "A"}})
    lower = parse_payout_method({"type": "upi", "details": {"upiId": "player@paytm", "name": "B"}})
    bank = parse_payout_method({"type": "bank", "details": {"accountNumber": "123456784321", "ifsc": "hdfc0001234",
                                                            "accountHolderName": "A"}})
    assert destination_fingerprint(upper, key) == destination_fingerprint(lower, key)
    assert destination_fingerprint(upper, key) != destination_fingerprint(upper, b"k" * 32)
    assert normalized_destination(bank) == "bank:HDFC0001234:123456784321"
    assert "123456784321" not in destination_fingerprint(bank, key)
    assert RiskRules().destination_key is None
