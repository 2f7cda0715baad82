"""PostBatch over real gRPC on a real port with a real SQLite file: bounds of the call, every kind of bad entry
answered alone while the others commit, replays, a repeated key, order on one account, two identical batches at
once, and the Post of an entry's key agreeing with the batch's answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_key, new_user
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc

CLEARING = "clearing:test"


def entry(source: str, target: str, amount: int, *, key: str | None = None, currency: str = "INR",
          type: str = "credit", target_amount: int | None = None) -> pb.PostRequest:
    return pb.PostRequest(idempotency_key=key if key is not None else new_key(), source="test", legs=[
        pb.Leg(account=source, amount=-amount, currency=currency, type=type),
        pb.Leg(account=target, amount=amount if target_amount is None else target_amount, currency=currency,
               type=type),
    ])


def topup(user: str, amount: int, **fields: object) -> pb.PostRequest:
    return entry(CLEARING, f"user:{user}", amount, **fields)  # type: ignore[arg-type]


def outcome(result: pb.EntryResult) -> str:
    kind = result.WhichOneof("outcome")
    return "posted" if kind == "posting" else f"{result.error.status}:{result.error.code}"


def test_every_entry_is_answered_in_order_and_bad_ones_only_refuse_themselves(wallet: WalletHarness) -> None:
    user, poor = new_user(), new_user()
    wallet.fund(poor, 10)
    entries = [
        topup(user, 100),
        topup(user, 0),
        topup(user, -1_000),
        topup(user, 5, target_amount=-5),
        topup(user, 2**62),
        topup(user, 9_223_372_036_854_775_807, target_amount=-9_223_372_036_854_775_807),
        topup(user, 5, currency="XYZ"),
        topup(user, 5, currency="inr"),
        topup(user, 5, target_amount=4),
        topup(user, 5, key=""),
        topup(user, 5, type="bogus"),
        entry(CLEARING, f"receivable:{user}", 5),
        entry(CLEARING, "user:", 5),
        entry(CLEARING, "nobody:x", 5),
        entry(f"user:{poor}", f"user:{user}", 11, type="debit"),
        pb.PostRequest(idempotency_key=new_key(), legs=[pb.Leg(account=f"user:{user}", amount=5, type="credit")]),
        topup(user, 1, key="{\"$ne\": null}"),
        topup(user, 50),
    ]
    response = wallet.stub.PostBatch(pb.PostBatchRequest(entries=entries))
    assert [outcome(r) for r in response.results] == [
        "posted",
        "INVALID_ARGUMENT:INVALID_AMOUNT",
        "FAILED_PRECONDITION:INSUFFICIENT_FUNDS",
        "INVALID_ARGUMENT:UNBALANCED_POSTING",
        "INVALID_ARGUMENT:INVALID_AMOUNT",
        "INVALID_ARGUMENT:INVALID_AMOUNT",
        "INVALID_ARGUMENT:INVALID_CURRENCY",
        "INVALID_ARGUMENT:INVALID_CURRENCY",
        "INVALID_ARGUMENT:UNBALANCED_POSTING",
        "INVALID_ARGUMENT:INVALID_IDEMPOTENCY_KEY",
        "INVALID_ARGUMENT:INVALID_TYPE",
        "INVALID_ARGUMENT:INVALID_ACCOUNT",
        "INVALID_ARGUMENT:INVALID_ACCOUNT",
        "INVALID_ARGUMENT:INVALID_ACCOUNT",
        "FAILED_PRECONDITION:INSUFFICIENT_FUNDS",
        "INVALID_ARGUMENT:INVALID_POSTING",
        "posted",
        "posted",
    ]
    assert all(r.error.message for r in response.results if r.WhichOneof("outcome") == "error")
    assert [r.posting.wallets[0].balance for r in response.results if r.WhichOneof("outcome") == "posting"] == [
        100, 101, 151]
    assert (wallet.balance(user).balance, wallet.balance(poor).balance) == (151, 10)
    wallet.assert_audit_ok()


@pytest.mark.parametrize("size", [0, 1_001])
def test_an_empty_or_oversized_batch_is_invalid_and_posts_nothing(wallet: WalletHarness, size: int) -> None:
    user = new_user()
    with pytest.raises(grpc.RpcError) as caught:
        wallet.stub.PostBatch(pb.PostBatchRequest(entries=[topup(user, 1) for _ in range(size)]))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error_code(caught.value) == "INVALID_BATCH"
    assert wallet.balance(user).balance == 0
    report = wallet.assert_audit_ok()
    assert report.transactions_checked == 0


def test_a_batch_over_the_leg_limit_is_invalid_and_posts_nothing(wallet: WalletHarness) -> None:
    users = [new_user() for _ in range(3)]
    many = [pb.PostRequest(idempotency_key=new_key(), legs=[
        pb.Leg(account=CLEARING, amount=-7_000, type="credit"),
        *(pb.Leg(account=f"user:{u}", amount=1, type="credit") for u in users for _ in range(2_333)),
        pb.Leg(account=f"user:{users[0]}", amount=1, type="credit"),
    ]) for _ in range(3)]
    with pytest.raises(grpc.RpcError) as caught:
        wallet.stub.PostBatch(pb.PostBatchRequest(entries=many))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert all(wallet.balance(u).balance == 0 for u in users)
    wallet.assert_audit_ok()


def test_a_batch_again_replays_and_its_keys_answer_post_the_same(wallet: WalletHarness) -> None:
    users = [new_user() for _ in range(4)]
    request = pb.PostBatchRequest(entries=[topup(u, 30) for u in users])
    first = wallet.stub.PostBatch(request)
    second = wallet.stub.PostBatch(request)
    assert [r.posting.entry_id for r in second.results] == [r.posting.entry_id for r in first.results]
    assert [r.posting.replayed for r in first.results] == [False] * 4
    assert [r.posting.replayed for r in second.results] == [True] * 4
    alone = wallet.stub.Post(request.entries[2])
    assert (alone.entry_id, alone.replayed) == (first.results[2].posting.entry_id, True)
    changed = topup(users[1], 31, key=request.entries[1].idempotency_key)
    with pytest.raises(grpc.RpcError) as caught:
        wallet.stub.Post(changed)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    conflict = wallet.stub.PostBatch(pb.PostBatchRequest(entries=[changed, topup(users[1], 1)]))
    assert [outcome(r) for r in conflict.results] == ["ALREADY_EXISTS:IDEMPOTENCY_CONFLICT", "posted"]
    assert [wallet.balance(u).balance for u in users] == [30, 31, 30, 30]
    wallet.assert_audit_ok()


def test_a_refusal_in_a_batch_is_remembered_for_post_too(wallet: WalletHarness) -> None:
    poor, shop = new_user(), new_user()
    spend = entry(f"user:{poor}", f"user:{shop}", 40, type="debit")
    refused = wallet.stub.PostBatch(pb.PostBatchRequest(entries=[spend]))
    assert outcome(refused.results[0]) == "FAILED_PRECONDITION:INSUFFICIENT_FUNDS"
    wallet.fund(poor, 100)
    with pytest.raises(grpc.RpcError) as caught:
        wallet.stub.Post(spend)
    assert error_code(caught.value) == "INSUFFICIENT_FUNDS"
    assert wallet.balance(poor).balance == 100
    wallet.assert_audit_ok()


def test_a_key_twice_in_one_batch_is_a_replay_and_one_account_applies_in_order(wallet: WalletHarness) -> None:
    user, shop = new_user(), new_user()
    wallet.fund(user, 100)
    buy = entry(f"user:{user}", f"user:{shop}", 60, type="debit")
    response = wallet.stub.PostBatch(pb.PostBatchRequest(entries=[
        buy, buy, entry(f"user:{user}", f"user:{shop}", 60, type="debit"), topup(user, 30),
        entry(f"user:{user}", f"user:{shop}", 60, type="debit"),
    ]))
    assert [outcome(r) for r in response.results] == [
        "posted", "posted", "FAILED_PRECONDITION:INSUFFICIENT_FUNDS", "posted", "posted"]
    assert response.results[1].posting.replayed
    assert response.results[1].posting.entry_id == response.results[0].posting.entry_id
    assert (wallet.balance(user).balance, wallet.balance(shop).balance) == (10, 120)
    wallet.assert_audit_ok()


def test_two_identical_batches_at_once_post_each_entry_once(wallet: WalletHarness) -> None:
    users = [new_user() for _ in range(100)]
    request = pb.PostBatchRequest(entries=[topup(u, 9) for u in users])
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(wallet.stub.PostBatch, [request] * 4))
    for position in range(len(users)):
        ids = {a.results[position].posting.entry_id for a in answers}
        assert len(ids) == 1
        assert sum(not a.results[position].posting.replayed for a in answers) == 1
    assert all(wallet.balance(u).balance == 9 for u in users)
    listed = wallet.stub.ListTransactions(pb.ListTransactionsRequest(type="credit", limit=100))
    assert listed.total == len(users)
    wallet.assert_audit_ok()


def test_post_batch_needs_the_internal_token(wallet: WalletHarness) -> None:
    request = pb.PostBatchRequest(entries=[topup(new_user(), 1)])
    with grpc.insecure_channel(wallet.server.address) as channel, pytest.raises(grpc.RpcError) as caught:
        wallet_pb2_grpc.WalletServiceStub(channel).PostBatch(request)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    wallet.assert_audit_ok()
