"""``/api/wallet`` reads and ``/api/transactions``: a user's wallet and history, and the admin's view of all."""

from __future__ import annotations

import asyncio
from typing import Annotated, get_args

from fastapi import APIRouter, Depends, Request

from api_gateway.context import GatewayContext, context, principal, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok, pagination
from api_gateway.query import ListQuery
from api_gateway.schemas.errors import error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import (
    AdminTransactionQuery,
    TransactionQuery,
    TransactionStatus,
    TransactionType,
    WalletQuery,
)
from api_gateway.schemas.responses import Transaction, Wallet, envelope, list_envelope
from api_gateway.serializers import bonus_grant_json, transaction_json, wallet_json
from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.errors import NotFound
from winzone_kernel.money import CURRENCIES, DEFAULT_CURRENCY

router = APIRouter(tags=["wallet", "transactions"])

TYPES = frozenset(get_args(TransactionType))
STATUSES = frozenset(get_args(TransactionStatus))
CURRENCY_CODES = frozenset(CURRENCIES)

LIST_ERRORS = error_responses(bad_request=["VALIDATION_ERROR"])
ADMIN_LIST_ERRORS = error_responses(bad_request=["VALIDATION_ERROR"], forbidden=["FORBIDDEN"])

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


@router.get("/api/wallet", response_model=envelope(Wallet), dependencies=AUTHENTICATED, responses=LIST_ERRORS,
            openapi_extra=documented(query=WalletQuery))
async def get_wallet(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's wallet (``?currency=USD`` for another currency): balance per fund, what is withdrawable, the
    bonus grants with bonus left (soonest expiry first) and recent transactions."""
    query = ListQuery.parse(request, currency=CURRENCY_CODES)
    currency = query.filters["currency"] or DEFAULT_CURRENCY
    response = await ctx.wallet.GetWallet(wallet_pb.GetWalletRequest(user_id=who.user_id, currency=currency,
                                                                      recent_limit=10))
    data = wallet_json(response.wallet)
    data["recentTransactions"] = [transaction_json(t) for t in response.recent_transactions]
    data["bonusGrants"] = [bonus_grant_json(g) for g in response.bonus_grants]
    return ok("Wallet fetched successfully", data)


@router.get("/api/wallet/transactions", response_model=list_envelope(Transaction), dependencies=AUTHENTICATED,
            responses=LIST_ERRORS, openapi_extra=documented(query=TransactionQuery))
@router.get("/api/transactions/my", response_model=list_envelope(Transaction), dependencies=AUTHENTICATED,
            responses=LIST_ERRORS, openapi_extra=documented(query=TransactionQuery))
async def my_transactions(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The caller's transactions, newest first."""
    query = ListQuery.parse(request, type=TYPES, status=STATUSES, currency=CURRENCY_CODES)
    return await _list(ctx, query, who.user_id)


@router.get("/api/transactions/all", response_model=list_envelope(Transaction), dependencies=AUTHENTICATED,
            responses=ADMIN_LIST_ERRORS, openapi_extra=documented(query=AdminTransactionQuery))
@router.get("/api/transactions/admin/all", response_model=list_envelope(Transaction), dependencies=AUTHENTICATED,
            responses=ADMIN_LIST_ERRORS, openapi_extra=documented(query=AdminTransactionQuery))
async def all_transactions(
    request: Request, ctx: Ctx, who: Annotated[Principal, Depends(require_roles(Role.ADMIN))]
) -> EnvelopeResponse:
    """Every user's transactions (admin only), optionally for one ``userId``."""
    query = ListQuery.parse(request, type=TYPES, status=STATUSES, currency=CURRENCY_CODES, userId=None)
    user_id = query.filters["userId"]
    if user_id and not await asyncio.to_thread(ctx.directory.exists, user_id):
        return ok("Transactions fetched successfully", [], pagination=pagination(query.page, query.limit, 0))
    return await _list(ctx, query, user_id)


@router.get("/api/transactions/{transaction_id}", response_model=envelope(Transaction), dependencies=AUTHENTICATED,
            responses=error_responses(not_found=["TRANSACTION_NOT_FOUND"], path=True))
async def get_transaction(transaction_id: str, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """One transaction: its owner or an admin; anyone else gets 404."""
    if len(transaction_id) > 200:
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
    tx = await ctx.wallet.GetTransaction(wallet_pb.GetTransactionRequest(transaction_id=transaction_id))
    if not tx.user_id or (who.role != Role.ADMIN and tx.user_id != who.user_id):
        raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
    return ok("Transaction fetched successfully", transaction_json(tx))
