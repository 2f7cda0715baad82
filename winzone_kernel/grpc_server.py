"""gRPC server bootstrap shared by every service: interceptors, health, reflection, graceful shutdown."""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from winzone_kernel.errors import WinzoneError
from winzone_kernel.grpc_errors import ERROR_CODE_KEY, status_for
from winzone_kernel.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from winzone_kernel.metrics import RPC_LATENCY, RPC_REQUESTS
from winzone_kernel.ports import AddressInUse

log = logging.getLogger("winzone.grpc")

TOKEN_HEADER = "x-internal-token"
OPEN_SERVICES = ("/grpc.health.v1.Health/", "/grpc.reflection.")
SHUTDOWN_GRACE_SECONDS = 5.0


def _metadata_value(details: grpc.HandlerCallDetails, key: str) -> str | None:
    for item in details.invocation_metadata or ():
        if item.key == key:
            return item.value if isinstance(item.value, str) else item.value.decode()
    return None


class ServiceInterceptor(grpc.aio.ServerInterceptor):
    """Checks the internal service token, binds the request id, and maps domain errors to status codes.

    Health and reflection stay open so orchestrators can probe the server without the token.
    """

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        method = handler_call_details.method
        handler = await continuation(handler_call_details)
        if handler is None or method.startswith(OPEN_SERVICES):
            return handler
        supplied = _metadata_value(handler_call_details, TOKEN_HEADER)
        if supplied is None or not hmac.compare_digest(supplied.encode(), self._token):
            return grpc.unary_unary_rpc_method_handler(_reject_unauthenticated)
        if handler.unary_unary is None:
            return handler
        request_id = _metadata_value(handler_call_details, REQUEST_ID_HEADER) or new_request_id()
        return grpc.unary_unary_rpc_method_handler(
            _mapped(handler.unary_unary, method, request_id),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


async def _reject_unauthenticated(request: Any, context: grpc.aio.ServicerContext) -> None:
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or invalid internal service token")


def _mapped(behavior: Callable[..., Awaitable[Any]], method: str, request_id: str) -> Callable[..., Awaitable[Any]]:
    async def handle(request: Any, context: grpc.aio.ServicerContext) -> Any:
        request_id_var.set(request_id)
        started = time.perf_counter()
        code = "OK"
        try:
            return await behavior(request, context)
        except WinzoneError as exc:
            status = status_for(exc)
            code = status.name
            context.set_trailing_metadata(((ERROR_CODE_KEY, exc.code),))
            await context.abort(status, exc.message)
        except asyncio.CancelledError:
            code = "CANCELLED"
            raise
        except Exception:
            if context.code() is not None:
                code = "ABORTED"
                raise
            code = "INTERNAL"
            log.exception("unhandled error", extra={"fields": {"rpc": method}})
            await context.abort(grpc.StatusCode.INTERNAL, "internal error")
        finally:
            elapsed = time.perf_counter() - started
            RPC_LATENCY.labels(method).observe(elapsed)
            RPC_REQUESTS.labels(method, code).inc()
            if log.isEnabledFor(logging.DEBUG):
                log.debug("rpc handled", extra={"fields": {"rpc": method, "code": code,
                                                           "ms": round(elapsed * 1000, 2)}})

    return handle


class ServingServer:
    """A started aio gRPC server with its health servicer and bound port."""

    def __init__(self, server: grpc.aio.Server, health_servicer: health.aio.HealthServicer, port: int) -> None:
        self.server = server
        self.health = health_servicer
        self.port = port

    async def stop(self, grace: float = SHUTDOWN_GRACE_SECONDS) -> None:
        await self.health.enter_graceful_shutdown()
        await self.server.stop(grace)


async def start_server(
    *,
    register: Callable[[grpc.aio.Server], Iterable[str]],
    token: str,
    port: int = 0,
    host: str = "127.0.0.1",
) -> ServingServer:
    """Build, bind and start an aio server; ``register`` adds servicers and returns their full names. A taken
    port is ``AddressInUse``."""
    server = grpc.aio.server(
        interceptors=[ServiceInterceptor(token)],
        options=[("grpc.so_reuseport", 0), ("grpc.max_receive_message_length", 16 * 1024 * 1024)],
    )
    names = list(register(server))
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    try:
        bound = server.add_insecure_port(f"{host}:{port}")
    except RuntimeError as exc:
        raise AddressInUse(f"{host}:{port}") from exc
    if bound == 0:
        raise AddressInUse(f"{host}:{port}")
    await server.start()
    for name in [*names, ""]:
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return ServingServer(server, health_servicer, bound)


async def serve_until_signal(serving: ServingServer, on_stop: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run until SIGTERM/SIGINT, then drain in-flight calls and stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down", extra={"fields": {"port": serving.port}})
    await serving.stop()
    if on_stop is not None:
        await on_stop()
