"""Issue 10's cross-service audit over the real stores: clean books pass; an orphan hold, a payout paid twice
and a partial reversal refunded in full are each reported with their ids and amounts, by the `CrossAudit`
step and by `winzone audit` (exit 1, `--json`). Stripe's side is read with the real SDK from the stand-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.backends import BACKENDS, store_env
from tests.support.books import Books
from tests.support.secrets import TEST_PAYOUT_METHOD_KEY
from tests.support.stripe_standin import API_KEY, StripeAccount, StripeStandIn, running_standin
from winzone_ops.cross_audit import CrossAudit, mock_provider, stripe_provider
from winzone_ops.cross_facts import CrossAuditReport
from winzone_ops.provider_readers import stripe_client_from_env


@pytest.fixture(params=BACKENDS)
def books(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Books]:
    """The same books on SQLite and on the session's real MongoDB."""
    with store_env(request.param) as env:
        opened = Books(tmp_path, env)
        yield opened
        opened.close()


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    yield from running_standin(monkeypatch)


def _clean_world(books: Books) -> None:
    books.top_up("tps_audit1", "usr_a", 100_000)
    paid = books.request_payout("payout_paid1", "usr_a", 30_000)
    books.provider_pays("payout_paid1", 30_000)
    books.capture(paid)
    books.request_payout("payout_waiting1", "usr_a", 20_000, approve=False)


def _kinds(report: CrossAuditReport) -> list[str]:
    return sorted(d.kind for d in report.discrepancies)


def test_consistent_books_pass_the_cross_audit(books: Books) -> None:
    _clean_world(books)
    report = CrossAudit(books.common, mock_provider).run()
    assert report.ok, [str(d) for d in report.discrepancies]
    assert report.checked["holds"] == 2 and report.checked["payouts"] == 2
    assert report.checked["sessions"] == 1 and report.checked["provider_charges"] == 1


def test_an_orphan_hold_is_reported_by_the_audit_and_the_command(books: Books, tmp_path: Path) -> None:
    _clean_world(books)
    books.hold("payout_ghost", "usr_a", 7_500)
    report = CrossAudit(books.common, mock_provider).run()
    assert _kinds(report) == ["orphan_hold"], [str(d) for d in report.discrepancies]
    orphan = report.discrepancies[0]
    assert orphan.ids["hold"] == "payout_ghost" and orphan.ids["user"] == "usr_a"
    assert orphan.amounts == {"held": 7_500}
    books.close()
    env = {"WINZONE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "PAYOUT_METHOD_KEY": os.environ.get("PAYOUT_METHOD_KEY", TEST_PAYOUT_METHOD_KEY),
           **{k: v for k, v in books.common_env.items() if k.startswith("MONGODB_")}}
    cli = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert cli.returncode == 1, cli.stdout + cli.stderr
    assert "DISCREPANCY: orphan_hold hold=payout_ghost user=usr_a currency=INR held=7500" in cli.stdout
    assert "1 discrepancies across services" in cli.stdout
    as_json = subprocess.run([sys.executable, "-m", "winzone_ops.cli", "audit", "--json"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 1, as_json.stdout + as_json.stderr
    document = json.loads(as_json.stdout)
    assert document["ok"] is False and document["wallet"]["ok"] is True and document["stuck"] == []
    assert document["cross"]["discrepancies"] == [{
        "kind": "orphan_hold", "ids": {"hold": "payout_ghost", "user": "usr_a", "currency": "INR"},
        "amounts": {"held": 7_500}, "detail": "an open hold no payout accounts for"}]


def test_a_payout_paid_by_the_provider_after_its_hold_was_released_is_paid_twice(books: Books) -> None:
    """Issue 10 path 1: the hold was voided, the payout left approved, the provider paid it after all."""
    _clean_world(books)
    books.request_payout("payout_twice", "usr_a", 25_000)
    books.void("payout_twice")
    books.provider_pays("payout_twice", 25_000)
    report = CrossAudit(books.common, mock_provider).run()
    by_kind = {d.kind: d for d in report.discrepancies}
    assert set(by_kind) == {"payout_hold_released", "payout_paid_twice", "clearing_mismatch"}, by_kind
    assert by_kind["payout_paid_twice"].ids["payout"] == "payout_twice"
    assert by_kind["payout_paid_twice"].amounts == {"sent": 25_000, "payout": 25_000}
    assert by_kind["clearing_mismatch"].amounts == {"ledger": -70_000, "provider": -45_000}


def _stripe_world(books: Books, account: StripeAccount) -> None:
    books.top_up("tps_stripe1", "usr_s", 100_000)
    account.add_paid_session("tps_stripe1", "usr_s", 100_000)
    paid = books.request_payout("payout_rev1", "usr_s", 50_000)
    account.add_transfer("payout_rev1", 50_000)
    books.capture(paid)
    for n in range(3):
        books.top_up(f"tps_stripe_more{n}", "usr_s", 10_000)
        account.add_paid_session(f"tps_stripe_more{n}", "usr_s", 10_000)


def test_stripe_books_are_paged_through_with_the_sdk_and_pass(tmp_path: Path, standin: StripeStandIn) -> None:
    account = StripeAccount()
    standin.respond_with(account)
    books = Books(tmp_path, provider="stripe")
    try:
        _stripe_world(books, account)
        client = stripe_client_from_env({"STRIPE_SECRET_KEY": API_KEY, "STRIPE_API_BASE": standin.url})
        report = CrossAudit(books.common, stripe_provider(client, page_size=2)).run()
        assert report.ok, [str(d) for d in report.discrepancies]
        assert report.checked["provider_charges"] == 4 and report.checked["provider_transfers"] == 1
        listed = [r for r in standin.seen if r.path == "/v1/checkout/sessions" and r.method == "GET"]
        assert len(listed) >= 2 and any("starting_after" in r.query for r in listed)
    finally:
        books.close()


def test_a_partial_reversal_refunded_in_full_is_reported(tmp_path: Path, standin: StripeStandIn) -> None:
    """Issue 10 path 2: Stripe took back 20 000 of a 50 000 transfer; the wallet refunded all 50 000."""
    account = StripeAccount()
    standin.respond_with(account)
    books = Books(tmp_path, provider="stripe")
    try:
        _stripe_world(books, account)
        account.reverse("payout_rev1", 20_000)
        record = books.payouts.get("payout_rev1")
        assert record is not None
        books.refund(record, 50_000)
        client = stripe_client_from_env({"STRIPE_SECRET_KEY": API_KEY, "STRIPE_API_BASE": standin.url})
        report = CrossAudit(books.common, stripe_provider(client, page_size=2)).run()
        by_kind = {d.kind: d for d in report.discrepancies}
        assert "reversal_refund_mismatch" in by_kind, [str(d) for d in report.discrepancies]
        mismatch = by_kind["reversal_refund_mismatch"]
        assert mismatch.ids["payout"] == "payout_rev1"
        assert mismatch.amounts == {"reversed": 20_000, "refunded": 50_000}
        assert by_kind["clearing_mismatch"].amounts == {"ledger": -130_000, "provider": -100_000}
    finally:
        books.close()
