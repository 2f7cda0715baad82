"""Payout service settings, read once from the environment at start-up."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from payout_service.domain.kyc import DEFAULT_MIN_AGE
from payout_service.domain.limits import DEFAULT_PAYOUT_MAX_MINOR, DEFAULT_PAYOUT_MIN_MINOR, PayoutLimits
from payout_service.domain.risk import RiskRules
from winzone_kernel.config import CommonSettings, ConfigError, env_decimal, env_int
from winzone_kernel.dev_secrets import dev_secret
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.jurisdiction import env_bool, env_duration_seconds, with_jurisdiction
from winzone_kernel.money import DEFAULT_CURRENCY, to_major, to_minor
from winzone_kernel.sealing import Sealer, decode_key

PROVIDERS = frozenset({"mock", "stripe"})


class Fault(StrEnum):
    """Failures the service can be told to inject, for crash tests (``PAYOUT_FAULT``); never in production."""

    CRASH_AFTER_PROVIDER_CALL = "crash_after_provider_call"
    """SIGKILL this process right after the payment gateway answered ``SendPayout``, before the capture."""


def _limit(env: Mapping[str, str], name: str, default_minor: int) -> int:
    value = env_decimal(env, name, str(to_major(default_minor, DEFAULT_CURRENCY)))
    try:
        return to_minor(Decimal(value), DEFAULT_CURRENCY)
    except InvalidArgument as exc:
        raise ConfigError(f"{name} must be a positive amount in major units, got {value}") from exc


def _optional_limit(env: Mapping[str, str], name: str) -> int:
    """A major-unit amount in minor units, 0 when unset or 0 (the rule is off)."""
    value = env_decimal(env, name, "0")
    if value == 0:
        return 0
    try:
        return to_minor(Decimal(value), DEFAULT_CURRENCY)
    except InvalidArgument as exc:
        raise ConfigError(f"{name} must be 0 or a positive amount in major units, got {value}") from exc


def destination_key(env: Mapping[str, str]) -> bytes:
    """The key of destination fingerprints, derived from ``PAYOUT_METHOD_KEY`` (never the key itself)."""
    root = decode_key(dev_secret(env, "PAYOUT_METHOD_KEY") or "", "PAYOUT_METHOD_KEY")
    return hmac.new(root, b"payout-destination", hashlib.sha256).digest()


def risk_rules(env: Mapping[str, str]) -> RiskRules:
    """The payout risk rules, read through ``with_jurisdiction`` so that ``JURISDICTION=IN`` fills the
    defaults (``PAYOUT_HOLD_SHARED_DESTINATION`` included)."""
    env = with_jurisdiction(env)
    return RiskRules(
        dual_approval_threshold=_optional_limit(env, "PAYOUT_DUAL_APPROVAL_THRESHOLD"),
        daily_count=env_int(env, "PAYOUT_DAILY_COUNT", 0),
        daily_amount=_optional_limit(env, "PAYOUT_DAILY_AMOUNT"),
        cooldown_after_topup_seconds=env_duration_seconds(env, "PAYOUT_COOLDOWN_AFTER_TOPUP"),
        hold_shared_destination=env_bool(env, "PAYOUT_HOLD_SHARED_DESTINATION"),
        destination_key=destination_key(env),
    )


@dataclass(frozen=True, slots=True)
class KycSettings:
    """KYC: whether payouts require it (``KYC_REQUIRED_FOR_PAYOUT``), ``MIN_AGE``, and the PAN keys from
    ``KYC_PAN_KEY``: the sealer and the PAN index key derived from it (``None`` when no key is configured
    outside production; the KYC RPCs are then unavailable)."""

    required: bool = False
    min_age: int = DEFAULT_MIN_AGE
    sealer: Sealer | None = field(default=None, repr=False)
    index_key: bytes = field(default=b"", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> KycSettings:
        """Read through ``with_jurisdiction``; the key is required in production or when KYC is required."""
        env = with_jurisdiction(env)
        required = env_bool(env, "KYC_REQUIRED_FOR_PAYOUT")
        min_age = env_int(env, "MIN_AGE", DEFAULT_MIN_AGE)
        raw = dev_secret(env, "KYC_PAN_KEY")
        if not raw and not required and env.get("APP_ENV", "development") != "production":
            return cls(required, min_age)
        sealer = Sealer.from_env(env, "KYC_PAN_KEY")
        root = decode_key(raw or "", "KYC_PAN_KEY")
        return cls(required, min_age, sealer, hmac.new(root, b"pan-index", hashlib.sha256).digest())


def _seconds(env: Mapping[str, str], name: str, default: str) -> float:
    value = env_decimal(env, name, default)
    if value <= 0:
        raise ConfigError(f"{name} must be a positive number of seconds")
    return float(value)


@dataclass(frozen=True, slots=True)
class PayoutSettings:
    """Everything the payout service needs besides its adapters."""

    common: CommonSettings
    limits: PayoutLimits
    provider: str
    reconcile_interval_seconds: int
    reconcile_grace_seconds: int
    reconcile_batch: int
    provider_timeout_seconds: float
    fault: Fault | None
    method_sealer: Sealer = field(repr=False)
    """Seals payout methods at rest: ``PAYOUT_METHOD_KEY`` (refused at start-up when missing or malformed)."""
    risk: RiskRules = field(default_factory=RiskRules, repr=False)
    kyc: KycSettings = field(default_factory=KycSettings, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PayoutSettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        low = _limit(env, "PAYOUT_MIN", DEFAULT_PAYOUT_MIN_MINOR)
        high = _limit(env, "PAYOUT_MAX", DEFAULT_PAYOUT_MAX_MINOR)
        if low > high:
            raise ConfigError("PAYOUT_MIN must not exceed PAYOUT_MAX")
        provider = env.get("PAYMENT_PROVIDER") or "mock"
        if provider not in PROVIDERS:
            raise ConfigError(f"PAYMENT_PROVIDER must be one of {sorted(PROVIDERS)}")
        raw_fault = env.get("PAYOUT_FAULT") or None
        try:
            fault = Fault(raw_fault) if raw_fault else None
        except ValueError:
            raise ConfigError(f"PAYOUT_FAULT must be one of {[f.value for f in Fault]}") from None
        if fault is not None and common.production:
            raise ConfigError("PAYOUT_FAULT is for tests and must not be set when APP_ENV=production")
        return cls(
            common=common,
            limits=PayoutLimits(low, high),
            provider=provider,
            reconcile_interval_seconds=env_int(env, "PAYOUT_RECONCILE_INTERVAL_SECONDS", 60, minimum=1),
            reconcile_grace_seconds=env_int(env, "PAYOUT_RECONCILE_GRACE_SECONDS", 120),
            reconcile_batch=env_int(env, "PAYOUT_RECONCILE_BATCH", 500, minimum=1),
            # Below the gateway's 10 s deadline on ApprovePayout, so that a slow provider answers the admin
            # "approved, pending" instead of a 503 for an approval that was in fact recorded.
            provider_timeout_seconds=_seconds(env, "PAYOUT_PROVIDER_TIMEOUT_SECONDS", "8"),
            fault=fault,
            method_sealer=Sealer.from_env(env, "PAYOUT_METHOD_KEY"),
            risk=risk_rules(env),
            kyc=KycSettings.from_env(env),
        )
