"""gRPC adapter of the payout service: protobuf messages to use-case calls and back (methods masked)."""

from __future__ import annotations

import grpc

from payout_service.domain.commands import provider_outcome
from payout_service.domain.kyc import KycRecord
from payout_service.domain.model import PayoutRequest
from payout_service.use_cases.facade import PayoutService
from payout_service.use_cases.kyc import KycCases
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.payouts.v1 import payouts_pb2_grpc as pb_grpc
from winzone_kernel.clock import format_utc
from winzone_kernel.errors import FailedPrecondition
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
        approvals=[pb.Approval(by=a.by, at=format_utc(a.at), note=a.note) for a in p.approvals],
        review_reasons=[pb.ReviewReason(rule=r.rule, message=r.message, at=format_utc(r.at))
                        for r in p.review_reasons],
        needs_dual_approval=p.needs_dual_approval,
        tds=p.tds,
        net_amount=p.net_amount,
        net_winnings=p.net_winnings,
        financial_year=p.financial_year,
    )


def kyc_pb(record: KycRecord | None, user_id: str = "") -> pb.KycRecord:
    """The KYC record as sent to other services, the PAN masked; status "none" when there is none."""
    if record is None:
        return pb.KycRecord(user_id=user_id, status="none")
    return pb.KycRecord(
        user_id=record.user_id, status=record.status.value, pan=record.masked_pan, name=record.name,
        date_of_birth=record.date_of_birth.isoformat(), submitted_at=format_utc(record.submitted_at),
        reviewed_at=None if record.reviewed_at is None else format_utc(record.reviewed_at),
        reviewed_by=record.reviewed_by, note=record.note, updated_at=format_utc(record.updated_at),
    )


class PayoutServicer(pb_grpc.PayoutServiceServicer):
    """``winzone.payouts.v1.PayoutService``: payout requests, their approval and their settlement."""

    def __init__(self, service: PayoutService) -> None:
        self._svc = service

    @property
    def _kyc(self) -> KycCases:
        if self._svc.kyc is None:
            raise FailedPrecondition("KYC is not configured (KYC_PAN_KEY)", code="KYC_NOT_CONFIGURED")
        return self._svc.kyc

    async def GetPayoutLimits(self, request: pb.GetPayoutLimitsRequest, context: grpc.aio.ServicerContext
                              ) -> pb.PayoutLimits:
        """The configured bounds of one payout request (minor units) in each currency payouts are made in."""
        limits, risk = self._svc.limits, self._svc.risk
        return pb.PayoutLimits(
            limits=[pb.PayoutLimit(currency=code, min=limits.min_minor, max=limits.max_minor)
                    for code in sorted(CURRENCIES)],
            risk=pb.PayoutRisk(dual_approval_threshold=risk.dual_approval_threshold, daily_count=risk.daily_count,
                               daily_amount=risk.daily_amount,
                               cooldown_after_topup_seconds=risk.cooldown_after_topup_seconds,
                               kyc_required=self._svc.kyc_required, min_age=self._svc.min_age),
        )

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

    async def ReleasePayout(self, request: pb.ReleasePayoutRequest, context: grpc.aio.ServicerContext
                            ) -> pb.PayoutRequest:
        """Release a payout held for review (a note is required); it then waits for approval."""
        return payout_pb(await self._svc.release(request.payout_id, request.admin_id, request.note or None))

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

    async def SubmitKyc(self, request: pb.SubmitKycRequest, context: grpc.aio.ServicerContext) -> pb.KycRecord:
        """Submit PAN, name and date of birth for review (PAN_IN_USE flags this account's record)."""
        return kyc_pb(await self._kyc.submit(user_id=request.user_id, pan=request.pan, name=request.name,
                                             date_of_birth=request.date_of_birth))

    async def GetKyc(self, request: pb.GetKycRequest, context: grpc.aio.ServicerContext) -> pb.KycRecord:
        """The user's KYC record, status "none" when they never submitted."""
        return kyc_pb(await self._kyc.get(request.user_id), request.user_id)

    async def ListKyc(self, request: pb.ListKycRequest, context: grpc.aio.ServicerContext) -> pb.ListKycResponse:
        """KYC records, oldest submission first, optionally in one status, paged, with the total."""
        page = await self._kyc.list(status=request.status or None, page=request.page, limit=request.limit)
        return pb.ListKycResponse(records=[kyc_pb(r) for r in page.items], total=page.total, page=page.page,
                                  limit=page.limit)

    async def VerifyKyc(self, request: pb.VerifyKycRequest, context: grpc.aio.ServicerContext) -> pb.KycRecord:
        """An admin verifies a pending KYC record (never their own)."""
        return kyc_pb(await self._kyc.verify(request.user_id, request.admin_id, request.note or None))

    async def RejectKyc(self, request: pb.RejectKycRequest, context: grpc.aio.ServicerContext) -> pb.KycRecord:
        """An admin rejects a pending or flagged KYC record with a reason (never their own)."""
        return kyc_pb(await self._kyc.reject(request.user_id, request.admin_id, request.reason or None))
