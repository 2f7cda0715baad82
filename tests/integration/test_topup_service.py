"""The payment gateway's service layer over its real SQLite store, with scripted wallet and payout ports.

What the real servers cannot easily show: a wallet outage in the middle of crediting (the paid state is kept
and the provider's redelivery finishes the job, once), and payout results forwarded to the payout service
(or refused by it, or it being down).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from payment_gateway.adapters.grpc_payouts import GrpcPayoutResults, record_request
from payment_gateway.adapters.mock_checkout import MockCheckoutPage
from payment_gateway.adapters.mock_events import build_signed_event, checkout_session_object
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.adapters.sqlite_store import SqliteTopUpStore
from payment_gateway.domain.model import TopUpLimits, TopUpStatus, WebhookOutcome
from payment_gateway.domain.ports import PayoutResultSink, Wallet
from payment_gateway.domain.provider import PayoutProviderResult
from payment_gateway.use_cases.gateway import PaymentGatewayService
from tests.support.grpc_servers import TEST_TOKEN, RunningServer
from tests.support.scripted_wallet import ScriptedWallet
from winzone.payouts.v1 import payouts_pb2, payouts_pb2_grpc
from winzone_kernel.errors import InvalidState, NotFound, Unavailable
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.grpc_server import start_server

SECRET = "whsec_service_test_secret_000"


class RecordingSink(PayoutResultSink):
    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.results: list[PayoutProviderResult] = []

    async def record(self, result: PayoutProviderResult) -> None:
        if self.error is not None:
            raise self.error
        self.results.append(result)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteTopUpStore]:
    store = SqliteTopUpStore(tmp_path / "payments.sqlite3", synchronous="NORMAL")
    store.migrate()
    yield store
    store.close()


def _provider(store: SqliteTopUpStore) -> MockProvider:
    return MockProvider(store.mock_state(), gateway_base_url="http://gw.test", webhook_secret=SECRET)


def _service(store: SqliteTopUpStore, wallet: Wallet, payouts: PayoutResultSink | None = None
             ) -> PaymentGatewayService:
    return PaymentGatewayService(
        store=store, provider=_provider(store), wallet=wallet, limits=TopUpLimits({"INR": (1_000, 10_000_000)}),
        success_url="http://fe.test/ok?session_id={session_id}", cancel_url="http://fe.test/no?session_id={session_id}",
        payouts=payouts,
    )


def _page(store: SqliteTopUpStore, service: PaymentGatewayService) -> MockCheckoutPage:
    """The mock checkout page over the same store and top-ups, as the server wires it for the mock provider."""
    return MockCheckoutPage(_provider(store), store, service.topups)


def _completed(session: Any, event_id: str) -> tuple[bytes, dict[str, str]]:
    obj = checkout_session_object(session.provider_ref, client_reference_id=session.id,
                                  amount_minor=session.amount, currency=session.currency)
    return build_signed_event("checkout.session.completed", obj, secret=SECRET, event_id=event_id)


def test_a_wallet_outage_keeps_the_session_paid_and_the_redelivery_credits_once(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet(outages=1)
    service = _service(store, wallet)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_1", 50_000, "INR")
        body, headers = _completed(session, "evt_outage")
        with pytest.raises(Unavailable):
            await service.handle_webhook(body, headers)
        assert store.get_session(session.id).status is TopUpStatus.PAID
        assert not store.event_processed("mock", "evt_outage")
        retried = await service.handle_webhook(body, headers)
        assert retried.outcome is WebhookOutcome.APPLIED
        assert retried.session is not None and retried.session.status is TopUpStatus.CREDITED
        verified = await service.verify("usr_1", session.id)
        assert verified.transaction is not None and verified.transaction.amount == 50_000
        assert (await service.handle_webhook(body, headers)).outcome is WebhookOutcome.DUPLICATE

    asyncio.run(scenario())
    assert len(wallet.by_key) == 1


def test_verify_of_a_paid_session_finishes_the_credit_without_asking_again(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet(outages=1)
    service = _service(store, wallet)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_2", 50_000, "INR")
        with pytest.raises(Unavailable):
            await service.verify("usr_2", session.id)
        assert store.get_session(session.id).status is TopUpStatus.PAID
        assert (await service.verify("usr_2", session.id)).session.status is TopUpStatus.CREDITED

    asyncio.run(scenario())
    assert wallet.calls == 2
    assert len(wallet.by_key) == 1


def _transfer_event(event_id: str, *, reversed_: bool = False) -> tuple[bytes, dict[str, str]]:
    obj = {"id": "tr_9", "object": "transfer", "amount": 50_000, "currency": "inr", "transfer_group": "pay_9",
           "metadata": {"payout_id": "pay_9"}, "reversed": reversed_}
    return build_signed_event("transfer.reversed" if reversed_ else "transfer.created", obj, secret=SECRET,
                              event_id=event_id)


def test_payout_results_are_forwarded_once_with_our_payout_id(store: SqliteTopUpStore) -> None:
    sink = RecordingSink()
    service = _service(store, ScriptedWallet(), sink)

    async def scenario() -> None:
        body, headers = _transfer_event("evt_tr_1", reversed_=True)
        assert (await service.handle_webhook(body, headers)).outcome is WebhookOutcome.FORWARDED
        assert (await service.handle_webhook(body, headers)).outcome is WebhookOutcome.DUPLICATE

    asyncio.run(scenario())
    assert sink.results == [PayoutProviderResult(
        payout_id="pay_9", status="failed", provider="mock", provider_reference="tr_9",
        failure_reason="Transfer was reversed", event_id="evt_tr_1", event_type="transfer.reversed", amount=50_000,
        currency="INR", amount_reversed=50_000,
    )]


def test_a_payout_service_outage_is_retried_and_a_refusal_acknowledged(store: SqliteTopUpStore) -> None:
    down = _service(store, ScriptedWallet(), RecordingSink(Unavailable("payouts down")))
    refusing = _service(store, ScriptedWallet(), RecordingSink(NotFound("no such payout")))

    async def scenario() -> None:
        body, headers = _transfer_event("evt_tr_2")
        with pytest.raises(Unavailable):
            await down.handle_webhook(body, headers)
        assert not store.event_processed("mock", "evt_tr_2")
        assert (await refusing.handle_webhook(body, headers)).outcome is WebhookOutcome.IGNORED
        assert store.event_processed("mock", "evt_tr_2")

    asyncio.run(scenario())


def test_webhook_refs_that_disagree_with_the_stored_session_are_ignored(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)

    async def scenario() -> None:
        mine, _ = await service.create_session("usr_3", 50_000, "INR")
        other, _ = await service.create_session("usr_4", 50_000, "INR")
        crossed = replace(mine, provider_ref=other.provider_ref)
        result = await service.handle_webhook(*_completed(crossed, "evt_crossed"))
        assert result.outcome is WebhookOutcome.IGNORED

    asyncio.run(scenario())
    assert wallet.calls == 0


def test_the_payout_forwarder_maps_every_field_of_the_payout_contract_by_name() -> None:
    result = PayoutProviderResult(payout_id="pay_1", status="failed", provider="stripe", provider_reference="tr_1",
                                  failure_reason="Transfer was reversed", event_id="evt_1",
                                  event_type="transfer.reversed", amount=50_000, currency="INR",
                                  amount_reversed=50_000)
    request = record_request(result)
    contract = {field.name for field in payouts_pb2.RecordProviderResultRequest.DESCRIPTOR.fields}
    assert contract == {"payout_id", "status", "provider_reference", "failure_reason", "event_id", "amount_reversed"}
    assert {field.name: value for field, value in request.ListFields()} == {
        "payout_id": "pay_1", "status": "failed", "provider_reference": "tr_1",
        "failure_reason": "Transfer was reversed", "event_id": "evt_1", "amount_reversed": 50_000,
    }


def test_the_payout_forwarder_speaks_the_payout_services_contract() -> None:
    seen: list[Any] = []

    class PayoutService(payouts_pb2_grpc.PayoutServiceServicer):
        async def RecordProviderResult(self, request: Any, context: Any) -> Any:
            seen.append(request)
            if request.payout_id == "pay_unknown":
                raise NotFound("Payout not found")
            return payouts_pb2.RecordProviderResultResponse(changed=True)

    def register(server: Any) -> list[str]:
        payouts_pb2_grpc.add_PayoutServiceServicer_to_server(PayoutService(), server)
        return [payouts_pb2.DESCRIPTOR.services_by_name["PayoutService"].full_name]

    server = RunningServer(lambda: start_server(register=register, token=TEST_TOKEN))
    result = PayoutProviderResult(payout_id="pay_1", status="failed", provider="stripe", provider_reference="tr_1",
                                  failure_reason="Transfer was reversed", event_id="evt_1",
                                  event_type="transfer.reversed", amount=50_000, currency="INR")

    async def scenario() -> None:
        channel = service_channel(server.address, TEST_TOKEN)
        try:
            sink = GrpcPayoutResults(channel)
            await sink.record(result)
            with pytest.raises(NotFound):
                await sink.record(replace(result, payout_id="pay_unknown"))
        finally:
            await channel.close()

    try:
        server.thread.run(scenario())
    finally:
        server.stop()
    assert [(r.payout_id, r.status, r.provider_reference, r.failure_reason, r.event_id) for r in seen] == [
        ("pay_1", "failed", "tr_1", "Transfer was reversed", "evt_1"),
        ("pay_unknown", "failed", "tr_1", "Transfer was reversed", "evt_1"),
    ]


def _closing(session: Any, event_type: str, event_id: str) -> tuple[bytes, dict[str, str]]:
    obj = checkout_session_object(session.provider_ref, client_reference_id=session.id, amount_minor=session.amount,
                                  currency=session.currency, payment_status="unpaid", status="expired")
    return build_signed_event(event_type, obj, secret=SECRET, event_id=event_id)


@pytest.mark.parametrize("event_type", ["checkout.session.expired", "checkout.session.async_payment_failed"])
def test_mock_pay_after_the_session_expired_or_failed_is_refused_and_credits_nothing(
    store: SqliteTopUpStore, event_type: str
) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)
    page = _page(store, service)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_5", 50_000, "INR")
        closed = await service.handle_webhook(*_closing(session, event_type, "evt_close"))
        assert closed.outcome is WebhookOutcome.APPLIED
        _, shown = await page.show(session.provider_ref)
        assert shown == closed.session.status.value
        with pytest.raises(InvalidState) as refused:
            await page.pay(session.provider_ref)
        assert refused.value.code == "CHECKOUT_CLOSED"
        with pytest.raises(InvalidState):
            await page.cancel(session.provider_ref)
        assert (await service.verify("usr_5", session.id)).transaction is None

    asyncio.run(scenario())
    assert wallet.calls == 0
    assert [s.status for s in store.sessions_in_status(TopUpStatus.CREDITED, 10)] == []


def test_mock_pay_first_wins_over_a_later_expiry_and_is_credited(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet(outages=1)
    service = _service(store, wallet)
    page = _page(store, service)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_6", 50_000, "INR")
        await page.pay(session.provider_ref)
        assert store.get_session(session.id).status is TopUpStatus.PAID
        late = await service.handle_webhook(*_closing(session, "checkout.session.expired", "evt_late"))
        assert late.outcome is WebhookOutcome.IGNORED
        assert store.get_session(session.id).status is TopUpStatus.PAID
        assert (await service.verify("usr_6", session.id)).session.status is TopUpStatus.CREDITED

    asyncio.run(scenario())
    assert len(wallet.by_key) == 1


def test_racing_mock_pay_and_expiry_never_credit_a_closed_session(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)
    page = _page(store, service)

    async def race(i: int) -> tuple[str, TopUpStatus]:
        session, _ = await service.create_session(f"usr_race_{i}", 50_000, "INR")

        async def pay() -> str:
            try:
                await page.pay(session.provider_ref)
            except InvalidState:
                return "refused"
            return "paid"

        paid, _ = await asyncio.gather(pay(), service.handle_webhook(
            *_closing(session, "checkout.session.expired", f"evt_race_{i}")))
        return paid, store.get_session(session.id).status

    async def scenario() -> list[tuple[str, TopUpStatus]]:
        return [await race(i) for i in range(12)]

    for paid, status in asyncio.run(scenario()):
        assert (paid, status) in {("paid", TopUpStatus.CREDITED), ("refused", TopUpStatus.EXPIRED)}
    assert len(wallet.by_key) == len(store.sessions_in_status(TopUpStatus.CREDITED, 100))


def test_the_settle_sweep_credits_sessions_left_paid_exactly_once(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet(outages=3)
    service = _service(store, wallet)
    page = _page(store, service)

    async def scenario() -> None:
        first, _ = await service.create_session("usr_7", 50_000, "INR")
        second, _ = await service.create_session("usr_8", 70_000, "INR")
        for session in (first, second):
            await page.pay(session.provider_ref)
        assert len(store.sessions_in_status(TopUpStatus.PAID, 10)) == 2
        assert await service.settle_paid_sessions() == 0
        assert len(store.sessions_in_status(TopUpStatus.PAID, 10)) == 2
        assert await service.settle_paid_sessions() == 2
        assert await service.settle_paid_sessions() == 0
        assert store.get_session(first.id).status is TopUpStatus.CREDITED
        assert (await service.verify("usr_8", second.id)).transaction.amount == 70_000

    asyncio.run(scenario())
    assert sorted(t.amount for t in wallet.by_key.values()) == [50_000, 70_000]


def test_a_late_failure_event_never_strands_a_paid_session(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet(outages=1)
    service = _service(store, wallet)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_9", 50_000, "INR")
        with pytest.raises(Unavailable):
            await service.verify("usr_9", session.id)
        for event_type in ("checkout.session.async_payment_failed", "checkout.session.expired"):
            late = await service.handle_webhook(*_closing(session, event_type, f"evt_{event_type}"))
            assert late.outcome is WebhookOutcome.IGNORED
        assert store.get_session(session.id).status is TopUpStatus.PAID
        assert await service.settle_paid_sessions() == 1

    asyncio.run(scenario())
    assert len(wallet.by_key) == 1


def test_a_provider_that_reports_paid_after_expiry_is_credited(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_10", 50_000, "INR")
        await service.handle_webhook(*_closing(session, "checkout.session.expired", "evt_exp"))
        paid = await service.handle_webhook(*_completed(session, "evt_paid_late"))
        assert (paid.outcome, paid.session.status) == (WebhookOutcome.APPLIED, TopUpStatus.CREDITED)

    asyncio.run(scenario())
    assert len(wallet.by_key) == 1


def test_a_mock_checkout_no_session_points_at_is_not_found(store: SqliteTopUpStore) -> None:
    page = _page(store, _service(store, ScriptedWallet()))
    provider = MockProvider(store.mock_state(), gateway_base_url="http://gw.test", webhook_secret=SECRET)
    orphan = provider.create_checkout("tps_orphan", "usr_11", 50_000, "INR", "http://fe/ok", "http://fe/no")

    async def scenario() -> None:
        for call in (page.show, page.pay, page.cancel):
            with pytest.raises(NotFound):
                await call(orphan.provider_ref)

    asyncio.run(scenario())
    assert provider.checkout(orphan.provider_ref).status.value == "created"


def test_the_settle_task_runs_at_once_and_survives_a_failed_run() -> None:
    from payment_gateway.server import SETTLE_INTERVAL_SECONDS, settle_task

    class Flaky:
        runs = 0

        async def settle_paid_sessions(self) -> int:
            Flaky.runs += 1
            if Flaky.runs == 1:
                raise RuntimeError("store hiccup")
            return 1

    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        await asyncio.sleep(0)

    async def scenario() -> None:
        task = settle_task(Flaky(), sleep=sleep).start()  # type: ignore[arg-type]

        async def three_runs() -> None:
            while Flaky.runs < 3:
                await asyncio.sleep(0)

        await asyncio.wait_for(three_runs(), timeout=10)
        await task.stop()

    asyncio.run(scenario())
    assert Flaky.runs >= 3
    assert slept and set(slept) == {SETTLE_INTERVAL_SECONDS}


def test_an_expiry_after_the_mock_took_the_payment_is_ignored_and_verify_credits(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)
    provider = MockProvider(store.mock_state(), gateway_base_url="http://gw.test", webhook_secret=SECRET)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_12", 50_000, "INR")
        provider.pay(session.provider_ref)
        late = await service.handle_webhook(*_closing(session, "checkout.session.expired", "evt_after_pay"))
        assert late.outcome is WebhookOutcome.IGNORED
        assert (await service.verify("usr_12", session.id)).session.status is TopUpStatus.CREDITED

    asyncio.run(scenario())
    assert len(wallet.by_key) == 1


def test_a_session_closed_while_its_mock_checkout_stayed_open_cannot_be_paid(store: SqliteTopUpStore) -> None:
    wallet = ScriptedWallet()
    service = _service(store, wallet)
    page = _page(store, service)

    async def scenario() -> None:
        session, _ = await service.create_session("usr_13", 50_000, "INR")
        assert store.transition(session.id, {TopUpStatus.CREATED}, TopUpStatus.EXPIRED, "t") is not None
        with pytest.raises(InvalidState):
            await page.pay(session.provider_ref)

    asyncio.run(scenario())
    assert wallet.calls == 0
