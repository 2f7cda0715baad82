"""Wallet settings, read once from the environment at start-up and failing fast."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from winzone_kernel.config import CommonSettings

SERVICE = "wallet"


@dataclass(frozen=True, slots=True)
class WalletSettings:
    """What the wallet needs: only the settings every service shares (it reads no names of its own)."""

    common: CommonSettings

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
        """Settings from ``env`` (the process environment when None); a missing internal token is an error."""
        return cls(CommonSettings.from_env(env))
