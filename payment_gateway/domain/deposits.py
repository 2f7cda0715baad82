"""Responsible-gaming checks on a new top-up: the player's self-exclusion and deposit limits, as the wallet
keeps them (``GetPlayerControls``), applied by the payment gateway when a session is created.

The limits count sessions, not credits: what a player has committed to pay in a window is every session they
opened in it that has not closed without money (``failed``, ``expired``, ``cancelled``). The store checks the
sums and inserts the new session in one atomic write (``TopUpStore.add_session`` with a ``DepositGuard``), so
concurrent top-ups never pass a limit together. A paid session is always credited: the money has arrived.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from winzone_kernel.clock import format_utc
from winzone_kernel.errors import FailedPrecondition
from winzone_kernel.money import to_major

DAY: Final = timedelta(hours=24)
MONTH: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class DepositControls:
    """What a top-up needs to know of a player's controls in one currency (limits in minor units)."""

    self_excluded: bool = False
    excluded_until: str | None = None
    deposit_daily: int | None = None
    deposit_monthly: int | None = None


@dataclass(frozen=True, slots=True)
class DepositWindow:
    """One rolling window: sessions created at ``since`` or later count against ``limit``."""

    name: str
    since: str
    limit: int


@dataclass(frozen=True, slots=True)
class DepositGuard:
    """What a new session of ``currency`` must pass: no self-exclusion, and room in each deposit window. A
    replay of an existing session (same idempotency key) is answered without it."""

    currency: str
    windows: tuple[DepositWindow, ...]
    self_excluded: bool = False

    def check(self, used: Sequence[int], amount: int) -> None:
        """Raise ``SELF_EXCLUDED``, or ``LIMIT_EXCEEDED`` when ``amount`` on top of ``used`` (one sum per
        window) passes a limit."""
        if self.self_excluded:
            raise FailedPrecondition("You are self-excluded: top-ups are refused until the exclusion ends",
                                     code="SELF_EXCLUDED")
        for window, spent in zip(self.windows, used, strict=True):
            if spent + amount > window.limit:
                left = max(0, window.limit - spent)
                raise FailedPrecondition(
                    f"This top-up would pass your {window.name} deposit limit of "
                    f"{to_major(window.limit, self.currency)} {self.currency}: "
                    f"{to_major(left, self.currency)} {self.currency} is left",
                    code="LIMIT_EXCEEDED",
                )


def deposit_guard(controls: DepositControls, currency: str, now: datetime) -> DepositGuard | None:
    """The guard a new session of this player needs (``None``: neither excluded nor limited)."""
    windows = []
    if controls.deposit_daily is not None:
        windows.append(DepositWindow("daily", format_utc(now - DAY), controls.deposit_daily))
    if controls.deposit_monthly is not None:
        windows.append(DepositWindow("monthly", format_utc(now - MONTH), controls.deposit_monthly))
    if not windows and not controls.self_excluded:
        return None
    return DepositGuard(currency, tuple(windows), controls.self_excluded)
