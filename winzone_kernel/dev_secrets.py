"""Development secrets kept per data folder: ``$WINZONE_DATA_DIR/dev-secrets.json`` (0600, folder 0700).

`winzone up` creates the file once (``ensure_dev_secrets``) and passes its values to the services in their
environment; operator commands run beside the same data folder read it (``dev_secret``). Nothing is ever
read from it when ``APP_ENV=production``: there every secret comes from the environment or the process
refuses to start. No value is a published constant.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from winzone_kernel.config import ConfigError
from winzone_kernel.files import ensure_private_dir, write_private_json

DEV_SECRETS_FILE = "dev-secrets.json"


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def new_aes_key() -> str:
    """A random 256-bit key as unpadded URL-safe base64 (the form ``PAYOUT_METHOD_KEY`` takes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


GENERATED: Mapping[str, Callable[[], str]] = {
    "MOCK_WEBHOOK_SECRET": new_webhook_secret,
    "PAYOUT_METHOD_KEY": new_aes_key,
    "KYC_PAN_KEY": new_aes_key,
}
"""The secrets a development data folder keeps, and how each is made."""


def secrets_path(data_dir: Path | str) -> Path:
    return Path(data_dir) / DEV_SECRETS_FILE


def read_dev_secrets(data_dir: Path | str) -> dict[str, str]:
    """The data folder's development secrets; empty when it has none."""
    path = secrets_path(data_dir)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} is not readable JSON: {exc}") from exc
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ConfigError(f"{path} must hold a JSON object of strings")
    return dict(data)


def ensure_dev_secrets(data_dir: Path | str) -> dict[str, str]:
    """The data folder's development secrets, generating (once, kept) any of ``GENERATED`` it lacks."""
    ensure_private_dir(data_dir)
    kept = read_dev_secrets(data_dir)
    missing = {name: make() for name, make in GENERATED.items() if not kept.get(name)}
    if missing:
        kept.update(missing)
        write_private_json(secrets_path(data_dir), kept)
    return kept


def dev_secret(env: Mapping[str, str], name: str) -> str | None:
    """``name`` from ``env``, else (outside production) from the development secrets of the data folder
    ``WINZONE_DATA_DIR`` names; ``None`` when neither has it."""
    value = env.get(name)
    if value:
        return value
    if env.get("APP_ENV", "development") == "production":
        return None
    return read_dev_secrets(Path(env.get("WINZONE_DATA_DIR", "./var"))).get(name) or None
