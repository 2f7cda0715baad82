"""Concurrent admins and players against one payout service: exactly one winner, money moves once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_user
from tests.support.payout_provider_double import ProviderDoubleServer
from tests.support.payouts import PayoutHarness
from winzone.payouts.v1 import payouts_pb2 as pb
from winzone.wallet.v1 import wallet_pb2


@pytest.fixture
def payouts(tmp_path: Path, wallet: WalletHarness, provider_server: ProviderDoubleServer) -> Iterator[PayoutHarness]:
    harness = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, provider_server.address)
    yield harness
    harness.close()


def _together(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls at the same instant on their own threads; each result is a value or the RpcError."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        barrier.wait()
        try:
            return call()
        except grpc.RpcError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _refused_as_wrong_state(result: object) -> bool:
    return (isinstance(result, grpc.RpcError) and result.code() == grpc.StatusCode.FAILED_PRECONDITION
            and error_code(result) == "INVALID_PAYOUT_STATE")


def test_five_parallel_approvals_call_the_provider_once(payouts: PayoutHarness, wallet: WalletHarness,
                                                        provider_server: ProviderDoubleServer) -> None:
    user = new_user()
    wallet.fund(user, 100_000)
    payout = payouts.request(user, 50_000)
    results = _together([lambda i=i: payouts.approve(payout.id, admin=f"usr_admin_{i}") for i in range(5)])
    winners = [r for r in results if isinstance(r, pb.PayoutRequest)]
    assert len(winners) == 1 and winners[0].status == "paid"
    assert sum(_refused_as_wrong_state(r) for r in results) == 4
    assert provider_server.double.send_calls() == 1
    stored = payouts.get(payout.id)
    assert [h.status for h in stored.history] == ["requested", "approved", "paid"]
    assert wallet.balance(user).balance == 50_000
    payouts.assert_books_match(user)


def test_approve_racing_reject_has_exactly_one_outcome(payouts: PayoutHarness, wallet: WalletHarness,
                                                       provider_server: ProviderDoubleServer) -> None:
    user = new_user()
    wallet.fund(user, 1_000_000)
    outcomes: Counter[str] = Counter()
    for _ in range(8):
        payout = payouts.request(user, 10_000)
        approve, reject = _together([
            lambda pid=payout.id: payouts.approve(pid, admin="usr_admin_a"),
            lambda pid=payout.id: payouts.reject(pid, "Duplicate request", admin="usr_admin_b"),
        ])
        won = [r for r in (approve, reject) if isinstance(r, pb.PayoutRequest)]
        assert len(won) == 1, (approve, reject)
        assert sum(_refused_as_wrong_state(r) for r in (approve, reject)) == 1
        final = payouts.get(payout.id)
        assert final.status == won[0].status and final.status in ("paid", "rejected")
        assert [h.status for h in final.history][1:] in (["approved", "paid"], ["rejected"])
        assert provider_server.double.send_calls(payout.id) == (1 if final.status == "paid" else 0)
        outcomes[final.status] += 1
    assert wallet.balance(user).balance == 1_000_000 - 10_000 * outcomes["paid"]
    payouts.assert_books_match(user)


def test_ten_parallel_requests_against_five_requests_worth_of_funds(payouts: PayoutHarness,
                                                                    wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    results = _together([lambda: payouts.request(user, 10_000) for _ in range(10)])
    accepted = [r for r in results if isinstance(r, pb.PayoutRequest)]
    refused = [r for r in results if isinstance(r, grpc.RpcError)]
    assert len(accepted) == 5 and len({p.id for p in accepted}) == 5
    assert all(r.code() == grpc.StatusCode.FAILED_PRECONDITION and error_code(r) == "INSUFFICIENT_FUNDS"
               for r in refused) and len(refused) == 5
    balance = wallet.balance(user)
    assert (balance.balance, balance.held, balance.available) == (50_000, 50_000, 0)
    assert payouts.stub.ListPayoutRequests(pb.ListPayoutRequestsRequest(user_id=user)).total == 5
    report = payouts.reconcile()
    assert (report.examined, report.settled, report.errors) == (5, 5, 0)
    assert payouts.reconcile().examined == 0
    assert wallet.balance(user).held == 50_000
    payouts.assert_books_match(user)


def test_parallel_requests_under_one_key_create_one_payout(payouts: PayoutHarness, wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 50_000)
    results = _together([lambda: payouts.request(user, 20_000, key="same-key") for _ in range(8)])
    assert all(isinstance(r, pb.PayoutRequest) for r in results), results
    assert len({r.id for r in results if isinstance(r, pb.PayoutRequest)}) == 1
    assert wallet.balance(user).held == 20_000
    payouts.assert_books_match(user)


def test_parallel_reversals_of_a_paid_payout_refund_once(payouts: PayoutHarness, wallet: WalletHarness) -> None:
    """A provider (or its webhook retries) reports the reversal of a paid payout several times at once."""
    user = new_user()
    wallet.fund(user, 100_000)
    payout = payouts.request(user, 40_000)
    assert payouts.approve(payout.id).status == "paid"
    results = _together([lambda: payouts.provider_result(payout.id, "failed", reason="Reversed") for _ in range(6)])
    assert all(isinstance(r, pb.RecordProviderResultResponse) for r in results), results
    assert sum(r.changed for r in results if isinstance(r, pb.RecordProviderResultResponse)) == 1
    final = payouts.get(payout.id)
    assert (final.status, [h.status for h in final.history][-2:]) == ("failed", ["paid", "failed"])
    refunds = wallet.stub.ListTransactions(wallet_pb2.ListTransactionsRequest(user_id=user, type="refund"))
    assert refunds.total == 1 and refunds.transactions[0].id == final.refund_transaction_id
    assert (wallet.balance(user).balance, wallet.balance(user).held) == (100_000, 0)
    payouts.assert_books_match(user)
