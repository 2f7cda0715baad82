"""The wallet over gRPC, behind the payout service's ``WalletPort``.

Every call carries a deterministic idempotency key derived from the payout id (``payout_hold_{id}``,
``payout_capture_{id}``, ``payout_void_{id}``, ``payout_refund_{id}`` or, per partial reversal,
``payout_refund_{id}_{cumulative amount reversed}``) and a fixed request, so a step
repeated after a crash or by a concurrent settler replays the first result instead of moving money again.
The stub's channel is a ``service_channel``: a failed call raises the wallet's own domain error.
"""

from __future__ import annotations

from datetime import datetime

from payout_service.domain.model import PayoutRequest
from payout_service.domain.ports import WalletPort
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.clock import parse_utc
from winzone_kernel.errors import Unavailable

SOURCE = "payout_service"
PAYOUT_TYPE = "payout"
REFUND_TYPE = "refund"
TOPUP_TYPE = "topup"
COMPLETED = "completed"
RELEASE_NOTE = "Payout not paid: funds released"
VOIDED = "voided"


def hold_key(payout_id: str) -> str:
    return f"payout_hold_{payout_id}"


def capture_key(payout_id: str) -> str:
    return f"payout_capture_{payout_id}"


def void_key(payout_id: str) -> str:
    return f"payout_void_{payout_id}"


def refund_key(payout_id: str, amount_reversed: int | None = None) -> str:
    """One refund per payout and cumulative reversed amount; a whole payout refunded at once keeps the key it
    always had."""
    return f"payout_refund_{payout_id}" if amount_reversed is None else f"payout_refund_{payout_id}_{amount_reversed}"


class GrpcWallet(WalletPort):
    """``WalletPort`` over ``winzone.wallet.v1.WalletService``; money leaves to ``clearing:<provider>``."""

    def __init__(self, stub: wallet_pb2_grpc.WalletServiceStub, *, provider: str) -> None:
        self._stub = stub
        self._clearing = f"clearing:{provider}"

    async def hold(self, payout: PayoutRequest) -> None:
        await self._stub.CreateHold(wallet_pb2.CreateHoldRequest(
            idempotency_key=hold_key(payout.id), hold_id=payout.id, user_id=payout.user_id,
            amount=payout.amount_minor, currency=payout.currency, type=PAYOUT_TYPE, source=SOURCE,
            description="Payout request", metadata={"payoutId": payout.id},
        ))

    async def capture(self, payout_id: str) -> str:
        result = await self._stub.CaptureHold(wallet_pb2.CaptureHoldRequest(
            idempotency_key=capture_key(payout_id), hold_id=payout_id, counter_account=self._clearing,
            description="Payout paid",
        ))
        return result.transaction.id

    async def void(self, payout_id: str) -> None:
        result = await self._stub.VoidHold(wallet_pb2.VoidHoldRequest(
            idempotency_key=void_key(payout_id), hold_id=payout_id, reason=RELEASE_NOTE,
        ))
        if result.hold.status != VOIDED:
            raise Unavailable("The wallet did not confirm the hold as voided", code="HOLD_NOT_VOIDED")

    async def latest_topup_at(self, user_id: str, currency: str) -> datetime | None:
        found = await self._stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
            user_id=user_id, type=TOPUP_TYPE, status=COMPLETED, currency=currency, page=1, limit=1,
        ))
        if not found.transactions:
            return None
        latest = found.transactions[0]
        return parse_utc(latest.posted_at or latest.created_at)

    async def refund(self, payout: PayoutRequest, amount: int, amount_reversed: int) -> str:
        whole = amount == amount_reversed == payout.amount_minor
        result = await self._stub.Credit(wallet_pb2.CreditRequest(
            idempotency_key=refund_key(payout.id, None if whole else amount_reversed), user_id=payout.user_id,
            amount=amount, currency=payout.currency, type=REFUND_TYPE, counter_account=self._clearing,
            source=SOURCE, description="Refund of a payout the provider reversed",
            metadata={"payoutId": payout.id, "amountReversed": str(amount_reversed)},
        ))
        return result.transactions[0].id
