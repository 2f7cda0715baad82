"""Recently looked-up users, so that a signed-in request does not read the user store every time.

An entry is trusted for ``ttl_seconds`` after it was read; then the store is asked again. That bounds how long
a change made in the store goes unseen by this gateway process: a user deleted, or given another role, is
refused or seen in the new role at most ``ttl_seconds`` later (``AUTH_CACHE_SECONDS``, default 5; 0 turns the
cache off). A user found missing is remembered too, so a token for a deleted account does not reach the store
on every request. Each gateway process has its own cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from api_gateway.domain.model import User
from api_gateway.domain.ports import UserStore

MAX_CACHED_USERS = 50_000
"""Entries kept at most; the least recently read go first."""


class UserCache:
    """Users by id, each trusted for ``ttl_seconds`` after it was read from the store."""

    def __init__(self, users: UserStore, ttl_seconds: float, *, clock: Callable[[], float] = time.monotonic,
                 max_entries: int = MAX_CACHED_USERS) -> None:
        self._users = users
        self._ttl = ttl_seconds
        self._clock = clock
        self._max = max_entries
        self._entries: OrderedDict[str, tuple[float, User | None]] = OrderedDict()
        self._lock = threading.Lock()

    def peek(self, user_id: str) -> tuple[bool, User | None]:
        """``(True, user or None)`` when a fresh entry answers without the store, else ``(False, None)``.
        Never blocks on I/O: the event loop may call it."""
        if self._ttl <= 0:
            return False, None
        now = self._clock()
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None:
                return False, None
            if now - entry[0] >= self._ttl:
                del self._entries[user_id]
                return False, None
            return True, entry[1]

    def load(self, user_id: str) -> User | None:
        """The user as the store holds it now, remembered from now on (blocks on the store)."""
        read_at = self._clock()
        user = self._users.by_id(user_id)
        if self._ttl > 0:
            with self._lock:
                self._entries[user_id] = (read_at, user)
                self._entries.move_to_end(user_id)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return user
