"""The wallet's funds over real gRPC: Wallet.funds / held_funds / withdrawable, Transaction.funds / fund and the
Hold's funds, tds and net_amount, as the servicer converts them."""

from __future__ import annotations

from tests.conftest import WalletHarness
from wallet_service.domain.tax import financial_year_of
from winzone.wallet.v1 import wallet_pb2 as pb


def test_wallets_transactions_and_holds_carry_their_funds(wallet: WalletHarness) -> None:
    wallet.fund("fan", 300)
    reward = wallet.stub.Credit(pb.CreditRequest(idempotency_key="fan-reward", user_id="fan", amount=500,
                                                 type="reward", counter_account="clearing:test"))
    leg = reward.transactions[0]
    assert (leg.fund, leg.funds) == ("winnings", pb.Funds(winnings=500))
    assert not reward.transactions[1].HasField("funds") and reward.transactions[1].fund == ""
    assert reward.wallets[0].funds == pb.Funds(deposit=300, winnings=500)
    held = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="fan-hold", hold_id="payout-fan",
                                                       user_id="fan", amount=600, type="payout"))
    assert (held.hold.funds, held.hold.tds, held.hold.net_amount, held.hold.net_winnings) == (
        pb.Funds(deposit=100, winnings=500), 0, 600, 0)
    assert held.hold.financial_year == financial_year_of(held.hold.created_at).label
    assert (held.transaction.funds, held.transaction.fund) == (pb.Funds(deposit=-100, winnings=-500), "")
    view = wallet.balance("fan")
    assert (view.balance, view.held, view.available, view.withdrawable) == (800, 600, 200, 200)
    assert (view.funds, view.held_funds) == (pb.Funds(deposit=300, winnings=500), pb.Funds(deposit=100, winnings=500))
    captured = wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="fan-capture", hold_id="payout-fan",
                                                             counter_account="clearing:test"))
    assert captured.wallet.funds == pb.Funds(deposit=200)
    assert captured.wallet.held_funds == pb.Funds()
    listed = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="fan"))
    assert [(t.type, t.amount, t.fund) for t in listed.transactions] == [
        ("payout", -600, ""), ("reward", 500, "winnings"), ("topup", 300, "deposit")]
    wallet.assert_audit_ok()
