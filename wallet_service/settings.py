"""Wallet settings, read once from the environment at start-up and failing fast."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from wallet_service.domain.policy import (
    DEFAULT_BONUS_EXPIRY_INTERVAL,
    DEFAULT_POLICY,
    LedgerPolicy,
    bonus_expiry_interval,
    policy_from_env,
)
from winzone_kernel.config import CommonSettings

SERVICE = "wallet"


@dataclass(frozen=True, slots=True)
class WalletSettings:
    """What the wallet needs: the settings every service shares and the interval of its bonus expiry sweep."""

    common: CommonSettings
    bonus_expiry_interval: int = DEFAULT_BONUS_EXPIRY_INTERVAL
    """Seconds between the wallet's own bonus expiry sweeps (``BONUS_EXPIRY_INTERVAL``, default 60)."""
    policy: LedgerPolicy = DEFAULT_POLICY
    """Fund routing and tax rules (BONUS_MAX_SHARE_OF_ENTRY, WITHDRAWABLE_FUNDS, TDS_RATE, GST_ON_*)."""

    @property
    def port(self) -> int:
        """The gRPC port (``WALLET_SERVICE_PORT``; 0 picks a free one)."""
        return self.common.ports[SERVICE]

    @property
    def metrics_port(self) -> int:
        """The ``/metrics`` port (``WALLET_METRICS_PORT``; 0 disables it)."""
        return self.common.metrics_ports.get(SERVICE, 0)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WalletSettings:
        """Settings from ``env`` (the process environment when None); a missing internal token or a bad ledger
        setting is an error."""
        source = os.environ if env is None else env
        return cls(CommonSettings.from_env(source), bonus_expiry_interval=bonus_expiry_interval(source),
                   policy=policy_from_env(source))
