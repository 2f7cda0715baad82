"""The money rules that settings choose for the ledger: the bonus share of an entry fee, which funds a payout
may draw on (and in which order), and the tax rates. The wallet enforces them; the gateway shows them in
``/api/config``; both read them here. ``LedgerPolicy()`` is the default: no tax, bonus up to 10 % of an entry
fee, payouts from winnings then deposit. ``JURISDICTION=IN`` defaults are in ``winzone_kernel.jurisdiction``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from winzone_kernel.config import ConfigError
from winzone_kernel.jurisdiction import DEFAULTS, jurisdiction

WITHDRAWABLE: Final = frozenset({"winnings", "deposit"})


@dataclass(frozen=True, slots=True)
class LedgerPolicy:
    """What the ledger's fund routing and tax rules depend on (percentages as decimals, 0-100)."""

    bonus_max_share_percent: Decimal = Decimal(10)
    withdrawable_funds: tuple[str, ...] = ("winnings", "deposit")
    tds_rate: Decimal = Decimal(0)
    gst_on_deposit_percent: Decimal = Decimal(0)
    gst_on_platform_fee_percent: Decimal = Decimal(0)


def _setting(env: Mapping[str, str], name: str, default: str) -> str:
    raw = (env.get(name) or "").strip()
    return raw or DEFAULTS[jurisdiction(env)].get(name, default)


def env_percent(env: Mapping[str, str], name: str, default: str) -> Decimal:
    """A percentage 0-100 as a decimal string (``30``, ``12.5``); ``ConfigError`` for anything else."""
    raw = _setting(env, name, default)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigError(f"{name} must be a percentage between 0 and 100, got {raw!r}") from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise ConfigError(f"{name} must be a percentage between 0 and 100, got {raw!r}")
    return value


def env_withdrawable_funds(env: Mapping[str, str]) -> tuple[str, ...]:
    """``WITHDRAWABLE_FUNDS``: a comma list of distinct funds from {winnings, deposit}, in draw order."""
    raw = _setting(env, "WITHDRAWABLE_FUNDS", "winnings,deposit")
    funds = tuple(part.strip().lower() for part in raw.split(","))
    if not funds or any(f not in WITHDRAWABLE for f in funds) or len(set(funds)) != len(funds):
        raise ConfigError(
            f"WITHDRAWABLE_FUNDS must be a comma list of distinct funds from {sorted(WITHDRAWABLE)} "
            f"(bonus is never withdrawable), got {raw!r}"
        )
    return funds


def policy_from_env(env: Mapping[str, str]) -> LedgerPolicy:
    """The ledger policy of ``env`` (jurisdiction defaults under explicit settings); ``ConfigError`` for a bad
    value, so the service refuses to start."""
    return LedgerPolicy(
        bonus_max_share_percent=env_percent(env, "BONUS_MAX_SHARE_OF_ENTRY", "10"),
        withdrawable_funds=env_withdrawable_funds(env),
        tds_rate=env_percent(env, "TDS_RATE", "0"),
        gst_on_deposit_percent=env_percent(env, "GST_ON_DEPOSIT_PERCENT", "0"),
        gst_on_platform_fee_percent=env_percent(env, "GST_ON_PLATFORM_FEE_PERCENT", "0"),
    )


DEFAULT_POLICY: Final = LedgerPolicy()
