"""`winzone webhook`: send a correctly signed mock-provider webhook to the gateway, for trying things by hand.

The event's amount and currency come from the stored session (found by our session id or its
``mock_session_...`` ref in the payments store that ``WINZONE_DATA_DIR`` / ``MONGODB_URI`` name, read
only), unless ``--amount`` / ``--currency`` are given (major units, e.g. to try a mismatch). It is signed
in ``x-webhook-signature`` with ``MOCK_WEBHOOK_SECRET``, else the one `winzone up` generated for the data folder
(``winzone_kernel.dev_secrets``); there is no default key.

The ``charge.*`` types act as the card holder's bank would: the mock provider first records the refund
(``--amount``, default what is left) or the dispute (opened for ``--amount``, default all; closed
``--dispute-status`` won or lost) of the paid session's charge in the payments store, then sends the event.
``transfer.reversed`` likewise has the mock record the reversal of a paid payout (``--payout``; ``--amount`` more,
default what is left) before the event says so.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import httpx

from payment_gateway.adapters.mock_events import (
    SESSION_PREFIX,
    build_signed_event,
    charge_object,
    checkout_session_object,
    dispute_object,
    transfer_object,
)
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.domain.events import CHARGE_EVENT_TYPES, CHARGE_REFUNDED, CHECKOUT_EVENT_TYPES, DISPUTE_CREATED
from payment_gateway.domain.model import TopUpSession
from winzone_kernel.config import CommonSettings, ConfigError
from winzone_kernel.dev_secrets import dev_secret
from winzone_kernel.errors import InvalidArgument, WinzoneError
from winzone_kernel.money import currency_of, to_minor

TRANSFER_REVERSED = "transfer.reversed"
EVENT_TYPES = tuple(sorted(CHECKOUT_EVENT_TYPES | CHARGE_EVENT_TYPES | {TRANSFER_REVERSED}))
DEFAULT_URL = "http://localhost:5000"
WEBHOOK_PATH = "/api/payments/webhook"
_LOOKUP_TOKEN = "lookup-only-token-not-used-for-calls"


@dataclass(frozen=True, slots=True)
class WebhookReply:
    """The gateway's answer to the webhook."""

    status: int
    body: str


def mock_webhook_secret(env: Mapping[str, str]) -> str:
    """``MOCK_WEBHOOK_SECRET``, else the data folder's generated one; ``ConfigError`` when there is neither."""
    secret = dev_secret(env, "MOCK_WEBHOOK_SECRET")
    if not secret:
        raise ConfigError("no mock webhook key: set MOCK_WEBHOOK_SECRET, or point WINZONE_DATA_DIR at the data "
                          "folder of a stack `winzone up` started")
    return secret


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
    session: str | None,
    *,
    url: str = DEFAULT_URL,
    amount: str | None = None,
    currency: str | None = None,
    payment_status: str | None = None,
    event_id: str | None = None,
    env: Mapping[str, str] | None = None,
    dispute_status: str = "lost",
    payout: str | None = None,
) -> WebhookReply:
    """Build, sign and POST one ``checkout.session.*``, ``charge.*`` or ``transfer.reversed`` event (the last
    names ``payout``, the others ``session``); raises ``ConfigError`` for unusable input."""
    env = os.environ if env is None else env
    if event_type not in EVENT_TYPES:
        raise ConfigError(f"--type must be one of {', '.join(EVENT_TYPES)}")
    if event_type == TRANSFER_REVERSED:
        if not payout:
            raise ConfigError("--type transfer.reversed needs --payout")
        obj = record_payout_reversal(payout, env, amount=amount)
        return _post(url, build_signed_event(event_type, obj, secret=mock_webhook_secret(env), event_id=event_id))
    if not session:
        raise ConfigError(f"--type {event_type} needs --session")
    if event_type in CHARGE_EVENT_TYPES:
        obj = record_charge_event(event_type, session, env, amount=amount, dispute_status=dispute_status)
        return _post(url, build_signed_event(event_type, obj, secret=mock_webhook_secret(env), event_id=event_id))
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
    if paid and stored is not None and amount is None and payment_status in (None, "paid"):
        record_payment(stored.id, env)
    obj = checkout_session_object(
        provider_ref, client_reference_id=ours, amount_minor=minor, currency=code,
        payment_status=payment_status or ("paid" if paid else "unpaid"),
        status="expired" if event_type == "checkout.session.expired" else "complete",
    )
    secret = mock_webhook_secret(env)
    return _post(url, build_signed_event(event_type, obj, secret=secret, event_id=event_id))


def record_payment(session: str, env: Mapping[str, str]) -> None:
    """Pay a stored mock session at the mock, as its page would, before the event that reports it is sent: the
    provider's books (which the cross-service audit reads) then hold the charge the event says was made. A
    session already paid stays paid; a closed one stays closed (the event then reports a payment the mock
    refused, which is what such a test wants to see handled)."""
    common = CommonSettings.from_env({**env, "INTERNAL_TOKEN": env.get("INTERNAL_TOKEN") or _LOOKUP_TOKEN})
    from payment_gateway.server import build_store

    store = build_store(common)
    try:
        stored = store.get_session(session)
        if stored is None or stored.provider != "mock" or not stored.provider_ref:
            return
        mock = MockProvider(store.mock_state(), gateway_base_url=DEFAULT_URL, webhook_secret=_LOOKUP_TOKEN)
        with contextlib.suppress(WinzoneError):
            mock.pay(stored.provider_ref)
    finally:
        store.close()


def record_charge_event(event_type: str, session: str, env: Mapping[str, str], *, amount: str | None = None,
                        dispute_status: str = "lost") -> dict[str, Any]:
    """Record the refund or dispute of a paid mock session's charge in the payments store, and return the
    ``charge`` or ``dispute`` object of the event that reports it."""
    common = CommonSettings.from_env({**env, "INTERNAL_TOKEN": env.get("INTERNAL_TOKEN") or _LOOKUP_TOKEN})
    if not common.mongodb_uri and not Path(common.sqlite_path("payments")).exists():
        raise ConfigError("no payments store in this data folder")
    from payment_gateway.server import build_store

    store = build_store(common)
    try:
        stored = store.get_session(session) or store.find_by_provider_ref("mock", session)
        if stored is None or stored.provider != "mock" or not stored.provider_ref:
            raise ConfigError(f"session {session} is no mock top-up in the payments store")
        try:
            minor = to_minor(Decimal(amount), stored.currency) if amount is not None else None
            mock = MockProvider(store.mock_state(), gateway_base_url=DEFAULT_URL, webhook_secret=_LOOKUP_TOKEN)
            if event_type == CHARGE_REFUNDED:
                return charge_object(mock.refund(stored.provider_ref, minor))
            if event_type == DISPUTE_CREATED:
                return dispute_object(mock.open_dispute(stored.provider_ref, minor))
            return dispute_object(mock.close_dispute(stored.provider_ref, dispute_status))
        except (InvalidOperation, WinzoneError) as exc:
            raise ConfigError(f"cannot {event_type} session {session}: {exc}") from exc
    finally:
        store.close()


def record_payout_reversal(payout: str, env: Mapping[str, str], *, amount: str | None = None) -> dict[str, Any]:
    """Record at the mock the reversal of ``amount`` more (major units; default all that is left) of a paid mock
    payout in the payments store, and return the ``transfer`` object of the ``transfer.reversed`` event."""
    common = CommonSettings.from_env({**env, "INTERNAL_TOKEN": env.get("INTERNAL_TOKEN") or _LOOKUP_TOKEN})
    if not common.mongodb_uri and not Path(common.sqlite_path("payments")).exists():
        raise ConfigError("no payments store in this data folder")
    from payment_gateway.server import build_store

    store = build_store(common)
    try:
        mock = MockProvider(store.mock_state(), gateway_base_url=DEFAULT_URL, webhook_secret=_LOOKUP_TOKEN)
        try:
            found = mock.get_payout(payout)
            if found is None or not found.currency:
                raise ConfigError(f"payout {payout} is no mock payout in the payments store")
            minor = to_minor(Decimal(amount), found.currency) if amount is not None else None
            return transfer_object(payout, mock.reverse_payout(payout, minor))
        except (InvalidOperation, WinzoneError) as exc:
            raise ConfigError(f"cannot reverse payout {payout}: {exc}") from exc
    finally:
        store.close()


def _post(url: str, signed: tuple[bytes, dict[str, str]]) -> WebhookReply:
    body, headers = signed
    target = url.rstrip("/") + WEBHOOK_PATH
    try:
        reply = httpx.post(target, content=body, headers={**headers, "Content-Type": "application/json"},
                           timeout=30.0)
    except httpx.TransportError as exc:
        return WebhookReply(0, f"could not reach {target}: {type(exc).__name__}")
    return WebhookReply(reply.status_code, reply.text)
