"""Answering the callers of a group-commit writer: each gets its command's result or error, once, after the
batch's commit; thread futures directly, asyncio futures with one callback per event loop."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import Future
from typing import Any

log = logging.getLogger("winzone.store")

Outcome = tuple[Any, Any, BaseException | None]
"""A caller's waiter (a ``concurrent.futures.Future``, or an ``(event loop, asyncio.Future)`` pair), the result,
and the error (None for success)."""


def still_wanted(waiter: Any) -> bool:
    """Whether a command's caller still waits for it. A cancelled caller (a thread future, or an event loop's
    future whose RPC was cancelled or ran out of its deadline) is skipped by the writers, so an overloaded
    writer does not spend its time on answers nobody reads; that caller never learnt an outcome, and a retry
    under the same idempotency key runs the command. A thread future still wanted is marked running; one
    already running (a command a batch deferred) stays wanted."""
    if isinstance(waiter, Future):
        return waiter.running() or waiter.set_running_or_notify_cancel()
    return not waiter[1].cancelled()


def deliver(outcomes: list[Outcome]) -> None:
    """Resolve thread futures directly, and asyncio futures with one callback per event loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Any, BaseException | None]]] = {}
    for waiter, result, error in outcomes:
        if isinstance(waiter, Future):
            if waiter.done():
                continue
            try:
                if error is None:
                    waiter.set_result(result)
                else:
                    waiter.set_exception(error)
            except Exception:
                log.exception("could not deliver a store result")
        else:
            loop, future = waiter
            by_loop.setdefault(loop, []).append((future, result, error))
    for loop, items in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve_all, items)
        except RuntimeError:
            log.warning("event loop closed before its results were delivered")


def _resolve_all(items: list[tuple[asyncio.Future[Any], Any, BaseException | None]]) -> None:
    for future, result, error in items:
        if future.done():
            continue
        try:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)
        except Exception:
            log.exception("could not deliver a store result")
            future.set_exception(RuntimeError("store result could not be delivered"))
