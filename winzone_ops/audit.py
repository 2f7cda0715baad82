"""Operator audits: the ledger audit over the wallet's store, and work the services' sweeps left unfinished."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallet_service.domain.audit import AuditReport, audit
from winzone_kernel.clock import format_utc
from winzone_kernel.config import CommonSettings

STUCK_SCAN_LIMIT = 10_000


def run_audit(common: CommonSettings) -> AuditReport:
    """The ledger audit over the wallet's store."""
    from wallet_service.server import build_store

    store = build_store(common)
    try:
        return audit(store.audit_facts())
    finally:
        store.close()


def find_stuck_work(common: CommonSettings, grace_seconds: int, now: datetime | None = None) -> list[str]:
    """Payouts left ``approved`` and top-up sessions ``paid`` but not credited for longer than the grace period
    (both are normally finished within a minute by the services' own sweeps)."""
    from payment_gateway.domain.model import TopUpStatus
    from payment_gateway.server import build_store as build_topup_store
    from payout_service.domain.model import PayoutStatus
    from payout_service.server import build_store as build_payout_store

    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=grace_seconds)
    findings: list[str] = []
    payouts = build_payout_store(common)
    try:
        page = 1
        while True:
            found = payouts.list(user_id=None, status=PayoutStatus.APPROVED, page=page, limit=100)
            findings.extend(
                f"payout {r.payout.id} has been approved but unsettled since {r.payout.updated_at.isoformat()}"
                for r in found.items if r.payout.updated_at < cutoff
            )
            if page * 100 >= min(found.total, STUCK_SCAN_LIMIT):
                break
            page += 1
    finally:
        payouts.close()
    topups = build_topup_store(common)
    try:
        cutoff_text = format_utc(cutoff)
        findings.extend(
            f"top-up session {s.id} was paid but not credited since {s.updated_at}"
            for s in topups.sessions_in_status(TopUpStatus.PAID, STUCK_SCAN_LIMIT) if s.updated_at < cutoff_text
        )
    finally:
        topups.close()
    return findings
