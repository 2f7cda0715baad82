"""Deposit limits and self-exclusion at top-up, over real gRPC: a real wallet server (which keeps the
player's controls) and a real payment gateway (which applies them when a session is created, atomically with
its insert), both on SQLite files; the store contract proves the same atomicity on MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import pytest

from tests.conftest import WalletHarness
from tests.support.errors import error_code
from tests.support.ids import new_user
from tests.support.payments import PaymentsHarness, mock_event, user_topups
from winzone.payments.v1 import payments_pb2 as pb
from winzone.wallet.v1 import wallet_pb2


@pytest.fixture
def payments(tmp_path: Path, wallet: WalletHarness) -> Iterator[PaymentsHarness]:
    harness = PaymentsHarness(tmp_path, wallet)
    yield harness
    harness.close()


def _limit(wallet: WalletHarness, user: str, **limits: int) -> None:
    wallet.stub.SetLimits(wallet_pb2.SetLimitsRequest(user_id=user, changes=[
        wallet_pb2.LimitChange(limit=name, amount=amount) for name, amount in limits.items()]))


def _attempt(payments: PaymentsHarness, user: str, amount: int) -> pb.TopUpSession | str:
    try:
        return payments.create(user, amount)
    except grpc.RpcError as refused:
        assert refused.code() is grpc.StatusCode.FAILED_PRECONDITION, refused
        return error_code(refused)


def test_ten_parallel_ten_rupee_top_ups_against_a_fifty_rupee_daily_limit_create_five(
    payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user = new_user()
    _limit(wallet, user, deposit_daily=5_000)
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda _: _attempt(payments, user, 1_000), range(10)))
    sessions = [o for o in outcomes if isinstance(o, pb.TopUpSession)]
    assert len(sessions) == 5
    assert [o for o in outcomes if isinstance(o, str)] == ["LIMIT_EXCEEDED"] * 5
    for session in sessions:
        body, headers = mock_event("checkout.session.completed", session)
        assert payments.webhook(body, headers).outcome == "applied"
    assert wallet.balance(user).balance == 5_000
    assert len(user_topups(wallet, user)) == 5
    assert _attempt(payments, user, 1_000) == "LIMIT_EXCEEDED"
    wallet.assert_audit_ok()


def test_the_monthly_limit_counts_what_the_daily_one_allows(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    user = new_user()
    _limit(wallet, user, deposit_daily=200_000, deposit_monthly=150_000)
    assert isinstance(_attempt(payments, user, 100_000), pb.TopUpSession)
    assert _attempt(payments, user, 50_001) == "LIMIT_EXCEEDED"
    assert isinstance(_attempt(payments, user, 50_000), pb.TopUpSession)
    assert isinstance(payments.create(user, 100_000, "USD"), pb.TopUpSession)


def test_an_expired_session_frees_its_allowance(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    user = new_user()
    _limit(wallet, user, deposit_daily=1_000)
    first = payments.create(user, 1_000)
    assert _attempt(payments, user, 1_000) == "LIMIT_EXCEEDED"
    body, headers = mock_event("checkout.session.expired", first)
    payments.webhook(body, headers)
    assert payments.session(first.id).status == "expired"
    assert isinstance(_attempt(payments, user, 1_000), pb.TopUpSession)


def test_a_self_excluded_player_cannot_open_a_top_up_but_a_replay_answers_as_before(
    payments: PaymentsHarness, wallet: WalletHarness
) -> None:
    user = new_user()
    kept = payments.create(user, 10_000, key="before-exclusion")
    wallet.stub.SelfExclude(wallet_pb2.SelfExcludeRequest(user_id=user, days=7))
    assert _attempt(payments, user, 10_000) == "SELF_EXCLUDED"
    assert payments.create(user, 10_000, key="before-exclusion").id == kept.id
    body, headers = mock_event("checkout.session.completed", kept)
    assert payments.webhook(body, headers).outcome == "applied"
    assert wallet.balance(user).balance == 10_000
    other = new_user()
    assert isinstance(_attempt(payments, other, 10_000), pb.TopUpSession)
    wallet.assert_audit_ok()


def test_a_player_without_controls_tops_up_as_before(payments: PaymentsHarness, wallet: WalletHarness) -> None:
    user = new_user()
    sessions = [payments.create(user, 5_000_000) for _ in range(3)]
    assert len({s.id for s in sessions}) == 3
