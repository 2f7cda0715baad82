"""Identifiers and timestamps."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    """A time-ordered, random, URL-safe id such as ``txn_0190f1c2a3b4c5d6e7f8a9b0c1d2``."""
    return f"{prefix}_{time.time_ns() // 1000:014x}{os.urandom(8).hex()}"


def utc_now() -> str:
    """The current time as an RFC 3339 UTC string with microseconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
