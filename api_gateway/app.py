"""Composition root of the REST gateway: ``build_app`` wires settings, stores, tokens and gRPC stubs."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from api_gateway.adapters.grpc_services import open_channels, stubs_for
from api_gateway.adapters.passwords import Argon2PasswordHasher
from api_gateway.adapters.tokens import JwtTokenIssuer
from api_gateway.context import GatewayContext
from api_gateway.domain.ports import UserStore
from api_gateway.errors import install_error_handlers
from api_gateway.routes import auth, competitions, health, mock_checkout, payments, payouts, transactions
from api_gateway.schemas.openapi import DocumentedAPI
from api_gateway.settings import GatewaySettings
from api_gateway.use_cases.accounts import Accounts
from api_gateway.use_cases.directory import UserDirectory
from api_gateway.use_cases.throttle import LoginThrottle
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from winzone_kernel.metrics import HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS

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
                              JwtTokenIssuer(settings.jwt_secret, settings.jwt_ttl_seconds)),
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
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.frontend_url],
        allow_methods=["GET", "POST", "PUT", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key", REQUEST_ID_HEADER],
        expose_headers=[REQUEST_ID_HEADER],
        max_age=600,
    )

    @app.middleware("http")
    async def bind_request_id(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        supplied = request.headers.get(REQUEST_ID_HEADER, "")
        rid = supplied if 8 <= len(supplied) <= 64 and supplied.isascii() and supplied.isalnum() else new_request_id()
        request_id_var.set(rid)
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        elapsed = time.perf_counter() - started
        HTTP_LATENCY.labels(path, request.method).observe(elapsed)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("http request", extra={"fields": {"method": request.method, "route": path,
                                                        "status": response.status_code,
                                                        "ms": round(elapsed * 1000, 2)}})
        HTTP_REQUESTS.labels(path, request.method, str(response.status_code)).inc()
        if response.status_code >= 400:
            HTTP_ERRORS.labels(path, str(response.status_code)).inc()
        response.headers[REQUEST_ID_HEADER] = rid
        return response

    for module in (auth, transactions, competitions, payments, payouts, mock_checkout, health):
        app.include_router(module.router)
    return app
