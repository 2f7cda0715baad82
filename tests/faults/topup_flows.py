"""The top-up workflows the explorer drives, how a schedule recovers, and what must hold afterwards.

Each workflow is a client retrying while the outcome is unknown: the web app (create, verify), the player's
browser (the mock page's Pay and Cancel), the provider's webhook delivery (redelivered until acknowledged, as
Stripe does for days). After it: restart, the start-up settle sweep, the late calls land, the webhooks not yet
acknowledged are redelivered, settle again, check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from payment_gateway.use_cases.topups import OPEN_SESSION_GRACE
from tests.faults.explorer import Fault, Injector, Outcome, SimulatedCrash
from tests.faults.topup_world import TopUpWorld
from tests.faults.world import attempt
from winzone.wallet.v1 import wallet_pb2
from winzone_kernel.errors import WinzoneError

RECOVER_ROUNDS = 8


@dataclass
class Run:
    """What a workflow did: the session the client got (if any) and how that session must end."""

    user: str
    session_id: str = ""
    expect_status: str | None = None
    unacked: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)


Flow = Callable[[TopUpWorld, Run], Awaitable[None]]


async def _create(w: TopUpWorld, run: Run) -> bool:
    session, _ = await attempt(lambda: w.create(run.user, f"key_{run.user}"), [w.gateway])
    if session is not None:
        run.session_id = session.id
    return session is not None


async def _verify(w: TopUpWorld, run: Run) -> None:
    await attempt(lambda: w.verify(run.user, run.session_id), [w.gateway])


async def _deliver(w: TopUpWorld, run: Run, event_type: str, event_id: str, times: int = 1) -> None:
    body, headers = w.event(event_type, run.session_id, event_id)
    for _ in range(times):
        answer, refused = await attempt(lambda: w.webhook(body, headers), [w.gateway])
        if answer is None and refused is None:
            run.unacked.append((body, headers))


async def verify(w: TopUpWorld, run: Run) -> None:
    """The player paid on the provider's page and came back: the web app verifies."""
    if await _create(w, run):
        run.expect_status = "credited"
        if w.standin is not None:
            w.pay_at_provider(run.session_id)
        await _verify(w, run)


async def pay(w: TopUpWorld, run: Run) -> None:
    """The mock checkout page's Pay button (the browser retries while the page does not answer)."""
    if await _create(w, run):
        run.expect_status = "credited"
        ref = w.provider_ref(run.session_id)
        await attempt(lambda: w.pay(ref), [w.gateway])


def webhook(*, reorder: bool = False) -> Flow:
    """Paid at the provider, then ``checkout.session.completed``; with ``reorder`` it comes twice (the same
    event redelivered), then ``expired`` after it was paid, then ``async_payment_succeeded``."""

    async def flow(w: TopUpWorld, run: Run) -> None:
        if not await _create(w, run) or not w.pay_at_provider(run.session_id):
            return
        run.expect_status = "credited"
        await _deliver(w, run, "checkout.session.completed", f"evt_done_{run.user}", 2 if reorder else 1)
        if reorder:
            await _deliver(w, run, "checkout.session.expired", f"evt_exp_{run.user}")
            await _deliver(w, run, "checkout.session.async_payment_succeeded", f"evt_async_{run.user}")
    return flow


async def cancelled(w: TopUpWorld, run: Run) -> None:
    """The player cancels on the mock page, then tries Pay anyway, then the web app verifies."""
    if not await _create(w, run):
        return
    run.expect_status = "cancelled"
    ref = w.provider_ref(run.session_id)
    await attempt(lambda: w.cancel(ref), [w.gateway])
    await attempt(lambda: w.pay(ref), [w.gateway])
    await _verify(w, run)


async def expired(w: TopUpWorld, run: Run) -> None:
    """Stripe expires a session nobody paid and says so; the web app verifies afterwards."""
    if not await _create(w, run):
        return
    run.expect_status = "expired"
    w.expire_at_provider(run.session_id)
    await _deliver(w, run, "checkout.session.expired", f"evt_exp_{run.user}")
    await _verify(w, run)


MOCK_FLOWS: dict[str, Flow] = {
    "topup_mock_verify": verify,
    "topup_mock_pay": pay,
    "topup_mock_webhook": webhook(),
    "topup_mock_webhooks_repeated_reordered": webhook(reorder=True),
    "topup_mock_cancelled": cancelled,
}
STRIPE_FLOWS: dict[str, Flow] = {
    "topup_stripe_verify": verify,
    "topup_stripe_webhook": webhook(),
    "topup_stripe_webhooks_repeated_reordered": webhook(reorder=True),
    "topup_stripe_expired": expired,
}


SWEEP_EVERY = OPEN_SESSION_GRACE + timedelta(seconds=1)
"""Time let pass before each sweep of the recovery: sessions left open are past the sweep's grace."""


async def recover(w: TopUpWorld, run: Run) -> None:
    """Restart (the settle sweep runs at start-up), let the late calls land, redeliver what was not
    acknowledged, and settle until nothing is left to do."""
    w.gateway.restart()
    injector = w.holder.injector
    for round_ in range(RECOVER_ROUNDS):
        w.gateway.restart_if_dead()
        w.clock.advance(SWEEP_EVERY.total_seconds())
        try:
            await w.service.settle_paid_sessions()
        except (SimulatedCrash, WinzoneError):
            continue
        if injector.late:
            await injector.deliver_late()
            continue
        if run.unacked:
            pending, run.unacked = run.unacked, []
            for body, headers in pending:
                answer, refused = await attempt(lambda b=body, h=headers: w.webhook(b, h), [w.gateway], 1)
                if answer is None and refused is None:
                    run.unacked.append((body, headers))
            continue
        if round_ > 0 and not w.gateway.life.dead:
            return


def check(w: TopUpWorld, run: Run) -> list[str]:
    """Each paid session credited exactly once with its amount and user; nothing else credited."""
    bad: list[str] = []
    sessions = w.sessions_of(run.user)
    credits = w.topups(run.user)
    if len(sessions) > 1:
        bad.append(f"{len(sessions)} sessions for one keyed request: {[s.id for s in sessions]}")
    ours = {s.id for s in sessions}
    for t in credits:
        if t.metadata.get("sessionId") not in ours:
            bad.append(f"credit {t.id} ({t.amount}) for session {t.metadata.get('sessionId')!r} the user does not have")
    paid_total = 0
    for s in sessions:
        paid = w.paid_at_provider(s.id)
        mine = [t for t in credits if t.metadata.get("sessionId") == s.id]
        if len(paid) > 1:
            bad.append(f"session {s.id}: the player paid {len(paid)} provider checkouts")
        if paid:
            paid_total += s.amount * len(paid)
            if len(mine) != 1:
                bad.append(f"session {s.id} paid at the provider but credited {len(mine)} times")
            for t in mine:
                if (t.user_id, t.amount, t.status) != (s.user_id, s.amount, "completed"):
                    bad.append(f"session {s.id} credited {t.amount} to {t.user_id} ({t.status}), "
                               f"expected {s.amount} to {s.user_id}")
            if s.status.value != "credited" or (mine and s.transaction_id != mine[0].id):
                bad.append(f"session {s.id} paid and credited but stored {s.status.value} "
                           f"(transaction {s.transaction_id!r})")
        else:
            if mine:
                bad.append(f"session {s.id} ({s.status.value}) never paid at the provider but credited "
                           f"{sum(t.amount for t in mine)}")
            if s.status.value in ("paid", "credited"):
                bad.append(f"session {s.id} is {s.status.value} but the provider took no money")
    balance = w.wallet.balance(run.user).balance
    if balance != paid_total:
        bad.append(f"wallet balance {balance} but the provider took {paid_total}")
    if run.session_id and run.expect_status:
        got = next((s.status.value for s in sessions if s.id == run.session_id), "missing")
        if got != run.expect_status:
            bad.append(f"session {run.session_id} ended {got}, expected {run.expect_status}")
    if run.unacked:
        bad.append(f"{len(run.unacked)} webhooks never acknowledged")
    return bad


def runner(w: TopUpWorld, flow: Flow) -> Callable[[tuple[Fault, ...]], Awaitable[Outcome]]:
    """One schedule of ``flow``: fresh user, the faults armed, drive, recover, check, both audits."""

    async def run_schedule(faults: tuple[Fault, ...]) -> Outcome:
        w.holder.injector = Injector(faults)
        w.gateway.restart()
        run = Run(w.new_user())
        with contextlib.suppress(SimulatedCrash):
            await flow(w, run)
        await recover(w, run)
        injector = w.holder.injector
        w.holder.injector = Injector()
        w.gateway.restart()
        violations = check(w, run)
        audit = w.wallet.stub.Audit(wallet_pb2.AuditRequest())
        if not audit.ok:
            violations.append(f"wallet audit: {list(audit.violations)[:3]}")
        violations.extend(w.audit.fresh())
        return Outcome(faults, violations, injector.trace)

    return run_schedule
