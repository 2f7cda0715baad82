"""How each reward-service operation moves money: one balanced wallet posting under a deterministic key.

Every plan is a pure function of a stored record, so driving the same record again produces the very same
posting and the wallet replays it instead of moving money twice. Accounts follow the wallet's naming:
``user:<id>``, ``pool:<competitionId>`` and ``platform_fees``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reward_service.domain.model import Contribution, ContributionKind, Distribution, Refund

SOURCE = "rewards"
PLATFORM_FEES_ACCOUNT = "platform_fees"

WALLET_MAX_LEGS = 20_000
"""The most legs the wallet accepts in one posting (``wallet_service.domain.commands.MAX_LEGS``); a larger
posting is refused by the wallet, so it must never be decided here."""

MAX_PAYOUTS = WALLET_MAX_LEGS - 3
"""The most winners one distribution may pay: its posting has one more leg for the pool and one per fee."""

REFUND_BATCH = 10_000
"""Refund lines per wallet posting: a competition's refund is as many postings as it needs."""


def user_account(user_id: str) -> str:
    return f"user:{user_id}"


def pool_account(competition_id: str) -> str:
    return f"pool:{competition_id}"


@dataclass(frozen=True, slots=True)
class LegPlan:
    """One leg: a signed amount on an account (positive credits it), shown as a transaction of ``type``."""

    account: str
    amount: int
    type: str
    description: str
    key: str = ""
    metadata: dict[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PostingPlan:
    """One balanced multi-leg wallet posting in one currency."""

    key: str
    currency: str
    legs: tuple[LegPlan, ...]
    description: str
    metadata: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if sum(leg.amount for leg in self.legs) != 0 or len(self.legs) < 2:
            raise ValueError(f"posting {self.key} is not balanced")


def contribution_posting(contribution: Contribution) -> PostingPlan:
    """Entry fee or sponsorship: the payer's wallet → the pool; the payer's leg carries the contribution id."""
    cid = contribution.competition_id
    if contribution.kind == ContributionKind.ENTRY:
        description, payer_type, pool_type = f"Entry fee for competition {cid}", "entryFee", "entryFee"
    else:
        description, payer_type, pool_type = f"Prize pool sponsorship for competition {cid}", "debit", "credit"
    metadata = {"competitionId": cid, "kind": contribution.kind}
    return PostingPlan(
        key=contribution.id,
        currency=contribution.currency,
        legs=(
            LegPlan(user_account(contribution.user_id), -contribution.amount, payer_type, description,
                    key=contribution.id, metadata=metadata),
            LegPlan(pool_account(cid), contribution.amount, pool_type, description, metadata=metadata),
        ),
        description=description,
        metadata=metadata,
    )


def distribution_posting(distribution: Distribution) -> PostingPlan:
    """Pool → each winner (``reward``, key ``match_reward_{matchId}_{userId}``), the platform fee account
    (``platformFee``) and the organizer's wallet (``organizerFee``), in one entry keyed by the match."""
    match, cid = distribution.match_id, distribution.competition_id
    common = {"competitionId": cid, "matchId": match}
    legs = [LegPlan(pool_account(cid), -distribution.prize_pool, "reward", f"Prize pool of match {match}",
                    metadata=common)]
    legs.extend(
        LegPlan(user_account(p.user_id), p.amount, "reward", f"Reward for match {match} (rank {p.rank})",
                key=f"match_reward_{match}_{p.user_id}", metadata={**common, "rank": str(p.rank)})
        for p in distribution.payouts
    )
    if distribution.platform_fee:
        legs.append(LegPlan(PLATFORM_FEES_ACCOUNT, distribution.platform_fee, "platformFee",
                            f"Platform fee of match {match}", key=f"match_platform_fee_{match}", metadata=common))
    if distribution.organizer_fee:
        legs.append(LegPlan(user_account(distribution.organizer_id), distribution.organizer_fee, "organizerFee",
                            f"Organizer fee of match {match}", key=f"match_organizer_fee_{match}",
                            metadata=common))
    return PostingPlan(key=f"distribution_{match}", currency=distribution.currency, legs=tuple(legs),
                       description=f"Rewards of match {match}", metadata=common)


def refund_postings(refund: Refund, currency: str, batch: int = REFUND_BATCH) -> tuple[PostingPlan, ...]:
    """Pool → every payer of a cancelled competition (``refund``, key ``refund_{contributionId}``), in postings
    of at most ``batch`` lines keyed ``refund_{competitionId}``, then ``refund_{competitionId}:2``, ``:3``...
    (':' is in no id, so these keys never meet another competition's)."""
    cid = refund.competition_id
    description = f"Refund: competition {cid} was cancelled"
    metadata = {"competitionId": cid}
    plans = []
    for number, start in enumerate(range(0, len(refund.lines), batch), start=1):
        lines = refund.lines[start:start + batch]
        legs = [LegPlan(pool_account(cid), -sum(line.amount for line in lines), "refund", description,
                        metadata=metadata)]
        legs.extend(
            LegPlan(user_account(line.user_id), line.amount, "refund", description,
                    key=f"refund_{line.contribution_id}", metadata={**metadata, "kind": line.kind})
            for line in lines
        )
        key = f"refund_{cid}" if number == 1 else f"refund_{cid}:{number}"
        plans.append(PostingPlan(key=key, currency=currency, legs=tuple(legs), description=description,
                                 metadata=metadata))
    return tuple(plans)
