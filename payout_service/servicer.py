"""gRPC adapter of the payout service: protobuf messages to use-case calls and back (methods masked)."""

from __future__ import annotations

import grpc

from payout_service.domain.commands import provider_outcome
from payout_service.domain.model import PayoutRequest
from payout_service.use_cases.facade import PayoutService
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.payouts.v1 import payouts_pb2_grpc as pb_grpc
from winzone_kernel.clock import format_utc
from winzone_kernel.money import CURRENCIES


def payout_pb(p: PayoutRequest) -> pb.PayoutRequest:
    """The payout as sent to other services: the method masked, optional fields unset when empty."""
    masked = p.method.masked()
    return pb.PayoutRequest(
        id=p.id,
        user_id=p.user_id,
        amount=p.amount_minor,
        currency=p.currency,
        method=pb.PayoutMethod(type=masked["type"], details=masked["details"]),
        status=p.status.value,
        admin_note=p.admin_note,
        processed_by=p.processed_by,
        transaction_id=p.transaction_id,
        provider_reference=p.provider_reference,
        failure_reason=p.failure_reason,
        history=[pb.HistoryEntry(status=h.status.value, at=format_utc(h.at), by=h.by, note=h.note)
                 for h in p.history],
        created_at=format_utc(p.created_at),
        updated_at=format_utc(p.updated_at),
        refund_transaction_id=p.refund_transaction_id,
        refunded_amount=p.refunded_amount,
    )


class PayoutServicer(pb_grpc.PayoutServiceServicer):
    """``winzone.payouts.v1.PayoutService``: payout requests, their approval and their settlement."""

    def __init__(self, service: PayoutService) -> None:
        self._svc = service

    async def GetPayoutLimits(self, request: pb.GetPayoutLimitsRequest, context: grpc.aio.ServicerContext
                              ) -> pb.PayoutLimits:
        """The configured bounds of one payout request (minor units) in each currency payouts are made in."""
        limits = self._svc.limits
        return pb.PayoutLimits(limits=[pb.PayoutLimit(currency=code, min=limits.min_minor, max=limits.max_minor)
                                       for code in sorted(CURRENCIES)])

    async def CreatePayoutRequest(
        self, request: pb.CreatePayoutRequestRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreatePayoutRequestResponse:
        """Validate the method and amount and hold the funds; idempotent per user and key."""
        payout, replayed = await self._svc.create(
            user_id=request.user_id, amount_minor=request.amount, currency=request.currency,
            method_json=request.method_json, idempotency_key=request.idempotency_key,
        )
        return pb.CreatePayoutRequestResponse(payout=payout_pb(payout), replayed=replayed)

    async def GetPayoutRequest(
        self, request: pb.GetPayoutRequestRequest, context: grpc.aio.ServicerContext
    ) -> pb.PayoutRequest:
        """One payout request (NOT_FOUND when unknown or, with user_id, another user's)."""
        return payout_pb(await self._svc.get(request.payout_id, request.user_id or None))

    async def ListPayoutRequests(
        self, request: pb.ListPayoutRequestsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListPayoutRequestsResponse:
        """Payout requests of one user or of everyone, newest first, filtered and paged, with the total."""
        page = await self._svc.list(user_id=request.user_id or None, status=request.status or None,
                                    page=request.page, limit=request.limit)
        return pb.ListPayoutRequestsResponse(payouts=[payout_pb(p) for p in page.items], total=page.total,
                                             page=page.page, limit=page.limit)

    async def ApprovePayout(self, request: pb.ApprovePayoutRequest, context: grpc.aio.ServicerContext
                            ) -> pb.PayoutRequest:
        """Approve a requested payout and send it to the provider."""
        return payout_pb(await self._svc.approve(request.payout_id, request.admin_id, request.note or None))

    async def RejectPayout(self, request: pb.RejectPayoutRequest, context: grpc.aio.ServicerContext
                           ) -> pb.PayoutRequest:
        """Reject a requested payout with a reason and release its funds."""
        return payout_pb(await self._svc.reject(request.payout_id, request.admin_id, request.reason or None))

    async def RecordProviderResult(
        self, request: pb.RecordProviderResultRequest, context: grpc.aio.ServicerContext
    ) -> pb.RecordProviderResultResponse:
        """Apply a provider's result for a payout once (webhooks forwarded by the payment gateway)."""
        outcome = provider_outcome(request.status, request.provider_reference or None,
                                   request.failure_reason or None, request.amount_reversed)
        payout, changed = await self._svc.record_provider_result(request.payout_id, outcome, request.event_id)
        return pb.RecordProviderResultResponse(payout=payout_pb(payout), changed=changed)

    async def ReconcilePayouts(
        self, request: pb.ReconcilePayoutsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReconcilePayoutsResponse:
        """Settle every payout a crash or an unknown provider outcome left in between."""
        report = await self._svc.reconcile(request.min_age_seconds)
        return pb.ReconcilePayoutsResponse(examined=report.examined, settled=report.settled,
                                           pending=report.pending, errors=report.errors)
