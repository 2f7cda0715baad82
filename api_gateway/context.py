"""What a request handler may use: settings, the user store, token issuer and gRPC stubs; auth dependencies."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any

import grpc
from fastapi import Depends, Request

from api_gateway.auth import Principal, TokenIssuer
from api_gateway.settings import GatewaySettings
from api_gateway.users.ports import UserStore
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.errors import PermissionDenied, Unauthenticated


@dataclass
class GatewayContext:
    """The gateway's adapters, built once by the composition root."""

    settings: GatewaySettings
    users: UserStore
    tokens: TokenIssuer
    channels: dict[str, grpc.aio.Channel]
    wallet: wallet_pb2_grpc.WalletServiceStub
    stubs: dict[str, Any] = field(default_factory=dict)


def context(request: Request) -> GatewayContext:
    return request.app.state.ctx


def principal(request: Request) -> Principal:
    """The bearer token's principal; 401 when missing, malformed, expired or for a deleted user."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Authentication required", code="UNAUTHORIZED")
    ctx: GatewayContext = request.app.state.ctx
    who = ctx.tokens.verify(token.strip())
    user = ctx.users.by_id(who.user_id)
    if user is None:
        raise Unauthenticated("Invalid or expired token", code="INVALID_TOKEN")
    return Principal(user.id, user.role)


def require_roles(*roles: str) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that admits only the given roles (403 otherwise)."""

    async def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.role not in roles:
            raise PermissionDenied("You do not have permission to do this", code="FORBIDDEN")
        return who

    return check
