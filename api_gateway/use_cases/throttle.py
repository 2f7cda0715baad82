"""Sign-in throttling: failed logins per account and per client address, with exponential backoff.

The first ``free_failures`` failures of a key cost nothing; each one after that locks the key for ``base``,
then twice as long, and so on up to ``ceiling``. A locked key is refused before its password is checked
(``TOO_MANY_ATTEMPTS``, with the seconds to wait), so guessing stops paying off whatever the answer would
have been. A successful sign-in clears its account's failures; an address's failures only expire (one good
account must not let an address spray others). Failures older than ``forget_after`` are forgotten.

The state lives in memory, per gateway process: a gateway restart, or a second gateway replica, starts
afresh. That bounds guessing per process, which is what one development/single-node deployment needs; a
fleet of gateways would move this table into the user store.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import WinzoneError

MAX_TRACKED = 100_000
"""Keys remembered at most; the least recently failed are dropped first (memory stays bounded)."""


class TooManyAttempts(WinzoneError):
    """Too many failed sign-ins for this account or address; ``retry_after`` seconds until the next try."""

    default_code = "TOO_MANY_ATTEMPTS"
    default_message = "Too many sign-in attempts; try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


@dataclass(slots=True)
class _Failures:
    count: int
    last: datetime
    locked_until: datetime


class LoginThrottle:
    """Counts failed sign-ins per key (``account:<email>``, ``address:<ip>``) and locks keys with backoff."""

    def __init__(self, *, clock: Clock = utc_now, free_failures: int = 5, base: timedelta = timedelta(seconds=1),
                 ceiling: timedelta = timedelta(minutes=15), forget_after: timedelta = timedelta(hours=1)) -> None:
        self._clock = clock
        self._free = free_failures
        self._base = base
        self._ceiling = ceiling
        self._forget_after = forget_after
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def keys(email: str, address: str) -> tuple[str, str]:
        """The account and address keys of one attempt."""
        return f"account:{email.strip().lower()[:256]}", f"address:{address[:64]}"

    def check(self, *keys: str) -> None:
        """``TooManyAttempts`` when any key is locked now."""
        now = self._clock()
        with self._lock:
            waits = [self._wait(key, now) for key in keys]
        longest = max(waits, default=0.0)
        if longest > 0:
            raise TooManyAttempts(max(1, math.ceil(longest)))

    def failed(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = self._clock()
        with self._lock:
            for key in keys:
                entry = self._current(key, now)
                count = 1 if entry is None else entry.count + 1
                over = count - self._free
                lock = min(self._base * (2 ** (over - 1)), self._ceiling) if over > 0 else timedelta(0)
                self._keys[key] = _Failures(count, now, now + lock)
                self._keys.move_to_end(key)
            while len(self._keys) > MAX_TRACKED:
                self._keys.popitem(last=False)

    def succeeded(self, account_key: str) -> None:
        """A sign-in worked: its account starts afresh."""
        with self._lock:
            self._keys.pop(account_key, None)

    def _current(self, key: str, now: datetime) -> _Failures | None:
        entry = self._keys.get(key)
        if entry is not None and now - entry.last > max(self._forget_after, entry.locked_until - entry.last):
            del self._keys[key]
            return None
        return entry

    def _wait(self, key: str, now: datetime) -> float:
        entry = self._current(key, now)
        if entry is None or entry.locked_until <= now:
            return 0.0
        return (entry.locked_until - now).total_seconds()
