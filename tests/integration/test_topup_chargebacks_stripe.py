"""Issue 10 path 6 with PAYMENT_PROVIDER=stripe: the real ``stripe`` SDK against the local stand-in, webhooks
with real Stripe signatures. A top-up's charge is found by the ``payment_intent`` of its paid checkout; a
partial then a full refund and a lost dispute are taken back exactly once, and the cross-service audit (which
pages through Stripe's charges, disputes and balance transactions) agrees with the wallet."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from payment_gateway.adapters import signatures
from tests.conftest import WalletHarness
from tests.support.payments import PaymentsHarness
from tests.support.stripe_standin import API_KEY, WEBHOOK_SECRET, StripeAccount, StripeStandIn, running_standin
from winzone_kernel.config import CommonSettings
from winzone_ops.admin import migrate_all
from winzone_ops.cross_audit import CrossAudit, stripe_provider
from winzone_ops.provider_readers import stripe_client_from_env


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[StripeStandIn, StripeAccount]]:
    for standin in running_standin(monkeypatch):
        books = StripeAccount()
        standin.respond_with(books)
        yield standin, books


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness,
             account: tuple[StripeStandIn, StripeAccount]) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet, env={
        "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": API_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STRIPE_API_BASE": account[0].url,
    })
    yield harness
    harness.close()


def _deliver(payments: PaymentsHarness, event_type: str, obj: dict[str, Any], event_id: str | None = None) -> str:
    body = json.dumps({"id": event_id or f"evt_{uuid.uuid4().hex}", "object": "event", "api_version": "2024-06-20",
                       "created": int(time.time()), "livemode": False, "type": event_type,
                       "data": {"object": obj}}).encode()
    return payments.webhook(body, {"Stripe-Signature": signatures.sign_header(body, WEBHOOK_SECRET)}).outcome


def _paid_top_up(payments: PaymentsHarness, books: StripeAccount, user: str, amount: int) -> str:
    session = payments.create(user, amount)
    books.pay(session.provider_ref)
    assert _deliver(payments, "checkout.session.completed", books.sessions[session.provider_ref]) == "applied"
    assert payments.session(session.id).payment_intent == books.sessions[session.provider_ref]["payment_intent"]
    return session.provider_ref


def _audit_clean(tmp_path: Path, standin: StripeStandIn, wallet: WalletHarness) -> None:
    wallet.assert_audit_ok()
    client = stripe_client_from_env({"STRIPE_SECRET_KEY": API_KEY, "STRIPE_API_BASE": standin.url})
    common = CommonSettings.from_env({"WINZONE_DATA_DIR": str(tmp_path)}, require_token=False)
    migrate_all(common)
    report = CrossAudit(common, stripe_provider(client, page_size=2)).run()
    assert report.ok, [str(d) for d in report.discrepancies]


def test_stripe_refunds_are_recovered_once_each(tmp_path: Path, wallet: WalletHarness, payments: PaymentsHarness,
                                                account: tuple[StripeStandIn, StripeAccount]) -> None:
    standin, books = account
    user = f"usr_{uuid.uuid4().hex[:12]}"
    ref = _paid_top_up(payments, books, user, 100_000)
    partly = books.refund(ref, 30_000)
    assert _deliver(payments, "charge.refunded", partly) == "applied"
    fully = books.refund(ref, 70_000)
    for obj in (fully, partly, fully):
        assert _deliver(payments, "charge.refunded", obj) == "applied"
    left = wallet.balance(user)
    assert (left.balance, left.receivable, left.restricted) == (0, 0, False)
    _audit_clean(tmp_path, standin, wallet)


def test_a_lost_stripe_dispute_is_captured_and_the_rest_owed(
        tmp_path: Path, wallet: WalletHarness, payments: PaymentsHarness,
        account: tuple[StripeStandIn, StripeAccount]) -> None:
    standin, books = account
    user = f"usr_{uuid.uuid4().hex[:12]}"
    ref = _paid_top_up(payments, books, user, 100_000)
    opened = books.dispute(ref, 100_000)
    assert _deliver(payments, "charge.dispute.created", opened) == "applied"
    assert wallet.balance(user).held == 100_000
    _audit_clean(tmp_path, standin, wallet)
    closed = books.close_dispute(opened["id"], "lost")
    assert _deliver(payments, "charge.dispute.closed", closed) == "applied"
    assert _deliver(payments, "charge.dispute.closed", closed) == "applied"
    after = wallet.balance(user)
    assert (after.balance, after.held, after.receivable, after.restricted) == (0, 0, 0, False)
    _audit_clean(tmp_path, standin, wallet)
