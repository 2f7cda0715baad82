"""Paying a match: preview its distribution, decide and persist it once, post it, record the wallet entry."""

from __future__ import annotations

from dataclasses import replace

from reward_service.domain import rules
from reward_service.domain.commands import DistributeCommand
from reward_service.domain.drafts import check_same_request, draft_distribution
from reward_service.domain.model import Competition, Distribution, PaymentStatus
from reward_service.domain.postings import distribution_postings
from reward_service.domain.rules import PoolChanged
from reward_service.use_cases.context import RewardContext
from winzone_kernel.errors import AlreadyExists, NotFound, Unavailable

MAX_DECIDE_ATTEMPTS = 20
"""Times ``distribute`` computes a whole-pool split again because the pool moved meanwhile."""


async def preview(ctx: RewardContext, cmd: DistributeCommand) -> Distribution:
    """What ``distribute`` would pay now; nothing is stored or moved."""
    competition = await ctx.store.read_async(lambda uow: rules.competition_of(uow, cmd.competition_id))
    competition.check_manager(cmd.actor)
    competition.check_distributable()
    return replace(draft_distribution(cmd, competition, ctx.fees, ctx.now()), status="preview")


async def distribute(ctx: RewardContext, cmd: DistributeCommand) -> Distribution:
    """Pay a match once: decide and persist the split, post it, record the entry. The request that decided a
    match's distribution drives or replays it; another request for the match is ``DISTRIBUTION_CONFLICT``."""
    for _ in range(MAX_DECIDE_ATTEMPTS):
        decided = await _decide(ctx, cmd)
        if decided is not None:
            return await pay(ctx, decided)
    raise Unavailable("The prize pool keeps changing; try again")


async def _decide(ctx: RewardContext, cmd: DistributeCommand) -> Distribution | None:
    """The match's distribution, decided now unless it already was; None when the pool moved meanwhile.

    The match is looked up again after the competition is read: a concurrent request that decided it between
    the two reads has already promised the pool, and its distribution is what this request must see."""
    existing = await _existing(ctx, cmd)
    if existing is None:
        competition = await ctx.store.read_async(lambda uow: rules.competition_of(uow, cmd.competition_id))
        existing = await _existing(ctx, cmd)
        if existing is None:
            return await _decide_new(ctx, cmd, competition)
    decided_in = await ctx.store.read_async(lambda uow: rules.competition_of(uow, existing.competition_id))
    check_same_request(existing, cmd, decided_in.template)
    return existing


async def _decide_new(ctx: RewardContext, cmd: DistributeCommand, competition: Competition) -> Distribution | None:
    competition.check_manager(cmd.actor)
    competition.check_distributable()
    draft = draft_distribution(cmd, competition, ctx.fees, ctx.now())
    try:
        decided = await ctx.store.atomic_async(lambda uow: rules.decide_distribution(
            uow, draft, cmd.prize_pool is None, cmd.actor, ctx.now()))
    except (PoolChanged, AlreadyExists):
        return None
    check_same_request(decided, cmd, competition.template)
    return decided


async def _existing(ctx: RewardContext, cmd: DistributeCommand) -> Distribution | None:
    return await ctx.store.read_async(lambda uow: rules.existing_distribution(uow, cmd.match_id, cmd.actor))


async def pay(ctx: RewardContext, decided: Distribution) -> Distribution:
    """Post a decided distribution, in as many postings as it needs (a paid one is returned as it is), and
    record its first wallet entry."""
    if decided.status == PaymentStatus.PAID:
        return decided
    receipts = [await ctx.wallet.post(plan) for plan in distribution_postings(decided)]
    return await ctx.store.atomic_async(
        lambda uow: rules.mark_distribution_paid(uow, decided.match_id, receipts[0].entry_id, ctx.now()))


async def distribution(ctx: RewardContext, match_id: object) -> Distribution:
    """The distribution of one match; ``DISTRIBUTION_NOT_FOUND`` for none or a malformed id."""
    if not isinstance(match_id, str) or not match_id or len(match_id) > 64:
        raise NotFound("Distribution not found", code="DISTRIBUTION_NOT_FOUND")
    found = await ctx.store.read_async(lambda uow: uow.distribution_get(match_id))
    if found is None:
        raise NotFound("Distribution not found", code="DISTRIBUTION_NOT_FOUND")
    return found
