"""The payment gateway over gRPC, behind the payout service's ``PaymentsPort``.

The payout id is the provider idempotency key: the gateway sends a payout once and answers a repeat with the
first outcome. The stub's channel is a ``service_channel``: a failed call raises the gateway's own domain
error (``InvalidArgument`` with the refusal code, ``Unavailable`` ...).
The provider is asked to send the payout's ``net_amount``: its amount less the tax the wallet withholds.
"""

from __future__ import annotations

import logging

from payout_service.domain.model import PROVIDER_REFERENCE_MAX_LENGTH, PayoutRequest
from payout_service.domain.ports import PaymentsPort, ProviderOutcome, ProviderStatus
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone_kernel.errors import Unavailable

log = logging.getLogger("winzone.payouts")


def _outcome(result: payments_pb2.PayoutResult) -> ProviderOutcome:
    """The gateway's answer in our terms. The wallet step is taken before the payout is recorded, so nothing
    here may make the record refuse the answer afterwards: a reference we cannot keep is dropped (the payout
    id, which the provider also has, stands in for it) rather than refused."""
    try:
        status = ProviderStatus(result.status)
    except ValueError:
        raise Unavailable("The payment gateway gave an unknown payout status", code="UPSTREAM_ERROR") from None
    reference = result.provider_reference.strip() or None
    if reference is not None and (len(reference) > PROVIDER_REFERENCE_MAX_LENGTH or not reference.isprintable()):
        log.warning("unusable provider reference dropped", extra={"fields": {
            "payout_id": result.payout_id, "reference_length": len(reference)}})
        reference = None
    return ProviderOutcome(
        status=status,
        provider_reference=reference,
        failure_reason=(result.failure_reason or None) if status is ProviderStatus.FAILED else None,
        amount_reversed=max(result.amount_reversed, 0),
    )


class GrpcPayments(PaymentsPort):
    """``PaymentsPort`` over ``winzone.payments.v1.PaymentGateway``, each call bounded by ``timeout``."""

    def __init__(self, stub: payments_pb2_grpc.PaymentGatewayStub, *, timeout: float) -> None:
        self._stub = stub
        self._timeout = timeout

    async def send_payout(self, payout: PayoutRequest) -> ProviderOutcome:
        response = await self._stub.SendPayout(payments_pb2.SendPayoutRequest(
            payout_id=payout.id, user_id=payout.user_id, amount=payout.net_amount, currency=payout.currency,
            method_type=payout.method.type.value, method_details=dict(payout.method.details),
        ), timeout=self._timeout)
        return _outcome(response.result)

    async def get_payout(self, payout_id: str) -> ProviderOutcome | None:
        response = await self._stub.GetPayout(payments_pb2.GetPayoutRequest(payout_id=payout_id), timeout=self._timeout)
        return _outcome(response.result) if response.found else None
