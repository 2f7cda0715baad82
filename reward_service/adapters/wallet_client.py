"""The wallet service over gRPC: posting plans become ``WalletService.Post`` calls."""

from __future__ import annotations

import grpc

from reward_service.domain.ports import PostingReceipt, WalletPort
from reward_service.domain.postings import SOURCE, PostingPlan
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc
from winzone_kernel.grpc_errors import error_from_rpc

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


class GrpcWallet(WalletPort):
    """``WalletPort`` on an authenticated aio channel to the wallet (``winzone_kernel.grpc_client``)."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._channel = channel
        self._stub = wallet_pb2_grpc.WalletServiceStub(channel)

    async def post(self, plan: PostingPlan) -> PostingReceipt:
        try:
            result = await self._stub.Post(post_request(plan), timeout=POST_DEADLINE_SECONDS)
        except grpc.aio.AioRpcError as exc:
            raise error_from_rpc(exc) from exc
        return PostingReceipt(entry_id=result.entry_id, replayed=result.replayed,
                              transactions=tuple(result.transactions))

    async def close(self) -> None:
        await self._channel.close()
