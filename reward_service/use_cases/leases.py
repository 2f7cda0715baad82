"""The lease machinery: one driver at a time posts a pending contribution and records what the wallet answered.

A contribution is claimed under a fresh token and a lease that ends ``RewardContext.lease`` later (by its
payer's request through ``rules.claim_contribution``, by a refund or the reconciler through
``rules.claim_pending``). The holder posts it under the attempt's key and records the outcome: paid; refused,
when the wallet's answer proves nothing moved and never will under that key (``WALLET_REFUSALS``); or
released, when the outcome is unknown (a timeout: the request may still land), so that the next claim drives
the same attempt under the same key and the wallet answers what it did with it first. Only a refused entry
moves on to a new attempt and key, so a request that lands late can never be a second charge.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta

from reward_service.domain import rules
from reward_service.domain.model import Competition
from reward_service.domain.ports import PostingReceipt, RewardUnitOfWork
from reward_service.domain.postings import contribution_posting
from reward_service.domain.rules import Claim, ClaimOutcome
from reward_service.use_cases.context import RewardContext
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, NotFound, Unavailable
from winzone_kernel.ids import new_id

BUSY_POLL_SECONDS = 0.02
"""How long a claim waits before trying again a contribution another driver holds."""

WALLET_REFUSALS = (InvalidArgument, FailedPrecondition, NotFound)
"""The wallet's answers that prove a posting did not and will not happen under its key: a refusal it remembers
(``FailedPrecondition``, ``NotFound``) or a malformed posting, malformed again whenever it is sent. Anything
else (an unreachable wallet, a deadline, a key conflict) leaves the outcome unknown."""

ClaimStep = Callable[[RewardUnitOfWork, str, str, str], Claim]
"""A unit of work that claims one contribution: ``step(uow, token, now, lease_until)``."""


async def _claim_at(ctx: RewardContext, step: ClaimStep, moment: datetime) -> tuple[Claim, str]:
    token = new_id("lease")
    now, until = format_utc(moment), format_utc(moment + ctx.lease)
    return await ctx.store.atomic_async(lambda uow: step(uow, token, now, until)), token


async def claim_once(ctx: RewardContext, step: ClaimStep) -> tuple[Claim, str]:
    """Run ``step`` once under a new token; a contribution another driver holds comes back ``BUSY``."""
    return await _claim_at(ctx, step, ctx.clock())


async def claim(ctx: RewardContext, step: ClaimStep) -> tuple[Claim, str]:
    """Run ``step`` until it does not find the contribution leased by another driver; ``PAYMENT_IN_PROGRESS``
    when that driver keeps it longer than a lease."""
    deadline = ctx.clock() + ctx.lease + timedelta(seconds=1)
    while True:
        moment = ctx.clock()
        claimed, token = await _claim_at(ctx, step, moment)
        if claimed.outcome is not ClaimOutcome.BUSY:
            return claimed, token
        if moment > deadline:
            raise Unavailable("This payment is still being processed; try again", code="PAYMENT_IN_PROGRESS")
        await asyncio.sleep(BUSY_POLL_SECONDS)


async def drive(ctx: RewardContext, claimed: Claim, token: str) -> tuple[Competition, PostingReceipt]:
    """Post a claimed contribution (a paid one only replays) and record what the wallet answered."""
    contribution = claimed.contribution
    if contribution is None:
        raise NotFound("Contribution not found")
    plan = contribution_posting(contribution)
    if claimed.outcome is ClaimOutcome.PAID:
        return claimed.competition, await ctx.wallet.post(plan)
    try:
        receipt = await ctx.wallet.post(plan)
    except WALLET_REFUSALS:
        await ctx.store.atomic_async(lambda uow: rules.settle_failed(uow, contribution.id, token, ctx.now()))
        raise
    except BaseException:
        await asyncio.shield(ctx.store.atomic_async(
            lambda uow: rules.release_lease(uow, contribution.id, token, ctx.now())))
        raise
    _, competition = await ctx.store.atomic_async(lambda uow: rules.settle_paid(uow, contribution, ctx.now()))
    return competition, receipt


async def settle_pending(ctx: RewardContext, competition_id: str, contribution_id: str, *, wait: bool) -> None:
    """Claim a pending contribution without its payer's request and post it: the wallet replays it if it was
    posted (even late, after its request timed out), else moves it now, as a retry of the request would, or
    answers the refusal it remembers; a refusal marks it refused, as for a refused request.
    With ``wait`` a contribution another driver holds is waited for (see ``claim``), else left to that driver.
    """

    def step(uow: RewardUnitOfWork, token: str, now: str, until: str) -> Claim:
        return rules.claim_pending(uow, competition_id, contribution_id, token, now=now, lease_until=until)

    claimed, token = await (claim(ctx, step) if wait else claim_once(ctx, step))
    if claimed.outcome is ClaimOutcome.OWNED:
        with contextlib.suppress(*WALLET_REFUSALS):
            await drive(ctx, claimed, token)
