"""Lease ends as the reward stores hold them: stored timestamps (``format_utc``), ``NO_LEASE`` once released;
records written before leases ran on the service clock hold epoch seconds instead (0 once released)."""

from __future__ import annotations

from datetime import UTC, datetime

from reward_service.domain.model import NO_LEASE
from winzone_kernel.clock import format_utc


def lease_until_of(stored: object) -> str:
    """The ``Contribution.lease_until`` of a stored value, whichever form it was written in."""
    if isinstance(stored, str):
        return stored
    if not isinstance(stored, int | float):
        raise TypeError(f"a lease end must be a timestamp, not {stored!r}")
    return format_utc(datetime.fromtimestamp(stored, UTC)) if stored else NO_LEASE
