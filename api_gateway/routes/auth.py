"""``/api/auth``: register, login, me."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api_gateway.auth import Principal, hash_password, verify_password
from api_gateway.body import json_body, optional_str
from api_gateway.context import GatewayContext, context, principal
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.users.model import Role, User, check_name, check_password, normalize_email
from winzone_kernel.errors import InvalidArgument, NotFound, PermissionDenied, Unauthenticated
from winzone_kernel.ids import new_id, utc_now

router = APIRouter(prefix="/api/auth", tags=["auth"])

REGISTER_SCHEMA = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["name", "email", "password"],
    "properties": {"name": {"type": "string"}, "email": {"type": "string"}, "password": {"type": "string"},
                   "role": {"type": "string", "enum": ["player", "organizer"]}}}}}}}
LOGIN_SCHEMA = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["email", "password"],
    "properties": {"email": {"type": "string"}, "password": {"type": "string"}}}}}}}


@router.post("/register", status_code=201, openapi_extra=REGISTER_SCHEMA)
async def register(
    body: Annotated[dict[str, Any], Depends(json_body)], ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """Register a player (default) or organizer; asking for admin is 403."""
    role = optional_str(body, "role") or Role.PLAYER.value
    if role == Role.ADMIN:
        raise PermissionDenied("Admins cannot be registered publicly", code="FORBIDDEN")
    if role not in (Role.PLAYER, Role.ORGANIZER):
        raise InvalidArgument("role must be player or organizer", code="INVALID_ROLE")
    name = check_name(body.get("name"))
    email = normalize_email(body.get("email"))
    password = check_password(body.get("password"))
    now = utc_now()
    password_hash = await asyncio.to_thread(hash_password, password)
    user = User(new_id("usr"), email, name, role, password_hash, now, now)
    await asyncio.to_thread(ctx.users.add, user)
    return ok("User registered successfully", {"user": user.public()}, status=201)


@router.post("/login", openapi_extra=LOGIN_SCHEMA)
async def login(
    body: Annotated[dict[str, Any], Depends(json_body)], ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """Exchange email and password for a bearer token."""
    email, password = body.get("email"), body.get("password")
    if not isinstance(email, str) or not isinstance(password, str) or not email or not password:
        raise InvalidArgument("email and password are required strings", code="VALIDATION_ERROR")
    user = await asyncio.to_thread(ctx.users.by_email, email.strip().lower())
    valid = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if user is None or not valid:
        raise Unauthenticated("Invalid email or password", code="INVALID_CREDENTIALS")
    token = ctx.tokens.issue(user.id, user.role)
    return ok("Login successful", {"token": token, "user": user.public()})


@router.get("/me")
async def me(
    who: Annotated[Principal, Depends(principal)], ctx: Annotated[GatewayContext, Depends(context)]
) -> EnvelopeResponse:
    """The signed-in user."""
    user = ctx.users.by_id(who.user_id)
    if user is None:
        raise NotFound("User not found")
    return ok("User fetched successfully", {"user": user.public()})
