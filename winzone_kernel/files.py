"""Files only their owner may read: the data folder (0700) and what lives in it (0600), whatever the umask."""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def ensure_private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) and make ``path`` itself owner-only; an existing folder that others
    could read is tightened to 0700."""
    folder = Path(path)
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(folder.stat().st_mode) != PRIVATE_DIR_MODE:
        folder.chmod(PRIVATE_DIR_MODE)
    return folder


def ensure_private_file(path: Path | str) -> None:
    """Create ``path`` empty and owner-only (0600) if it does not exist; tighten an existing one to 0600.

    An existing file is never opened: closing any descriptor of a file drops every POSIX lock this process
    holds on it, and SQLite's locks are POSIX locks (a connection of this process would lose them)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        _tighten(Path(path))
    else:
        os.close(fd)
        _tighten(Path(path))


def _tighten(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        if stat.S_IMODE(path.stat().st_mode) != PRIVATE_FILE_MODE:
            path.chmod(PRIVATE_FILE_MODE)


def prepare_sqlite_file(path: Path | str) -> None:
    """Before SQLite opens ``path``: the folder 0700, the database 0600, and any WAL, shared-memory or journal
    file it left 0600 (SQLite gives the files it creates later the database file's permissions)."""
    if str(path) == ":memory:" or str(path).startswith("file:"):
        return
    database = Path(path)
    ensure_private_dir(database.parent)
    ensure_private_file(database)
    for suffix in SQLITE_SIDE_FILES:
        _tighten(Path(f"{database}{suffix}"))


def write_private_json(path: Path | str, data: Mapping[str, object]) -> None:
    """Replace ``path`` atomically with ``data`` as JSON, owner-only, in a private folder."""
    target = Path(path)
    ensure_private_dir(target.parent)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    with os.fdopen(fd, "w") as handle:
        json.dump(dict(data), handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)
