"""Print the gateway's OpenAPI document as JSON (stdout), built in-process with placeholder settings.

Nothing is started or connected: the app is built, its ``openapi()`` is called, and the document is printed
with sorted keys so the web app's generated types (``npm --prefix web run gen:api``) are stable.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings

PLACEHOLDER_ENV = {
    "APP_ENV": "test",
    "INTERNAL_TOKEN": "openapi-dump-internal-token",
    "JWT_SECRET": "openapi-dump-jwt-secret-0123456789abcdef",
}


def openapi_document() -> dict[str, Any]:
    """The document the gateway serves at ``/openapi.json``."""
    settings = GatewaySettings.from_env(PLACEHOLDER_ENV)
    app = build_app(settings, SqliteUserStore(":memory:"))
    return app.openapi()


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
