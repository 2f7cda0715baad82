"""``RewardService``: the reward workflows behind the one object the servicer and the server hold."""

from __future__ import annotations

from datetime import timedelta

from reward_service.domain.commands import ContributionRequest, DistributeCommand, OpenCompetitionCommand
from reward_service.domain.listings import CompetitionQuery, Page
from reward_service.domain.model import Actor, Competition, Contribution, Distribution, FeeSchedule, Refund
from reward_service.domain.ports import RewardStore, WalletPort
from reward_service.domain.postings import REFUND_BATCH
from reward_service.use_cases import competitions, contributions, distributions, reconciliation, refunds
from reward_service.use_cases.context import LEASE, RewardContext
from reward_service.use_cases.contributions import PoolPayment
from reward_service.use_cases.reconciliation import ReconcileReport
from winzone_kernel.clock import Clock, utc_now


class RewardService:
    """Prize pools and exactly-once match rewards over one store and one wallet; each method is a workflow of
    its own module (``competitions``, ``contributions``, ``distributions``, ``refunds``, ``reconciliation``).
    ``clock`` stamps every record and times every lease."""

    def __init__(self, store: RewardStore, wallet: WalletPort, fees: FeeSchedule, *, clock: Clock = utc_now,
                 lease: timedelta = LEASE, refund_batch: int = REFUND_BATCH) -> None:
        self._ctx = RewardContext(store, wallet, fees, clock, lease, refund_batch)

    async def open_competition(self, cmd: OpenCompetitionCommand, actor: Actor | None) -> tuple[Competition, bool]:
        return await competitions.open_competition(self._ctx, cmd, actor)

    async def competition(self, competition_id: object) -> Competition:
        return await competitions.competition(self._ctx, competition_id)

    async def competitions(self, query: CompetitionQuery) -> tuple[list[Competition], int]:
        return await competitions.list_competitions(self._ctx, query)

    async def entries(self, competition_id: object, page: Page, actor: Actor | None
                      ) -> tuple[list[Contribution], int]:
        return await competitions.list_entries(self._ctx, competition_id, page, actor)

    @property
    def fees(self) -> FeeSchedule:
        return self._ctx.fees

    async def contribute(self, request: ContributionRequest) -> PoolPayment:
        return await contributions.contribute(self._ctx, request)

    async def preview(self, cmd: DistributeCommand) -> Distribution:
        return await distributions.preview(self._ctx, cmd)

    async def distribute(self, cmd: DistributeCommand) -> Distribution:
        return await distributions.distribute(self._ctx, cmd)

    async def distribution(self, match_id: object) -> Distribution:
        return await distributions.distribution(self._ctx, match_id)

    async def refund(self, competition_id: object, reason: object, actor: Actor | None) -> tuple[Competition, Refund]:
        return await refunds.refund(self._ctx, competition_id, reason, actor)

    async def reconcile(self, min_age_seconds: float = 0.0) -> ReconcileReport:
        return await reconciliation.reconcile(self._ctx, min_age_seconds)
