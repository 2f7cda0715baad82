"""Bonuses: grant a promotion into a user's bonus fund, expire what is left of grants past their expiry, and
read a user's grants."""

from __future__ import annotations

from collections.abc import Callable

from wallet_service.domain import bonus
from wallet_service.domain.accounts import check_id
from wallet_service.domain.bonus import BonusGrant, ExpiryOutcome, GrantOutcome
from wallet_service.domain.commands import GrantBonusCommand
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork
from winzone_kernel.clock import Clock, timestamp_now, utc_now
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of

DEFAULT_EXPIRY_LIMIT = 500
MAX_EXPIRY_LIMIT = 5_000
EXPIRY_CHUNK = 100
"""Grants closed per unit of work: a sweep of thousands commits in chunks, each one small transaction."""


def check_limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0 or limit > MAX_EXPIRY_LIMIT:
        raise InvalidArgument(f"limit must be between 1 and {MAX_EXPIRY_LIMIT}", code="INVALID_LIMIT")
    return limit or DEFAULT_EXPIRY_LIMIT


class Bonuses:
    """Promotions in the bonus fund, each grant and each expiry one balanced entry in a unit of work."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    async def grant(self, *, key: str, user_id: str, amount: int, currency: str, reason: str, expires_at: str,
                    granted_by: str) -> GrantOutcome:
        """Credit ``amount`` from ``promotions`` to the user's bonus fund (type ``bonus``) and store its grant,
        idempotent per key; it never settles what the user owes."""
        cmd = GrantBonusCommand.build(key=key, user_id=user_id, amount=amount, currency=currency, reason=reason,
                                      expires_at=expires_at, granted_by=granted_by, now=self._clock())
        return await self._store.atomic_async(lambda uow: bonus.grant(uow, cmd, self._clock, policy=self._policy))

    async def expire(self, limit: int = 0) -> ExpiryOutcome:
        """Close up to ``limit`` (default 500) grants past their expiry, in chunks of ``EXPIRY_CHUNK`` per unit
        of work: what is left of each returns to ``promotions``."""
        wanted = check_limit(limit)
        expired: list[BonusGrant] = []
        closed = 0
        more = False
        while closed < wanted:
            chunk = min(EXPIRY_CHUNK, wanted - closed)
            outcome = await self._store.atomic_async(self._expire(chunk))
            expired.extend(outcome.expired)
            closed += outcome.closed
            more = outcome.more
            if not outcome.more:
                break
        return ExpiryOutcome(expired=expired, closed=closed, more=more)

    def _expire(self, limit: int) -> Callable[[LedgerUnitOfWork], ExpiryOutcome]:
        def op(uow: LedgerUnitOfWork) -> ExpiryOutcome:
            return bonus.expire_due(uow, timestamp_now(self._clock), limit, policy=self._policy)

        return op

    def grants(self, user_id: str, currency: str) -> list[BonusGrant]:
        """The user's grants with bonus left in ``currency`` (INR when empty), soonest expiry first."""
        check_id(user_id, "user_id")
        code = currency_of(currency or "INR").code
        return bonus.active_grants(self._store.bonus_grants_of(user_id, code))
