"""Operator tasks that act on the stores directly: migrations and admin accounts."""

from __future__ import annotations

from winzone_kernel.config import CommonSettings


def migrate_all(common: CommonSettings) -> list[str]:
    """Create every store's tables/collections and indexes; returns what was migrated."""
    from winzone_ops.registry import SERVICES

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
    from api_gateway.adapters.passwords import Argon2PasswordHasher
    from api_gateway.domain.commands import EnsureAdmin
    from api_gateway.server import build_user_store
    from api_gateway.use_cases import accounts

    command = EnsureAdmin.parse(email=email, password=password, name=name)
    store = build_user_store(common)
    try:
        store.migrate()
        return accounts.ensure_admin(store, Argon2PasswordHasher(), command)
    finally:
        store.close()
