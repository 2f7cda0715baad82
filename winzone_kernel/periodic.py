"""Background jobs that every service repeats: run at once, then every interval, until cancelled."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[object]]
Job = Callable[[int], Awaitable[object]]
"""A job receives its run number (0 for the run at start-up) so it can treat the first run differently."""

log = logging.getLogger("winzone.periodic")


async def run_periodically(job: Job, interval: float, *, name: str, sleep: Sleep = asyncio.sleep) -> None:
    """Run ``job`` now and then every ``interval`` seconds until cancelled; a failed run is logged, not fatal.

    ``sleep`` is injectable so tests step the loop without real timers."""
    run = 0
    while True:
        try:
            await job(run)
        except Exception:
            log.exception("periodic job failed", extra={"fields": {"job": name, "run": run}})
        run += 1
        await sleep(interval)


class PeriodicTask:
    """A ``run_periodically`` loop owned by a server: started once, cancelled and awaited on shutdown."""

    def __init__(self, job: Job, interval: float, *, name: str, sleep: Sleep = asyncio.sleep) -> None:
        self._job = job
        self._interval = interval
        self._name = name
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None

    def start(self) -> PeriodicTask:
        if self._task is None:
            self._task = asyncio.create_task(
                run_periodically(self._job, self._interval, name=self._name, sleep=self._sleep), name=self._name)
        return self

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None
