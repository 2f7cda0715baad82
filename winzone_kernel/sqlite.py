"""SQLite plumbing shared by the stores: durable connections and a group-commit writer thread.

A single writer thread owns the write connection. Commands queue up; the writer runs a batch of them in one
transaction, each inside its own SAVEPOINT (so one failing command rolls back alone), commits once with the
configured ``synchronous`` level, and only then resolves each command's future. That amortises the fsync
over the batch (group commit) without ever acknowledging an uncommitted write.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from winzone_kernel.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger("winzone.sqlite")

_STOP = object()


def connect(path: Path | str, synchronous: str = "FULL") -> sqlite3.Connection:
    """A connection in WAL mode, autocommit (explicit BEGIN), foreign keys on, busy timeout set."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30.0)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


class GroupCommitWriter:
    """Runs write operations on one connection in batched transactions (see the module docstring)."""

    def __init__(self, conn: sqlite3.Connection, *, max_batch: int = 256, name: str = "sqlite-writer") -> None:
        self._conn = conn
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._max_batch = max_batch
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._closed = False
        self._thread.start()

    def submit(self, op: Callable[[sqlite3.Connection], T]) -> Future[T]:
        if self._closed:
            raise Unavailable("store is closed")
        future: Future[T] = Future()
        self._queue.put((op, future))
        return future

    def run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        return self.submit(op).result()

    async def run_async(self, op: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.wrap_future(self.submit(op))

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join(timeout=30)

    def _run(self) -> None:
        conn = self._conn
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop_after = False
            while len(batch) < self._max_batch:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stop_after = True
                    break
                batch.append(nxt)
            self._run_batch(conn, batch)
            if stop_after:
                return

    @staticmethod
    def _run_batch(conn: sqlite3.Connection, batch: list[tuple[Callable[[sqlite3.Connection], Any], Future[Any]]]
                   ) -> None:
        outcomes: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for op, future in batch:
                if not future.set_running_or_notify_cancel():
                    continue
                conn.execute("SAVEPOINT command")
                try:
                    result = op(conn)
                except BaseException as exc:
                    conn.execute("ROLLBACK TO command")
                    conn.execute("RELEASE command")
                    outcomes.append((future, None, exc))
                else:
                    conn.execute("RELEASE command")
                    outcomes.append((future, result, None))
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            log.exception("group commit failed")
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            failure = Unavailable("ledger store write failed")
            failure.__cause__ = exc
            for op_future in [f for _, f in batch]:
                if not op_future.done():
                    op_future.set_exception(failure)
            return
        for future, result, error in outcomes:
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)


class ThreadLocalReader:
    """One read connection per thread (WAL readers never block the writer)."""

    def __init__(self, path: Path | str, synchronous: str) -> None:
        self._path = path
        self._synchronous = synchronous
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self._path, self._synchronous)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
