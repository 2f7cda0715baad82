"""Payout recovery under precise interleavings: the payout use cases over a real wallet, store and provider
double, with the wallet port wrapped so that a test can hold a call after the wallet answered, or fail it.

These are the races that no sequence of RPCs can produce on demand: a refusal and a retry under the same
idempotency key crossing each other, a hold the wallet refuses as a duplicate, an admin whose connection
drops while the provider is paying. Each test ends with the wallet's own books: audit ok, nothing held that
no payout accounts for.
"""

from __future__ import annotations

import time

import pytest

from payout_service.domain.model import PayoutStatus
from tests.conftest import WalletHarness
from tests.support.ids import new_user
from tests.support.payout_provider_double import SLOW, ProviderDoubleServer
from tests.support.payout_rig import WAIT, Rig
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, Unavailable


def test_a_refusal_crossing_a_retry_under_the_same_key_strands_no_hold(rig: Rig, wallet: WalletHarness) -> None:
    """The first call is refused (funds short); the funds arrive; a retry under the same idempotency key
    reaches the same unplaced record before the refusal withdrew it. The wallet remembers its refusal under
    the hold's key, so the retry is refused the same way: nothing is held for a payout that will not exist.
    The next retry meets a freed key and makes a new payout, whose hold has a key of its own."""
    user = new_user()
    wallet.fund(user, 5_000)
    refused = rig.scripted.script("hold", hold_answer=True)
    crossing = rig.scripted.script("hold", hold_answer=True)

    first = rig.submit(rig.create(user, 10_000, key="same-key"))
    assert refused.answered.wait(WAIT)
    wallet.fund(user, 20_000, key=f"late_{user}")
    retry = rig.submit(rig.create(user, 10_000, key="same-key"))
    assert crossing.answered.wait(WAIT)
    assert wallet.balance(user).held == 0
    refused.release.set()
    crossing.release.set()
    with pytest.raises(InsufficientFunds):
        first.result(WAIT)
    with pytest.raises(InsufficientFunds):
        retry.result(WAIT)

    report = rig.run(rig.service.reconcile())
    assert report.errors == 0
    assert wallet.balance(user).held == 0
    assert rig.store.list(user_id=user, status=None, page=1, limit=10).total == 0
    assert rig.store.needing_attention(utc_now(), 10) == []
    again, replayed = rig.run(rig.create(user, 10_000, key="same-key"))
    assert (again.status, replayed) == (PayoutStatus.REQUESTED, False)
    assert wallet.balance(user).held == 10_000
    rig.assert_nothing_held_without_a_payout(user)


def test_a_refused_request_is_withdrawn_and_its_key_can_be_used_again(rig: Rig, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 5_000)
    with pytest.raises(InsufficientFunds):
        rig.run(rig.create(user, 10_000, key="k1"))
    assert rig.store.find_by_key(user, "k1") is None
    wallet.fund(user, 20_000, key=f"more_{user}")
    payout, replayed = rig.run(rig.create(user, 10_000, key="k1"))
    assert not replayed and rig.store.find_by_key(user, "k1") is not None
    assert rig.run(rig.service.reconcile()).examined == 1
    assert rig.run(rig.service.get(payout.id)).status is PayoutStatus.REQUESTED
    assert wallet.balance(user).held == 10_000
    rig.assert_nothing_held_without_a_payout(user)


def test_a_hold_the_wallet_calls_a_duplicate_keeps_its_record(rig: Rig, wallet: WalletHarness) -> None:
    """A conflict on the hold says a hold under this payout id exists: the record must not be dropped."""
    user = new_user()
    wallet.fund(user, 50_000)
    rig.scripted.script("hold", fail=IdempotencyConflict("hold exists under another key"))
    with pytest.raises(Unavailable) as info:
        rig.run(rig.create(user, 10_000))
    assert info.value.code == "PAYOUT_HOLD_CONFLICT"
    page = rig.store.needing_attention(utc_now(), 10)
    assert len(page) == 1 and not page[0].hold_placed
    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    assert rig.store.get(page[0].payout.id) is None
    rig.assert_nothing_held_without_a_payout(user)


def test_an_approval_whose_caller_goes_away_still_settles(rig: Rig, wallet: WalletHarness,
                                                          provider_server: ProviderDoubleServer) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, SLOW)
    provider_server.double.slow_seconds = 0.6
    approving = rig.submit(rig.service.approve(payout.id, "usr_admin_1", None))
    deadline = time.monotonic() + WAIT
    while provider_server.double.send_calls(payout.id) == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    approving.cancel()
    while rig.store.get(payout.id).payout.status is PayoutStatus.APPROVED and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rig.store.get(payout.id).payout.status is PayoutStatus.PAID
    assert wallet.balance(user).balance == 30_000 and wallet.balance(user).held == 0
    assert provider_server.double.send_calls(payout.id) == 1
    rig.assert_nothing_held_without_a_payout(user)


@pytest.mark.parametrize(("provider_says", "step", "final"), [
    ("paid", "capture", "paid"), ("failed", "void", "failed"),
])
def test_a_wallet_step_that_fails_after_the_provider_answered_is_finished_by_reconciliation(
        rig: Rig, wallet: WalletHarness, provider_server: ProviderDoubleServer, provider_says: str, step: str,
        final: str) -> None:
    """The provider's answer is in but the wallet cannot capture or void right now: the payout must stay
    ``approved`` (never ``paid`` with its hold still open, nor ``failed`` with the money still held) until
    reconciliation finishes the wallet step, without asking the provider to pay again."""
    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, provider_says)
    rig.scripted.script(step, fail=Unavailable("wallet down for a moment"))
    answered = rig.run(rig.service.approve(payout.id, "usr_admin_1", None))
    assert answered.status is PayoutStatus.APPROVED
    assert wallet.balance(user).held == 20_000
    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    settled = rig.run(rig.service.get(payout.id))
    assert settled.status.value == final
    assert wallet.balance(user).held == 0
    assert wallet.balance(user).balance == (30_000 if final == "paid" else 50_000)
    assert provider_server.double.send_calls(payout.id) == 1
    rig.assert_nothing_held_without_a_payout(user)
