"""KYC settings: ``KYC_REQUIRED_FOR_PAYOUT`` and ``MIN_AGE`` through ``with_jurisdiction``, and ``KYC_PAN_KEY``
(required in production or when KYC is required; the PAN index key is derived from it, never the key)."""

from __future__ import annotations

import pytest

from payout_service.settings import KycSettings
from winzone_kernel.config import ConfigError
from winzone_kernel.dev_secrets import new_aes_key
from winzone_kernel.sealing import decode_key


def test_off_by_default_without_a_key(tmp_path: object) -> None:
    kyc = KycSettings.from_env({"WINZONE_DATA_DIR": str(tmp_path)})
    assert (kyc.required, kyc.min_age, kyc.sealer) == (False, 18, None)


def test_read_from_the_environment() -> None:
    key = new_aes_key()
    kyc = KycSettings.from_env({"KYC_PAN_KEY": key, "KYC_REQUIRED_FOR_PAYOUT": "true", "MIN_AGE": "21"})
    assert (kyc.required, kyc.min_age) == (True, 21)
    assert kyc.sealer is not None and kyc.sealer.open(kyc.sealer.seal("ABCDE1234F", "u"), "u") == "ABCDE1234F"
    assert len(kyc.index_key) == 32 and kyc.index_key != decode_key(key, "KYC_PAN_KEY")
    assert "ABCDE" not in repr(kyc) and key not in repr(kyc)


def test_the_indian_jurisdiction_requires_kyc() -> None:
    assert KycSettings.from_env({"JURISDICTION": "IN", "KYC_PAN_KEY": new_aes_key()}).required is True
    assert KycSettings.from_env({"JURISDICTION": "IN", "KYC_PAN_KEY": new_aes_key(),
                                 "KYC_REQUIRED_FOR_PAYOUT": "false"}).required is False


@pytest.mark.parametrize("env", [
    {"KYC_REQUIRED_FOR_PAYOUT": "true"},
    {"APP_ENV": "production"},
    {"KYC_PAN_KEY": "short"},
    {"KYC_PAN_KEY": new_aes_key(), "MIN_AGE": "-1"},
    {"KYC_PAN_KEY": new_aes_key(), "MIN_AGE": "eighteen"},
    {"KYC_PAN_KEY": new_aes_key(), "MIN_AGE": "18.5"},
    {"KYC_PAN_KEY": new_aes_key(), "KYC_REQUIRED_FOR_PAYOUT": "maybe"},
])
def test_bad_settings_refuse_to_start(env: dict[str, str], tmp_path: object) -> None:
    with pytest.raises(ConfigError):
        KycSettings.from_env({"WINZONE_DATA_DIR": str(tmp_path), **env})
