"""gRPC adapter of the reward service: protobuf messages to use-case calls and back."""

from __future__ import annotations

import hashlib
import re

import grpc

from reward_service.domain.commands import ContributionRequest, DistributeCommand, OpenCompetitionCommand
from reward_service.domain.listings import CompetitionQuery, Page
from reward_service.domain.model import Actor, Competition, Distribution, Refund, Role, check_ref
from reward_service.domain.ports import WalletTransaction
from reward_service.domain.split import Standing
from reward_service.use_cases.contributions import PoolPayment
from reward_service.use_cases.facade import RewardService
from winzone.rewards.v1 import rewards_pb2 as pb
from winzone.rewards.v1 import rewards_pb2_grpc as pb_grpc
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.ids import new_id

ROLES = frozenset(role.value for role in Role)
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_.:@-]{1,64}")


def new_competition_id() -> str:
    """A fresh, time-ordered competition id such as ``cmp-0661314a732860f683615808a12012`` (no '_', see
    ``KEY_PART_PATTERN``)."""
    return new_id("cmp").replace("_", "-")


def keyed_competition_id(actor_id: str, key: str) -> str:
    """The id a create under the idempotency key ``key`` gets for ``actor_id``: the same on every repeat, and
    unguessable for another caller's key (``cmp-k`` and 40 hex digits of SHA-256)."""
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidArgument("idempotency_key must be 1-64 characters of [A-Za-z0-9_.:@-]",
                              code="INVALID_IDEMPOTENCY_KEY")
    digest = hashlib.sha256(f"{actor_id}\0{key}".encode()).hexdigest()
    return f"cmp-k{digest[:40]}"


def competition_pb(c: Competition) -> pb.Competition:
    return pb.Competition(id=c.id, organizer_id=c.organizer_id, entry_fee=c.entry_fee, currency=c.currency,
                          template=c.template, status=c.status, pool_balance=c.pool_balance, entries=c.entries,
                          created_at=c.created_at, updated_at=c.updated_at)


def distribution_pb(d: Distribution) -> pb.Distribution:
    return pb.Distribution(
        match_id=d.match_id, competition_id=d.competition_id, template=d.template, shares=d.shares,
        currency=d.currency, prize_pool=d.prize_pool, platform_fee=d.platform_fee, organizer_fee=d.organizer_fee,
        organizer_id=d.organizer_id, platform_fee_percentage=d.platform_fee_percentage,
        organizer_fee_percentage=d.organizer_fee_percentage,
        payouts=[pb.Payout(user_id=p.user_id, rank=p.rank, amount=p.amount) for p in d.payouts],
        status=d.status, entry_id=d.entry_id, created_at=d.created_at, updated_at=d.updated_at,
    )


def refund_pb(r: Refund) -> pb.Refund:
    return pb.Refund(
        competition_id=r.competition_id, reason=r.reason, status=r.status, total=r.total,
        lines=[pb.RefundLine(user_id=x.user_id, amount=x.amount, kind=x.kind) for x in r.lines],
        entry_id=r.entry_id, created_at=r.created_at, updated_at=r.updated_at,
    )


def transaction_pb(t: WalletTransaction) -> wallet_pb2.Transaction:
    message = wallet_pb2.Transaction(
        id=t.id, user_id=t.user_id, account=t.account, type=t.type, amount=t.amount, currency=t.currency,
        source=t.source, status=t.status, description=t.description, metadata=t.metadata,
        idempotency_key=t.idempotency_key, entry_id=t.entry_id, hold_id=t.hold_id, created_at=t.created_at,
        updated_at=t.updated_at, posted_at=t.posted_at, fund=t.fund,
        funds=wallet_pb2.Funds(**t.funds),
    )
    if t.balance_after is not None:
        message.balance_after = t.balance_after
    return message


def payment_pb(p: PoolPayment) -> pb.PoolPayment:
    return pb.PoolPayment(competition=competition_pb(p.competition), transaction=transaction_pb(p.transaction),
                          replayed=p.replayed)


def actor_of(request: pb.OpenCompetitionRequest | pb.FundPrizePoolRequest | pb.DistributeMatchRewardsRequest
             | pb.RefundEntryFeesRequest | pb.ListEntriesRequest) -> Actor | None:
    """The end user a gateway acts for, or None for a trusted internal caller."""
    if not request.HasField("actor"):
        return None
    if request.actor.role not in ROLES:
        raise InvalidArgument(f"actor.role must be one of {sorted(ROLES)}", code="INVALID_ACTOR")
    return Actor(check_ref(request.actor.user_id, "actor.user_id"), request.actor.role)


def distribute_command(request: pb.DistributeMatchRewardsRequest) -> DistributeCommand:
    return DistributeCommand.build(
        match_id=request.match_id, competition_id=request.competition_id, template=request.template or None,
        shares=list(request.shares) or None,
        standings=[Standing(s.user_id, s.rank) for s in request.standings],
        prize_pool=request.prize_pool if request.HasField("prize_pool") else None, actor=actor_of(request),
    )


class RewardServicer(pb_grpc.RewardServiceServicer):
    """``winzone.rewards.v1.RewardService``: prize pools and exactly-once match rewards."""

    def __init__(self, service: RewardService) -> None:
        self._svc = service

    async def OpenCompetition(self, request: pb.OpenCompetitionRequest, context: grpc.aio.ServicerContext
                              ) -> pb.OpenCompetitionResponse:
        """Create a competition (under a generated id when none is given, derived from ``idempotency_key`` when one is
        given), or change one nobody has entered yet."""
        keyed = bool(request.idempotency_key) and not request.competition_id
        generated_id = (keyed_competition_id(request.actor.user_id, request.idempotency_key) if keyed
                        else new_competition_id())
        cmd = OpenCompetitionCommand.build(
            competition_id=request.competition_id, organizer_id=request.organizer_id, entry_fee=request.entry_fee,
            currency=request.currency, template=request.template, generated_id=generated_id, keyed=keyed,
        )
        competition, created = await self._svc.open_competition(cmd, actor_of(request))
        return pb.OpenCompetitionResponse(competition=competition_pb(competition), created=created)

    async def GetCompetition(self, request: pb.GetCompetitionRequest, context: grpc.aio.ServicerContext
                             ) -> pb.Competition:
        """One competition (NOT_FOUND when unknown)."""
        return competition_pb(await self._svc.competition(request.competition_id))

    async def ListCompetitions(self, request: pb.ListCompetitionsRequest, context: grpc.aio.ServicerContext
                               ) -> pb.ListCompetitionsResponse:
        """A page of competitions, newest first, optionally of one status and/or organizer, and their total."""
        query = CompetitionQuery.build(status=request.status, organizer_id=request.organizer_id, page=request.page,
                                       limit=request.limit)
        found, total = await self._svc.competitions(query)
        return pb.ListCompetitionsResponse(competitions=[competition_pb(c) for c in found], total=total,
                                           page=query.page.page, limit=query.page.limit)

    async def ListEntries(self, request: pb.ListEntriesRequest, context: grpc.aio.ServicerContext
                          ) -> pb.ListEntriesResponse:
        """A page of one competition's entries (its entry-fee contributions), oldest first, and their total."""
        page = Page.of(request.page, request.limit)
        found, total = await self._svc.entries(request.competition_id, page, actor_of(request))
        entries = [pb.Entry(user_id=c.user_id, amount=c.amount, currency=c.currency, status=c.status,
                            created_at=c.created_at) for c in found]
        return pb.ListEntriesResponse(entries=entries, total=total, page=page.page, limit=page.limit)

    async def GetFees(self, request: pb.GetFeesRequest, context: grpc.aio.ServicerContext) -> pb.Fees:
        """The platform and organizer fee percentages distributions apply."""
        fees = self._svc.fees
        return pb.Fees(platform_fee_percentage=str(fees.platform), organizer_fee_percentage=str(fees.organizer))

    async def ChargeEntryFee(self, request: pb.ChargeEntryFeeRequest, context: grpc.aio.ServicerContext
                             ) -> pb.PoolPayment:
        """Charge a player's entry fee into the pool, once per player."""
        entry = ContributionRequest.entry(
            competition_id=request.competition_id, user_id=request.user_id,
            expected_amount=request.expected_amount, expected_currency=request.expected_currency,
        )
        return payment_pb(await self._svc.contribute(entry))

    async def FundPrizePool(self, request: pb.FundPrizePoolRequest, context: grpc.aio.ServicerContext
                            ) -> pb.PoolPayment:
        """Move sponsor money from a user's wallet (the actor's own, when an actor is set) into the pool, once
        per idempotency key."""
        actor = actor_of(request)
        sponsorship = ContributionRequest.sponsorship(
            competition_id=request.competition_id, user_id=request.user_id or (actor.user_id if actor else ""),
            amount=request.amount, currency=request.currency, key=request.idempotency_key, actor=actor,
        )
        return payment_pb(await self._svc.contribute(sponsorship))

    async def PreviewDistribution(self, request: pb.DistributeMatchRewardsRequest,
                                  context: grpc.aio.ServicerContext) -> pb.Distribution:
        """The distribution a request would pay now; nothing is stored or moved."""
        return distribution_pb(await self._svc.preview(distribute_command(request)))

    async def DistributeMatchRewards(self, request: pb.DistributeMatchRewardsRequest,
                                     context: grpc.aio.ServicerContext) -> pb.Distribution:
        """Pay a match's rewards in one wallet posting, exactly once."""
        return distribution_pb(await self._svc.distribute(distribute_command(request)))

    async def GetDistribution(self, request: pb.GetDistributionRequest, context: grpc.aio.ServicerContext
                              ) -> pb.Distribution:
        """The distribution of one match (NOT_FOUND when none)."""
        return distribution_pb(await self._svc.distribution(request.match_id))

    async def RefundEntryFees(self, request: pb.RefundEntryFeesRequest, context: grpc.aio.ServicerContext
                              ) -> pb.RefundResult:
        """Cancel a competition and return every entry fee and sponsorship, once."""
        competition, refund = await self._svc.refund(request.competition_id, request.reason, actor_of(request))
        return pb.RefundResult(competition=competition_pb(competition), refund=refund_pb(refund))
