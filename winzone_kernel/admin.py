"""Operator tasks that act on the stores directly: migrations, admin accounts, the ledger audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wallet_service.domain.audit import AuditReport, audit
from winzone_kernel.config import CommonSettings
from winzone_kernel.ids import format_utc

STUCK_SCAN_LIMIT = 10_000


def migrate_all(common: CommonSettings) -> list[str]:
    """Create every store's tables/collections and indexes; returns what was migrated."""
    from winzone_kernel.services import SERVICES

    done = []
    for spec in SERVICES:
        for factory in spec.store_factories():
            store = factory(common)
            try:
                store.migrate()
            finally:
                store.close()
        done.append(spec.name)
    return done


def ensure_admin(common: CommonSettings, email: str, password: str, name: str = "Administrator") -> str:
    """Create the admin, or reset an existing account with that email to admin with this password."""
    from api_gateway.auth import hash_password
    from api_gateway.server import build_user_store
    from api_gateway.users.model import Role, User, check_password, normalize_email
    from winzone_kernel.ids import new_id, utc_now

    email = normalize_email(email)
    check_password(password)
    store = build_user_store(common)
    try:
        store.migrate()
        now = utc_now()
        existing = store.by_email(email)
        if existing is None:
            user = User(new_id("usr"), email, name, Role.ADMIN.value, hash_password(password), now, now)
            store.add(user)
            return user.id
        store.set_password(existing.id, hash_password(password), Role.ADMIN.value, now)
        return existing.id
    finally:
        store.close()


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
    from payment_gateway.domain import TopUpStatus
    from payment_gateway.server import build_store as build_topup_store
    from payout_service.domain.state import PayoutStatus
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
