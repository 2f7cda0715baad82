"""Per-record backoff for sweeps: a record that keeps failing is retried less and less often, so that a
sweep spends its time on records it can finish (and newer ones are never starved by the oldest)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

BASE_SECONDS: Final = 30.0
MAX_SECONDS: Final = 3600.0


class Backoff:
    """When each failing record may be tried again: ``base * 2**(failures - 1)`` seconds after its last
    failure, at most ``cap``. In memory: a restart retries everything once, which is harmless."""

    def __init__(self, base_seconds: float = BASE_SECONDS, cap_seconds: float = MAX_SECONDS) -> None:
        self._base = base_seconds
        self._cap = cap_seconds
        self._state: dict[str, tuple[int, datetime]] = {}

    def waiting(self, key: str, now: datetime) -> bool:
        """Whether ``key`` failed recently and its next attempt is still ahead."""
        state = self._state.get(key)
        return state is not None and now < state[1]

    def failed(self, key: str, now: datetime) -> datetime:
        """Record a failure of ``key``; returns when it may be tried again."""
        failures = self._state.get(key, (0, now))[0] + 1
        delay = min(self._base * 2 ** min(failures - 1, 32), self._cap)
        retry_at = now + timedelta(seconds=delay)
        self._state[key] = (failures, retry_at)
        return retry_at

    def succeeded(self, key: str) -> None:
        """Forget ``key``'s failures."""
        self._state.pop(key, None)

    def __len__(self) -> int:
        return len(self._state)
