"""Composition root of the REST gateway: ``build_app`` wires settings, stores, tokens and gRPC stubs."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import grpc
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware

from api_gateway.auth import TokenIssuer
from api_gateway.context import GatewayContext
from api_gateway.errors import install_error_handlers
from api_gateway.routes import auth, competitions, health, mock_checkout, payments, payouts, transactions
from api_gateway.settings import GatewaySettings
from api_gateway.users.ports import UserStore
from winzone.payments.v1 import payments_pb2_grpc
from winzone.payouts.v1 import payouts_pb2_grpc
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.grpc_client import DEFAULT_DEADLINE_SECONDS, internal_channel
from winzone_kernel.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from winzone_kernel.metrics import CONTENT_TYPE, HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS, exposition

log = logging.getLogger("winzone.gateway")

STUBS: dict[str, type] = {
    "wallet": wallet_pb2_grpc.WalletServiceStub,
    "rewards": rewards_pb2_grpc.RewardServiceStub,
    "payments": payments_pb2_grpc.PaymentGatewayStub,
    "payouts": payouts_pb2_grpc.PayoutServiceStub,
}
"""The gRPC services the gateway calls, by service name (see ``winzone_kernel.config.DEFAULT_PORTS``)."""

DEADLINES = {"payments": 45.0}
"""Per-service call deadlines: the payment gateway may wait on a provider (Stripe: bounded retries)."""


def build_app(settings: GatewaySettings, users: UserStore) -> FastAPI:
    """The FastAPI application; gRPC channels open on start-up and close on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        channels: dict[str, grpc.aio.Channel] = {
            name: internal_channel(settings.common.addresses[name], settings.common.internal_token,
                                   deadline=DEADLINES.get(name, DEFAULT_DEADLINE_SECONDS))
            for name in STUBS
        }
        app.state.ctx = GatewayContext(
            settings=settings,
            users=users,
            tokens=TokenIssuer(settings.jwt_secret, settings.jwt_ttl_seconds),
            channels=channels,
            wallet=wallet_pb2_grpc.WalletServiceStub(channels["wallet"]),
            stubs={name: stub(channels[name]) for name, stub in STUBS.items()},
        )
        try:
            yield
        finally:
            for channel in channels.values():
                await channel.close()

    app = FastAPI(
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
        rid = supplied if 8 <= len(supplied) <= 64 and supplied.isalnum() else new_request_id()
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

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        """Prometheus text exposition of the gateway's metrics."""
        return Response(exposition(), media_type=CONTENT_TYPE)

    for module in (auth, transactions, competitions, payments, payouts, mock_checkout, health):
        app.include_router(module.router)
    return app
