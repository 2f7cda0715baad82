"""Resuming pending work: every payment left between "decided" and "recorded" by a request that crashed or
gave up is driven exactly as a retry of its request would drive it.

The reward server runs ``reconcile`` at start-up and then periodically, so no decided payment stays pending
because its caller went away. Running it beside live requests, or twice, moves nothing twice. A pending
contribution whose wallet call timed out is posted again under the same key: the wallet answers what it did
with the first request (the late post is then counted into the pool) or the refusal it remembers.

Each kind of record is paged through, ``RECONCILE_BATCH`` at a time and at most ``MAX_PAGES`` pages per run,
oldest first; a record that fails is backed off (``winzone_kernel.backoff``, doubling per failure) and a
periodic run (``min_age_seconds`` > 0) skips it until its backoff is over, so records that keep failing never
starve newer ones. An explicit run of everything (``min_age_seconds`` 0) tries every record.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from reward_service.domain.model import Contribution, Distribution, Refund
from reward_service.domain.ports import Cursor, RewardUnitOfWork
from reward_service.use_cases import distributions, leases, refunds
from reward_service.use_cases.context import RewardContext
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import WinzoneError

RECONCILE_BATCH = 500
"""Records of each kind one page holds."""

MAX_PAGES = 100
"""Pages of each kind one ``reconcile`` run reads at most; the next run starts from the oldest again."""

log = logging.getLogger("winzone.rewards")


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What one ``reconcile`` run settled, how many records it could not settle yet, and how many it left
    alone because their backoff was not over."""

    contributions: int = 0
    distributions: int = 0
    refunds: int = 0
    failed: int = 0
    skipped: int = 0


@dataclass(frozen=True, slots=True)
class _Sweep:
    """One kind of record: how to read a page of it, where a page ends, and how to drive one record."""

    kind: str
    listing: Callable[[RewardUnitOfWork, str, int, Cursor | None], Sequence[Any]]
    cursor: Callable[[Any], tuple[str, str]]
    drive: Callable[[RewardContext, Any], Awaitable[object]]

    def page(self, uow: RewardUnitOfWork, *, before: str, after: Cursor | None) -> Sequence[Any]:
        return self.listing(uow, before, RECONCILE_BATCH, after)


def _settle_contribution(ctx: RewardContext, c: Contribution) -> Awaitable[None]:
    return leases.settle_pending(ctx, c.competition_id, c.id, wait=False)


SWEEPS = (
    _Sweep("contribution", lambda uow, before, limit, after: uow.contributions_pending(before, limit, after),
           lambda c: (c.lease_until, c.id), _settle_contribution),
    _Sweep("distribution", lambda uow, before, limit, after: uow.distributions_pending(before, limit, after),
           lambda d: (d.updated_at, d.match_id), distributions.pay),
    _Sweep("refund", lambda uow, before, limit, after: uow.refunds_unfinished(before, limit, after),
           lambda r: (r.updated_at, r.competition_id), refunds.resume),
)


@dataclass(slots=True)
class _Tally:
    done: dict[str, int] = field(default_factory=lambda: {s.kind: 0 for s in SWEEPS})
    failed: int = 0
    skipped: int = 0

    def report(self) -> ReconcileReport:
        return ReconcileReport(self.done["contribution"], self.done["distribution"], self.done["refund"],
                               self.failed, self.skipped)


async def reconcile(ctx: RewardContext, min_age_seconds: float = 0.0) -> ReconcileReport:
    """Drive contributions whose lease ran out at least ``min_age_seconds`` ago, and pending distributions and
    unfinished refunds last touched at least that long ago (see the module docstring). A record that cannot be
    settled now (the wallet is down, say) is logged, backed off and left for a later run."""
    moment = ctx.clock()
    before = format_utc(moment - timedelta(seconds=min_age_seconds))
    tally = _Tally()
    for sweep in SWEEPS:
        after: Cursor | None = None
        for _ in range(MAX_PAGES):
            records = await ctx.store.read_async(partial(sweep.page, before=before, after=after))
            for record in records:
                await _drive_one(ctx, sweep, record, moment, min_age_seconds > 0, tally)
            if len(records) < RECONCILE_BATCH:
                break
            after = sweep.cursor(records[-1])
    report = tally.report()
    if report != ReconcileReport():
        log.info("reconciled pending payments", extra={"fields": {
            "contributions": report.contributions, "distributions": report.distributions,
            "refunds": report.refunds, "failed": report.failed, "skipped": report.skipped}})
    return report


async def _drive_one(ctx: RewardContext, sweep: _Sweep, record: Contribution | Distribution | Refund,
                     moment: datetime, periodic: bool, tally: _Tally) -> None:
    record_id = sweep.cursor(record)[1]
    key = f"{sweep.kind}:{record_id}"
    if periodic and ctx.backoff.waiting(key, moment):
        tally.skipped += 1
        return
    try:
        await sweep.drive(ctx, record)
    except WinzoneError as exc:
        tally.failed += 1
        retry_at = ctx.backoff.failed(key, moment)
        log.error("a pending payment could not be settled yet", extra={"fields": {
            "kind": sweep.kind, "id": record_id, "code": exc.code, "message": exc.message,
            "retry_at": format_utc(retry_at)}})
    else:
        ctx.backoff.succeeded(key)
        tally.done[sweep.kind] += 1
