"""Gateway settings, read once from the environment at start-up."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from winzone_kernel.config import PLACEHOLDER_SECRETS, CommonSettings, ConfigError, env_int
from winzone_kernel.funds_policy import LedgerPolicy, policy_from_env

DEFAULT_WEB_DIST_DIR = Path(__file__).resolve().parent.parent / "web" / "dist"
DEFAULT_WEB_DEV_ORIGIN = "http://localhost:5173"


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL (an origin has no path)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{url!r} is not an http(s) URL")
    return f"{parts.scheme}://{parts.netloc}"


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    """``env[name]`` (else ``default``) without a trailing slash, refused unless it is an http(s) URL."""
    url = (env.get(name) or default).rstrip("/")
    try:
        _origin(url)
    except ConfigError as exc:
        raise ConfigError(f"{name} must be an http(s) URL, got {url!r}") from exc
    return url


def _at_most(value: int, name: str, maximum: int) -> int:
    if value > maximum:
        raise ConfigError(f"{name} must be <= {maximum}")
    return value


def _origins(raw: str) -> tuple[str, ...]:
    return tuple(_origin(part.strip()) for part in raw.split(",") if part.strip())


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
    web_dist_dir: Path = DEFAULT_WEB_DIST_DIR
    """``WEB_DIST_DIR``: the built web app served at ``/`` (``api_gateway.web_app``)."""
    web_dev_origins: tuple[str, ...] = ()
    """``WEB_DEV_ORIGIN``: comma-separated origins also allowed by CORS (a Vite dev server; "" for none; none by
    default in production)."""
    auth_cache_seconds: int = 5
    """``AUTH_CACHE_SECONDS``: how long a user read for a bearer token is trusted (0: read it every request); a
    deleted user or a changed role shows after at most this long (``use_cases.user_cache``)."""
    workers: int = 1
    """``GATEWAY_WORKERS``: gateway processes serving the one port (``server.main``)."""
    funds_rules: LedgerPolicy = field(default_factory=LedgerPolicy)
    """The wallet's funds and tax settings (``TDS_RATE``, ``WITHDRAWABLE_FUNDS``...), shown by ``/api/config``."""

    @property
    def cors_origins(self) -> list[str]:
        """The gateway's own origin, the front end's, and the dev servers', each once."""
        return list(dict.fromkeys(_origin(u) for u in (self.public_url, self.frontend_url, *self.web_dev_origins)))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> GatewaySettings:
        env = os.environ if env is None else env
        common = CommonSettings.from_env(env)
        secret = env.get("JWT_SECRET", "")
        if len(secret) < 32 or secret.lower() in PLACEHOLDER_SECRETS:
            raise ConfigError("JWT_SECRET must be a random secret of at least 32 characters")
        port = env_int(env, "GATEWAY_PORT", 5000)
        host = env.get("GATEWAY_HOST", "127.0.0.1")
        public_url = _url(env, "GATEWAY_PUBLIC_URL", f"http://localhost:{port}")
        return cls(
            common=common,
            host=host,
            port=port,
            jwt_secret=secret,
            jwt_ttl_seconds=env_int(env, "JWT_TTL_SECONDS", 3600, minimum=60),
            frontend_url=_url(env, "FRONTEND_URL", public_url),
            public_url=public_url,
            web_dist_dir=Path(env.get("WEB_DIST_DIR") or DEFAULT_WEB_DIST_DIR),
            web_dev_origins=_origins(env.get("WEB_DEV_ORIGIN", "" if common.production else DEFAULT_WEB_DEV_ORIGIN)),
            metrics_port=env_int(env, "GATEWAY_METRICS_PORT", 0),
            auth_cache_seconds=_at_most(env_int(env, "AUTH_CACHE_SECONDS", 5), "AUTH_CACHE_SECONDS", 300),
            workers=_at_most(env_int(env, "GATEWAY_WORKERS", 1, minimum=1), "GATEWAY_WORKERS", 64),
            funds_rules=policy_from_env(env),
        )
