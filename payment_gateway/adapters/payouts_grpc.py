"""The payout-result sink over gRPC: ``winzone.payouts.v1.PayoutService.RecordProviderResult``.

The payout service's contract is owned by its own proto; this adapter is wired only when that generated
module exists (:func:`payouts_contract_available`). It fills every field of ``RecordProviderResultRequest``
whose name it knows (``payout_id``, ``status``, ``provider``, ``provider_reference``, ``failure_reason``,
``event_id``, ``event_type``, ``amount``, ``currency``) and leaves the rest unset, so the two sides only
have to agree on those names.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

import grpc

from payment_gateway.ports import PayoutProviderResult, PayoutResultSink
from winzone_kernel.grpc_errors import error_from_rpc

PAYOUTS_PROTO_MODULE = "winzone.payouts.v1.payouts_pb2"
PAYOUTS_GRPC_MODULE = "winzone.payouts.v1.payouts_pb2_grpc"
SERVICE_STUB = "PayoutServiceStub"
REQUEST_MESSAGE = "RecordProviderResultRequest"


def payouts_contract_available() -> bool:
    """Whether the payout service's generated gRPC code is installed."""
    try:
        return importlib.util.find_spec(PAYOUTS_GRPC_MODULE) is not None
    except ModuleNotFoundError:
        return False


def _request(messages: Any, result: PayoutProviderResult) -> Any:
    cls = getattr(messages, REQUEST_MESSAGE)
    known = {
        "payout_id": result.payout_id, "status": result.status, "provider": result.provider,
        "provider_reference": result.provider_reference, "failure_reason": result.failure_reason,
        "event_id": result.event_id, "event_type": result.event_type, "amount": result.amount,
        "currency": result.currency,
    }
    fields = cls.DESCRIPTOR.fields_by_name
    return cls(**{name: value for name, value in known.items() if name in fields and value is not None})


class GrpcPayoutResults(PayoutResultSink):
    """Forwards payout results from webhooks to the payout service."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._messages = importlib.import_module(PAYOUTS_PROTO_MODULE)
        stub_cls = getattr(importlib.import_module(PAYOUTS_GRPC_MODULE), SERVICE_STUB)
        self._stub = stub_cls(channel)

    async def record(self, result: PayoutProviderResult) -> None:
        try:
            await self._stub.RecordProviderResult(_request(self._messages, result))
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from exc
