"""Reads the wallet's store for the cross-service audit, through its public port only: every user leg
(page by page), the hold behind each hold view, and every account's balance."""

from __future__ import annotations

from wallet_service.domain.model import TransactionFilter
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.config import CommonSettings
from winzone_ops.cross_facts import HoldFact, LedgerFacts, LegFact

PAGE = 500


def read_ledger_store(store: LedgerStore) -> LedgerFacts:
    """Legs are read newest first by offset; an entry posted meanwhile only repeats a leg, which is skipped."""
    facts = LedgerFacts()
    seen: set[str] = set()
    hold_ids: list[str] = []
    page = 1
    while True:
        found = store.list_transactions(TransactionFilter(page=page, limit=PAGE))
        for tx in found.items:
            if tx.id in seen:
                continue
            seen.add(tx.id)
            if tx.hold_id:
                hold_ids.append(tx.hold_id)
            facts.legs.append(LegFact(
                id=tx.id, user_id=tx.user_id or "", type=tx.type, amount=tx.amount, currency=tx.currency,
                status=tx.status, source=tx.source, key=tx.idempotency_key or "", entry_id=tx.entry_id or "",
                metadata=dict(tx.metadata),
            ))
        if not found.items or page * PAGE >= found.total:
            break
        page += 1
    for hold_id in dict.fromkeys(hold_ids):
        hold = store.get_hold(hold_id)
        if hold is None or (hold.status == "voided" and hold.amount == 0):
            continue
        facts.holds[hold.id] = HoldFact(hold.id, hold.user_id, hold.amount, hold.currency, hold.status,
                                        tds=getattr(hold, "tds", 0))
    for account, currency, _kind, balance, _held, _earnings in store.audit_facts().accounts:
        facts.balances[(account, currency)] = balance
    return facts


def read_ledger(common: CommonSettings) -> LedgerFacts:
    """The wallet's legs, holds and balances, read-only."""
    from wallet_service.server import build_store

    store = build_store(common)
    try:
        return read_ledger_store(store)
    finally:
        store.close()
