"""Prometheus metrics shared by every process: RPCs, HTTP requests, money moved; text exposition."""

from __future__ import annotations

import logging

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest, start_http_server

from winzone_kernel.ports import AddressInUse, is_address_in_use

log = logging.getLogger("winzone.metrics")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

RPC_REQUESTS = Counter("winzone_grpc_requests_total", "gRPC calls handled, by method and status code",
                       ["method", "code"])
RPC_LATENCY = Histogram("winzone_grpc_request_duration_seconds", "gRPC handling time by method", ["method"],
                        buckets=LATENCY_BUCKETS)
HTTP_REQUESTS = Counter("winzone_http_requests_total", "REST requests by route, method and status",
                        ["route", "method", "status"])
HTTP_LATENCY = Histogram("winzone_http_request_duration_seconds", "REST handling time by route",
                         ["route", "method"], buckets=LATENCY_BUCKETS)
HTTP_ERRORS = Counter("winzone_http_errors_total", "REST responses with an error envelope, by route and code",
                      ["route", "status"])
MONEY_MOVED = Counter("winzone_money_moved_minor_total",
                      "Minor units moved in or out of user wallets (absolute, posted legs) by type and currency",
                      ["type", "currency"])

CONTENT_TYPE = CONTENT_TYPE_LATEST


def exposition() -> bytes:
    """The process's metrics in the Prometheus text format."""
    return generate_latest()


def serve_metrics(port: int, host: str = "127.0.0.1") -> None:
    """Expose ``/metrics`` on its own HTTP port; 0 disables it; a taken port is ``AddressInUse``."""
    if port:
        try:
            start_http_server(port, addr=host)
        except OSError as exc:
            if is_address_in_use(exc):
                raise AddressInUse(f"{host}:{port}") from exc
            raise
        log.info("metrics listening", extra={"fields": {"port": port}})
