"""A payout the provider refuses for a reason that can clear later (Stripe's ``balance_insufficient``).

The provider keeps no record of a refused transfer, so once the hold is released nothing but our own record
says the payout was refused. That record must be written before the hold is undone: if the write after the
void is lost, reconciliation would find no transfer, send the payout again, and (the platform balance topped
up meanwhile) pay money the user already has back.
"""

from __future__ import annotations

from payout_service.domain.model import PayoutStatus
from tests.conftest import WalletHarness
from tests.support.ids import new_user
from tests.support.payout_provider_double import DECLINE_UNRECORDED, ProviderDoubleServer
from tests.support.payout_rig import Rig
from winzone.wallet.v1 import wallet_pb2


def _payout_holds(wallet: WalletHarness, user: str) -> list[wallet_pb2.Transaction]:
    return list(wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(
        user_id=user, type="payout", limit=100)).transactions)


def test_a_refusal_whose_failed_write_is_lost_is_never_sent_again(
        rig: Rig, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, DECLINE_UNRECORDED)
    rig.store.lose_next_save(lambda r: r.payout.id == payout.id and r.payout.status is PayoutStatus.FAILED)

    answered = rig.run(rig.service.approve(payout.id, "usr_admin_1", None))
    assert answered.status is not PayoutStatus.PAID

    for _ in range(2):
        report = rig.run(rig.service.reconcile())
        assert report.errors == 0, report
    settled = rig.run(rig.service.get(payout.id))
    assert settled.status is PayoutStatus.FAILED
    assert settled.failure_reason == "balance_insufficient"
    assert provider_server.double.send_calls(payout.id) == 1
    assert provider_server.double.payouts_made() == 0
    assert [h.status for h in _payout_holds(wallet, user)] == ["failed"]
    balance = wallet.balance(user)
    assert (balance.balance, balance.held) == (50_000, 0)
    assert rig.store.needing_attention(settled.updated_at, 10) == []
    rig.assert_nothing_held_without_a_payout(user)


def test_a_refusal_recorded_but_not_yet_released_is_finished_without_a_resend(
        rig: Rig, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> None:
    """The void itself cannot reach the wallet: the refusal is on record, so reconciliation only voids."""
    from winzone_kernel.errors import Unavailable

    user = new_user()
    wallet.fund(user, 50_000)
    payout, _ = rig.run(rig.create(user, 20_000))
    provider_server.double.behave(payout.id, DECLINE_UNRECORDED)
    rig.scripted.script("void", fail=Unavailable("wallet down for a moment"))
    rig.run(rig.service.approve(payout.id, "usr_admin_1", None))
    assert wallet.balance(user).held == 20_000

    report = rig.run(rig.service.reconcile())
    assert (report.examined, report.settled, report.errors) == (1, 1, 0)
    assert rig.run(rig.service.get(payout.id)).status is PayoutStatus.FAILED
    assert provider_server.double.send_calls(payout.id) == 1
    assert (wallet.balance(user).balance, wallet.balance(user).held) == (50_000, 0)
    rig.assert_nothing_held_without_a_payout(user)
