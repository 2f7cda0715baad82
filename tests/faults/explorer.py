"""The fault explorer: named steps, one fault (or two) per schedule, proxies that inject them, and the report.

A *step* is one call that crosses a process boundary or writes a store, labelled ``<port>.<method>#<n>`` (the
n-th such call in the schedule, counting restarts and reconciliation). A *fault* is a step plus a kind:

- ``crash_before``: the call is not made and the process dies (every later call of that incarnation fails);
- ``crash_after``: the call is made, then the process dies before it sees the answer;
- ``lost``: the call is made, the caller sees ``Unavailable`` (the answer was lost);
- ``fail``: the call is not made, the caller sees ``Unavailable`` (a store or network hiccup);
- ``late``: the caller sees ``Unavailable`` at once; the call is delivered after the first reconciliation;
- ``dup``: the call is delivered twice, the caller sees the first answer.

A workflow runs once without faults to learn its steps; then every step gets every kind that applies to it
(``exhaustive``), and pairs are sampled with a seeded RNG, the second fault drawn from the steps the first
one's run actually took. Nothing sleeps and nothing depends on the wall clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from winzone_kernel.errors import Unavailable

CALL_KINDS = ("crash_before", "crash_after", "lost", "late", "dup")
STORE_KINDS = ("crash_before", "crash_after", "fail", "lost")
READ_PREFIXES = ("get", "find", "list", "needing", "sessions_in", "event_processed", "mock_state", "migrate",
                 "close", "load", "count", "read", "open_", "due", "pending", "stuck", "page", "iter", "all_",
                 "contribution", "distribution", "competition", "refunds_", "audit", "lease")


class SimulatedCrash(Exception):
    """The process died at this step: nothing it still had in memory survives."""


@dataclass(frozen=True, order=True)
class Fault:
    """One injected fault: ``kind`` at step ``step`` (``port.method#n``)."""

    step: str
    kind: str

    def __str__(self) -> str:
        return f"{self.kind}@{self.step}"


@dataclass
class Incarnation:
    """One life of a process: once it crashed, every call it makes fails."""

    name: str
    dead: bool = False


@dataclass
class Injector:
    """Counts steps, fires the schedule's faults and keeps the late calls for later delivery."""

    faults: tuple[Fault, ...] = ()
    trace: list[tuple[str, str]] = field(default_factory=list)
    fired: list[Fault] = field(default_factory=list)
    late: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    crashed: int = 0

    def step(self, label: str, kinds: tuple[str, ...]) -> tuple[str, str | None]:
        self.counts[label] += 1
        name = f"{label}#{self.counts[label]}"
        self.trace.append((name, "call" if kinds is CALL_KINDS else "store"))
        for fault in self.faults:
            if fault.step == name and fault.kind in kinds:
                self.fired.append(fault)
                return name, fault.kind
        return name, None

    async def deliver_late(self) -> int:
        calls, self.late = self.late, []
        for call in calls:
            with contextlib.suppress(Exception):
                await call()
        return len(calls)


def _unavailable(name: str) -> Unavailable:
    return Unavailable(f"fault injected at {name}", code="FAULT_INJECTED")


class _Base:
    def __init__(self, inner: Any, port: str, injector: Injector, life: Incarnation) -> None:
        self._inner, self._port, self._injector, self._life = inner, port, injector, life

    def _check_alive(self) -> None:
        if self._life.dead:
            raise SimulatedCrash(f"{self._life.name} is dead")

    def _die(self, name: str) -> SimulatedCrash:
        self._life.dead = True
        self._injector.crashed += 1
        return SimulatedCrash(f"{self._life.name} crashed at {name}")


class CallProxy(_Base):
    """Wraps an outbound client (a domain port over gRPC): every coroutine method is a faultable step."""

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self._inner, attr)
        if not inspect.iscoroutinefunction(target):
            return target

        async def call(*args: Any, **kwargs: Any) -> Any:
            self._check_alive()
            name, kind = self._injector.step(f"{self._port}.{attr}", CALL_KINDS)
            if kind == "crash_before":
                raise self._die(name)
            if kind == "late":
                self._injector.late.append(lambda: target(*args, **kwargs))
                raise _unavailable(name)
            result = await target(*args, **kwargs)
            if kind == "dup":
                with contextlib.suppress(Exception):
                    await target(*args, **kwargs)
            if kind == "crash_after":
                raise self._die(name)
            if kind == "lost":
                raise _unavailable(name)
            self._check_alive()
            return result

        return call


class SyncCallProxy(_Base):
    """Wraps a synchronous outbound client (a payment provider's SDK calls): the methods named in ``calls``
    are faultable steps like ``CallProxy``'s; a late one is delivered in a worker thread."""

    def __init__(self, inner: Any, port: str, injector: Injector, life: Incarnation, calls: Iterable[str]) -> None:
        super().__init__(inner, port, injector, life)
        self._calls = frozenset(calls)

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self._inner, attr)
        if attr not in self._calls:
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self._check_alive()
            name, kind = self._injector.step(f"{self._port}.{attr}", CALL_KINDS)
            if kind == "crash_before":
                raise self._die(name)
            if kind == "late":
                self._injector.late.append(lambda: asyncio.to_thread(target, *args, **kwargs))
                raise _unavailable(name)
            result = target(*args, **kwargs)
            if kind == "dup":
                with contextlib.suppress(Exception):
                    target(*args, **kwargs)
            if kind == "crash_after":
                raise self._die(name)
            if kind == "lost":
                raise _unavailable(name)
            self._check_alive()
            return result

        return call


class StoreProxy(_Base):
    """Wraps a synchronous store: every method that writes is a faultable step; reads pass through (but a dead
    process reads nothing either)."""

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self._inner, attr)
        if not callable(target):
            return target
        writes = not attr.startswith(READ_PREFIXES)

        def call(*args: Any, **kwargs: Any) -> Any:
            self._check_alive()
            if not writes:
                return target(*args, **kwargs)
            name, kind = self._injector.step(f"{self._port}.{attr}", STORE_KINDS)
            if kind == "crash_before":
                raise self._die(name)
            if kind == "fail":
                raise _unavailable(name)
            result = target(*args, **kwargs)
            if kind == "crash_after":
                raise self._die(name)
            if kind == "lost":
                raise _unavailable(name)
            return result

        return call


UOW_WRITE_SUFFIXES = ("_add", "_update", "_delete", "_mark_paid")


class _RecordingUnitOfWork:
    """A unit of work that notes the names of the writes made through it."""

    def __init__(self, inner: Any, writes: list[str]) -> None:
        self._inner, self._writes = inner, writes

    def __getattr__(self, attr: str) -> Any:
        if attr.endswith(UOW_WRITE_SUFFIXES):
            self._writes.append(attr)
        return getattr(self._inner, attr)


class AtomicStoreProxy(_Base):
    """Wraps a store of units of work (``atomic(op)`` / ``read(op)``): each unit of work that writes is one
    step, labelled by its writes (``rewards.store.contribution_add+competition_update``). A crash before or a
    failure raises inside the transaction, so nothing of it commits."""

    def _wrap(self, op: Callable[[Any], Any], seen: dict[str, str | None]) -> Callable[[Any], Any]:
        def run(uow: Any) -> Any:
            writes: list[str] = []
            result = op(_RecordingUnitOfWork(uow, writes))
            if writes:
                name, kind = self._injector.step(f"{self._port}.{'+'.join(dict.fromkeys(writes))}", STORE_KINDS)
                seen.update(name=name, kind=kind)
                if kind == "crash_before":
                    raise self._die(name)
                if kind == "fail":
                    raise _unavailable(name)
            return result
        return run

    def _after(self, seen: dict[str, str | None]) -> None:
        name, kind = seen.get("name") or "", seen.get("kind")
        if kind == "crash_after":
            raise self._die(name)
        if kind == "lost":
            raise _unavailable(name)

    def atomic(self, op: Callable[[Any], Any]) -> Any:
        self._check_alive()
        seen: dict[str, str | None] = {}
        result = self._inner.atomic(self._wrap(op, seen))
        self._after(seen)
        return result

    async def atomic_async(self, op: Callable[[Any], Any]) -> Any:
        self._check_alive()
        seen: dict[str, str | None] = {}
        result = await self._inner.atomic_async(self._wrap(op, seen))
        self._after(seen)
        return result

    def read(self, op: Callable[[Any], Any]) -> Any:
        self._check_alive()
        return self._inner.read(op)

    async def read_async(self, op: Callable[[Any], Any]) -> Any:
        self._check_alive()
        return await self._inner.read_async(op)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._inner, attr)


@dataclass
class Outcome:
    """One schedule's result: the faults, whether they fired, the violations found (empty: it passed)."""

    faults: tuple[Fault, ...]
    violations: list[str]
    trace: list[tuple[str, str]]


def faults_for(trace: Iterable[tuple[str, str]]) -> list[Fault]:
    """Every single fault at every step of a trace."""
    out: list[Fault] = []
    for name, what in trace:
        for kind in CALL_KINDS if what == "call" else STORE_KINDS:
            out.append(Fault(name, kind))
    return out


Runner = Callable[[tuple[Fault, ...]], Awaitable[Outcome]]
TALLY: list[tuple[str, int, int]] = []
"""(workflow, schedules explored, schedules failed) of every exploration run in this session."""


@dataclass
class Exploration:
    """Runs the schedules of one workflow and collects failures with what reproduces them."""

    workflow: str
    seed: int
    pairs: int
    explored: int = 0
    failures: list[str] = field(default_factory=list)

    async def run(self, runner: Runner, extra: Iterable[tuple[Fault, ...]] = ()) -> None:
        baseline = await self._one(runner, ())
        singles = faults_for(baseline.trace)
        traces: dict[Fault, list[tuple[str, str]]] = {}
        for fault in singles:
            outcome = await self._one(runner, (fault,))
            traces[fault] = outcome.trace
        for faults in extra:
            await self._one(runner, faults)
        rng = random.Random(f"{self.seed}:{self.workflow}")
        for _ in range(self.pairs if singles else 0):
            first = rng.choice(singles)
            later = [f for f in faults_for(traces[first]) if f.step != first.step]
            if later:
                await self._one(runner, tuple(sorted((first, rng.choice(later)))))
        print(f"[faults] {self.workflow}: {len(singles)} single faults over {len(baseline.trace)} steps, "
              f"{self.explored} schedules explored, {len(self.failures)} failed (seed {self.seed})")
        TALLY.append((self.workflow, self.explored, len(self.failures)))

    async def _one(self, runner: Runner, faults: tuple[Fault, ...]) -> Outcome:
        self.explored += 1
        try:
            outcome = await asyncio.wait_for(runner(faults), timeout=60)
        except Exception as exc:
            outcome = Outcome(faults, [f"schedule raised {exc!r}: {traceback.format_exc(limit=6)}"], [])
        if outcome.violations:
            schedule = ", ".join(map(str, faults)) or "no fault"
            self.failures.append(
                f"{self.workflow} [{schedule}] (--fault-seed {self.seed}): " + "; ".join(outcome.violations))
        return outcome
