"""The wallet service over gRPC: posting plans become ``WalletService.Post`` (or, many at once, ``PostBatch``)
calls, its answers our receipts."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from reward_service.domain.ports import PostingReceipt, WalletPort, WalletTransaction
from reward_service.domain.postings import SOURCE, PostingPlan
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.errors import Unavailable, WinzoneError
from winzone_kernel.grpc_errors import ERROR_BY_STATUS, SUBCLASS_BY_CODE

POST_DEADLINE_SECONDS = 10.0
POST_BATCH_DEADLINE_SECONDS = 30.0
"""A PostBatch carries up to ``WALLET_MAX_BATCH`` entries in one wallet transaction."""


def post_request(plan: PostingPlan) -> wallet_pb2.PostRequest:
    """The wallet request of a plan: the same plan always gives the same request (and so a wallet replay)."""
    return wallet_pb2.PostRequest(
        idempotency_key=plan.key,
        legs=[
            wallet_pb2.Leg(account=leg.account, amount=leg.amount, currency=plan.currency, type=leg.type,
                           description=leg.description, idempotency_key=leg.key, metadata=leg.metadata)
            for leg in plan.legs
        ],
        source=SOURCE,
        description=plan.description,
        metadata=plan.metadata,
    )


def transaction_of(message: wallet_pb2.Transaction) -> WalletTransaction:
    """A wallet transaction message as the reward service holds it."""
    return WalletTransaction(
        id=message.id, user_id=message.user_id, account=message.account, type=message.type, amount=message.amount,
        currency=message.currency, source=message.source, status=message.status, description=message.description,
        metadata=dict(message.metadata), idempotency_key=message.idempotency_key,
        balance_after=message.balance_after if message.HasField("balance_after") else None,
        entry_id=message.entry_id, hold_id=message.hold_id, created_at=message.created_at,
        updated_at=message.updated_at, posted_at=message.posted_at,
        funds={name: getattr(message.funds, name) for name in ("deposit", "winnings", "bonus")
               if getattr(message.funds, name)},
        fund=message.fund,
    )


def receipt_of(result: wallet_pb2.PostingResult) -> PostingReceipt:
    return PostingReceipt(entry_id=result.entry_id, replayed=result.replayed,
                          transactions=tuple(transaction_of(t) for t in result.transactions))


def entry_error(error: wallet_pb2.EntryError) -> WinzoneError:
    """The domain error of one refused entry of a batch, as ``post`` would have raised it for the same plan."""
    status = grpc.StatusCode.__members__.get(error.status)
    cls = SUBCLASS_BY_CODE.get(error.code) or (None if status is None else ERROR_BY_STATUS.get(status))
    if cls is None:
        return Unavailable("the wallet answered an entry with an unknown status", code="UPSTREAM_ERROR")
    return cls(error.message or None, code=error.code or None)


class GrpcWallet(WalletPort):
    """``WalletPort`` on a ``winzone_kernel.grpc_client.service_channel`` to the wallet, which raises the
    wallet's refusals as our domain errors. Whoever opened the channel closes it."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = wallet_pb2_grpc.WalletServiceStub(channel)

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        return receipt_of(await self._stub.Post(post_request(plan), timeout=POST_DEADLINE_SECONDS))

    async def post_batch(self, plans: Sequence[PostingPlan]) -> list[PostingReceipt | WinzoneError]:
        response = await self._stub.PostBatch(wallet_pb2.PostBatchRequest(entries=[post_request(p) for p in plans]),
                                              timeout=POST_BATCH_DEADLINE_SECONDS)
        if len(response.results) != len(plans):
            raise Unavailable("the wallet answered a batch with a result per entry missing", code="UPSTREAM_ERROR")
        return [receipt_of(r.posting) if r.WhichOneof("outcome") == "posting" else entry_error(r.error)
                for r in response.results]
