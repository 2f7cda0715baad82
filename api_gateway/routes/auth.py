"""``/api/auth``: register, login, me."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api_gateway.body import json_body, optional_str
from api_gateway.context import GatewayContext, context, principal
from api_gateway.domain.commands import LogIn, Register
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.schemas.errors import error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import LoginBody, RegisterBody
from api_gateway.schemas.responses import LoginData, UserData, envelope
from winzone_kernel.errors import Unauthenticated

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/register", status_code=201, response_model=envelope(UserData), openapi_extra=documented(body=RegisterBody),
    responses=error_responses(
        body=True, authenticated=False, backing=False, unavailable=["SERVICE_UNAVAILABLE"],
        bad_request=["VALIDATION_ERROR", "INVALID_ROLE", "INVALID_NAME", "INVALID_EMAIL", "INVALID_PASSWORD"],
        forbidden=["FORBIDDEN"], conflict=["EMAIL_TAKEN"]),
)
async def register(
    body: Annotated[dict[str, Any], Depends(json_body)], ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """Register a player (default) or organizer; asking for admin is 403."""
    command = Register.parse(role=optional_str(body, "role") or Role.PLAYER.value, name=body.get("name"),
                             email=body.get("email"), password=body.get("password"))
    user = await asyncio.to_thread(ctx.accounts.register, command)
    return ok("User registered successfully", {"user": user.public()}, status=201)


@router.post(
    "/login", response_model=envelope(LoginData), openapi_extra=documented(body=LoginBody),
    responses=error_responses(body=True, authenticated=False, backing=False, bad_request=["VALIDATION_ERROR"],
                              unauthorized=["INVALID_CREDENTIALS"], too_many=["TOO_MANY_ATTEMPTS"],
                              unavailable=["SERVICE_UNAVAILABLE"]),
)
async def login(
    request: Request, body: Annotated[dict[str, Any], Depends(json_body)],
    ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """Exchange email and password for a bearer token. Failed attempts are throttled per account and per
    client address with exponential backoff (429 ``TOO_MANY_ATTEMPTS`` and ``Retry-After``)."""
    command = LogIn.parse(email=body.get("email"), password=body.get("password"))
    keys = ctx.throttle.keys(command.email, request.client.host if request.client else "unknown")
    ctx.throttle.check(*keys)
    try:
        signed_in = await asyncio.to_thread(ctx.accounts.login, command)
    except Unauthenticated:
        ctx.throttle.failed(*keys)
        raise
    ctx.throttle.succeeded(keys[0])
    return ok("Login successful", {"token": signed_in.token, "user": signed_in.user.public()})


@router.get("/me", response_model=envelope(UserData), dependencies=AUTHENTICATED,
            responses=error_responses(not_found=["NOT_FOUND"], backing=False))
async def me(
    who: Annotated[Principal, Depends(principal)], ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """The signed-in user."""
    user = await asyncio.to_thread(ctx.accounts.current_user, who.user_id)
    return ok("User fetched successfully", {"user": user.public()})
