"""The gateway's composition root: the user store from the environment, the app, uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from api_gateway.adapters.mongo_store import MongoUserStore
from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.domain.ports import UserStore
from api_gateway.settings import GatewaySettings
from winzone_kernel.config import CommonSettings
from winzone_kernel.logs import configure_logging
from winzone_kernel.metrics import serve_metrics
from winzone_kernel.ports import bind_listening
from winzone_kernel.stores import build_store

log = logging.getLogger("winzone.gateway")


def build_user_store(common: CommonSettings) -> UserStore:
    """The user store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    return build_store(common, "gateway", sqlite=SqliteUserStore, mongo=MongoUserStore.from_uri)


def main() -> None:
    settings = GatewaySettings.from_env()
    configure_logging("gateway", settings.common.log_level)
    users = build_user_store(settings.common)
    try:
        users.migrate()
        app = build_app(settings, users)
        serve_metrics(settings.metrics_port, settings.common.bind_host)
        sock = bind_listening(settings.host, settings.port)
        log.info("gateway listening", extra={"fields": {"port": sock.getsockname()[1]}})
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_config=None, access_log=False,
                                timeout_graceful_shutdown=5)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        users.close()
