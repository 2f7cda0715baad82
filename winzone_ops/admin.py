"""Operator tasks that act on the stores directly: migrations and admin accounts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from wallet_service.domain import ledger
from wallet_service.domain.audit import AuditReport, audit
from wallet_service.domain.model import PostingOutcome
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.config import CommonSettings


@dataclass(slots=True)
class FundsMigration:
    """What moving legacy earnings to winnings did: the ledger audit before and after, and per wallet moved
    (user_id, currency, amount)."""

    before: AuditReport
    after: AuditReport
    moved: list[tuple[str, str, int]] = field(default_factory=list)


def migrate_funds(store: LedgerStore, clock: Clock = utc_now) -> FundsMigration:
    """After the schema migration (every legacy balance then sits in deposit): once per wallet, move its
    earnings booked before funds existed from deposit to winnings (``ledger.migrate_funds``), auditing the
    ledger before and after. Running it again moves nothing."""
    before = audit(store.audit_facts())
    moved: list[tuple[str, str, int]] = []
    for user_id, currency in store.user_wallets():
        outcome = store.atomic(_migration(user_id, currency, clock))
        if isinstance(outcome, PostingOutcome) and not outcome.replayed:
            moved.append((user_id, currency, outcome.transactions[1].amount))
    return FundsMigration(before, audit(store.audit_facts()), moved)


def _migration(user_id: str, currency: str, clock: Clock) -> Callable[..., object]:
    return lambda uow: ledger.migrate_funds(uow, user_id, currency, clock)


def migrate_all(common: CommonSettings, on_funds: Callable[[FundsMigration], None] | None = None) -> list[str]:
    """Create every store's tables/collections and indexes, then migrate the ledger's funds (``migrate_funds``,
    its result handed to ``on_funds``); returns what was migrated."""
    from winzone_ops.registry import SERVICES

    done = []
    for spec in SERVICES:
        for factory in spec.store_factories():
            store = factory(common)
            try:
                store.migrate()
                if isinstance(store, LedgerStore):
                    result = migrate_funds(store)
                    if on_funds is not None:
                        on_funds(result)
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
