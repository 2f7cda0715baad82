"""The gateway's composition root: the user store from the environment, the app, uvicorn (on uvloop and
httptools), in one process or ``GATEWAY_WORKERS`` of them (``api_gateway.workers``)."""

from __future__ import annotations

import logging
import socket

import uvicorn

from api_gateway.adapters.mongo_store import MongoUserStore
from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.domain.ports import UserStore
from api_gateway.settings import GatewaySettings
from api_gateway.workers import run_workers
from winzone_kernel.config import CommonSettings
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.ports import EXIT_ADDRESS_IN_USE, AddressInUse, bind_listening
from winzone_kernel.stores import build_store

log = logging.getLogger("winzone.gateway")


def build_user_store(common: CommonSettings) -> UserStore:
    """The user store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return build_store(common, "gateway", sqlite=SqliteUserStore, mongo=MongoUserStore.from_uri)


def _uvicorn(settings: GatewaySettings, users: UserStore) -> uvicorn.Server:
    config = uvicorn.Config(build_app(settings, users), host=settings.host, port=settings.port, log_config=None,
                            access_log=False, timeout_graceful_shutdown=5, loop="uvloop", http="httptools")
    return uvicorn.Server(config)


def _serve_on(settings: GatewaySettings, sock: socket.socket, *, metrics: bool) -> None:
    users = build_user_store(settings.common)
    try:
        server = _uvicorn(settings, users)
        if metrics:
            serve_metrics(settings.metrics_port, settings.common.bind_host)
        server.run(sockets=[sock])
    finally:
        users.close()


def main() -> None:
    settings = GatewaySettings.from_env()
    configure_logging("gateway", settings.common.log_level)
    if settings.workers == 1:
        users = build_user_store(settings.common)
        try:
            users.migrate()
            server = _uvicorn(settings, users)
            serve_metrics(settings.metrics_port, settings.common.bind_host)
            sock = bind_listening(settings.host, settings.port)
            log.info("gateway listening", extra={"fields": {"port": sock.getsockname()[1]}})
            server.run(sockets=[sock])
        finally:
            users.close()
        return
    users = build_user_store(settings.common)
    try:
        users.migrate()
    finally:
        users.close()
    sock = bind_listening(settings.host, settings.port)
    log.info("gateway listening", extra={"fields": {"port": sock.getsockname()[1], "workers": settings.workers}})
    code = run_workers(settings.workers, sock, lambda index: _serve_on(settings, sock, metrics=index == 0))
    if code == EXIT_ADDRESS_IN_USE:
        raise AddressInUse(f"{settings.common.bind_host}:{settings.metrics_port}")
    if code:
        raise SystemExit(code)
