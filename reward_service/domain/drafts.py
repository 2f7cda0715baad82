"""A match's distribution as a request decides it: the prize pool, the fees off it and the winners' shares.

The arithmetic is ``split.compute_split``; this module applies it to a competition's unpromised pool and the
fee schedule, refuses what one wallet posting could not pay, and tells a retry of the request that decided
a distribution from another request for the same match.
"""

from __future__ import annotations

from reward_service.domain.commands import DistributeCommand
from reward_service.domain.model import Competition, Distribution, FeeSchedule, PaymentStatus, Payout
from reward_service.domain.postings import MAX_PAYOUTS
from reward_service.domain.split import compute_split
from winzone_kernel.errors import AlreadyExists, FailedPrecondition, InvalidArgument


def draft_distribution(cmd: DistributeCommand, competition: Competition, fees: FeeSchedule, now: str) -> Distribution:
    """The pending distribution ``cmd`` pays from ``competition`` at ``now``: the whole unpromised pool unless
    the command names an amount (``INSUFFICIENT_POOL`` when the pool does not hold it), at most
    ``MAX_PAYOUTS`` winners (``TOO_MANY_WINNERS``)."""
    template, shares = cmd.plan(competition.template)
    pool = competition.pool_balance if cmd.prize_pool is None else cmd.prize_pool
    if not 0 < pool <= competition.pool_balance:
        raise FailedPrecondition(
            f"The prize pool holds {competition.pool_balance} minor units; {pool} cannot be distributed",
            code="INSUFFICIENT_POOL",
        )
    split = compute_split(pool, fees.platform, fees.organizer, shares, cmd.standings)
    if len(split.payouts) > MAX_PAYOUTS:
        raise InvalidArgument(
            f"One distribution can pay at most {MAX_PAYOUTS} winners; {len(split.payouts)} would be paid",
            code="TOO_MANY_WINNERS",
        )
    return Distribution(
        match_id=cmd.match_id, competition_id=competition.id, fingerprint=cmd.fingerprint(competition.template),
        template=template, shares=() if template else tuple(str(s) for s in shares),
        currency=competition.currency, prize_pool=split.pool_minor, platform_fee=split.platform_fee_minor,
        organizer_fee=split.organizer_fee_minor, organizer_id=competition.organizer_id,
        platform_fee_percentage=str(fees.platform), organizer_fee_percentage=str(fees.organizer),
        payouts=tuple(Payout(p.user_id, p.rank, p.amount_minor) for p in split.payouts),
        status=PaymentStatus.PENDING.value, entry_id="", created_at=now, updated_at=now,
    )


def check_same_request(decided: Distribution, cmd: DistributeCommand, default_template: str) -> None:
    """Only the request that decided a match's distribution may drive or replay it (``DISTRIBUTION_CONFLICT``);
    ``default_template`` is the competition's."""
    if decided.competition_id != cmd.competition_id or decided.fingerprint != cmd.fingerprint(default_template):
        raise AlreadyExists("This match was already distributed with other standings, shares or pool",
                            code="DISTRIBUTION_CONFLICT")
