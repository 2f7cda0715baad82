"""Resuming pending work: every payment left between "decided" and "recorded" by a request that crashed or
gave up is driven exactly as a retry of its request would drive it.

The reward server runs ``reconcile`` at start-up and then periodically, so no decided payment stays pending
because its caller went away. Running it beside live requests, or twice, moves nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from reward_service.use_cases import distributions, leases, refunds
from reward_service.use_cases.context import RewardContext
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import WinzoneError

RECONCILE_BATCH = 500
"""Records of each kind one ``reconcile`` run drives at most; the next run takes the rest."""

log = logging.getLogger("winzone.rewards")


@dataclass(frozen=True, slots=True)
class ReconcileReport:
    """What one ``reconcile`` run settled, and how many records it could not settle yet."""

    contributions: int = 0
    distributions: int = 0
    refunds: int = 0
    failed: int = 0


async def reconcile(ctx: RewardContext, min_age_seconds: float = 0.0) -> ReconcileReport:
    """Drive contributions whose lease ran out at least ``min_age_seconds`` ago, and pending distributions and
    unfinished refunds last touched at least that long ago. A record that cannot be settled now (the wallet
    is down, say) is logged and left for the next run."""
    before = format_utc(ctx.clock() - timedelta(seconds=min_age_seconds))
    contributions = await ctx.store.read_async(lambda uow: uow.contributions_pending(before, RECONCILE_BATCH))
    pending = await ctx.store.read_async(lambda uow: uow.distributions_pending(before, RECONCILE_BATCH))
    unfinished = await ctx.store.read_async(lambda uow: uow.refunds_unfinished(before, RECONCILE_BATCH))
    work: list[tuple[str, str, Callable[[], Awaitable[object]]]] = [
        *(("contribution", c.id, partial(leases.settle_pending, ctx, c.competition_id, c.id, wait=False))
          for c in contributions),
        *(("distribution", d.match_id, partial(distributions.pay, ctx, d)) for d in pending),
        *(("refund", r.competition_id, partial(refunds.resume, ctx, r)) for r in unfinished),
    ]
    done = {"contribution": 0, "distribution": 0, "refund": 0}
    failed = 0
    for kind, record_id, drive in work:
        try:
            await drive()
        except WinzoneError as exc:
            failed += 1
            log.error("a pending payment could not be settled yet", extra={"fields": {
                "kind": kind, "id": record_id, "code": exc.code, "message": exc.message}})
        else:
            done[kind] += 1
    report = ReconcileReport(done["contribution"], done["distribution"], done["refund"], failed)
    if work:
        log.info("reconciled pending payments", extra={"fields": {
            "contributions": report.contributions, "distributions": report.distributions,
            "refunds": report.refunds, "failed": report.failed}})
    return report
