"""The wallet over real gRPC on a real port with a real SQLite file: rules, idempotency, concurrency, errors."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc


def test_parallel_debits_never_overdraw(wallet: WalletHarness) -> None:
    wallet.fund("racer", 100_000)

    def debit(i: int) -> bool:
        try:
            wallet.stub.Debit(pb.DebitRequest(idempotency_key=f"debit-{i}", user_id="racer", amount=1_000))
            return True
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert error_code(exc) == "INSUFFICIENT_FUNDS"
            return False

    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(debit, range(200)))
    assert results.count(True) == 100
    final = wallet.balance("racer")
    assert (final.balance, final.available) == (0, 0)
    listed = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="racer", type="debit", limit=100))
    assert listed.total == 100
    wallet.assert_audit_ok()


def test_same_key_in_parallel_applies_once(wallet: WalletHarness) -> None:
    request = pb.CreditRequest(idempotency_key="topup_same", user_id="dup", amount=50_000, type="topup")
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda _: wallet.stub.Credit(request), range(20)))
    assert len({r.entry_id for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert wallet.balance("dup").balance == 50_000
    assert wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="dup")).total == 1
    wallet.assert_audit_ok()


def test_different_request_under_used_key_is_already_exists_and_changes_nothing(wallet: WalletHarness) -> None:
    first = wallet.stub.Credit(pb.CreditRequest(idempotency_key="k-1", user_id="u1", amount=10_000))
    replay = wallet.stub.Credit(pb.CreditRequest(idempotency_key="k-1", user_id="u1", amount=10_000))
    assert replay.replayed and replay.entry_id == first.entry_id
    assert replay.transactions[0].id == first.transactions[0].id
    for changed in (
        pb.CreditRequest(idempotency_key="k-1", user_id="u1", amount=10_001),
        pb.CreditRequest(idempotency_key="k-1", user_id="u2", amount=10_000),
        pb.CreditRequest(idempotency_key="k-1", user_id="u1", amount=10_000, type="reward"),
    ):
        with pytest.raises(grpc.RpcError) as info:
            wallet.stub.Credit(changed)
        assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.Debit(pb.DebitRequest(idempotency_key="k-1", user_id="u1", amount=10_000))
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert wallet.balance("u1").balance == 10_000
    assert wallet.balance("u2").balance == 0
    wallet.assert_audit_ok()


def test_held_funds_cannot_be_debited_or_transferred(wallet: WalletHarness) -> None:
    wallet.fund("holder", 100_000)
    hold = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="h1", hold_id="payout_1", user_id="holder",
                                                       amount=70_000))
    assert (hold.wallet.balance, hold.wallet.held, hold.wallet.available) == (100_000, 70_000, 30_000)
    assert hold.transaction.status == "pending" and hold.transaction.amount == -70_000
    for call, request in (
        (wallet.stub.Debit, pb.DebitRequest(idempotency_key="d1", user_id="holder", amount=30_001)),
        (wallet.stub.Transfer, pb.TransferRequest(idempotency_key="t1", from_user_id="holder", to_user_id="x",
                                                  amount=30_001)),
        (wallet.stub.CreateHold, pb.CreateHoldRequest(idempotency_key="h2", user_id="holder", amount=30_001)),
        (wallet.stub.Post, pb.PostRequest(idempotency_key="p1", legs=[
            pb.Leg(account="user:holder", amount=-30_001, type="entryFee"),
            pb.Leg(account="pool:c1", amount=30_001, type="entryFee")])),
    ):
        with pytest.raises(grpc.RpcError) as info:
            call(request)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert wallet.balance("holder").available == 30_000
    wallet.stub.Debit(pb.DebitRequest(idempotency_key="d2", user_id="holder", amount=30_000))
    captured = wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="c1", hold_id="payout_1"))
    assert captured.transaction.status == "completed" and captured.transaction.balance_after == 0
    assert (captured.wallet.balance, captured.wallet.held) == (0, 0)
    again = wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="c1", hold_id="payout_1"))
    assert again.replayed and again.transaction.id == captured.transaction.id
    for late in (pb.CaptureHoldRequest(idempotency_key="c2", hold_id="payout_1"),):
        with pytest.raises(grpc.RpcError) as info:
            wallet.stub.CaptureHold(late)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.VoidHold(pb.VoidHoldRequest(idempotency_key="v1", hold_id="payout_1"))
    assert error_code(info.value) == "HOLD_NOT_OPEN"
    wallet.assert_audit_ok()


def test_void_returns_funds_and_marks_transaction_failed(wallet: WalletHarness) -> None:
    wallet.fund("voider", 50_000)
    hold = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="h", user_id="voider", amount=50_000))
    voided = wallet.stub.VoidHold(pb.VoidHoldRequest(idempotency_key="v", hold_id=hold.hold.id, reason="rejected"))
    assert voided.hold.status == "voided" and voided.transaction.status == "failed"
    assert (voided.wallet.balance, voided.wallet.held, voided.wallet.available) == (50_000, 0, 50_000)
    tx = wallet.stub.GetTransaction(pb.GetTransactionRequest(transaction_id=hold.transaction.id))
    assert tx.status == "failed" and not tx.HasField("balance_after")
    wallet.assert_audit_ok()


def test_multi_leg_post_is_atomic_and_balanced(wallet: WalletHarness) -> None:
    wallet.fund("p1", 10_000)
    wallet.fund("p2", 10_000)
    entry = wallet.stub.Post(pb.PostRequest(idempotency_key="fees", legs=[
        pb.Leg(account="user:p1", amount=-10_000, type="entryFee"),
        pb.Leg(account="user:p2", amount=-10_000, type="entryFee"),
        pb.Leg(account="pool:cup", amount=20_000, type="entryFee"),
    ]))
    assert [t.balance_after for t in entry.transactions] == [0, 0, 20_000]
    paid = wallet.stub.Post(pb.PostRequest(idempotency_key="dist", legs=[
        pb.Leg(account="pool:cup", amount=-20_000, type="reward"),
        pb.Leg(account="user:p1", amount=17_000, type="reward", idempotency_key="match_reward_m1_p1"),
        pb.Leg(account="platform_fees", amount=2_000, type="platformFee"),
        pb.Leg(account="user:org", amount=1_000, type="organizerFee"),
    ]))
    assert paid.transactions[1].idempotency_key == "match_reward_m1_p1"
    assert wallet.balance("p1").total_earnings == 17_000
    assert wallet.balance("org").total_earnings == 0
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.Post(pb.PostRequest(idempotency_key="overdraw-pool", legs=[
            pb.Leg(account="user:p2", amount=5, type="reward"),
            pb.Leg(account="pool:cup", amount=-5, type="reward"),
        ]))
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.Post(pb.PostRequest(idempotency_key="dup-leg-key", legs=[
            pb.Leg(account="clearing:test", amount=-5, type="reward"),
            pb.Leg(account="user:p2", amount=5, type="reward", idempotency_key="match_reward_m1_p1"),
        ]))
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert wallet.balance("p2").balance == 0
    wallet.assert_audit_ok()


BAD_REQUESTS = [
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=0)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=-100)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=2**62)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=100, currency="EUR")),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=100, currency="inr")),
    ("Credit", pb.CreditRequest(idempotency_key="", user_id="u", amount=100)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="", amount=100)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id='{"$ne": null}', amount=100)),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u\n", amount=100)),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="user:u", amount=-1, type="debit"),
                                                       pb.Leg(account="pool:c\n", amount=1, type="debit")])),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=100, type="payout")),
    ("Credit", pb.CreditRequest(idempotency_key="b", user_id="u", amount=100, counter_account="user:v")),
    ("Debit", pb.DebitRequest(idempotency_key="b", user_id="u", amount=0)),
    ("Debit", pb.DebitRequest(idempotency_key="b", user_id="u", amount=100, type="reward")),
    ("Transfer", pb.TransferRequest(idempotency_key="b", from_user_id="u", to_user_id="u", amount=100)),
    ("Transfer", pb.TransferRequest(idempotency_key="b", from_user_id="u", to_user_id="v", amount=-1)),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="user:u", amount=-1, type="debit")])),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="user:u", amount=-1, type="debit"),
                                                       pb.Leg(account="pool:c", amount=2, type="debit")])),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="bank:u", amount=-1, type="debit"),
                                                       pb.Leg(account="pool:c", amount=1, type="debit")])),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="user:u", amount=0, type="debit"),
                                                       pb.Leg(account="pool:c", amount=0, type="debit")])),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[pb.Leg(account="user:u", amount=-1, type="weird"),
                                                       pb.Leg(account="pool:c", amount=1, type="debit")])),
    ("Post", pb.PostRequest(idempotency_key="b", legs=[
        pb.Leg(account="user:u", amount=-1, type="debit", currency="INR"),
        pb.Leg(account="pool:c", amount=1, type="debit", currency="USD")])),
    ("CreateHold", pb.CreateHoldRequest(idempotency_key="b", user_id="u", amount=0)),
    ("CreateHold", pb.CreateHoldRequest(idempotency_key="b", user_id="u", amount=10, hold_id="bad id!")),
    ("CaptureHold", pb.CaptureHoldRequest(idempotency_key="b", hold_id="")),
    ("VoidHold", pb.VoidHoldRequest(idempotency_key="", hold_id="h")),
    ("ListTransactions", pb.ListTransactionsRequest(limit=1000)),
    ("ListTransactions", pb.ListTransactionsRequest(type="bogus")),
    ("GetWallet", pb.GetWalletRequest(user_id="")),
    ("GetWallet", pb.GetWalletRequest(user_id="u", currency="XYZ")),
]


@pytest.mark.parametrize(("method", "request_msg"), BAD_REQUESTS, ids=[f"{m}-{i}" for i, (m, _) in
                                                                         enumerate(BAD_REQUESTS)])
def test_bad_input_is_invalid_argument_and_changes_nothing(wallet: WalletHarness, method: str,
                                                           request_msg: object) -> None:
    wallet.fund("u", 1_000, key="seed")
    before = wallet.stub.Audit(pb.AuditRequest())
    with pytest.raises(grpc.RpcError) as info:
        getattr(wallet.stub, method)(request_msg)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT, info.value.details()
    after = wallet.stub.Audit(pb.AuditRequest())
    assert after.transactions_checked == before.transactions_checked
    assert wallet.balance("u").balance == 1_000
    wallet.assert_audit_ok()


def test_unknown_ids_are_not_found(wallet: WalletHarness) -> None:
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.GetTransaction(pb.GetTransactionRequest(transaction_id="txn_nope"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="c", hold_id="nope"))
    assert info.value.code() == grpc.StatusCode.NOT_FOUND


def test_calls_without_the_internal_token_are_unauthenticated(wallet: WalletHarness) -> None:
    with grpc.insecure_channel(wallet.server.address) as channel:
        stub = wallet_pb2_grpc.WalletServiceStub(channel)
        with pytest.raises(grpc.RpcError) as info:
            stub.Credit(pb.CreditRequest(idempotency_key="x", user_id="thief", amount=100), timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as info:
            stub.GetWallet(pb.GetWalletRequest(user_id="thief"), metadata=[("x-internal-token", "wrong" * 6)],
                           timeout=5)
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        health = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(
            service="winzone.wallet.v1.WalletService"), timeout=5)
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = list(reflection.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(
            list_services="")]), timeout=5))
        names = {s.name for s in replies[0].list_services_response.service}
        assert "winzone.wallet.v1.WalletService" in names
    assert wallet.balance("thief").balance == 0


def test_listing_filters_pages_and_totals(wallet: WalletHarness) -> None:
    for i in range(25):
        wallet.fund("lister", 100 + i, key=f"l{i}")
    wallet.stub.Credit(pb.CreditRequest(idempotency_key="usd", user_id="lister", amount=500, currency="USD",
                                        type="reward"))
    page1 = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="lister", limit=10))
    page3 = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="lister", limit=10, page=3))
    assert page1.total == 26 and len(page1.transactions) == 10 and len(page3.transactions) == 6
    assert page1.transactions[0].idempotency_key == "usd"
    stamps = [t.created_at for t in page1.transactions]
    assert stamps == sorted(stamps, reverse=True)
    rewards = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="lister", type="reward"))
    assert rewards.total == 1 and rewards.transactions[0].currency == "USD"
    usd = wallet.balance("lister", "USD")
    assert (usd.balance, usd.total_earnings) == (500, 500)
    assert wallet.balance("lister").total_earnings == 0
    everyone = wallet.stub.ListTransactions(pb.ListTransactionsRequest(status="completed"))
    assert everyone.total == 26 and all(t.user_id for t in everyone.transactions)
    wallet.assert_audit_ok()


def test_history_orders_a_captured_hold_at_its_capture_so_balances_chain(wallet: WalletHarness) -> None:
    wallet.fund("chain", 100_000, key="c1")
    hold = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="ch", user_id="chain", amount=70_000))
    wallet.fund("chain", 50_000, key="c2")
    wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="cc", hold_id=hold.hold.id))
    listed = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id="chain")).transactions
    assert [(t.amount, t.balance_after) for t in listed] == [(-70_000, 80_000), (50_000, 150_000),
                                                           (100_000, 100_000)]
    oldest_first = list(reversed(listed))
    for before, after in itertools.pairwise(oldest_first):
        assert before.balance_after + after.amount == after.balance_after
    assert listed[0].created_at < listed[1].created_at <= listed[0].posted_at
    wallet.assert_audit_ok()


REUSED_KEY_CASES = [
    ("Debit", pb.DebitRequest(idempotency_key="same", user_id="reuser", amount=1_000),
     pb.DebitRequest(idempotency_key="same", user_id="reuser", amount=1_001)),
    ("Transfer", pb.TransferRequest(idempotency_key="same", from_user_id="reuser", to_user_id="other", amount=100),
     pb.TransferRequest(idempotency_key="same", from_user_id="reuser", to_user_id="third", amount=100)),
    ("Post", pb.PostRequest(idempotency_key="same", legs=[pb.Leg(account="user:reuser", amount=-100, type="entryFee"),
                                                          pb.Leg(account="pool:p", amount=100, type="entryFee")]),
     pb.PostRequest(idempotency_key="same", legs=[pb.Leg(account="pool:p", amount=100, type="entryFee"),
                                                  pb.Leg(account="user:reuser", amount=-100, type="entryFee")])),
    ("CreateHold", pb.CreateHoldRequest(idempotency_key="same", hold_id="hold-a", user_id="reuser", amount=500),
     pb.CreateHoldRequest(idempotency_key="same", hold_id="hold-a", user_id="reuser", amount=600)),
    ("CreateHold", pb.CreateHoldRequest(idempotency_key="same", hold_id="hold-a", user_id="reuser", amount=500),
     pb.CreateHoldRequest(idempotency_key="same", hold_id="hold-b", user_id="reuser", amount=500)),
]


@pytest.mark.parametrize(("method", "first", "second"), REUSED_KEY_CASES,
                         ids=[f"{m}-{i}" for i, (m, _, _) in enumerate(REUSED_KEY_CASES)])
def test_every_mutation_refuses_a_different_request_under_a_used_key(
    wallet: WalletHarness, method: str, first: object, second: object
) -> None:
    wallet.fund("reuser", 10_000, key="reuse-seed")
    call = getattr(wallet.stub, method)
    original = call(first)
    assert call(first).replayed
    before = wallet.stub.Audit(pb.AuditRequest()).transactions_checked
    with pytest.raises(grpc.RpcError) as info:
        call(second)
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert wallet.stub.Audit(pb.AuditRequest()).transactions_checked == before
    replay = call(first)
    assert replay.replayed
    replay.replayed = False
    assert replay.SerializeToString() == original.SerializeToString()
    wallet.assert_audit_ok()


def test_capture_and_void_under_one_key_conflict(wallet: WalletHarness) -> None:
    wallet.fund("settler", 10_000, key="settle-seed")
    hold = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key="sh", user_id="settler", amount=5_000))
    wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key="settle-key", hold_id=hold.hold.id))
    with pytest.raises(grpc.RpcError) as info:
        wallet.stub.VoidHold(pb.VoidHoldRequest(idempotency_key="settle-key", hold_id=hold.hold.id))
    assert info.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert wallet.balance("settler").balance == 5_000
    wallet.assert_audit_ok()
