"""The wallet over gRPC, behind the payout service's ``WalletPort``.

Every call carries a deterministic idempotency key derived from the payout id (``payout_hold_{id}``,
``payout_capture_{id}``, ``payout_void_{id}``, ``payout_refund_{id}`` or, per partial reversal,
``payout_refund_{id}_{cumulative amount reversed}``) and a fixed request, so a step
repeated after a crash or by a concurrent settler replays the first result instead of moving money again.
The stub's channel is a ``service_channel``: a failed call raises the wallet's own domain error.

The hold's answer carries the tax the wallet withholds (``tds``, ``net_winnings``, ``financial_year``); a
repeated hold call replays the same figures. A refund credits what the provider reversed; the refund of a
full reversal of a payout with tds is one ``Post`` instead: the counter account gives back what was reversed,
``tds_payable`` the tds, and the user receives both. A partial reversal returns no tds.
"""

from __future__ import annotations

from datetime import datetime

from payout_service.domain.model import PayoutRequest, Withholding
from payout_service.domain.ports import WalletPort
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.clock import parse_utc
from winzone_kernel.errors import InvalidArgument, Unavailable

SOURCE = "payout_service"
PAYOUT_TYPE = "payout"
REFUND_TYPE = "refund"
TOPUP_TYPE = "topup"
COMPLETED = "completed"
RELEASE_NOTE = "Payout not paid: funds released"
VOIDED = "voided"
TDS_PAYABLE = "tds_payable"


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

    async def hold(self, payout: PayoutRequest) -> Withholding:
        result = await self._stub.CreateHold(wallet_pb2.CreateHoldRequest(
            idempotency_key=hold_key(payout.id), hold_id=payout.id, user_id=payout.user_id,
            amount=payout.amount_minor, currency=payout.currency, type=PAYOUT_TYPE, source=SOURCE,
            description="Payout request", metadata={"payoutId": payout.id},
        ))
        return withholding_of(result.hold, payout.amount_minor)

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
        whole = amount == amount_reversed == payout.net_amount
        key = refund_key(payout.id, None if whole else amount_reversed)
        metadata = {"payoutId": payout.id, "amountReversed": str(amount_reversed)}
        description = "Refund of a payout the provider reversed"
        if amount_reversed == payout.net_amount and payout.tds > 0:
            posted = await self._stub.Post(wallet_pb2.PostRequest(
                idempotency_key=key, source=SOURCE, description=description, metadata=metadata, legs=[
                    wallet_pb2.Leg(account=self._clearing, amount=-amount, currency=payout.currency,
                                   type=REFUND_TYPE),
                    wallet_pb2.Leg(account=TDS_PAYABLE, amount=-payout.tds, currency=payout.currency,
                                   type=REFUND_TYPE),
                    wallet_pb2.Leg(account=f"user:{payout.user_id}", amount=amount + payout.tds,
                                   currency=payout.currency, type=REFUND_TYPE, idempotency_key=key,
                                   metadata=metadata),
                ],
            ))
            return posted.transactions[2].id
        result = await self._stub.Credit(wallet_pb2.CreditRequest(
            idempotency_key=key, user_id=payout.user_id,
            amount=amount, currency=payout.currency, type=REFUND_TYPE, counter_account=self._clearing,
            source=SOURCE, description=description, metadata=metadata,
        ))
        return result.transactions[0].id


def withholding_of(hold: wallet_pb2.Hold, amount: int) -> Withholding:
    """The tax figures of the wallet's hold of a payout of ``amount``; a wallet answering figures that do not
    add up (``net_amount`` other than ``amount - tds``; a wallet that predates tax answers none) is an
    upstream error, never stored."""
    try:
        withheld = Withholding(hold.tds, hold.net_winnings, hold.financial_year)
    except (InvalidArgument, ValueError):
        withheld = None
    predates_tax = hold.tds == hold.net_amount == 0
    if withheld is None or withheld.tds > amount or not (predates_tax or hold.net_amount == amount - hold.tds):
        raise Unavailable("The wallet answered tax figures that do not add up", code="UPSTREAM_ERROR")
    return withheld
