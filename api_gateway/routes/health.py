"""``GET /health``: the gateway and each gRPC service it uses; ``GET /api/ping``: the gateway alone."""

from __future__ import annotations

import asyncio
from typing import Annotated

import grpc
from fastapi import APIRouter, Depends
from grpc_health.v1 import health_pb2, health_pb2_grpc

from api_gateway.context import GatewayContext, context
from api_gateway.envelope import EnvelopeResponse, ok
from api_gateway.schemas.responses import HealthFailure, HealthReport, Pong, envelope
from winzone_kernel.errors import WinzoneError

router = APIRouter(tags=["health"])


async def _probe(channel: grpc.aio.Channel) -> str:
    try:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2.0)
    except WinzoneError:
        return "UNAVAILABLE"
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


@router.get("/health", response_model=envelope(HealthReport),
            responses={503: {"model": HealthFailure, "description": "A backing service is not serving."}})
async def health(ctx: Annotated[GatewayContext, Depends(context)]) -> EnvelopeResponse:
    """200 when every service is SERVING, else 503 with each one's status."""
    names = list(ctx.channels)
    statuses = await asyncio.gather(*(_probe(ctx.channels[n]) for n in names))
    services = dict(zip(names, statuses, strict=True))
    healthy = all(s == "SERVING" for s in statuses)
    data = {"status": "ok" if healthy else "degraded", "gateway": "SERVING", "services": services}
    if healthy:
        return ok("Healthy", data)
    return EnvelopeResponse({"success": False, "message": "A backing service is unavailable",
                             "error": "SERVICE_UNAVAILABLE", "data": data}, status_code=503)


@router.get("/api/ping", response_model=envelope(Pong))
async def ping() -> EnvelopeResponse:
    """The gateway answers: no store, no gRPC call, no sign-in (liveness; the ceiling of ``bench/rest.py``)."""
    return ok("pong", {"status": "ok"})
