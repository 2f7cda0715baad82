"""Responsible-gaming controls: read them, set or remove limits, self-exclude; each change one atomic write."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from wallet_service.domain import controls
from wallet_service.domain.controls import ControlsView
from wallet_service.domain.ports import LedgerStore, LedgerUnitOfWork
from winzone_kernel.clock import Clock, utc_now


class Controls:
    """A player's limits and self-exclusion, read and changed in units of work of the ledger store."""

    def __init__(self, store: LedgerStore, clock: Clock = utc_now) -> None:
        self._store = store
        self._clock = clock

    async def get(self, *, user_id: str, currency: str) -> ControlsView:
        """The controls in force now in ``currency`` (empty when never set): a plain read, off the writer."""
        user_id = controls.check_user(user_id)
        code = controls.check_currency(currency)
        doc = await asyncio.to_thread(self._store.get_controls, user_id)
        return controls.view(user_id, doc, code, self._clock())

    async def set_limits(self, *, user_id: str, currency: str,
                         changes: Sequence[tuple[str, int | None, bool]]) -> ControlsView:
        """Apply limit changes (``(limit, amount, remove)``) under the cooling-off rules."""
        user_id = controls.check_user(user_id)
        code = controls.check_currency(currency)
        requests = controls.check_changes(list(changes))

        def op(uow: LedgerUnitOfWork) -> ControlsView:
            now = self._clock()
            before = uow.controls_get(user_id)
            doc = controls.set_limits(before, code, requests, now)
            if requests:
                uow.controls_put(user_id, doc)
            return controls.view(user_id, doc, code, now)

        return await self._store.atomic_async(op)

    async def self_exclude(self, *, user_id: str, days: int, permanent: bool, currency: str = "") -> ControlsView:
        """Exclude the player for ``days`` (7..365) or permanently; only ever lengthens."""
        user_id = controls.check_user(user_id)
        days = controls.check_days(days, permanent)
        code = controls.check_currency(currency)

        def op(uow: LedgerUnitOfWork) -> ControlsView:
            now = self._clock()
            before = uow.controls_get(user_id)
            doc = controls.self_exclude(before, days, permanent, now)
            if doc != (before or {}):
                uow.controls_put(user_id, doc)
            return controls.view(user_id, doc, code, now)

        return await self._store.atomic_async(op)
