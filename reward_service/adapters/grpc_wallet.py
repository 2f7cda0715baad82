"""The wallet service over gRPC: posting plans become ``WalletService.Post`` calls, its answers our receipts."""

from __future__ import annotations

import grpc

from reward_service.domain.ports import PostingReceipt, WalletPort, WalletTransaction
from reward_service.domain.postings import SOURCE, PostingPlan
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc

POST_DEADLINE_SECONDS = 10.0


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
    )


class GrpcWallet(WalletPort):
    """``WalletPort`` on a ``winzone_kernel.grpc_client.service_channel`` to the wallet, which raises the
    wallet's refusals as our domain errors. Whoever opened the channel closes it."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = wallet_pb2_grpc.WalletServiceStub(channel)

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        result = await self._stub.Post(post_request(plan), timeout=POST_DEADLINE_SECONDS)
        return PostingReceipt(entry_id=result.entry_id, replayed=result.replayed,
                              transactions=tuple(transaction_of(t) for t in result.transactions))
