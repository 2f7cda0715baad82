"""Composition root of the REST gateway: ``build_app`` wires settings, stores, tokens and gRPC stubs."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api_gateway.adapters.grpc_services import open_channels, stubs_for
from api_gateway.adapters.passwords import Argon2PasswordHasher
from api_gateway.adapters.tokens import JwtTokenIssuer
from api_gateway.context import GatewayContext
from api_gateway.domain.ports import UserStore
from api_gateway.errors import install_error_handlers
from api_gateway.request_context import RequestContext
from api_gateway.routes import (
    admin_audit,
    analytics,
    auth,
    competitions,
    config,
    funds_admin,
    health,
    mock_checkout,
    payments,
    payouts,
    protection,
    statements,
    transactions,
)
from api_gateway.schemas.openapi import DocumentedAPI
from api_gateway.settings import GatewaySettings
from api_gateway.use_cases.accounts import Accounts
from api_gateway.use_cases.directory import UserDirectory
from api_gateway.use_cases.throttle import LoginThrottle
from api_gateway.use_cases.user_cache import UserCache
from api_gateway.web_app import WebApp
from api_gateway.workers import WORKER_ENV
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.logs import REQUEST_ID_HEADER

log = logging.getLogger("winzone.gateway")

def build_app(settings: GatewaySettings, users: UserStore, *, throttle: LoginThrottle | None = None) -> FastAPI:
    """The FastAPI application; gRPC channels open on start-up and close on shutdown. ``/metrics`` is not
    served here but on ``GATEWAY_METRICS_PORT`` (see ``server.main``)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        channels = open_channels(settings.common)
        app.state.ctx = GatewayContext(
            settings=settings,
            accounts=Accounts(users, Argon2PasswordHasher(),
                              JwtTokenIssuer(settings.jwt_secret, settings.jwt_ttl_seconds),
                              cache=UserCache(users, settings.auth_cache_seconds)),
            directory=UserDirectory(users),
            channels=channels,
            wallet=wallet_pb2_grpc.WalletServiceStub(channels["wallet"]),
            stubs=stubs_for(channels),
            throttle=throttle or LoginThrottle(),
        )
        try:
            yield
        finally:
            for channel in channels.values():
                await channel.close()

    app = DocumentedAPI(
        title="WinZone API",
        version="1.0.0",
        description="Wallet, top-ups, prize pools and payouts of the WinZone esports platform.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(WebApp, dist_dir=settings.web_dist_dir, router=app.router)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST", "PUT", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
        max_age=600,
    )

    app.add_middleware(RequestContext, worker=os.environ.get(WORKER_ENV, ""))

    for module in (auth, statements, transactions, competitions, config, payments, payouts, protection, funds_admin,
                   admin_audit, analytics, mock_checkout, health):
        app.include_router(module.router)
    return app
