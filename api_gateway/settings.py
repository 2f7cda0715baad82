"""Gateway settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from winzone_kernel.config import PLACEHOLDER_SECRETS, CommonSettings, ConfigError, env_int


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    """Everything the REST gateway needs besides its adapters."""

    common: CommonSettings
    host: str
    port: int
    jwt_secret: str = field(repr=False)
    jwt_ttl_seconds: int
    frontend_url: str
    public_url: str
    metrics_port: int = 0
    """``GATEWAY_METRICS_PORT``: where ``/metrics`` is served (0: nowhere); never the API port."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        secret = env.get("JWT_SECRET", "")
        if len(secret) < 32 or secret.lower() in PLACEHOLDER_SECRETS:
            raise ConfigError("JWT_SECRET must be a random secret of at least 32 characters")
        port = env_int(env, "GATEWAY_PORT", 5000)
        host = env.get("GATEWAY_HOST", "127.0.0.1")
        return cls(
            common=common,
            host=host,
            port=port,
            jwt_secret=secret,
            jwt_ttl_seconds=env_int(env, "JWT_TTL_SECONDS", 3600, minimum=60),
            frontend_url=env.get("FRONTEND_URL", "http://localhost:5173").rstrip("/"),
            public_url=env.get("GATEWAY_PUBLIC_URL", f"http://localhost:{port}").rstrip("/"),
            metrics_port=env_int(env, "GATEWAY_METRICS_PORT", 0),
        )
