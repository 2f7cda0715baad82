"""`winzone webhook`: send a correctly signed mock-provider webhook to the gateway, for trying things by hand.

The event's amount and currency come from the stored session (found by our session id or its
``mock_session_...`` ref in the payments store that ``WINZONE_DATA_DIR`` / ``MONGODB_URI`` name, read
only), unless ``--amount`` / ``--currency`` are given (major units, e.g. to try a mismatch). It is signed
with ``MOCK_WEBHOOK_SECRET`` (the development default when unset) in ``x-webhook-signature``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import httpx

from payment_gateway.adapters.mock_provider import SESSION_PREFIX, build_signed_event, checkout_session_object
from payment_gateway.domain.events import CHECKOUT_EVENT_TYPES
from payment_gateway.domain.model import TopUpSession
from payment_gateway.settings import DEV_MOCK_WEBHOOK_SECRET
from winzone_kernel.config import CommonSettings, ConfigError
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import currency_of, to_minor

EVENT_TYPES = tuple(sorted(CHECKOUT_EVENT_TYPES))
DEFAULT_URL = "http://localhost:5000"
WEBHOOK_PATH = "/api/payments/webhook"
_LOOKUP_TOKEN = "lookup-only-token-not-used-for-calls"


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """The gateway's answer to the webhook."""

    status: int
    body: str


def find_session(session: str, env: Mapping[str, str]) -> TopUpSession | None:
    """The stored session with this id or mock ref, read from the payments store; ``None`` if absent."""
    common = CommonSettings.from_env({**env, "INTERNAL_TOKEN": env.get("INTERNAL_TOKEN") or _LOOKUP_TOKEN})
    if not common.mongodb_uri and not Path(common.sqlite_path("payments")).exists():
        return None
    from payment_gateway.server import build_store

    store = build_store(common)
    try:
        return store.get_session(session) or store.find_by_provider_ref("mock", session)
    finally:
        store.close()


def send_mock_webhook(
    event_type: str,
    session: str,
    *,
    url: str = DEFAULT_URL,
    amount: str | None = None,
    currency: str | None = None,
    payment_status: str | None = None,
    event_id: str | None = None,
    env: Mapping[str, str] | None = None,
) -> WebhookReply:
    """Build, sign and POST one ``checkout.session.*`` event; raises ``ConfigError`` for unusable input."""
    env = os.environ if env is None else env
    if event_type not in EVENT_TYPES:
        raise ConfigError(f"--type must be one of {', '.join(EVENT_TYPES)}")
    stored = find_session(session, env)
    code = currency or (stored.currency if stored else None)
    if code is None:
        raise ConfigError(f"session {session} is not in the payments store; pass --amount and --currency")
    try:
        code = currency_of(code.upper()).code
        minor = to_minor(Decimal(amount), code) if amount is not None else (stored.amount if stored else None)
    except (InvalidOperation, InvalidArgument) as exc:
        raise ConfigError(f"--amount/--currency are not a valid amount: {exc}") from exc
    if minor is None:
        raise ConfigError(f"session {session} is not in the payments store; pass --amount and --currency")
    provider_ref = stored.provider_ref if stored and stored.provider_ref else session
    ours = stored.id if stored else (None if session.startswith(SESSION_PREFIX) else session)
    paid = event_type in ("checkout.session.completed", "checkout.session.async_payment_succeeded")
    obj = checkout_session_object(
        provider_ref, client_reference_id=ours, amount_minor=minor, currency=code,
        payment_status=payment_status or ("paid" if paid else "unpaid"),
        status="expired" if event_type == "checkout.session.expired" else "complete",
    )
    secret = env.get("MOCK_WEBHOOK_SECRET") or DEV_MOCK_WEBHOOK_SECRET
    body, headers = build_signed_event(event_type, obj, secret=secret, event_id=event_id)
    target = url.rstrip("/") + WEBHOOK_PATH
    try:
        reply = httpx.post(target, content=body, headers={**headers, "Content-Type": "application/json"},
                           timeout=30.0)
    except httpx.TransportError as exc:
        return WebhookReply(0, f"could not reach {target}: {type(exc).__name__}")
    return WebhookReply(reply.status_code, reply.text)
