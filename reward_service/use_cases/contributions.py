"""Money into a prize pool: a player's entry fee or a sponsorship, each charged once (see ``leases``)."""

from __future__ import annotations

from dataclasses import dataclass

from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest
from reward_service.domain.model import Competition
from reward_service.domain.ports import RewardUnitOfWork, WalletTransaction
from reward_service.domain.rules import Claim
from reward_service.use_cases import leases
from reward_service.use_cases.context import RewardContext


@dataclass(frozen=True, slots=True)
class PoolPayment:
    """A paid entry fee or sponsorship: the competition after it and the payer's wallet transaction."""

    competition: Competition
    transaction: WalletTransaction
    replayed: bool


async def contribute(ctx: RewardContext, request: ContributionRequest) -> PoolPayment:
    """Charge an entry fee (once per player) or a sponsorship (once per key) into the pool; a request that
    finds its contribution paid replays the wallet's answer."""

    def step(uow: RewardUnitOfWork, token: str, now: str, until: str) -> Claim:
        return rules.claim_contribution(uow, request, token, now=now, lease_until=until)

    claimed, token = await leases.claim(ctx, step)
    competition, receipt = await leases.drive(ctx, claimed, token)
    return PoolPayment(competition, receipt.transactions[0], receipt.replayed)
