"""Payouts: send money through the provider once per payout id (``SendPayout``) and look it up (``GetPayout``).

The payout service owns payout requests and their holds; this side only talks to the provider, with our
payout id as the provider idempotency key (see ``PaymentProvider.send_payout`` for the outcomes).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from payment_gateway.domain.ports import PaymentProvider
from payment_gateway.domain.provider import PAYOUT_METHOD_TYPES, PayoutResult, PayoutStatus
from payment_gateway.domain.references import check_reference, mask
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import check_minor, currency_of

log = logging.getLogger("winzone.payments")


class Payouts:
    """Payouts passed to the provider."""

    def __init__(self, provider: PaymentProvider) -> None:
        self._provider = provider

    async def send(
        self, payout_id: str, user_id: str, amount: int, currency: str, method_type: str, details: Mapping[str, str]
    ) -> PayoutResult:
        """Send a payout through the provider once per ``payout_id``.

        A method type the provider cannot pay to is a FAILED result (no money moved).
        """
        check_reference(payout_id, "payout_id")
        code = currency_of(currency).code
        check_minor(amount)
        if method_type not in PAYOUT_METHOD_TYPES:
            raise InvalidArgument("Unknown payout method type", code="INVALID_PAYOUT_METHOD")
        if method_type not in self._provider.payout_method_types:
            result = PayoutResult(PayoutStatus.FAILED, None,
                                  f"The {self._provider.name} provider cannot pay out to {method_type}", amount, code)
        else:
            result = await asyncio.to_thread(self._provider.send_payout, payout_id, amount, code, dict(details))
        log.info("payout sent", extra={"fields": {
            "payout_id": payout_id, "user_id": user_id, "amount": amount, "currency": code,
            "method_type": method_type, "status": result.status.value,
            "provider_ref": mask(result.provider_ref)}})
        return result

    async def get(self, payout_id: str) -> PayoutResult | None:
        """The provider's record of our ``payout_id``, or ``None`` if it has none."""
        check_reference(payout_id, "payout_id")
        return await asyncio.to_thread(self._provider.get_payout, payout_id)
