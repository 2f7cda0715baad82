"""`winzone webhook`: what it signs and sends, and how it refuses input it cannot use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from payment_gateway.adapters import signatures
from payment_gateway.adapters.mock_events import MOCK_SIGNATURE_HEADER
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import TopUpSession, TopUpStatus
from winzone_kernel.clock import timestamp_now
from winzone_kernel.config import ConfigError
from winzone_kernel.dev_secrets import ensure_dev_secrets
from winzone_ops.webhook import send_mock_webhook


class Captured:
    def __init__(self) -> None:
        self.url = ""
        self.body = b""
        self.headers: dict[str, str] = {}


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Captured:
    seen = Captured()

    class Reply:
        status_code = 200
        text = '{"success":true}'

    def post(url: str, *, content: bytes, headers: dict[str, str], timeout: float) -> Reply:
        seen.url, seen.body, seen.headers = url, content, headers
        return Reply()

    monkeypatch.setattr("winzone_ops.webhook.httpx.post", post)
    return seen


def _env(tmp_path: Path) -> dict[str, str]:
    return {"WINZONE_DATA_DIR": str(tmp_path)}


def test_the_stored_session_supplies_amount_currency_and_refs(tmp_path: Path, captured: Captured) -> None:
    store = SqliteTopUpStore(tmp_path / "payments.sqlite3")
    store.migrate()
    now = timestamp_now()
    store.add_session(TopUpSession("tps_1", "usr_1", 100_000, "INR", "mock", TopUpStatus.CREATED, now, now))
    store.attach_checkout("tps_1", "mock_session_1", "http://gw/checkout/mock/mock_session_1", now)
    store.close()

    generated = ensure_dev_secrets(tmp_path)["MOCK_WEBHOOK_SECRET"]
    reply = send_mock_webhook("checkout.session.completed", "mock_session_1", url="http://gw.test/",
                              env=_env(tmp_path))
    assert reply.status == 200
    assert captured.url == "http://gw.test/api/payments/webhook"
    signatures.verify_header(captured.body, captured.headers[MOCK_SIGNATURE_HEADER], generated)
    event = json.loads(captured.body)
    assert event["type"] == "checkout.session.completed"
    assert {k: event["data"]["object"][k] for k in ("id", "client_reference_id", "amount_total", "currency",
                                                    "payment_status")} == {
        "id": "mock_session_1", "client_reference_id": "tps_1", "amount_total": 100_000, "currency": "inr",
        "payment_status": "paid"}


def test_options_override_and_the_secret_comes_from_the_environment(tmp_path: Path, captured: Captured) -> None:
    env = {**_env(tmp_path), "MOCK_WEBHOOK_SECRET": "whsec_from_env_0123456789"}
    send_mock_webhook("checkout.session.expired", "tps_unknown", amount="12.5", currency="usd", env=env,
                      event_id="evt_fixed")
    signatures.verify_header(captured.body, captured.headers[MOCK_SIGNATURE_HEADER], "whsec_from_env_0123456789")
    event = json.loads(captured.body)
    assert event["id"] == "evt_fixed"
    assert (event["data"]["object"]["amount_total"], event["data"]["object"]["currency"]) == (1250, "usd")
    assert (event["data"]["object"]["status"], event["data"]["object"]["payment_status"]) == ("expired", "unpaid")


@pytest.mark.parametrize(("event_type", "options"), [
    ("checkout.session.completed", {}),
    ("charge.refunded", {"amount": "10", "currency": "INR"}),
    ("checkout.session.completed", {"amount": "10.001", "currency": "INR"}),
    ("checkout.session.completed", {"amount": "ten", "currency": "INR"}),
    ("checkout.session.completed", {"amount": "10", "currency": "EUR"}),
])
def test_unusable_input_is_a_config_error(tmp_path: Path, captured: Captured, event_type: str,
                                          options: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        send_mock_webhook(event_type, "tps_nowhere", env=_env(tmp_path), **options)
    assert captured.body == b""
    assert not (tmp_path / "payments.sqlite3").exists()


def test_without_a_key_nothing_is_signed_or_sent(tmp_path: Path, captured: Captured) -> None:
    with pytest.raises(ConfigError, match="MOCK_WEBHOOK_SECRET"):
        send_mock_webhook("checkout.session.expired", "tps_unknown", amount="1", currency="INR", env=_env(tmp_path))
    assert captured.body == b""


def test_charge_events_record_the_refund_or_dispute_at_the_mock_first(tmp_path: Path, captured: Captured) -> None:
    from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState

    store = SqliteTopUpStore(tmp_path / "payments.sqlite3")
    store.migrate()
    now = timestamp_now()
    store.add_session(TopUpSession("tps_c", "usr_1", 100_000, "INR", "mock", TopUpStatus.CREATED, now, now))
    store.attach_checkout("tps_c", "mock_session_c", "http://gw/checkout/mock/mock_session_c", now)
    store.mock_state().set(MockCheckout("mock_session_c", "tps_c", "usr_1", 100_000, "INR", MockSessionState.PAID,
                                        "ok", "no"), expected=None)
    store.close()
    env = {**_env(tmp_path), "MOCK_WEBHOOK_SECRET": "whsec_from_env_0123456789"}
    send_mock_webhook("charge.refunded", "tps_c", amount="250", env=env)
    refunded = json.loads(captured.body)["data"]["object"]
    assert (refunded["object"], refunded["amount_refunded"], refunded["payment_intent"]) == (
        "charge", 25_000, "mock_pi_c")
    send_mock_webhook("charge.dispute.created", "mock_session_c", env=env)
    opened = json.loads(captured.body)
    assert (opened["type"], opened["data"]["object"]["amount"]) == ("charge.dispute.created", 100_000)
    send_mock_webhook("charge.dispute.closed", "tps_c", env=env, dispute_status="won")
    closed = json.loads(captured.body)["data"]["object"]
    assert (closed["id"], closed["status"]) == (opened["data"]["object"]["id"], "won")
    signatures.verify_header(captured.body, captured.headers[MOCK_SIGNATURE_HEADER], "whsec_from_env_0123456789")
    with pytest.raises(ConfigError):
        send_mock_webhook("charge.refunded", "tps_c", amount="900", env=env)


def test_transfer_reversed_records_the_reversal_at_the_mock_first(tmp_path: Path, captured: Captured) -> None:
    from payment_gateway.domain.provider import PayoutResult, PayoutStatus

    store = SqliteTopUpStore(tmp_path / "payments.sqlite3")
    store.migrate()
    store.mock_state().add_payout("pay_r", PayoutResult(PayoutStatus.PAID, "mock_payout_r", None, 30_000, "INR"))
    store.close()
    env = {**_env(tmp_path), "MOCK_WEBHOOK_SECRET": "whsec_from_env_0123456789"}
    with pytest.raises(ConfigError, match="--payout"):
        send_mock_webhook("transfer.reversed", None, env=env)
    send_mock_webhook("transfer.reversed", None, payout="pay_r", amount="100", env=env, event_id="evt_r1")
    part = json.loads(captured.body)
    assert (part["id"], part["type"]) == ("evt_r1", "transfer.reversed")
    assert {k: part["data"]["object"][k] for k in ("id", "amount", "amount_reversed", "reversed", "metadata")} == {
        "id": "mock_payout_r", "amount": 30_000, "amount_reversed": 10_000, "reversed": False,
        "metadata": {"payout_id": "pay_r"}}
    send_mock_webhook("transfer.reversed", None, payout="pay_r", env=env)
    full = json.loads(captured.body)["data"]["object"]
    assert (full["amount_reversed"], full["reversed"]) == (30_000, True)
    signatures.verify_header(captured.body, captured.headers[MOCK_SIGNATURE_HEADER], "whsec_from_env_0123456789")
    store = SqliteTopUpStore(tmp_path / "payments.sqlite3")
    try:
        recorded = store.mock_state().get_payout("pay_r")
        assert recorded is not None and (recorded.status, recorded.amount_reversed) == (PayoutStatus.FAILED, 30_000)
    finally:
        store.close()
    captured.body = b""
    with pytest.raises(ConfigError):
        send_mock_webhook("transfer.reversed", None, payout="pay_r", env=env)
    with pytest.raises(ConfigError):
        send_mock_webhook("transfer.reversed", None, payout="pay_unknown", env=env)
    assert captured.body == b""
