"""SQLite plumbing shared by the stores: durable connections and a group-commit writer thread.

A single writer thread owns the write connection. Commands queue up; the writer runs a batch of them in one
transaction, each inside its own SAVEPOINT (so one failing command rolls back alone), commits once with the
configured ``synchronous`` level, and only then resolves each command's future. That amortises the fsync
over the batch (group commit) without ever acknowledging an uncommitted write. A batch takes what is queued;
when that is fewer commands than the last batch had, it waits up to ``linger`` for the rest (so a busy writer
does not alternate between a batch of one and a batch of everyone else), never when the last batch was a
single command. A command whose caller was cancelled meanwhile is skipped (``delivery.still_wanted``).
Each batch is counted in ``stats`` (``winzone_kernel.batch_stats``).

``SqliteStore`` is the skeleton every SQLite store shares: that writer, a read connection per thread, the
schema applied by ``migrate``; ``SqliteUnitOfWorkStore`` adds ``atomic`` for stores with a unit of work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from winzone_kernel.batch_stats import BatchStats
from winzone_kernel.delivery import deliver, still_wanted
from winzone_kernel.errors import Unavailable
from winzone_kernel.files import prepare_sqlite_file

T = TypeVar("T")
U = TypeVar("U")
log = logging.getLogger("winzone.sqlite")

_STOP = object()
DEFAULT_LINGER = 0.002
"""At most this long (seconds) a batch waits for the callers of the last one to come back (see ``_gather``)."""


def connect(path: Path | str, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in WAL mode, autocommit (explicit BEGIN), foreign keys on, busy timeout set; the file, its
    WAL and shared memory owner-only (0600) in an owner-only folder (0700)."""
    prepare_sqlite_file(path)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class GroupCommitWriter:
    """Runs write operations on one connection in batched transactions (see the module docstring)."""

    def __init__(
        self, conn: sqlite3.Connection, *, max_batch: int = 256, name: str = "sqlite-writer",
        linger: float = DEFAULT_LINGER,
    ) -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._max_batch = max_batch
        self._linger = linger
        self._name = name
        self.stats = BatchStats(name)
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, op: Callable[[sqlite3.Connection], T]) -> Future[T]:
        """Queue ``op``; raises ``Unavailable`` once the writer is closed, also when ``close`` races this call."""
        future: Future[T] = Future()
        self._enqueue((op, future, time.perf_counter()))
        return future

    def run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        return self.submit(op).result()

    async def run_async(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Like ``run`` for an event loop: results of one batch reach each loop in a single wake-up."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._enqueue((op, (loop, future), time.perf_counter()))
        return await future

    def _enqueue(self, item: tuple[Callable[[sqlite3.Connection], Any], Any, float]) -> None:
        """Put ``item`` on the queue unless closed. A ``close`` that lands between the check and the put has
        already stopped the writer: the item is then taken back (with anything else left behind) and refused."""
        if self._closed:
            raise Unavailable("store is closed")
        self._queue.put(item)
        if self._closed:
            self._thread.join()
            if self._fail_leftovers(item):
                raise Unavailable("store is closed")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join(timeout=30)
            if not self._thread.is_alive():
                self._fail_leftovers()

    def _fail_leftovers(self, mine: Any = None) -> bool:
        """Refuse whatever is queued after the writer stopped; whether ``mine`` was among it."""
        left: list[Any] = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                left.append(item)
        deliver([(waiter, None, Unavailable("store is closed")) for _, waiter, _ in left])
        return any(item is mine for item in left)

    def _run(self) -> None:
        conn = self._conn
        expected = 1
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch, stop_after = self._gather(item, expected)
            started = time.perf_counter()
            try:
                self._run_batch(conn, batch)
            except BaseException:
                log.exception("group commit writer failed; the batch is reported as unavailable")
                deliver([(waiter, None, Unavailable(f"{self._name} failed to commit")) for _, waiter, _ in batch])
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
            self.stats.record(len(batch), time.perf_counter() - started, started - batch[0][2])
            expected = len(batch)
            if stop_after:
                return

    def _gather(self, first: Any, expected: int) -> tuple[list[Any], bool]:
        """The batch that starts with ``first``: everything queued, up to ``max_batch``; and whether the writer
        must stop after it. When fewer than ``expected`` (the last batch's size) are queued, wait for the rest
        up to ``linger`` seconds: under concurrent load the callers of the last batch come back a moment apart,
        and one batch for all of them costs one commit where starting at once would cost two."""
        batch = [first]
        deadline = 0.0
        while len(batch) < self._max_batch:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                if len(batch) >= expected or self._linger <= 0:
                    break
                now = time.perf_counter()
                deadline = deadline or now + self._linger
                if now >= deadline:
                    break
                try:
                    nxt = self._queue.get(timeout=deadline - now)
                except queue.Empty:
                    break
            if nxt is _STOP:
                return batch, True
            batch.append(nxt)
        return batch, False

    def _run_batch(
        self, conn: sqlite3.Connection, batch: list[tuple[Callable[[sqlite3.Connection], Any], Any, float]]
    ) -> None:
        outcomes: list[tuple[Any, Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for op, waiter, _ in batch:
                if not still_wanted(waiter):
                    continue
                conn.execute("SAVEPOINT command")
                try:
                    result = op(conn)
                except Exception as exc:
                    conn.execute("ROLLBACK TO command")
                    conn.execute("RELEASE command")
                    outcomes.append((waiter, None, exc))
                else:
                    conn.execute("RELEASE command")
                    outcomes.append((waiter, result, None))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.exception("group commit failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = Unavailable(f"{self._name} failed to commit")
            failure.__cause__ = exc
            outcomes = [(waiter, None, failure) for _, waiter, _ in batch]
        deliver(outcomes)


class ThreadLocalReader:
    """One read connection per thread (WAL readers never block the writer); connections of threads that
    have ended are closed the next time a thread opens one, so short-lived threads do not leak them."""

    def __init__(self, path: Path | str, synchronous: str) -> None:
        self._path = path
        self._synchronous = synchronous
        self._by_thread: dict[threading.Thread, sqlite3.Connection] = {}
        self._lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        thread = threading.current_thread()
        conn = self._by_thread.get(thread)
        if conn is not None:
            return conn
        with self._lock:
            for ended in [t for t in self._by_thread if not t.is_alive()]:
                self._by_thread.pop(ended).close()
            conn = connect(self._path, self._synchronous)
            self._by_thread[thread] = conn
        return conn

    def open_connections(self) -> int:
        return len(self._by_thread)

    def close(self) -> None:
        with self._lock:
            for conn in self._by_thread.values():
                conn.close()
            self._by_thread.clear()


class SqliteStore:
    """A store in one SQLite file: one writer thread with group commit, a read connection per thread.

    A subclass sets ``schema`` (the script ``migrate`` runs; it must be idempotent) and ``writer_name`` (the
    writer thread's name).
    """

    schema: ClassVar[str]
    writer_name: ClassVar[str]

    def __init__(self, path: Path | str, *, synchronous: str = "FULL", max_batch: int = 256) -> None:
        self.path = path
        self._writer_conn = connect(path, synchronous)
        self._writer = GroupCommitWriter(self._writer_conn, max_batch=max_batch, name=self.writer_name)
        self._readers = ThreadLocalReader(path, synchronous)

    def migrate(self) -> None:
        conn = connect(self.path)
        try:
            conn.executescript(self.schema)
        finally:
            conn.close()

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """This thread's read connection inside one read transaction: every query sees the same state."""
        conn = self._readers.conn()
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def close(self) -> None:
        self._writer.close()
        self._writer_conn.close()
        self._readers.close()


class SqliteUnitOfWorkStore(SqliteStore, Generic[U]):
    """A ``SqliteStore`` whose commands run on a unit of work: ``unit_of_work(conn)`` over the writer's
    connection, inside the group-commit savepoint (a subclass sets ``unit_of_work``)."""

    unit_of_work: Callable[[sqlite3.Connection], U]

    def atomic(self, op: Callable[[U], T]) -> T:
        return self._writer.run(lambda conn: op(self.unit_of_work(conn)))

    async def atomic_async(self, op: Callable[[U], T]) -> T:
        return await self._writer.run_async(lambda conn: op(self.unit_of_work(conn)))
