"""The reward service's use cases: decide and persist in the store, move money through the wallet, record it.

Each money-moving use case follows the same three steps so that a crash anywhere is resumed, never
duplicated: (1) a unit of work decides what must be posted and persists it (a pending contribution, a
pending distribution, a pending refund); (2) the wallet posts it under a key derived from that record, so
posting it again replays; (3) a unit of work records the outcome. Retrying a request after a crash re-runs
step 2 for the stored record, and so does ``reconcile``, for records nobody comes back for: the reward
server runs it at start-up and then periodically, so no decided payment stays pending because its caller
crashed or gave up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial

from reward_service.domain import rules
from reward_service.domain.commands import ContributionRequest, DistributeCommand, OpenCompetitionCommand
from reward_service.domain.model import (
    Actor,
    Competition,
    Contribution,
    Distribution,
    FeeSchedule,
    PaymentStatus,
    Payout,
    Refund,
    RefundStatus,
    check_reason,
    check_ref,
)
from reward_service.domain.ports import PostingReceipt, RewardStore, RewardUnitOfWork, WalletPort
from reward_service.domain.postings import (
    MAX_PAYOUTS,
    REFUND_BATCH,
    contribution_posting,
    distribution_posting,
    refund_postings,
)
from reward_service.domain.rules import Claim, ClaimOutcome, PoolChanged
from reward_service.domain.split import compute_split
from winzone_kernel.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    Unavailable,
    WinzoneError,
)
from winzone_kernel.ids import format_utc, new_id, utc_now

LEASE_SECONDS = 30.0
"""How long a driver owns a pending contribution; well above the wallet call's deadline."""

BUSY_POLL_SECONDS = 0.02
MAX_DECIDE_ATTEMPTS = 20
DEFINITE_REFUSALS = (InvalidArgument, FailedPrecondition, NotFound, PermissionDenied)
"""Wallet answers that prove the posting did not happen (an unreachable wallet or a key conflict does not)."""
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


@dataclass(frozen=True, slots=True)
class PoolPayment:
    """A paid entry fee or sponsorship: the competition after it and the payer's wallet transaction."""

    competition: Competition
    transaction: object
    replayed: bool


ClaimStep = Callable[[RewardUnitOfWork, str, float, float, str], Claim]


class RewardService:
    """Use cases of the reward service (see the module docstring)."""

    def __init__(self, store: RewardStore, wallet: WalletPort, fees: FeeSchedule, *,
                 clock: Callable[[], float] = time.time, lease_seconds: float = LEASE_SECONDS,
                 refund_batch: int = REFUND_BATCH) -> None:
        self._store = store
        self._wallet = wallet
        self._fees = fees
        self._clock = clock
        self._lease = lease_seconds
        self._refund_batch = refund_batch

    async def open_competition(self, cmd: OpenCompetitionCommand, actor: Actor | None) -> tuple[Competition, bool]:
        """Create or change a competition; True when it was created."""
        for _ in range(2):
            try:
                return await self._store.atomic_async(
                    lambda uow: rules.open_competition(uow, cmd, actor, utc_now()))
            except AlreadyExists:
                continue
        raise Unavailable("The competition is being changed concurrently; try again")

    async def competition(self, competition_id: object) -> Competition:
        if not isinstance(competition_id, str) or not competition_id or len(competition_id) > 64:
            raise NotFound("Competition not found", code="COMPETITION_NOT_FOUND")
        return await self._store.read_async(lambda uow: rules.competition_of(uow, competition_id))

    async def contribute(self, request: ContributionRequest) -> PoolPayment:
        """Charge an entry fee (once per player) or a sponsorship (once per key) into the pool."""
        claim, token = await self._claim(
            lambda uow, token, now_ts, until, now: rules.claim_contribution(
                uow, request, token, now_ts=now_ts, lease_until=until, now=now))
        competition, receipt = await self._drive(claim, token)
        return PoolPayment(competition, receipt.transactions[0], receipt.replayed)

    async def preview(self, cmd: DistributeCommand) -> Distribution:
        """What ``distribute`` would pay now; nothing is stored or moved."""
        competition = await self._store.read_async(lambda uow: rules.competition_of(uow, cmd.competition_id))
        competition.check_manager(cmd.actor)
        competition.check_distributable()
        draft = self._draft(cmd, competition, utc_now())
        return replace(draft, status="preview")

    async def distribute(self, cmd: DistributeCommand) -> Distribution:
        """Pay a match once: decide and persist the split, post it, record the entry (module docstring)."""
        for _ in range(MAX_DECIDE_ATTEMPTS):
            decided = await self._store.read_async(
                lambda uow: rules.existing_distribution(uow, cmd.match_id, cmd.actor))
            if decided is None:
                competition = await self._store.read_async(
                    lambda uow: rules.competition_of(uow, cmd.competition_id))
                competition.check_manager(cmd.actor)
                competition.check_distributable()
                draft = self._draft(cmd, competition, utc_now())
                try:
                    decided = await self._store.atomic_async(lambda uow, draft=draft: rules.decide_distribution(
                        uow, draft, cmd.prize_pool is None, cmd.actor, utc_now()))
                except (PoolChanged, AlreadyExists):
                    continue
                competition_template = competition.template
            else:
                competition_template = (await self._store.read_async(
                    lambda uow, cid=decided.competition_id: rules.competition_of(uow, cid))).template
            if decided.competition_id != cmd.competition_id or \
                    decided.fingerprint != cmd.fingerprint(competition_template):
                raise AlreadyExists("This match was already distributed with other standings, shares or pool",
                                    code="DISTRIBUTION_CONFLICT")
            return await self._pay(decided)
        raise Unavailable("The prize pool keeps changing; try again")

    async def distribution(self, match_id: object) -> Distribution:
        if not isinstance(match_id, str) or not match_id or len(match_id) > 64:
            raise NotFound("Distribution not found", code="DISTRIBUTION_NOT_FOUND")
        found = await self._store.read_async(lambda uow: uow.distribution_get(match_id))
        if found is None:
            raise NotFound("Distribution not found", code="DISTRIBUTION_NOT_FOUND")
        return found

    async def refund(self, competition_id: object, reason: object, actor: Actor | None) -> tuple[Competition, Refund]:
        """Cancel an open competition and return every contribution to its payer in one posting, once."""
        cid = check_ref(competition_id, "competition_id")
        why = check_reason(reason)
        refund, competition = await self._store.atomic_async(
            lambda uow: rules.begin_refund(uow, cid, why, actor, utc_now()))
        refund = await self._finish_refund(refund, competition.currency)
        return await self._store.read_async(lambda uow: rules.competition_of(uow, cid)), refund

    async def reconcile(self, min_age_seconds: float = 0.0) -> ReconcileReport:
        """Drive every payment left between "decided" and "recorded" by a request that crashed or gave up:
        contributions whose lease ran out at least ``min_age_seconds`` ago, and pending distributions and
        unfinished refunds last touched at least that long ago. Each is driven exactly as a retry of its
        request would drive it, so running this beside live requests, or twice, moves nothing twice. A record
        that cannot be settled now (the wallet is down, say) is logged and left for the next run.
        """
        now_ts = self._clock()
        before = _timestamp(now_ts - min_age_seconds)
        contributions = await self._store.read_async(
            lambda uow: uow.contributions_pending(now_ts - min_age_seconds, RECONCILE_BATCH))
        distributions = await self._store.read_async(
            lambda uow: uow.distributions_pending(before, RECONCILE_BATCH))
        refunds = await self._store.read_async(lambda uow: uow.refunds_unfinished(before, RECONCILE_BATCH))
        done = {"contribution": 0, "distribution": 0, "refund": 0}
        failed = 0
        work: list[tuple[str, str, Callable[[], Awaitable[object]]]] = [
            *(("contribution", c.id, partial(self._settle_pending, c)) for c in contributions),
            *(("distribution", d.match_id, partial(self._pay, d)) for d in distributions),
            *(("refund", r.competition_id, partial(self._resume_refund, r)) for r in refunds),
        ]
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

    def _draft(self, cmd: DistributeCommand, competition: Competition, now: str) -> Distribution:
        template, shares = cmd.plan(competition.template)
        pool = competition.pool_balance if cmd.prize_pool is None else cmd.prize_pool
        if not 0 < pool <= competition.pool_balance:
            raise FailedPrecondition(
                f"The prize pool holds {competition.pool_balance} minor units; {pool} cannot be distributed",
                code="INSUFFICIENT_POOL",
            )
        split = compute_split(pool, self._fees.platform, self._fees.organizer, shares, cmd.standings)
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
            platform_fee_percentage=str(self._fees.platform), organizer_fee_percentage=str(self._fees.organizer),
            payouts=tuple(Payout(p.user_id, p.rank, p.amount_minor) for p in split.payouts),
            status=PaymentStatus.PENDING.value, entry_id="", created_at=now, updated_at=now,
        )

    async def _pay(self, decided: Distribution) -> Distribution:
        if decided.status == PaymentStatus.PAID:
            return decided
        receipt = await self._wallet.post(distribution_posting(decided))
        return await self._store.atomic_async(
            lambda uow: rules.mark_distribution_paid(uow, decided.match_id, receipt.entry_id, utc_now()))

    async def _claim(self, step: ClaimStep) -> tuple[Claim, str]:
        """Run a claim step until it does not find the contribution leased by another driver."""
        deadline = self._clock() + self._lease + 1.0
        while True:
            token = new_id("lease")
            now_ts = self._clock()
            claim = await self._store.atomic_async(
                lambda uow, token=token, now_ts=now_ts: step(uow, token, now_ts, now_ts + self._lease, utc_now()))
            if claim.outcome is not ClaimOutcome.BUSY:
                return claim, token
            if now_ts > deadline:
                raise Unavailable("This payment is still being processed; try again", code="PAYMENT_IN_PROGRESS")
            await asyncio.sleep(BUSY_POLL_SECONDS)

    async def _drive(self, claim: Claim, token: str) -> tuple[Competition, PostingReceipt]:
        """Post a claimed contribution (a paid one only replays) and settle what the wallet answered."""
        contribution = claim.contribution
        if contribution is None:
            raise NotFound("Contribution not found")
        plan = contribution_posting(contribution)
        if claim.outcome is ClaimOutcome.PAID:
            return claim.competition, await self._wallet.post(plan)
        try:
            receipt = await self._wallet.post(plan)
        except DEFINITE_REFUSALS:
            await self._store.atomic_async(lambda uow: rules.settle_failed(uow, contribution.id, token, utc_now()))
            raise
        except BaseException:
            await asyncio.shield(self._store.atomic_async(
                lambda uow: rules.release_lease(uow, contribution.id, token, utc_now())))
            raise
        _, competition = await self._store.atomic_async(lambda uow: rules.settle_paid(uow, contribution, utc_now()))
        return competition, receipt

    async def _finish_refund(self, refund: Refund, currency: str) -> Refund:
        """Settle the charges of a cancelled competition, decide its refund, post it and record it."""
        cid = refund.competition_id
        if refund.status == RefundStatus.COLLECTING:
            refund = await self._collect(cid)
        if refund.status == RefundStatus.PENDING:
            entry_ids = [(await self._wallet.post(plan)).entry_id
                         for plan in refund_postings(refund, currency, self._refund_batch)]
            refund = await self._store.atomic_async(
                lambda uow: rules.mark_refund_paid(uow, cid, entry_ids[0], utc_now()))
        return refund

    async def _resume_refund(self, refund: Refund) -> None:
        competition = await self._store.read_async(lambda uow: rules.competition_of(uow, refund.competition_id))
        await self._finish_refund(refund, competition.currency)

    async def _settle_pending(self, contribution: Contribution) -> None:
        """Claim a contribution whose lease ran out and post it: the wallet replays it if it was posted, else
        moves it now, as a retry of its request would; a refusal removes it, as for a refused request. One
        that another driver holds again is left to that driver."""
        token = new_id("lease")
        now_ts = self._clock()
        claim = await self._store.atomic_async(lambda uow: _pending_claim(
            contribution.competition_id, contribution.id, uow, token, now_ts, now_ts + self._lease, utc_now()))
        if claim.outcome is ClaimOutcome.OWNED:
            with contextlib.suppress(*DEFINITE_REFUSALS):
                await self._drive(claim, token)

    async def _collect(self, competition_id: str) -> Refund:
        """Settle every contribution still being charged, then decide the refund's lines."""
        deadline = self._clock() + self._lease + 5.0
        while True:
            decided = await self._store.atomic_async(
                lambda uow: rules.decide_refund(uow, competition_id, utc_now()))
            if decided is not None:
                return decided
            if self._clock() > deadline:
                raise Unavailable("Entries are still being charged; try the refund again", code="REFUND_IN_PROGRESS")
            pending = await self._store.read_async(lambda uow: rules.pending_contributions(uow, competition_id))
            for contribution_id in pending:
                step = partial(_pending_claim, competition_id, contribution_id)
                claim, token = await self._claim(step)
                if claim.outcome is ClaimOutcome.OWNED:
                    with contextlib.suppress(*DEFINITE_REFUSALS):
                        await self._drive(claim, token)


def _pending_claim(competition_id: str, contribution_id: str, uow: RewardUnitOfWork, token: str, now_ts: float,
                  until: float, now: str) -> Claim:
    return rules.claim_pending(uow, competition_id, contribution_id, token, now_ts=now_ts, lease_until=until,
                               now=now)


def _timestamp(epoch_seconds: float) -> str:
    """``epoch_seconds`` in the format of ``utc_now`` (so that timestamps compare as strings)."""
    return format_utc(datetime.fromtimestamp(epoch_seconds, UTC))
