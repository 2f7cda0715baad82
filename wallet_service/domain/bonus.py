"""Bonus grants: promotions in a user's bonus fund, each with a reason, an optional expiry and what is left.

A grant books ``promotions`` -amount / ``user:<id>`` +amount (type ``bonus``) and is stored beside the entry.
What is left of the user's active grants is exactly the wallet's bonus fund (an audit rule). Entry fees spend
bonus from the grant expiring soonest (never-expiring grants last, then the oldest) and never from a grant
whose expiry has passed; a bonus refund goes back to the latest-expiring grant not yet expired. At expiry
what is left returns to ``promotions`` (type ``bonusExpired``, key ``bonus_expire_{grantId}``); a grant spent
down to nothing is ``spent``.

A bonus is not the user's money, so its credit never settles what the user owes the platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from wallet_service.domain import entries
from wallet_service.domain.accounts import parse_account, user_account
from wallet_service.domain.commands import GrantBonusCommand, LegSpec
from wallet_service.domain.idempotency import remembered, replayed_posting
from wallet_service.domain.model import PostingOutcome, Refusal, TxType
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerUnitOfWork
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import InsufficientFunds
from winzone_kernel.ids import new_id

PROMOTIONS = "promotions"
SOURCE = "promotions"
REFUNDED_REASON = "bonus refunded after its grants expired"


class GrantStatus(StrEnum):
    ACTIVE = "active"
    SPENT = "spent"
    EXPIRED = "expired"


GRANT_STATUSES = frozenset(s.value for s in GrantStatus)


@dataclass(slots=True)
class BonusGrant:
    """One promotion granted to a user: ``remaining`` is what is not yet spent or expired."""

    id: str
    user_id: str
    currency: str
    amount: int
    remaining: int
    reason: str
    expires_at: str
    """A stored timestamp, or "" for never."""
    status: str
    granted_by: str
    transaction_id: str
    """The user's ``bonus`` leg ("" for a grant opened by a refund)."""
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "user_id": self.user_id, "currency": self.currency, "amount": self.amount,
            "remaining": self.remaining, "reason": self.reason, "expires_at": self.expires_at,
            "status": self.status, "granted_by": self.granted_by, "transaction_id": self.transaction_id,
            "created_at": self.created_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BonusGrant:
        return cls(
            id=data["id"], user_id=data["user_id"], currency=data["currency"], amount=int(data["amount"]),
            remaining=int(data["remaining"]), reason=data["reason"], expires_at=data["expires_at"],
            status=data["status"], granted_by=data["granted_by"], transaction_id=data["transaction_id"],
            created_at=data["created_at"],
        )

    def expired_at(self, now: str) -> bool:
        """Whether the expiry has passed at ``now`` (a stored timestamp)."""
        return bool(self.expires_at) and self.expires_at <= now

    def usable_at(self, now: str) -> bool:
        """Active with bonus left and not past its expiry: an entry fee may spend it."""
        return self.status == GrantStatus.ACTIVE and self.remaining > 0 and not self.expired_at(now)


def spend_order(grant: BonusGrant) -> tuple[bool, str, str, str]:
    """Soonest expiry first, never-expiring last, then the oldest grant, then by id."""
    return (grant.expires_at == "", grant.expires_at, grant.created_at, grant.id)


def active_grants(grants: list[BonusGrant]) -> list[BonusGrant]:
    """The grants with bonus left, in spending order (what GetWallet shows)."""
    return sorted((g for g in grants if g.status == GrantStatus.ACTIVE and g.remaining > 0), key=spend_order)


@dataclass(slots=True)
class GrantOutcome:
    """The result of GrantBonus: the grant as created and its entry."""

    grant: BonusGrant
    posting: PostingOutcome

    @property
    def replayed(self) -> bool:
        return self.posting.replayed

    def to_dict(self) -> dict[str, Any]:
        return {**self.posting.to_dict(), "grant": self.grant.to_dict()}


@dataclass(slots=True)
class ExpiryOutcome:
    """What one sweep did: the grants it expired (each with an entry), how many due grants it closed in all
    (``spent`` ones included), and whether more were due than its limit."""

    expired: list[BonusGrant]
    closed: int
    more: bool


def spendable(uow: LedgerUnitOfWork, user_id: str, currency: str, now: str) -> int:
    """Bonus an entry fee may spend at ``now``: what is left of the active grants not yet expired."""
    return sum(g.remaining for g in uow.bonus_grants_of(user_id, currency) if g.usable_at(now))


def consume(uow: LedgerUnitOfWork, user_id: str, currency: str, amount: int, now: str) -> None:
    """Take ``amount`` of bonus spent from the grants expiring soonest; a grant left at 0 is ``spent``.
    ``InsufficientFunds`` when ``amount`` exceeds ``spendable``."""
    left = amount
    usable = sorted((g for g in uow.bonus_grants_of(user_id, currency) if g.usable_at(now)), key=spend_order)
    if sum(g.remaining for g in usable) < amount:
        raise InsufficientFunds("Insufficient bonus: expired bonus cannot be spent")
    for grant in usable:
        if left <= 0:
            break
        taken = min(left, grant.remaining)
        grant.remaining -= taken
        if grant.remaining == 0:
            grant.status = GrantStatus.SPENT.value
        uow.bonus_grant_put(grant)
        left -= taken


def restore(uow: LedgerUnitOfWork, user_id: str, currency: str, amount: int, now: str) -> None:
    """Add ``amount`` of refunded bonus back to the user's latest-expiring grant that has not been expired
    (a spent one becomes active again); when every grant was expired, to a new grant that expires with the
    latest of them, so the next sweep returns it (one that never expires when the user had no grant)."""
    if amount <= 0:
        return
    grants = uow.bonus_grants_of(user_id, currency)
    open_grants = [g for g in grants if g.status != GrantStatus.EXPIRED]
    if open_grants:
        grant = max(open_grants, key=spend_order)
        grant.remaining += amount
        grant.status = GrantStatus.ACTIVE.value
        uow.bonus_grant_put(grant)
        return
    uow.bonus_grant_put(BonusGrant(
        id=new_id("bonus"), user_id=user_id, currency=currency, amount=amount, remaining=amount,
        reason=REFUNDED_REASON, expires_at=max((g.expires_at for g in grants), default=""),
        status=GrantStatus.ACTIVE.value, granted_by="", transaction_id="", created_at=now,
    ))


def grant(uow: LedgerUnitOfWork, cmd: GrantBonusCommand, clock: Clock = utc_now, *,
          policy: LedgerPolicy = DEFAULT_POLICY) -> GrantOutcome | Refusal:
    """Book the promotion into the user's bonus fund and store its grant, idempotent per key."""

    def replay(stored: dict[str, Any]) -> GrantOutcome:
        return GrantOutcome(BonusGrant.from_dict(stored["grant"]), replayed_posting(uow, stored))

    return remembered(uow, cmd.key, cmd.fingerprint(), clock, replay=replay,
                      body=lambda now: _grant(uow, cmd, now, policy))


def _grant(uow: LedgerUnitOfWork, cmd: GrantBonusCommand, now: str, policy: LedgerPolicy) -> GrantOutcome:
    grant_id = new_id("bonus")
    metadata = {"grantId": grant_id, "reason": cmd.reason[:500]}
    legs = [
        LegSpec(user_account(cmd.user_id), cmd.amount, cmd.currency, TxType.BONUS.value, cmd.reason, cmd.key,
                metadata),
        LegSpec(parse_account(PROMOTIONS), -cmd.amount, cmd.currency, TxType.BONUS.value, cmd.reason, None,
                metadata),
    ]
    posting = entries.book(uow, legs, source=SOURCE, metadata=metadata, now=now, settle=False, policy=policy)
    created = BonusGrant(
        id=grant_id, user_id=cmd.user_id, currency=cmd.currency, amount=cmd.amount, remaining=cmd.amount,
        reason=cmd.reason, expires_at=cmd.expires_at, status=GrantStatus.ACTIVE.value, granted_by=cmd.granted_by,
        transaction_id=posting.transactions[0].id, created_at=now,
    )
    uow.bonus_grant_put(created)
    return GrantOutcome(created, posting)


def expire_key(grant_id: str) -> str:
    return f"bonus_expire_{grant_id}"


def expire_due(uow: LedgerUnitOfWork, now: str, limit: int, *,
               policy: LedgerPolicy = DEFAULT_POLICY) -> ExpiryOutcome:
    """Close up to ``limit`` active grants whose expiry has passed at ``now``: what is left of each returns to
    ``promotions`` from the bonus fund in an entry of its own and the grant is ``expired``; a grant with
    nothing left is ``spent``."""
    due = uow.bonus_grants_due(now, limit + 1)
    expired: list[BonusGrant] = []
    for grant_ in due[:limit]:
        if grant_.remaining > 0:
            metadata = {"grantId": grant_.id}
            legs = [
                LegSpec(user_account(grant_.user_id), -grant_.remaining, grant_.currency,
                        TxType.BONUS_EXPIRED.value, "Bonus expired", expire_key(grant_.id), metadata),
                LegSpec(parse_account(PROMOTIONS), grant_.remaining, grant_.currency, TxType.BONUS_EXPIRED.value,
                        "Bonus expired", None, metadata),
            ]
            entries.book(uow, legs, source=SOURCE, metadata=metadata, now=now, restrict=False, settle=False,
                 policy=policy)
            grant_.remaining = 0
            grant_.status = GrantStatus.EXPIRED.value
            expired.append(grant_)
        else:
            grant_.status = GrantStatus.SPENT.value
        uow.bonus_grant_put(grant_)
    return ExpiryOutcome(expired=expired, closed=min(len(due), limit), more=len(due) > limit)
