"""Payment gateway settings, read once from the environment at start-up and failing fast."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from payment_gateway.domain.model import TopUpLimits
from winzone_kernel.config import PLACEHOLDER_SECRETS, CommonSettings, ConfigError, env_decimal
from winzone_kernel.dev_secrets import dev_secret
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import CURRENCIES, to_minor

PROVIDERS = ("mock", "stripe")

DEFAULT_TOPUP_MIN = "10"
DEFAULT_TOPUP_MAX = "100000"
DEFAULT_CURRENCIES = "INR,USD"


@dataclass(frozen=True, slots=True)
class PaymentSettings:
    """Everything the payment gateway needs besides its adapters. Secrets are excluded from ``repr``."""

    common: CommonSettings
    provider: str
    limits: TopUpLimits
    frontend_url: str
    gateway_public_url: str
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)
    mock_webhook_secret: str = field(default="", repr=False)
    """Signs the mock provider's webhooks: ``MOCK_WEBHOOK_SECRET``, which `winzone up` generates per data folder;
    there is no default (with the mock provider the gateway refuses to start without it)."""
    stripe_api_base: str | None = None

    @property
    def success_url(self) -> str:
        """Where the provider sends the player after paying; ``{session_id}`` is OUR session id."""
        return f"{self.frontend_url}/wallet/topup/success?session_id={{session_id}}"

    @property
    def cancel_url(self) -> str:
        """Where the provider sends the player who gives up; ``{session_id}`` is OUR session id."""
        return f"{self.frontend_url}/wallet/topup/cancel?session_id={{session_id}}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PaymentSettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        provider = (env.get("PAYMENT_PROVIDER") or "mock").strip().lower()
        if provider not in PROVIDERS:
            raise ConfigError(f"PAYMENT_PROVIDER must be one of {', '.join(PROVIDERS)}")
        if provider == "mock" and common.production:
            raise ConfigError("PAYMENT_PROVIDER=mock is refused when APP_ENV=production")
        stripe_key = env.get("STRIPE_SECRET_KEY", "")
        stripe_webhook = env.get("STRIPE_WEBHOOK_SECRET", "")
        if provider == "stripe":
            if not stripe_key.startswith(("sk_", "rk_")) or len(stripe_key) < 12:
                raise ConfigError("STRIPE_SECRET_KEY must be set to a Stripe secret key (sk_...)")
            if not stripe_webhook.startswith("whsec_") or len(stripe_webhook) < 12:
                raise ConfigError("STRIPE_WEBHOOK_SECRET must be set to the endpoint's signing secret (whsec_...)")
        mock_secret = dev_secret(env, "MOCK_WEBHOOK_SECRET") or ""
        if provider == "mock" and not mock_secret:
            raise ConfigError("MOCK_WEBHOOK_SECRET must be set with PAYMENT_PROVIDER=mock (`winzone up` generates "
                              "one per data folder)")
        if mock_secret and (mock_secret.lower() in PLACEHOLDER_SECRETS or len(mock_secret) < 16):
            raise ConfigError("MOCK_WEBHOOK_SECRET must be at least 16 characters")
        port = env.get("GATEWAY_PORT") or "5000"
        public_url = (env.get("GATEWAY_PUBLIC_URL") or f"http://localhost:{port}").rstrip("/")
        return cls(
            common=common,
            provider=provider,
            limits=_limits(env),
            frontend_url=(env.get("FRONTEND_URL") or public_url).rstrip("/"),
            gateway_public_url=public_url,
            stripe_secret_key=stripe_key,
            stripe_webhook_secret=stripe_webhook,
            mock_webhook_secret=mock_secret,
            stripe_api_base=env.get("STRIPE_API_BASE") or None,
        )


def _limits(env: Mapping[str, str]) -> TopUpLimits:
    codes = [c.strip() for c in (env.get("TOPUP_CURRENCIES") or DEFAULT_CURRENCIES).split(",") if c.strip()]
    unknown = [c for c in codes if c not in CURRENCIES]
    if not codes or unknown:
        raise ConfigError(f"TOPUP_CURRENCIES must list supported currencies ({', '.join(sorted(CURRENCIES))})")
    low = env_decimal(env, "TOPUP_MIN", DEFAULT_TOPUP_MIN)
    high = env_decimal(env, "TOPUP_MAX", DEFAULT_TOPUP_MAX)
    bounds: dict[str, tuple[int, int]] = {}
    for code in codes:
        try:
            bounds[code] = (to_minor(low, code), to_minor(high, code))
        except InvalidArgument as exc:
            raise ConfigError(f"TOPUP_MIN / TOPUP_MAX are not valid amounts of {code}: {exc.message}") from exc
        if bounds[code][0] > bounds[code][1]:
            raise ConfigError("TOPUP_MIN must not exceed TOPUP_MAX")
    return TopUpLimits(bounds)
