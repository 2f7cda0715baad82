"""Responsible-gaming controls over a real wallet gRPC server on SQLite and MongoDB: the three RPCs, their bad
input, and the limits and self-exclusion enforced on real postings, concurrent ones included."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest
from pymongo import uri_parser

from tests.conftest import WalletHarness
from tests.support.backends import BACKENDS, MONGO, fresh_mongo_database
from tests.support.errors import error_code
from tests.support.ids import new_key, new_user
from wallet_service.adapters.mongo_store import MongoLedgerStore
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone_kernel.money import MAX_MINOR


@pytest.fixture(params=BACKENDS)
def wallet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletHarness]:
    if request.param == MONGO:
        with fresh_mongo_database("winzone_controls") as uri:
            store = MongoLedgerStore.from_uri(uri, uri_parser.parse_uri(uri)["database"])
            harness = WalletHarness(tmp_path / "unused.sqlite3", store)
            yield harness
            harness.close()
        return
    harness = WalletHarness(tmp_path / "wallet.sqlite3")
    yield harness
    harness.close()


def fee(user: str, amount: int, pool: str = "pool:cup", key: str | None = None) -> pb.PostRequest:
    return pb.PostRequest(idempotency_key=key or new_key(), source="test", legs=[
        pb.Leg(account=f"user:{user}", amount=-amount, type="entryFee"),
        pb.Leg(account=pool, amount=amount, type="entryFee"),
    ])


def refused(call: object, code: str, status: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> str:
    with pytest.raises(grpc.RpcError) as info:
        call()  # type: ignore[operator]
    assert info.value.code() == status, info.value.details()
    assert error_code(info.value) == code, info.value.details()
    return str(info.value.details())


def test_controls_start_empty_and_limits_apply(wallet: WalletHarness) -> None:
    user = new_user()
    empty = wallet.stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id=user))
    assert (empty.currency, empty.HasField("entry_daily"), empty.self_excluded, empty.updated_at) == \
        ("INR", False, False, "")
    set_ = wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily", amount=500), pb.LimitChange(limit="deposit_daily", amount=10_000)]))
    assert (set_.entry_daily, set_.deposit_daily, set_.HasField("deposit_monthly"), list(set_.pending)) == \
        (500, 10_000, False, [])
    raised = wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily", amount=900), pb.LimitChange(limit="deposit_daily", remove=True)]))
    assert (raised.entry_daily, raised.deposit_daily) == (500, 10_000)
    pending = {p.limit: p for p in raised.pending}
    assert pending["entry_daily"].amount == 900 and not pending["deposit_daily"].HasField("amount")
    again = wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily", amount=900)]))
    assert {p.limit: p.effective_at for p in again.pending} == {p.limit: p.effective_at for p in raised.pending}
    other_currency = wallet.stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id=user, currency="USD"))
    assert not other_currency.HasField("entry_daily")
    excluded = wallet.stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, days=30))
    assert excluded.self_excluded and excluded.HasField("excluded_until") and not excluded.excluded_permanently
    shorter = wallet.stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, days=7))
    assert shorter.excluded_until == excluded.excluded_until
    forever = wallet.stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, permanent=True))
    assert forever.excluded_permanently and not forever.HasField("excluded_until")
    assert wallet.stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id=user, currency="USD")).self_excluded


def test_bad_input_is_invalid_argument(wallet: WalletHarness) -> None:
    user = new_user()
    stub = wallet.stub
    for amount in (0, -1, MAX_MINOR + 1):
        refused(lambda a=amount: stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
            pb.LimitChange(limit="entry_daily", amount=a)])), "INVALID_AMOUNT")
    refused(lambda: stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily")])), "INVALID_AMOUNT")
    refused(lambda: stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily", amount=5, remove=True)])), "INVALID_AMOUNT")
    for limit in ("weekly", "", "ENTRY_DAILY"):
        refused(lambda lim=limit: stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
            pb.LimitChange(limit=lim, amount=5)])), "INVALID_LIMIT")
    refused(lambda: stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[
        pb.LimitChange(limit="entry_daily", amount=5), pb.LimitChange(limit="entry_daily", amount=6)])),
        "INVALID_LIMIT")
    for days in (6, 366, 0, -7):
        refused(lambda d=days: stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, days=d)), "INVALID_DAYS")
    refused(lambda: stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, days=30, permanent=True)), "INVALID_DAYS")
    refused(lambda: stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id="")), "VALIDATION_ERROR")
    refused(lambda: stub.SetLimits(pb.SetLimitsRequest(user_id="   ")), "VALIDATION_ERROR")
    refused(lambda: stub.SelfExclude(pb.SelfExcludeRequest(user_id="", days=30)), "VALIDATION_ERROR")
    refused(lambda: stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id=user, currency="XYZ")),
            "INVALID_CURRENCY")
    controls = stub.GetPlayerControls(pb.GetPlayerControlsRequest(user_id=user))
    assert (controls.HasField("entry_daily"), controls.self_excluded, controls.updated_at) == (False, False, "")


def test_parallel_entry_fees_stop_at_the_limit(wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 10_000)
    wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[pb.LimitChange(limit="entry_daily",
                                                                                    amount=500)]))

    def post(i: int) -> str:
        try:
            wallet.stub.Post(fee(user, 100, key=f"fee-{user}-{i}"))
            return "posted"
        except grpc.RpcError as exc:
            assert exc.code() == grpc.StatusCode.FAILED_PRECONDITION
            return str(error_code(exc))

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(post, range(10)))
    assert results.count("posted") == 5 and results.count("LIMIT_EXCEEDED") == 5
    assert wallet.balance(user).balance == 9_500
    wallet.assert_audit_ok()


def test_limit_and_exclusion_refusals_move_nothing_and_are_remembered(wallet: WalletHarness) -> None:
    user, friend = new_user(), new_user()
    wallet.fund(user, 10_000)
    wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[pb.LimitChange(limit="entry_daily",
                                                                                    amount=300)]))
    wallet.stub.Post(fee(user, 200))
    over = fee(user, 101)
    message = refused(lambda: wallet.stub.Post(over), "LIMIT_EXCEEDED", grpc.StatusCode.FAILED_PRECONDITION)
    assert "entry_daily" in message and "100 left" in message
    wallet.stub.Post(fee(user, 100))
    refused(lambda: wallet.stub.Post(over), "LIMIT_EXCEEDED", grpc.StatusCode.FAILED_PRECONDITION)
    wallet.stub.SetLimits(pb.SetLimitsRequest(user_id=user, changes=[pb.LimitChange(limit="entry_daily",
                                                                                    remove=True)]))
    refused(lambda: wallet.stub.Post(over), "LIMIT_EXCEEDED", grpc.StatusCode.FAILED_PRECONDITION)
    assert wallet.balance(user).balance == 9_700

    wallet.stub.SelfExclude(pb.SelfExcludeRequest(user_id=user, days=7))
    sponsorship = pb.PostRequest(idempotency_key=new_key(), source="test", legs=[
        pb.Leg(account=f"user:{user}", amount=-1_000, type="debit"),
        pb.Leg(account="pool:cup", amount=1_000, type="debit")])
    refused(lambda: wallet.stub.Post(sponsorship), "SELF_EXCLUDED", grpc.StatusCode.FAILED_PRECONDITION)
    refused(lambda: wallet.stub.Post(sponsorship), "SELF_EXCLUDED", grpc.StatusCode.FAILED_PRECONDITION)
    batch = wallet.stub.PostBatch(pb.PostBatchRequest(entries=[fee(user, 1), fee(friend, 1)]))
    assert batch.results[0].error.code == "SELF_EXCLUDED"
    assert batch.results[1].error.code == "INSUFFICIENT_FUNDS"
    wallet.fund(user, 500, key=new_key())
    hold = wallet.stub.CreateHold(pb.CreateHoldRequest(idempotency_key=new_key(), user_id=user, amount=1_000))
    wallet.stub.CaptureHold(pb.CaptureHoldRequest(idempotency_key=new_key(), hold_id=hold.hold.id,
                                                  counter_account="clearing:test"))
    wallet.stub.Transfer(pb.TransferRequest(idempotency_key=new_key(), from_user_id=user, to_user_id=friend,
                                            amount=100))
    prize = pb.PostRequest(idempotency_key=new_key(), source="test", legs=[
        pb.Leg(account="pool:cup", amount=-300, type="reward"),
        pb.Leg(account=f"user:{user}", amount=300, type="reward")])
    wallet.stub.Post(prize)
    assert wallet.balance(user).balance == 9_700 + 500 - 1_000 - 100 + 300
    wallet.assert_audit_ok()
