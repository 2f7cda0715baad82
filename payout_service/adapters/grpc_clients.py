"""The wallet and the payment gateway over gRPC, behind the payout service's ports.

Every wallet call carries a deterministic idempotency key derived from the payout id (``payout_hold_{id}``,
``payout_capture_{id}``, ``payout_void_{id}``, ``payout_refund_{id}``) and a fixed request, so a step
repeated after a crash or by a concurrent settler replays the first result instead of moving money again.
gRPC errors become the domain errors the downstream service raised (``error_from_rpc``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import grpc

from payout_service.domain.state import PROVIDER_REFERENCE_MAX_LENGTH, PayoutRequest
from payout_service.ports import ProviderOutcome, ProviderStatus
from winzone.payments.v1 import payments_pb2, payments_pb2_grpc
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.errors import Unavailable
from winzone_kernel.grpc_errors import error_from_rpc

T = TypeVar("T")
log = logging.getLogger("winzone.payouts")

SOURCE = "payout_service"
PAYOUT_TYPE = "payout"
REFUND_TYPE = "refund"
RELEASE_NOTE = "Payout not paid: funds released"


def hold_key(payout_id: str) -> str:
    return f"payout_hold_{payout_id}"


def capture_key(payout_id: str) -> str:
    return f"payout_capture_{payout_id}"


def void_key(payout_id: str) -> str:
    return f"payout_void_{payout_id}"


def refund_key(payout_id: str) -> str:
    return f"payout_refund_{payout_id}"


async def _call(call: Callable[..., Awaitable[T]], request: Any, **kwargs: Any) -> T:
    try:
        return await call(request, **kwargs)
    except grpc.aio.AioRpcError as exc:
        raise error_from_rpc(exc) from exc


class GrpcWallet:
    """``WalletPort`` over ``winzone.wallet.v1.WalletService``; money leaves to ``clearing:<provider>``."""

    def __init__(self, stub: wallet_pb2_grpc.WalletServiceStub, *, provider: str) -> None:
        self._stub = stub
        self._clearing = f"clearing:{provider}"

    async def hold(self, payout: PayoutRequest) -> None:
        await _call(self._stub.CreateHold, wallet_pb2.CreateHoldRequest(
            idempotency_key=hold_key(payout.id), hold_id=payout.id, user_id=payout.user_id,
            amount=payout.amount_minor, currency=payout.currency, type=PAYOUT_TYPE, source=SOURCE,
            description="Payout request", metadata={"payoutId": payout.id},
        ))

    async def capture(self, payout_id: str) -> str:
        result = await _call(self._stub.CaptureHold, wallet_pb2.CaptureHoldRequest(
            idempotency_key=capture_key(payout_id), hold_id=payout_id, counter_account=self._clearing,
            description="Payout paid",
        ))
        return result.transaction.id

    async def void(self, payout_id: str) -> None:
        await _call(self._stub.VoidHold, wallet_pb2.VoidHoldRequest(
            idempotency_key=void_key(payout_id), hold_id=payout_id, reason=RELEASE_NOTE,
        ))

    async def refund(self, payout: PayoutRequest) -> str:
        result = await _call(self._stub.Credit, wallet_pb2.CreditRequest(
            idempotency_key=refund_key(payout.id), user_id=payout.user_id, amount=payout.amount_minor,
            currency=payout.currency, type=REFUND_TYPE, counter_account=self._clearing, source=SOURCE,
            description="Refund of a payout the provider reversed", metadata={"payoutId": payout.id},
        ))
        return result.transactions[0].id


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
    )


class GrpcPayments:
    """``PaymentsPort`` over ``winzone.payments.v1.PaymentGateway``, each call bounded by ``timeout``."""

    def __init__(self, stub: payments_pb2_grpc.PaymentGatewayStub, *, timeout: float) -> None:
        self._stub = stub
        self._timeout = timeout

    async def send_payout(self, payout: PayoutRequest) -> ProviderOutcome:
        response = await _call(self._stub.SendPayout, payments_pb2.SendPayoutRequest(
            payout_id=payout.id, user_id=payout.user_id, amount=payout.amount_minor, currency=payout.currency,
            method_type=payout.method.type.value, method_details=dict(payout.method.details),
        ), timeout=self._timeout)
        return _outcome(response.result)

    async def get_payout(self, payout_id: str) -> ProviderOutcome | None:
        response = await _call(
            self._stub.GetPayout, payments_pb2.GetPayoutRequest(payout_id=payout_id), timeout=self._timeout
        )
        return _outcome(response.result) if response.found else None
