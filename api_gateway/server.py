"""Run the REST gateway with uvicorn."""

from __future__ import annotations

import logging

import uvicorn

from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from api_gateway.users.ports import UserStore
from winzone_kernel.config import CommonSettings
from winzone_kernel.logs import configure_logging

log = logging.getLogger("winzone.gateway")


def build_user_store(common: CommonSettings) -> UserStore:
    """The user store selected by the environment: MongoDB when MONGODB_URI is set, else SQLite."""
    if common.mongodb_uri:
        from api_gateway.users.mongo_store import MongoUserStore

        return MongoUserStore.from_uri(common.mongodb_uri, common.mongodb_db)
    from api_gateway.users.sqlite_store import SqliteUserStore

    return SqliteUserStore(common.sqlite_path("gateway"), common.sqlite_synchronous)


def main() -> None:
    settings = GatewaySettings.from_env()
    configure_logging("gateway", settings.common.log_level)
    users = build_user_store(settings.common)
    users.migrate()
    app = build_app(settings, users)
    log.info("gateway listening", extra={"fields": {"port": settings.port}})
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False,
                timeout_graceful_shutdown=5)
