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

WALLET_MAX_BATCH = 1_000
"""The most entries the wallet accepts in one PostBatch call (``wallet_service.domain.commands.MAX_BATCH_ENTRIES``)."""

REFUND_BATCH = 250
"""Refund lines per PostBatch call (at most ``WALLET_MAX_BATCH``): each line is a journal entry of its own and a
call's entries are one wallet transaction (some 1,000 documents on MongoDB), short enough to stay well inside
the wallet store's 10 s budget on a loaded machine."""

DISTRIBUTION_BATCH = 2_000
"""Winners per wallet posting: a larger distribution is several postings (``distribution_{matchId}``, then
``distribution_{matchId}:2``, ...), so that each stays well inside one MongoDB transaction's size and time
limits; each winner's leg keeps its own key, so the split pays every winner exactly once."""


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
    """Entry fee or sponsorship: the payer's wallet → the pool, under the attempt's key (``posting_key``); the
    payer's leg carries the contribution id, which the ledger accepts once, whichever attempt lands."""
    cid = contribution.competition_id
    if contribution.kind == ContributionKind.ENTRY:
        description, payer_type, pool_type = f"Entry fee for competition {cid}", "entryFee", "entryFee"
    else:
        description, payer_type, pool_type = f"Prize pool sponsorship for competition {cid}", "debit", "credit"
    metadata = {"competitionId": cid, "kind": contribution.kind}
    return PostingPlan(
        key=contribution.posting_key,
        currency=contribution.currency,
        legs=(
            LegPlan(user_account(contribution.user_id), -contribution.amount, payer_type, description,
                    key=contribution.id, metadata=metadata),
            LegPlan(pool_account(cid), contribution.amount, pool_type, description, metadata=metadata),
        ),
        description=description,
        metadata=metadata,
    )


def distribution_postings(distribution: Distribution, batch: int = DISTRIBUTION_BATCH) -> tuple[PostingPlan, ...]:
    """Pool → each winner (``reward``, key ``match_reward_{matchId}_{userId}``), the platform fee account
    (``platformFee``) and the organizer's wallet (``organizerFee``): one entry keyed ``distribution_{matchId}``
    with the fees and the first ``batch`` winners, then one more per further ``batch`` winners keyed
    ``distribution_{matchId}:2``, ``:3``... (':' is in no id, so these keys never meet another match's)."""
    match, cid = distribution.match_id, distribution.competition_id
    common = {"competitionId": cid, "matchId": match}
    fees: list[LegPlan] = []
    if distribution.platform_fee:
        fees.append(LegPlan(PLATFORM_FEES_ACCOUNT, distribution.platform_fee, "platformFee",
                            f"Platform fee of match {match}", key=f"match_platform_fee_{match}", metadata=common))
    if distribution.organizer_fee:
        fees.append(LegPlan(user_account(distribution.organizer_id), distribution.organizer_fee, "organizerFee",
                            f"Organizer fee of match {match}", key=f"match_organizer_fee_{match}",
                            metadata=common))
    plans = []
    for number, start in enumerate(range(0, max(len(distribution.payouts), 1), batch), start=1):
        winners = [
            LegPlan(user_account(p.user_id), p.amount, "reward", f"Reward for match {match} (rank {p.rank})",
                    key=f"match_reward_{match}_{p.user_id}", metadata={**common, "rank": str(p.rank)})
            for p in distribution.payouts[start:start + batch]
        ]
        credited = [*winners, *fees] if number == 1 else winners
        pool = LegPlan(pool_account(cid), -sum(leg.amount for leg in credited), "reward",
                       f"Prize pool of match {match}", metadata=common)
        key = f"distribution_{match}" if number == 1 else f"distribution_{match}:{number}"
        plans.append(PostingPlan(key=key, currency=distribution.currency, legs=(pool, *credited),
                                 description=f"Rewards of match {match}", metadata=common))
    return tuple(plans)


def refund_entries(refund: Refund, currency: str) -> tuple[PostingPlan, ...]:
    """Pool → each payer of a cancelled competition, one entry per line keyed ``refund_{contributionId}`` (its
    payer's leg carries the same key, which the ledger accepts once), in the refund's line order."""
    cid = refund.competition_id
    description = f"Refund: competition {cid} was cancelled"
    metadata = {"competitionId": cid}
    return tuple(
        PostingPlan(key=f"refund_{line.contribution_id}", currency=currency, description=description,
                    metadata=metadata, legs=(
                        LegPlan(pool_account(cid), -line.amount, "refund", description, metadata=metadata),
                        LegPlan(user_account(line.user_id), line.amount, "refund", description,
                                key=f"refund_{line.contribution_id}", metadata={**metadata, "kind": line.kind}),
                    ))
        for line in refund.lines
    )


def refund_batches(refund: Refund, currency: str, batch: int = REFUND_BATCH) -> tuple[tuple[PostingPlan, ...], ...]:
    """The refund's entries (``refund_entries``) in PostBatch calls of at most ``batch``."""
    entries = refund_entries(refund, currency)
    return tuple(entries[start:start + batch] for start in range(0, len(entries), batch))
