"""What every workflow works with: the store, the wallet, the fee schedule, the one clock and the lease terms."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from reward_service.domain.model import FeeSchedule
from reward_service.domain.ports import RewardStore, WalletPort
from reward_service.domain.postings import REFUND_BATCH
from winzone_kernel.backoff import Backoff
from winzone_kernel.clock import Clock, format_utc, utc_now

LEASE = timedelta(seconds=30)
"""How long a driver owns a pending contribution; well above the wallet call's deadline."""


@dataclass(frozen=True, slots=True)
class RewardContext:
    """The dependencies of the reward workflows. ``clock`` stamps every record and times every lease; its
    instants are stored as ``format_utc`` strings, which sort as text in time order. ``backoff`` remembers, for
    the reconciler, the records whose last attempts failed."""

    store: RewardStore
    wallet: WalletPort
    fees: FeeSchedule
    clock: Clock = utc_now
    lease: timedelta = LEASE
    refund_batch: int = REFUND_BATCH
    backoff: Backoff = field(default_factory=Backoff)

    def now(self) -> str:
        """The clock's current instant as a stored timestamp."""
        return format_utc(self.clock())
