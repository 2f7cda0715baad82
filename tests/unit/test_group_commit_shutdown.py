"""The group-commit writer and its shutdown: a command submitted while ``close`` runs is refused (it raises
``Unavailable``), never left waiting forever. The interleaving is forced, not timed: ``close`` runs to the end
just after ``submit`` checked that the writer was open and just before it queued the command."""

from __future__ import annotations

import asyncio
import sqlite3
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

import pytest

from winzone_kernel.errors import Unavailable
from winzone_kernel.sqlite import GroupCommitWriter, connect

BOUND_SECONDS = 10.0
"""Only a bound on a hang: a refused command answers at once."""


class CloseBeforeThePut:
    """The writer's queue, but the first command put on it waits until ``close`` has run to the end."""

    def __init__(self, writer: GroupCommitWriter) -> None:
        self._inner = writer._queue
        self._writer = writer
        self.closed_in_between = False

    def put(self, item: Any) -> None:
        if not self.closed_in_between and isinstance(item, tuple):
            self.closed_in_between = True
            self._writer.close()
        self._inner.put(item)

    def get(self) -> Any:
        return self._inner.get()

    def get_nowait(self) -> Any:
        return self._inner.get_nowait()


def _writer(tmp_path: Path) -> GroupCommitWriter:
    conn = connect(tmp_path / "w.sqlite3", "NORMAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    writer = GroupCommitWriter(conn, name="test-writer")
    writer._queue = CloseBeforeThePut(writer)  # type: ignore[assignment]
    return writer


def _insert(conn: sqlite3.Connection) -> int:
    return conn.execute("INSERT INTO t VALUES (1)").rowcount


def test_a_submit_racing_close_raises_instead_of_hanging(tmp_path: Path) -> None:
    writer = _writer(tmp_path)
    with pytest.raises(Unavailable):
        writer.submit(_insert).result(timeout=BOUND_SECONDS)
    assert writer._queue.closed_in_between  # type: ignore[attr-defined]
    with pytest.raises(Unavailable):
        writer.submit(_insert)


def test_an_awaited_command_racing_close_raises_instead_of_hanging(tmp_path: Path) -> None:
    writer = _writer(tmp_path)

    async def attempt() -> int:
        return await asyncio.wait_for(writer.run_async(_insert), BOUND_SECONDS)

    with pytest.raises(Unavailable):
        asyncio.run(attempt())


def test_commands_queued_before_close_still_commit(tmp_path: Path) -> None:
    conn = connect(tmp_path / "w.sqlite3", "NORMAL")
    conn.execute("CREATE TABLE t (x INTEGER)")
    writer = GroupCommitWriter(conn, name="test-writer")
    futures = [writer.submit(_insert) for _ in range(20)]
    writer.close()
    try:
        assert [f.result(timeout=BOUND_SECONDS) for f in futures] == [1] * 20
    except FutureTimeout:
        pytest.fail("a command queued before close was left waiting")
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 20
