"""How the SQLite group-commit writer forms batches: commands run in the order they were queued, each caller is
answered only once its batch has committed, a failing commit fails exactly the callers of its batch, and the
linger waits for the callers of the last batch without ever holding back a writer that runs one command at a
time, and a command whose caller was cancelled is skipped. Batches are arranged, not timed: a first command
holds the writer while the next ones queue up."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from pathlib import Path

import pytest

from winzone_kernel.delivery import still_wanted
from winzone_kernel.errors import Unavailable
from winzone_kernel.sqlite import GroupCommitWriter, connect

BOUND_SECONDS = 30.0
"""Only a bound on a hang: every command here is answered at once or as soon as the test lets it."""

LONG_LINGER = 60.0
"""A linger far longer than the bound: a batch that waited for it would fail the test instead of passing."""


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "w.sqlite3"
    conn = connect(path)
    conn.executescript(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
        "parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);"
    )
    conn.close()
    return path


@pytest.fixture()
def writer_factory(db: Path) -> Iterator[Callable[..., GroupCommitWriter]]:
    made: list[GroupCommitWriter] = []

    def make(**kwargs: float | int) -> GroupCommitWriter:
        writer = GroupCommitWriter(connect(db), name="test-batching", **kwargs)  # type: ignore[arg-type]
        made.append(writer)
        return writer

    yield make
    for writer in made:
        writer.close()


def insert(name: str, parent: int | None = None) -> Callable[[sqlite3.Connection], int]:
    def op(conn: sqlite3.Connection) -> int:
        cursor = conn.execute("INSERT INTO t (name, parent) VALUES (?, ?)", (name, parent))
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    return op


class Holder:
    """A command that keeps the writer busy until ``release``: everything queued meanwhile forms the next batch."""

    def __init__(self, writer: GroupCommitWriter) -> None:
        self.started = threading.Event()
        self._go = threading.Event()

        def hold(conn: sqlite3.Connection) -> str:
            self.started.set()
            assert self._go.wait(BOUND_SECONDS)
            return "held"

        self.future = writer.submit(hold)
        assert self.started.wait(BOUND_SECONDS)

    def release(self) -> None:
        self._go.set()
        assert self.future.result(timeout=BOUND_SECONDS) == "held"


def committed_names(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT name FROM t ORDER BY seq")]
    finally:
        conn.close()


def test_a_batch_runs_in_queue_order_and_answers_only_after_its_commit(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory()
    holder = Holder(writer)
    seen_at_answer: dict[str, list[str]] = {}
    answered = threading.Semaphore(0)
    futures: list[Future[int]] = []

    def noting(name: str) -> Callable[[Future[int]], None]:
        def note(_: Future[int]) -> None:
            seen_at_answer[name] = committed_names(db)
            answered.release()

        return note

    for name in ("a", "b", "c", "d"):
        future = writer.submit(insert(name))
        future.add_done_callback(noting(name))
        futures.append(future)
    assert committed_names(db) == []
    holder.release()
    sequence = [future.result(timeout=BOUND_SECONDS) for future in futures]
    assert sequence == sorted(sequence)
    assert committed_names(db) == ["a", "b", "c", "d"]
    for name in ("a", "b", "c", "d"):
        assert answered.acquire(timeout=BOUND_SECONDS)
        assert seen_at_answer[name] == ["a", "b", "c", "d"], "answered before its batch was visible to others"
    assert (writer.stats.batches, writer.stats.commands, writer.stats.largest) == (2, 5, 4)


def test_a_failing_commit_fails_exactly_the_callers_of_its_batch(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory(max_batch=3, linger=0.0)
    holder = Holder(writer)
    doomed = [writer.submit(insert("a")), writer.submit(insert("orphan", parent=42)), writer.submit(insert("c"))]
    after = [writer.submit(insert("d")), writer.submit(insert("e"))]
    holder.release()
    for future in doomed:
        with pytest.raises(Unavailable):
            future.result(timeout=BOUND_SECONDS)
    assert all(future.result(timeout=BOUND_SECONDS) > 0 for future in after)
    assert committed_names(db) == ["d", "e"]
    assert writer.stats.batches == 3


def test_a_failing_command_fails_alone_and_its_batch_commits(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory()
    holder = Holder(writer)

    def refuse(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO t (name) VALUES ('refused')")
        raise ValueError("refused")

    first, refused, last = writer.submit(insert("a")), writer.submit(refuse), writer.submit(insert("b"))
    holder.release()
    assert first.result(timeout=BOUND_SECONDS) < last.result(timeout=BOUND_SECONDS)
    with pytest.raises(ValueError, match="refused"):
        refused.result(timeout=BOUND_SECONDS)
    assert committed_names(db) == ["a", "b"]


def test_a_writer_running_one_command_at_a_time_never_lingers(
    writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory(linger=LONG_LINGER)
    for i in range(5):
        assert writer.submit(insert(f"n{i}")).result(timeout=BOUND_SECONDS) == i + 1
    assert (writer.stats.batches, writer.stats.largest) == (5, 1)


def test_the_linger_waits_for_as_many_callers_as_the_last_batch_had(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory(linger=LONG_LINGER)
    holder = Holder(writer)
    second = [writer.submit(insert(name)) for name in ("a", "b", "c")]
    holder.release()
    for future in second:
        future.result(timeout=BOUND_SECONDS)
    third = [writer.submit(insert("d"))]
    third += [writer.submit(insert(name)) for name in ("e", "f")]
    for future in third:
        future.result(timeout=BOUND_SECONDS)
    assert (writer.stats.batches, writer.stats.commands) == (3, 7)
    assert committed_names(db) == ["a", "b", "c", "d", "e", "f"]


def test_closing_a_lingering_writer_still_commits_what_it_gathered(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory(linger=LONG_LINGER)
    holder = Holder(writer)
    second = [writer.submit(insert(name)) for name in ("a", "b")]
    holder.release()
    for future in second:
        future.result(timeout=BOUND_SECONDS)
    lone = writer.submit(insert("c"))
    writer.close()
    assert lone.result(timeout=BOUND_SECONDS) == 3
    assert committed_names(db) == ["a", "b", "c"]
    with pytest.raises(Unavailable):
        writer.submit(insert("late"))


def test_event_loop_callers_get_their_own_results_in_order(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory()

    async def main() -> list[int]:
        holder = await asyncio.to_thread(Holder, writer)
        tasks = [asyncio.ensure_future(writer.run_async(insert(f"x{i}"))) for i in range(20)]
        await asyncio.sleep(0)
        await asyncio.to_thread(holder.release)
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    assert results == sorted(results) and len(set(results)) == 20
    assert committed_names(db) == [f"x{i}" for i in range(20)]


def test_a_command_whose_event_loop_caller_was_cancelled_is_skipped(
    db: Path, writer_factory: Callable[..., GroupCommitWriter]
) -> None:
    writer = writer_factory()

    async def main() -> list[int]:
        holder = await asyncio.to_thread(Holder, writer)
        kept = asyncio.ensure_future(writer.run_async(insert("kept")))
        dropped = asyncio.ensure_future(writer.run_async(insert("dropped")))
        also_kept = asyncio.ensure_future(writer.run_async(insert("also kept")))
        await asyncio.sleep(0)
        dropped.cancel()
        await asyncio.to_thread(holder.release)
        with pytest.raises(asyncio.CancelledError):
            await dropped
        return [await kept, await also_kept]

    asyncio.run(main())
    assert committed_names(db) == ["kept", "also kept"]
    assert writer.stats.commands == 4


def test_a_thread_future_is_wanted_until_cancelled_and_stays_wanted_once_running() -> None:
    waiting: Future[int] = Future()
    assert still_wanted(waiting) and waiting.running()
    assert still_wanted(waiting), "a command a batch deferred is already running and must still run"
    cancelled: Future[int] = Future()
    cancelled.cancel()
    assert not still_wanted(cancelled)
