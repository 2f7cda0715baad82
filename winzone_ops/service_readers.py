"""Small read-only readers of the payout, payment and reward stores for the cross-service audit, each through
the service's ``build_store`` and its public port, on SQLite and MongoDB alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from winzone_kernel.config import CommonSettings
from winzone_ops.cross_facts import ContributionFact, PayoutFact, PoolFact, RewardFacts, SessionFact

PAGE = 100
SCAN_LIMIT = 1_000_000
FAR_FUTURE = "9999-12-31T23:59:59.999999Z"


def read_payouts(common: CommonSettings) -> dict[str, PayoutFact]:
    """Every placed payout (page by page), and every record still being placed or withdrawn."""
    from payout_service.domain.ports import PayoutRecord
    from payout_service.server import build_store

    def fact(record: PayoutRecord) -> PayoutFact:
        payout = record.payout
        refunded = getattr(payout, "refunded_amount", None)
        return PayoutFact(payout.id, payout.user_id, payout.amount_minor, payout.currency, payout.status.value,
                          placed=record.hold_placed, withdrawn=record.withdrawn,
                          refunded_amount=refunded if isinstance(refunded, int) else None,
                          tds=getattr(payout, "tds", 0))

    store = build_store(common)
    found: dict[str, PayoutFact] = {}
    try:
        page = 1
        while True:
            listed = store.list(user_id=None, status=None, page=page, limit=PAGE)
            found.update((r.payout.id, fact(r)) for r in listed.items)
            if not listed.items or page * PAGE >= listed.total:
                break
            page += 1
        cursor = None
        until = datetime.now(UTC) + timedelta(days=1)
        while True:
            batch = store.needing_attention(until, PAGE, after=cursor)
            found.update((r.payout.id, fact(r)) for r in batch if not r.hold_placed)
            if len(batch) < PAGE:
                break
            cursor = (batch[-1].payout.updated_at, batch[-1].payout.id)
    finally:
        store.close()
    return found


def read_sessions(common: CommonSettings) -> dict[str, SessionFact]:
    """Every top-up session, in every status."""
    from payment_gateway.domain.model import TopUpStatus
    from payment_gateway.server import build_store

    store = build_store(common)
    try:
        return {
            s.id: SessionFact(s.id, s.user_id, s.amount, s.currency, s.provider, s.status.value,
                              s.provider_ref or "", s.transaction_id or "")
            for status in TopUpStatus for s in store.sessions_in_status(status, SCAN_LIMIT)
        }
    finally:
        store.close()


def read_rewards(common: CommonSettings, competition_ids: Iterable[str],
                 contribution_ids: Iterable[str]) -> RewardFacts:
    """The pools of ``competition_ids`` as the reward store accounts for them, and the contributions named."""
    from reward_service.domain.ports import RewardUnitOfWork
    from reward_service.server import build_store

    wanted, named = sorted(set(competition_ids)), sorted(set(contribution_ids))

    def op(uow: RewardUnitOfWork) -> RewardFacts:
        facts = RewardFacts()
        in_flight: dict[str, int] = {}
        for c in uow.contributions_pending(FAR_FUTURE, SCAN_LIMIT):
            in_flight[c.competition_id] = in_flight.get(c.competition_id, 0) + c.amount
        for d in uow.distributions_pending(FAR_FUTURE, SCAN_LIMIT):
            in_flight[d.competition_id] = in_flight.get(d.competition_id, 0) + d.prize_pool
        for r in uow.refunds_unfinished(FAR_FUTURE, SCAN_LIMIT):
            if r.status == "pending":
                in_flight[r.competition_id] = in_flight.get(r.competition_id, 0) + r.total
        for cid in wanted:
            competition = uow.competition_get(cid)
            if competition is None:
                facts.pools[cid] = PoolFact(cid, "", exists=False, expected=0)
                continue
            facts.pools[cid] = PoolFact(cid, competition.currency, exists=True, expected=competition.pool_balance,
                                        in_flight=in_flight.get(cid, 0))
        for contribution_id in named:
            stored = uow.contribution_get(contribution_id)
            facts.contributions[contribution_id] = None if stored is None else ContributionFact(
                stored.id, stored.competition_id, stored.user_id, stored.amount, stored.status)
        return facts

    store = build_store(common)
    try:
        return store.read(op)
    finally:
        store.close()
