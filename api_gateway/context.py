"""What a request handler may use: settings, the accounts and directory use cases, gRPC stubs; auth dependencies."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

import grpc
from fastapi import Depends, Request

from api_gateway.domain.model import Principal
from api_gateway.settings import GatewaySettings
from api_gateway.use_cases.accounts import Accounts
from api_gateway.use_cases.directory import UserDirectory
from api_gateway.use_cases.throttle import LoginThrottle
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.errors import PermissionDenied, Unauthenticated


@dataclass
class GatewayContext:
    """The gateway's use cases and gRPC stubs, built once by ``build_app``."""

    settings: GatewaySettings
    accounts: Accounts
    directory: UserDirectory
    channels: dict[str, grpc.aio.Channel]
    wallet: wallet_pb2_grpc.WalletServiceStub
    stubs: dict[str, Any] = field(default_factory=dict)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)


async def context(request: Request) -> GatewayContext:
    """The gateway's context (a coroutine, so FastAPI does not send it to its thread pool)."""
    ctx: GatewayContext = request.app.state.ctx
    return ctx


async def principal(request: Request) -> Principal:
    """The bearer token's principal; 401 when missing, malformed, expired or for a deleted user.

    The token is checked on the event loop (HMAC, no I/O); the user comes from the user cache, or, when the
    cache does not know it (``AUTH_CACHE_SECONDS``), from the store in a worker thread."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authentication required", code="UNAUTHORIZED")
    accounts: Accounts = request.app.state.ctx.accounts
    who = accounts.authenticate_cached(token.strip())
    if who is None:
        who = await asyncio.to_thread(accounts.authenticate, token.strip())
    return who


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits only the given roles (403 otherwise)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise PermissionDenied("You do not have permission to do this", code="FORBIDDEN")
        return who

    return check
