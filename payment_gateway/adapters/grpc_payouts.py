"""The payout-result sink over gRPC: ``winzone.payouts.v1.PayoutService.RecordProviderResult``.

The request names every field of the payout service's contract (``payout_id``, ``status``,
``provider_reference``, ``failure_reason``, ``event_id``, ``amount_reversed``); a renamed or removed field fails at once
instead of being dropped. Built on a ``service_channel``: the payout service's errors arrive as domain
errors (``NotFound``, ``Unavailable`` ...).
"""

from __future__ import annotations

import grpc

from payment_gateway.domain.ports import PayoutResultSink
from payment_gateway.domain.provider import PayoutProviderResult
from winzone.payouts.v1 import payouts_pb2, payouts_pb2_grpc


def record_request(result: PayoutProviderResult) -> payouts_pb2.RecordProviderResultRequest:
    """The payout service's request for one provider result (its contract has no amount or provider)."""
    return payouts_pb2.RecordProviderResultRequest(
        payout_id=result.payout_id,
        status=result.status,
        provider_reference=result.provider_reference,
        failure_reason=result.failure_reason,
        event_id=result.event_id,
        amount_reversed=result.amount_reversed,
    )


class GrpcPayoutResults(PayoutResultSink):
    """Forwards payout results from webhooks to the payout service."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = payouts_pb2_grpc.PayoutServiceStub(channel)

    async def record(self, result: PayoutProviderResult) -> None:
        await self._stub.RecordProviderResult(record_request(result))
