"""A hold that lands after its payout request was discarded.

``CreateHold`` answered UNAVAILABLE, yet the call was still queued at the wallet. Reconciliation withdraws
the request (no idempotency key to fetch it with) and voids its hold id: the wallet records a tombstone, so
the create that lands afterwards is refused and nothing is held without a payout. The record goes only once
the wallet confirmed the void: a wallet answering NOT_FOUND (no tombstone) keeps it for the next run.
"""

from __future__ import annotations

import pytest

from tests.conftest import WalletHarness
from tests.support.ids import new_user
from tests.support.payout_rig import Rig
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import FailedPrecondition, NotFound, Unavailable


def test_a_create_that_lands_after_the_void_is_refused(rig: Rig, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    rig.scripted.script("hold", fail=Unavailable("answer lost; the call is still queued at the wallet"))
    with pytest.raises(Unavailable):
        rig.run(rig.create(user, 10_000))
    (unplaced,) = rig.store.needing_attention(utc_now(), 10)

    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.errors) == (1, 0)
    assert rig.store.get(unplaced.payout.id) is None

    with pytest.raises(FailedPrecondition) as late:
        rig.run(rig.scripted.inner.hold(unplaced.payout))
    assert late.value.code == "HOLD_VOIDED"
    assert wallet.balance(user).held == 0
    rig.assert_nothing_held_without_a_payout(user)


def test_a_void_answered_not_found_keeps_the_record_until_the_wallet_confirms(
        rig: Rig, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    rig.scripted.script("hold", fail=Unavailable("answer lost"))
    with pytest.raises(Unavailable):
        rig.run(rig.create(user, 10_000))
    (unplaced,) = rig.store.needing_attention(utc_now(), 10)
    rig.scripted.script("void", fail=NotFound("no such hold", code="HOLD_NOT_FOUND"))

    first = rig.run(rig.service.reconcile())
    assert first.errors == 1
    assert rig.store.get(unplaced.payout.id) is not None

    second = rig.run(rig.service.reconcile())
    assert (second.examined, second.errors) == (1, 0)
    assert rig.store.get(unplaced.payout.id) is None
    with pytest.raises(FailedPrecondition):
        rig.run(rig.scripted.inner.hold(unplaced.payout))
    assert wallet.balance(user).held == 0
    rig.assert_nothing_held_without_a_payout(user)
