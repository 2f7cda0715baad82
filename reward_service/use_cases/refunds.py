"""Cancelling a competition: every entry fee and sponsorship goes back to its payer, once.

The refund first collects (every contribution still being charged is settled, see ``leases``), then fixes
its lines and promises their total from the pool, then posts them, a journal entry per line, in PostBatch calls
of ``RewardContext.refund_batch`` entries, and records the first line's wallet entry. A line the wallet refuses
leaves the refund pending: every other line, in every call, is still posted (and replayed when the refund is
finished), and the first refusal is raised once all calls have been answered.
"""

from __future__ import annotations

from datetime import timedelta

from reward_service.domain import rules
from reward_service.domain.model import Actor, Competition, Refund, RefundStatus, check_reason, check_ref
from reward_service.domain.postings import refund_batches
from reward_service.use_cases import leases
from reward_service.use_cases.context import RewardContext
from winzone_kernel.errors import Unavailable, WinzoneError

COLLECT_GRACE = timedelta(seconds=5)
"""How much longer than a lease a refund waits for the charges still in progress."""


async def refund(ctx: RewardContext, competition_id: object, reason: object, actor: Actor | None
                 ) -> tuple[Competition, Refund]:
    """Cancel an open competition and return every contribution to its payer, once; asking again finishes
    or returns the same refund."""
    cid = check_ref(competition_id, "competition_id")
    why = check_reason(reason)
    begun, competition = await ctx.store.atomic_async(lambda uow: rules.begin_refund(uow, cid, why, actor, ctx.now()))
    finished = await finish(ctx, begun, competition.currency)
    return await ctx.store.read_async(lambda uow: rules.competition_of(uow, cid)), finished


async def resume(ctx: RewardContext, unfinished: Refund) -> None:
    """Finish a refund its request left unfinished."""
    competition = await ctx.store.read_async(lambda uow: rules.competition_of(uow, unfinished.competition_id))
    await finish(ctx, unfinished, competition.currency)


async def finish(ctx: RewardContext, begun: Refund, currency: str) -> Refund:
    """Settle the charges of a cancelled competition, decide its refund, post it and record it."""
    cid = begun.competition_id
    current = await _collect(ctx, cid) if begun.status == RefundStatus.COLLECTING else begun
    if current.status != RefundStatus.PENDING:
        return current
    entry_ids: list[str] = []
    refused: WinzoneError | None = None
    for plans in refund_batches(current, currency, ctx.refund_batch):
        for answer in await ctx.wallet.post_batch(plans):
            if isinstance(answer, WinzoneError):
                refused = refused or answer
            else:
                entry_ids.append(answer.entry_id)
    if refused is not None:
        raise refused
    return await ctx.store.atomic_async(lambda uow: rules.mark_refund_paid(uow, cid, entry_ids[0], ctx.now()))


async def _collect(ctx: RewardContext, competition_id: str) -> Refund:
    """Settle every contribution still being charged, then decide the refund's lines."""
    deadline = ctx.clock() + ctx.lease + COLLECT_GRACE
    while True:
        decided = await ctx.store.atomic_async(lambda uow: rules.decide_refund(uow, competition_id, ctx.now()))
        if decided is not None:
            return decided
        if ctx.clock() > deadline:
            raise Unavailable("Entries are still being charged; try the refund again", code="REFUND_IN_PROGRESS")
        pending = await ctx.store.read_async(lambda uow: rules.pending_contributions(uow, competition_id))
        for contribution_id in pending:
            await leases.settle_pending(ctx, competition_id, contribution_id, wait=True)
