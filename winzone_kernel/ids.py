"""Identifiers."""

from __future__ import annotations

import os
import random
import time

_rng = random.Random(os.urandom(32))


def new_id(prefix: str) -> str:
    """A time-ordered unique id such as ``txn_0661314a732860f683615808a12012``: microseconds since the epoch,
    then 64 random bits (from a per-process generator seeded by the OS; ids are identifiers, not secrets)."""
    return f"{prefix}_{time.time_ns() // 1000:014x}{_rng.getrandbits(64):016x}"


def reseed_after_fork() -> None:
    """Give a forked child its own id sequence."""
    _rng.seed(os.urandom(32))


os.register_at_fork(after_in_child=reseed_after_fork)
