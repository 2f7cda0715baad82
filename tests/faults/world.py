"""What every fault world shares: a loop thread, a deterministic clock, client retries and restarts.

A *world* is the set of real servers and stores a family of workflows runs against, built once per workflow;
each schedule works on fresh users and ids, so schedules never see each other's money. A *service* of the
world is rebuilt from its stores on every restart (its proxies bound to a new ``Incarnation``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from tests.faults.explorer import Incarnation, Injector, SimulatedCrash
from tests.support.stripe_standin import PROXY_VARIABLES
from winzone_kernel.errors import Unavailable, WinzoneError

S = TypeVar("S")
RETRYABLE_ATTEMPTS = 3


class StepClock:
    """A clock that moves one second per reading from a fixed instant: no wall clock, same every run."""

    def __init__(self, start: datetime = datetime(2031, 1, 1, tzinfo=UTC)) -> None:
        self._ticks = itertools.count()
        self._start = start

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=next(self._ticks))

    def advance(self, seconds: float) -> None:
        """Let time pass (leases run out) without waiting."""
        self._start += timedelta(seconds=seconds)


@dataclass
class Restartable(Generic[S]):
    """A service rebuilt from its stores on every restart; ``build(life)`` wires proxies bound to ``life``."""

    name: str
    build: Callable[[Incarnation], S]
    life: Incarnation = field(init=False)
    service: S = field(init=False)
    restarts: int = 0

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> S:
        self.restarts += 1
        self.life = Incarnation(f"{self.name}#{self.restarts}")
        self.service = self.build(self.life)
        return self.service

    def restart_if_dead(self) -> None:
        if self.life.dead:
            self.restart()


class Current:
    """Forwards every attribute to the service's current incarnation (what a servicer is given), or to its
    attribute ``part`` when the incarnation holds several use-case objects."""

    def __init__(self, restartable: Restartable[Any], part: str = "") -> None:
        self._restartable = restartable
        self._part = part

    def __getattr__(self, attr: str) -> Any:
        service = self._restartable.service
        return getattr(getattr(service, self._part) if self._part else service, attr)


@dataclass
class Holder:
    """The schedule running now: its injector, shared by every proxy of the world."""

    injector: Injector = field(default_factory=Injector)


async def attempt(action: Callable[[], Awaitable[Any]], services: list[Restartable[Any]],
                  attempts: int = RETRYABLE_ATTEMPTS) -> tuple[Any, WinzoneError | None]:
    """A client retrying ``action`` while the outcome is unknown (restarting dead services in between);
    returns the answer, or ``None`` and the definite refusal, or ``None, None`` when it gave up."""
    for _ in range(attempts):
        for service in services:
            service.restart_if_dead()
        try:
            return await action(), None
        except SimulatedCrash:
            continue
        except WinzoneError as exc:
            if isinstance(exc, Unavailable):
                continue
            return None, exc
        except Exception:
            continue
    return None, None


@contextmanager
def no_proxies() -> Iterator[None]:
    """HTTP to the Stripe stand-in on 127.0.0.1 must not go through a proxy."""
    saved = {name: os.environ.pop(name) for name in PROXY_VARIABLES if name in os.environ}
    before = os.environ.get("NO_PROXY")
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    try:
        yield
    finally:
        os.environ.update(saved)
        if before is None:
            os.environ.pop("NO_PROXY", None)
        else:
            os.environ["NO_PROXY"] = before
