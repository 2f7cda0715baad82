"""``PayoutService``: the payout workflows composed into the one object the servicer and the tests call.

Every step persists its decision before it acts and every action is idempotent, so a step interrupted by a
crash, a timeout or a concurrent caller is finished, never repeated. The workflows live in their own modules:
``requests`` (validate, record, hold), ``approvals`` (approve or reject), ``settlement`` (send, then capture,
void or refund), ``reconciliation`` (stuck payouts) and ``queries``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from payout_service.domain.commands import ListPayouts, RequestPayout
from payout_service.domain.kyc import DEFAULT_MIN_AGE
from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS, PayoutLimits
from payout_service.domain.model import PayoutRequest
from payout_service.domain.ports import (
    KycStore,
    PaymentsPort,
    PayoutScreen,
    PayoutStore,
    ProviderOutcome,
    WalletPort,
)
from payout_service.domain.risk import RiskRules
from payout_service.use_cases.approvals import Approvals
from payout_service.use_cases.kyc import KycCases, KycScreen
from payout_service.use_cases.queries import PayoutPage, PayoutQueries
from payout_service.use_cases.reconciliation import ReconcileReport, Reconciliation
from payout_service.use_cases.requests import PayoutRequests
from payout_service.use_cases.settlement import Settlement
from payout_service.use_cases.shared import PayoutRecords
from winzone_kernel.clock import Clock, utc_now

RECONCILE_BATCH: Final = 500


def _nothing() -> None:
    return None


class PayoutService:
    """Use cases of payout requests, over a store, the wallet and the payment gateway (see the module docstring).

    ``after_provider_call`` runs right after the payment gateway answered a send (the crash-test hook). With
    a ``kyc`` store, ``self.kyc`` holds the KYC use cases and, unless a ``screen`` is given, new payouts are
    screened by ``KycScreen`` (which refuses only when ``kyc_required``)."""

    def __init__(
        self,
        store: PayoutStore,
        wallet: WalletPort,
        payments: PaymentsPort,
        *,
        limits: PayoutLimits = DEFAULT_PAYOUT_LIMITS,
        after_provider_call: Callable[[], None] | None = None,
        clock: Clock = utc_now,
        reconcile_batch: int = RECONCILE_BATCH,
        risk: RiskRules | None = None,
        screen: PayoutScreen | None = None,
        kyc: KycStore | None = None,
        kyc_required: bool = False,
        min_age: int = DEFAULT_MIN_AGE,
    ) -> None:
        self.limits = limits
        self.risk = risk or RiskRules()
        self.kyc_required = kyc_required
        self.min_age = min_age
        self.kyc = None if kyc is None else KycCases(kyc, clock=clock, min_age=min_age)
        if screen is None and kyc is not None:
            screen = KycScreen(kyc, required=kyc_required)
        records = PayoutRecords(store)
        self._requests = PayoutRequests(records, wallet, limits=limits, clock=clock, screen=screen, risk=self.risk)
        self._settlement = Settlement(records, wallet, payments, clock=clock,
                                      after_provider_call=after_provider_call or _nothing)
        self._approvals = Approvals(records, self._settlement, clock=clock)
        self._reconciliation = Reconciliation(records, self._requests, self._settlement, payments, clock=clock,
                                              batch=reconcile_batch)
        self._queries = PayoutQueries(records)

    async def create(
        self, *, user_id: str, amount_minor: int, currency: str, method_json: str, idempotency_key: str = ""
    ) -> tuple[PayoutRequest, bool]:
        """Validate and hold a new payout request; returns it and whether it is an idempotent replay."""
        command = RequestPayout.parse(user_id=user_id, amount_minor=amount_minor, currency=currency,
                                      method_json=method_json, idempotency_key=idempotency_key)
        return await self._requests.create(command)

    async def get(self, payout_id: str, user_id: str | None = None) -> PayoutRequest:
        """One payout request; with ``user_id``, another user's payout is ``NotFound``."""
        return await self._queries.get(payout_id, user_id)

    async def list(self, *, user_id: str | None, status: str | None, page: int, limit: int) -> PayoutPage:
        """Payout requests of one user or of everyone, newest first."""
        return await self._queries.list(ListPayouts.parse(user_id=user_id, status=status, page=page, limit=limit))

    async def approve(self, payout_id: str, admin_id: str, note: str | None) -> PayoutRequest:
        """``requested → approved``, then send the money and settle from the answer."""
        return await self._approvals.approve(payout_id, admin_id, note)

    async def release(self, payout_id: str, admin_id: str, note: str | None) -> PayoutRequest:
        """``held → requested`` with a note; the payout then waits for approval as any other."""
        return await self._approvals.release(payout_id, admin_id, note)

    async def reject(self, payout_id: str, admin_id: str, reason: str | None) -> PayoutRequest:
        """``requested → rejected`` with a reason, then release the hold."""
        return await self._approvals.reject(payout_id, admin_id, reason)

    async def record_provider_result(
        self, payout_id: str, outcome: ProviderOutcome, event_id: str = ""
    ) -> tuple[PayoutRequest, bool]:
        """Apply a provider's result once; returns the payout and whether anything changed."""
        return await self._settlement.record_provider_result(payout_id, outcome, event_id)

    async def reconcile(self, min_age_seconds: int = 0) -> ReconcileReport:
        """Finish every payout that needs attention and was last touched ``min_age_seconds`` ago or earlier."""
        return await self._reconciliation.reconcile(min_age_seconds)
