"""Choosing a service's store from the environment: MongoDB when ``MONGODB_URI`` is set, else SQLite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from winzone_kernel.config import CommonSettings

S = TypeVar("S")


def build_store(
    common: CommonSettings,
    name: str,
    *,
    sqlite: Callable[[Path, str], S],
    mongo: Callable[[str, str], S],
) -> S:
    """The store named ``name``: ``mongo(uri, database)`` on MongoDB, else ``sqlite(path, synchronous)``."""
    if common.mongodb_uri:
        return mongo(common.mongodb_uri, common.mongodb_db)
    return sqlite(common.sqlite_path(name), common.sqlite_synchronous)
