"""The payout workflows the explorer drives, how a schedule recovers, and what must hold afterwards.

Each workflow is a client (the REST gateway, an admin, Stripe's webhooks) retrying while the outcome is
unknown. After it: restart, ``ReconcilePayouts`` once, the late calls land, reconcile until quiet, check.
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tests.faults.explorer import Fault, Injector, Outcome, SimulatedCrash
from tests.faults.payout_world import AMOUNT, Books, PayoutWorld
from tests.faults.world import attempt
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.wallet.v1 import wallet_pb2

RECONCILE_ROUNDS = 6
OPEN = frozenset({"requested", "approved"})


@dataclass
class Run:
    """What a workflow did: the payout it created (if the client got one) and what its end must be."""

    user: str
    account: str
    payout_id: str | None = None
    expect_status: str | None = None
    reversed_amount: int = 0
    window_passes: bool = False


Flow = Callable[[PayoutWorld, Run], Awaitable[None]]


async def _request(w: PayoutWorld, run: Run, key: str | None) -> bool:
    attempts = 3 if key else 1
    payout, _ = await attempt(lambda: w.create(run.user, run.account, key or ""), [w.payouts], attempts)
    if payout is not None:
        run.payout_id = payout.id
    return payout is not None


async def _approve(w: PayoutWorld, run: Run) -> None:
    assert run.payout_id
    await attempt(lambda: w.payout_stub.ApprovePayout(pb.ApprovePayoutRequest(
        payout_id=run.payout_id, admin_id="usr_admin_fault", note="")), [w.payouts])


async def _deliver(w: PayoutWorld, body: bytes, times: int = 1) -> None:
    for _ in range(times):
        await attempt(lambda: w.webhook(body), [w.payouts])


def paid(key: bool = True) -> Flow:
    async def flow(w: PayoutWorld, run: Run) -> None:
        if await _request(w, run, f"key_{run.user}" if key else None):
            run.expect_status = "paid"
            await _approve(w, run)
    return flow


def refused(*, window_passed: bool = False) -> Flow:
    """The provider refuses the first transfer (``balance_insufficient``); with ``window_passed`` a re-send
    comes after Stripe forgot the refusal, once the platform balance was topped up (scenario 1)."""

    async def flow(w: PayoutWorld, run: Run) -> None:
        w.account.refuse_once.add(run.account)
        run.window_passes = window_passed
        if await _request(w, run, f"key_{run.user}"):
            run.expect_status = None if window_passed else "failed"
            await _approve(w, run)
    return flow


def pending_then_webhook(times: int = 1) -> Flow:
    async def flow(w: PayoutWorld, run: Run) -> None:
        w.account.lose_answer.add(run.account)
        if await _request(w, run, f"key_{run.user}"):
            run.expect_status = "paid"
            await _approve(w, run)
            if w.account.for_payout(run.payout_id or ""):
                await _deliver(w, w.account.event("transfer.created", run.payout_id or "", f"evt_c_{run.user}"),
                               times)
    return flow


def reversed_(parts: tuple[int, ...], *, times: int = 1, reorder: bool = False) -> Flow:
    async def flow(w: PayoutWorld, run: Run) -> None:
        if not await _request(w, run, f"key_{run.user}"):
            return
        await _approve(w, run)
        payout_id = run.payout_id or ""
        if not w.account.for_payout(payout_id):
            run.expect_status = "paid"
            return
        sent = int(w.account.for_payout(payout_id)[0]["amount"])
        bodies = [w.account.reverse(payout_id, part, f"evt_r{i}_{run.user}") for i, part in enumerate(parts)]
        run.reversed_amount = min(sum(parts), sent)
        run.expect_status = "failed" if run.reversed_amount == sent else None
        for body in reversed(bodies) if reorder else bodies:
            await _deliver(w, body, times)
    return flow


async def reject(w: PayoutWorld, run: Run) -> None:
    if await _request(w, run, f"key_{run.user}"):
        run.expect_status = "rejected"
        await attempt(lambda: w.payout_stub.RejectPayout(pb.RejectPayoutRequest(
            payout_id=run.payout_id, admin_id="usr_admin_fault", reason="Not eligible")), [w.payouts])


FLOWS: dict[str, Flow] = {
    "payout_paid": paid(),
    "payout_paid_without_key": paid(key=False),
    "payout_refused": refused(),
    "payout_refused_then_balance_topped_up": refused(window_passed=True),
    "payout_pending_then_webhook": pending_then_webhook(),
    "payout_pending_webhook_repeated": pending_then_webhook(times=2),
    "payout_reversed_full": reversed_((AMOUNT,)),
    "payout_reversed_partial": reversed_((20_000, 10_000)),
    "payout_reversed_partial_reordered_repeated": reversed_((20_000, 10_000), times=2, reorder=True),
    "payout_reject": reject,
}


async def recover(w: PayoutWorld, run: Run) -> None:
    """Restart, reconcile once, let the late calls land, reconcile until nothing needs attention."""
    w.payouts.restart()
    if run.window_passes:
        w.account.forget_refusals()
    for round_ in range(RECONCILE_ROUNDS):
        w.payouts.restart_if_dead()
        try:
            report = await w.service.reconcile(0)
        except SimulatedCrash:
            continue
        if w.holder.injector.late:
            await w.holder.injector.deliver_late()
            continue
        if report.examined == 0 and not w.payouts.life.dead and round_ > 0:
            return


def check(books: Books, run: Run) -> list[str]:
    """Exactly-once effects, read from the wallet, the payout store and the provider."""
    bad: list[str] = []
    records = {r.payout.id: r for r in books.records}
    holds = {t.hold_id: t for t in books.transactions if t.type == "payout" and t.hold_id}
    refunds: dict[str, int] = {}
    for t in books.transactions:
        if t.type == "refund":
            refunds[t.metadata.get("payoutId", "?")] = refunds.get(t.metadata.get("payoutId", "?"), 0) + t.amount
    transfers: dict[str, list[dict[str, object]]] = {}
    for t in books.transfers:
        transfers.setdefault(str(t["transfer_group"]), []).append(t)
    net_out = sum(int(t["amount"]) - int(t["amount_reversed"]) for t in books.transfers)  # type: ignore[call-overload]
    if books.wallet.balance + net_out + books.tds_withheld != books.funded:
        bad.append(f"money not conserved: wallet balance {books.wallet.balance} + net sent to the provider "
                   f"{net_out} + tds withheld {books.tds_withheld} != funded {books.funded}")
    open_amount = sum(r.payout.amount_minor for r in books.records if r.payout.status.value in OPEN)
    if books.wallet.held != open_amount:
        bad.append(f"wallet holds {books.wallet.held} but open payouts account for {open_amount}")
    for hold_id, t in holds.items():
        record = records.get(hold_id)
        if t.status == "pending" and (record is None or record.payout.status.value not in OPEN):
            bad.append(f"open hold {hold_id} ({-t.amount}) with payout "
                       f"{record.payout.status.value if record else 'missing'}")
    for payout_id, found in transfers.items():
        if len(found) > 1:
            bad.append(f"{len(found)} provider transfers for payout {payout_id}")
        record = records.get(payout_id)
        sent = sum(int(t["amount"]) - int(t["amount_reversed"]) for t in found)  # type: ignore[call-overload]
        back = sum(int(t["amount_reversed"]) for t in found)  # type: ignore[call-overload]
        if record is None:
            bad.append(f"provider transfer for unknown payout {payout_id}")
            continue
        status = record.payout.status.value
        if sent and status != "paid" and not (status == "failed" and back):
            bad.append(f"payout {payout_id} is {status} but the provider sent {sent}")
        hold = holds.get(payout_id)
        captured = -hold.amount if hold is not None and hold.status == "completed" else 0
        kept = record.payout.tds if captured and status == "paid" else 0
        if captured - refunds.get(payout_id, 0) - kept != sent:
            bad.append(f"payout {payout_id}: provider sent {sent} net ({back} reversed) but the wallet paid out "
                       f"{captured}, refunded {refunds.get(payout_id, 0)} and withheld {kept}")
    for payout_id, record in records.items():
        status = record.payout.status.value
        hold = holds.get(payout_id)
        if status == "paid" and not transfers.get(payout_id):
            bad.append(f"payout {payout_id} paid with no provider transfer")
        if status == "paid" and (hold is None or hold.status != "completed"):
            bad.append(f"payout {payout_id} paid but its hold is {hold.status if hold else 'missing'}")
        if status in {"rejected", "failed"} and hold is not None and hold.status == "pending":
            bad.append(f"payout {payout_id} {status} with its hold still open")
        if payout_id in refunds and payout_id not in transfers:
            bad.append(f"payout {payout_id} refunded {refunds[payout_id]} with nothing reversed")
    bad.extend(check_tax(books))
    for record in books.attention:
        bad.append(f"payout {record.payout.id} still needs attention ({record.payout.status.value}, "
                   f"placed={record.hold_placed}, pending={record.pending})")
    if run.payout_id and run.expect_status:
        got = records[run.payout_id].payout.status.value if run.payout_id in records else "missing"
        if got != run.expect_status:
            bad.append(f"payout {run.payout_id} ended {got}, expected {run.expect_status}")
    return bad


def check_tax(books: Books) -> list[str]:
    """Tax withheld at source: each payout carries its hold's figures, the provider is asked for the net amount
    under one key and sends it once, and ``tds_payable`` gained exactly the tds of the paid payouts."""
    bad: list[str] = []
    placed = [r for r in books.records if r.payout.id in books.holds]
    for record in books.records:
        payout, hold = record.payout, books.holds.get(record.payout.id)
        if hold is not None and (payout.tds, payout.net_amount, payout.net_winnings) != (
                hold.tds, hold.net_amount, hold.net_winnings):
            bad.append(f"payout {payout.id} has tds {payout.tds} net {payout.net_amount} (net winnings "
                       f"{payout.net_winnings}) but its hold {hold.tds} net {hold.net_amount} ({hold.net_winnings})")
        if hold is None and payout.tds:
            bad.append(f"payout {payout.id} has tds {payout.tds} with no hold")
        asked = books.asked.get(payout.id, [])
        if any(amount != payout.net_amount for amount, _ in asked):
            bad.append(f"payout {payout.id}: the provider was asked for {sorted({a for a, _ in asked})}, "
                       f"not its net amount {payout.net_amount}")
        if len({key for _, key in asked}) > 1:
            bad.append(f"payout {payout.id}: the provider was asked under {len({k for _, k in asked})} keys")
        sent = [int(t["amount"]) for t in books.transfers if t["transfer_group"] == payout.id]
        if payout.status.value == "paid" and sent != [payout.net_amount]:
            bad.append(f"payout {payout.id} paid {payout.net_amount} net but the provider made transfers {sent}")
    if len(placed) == 1 and books.holds[placed[0].payout.id].tds != books.lone_tds:
        bad.append(f"payout {placed[0].payout.id} withholds {books.holds[placed[0].payout.id].tds}, "
                   f"expected {books.lone_tds}")
    owed = sum(r.payout.tds for r in books.records
               if r.payout.status.value == "paid" and books.holds.get(r.payout.id, None) is not None
               and books.holds[r.payout.id].status == "captured")
    if books.tds_withheld != owed:
        bad.append(f"tds_payable gained {books.tds_withheld} but the paid payouts withheld {owed}")
    return bad


def runner(w: PayoutWorld, name: str, flow: Flow) -> Callable[[tuple[Fault, ...]], Awaitable[Outcome]]:
    """One schedule of ``flow``: fresh user, the faults armed, drive, recover, check."""

    async def run_schedule(faults: tuple[Fault, ...]) -> Outcome:
        user, account = w.new_user()
        w.holder.injector = Injector(faults)
        w.payouts.restart()
        run = Run(user, account)
        with contextlib.suppress(SimulatedCrash):
            await flow(w, run)
        await recover(w, run)
        injector = w.holder.injector
        w.holder.injector = Injector()
        w.payouts.restart()
        books = w.books(user, account)
        violations = check(books, run)
        audit = w.wallet.stub.Audit(wallet_pb2.AuditRequest())
        if not audit.ok:
            violations.append(f"wallet audit: {list(audit.violations)[:3]}")
        violations.extend(w.audit.fresh())
        return Outcome(faults, violations, injector.trace)

    return run_schedule
