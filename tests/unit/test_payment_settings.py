"""Payment gateway settings: provider choice, secrets, exact top-up limits, URLs; bad values refuse to start."""

from __future__ import annotations

from pathlib import Path

import pytest

from payment_gateway.domain.model import TopUpLimits
from payment_gateway.settings import PaymentSettings
from winzone_kernel.config import ConfigError
from winzone_kernel.dev_secrets import ensure_dev_secrets
from winzone_kernel.errors import InvalidArgument

MOCK_SECRET = "whsec_mock_secret_of_this_test_0123"
BASE = {"INTERNAL_TOKEN": "internal-token-0123456789", "APP_ENV": "development", "MOCK_WEBHOOK_SECRET": MOCK_SECRET}
STRIPE = {"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_0123456789",
          "STRIPE_WEBHOOK_SECRET": "whsec_0123456789"}


def settings(**env: str) -> PaymentSettings:
    return PaymentSettings.from_env({**BASE, **env})


def test_defaults_are_the_mock_provider_and_the_documented_limits() -> None:
    s = settings()
    assert (s.provider, s.mock_webhook_secret) == ("mock", MOCK_SECRET)
    assert s.limits.bounds == {"INR": (1_000, 10_000_000), "USD": (1_000, 10_000_000)}
    assert s.frontend_url == "http://localhost:5000" and s.gateway_public_url == "http://localhost:5000"
    assert s.success_url == "http://localhost:5000/wallet/topup/success?session_id={session_id}"
    moved = settings(GATEWAY_PORT="8080")
    assert moved.gateway_public_url == moved.frontend_url == "http://localhost:8080"
    public = settings(GATEWAY_PUBLIC_URL="https://winzone.example/")
    assert public.frontend_url == "https://winzone.example"
    assert public.cancel_url == "https://winzone.example/wallet/topup/cancel?session_id={session_id}"
    assert settings(FRONTEND_URL="http://localhost:5173").frontend_url == "http://localhost:5173"
    assert settings(FRONTEND_URL="https://app.example/").frontend_url == "https://app.example"


def test_limits_are_parsed_exactly_in_major_units() -> None:
    s = settings(TOPUP_MIN="0.5", TOPUP_MAX="250.75", TOPUP_CURRENCIES="INR")
    assert s.limits.bounds == {"INR": (50, 25_075)}
    for bad in ({"TOPUP_MIN": "10.005"}, {"TOPUP_MIN": "abc"}, {"TOPUP_MAX": "NaN"}, {"TOPUP_MIN": "0"},
                {"TOPUP_MIN": "100", "TOPUP_MAX": "10"}, {"TOPUP_CURRENCIES": "EUR"}, {"TOPUP_CURRENCIES": ","}):
        with pytest.raises(ConfigError):
            settings(**bad)


def test_the_mock_provider_is_refused_in_production() -> None:
    with pytest.raises(ConfigError, match="refused"):
        settings(APP_ENV="production")
    assert settings(APP_ENV="production", **STRIPE).provider == "stripe"


@pytest.mark.parametrize("missing", [
    {"STRIPE_SECRET_KEY": ""}, {"STRIPE_SECRET_KEY": "changeme"}, {"STRIPE_WEBHOOK_SECRET": ""},
    {"STRIPE_WEBHOOK_SECRET": "secret"},
])
def test_stripe_needs_real_looking_secrets(missing: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        settings(**{**STRIPE, **missing})


def test_unknown_providers_and_weak_mock_secrets_are_refused() -> None:
    with pytest.raises(ConfigError):
        settings(PAYMENT_PROVIDER="paypal")
    with pytest.raises(ConfigError):
        settings(MOCK_WEBHOOK_SECRET="short")


def test_secrets_stay_out_of_the_repr() -> None:
    text = repr(settings(**STRIPE, MOCK_WEBHOOK_SECRET="mock-secret-0123456789"))
    for secret in ("sk_test_0123456789", "whsec_0123456789", "mock-secret-0123456789"):
        assert secret not in text


def test_limits_check_each_currency() -> None:
    limits = TopUpLimits({"INR": (1_000, 10_000_000)})
    limits.check(1_000, "INR")
    limits.check(10_000_000, "INR")
    for amount, currency in ((999, "INR"), (10_000_001, "INR"), (5_000, "USD")):
        with pytest.raises(InvalidArgument):
            limits.check(amount, currency)


def test_the_mock_provider_needs_a_generated_webhook_key_and_has_no_published_default(tmp_path: Path) -> None:
    env = {**BASE, "WINZONE_DATA_DIR": str(tmp_path)}
    del env["MOCK_WEBHOOK_SECRET"]
    with pytest.raises(ConfigError, match="MOCK_WEBHOOK_SECRET"):
        PaymentSettings.from_env(env)
    assert PaymentSettings.from_env({**env, **STRIPE}).mock_webhook_secret == ""
    generated = ensure_dev_secrets(tmp_path)["MOCK_WEBHOOK_SECRET"]
    assert PaymentSettings.from_env(env).mock_webhook_secret == generated
    assert ensure_dev_secrets(tmp_path)["MOCK_WEBHOOK_SECRET"] == generated
    assert ensure_dev_secrets(tmp_path / "other")["MOCK_WEBHOOK_SECRET"] != generated
    assert PaymentSettings.from_env({**env, **STRIPE, "APP_ENV": "production"}).mock_webhook_secret == ""
