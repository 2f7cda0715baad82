"""The reward workflows the explorer drives, how a schedule recovers, and what must hold afterwards.

A schedule first sets up its competition without faults (players funded, entries paid), then arms its
faults and runs the workflow as a client retrying while the outcome is unknown. After it: restart, leases
run out, ``reconcile`` once, the late calls land, reconcile until nothing is pending, check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from reward_service.domain.model import PaymentStatus
from reward_service.use_cases.context import LEASE
from tests.faults.explorer import Fault, Injector, Outcome, SimulatedCrash
from tests.faults.reward_world import RewardWorld
from tests.faults.world import attempt
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.errors import WinzoneError

FEE = 4_000
FUNDS = 10_000
SPONSORSHIP = 15_000
RECOVER_ROUNDS = 8
FAR_FUTURE = "9999-12-31T23:59:59.999999Z"


@dataclass
class Run:
    """A schedule's competition, who was funded with how much, and what the workflow is about."""

    competition: str
    organizer: str
    funded: dict[str, int] = field(default_factory=dict)
    players: list[str] = field(default_factory=list)
    match: str = ""
    must_enter: list[str] = field(default_factory=list)
    must_not_enter: list[str] = field(default_factory=list)
    expect_distribution: bool = False
    expect_refund: bool = False


@dataclass(frozen=True)
class Workflow:
    """``setup`` runs without faults; ``act`` with the schedule's faults armed."""

    setup: Callable[[RewardWorld], Awaitable[Run]]
    act: Callable[[RewardWorld, Run], Awaitable[None]]


async def _competition(w: RewardWorld, players: int, *, funded: bool = True, entered: bool = False) -> Run:
    organizer = w.new_id("org")
    run = Run(await w.open(organizer, FEE), organizer)
    for _ in range(players):
        user = w.new_id("plr")
        run.players.append(user)
        if funded:
            w.wallet.fund(user, FUNDS)
            run.funded[user] = FUNDS
        if entered:
            await w.enter(run.competition, user)
    return run


async def _entry_setup(w: RewardWorld) -> Run:
    return await _competition(w, 1)


async def _enter(w: RewardWorld, run: Run) -> None:
    run.must_enter = run.players
    await attempt(lambda: w.enter(run.competition, run.players[0]), [w.rewards])


def _refused(fund_after: bool, enter_again: bool) -> Callable[[RewardWorld, Run], Awaitable[None]]:
    """The player has nothing: the entry is refused. Then they top up, and maybe enter again."""

    async def act(w: RewardWorld, run: Run) -> None:
        player = run.players[0]
        await attempt(lambda: w.enter(run.competition, player), [w.rewards])
        if fund_after:
            w.wallet.fund(player, FUNDS)
            run.funded[player] = FUNDS
        if enter_again:
            run.must_enter = [player]
            await attempt(lambda: w.enter(run.competition, player), [w.rewards])
        else:
            run.must_not_enter = [player]
    return act


async def _unfunded(w: RewardWorld) -> Run:
    return await _competition(w, 1, funded=False)


async def _sponsor(w: RewardWorld, run: Run) -> None:
    sponsor = w.new_id("spn")
    w.wallet.fund(sponsor, SPONSORSHIP + FUNDS)
    run.funded[sponsor] = SPONSORSHIP + FUNDS
    await attempt(lambda: w.sponsor(run.competition, sponsor, SPONSORSHIP, f"fund_{run.competition}"), [w.rewards])


async def _entered(w: RewardWorld) -> Run:
    return await _competition(w, 3, entered=True)


async def _distribute(w: RewardWorld, run: Run) -> None:
    run.match, run.expect_distribution = w.new_id("mtc"), True
    await attempt(lambda: w.distribute(run.competition, run.match, run.players), [w.rewards])


async def _entered_and_sponsored(w: RewardWorld) -> Run:
    run = await _competition(w, 2, entered=True)
    sponsor = w.new_id("spn")
    w.wallet.fund(sponsor, SPONSORSHIP)
    run.funded[sponsor] = SPONSORSHIP
    await w.sponsor(run.competition, sponsor, SPONSORSHIP, f"fund_{run.competition}")
    return run


async def _refund(w: RewardWorld, run: Run) -> None:
    run.expect_refund = True
    await attempt(lambda: w.refund(run.competition), [w.rewards])


FLOWS: dict[str, Workflow] = {
    "reward_entry_fee": Workflow(_entry_setup, _enter),
    "reward_entry_refused_then_funded_and_entered": Workflow(_unfunded, _refused(True, True)),
    "reward_entry_refused_then_funded": Workflow(_unfunded, _refused(True, False)),
    "reward_sponsorship": Workflow(_entry_setup, _sponsor),
    "reward_distribution": Workflow(_entered, _distribute),
    "reward_refund_cancelled_competition": Workflow(_entered_and_sponsored, _refund),
}


async def recover(w: RewardWorld) -> None:
    """Restart; let every lease run out; reconcile, deliver the late calls, reconcile until quiet."""
    w.rewards.restart()
    injector = w.holder.injector
    for round_ in range(RECOVER_ROUNDS):
        w.rewards.restart_if_dead()
        w.clock.advance((LEASE + timedelta(seconds=1)).total_seconds())
        try:
            report = await w.service.reconcile(0)
        except (SimulatedCrash, WinzoneError):
            continue
        if injector.late:
            await injector.deliver_late()
            continue
        busy = report.contributions + report.distributions + report.refunds + report.failed
        if round_ > 0 and not busy and not w.rewards.life.dead:
            return


def check(w: RewardWorld, run: Run) -> list[str]:
    """Each player charged once, each winner paid once, each refund once, the pool what the store says."""
    bad: list[str] = []
    cid = run.competition

    def facts(uow: Any) -> tuple[Any, ...]:
        return (uow.competition_get(cid), uow.contributions_of(cid),
                uow.distribution_get(run.match) if run.match else None, uow.refund_get(cid),
                [c for c in uow.contributions_pending(FAR_FUTURE, 10_000) if c.competition_id == cid])

    competition, contributions, distribution, refund, pending = w.store.read(facts)
    paid = [c for c in contributions if c.status == PaymentStatus.PAID]
    if pending:
        bad.append(f"contributions still pending: {[c.id for c in pending]}")
    expected_pool = sum(c.amount for c in paid)
    owed: dict[str, int] = {}
    for c in paid:
        owed[c.user_id] = owed.get(c.user_id, 0) - c.amount
    if run.expect_distribution:
        if distribution is None or distribution.status != PaymentStatus.PAID:
            bad.append(f"distribution of {run.match} is {distribution.status if distribution else 'missing'}")
        else:
            expected_pool -= distribution.prize_pool
            for p in distribution.payouts:
                owed[p.user_id] = owed.get(p.user_id, 0) + p.amount
            if distribution.organizer_fee:
                owed[run.organizer] = owed.get(run.organizer, 0) + distribution.organizer_fee
    if run.expect_refund:
        if refund is None or refund.status != "paid":
            bad.append(f"refund of {cid} is {refund.status if refund else 'missing'}")
        else:
            expected_pool -= refund.total
            for line in refund.lines:
                owed[line.user_id] = owed.get(line.user_id, 0) + line.amount
    if competition.pool_balance != expected_pool:
        bad.append(f"store pool {competition.pool_balance} != contributions - distributions - refunds "
                   f"{expected_pool}")
    if w.pool(cid) != competition.pool_balance:
        bad.append(f"wallet pool:{cid} holds {w.pool(cid)} but the reward store says {competition.pool_balance}")
    for user in sorted({*run.funded, *owed, run.organizer}):
        legs = [t for t in w.legs(user) if t.metadata.get("competitionId") == cid]
        expected = run.funded.get(user, 0) + owed.get(user, 0)
        if w.balance(user) != expected:
            bad.append(f"{user} has {w.balance(user)}, expected {expected} ({len(legs)} legs: "
                       f"{[(t.type, t.amount) for t in legs]})")
        charges = [t for t in legs if t.type in ("entryFee", "debit")]
        if len(charges) != len([c for c in paid if c.user_id == user]):
            bad.append(f"{user} charged {len(charges)} times for {len([c for c in paid if c.user_id == user])} "
                       f"paid contributions")
        for kind in ("reward", "refund"):
            keys = [t.idempotency_key for t in legs if t.type == kind]
            if len(keys) != len(set(keys)):
                bad.append(f"{user} got {kind} {keys} more than once")
    entered = {c.user_id for c in paid}
    for user in run.must_enter:
        if user not in entered:
            bad.append(f"{user} could not enter after topping up (contributions: "
                       f"{[(c.id, c.status) for c in contributions if c.user_id == user]})")
    for user in run.must_not_enter:
        if user in entered or w.balance(user) != run.funded.get(user, 0):
            bad.append(f"{user} never entered after the refusal but was charged (balance {w.balance(user)})")
    return bad


def runner(w: RewardWorld, workflow: Workflow) -> Callable[[tuple[Fault, ...]], Awaitable[Outcome]]:
    """One schedule: set up without faults, arm them, act, recover, check, both audits."""

    async def run_schedule(faults: tuple[Fault, ...]) -> Outcome:
        w.holder.injector = Injector()
        w.rewards.restart()
        run = await workflow.setup(w)
        w.holder.injector = Injector(faults)
        w.rewards.restart()
        with contextlib.suppress(SimulatedCrash):
            await workflow.act(w, run)
        await recover(w)
        injector = w.holder.injector
        w.holder.injector = Injector()
        w.rewards.restart()
        violations = check(w, run)
        audit = w.wallet.stub.Audit(wallet_pb2.AuditRequest())
        if not audit.ok:
            violations.append(f"wallet audit: {list(audit.violations)[:3]}")
        violations.extend(w.audit.fresh())
        return Outcome(faults, violations, injector.trace)

    return run_schedule
