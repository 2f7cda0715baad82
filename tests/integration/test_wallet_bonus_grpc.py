"""Bonus grants over a real wallet gRPC server on SQLite and MongoDB: GrantBonus (its replay, conflict and bad
input), GetWallet's funds and grants, ExpireBonuses after a real expiry, and the server's own expiry sweep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import grpc
import pytest
from pymongo import uri_parser

from tests.conftest import WalletHarness
from tests.support.backends import BACKENDS, MONGO, fresh_mongo_database
from tests.support.errors import error_code
from tests.support.ids import new_key, new_user
from wallet_service.adapters.mongo_store import MongoLedgerStore
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain.audit import audit
from wallet_service.domain.funds import Funds
from wallet_service.server import bonus_expiry_task
from wallet_service.use_cases import WalletUseCases
from wallet_service.use_cases.bonus import Bonuses
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone_kernel.money import MAX_MINOR


@pytest.fixture(params=BACKENDS)
def wallet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletHarness]:
    if request.param == MONGO:
        with fresh_mongo_database("winzone_bonus") as uri:
            store = MongoLedgerStore.from_uri(uri, uri_parser.parse_uri(uri)["database"])
            harness = WalletHarness(tmp_path / "unused.sqlite3", store)
            yield harness
            harness.close()
        return
    harness = WalletHarness(tmp_path / "wallet.sqlite3")
    yield harness
    harness.close()


def in_future(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def grant_request(user: str, amount: int = 5_000, **fields: object) -> pb.GrantBonusRequest:
    values: dict[str, object] = {"idempotency_key": new_key(), "user_id": user, "amount": amount,
                                 "currency": "INR", "reason": "Welcome bonus", "granted_by": "usr_admin", **fields}
    return pb.GrantBonusRequest(**values)  # type: ignore[arg-type]


def refused(call: object, code: str, status: grpc.StatusCode = grpc.StatusCode.INVALID_ARGUMENT) -> None:
    with pytest.raises(grpc.RpcError) as info:
        call()  # type: ignore[operator]
    assert info.value.code() == status, info.value.details()
    assert error_code(info.value) == code, info.value.details()


def test_grant_bonus_credits_the_bonus_fund_and_shows_in_the_wallet(wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 1_000)
    expiry = in_future(days=30)
    later = wallet.stub.GrantBonus(grant_request(user, 5_000, expires_at=expiry, reason="Diwali"))
    sooner = wallet.stub.GrantBonus(grant_request(user, 700, expires_at=in_future(days=7)))
    never = wallet.stub.GrantBonus(grant_request(user, 300))
    grant = later.grant
    assert (grant.user_id, grant.currency, grant.amount, grant.remaining, grant.reason, grant.status,
            grant.granted_by) == (user, "INR", 5_000, 5_000, "Diwali", "active", "usr_admin")
    assert grant.expires_at.endswith("Z") and grant.expires_at[:19] == \
        datetime.fromisoformat(expiry).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    user_leg, promotions_leg = later.posting.transactions
    assert (user_leg.type, user_leg.amount, user_leg.fund, user_leg.funds.bonus, grant.transaction_id) == (
        "bonus", 5_000, "bonus", 5_000, user_leg.id)
    assert (promotions_leg.account, promotions_leg.amount) == ("promotions", -5_000)
    assert not later.posting.replayed
    answer = wallet.stub.GetWallet(pb.GetWalletRequest(user_id=user))
    assert (answer.wallet.balance, answer.wallet.funds.deposit, answer.wallet.funds.bonus,
            answer.wallet.withdrawable) == (7_000, 1_000, 6_000, 1_000)
    assert [g.id for g in answer.bonus_grants] == [sooner.grant.id, grant.id, never.grant.id]
    assert [g.remaining for g in answer.bonus_grants] == [700, 5_000, 300]
    wallet.assert_audit_ok()


def test_grant_bonus_replays_and_conflicts(wallet: WalletHarness) -> None:
    user = new_user()
    request = grant_request(user, 2_000, expires_at=in_future(days=3))
    first = wallet.stub.GrantBonus(request)
    again = wallet.stub.GrantBonus(request)
    assert again.posting.replayed
    assert (again.grant, [t.id for t in again.posting.transactions]) == (
        first.grant, [t.id for t in first.posting.transactions])
    other = pb.GrantBonusRequest()
    other.CopyFrom(request)
    other.amount = 2_001
    refused(lambda: wallet.stub.GrantBonus(other), "IDEMPOTENCY_CONFLICT", grpc.StatusCode.ALREADY_EXISTS)
    assert wallet.balance(user).funds.bonus == 2_000
    wallet.assert_audit_ok()


def test_grant_bonus_refuses_bad_input_and_changes_nothing(wallet: WalletHarness) -> None:
    user = new_user()
    wallet.stub.GrantBonus(grant_request(user, 100))
    before = wallet.stub.Audit(pb.AuditRequest())
    cases: list[tuple[pb.GrantBonusRequest, str]] = [
        (grant_request(user, 0), "INVALID_AMOUNT"),
        (grant_request(user, -100), "INVALID_AMOUNT"),
        (grant_request(user, MAX_MINOR + 1), "INVALID_AMOUNT"),
        (grant_request(user, currency="EUR"), "INVALID_CURRENCY"),
        (grant_request(user, reason=""), "INVALID_REASON"),
        (grant_request(user, reason="x" * 501), "INVALID_REASON"),
        (grant_request(user, expires_at=in_future(seconds=-60)), "INVALID_EXPIRY"),
        (grant_request(user, expires_at=in_future(days=5 * 365 + 2)), "INVALID_EXPIRY"),
        (grant_request(user, expires_at="2027-01-01"), "INVALID_EXPIRY"),
        (grant_request("bad user"), "VALIDATION_ERROR"),
        (grant_request(""), "VALIDATION_ERROR"),
        (grant_request(user, idempotency_key=""), "INVALID_IDEMPOTENCY_KEY"),
        (grant_request(user, granted_by="bad admin"), "VALIDATION_ERROR"),
    ]
    for request, code in cases:
        refused(lambda request=request: wallet.stub.GrantBonus(request), code)
    after = wallet.stub.Audit(pb.AuditRequest())
    assert (after.transactions_checked, after.accounts_checked) == (before.transactions_checked,
                                                                    before.accounts_checked)
    answer = wallet.stub.GetWallet(pb.GetWalletRequest(user_id=user))
    assert (answer.wallet.funds.bonus, len(answer.bonus_grants)) == (100, 1)
    refused(lambda: wallet.stub.ExpireBonuses(pb.ExpireBonusesRequest(limit=-1)), "INVALID_LIMIT")
    refused(lambda: wallet.stub.ExpireBonuses(pb.ExpireBonusesRequest(limit=5_001)), "INVALID_LIMIT")
    wallet.assert_audit_ok()


def test_expire_bonuses_returns_what_is_left_after_a_real_expiry(wallet: WalletHarness) -> None:
    user = new_user()
    wallet.fund(user, 10_000)
    short = wallet.stub.GrantBonus(grant_request(user, 600, expires_at=in_future(seconds=1.5))).grant
    kept = wallet.stub.GrantBonus(grant_request(user, 400, expires_at=in_future(days=1))).grant
    fee = wallet.stub.Post(pb.PostRequest(idempotency_key=new_key(), source="test", legs=[
        pb.Leg(account=f"user:{user}", amount=-1_000, type="entryFee"),
        pb.Leg(account="pool:cup", amount=1_000, type="entryFee")]))
    assert (fee.transactions[0].funds.bonus, fee.transactions[0].funds.deposit) == (-100, -900)
    deadline = time.monotonic() + 10
    expired: list[pb.BonusGrant] = []
    while not expired and time.monotonic() < deadline:
        time.sleep(0.25)
        expired = list(wallet.stub.ExpireBonuses(pb.ExpireBonusesRequest()).expired)
    assert [(g.id, g.remaining, g.status) for g in expired] == [(short.id, 0, "expired")]
    answer = wallet.stub.GetWallet(pb.GetWalletRequest(user_id=user))
    assert (answer.wallet.funds.bonus, answer.wallet.funds.deposit) == (400, 9_100)
    assert [(g.id, g.remaining) for g in answer.bonus_grants] == [(kept.id, 400)]
    legs = wallet.stub.ListTransactions(pb.ListTransactionsRequest(user_id=user, type="bonusExpired")).transactions
    assert [(t.amount, t.fund, t.idempotency_key) for t in legs] == [(-500, "bonus", f"bonus_expire_{short.id}")]
    assert list(wallet.stub.ExpireBonuses(pb.ExpireBonusesRequest()).expired) == []
    wallet.assert_audit_ok()


def test_the_expiry_sweep_runs_at_start_and_stops_with_its_owner(tmp_path: Path) -> None:
    store = SqliteLedgerStore(tmp_path / "sweep.sqlite3", synchronous="NORMAL")
    store.migrate()
    moment = datetime(2026, 11, 1, 12, tzinfo=UTC)
    service = WalletUseCases(store, clock=lambda: moment)
    user = new_user()
    granted = asyncio.run(service.bonuses.grant(
        key=new_key(), user_id=user, amount=800, currency="INR", reason="Promo", granted_by="",
        expires_at=(moment + timedelta(hours=1)).isoformat()))
    moment += timedelta(hours=2)
    sleeps: list[float] = []

    async def sweep_once() -> None:
        ran = asyncio.Event()

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            ran.set()
            await asyncio.Event().wait()

        task = bonus_expiry_task(Bonuses(store, lambda: moment), 45, sleep=sleep).start()
        await asyncio.wait_for(ran.wait(), 10)
        await task.stop()

    try:
        asyncio.run(sweep_once())
        assert sleeps == [45]
        grants = store.bonus_grants_of(user, "INR")
        assert [(g.id, g.status, g.remaining) for g in grants] == [(granted.grant.id, "expired", 0)]
        assert service.queries.wallet(user, "INR").funds == Funds(0, 0, 0)
        report = audit(store.audit_facts())
        assert report.ok, report.violations
    finally:
        store.close()
