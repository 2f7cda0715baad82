"""Operator tasks that act on the stores directly: migrations, admin accounts, the ledger audit."""

from __future__ import annotations

from wallet_service.domain.audit import AuditReport, audit
from winzone_kernel.config import CommonSettings


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
