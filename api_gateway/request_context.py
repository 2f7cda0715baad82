"""The outermost REST middleware: a request id for every request, its metrics, and a debug line.

Plain ASGI (no ``BaseHTTPMiddleware``): it wraps ``send`` instead of running the app in a task of its own
and streaming its response back, which the profile showed costing a tenth of a trivial request.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from winzone_kernel.logs import REQUEST_ID_HEADER, new_request_id, request_id_var
from winzone_kernel.metrics import HTTP_ERRORS, HTTP_LATENCY, HTTP_REQUESTS

log = logging.getLogger("winzone.gateway")

HEADER_NAME = REQUEST_ID_HEADER.lower().encode("latin-1")


def _supplied_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER_NAME:
            supplied = value.decode("latin-1")
            if 8 <= len(supplied) <= 64 and supplied.isascii() and supplied.isalnum():
                return supplied
            break
    return new_request_id()


class RequestContext:
    """Binds the request id (the caller's ``X-Request-Id`` when it is 8 to 64 letters and digits, else a new
    one) for the logs and echoes it on the response; counts and times each request by route template. With
    ``worker`` set (``GATEWAY_WORKERS`` > 1) the debug line names the gateway process that answered."""

    def __init__(self, app: ASGIApp, *, worker: str = "") -> None:
        self.app = app
        self.worker = worker

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _supplied_id(scope)
        request_id_var.set(rid)
        header = (HEADER_NAME, rid.encode("latin-1"))
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", ()) if h[0].lower() != HEADER_NAME]
                headers.append(header)
                message["headers"] = headers
            await send(message)

        started = time.perf_counter()
        await self.app(scope, receive, send_with_id)
        elapsed = time.perf_counter() - started
        path = getattr(scope.get("route"), "path", "unmatched")
        method = scope["method"]
        HTTP_LATENCY.labels(path, method).observe(elapsed)
        HTTP_REQUESTS.labels(path, method, str(status)).inc()
        if status >= 400:
            HTTP_ERRORS.labels(path, str(status)).inc()
        if log.isEnabledFor(logging.DEBUG):
            fields: dict[str, object] = {"method": method, "route": path, "status": status,
                                         "ms": round(elapsed * 1000, 2)}
            if self.worker:
                fields["worker"] = self.worker
            log.debug("http request", extra={"fields": fields})
