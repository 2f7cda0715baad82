"""The settle-paid-sessions sweep: sessions the wallet keeps refusing must not starve newer ones, and a session
the provider took the payment for but that was left ``created`` (the page's answer lost) is credited.

The sweep reads the oldest ``paid`` sessions first. If every one of the first page fails for good (here: the
wallet refuses their credit as a conflicting duplicate), a sweep that only ever re-reads that page never
reaches the newer sessions behind it. It must page past them, and back off per session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from payment_gateway.adapters.mock_checkout import MockCheckoutPage
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import TopUpLimits, TopUpStatus
from payment_gateway.domain.wallet import LedgerTransaction, TopUpCredit
from payment_gateway.use_cases.gateway import PaymentGatewayService
from payment_gateway.use_cases.topups import OPEN_SESSION_GRACE
from tests.support.scripted_wallet import ScriptedWallet
from winzone_kernel.clock import utc_now
from winzone_kernel.errors import IdempotencyConflict, Unavailable

SECRET = "whsec_sweep_test_secret_0000"


class RefusingWallet(ScriptedWallet):
    """Refuses every credit of the users in ``refused`` for good; counts the attempts per user."""

    def __init__(self, outages: int = 0) -> None:
        super().__init__(outages)
        self.refused: set[str] = set()
        self.attempts: dict[str, int] = {}

    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        self.attempts[credit.user_id] = self.attempts.get(credit.user_id, 0) + 1
        if credit.user_id in self.refused and not self.outages:
            raise IdempotencyConflict("Idempotency key was already used with a different request")
        return await super().credit(credit)


class Clock:
    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteTopUpStore]:
    store = SqliteTopUpStore(tmp_path / "payments.sqlite3", synchronous="NORMAL")
    store.migrate()
    yield store
    store.close()


def test_sessions_that_keep_failing_do_not_starve_newer_ones(store: SqliteTopUpStore) -> None:
    wallet = RefusingWallet(outages=3)
    clock = Clock()
    provider = MockProvider(store.mock_state(), gateway_base_url="http://gw.test", webhook_secret=SECRET)
    service = PaymentGatewayService(
        store=store, provider=provider, wallet=wallet, limits=TopUpLimits({"INR": (1_000, 10_000_000)}),
        success_url="http://fe.test/ok", cancel_url="http://fe.test/no", clock=clock,
    )
    page = MockCheckoutPage(provider, store, service.topups)

    async def scenario() -> None:
        sessions = []
        for user in ("usr_bad_1", "usr_bad_2", "usr_good"):
            session, _ = await service.create_session(user, 50_000, "INR")
            sessions.append(session)
            await page.pay(session.provider_ref)
            clock.now += timedelta(seconds=1)
        assert [s.status for s in store.sessions_in_status(TopUpStatus.PAID, 10)] == [TopUpStatus.PAID] * 3
        wallet.refused = {"usr_bad_1", "usr_bad_2"}

        assert await service.settle_paid_sessions(limit=2) == 1
        assert store.get_session(sessions[2].id).status is TopUpStatus.CREDITED
        tried = dict(wallet.attempts)
        assert await service.settle_paid_sessions(limit=2) == 0
        assert wallet.attempts == tried

        clock.now += timedelta(hours=2)
        wallet.refused = set()
        assert await service.settle_paid_sessions(limit=2) == 2
        assert store.sessions_in_status(TopUpStatus.PAID, 10) == []

    asyncio.run(scenario())
    assert sorted(t.amount for t in wallet.by_key.values()) == [50_000, 50_000, 50_000]


class LosingStore(SqliteTopUpStore):
    """Refuses the first ``fail`` session transitions as an unavailable store would (the write is lost)."""

    fail = 0

    def transition(self, *args: object, **kwargs: object) -> object:
        if self.fail:
            self.fail -= 1
            raise Unavailable("payments store unavailable")
        return super().transition(*args, **kwargs)  # type: ignore[arg-type]


def test_a_session_paid_at_the_provider_but_left_created_is_credited_by_the_sweep(tmp_path: Path) -> None:
    store = LosingStore(tmp_path / "payments.sqlite3", synchronous="NORMAL")
    store.migrate()
    wallet = ScriptedWallet()
    clock = Clock()
    provider = MockProvider(store.mock_state(), gateway_base_url="http://gw.test", webhook_secret=SECRET)
    service = PaymentGatewayService(
        store=store, provider=provider, wallet=wallet, limits=TopUpLimits({"INR": (1_000, 10_000_000)}),
        success_url="http://fe.test/ok", cancel_url="http://fe.test/no", clock=clock,
    )
    page = MockCheckoutPage(provider, store, service.topups)

    async def scenario() -> None:
        paid, _ = await service.create_session("usr_lost_answer", 50_000, "INR")
        still_open, _ = await service.create_session("usr_never_paid", 20_000, "INR")
        store.fail = 1
        await page.pay(paid.provider_ref)
        assert store.get_session(paid.id).status is TopUpStatus.CREATED
        assert await service.settle_paid_sessions() == 0
        clock.now += OPEN_SESSION_GRACE + timedelta(seconds=1)
        assert await service.settle_paid_sessions() == 1
        assert store.get_session(paid.id).status is TopUpStatus.CREDITED
        assert store.get_session(still_open.id).status is TopUpStatus.CREATED
        assert await service.settle_paid_sessions() == 0

    try:
        asyncio.run(scenario())
    finally:
        store.close()
    assert [t.amount for t in wallet.by_key.values()] == [50_000]
