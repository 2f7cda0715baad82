"""Holds: reserve part of a user's available balance, then capture it (money leaves) or void it (money returns)."""

from __future__ import annotations

from collections.abc import Mapping

from wallet_service.domain import ledger
from wallet_service.domain.commands import CreateHoldCommand, SettleHoldCommand
from wallet_service.domain.model import HoldOutcome
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.ids import new_id


class Holds:
    """The life of a hold, each step idempotent per key; nothing but its capture can spend held funds."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._clock = clock
        self._policy = policy

    async def create(
        self, *, key: str, hold_id: str, user_id: str, amount: int, currency: str, type: str, source: str,
        description: str, metadata: Mapping[str, str], up_to_available: bool = False,
    ) -> HoldOutcome:
        """Reserve ``amount`` of the user's available balance (or as much of it as is available, with
        ``up_to_available``); an empty ``hold_id`` gets a new one."""
        cmd = CreateHoldCommand.build(
            new_hold_id=new_id("hold"), key=key, hold_id=hold_id, user_id=user_id, amount=amount, currency=currency,
            type=type, source=source, description=description, metadata=dict(metadata),
            up_to_available=up_to_available,
        )
        return await self._store.atomic_async(
            lambda uow: ledger.create_hold(uow, cmd, self._clock, policy=self._policy))

    async def capture(self, *, key: str, hold_id: str, counter_account: str, note: str = "") -> HoldOutcome:
        """Move the held funds out of the wallet to ``counter_account``; the hold's transaction completes."""
        cmd = SettleHoldCommand.build(key=key, hold_id=hold_id, capture=True, counter_account=counter_account,
                                      note=note)
        return await self._settle(cmd)

    async def void(self, *, key: str, hold_id: str, note: str = "") -> HoldOutcome:
        """Release the held funds back to available; the hold's transaction fails. An unknown ``hold_id`` is
        tombstoned: no hold can be created under it afterwards."""
        cmd = SettleHoldCommand.build(key=key, hold_id=hold_id, capture=False, note=note)
        return await self._settle(cmd)

    async def _settle(self, cmd: SettleHoldCommand) -> HoldOutcome:
        return await self._store.atomic_async(
            lambda uow: ledger.settle_hold(uow, cmd, self._clock, policy=self._policy))
