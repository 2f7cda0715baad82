"""Shutdown: what a server process owns and closes, in reverse order of acquisition."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger("winzone.lifecycle")


class _Closes(Protocol):
    def close(self) -> None: ...


class _ClosesAsync(Protocol):
    def close(self) -> Awaitable[None]: ...


class Resources:
    """Everything a server opened (stores, channels, background tasks), closed once and in reverse order.

    Blocking closes (a store's) run off the event loop; one failing close does not stop the others."""

    def __init__(self) -> None:
        self._closers: list[tuple[str, Callable[[], Awaitable[object]]]] = []

    def store(self, name: str, store: _Closes) -> None:
        self._closers.append((name, lambda: asyncio.to_thread(store.close)))

    def channel(self, name: str, channel: _ClosesAsync) -> None:
        self._closers.append((name, channel.close))

    def on_close(self, name: str, close: Callable[[], Awaitable[object]]) -> None:
        self._closers.append((name, close))

    async def aclose(self) -> None:
        closers, self._closers = self._closers, []
        for name, close in reversed(closers):
            try:
                await close()
            except Exception:
                log.exception("close failed", extra={"fields": {"resource": name}})
