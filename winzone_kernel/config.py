"""Typed settings read from the environment once, at start-up, failing fast on bad values."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import unquote

PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})

DEFAULT_PORTS = {"wallet": 50051, "payments": 50052, "rewards": 50053, "payouts": 50054, "auditor": 50055}


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the process must not start."""


def env_str(env: Mapping[str, str], name: str, default: str | None = None) -> str:
    value = env.get(name, default)
    if value is None:
        raise ConfigError(f"{name} is required")
    return value


def env_int(env: Mapping[str, str], name: str, default: int, *, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be >= {minimum}")
    return value


def env_decimal(env: Mapping[str, str], name: str, default: str) -> Decimal:
    raw = env.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ConfigError(f"{name} must be a decimal number, got {raw!r}") from exc
    if not value.is_finite():
        raise ConfigError(f"{name} must be finite")
    return value


def database_in_uri(uri: str | None) -> str | None:
    """The database a MongoDB URI names (``mongodb://host/winzone_prod?replicaSet=rs0`` names ``winzone_prod``),
    read from the text alone (no DNS lookup for ``mongodb+srv``)."""
    if not uri or "://" not in uri:
        return None
    rest = uri.split("://", 1)[1]
    path = rest.split("/", 1)[1] if "/" in rest else ""
    name = unquote(path.split("?", 1)[0])
    return name or None


@dataclass(frozen=True, slots=True)
class CommonSettings:
    """Settings every service shares: environment, storage, internal auth and service addresses."""

    app_env: str
    data_dir: Path
    mongodb_uri: str | None = field(repr=False)
    mongodb_db: str
    internal_token: str = field(repr=False)
    sqlite_synchronous: str
    log_level: str
    addresses: Mapping[str, str]
    ports: Mapping[str, int]
    bind_host: str = "127.0.0.1"
    metrics_ports: Mapping[str, int] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    def sqlite_path(self, service: str) -> Path:
        return self.data_dir / f"{service}.sqlite3"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, require_token: bool = True) -> CommonSettings:
        """Settings from ``env``; operator commands that only touch stores pass ``require_token=False``."""
        env = os.environ if env is None else env
        app_env = env.get("APP_ENV", "development")
        if app_env not in {"development", "test", "production"}:
            raise ConfigError("APP_ENV must be development, test or production")
        token = env.get("INTERNAL_TOKEN", "")
        if require_token and (len(token) < 16 or token.lower() in PLACEHOLDER_SECRETS):
            raise ConfigError("INTERNAL_TOKEN must be set to a random secret of at least 16 characters")
        synchronous = env.get("SQLITE_SYNCHRONOUS", "FULL").upper()
        if synchronous not in {"FULL", "NORMAL", "EXTRA"}:
            raise ConfigError("SQLITE_SYNCHRONOUS must be FULL, EXTRA or NORMAL")
        if synchronous == "NORMAL" and app_env == "production":
            raise ConfigError("SQLITE_SYNCHRONOUS=NORMAL is refused when APP_ENV=production (a power loss can "
                              "lose acknowledged writes): use FULL or EXTRA")
        ports = {
            name: env_int(env, f"{name.upper()}_SERVICE_PORT", default) for name, default in DEFAULT_PORTS.items()
        }
        addresses = {
            name: env.get(f"{name.upper()}_SERVICE_ADDR") or f"127.0.0.1:{ports[name]}" for name in DEFAULT_PORTS
        }
        return cls(
            app_env=app_env,
            data_dir=Path(env.get("WINZONE_DATA_DIR", "./var")),
            mongodb_uri=env.get("MONGODB_URI") or None,
            mongodb_db=env.get("MONGODB_DB") or database_in_uri(env.get("MONGODB_URI")) or "winzone",
            internal_token=token,
            sqlite_synchronous=synchronous,
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            addresses=addresses,
            ports=ports,
            bind_host=env.get("GRPC_BIND_HOST", "127.0.0.1"),
            metrics_ports={name: env_int(env, f"{name.upper()}_METRICS_PORT", 0) for name in DEFAULT_PORTS},
        )
