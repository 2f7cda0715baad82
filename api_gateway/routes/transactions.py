"""``/api/wallet`` reads and ``/api/transactions``: a user's wallet and history, and the admin's view of all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from api_gateway.auth import Principal
from api_gateway.context import GatewayContext, context, principal, require_roles
from api_gateway.envelope import EnvelopeResponse, ok, pagination
from api_gateway.query import ListQuery
from api_gateway.serializers import transaction_json, wallet_json
from api_gateway.users.model import Role
from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.errors import NotFound
from winzone_kernel.money import CURRENCIES, DEFAULT_CURRENCY

router = APIRouter(tags=["wallet", "transactions"])

TYPES = frozenset({"credit", "debit", "reward", "entryFee", "payout", "refund", "topup", "organizerFee",
                   "platformFee"})
STATUSES = frozenset({"pending", "completed", "failed"})
CURRENCY_CODES = frozenset(CURRENCIES)

Who = Annotated[Principal, Depends(principal)]
Ctx = Annotated[GatewayContext, Depends(context)]


async def _list(ctx: GatewayContext, query: ListQuery, user_id: str) -> EnvelopeResponse:
    response = await ctx.wallet.ListTransactions(wallet_pb.ListTransactionsRequest(
        user_id=user_id, type=query.filters.get("type", ""), status=query.filters.get("status", ""),
        currency=query.filters.get("currency", ""), page=query.page, limit=query.limit,
    ))
    return ok(
        "Transactions fetched successfully",
        [transaction_json(t) for t in response.transactions],
        pagination=pagination(query.page, query.limit, response.total),
    )


@router.get("/api/wallet")
async def get_wallet(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's wallet (``?currency=USD`` for another currency) with recent transactions."""
    query = ListQuery.parse(request, currency=CURRENCY_CODES)
    currency = query.filters["currency"] or DEFAULT_CURRENCY
    response = await ctx.wallet.GetWallet(wallet_pb.GetWalletRequest(user_id=who.user_id, currency=currency,
                                                                      recent_limit=10))
    data = wallet_json(response.wallet)
    data["recentTransactions"] = [transaction_json(t) for t in response.recent_transactions]
    return ok("Wallet fetched successfully", data)


@router.get("/api/wallet/transactions")
@router.get("/api/transactions/my")
async def my_transactions(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's transactions, newest first."""
    query = ListQuery.parse(request, type=TYPES, status=STATUSES, currency=CURRENCY_CODES)
    return await _list(ctx, query, who.user_id)


@router.get("/api/transactions/all")
@router.get("/api/transactions/admin/all")
async def all_transactions(
    request: Request, ctx: Ctx, who: Annotated[Principal, Depends(require_roles(Role.ADMIN))]
) -> EnvelopeResponse:
    """Every user's transactions (admin only), optionally for one ``userId``."""
    query = ListQuery.parse(request, type=TYPES, status=STATUSES, currency=CURRENCY_CODES, userId=None)
    user_id = query.filters["userId"]
    if user_id and ctx.users.by_id(user_id) is None:
        return ok("Transactions fetched successfully", [], pagination=pagination(query.page, query.limit, 0))
    return await _list(ctx, query, user_id)


@router.get("/api/transactions/{transaction_id}")
async def get_transaction(transaction_id: str, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """One transaction: its owner or an admin; anyone else gets 404."""
    if len(transaction_id) > 200:
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
    tx = await ctx.wallet.GetTransaction(wallet_pb.GetTransactionRequest(transaction_id=transaction_id))
    if not tx.user_id or (who.role != Role.ADMIN and tx.user_id != who.user_id):
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
    return ok("Transaction fetched successfully", transaction_json(tx))
