"""The payment gateway as the payout service relies on it: ``PaymentsPort`` through ``GrpcPayments`` over a
``service_channel``. One contract for the real payment gateway and for the provider double that payout tests
script, so that the double never promises what the gateway does not do (subclass ``PaymentsPortContract``
and implement ``start_gateway``, ``stop_gateway`` and ``decline``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from payout_service.adapters.grpc_payments import GrpcPayments
from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import PayoutRequest
from payout_service.domain.ports import PaymentsPort, ProviderStatus
from tests.support.grpc_servers import TEST_TOKEN, LoopThread
from tests.support.ids import new_user
from tests.support.payouts import UPI
from winzone.payments.v1 import payments_pb2_grpc
from winzone_kernel.clock import utc_now
from winzone_kernel.grpc_client import service_channel
from winzone_kernel.ids import new_id


def new_payout(method: Any = None, amount: int = 25_000) -> PayoutRequest:
    return PayoutRequest.create(
        payout_id=new_id("payout"), user_id=new_user(), amount_minor=amount, currency="INR",
        method=parse_payout_method(UPI if method is None else method), at=utc_now(), limits=DEFAULT_PAYOUT_LIMITS,
    )


class PaymentsPortContract(ABC):
    """Before each test a gateway is started and ``self.port`` is the payout service's client of it."""

    port: PaymentsPort

    @abstractmethod
    def start_gateway(self, tmp_path: Path) -> str:
        """Start a payment gateway for one test; returns its address."""

    @abstractmethod
    def stop_gateway(self) -> None:
        """Stop what ``start_gateway`` started."""

    @abstractmethod
    def decline(self, payout: PayoutRequest) -> PayoutRequest:
        """A payout like ``payout`` that the provider will decline when it is sent."""

    @pytest.fixture(autouse=True)
    def _client(self, tmp_path: Path) -> Iterator[None]:
        address = self.start_gateway(tmp_path)
        self._loop = LoopThread()
        channel: list[grpc.aio.Channel] = []

        async def connect() -> PaymentsPort:
            channel.append(service_channel(address, TEST_TOKEN))
            return GrpcPayments(payments_pb2_grpc.PaymentGatewayStub(channel[0]), timeout=5.0)

        try:
            self.port = self._loop.run(connect())
            yield
        finally:
            if channel:
                self._loop.run(channel[0].close())
            self._loop.close()
            self.stop_gateway()

    def call(self, step: Awaitable[Any]) -> Any:
        return self._loop.run(step, 10.0)

    def test_a_payout_is_paid_once_and_a_repeat_answers_the_first_outcome(self) -> None:
        payout = new_payout()
        first = self.call(self.port.send_payout(payout))
        assert first.status is ProviderStatus.PAID
        assert first.provider_reference and first.failure_reason is None
        assert self.call(self.port.send_payout(payout)) == first

    def test_the_outcome_of_a_sent_payout_is_found_by_its_id(self) -> None:
        payout = new_payout()
        sent = self.call(self.port.send_payout(payout))
        assert self.call(self.port.get_payout(payout.id)) == sent

    def test_a_payout_never_sent_is_not_found(self) -> None:
        assert self.call(self.port.get_payout(new_id("payout"))) is None

    def test_a_declined_payout_fails_with_a_reason_for_the_user_and_stays_declined(self) -> None:
        payout = self.decline(new_payout())
        declined = self.call(self.port.send_payout(payout))
        assert declined.status is ProviderStatus.FAILED
        assert declined.failure_reason
        assert self.call(self.port.send_payout(payout)) == declined
        assert self.call(self.port.get_payout(payout.id)) == declined
