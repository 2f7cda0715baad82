"""A stand-in for the payment gateway's payout RPCs, for fault injection in payout tests.

It plays an external payment provider: ``SendPayout`` records one outcome per payout id (the provider
idempotency key) and answers it again on every repeat, ``GetPayout`` looks it up. Tests script what the
provider does per payout: pay, decline, leave pending, or answer only after the caller's deadline (the
payout is still made: a timeout says nothing about the outcome). Every call is counted.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from dataclasses import dataclass, field

import grpc

from tests.support.grpc_servers import TEST_TOKEN, RunningServer
from winzone.payments.v1 import payments_pb2 as pb
from winzone.payments.v1 import payments_pb2_grpc as pb_grpc
from winzone_kernel.grpc_server import start_server

PAID = "paid"
FAILED = "failed"
PENDING = "pending"
SLOW = "slow"
"""Pay, but answer only after ``slow_seconds`` (longer than the payout service's deadline in tests)."""
DOWN = "down"
"""Answer UNAVAILABLE and record nothing."""
DECLINE_UNRECORDED = "decline-unrecorded"
"""Refuse for a reason that can clear later (Stripe's ``balance_insufficient``): answer FAILED, keep no record
of the payout (no transfer was made) and pay it if it is sent again."""


REFUSE_PREFIX = "refuse:"
"""``behave(id, REFUSE_PREFIX + CODE)``: SendPayout answers INVALID_ARGUMENT with that machine code."""


@dataclass
class SentPayout:
    """What the provider received for one payout id."""

    request: pb.SendPayoutRequest
    result: pb.PayoutResult


@dataclass
class ProviderDouble:
    """The scripted provider's state, shared between the test thread and the server's event loop."""

    default: str = PAID
    slow_seconds: float = 2.0
    behaviour: dict[str, str] = field(default_factory=dict)
    sent: dict[str, SentPayout] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def behave(self, payout_id: str, behaviour: str) -> None:
        with self.lock:
            self.behaviour[payout_id] = behaviour

    def settle(self, payout_id: str, status: str, reason: str = "") -> None:
        """The provider's outcome changes later (a pending payout completes, a paid one is reversed)."""
        with self.lock:
            sent = self.sent[payout_id]
            sent.result.status = status
            sent.result.failure_reason = reason if status == FAILED else ""

    def preset(self, payout_id: str, amount: int, status: str = PAID, currency: str = "INR") -> None:
        """The provider already holds an outcome for this payout (it was sent before a crash)."""
        with self.lock:
            self.sent[payout_id] = SentPayout(
                pb.SendPayoutRequest(payout_id=payout_id, amount=amount, currency=currency),
                pb.PayoutResult(payout_id=payout_id, status=status, amount=amount, currency=currency,
                                provider="mock", provider_reference=f"po_double_{payout_id}"),
            )

    def send_calls(self, payout_id: str | None = None) -> int:
        with self.lock:
            return self.calls[f"send:{payout_id}"] if payout_id else sum(
                n for k, n in self.calls.items() if k.startswith("send:"))

    def payouts_made(self) -> int:
        with self.lock:
            return sum(1 for s in self.sent.values() if s.result.status == PAID)

    def _record(self, request: pb.SendPayoutRequest) -> tuple[pb.PayoutResult, str]:
        with self.lock:
            self.calls[f"send:{request.payout_id}"] += 1
            behaviour = self.behaviour.get(request.payout_id, self.default)
            if behaviour == DOWN:
                return pb.PayoutResult(), behaviour
            if behaviour == DECLINE_UNRECORDED and request.payout_id not in self.sent:
                self.behaviour[request.payout_id] = PAID
                return pb.PayoutResult(payout_id=request.payout_id, status=FAILED, amount=request.amount,
                                       currency=request.currency, provider="mock",
                                       failure_reason="balance_insufficient"), behaviour
            if request.payout_id not in self.sent:
                status = PAID if behaviour in (PAID, SLOW) else behaviour
                result = pb.PayoutResult(
                    payout_id=request.payout_id, status=status, amount=request.amount, currency=request.currency,
                    provider="mock", provider_reference=f"po_double_{request.payout_id}" if status != FAILED else "",
                    failure_reason="Destination account closed" if status == FAILED else "",
                )
                self.sent[request.payout_id] = SentPayout(request, result)
            result = pb.PayoutResult()
            result.CopyFrom(self.sent[request.payout_id].result)
            return result, behaviour


class _Servicer(pb_grpc.PaymentGatewayServicer):
    def __init__(self, double: ProviderDouble) -> None:
        self._double = double

    async def SendPayout(self, request: pb.SendPayoutRequest, context: grpc.aio.ServicerContext
                         ) -> pb.SendPayoutResponse:
        result, behaviour = self._double._record(request)
        if behaviour == DOWN:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "provider down")
        if behaviour.startswith(REFUSE_PREFIX):
            context.set_trailing_metadata((("winzone-error-code", behaviour.removeprefix(REFUSE_PREFIX)),))
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "refused")
        if behaviour == SLOW:
            await asyncio.sleep(self._double.slow_seconds)
        return pb.SendPayoutResponse(result=result)

    async def GetPayout(self, request: pb.GetPayoutRequest, context: grpc.aio.ServicerContext
                        ) -> pb.GetPayoutResponse:
        with self._double.lock:
            self._double.calls[f"get:{request.payout_id}"] += 1
            sent = self._double.sent.get(request.payout_id)
            if sent is None:
                return pb.GetPayoutResponse(found=False)
            result = pb.PayoutResult()
            result.CopyFrom(sent.result)
        return pb.GetPayoutResponse(found=True, result=result)


class ProviderDoubleServer:
    """The double served over real gRPC on a free port (with the internal token, like the real gateway)."""

    def __init__(self, double: ProviderDouble | None = None, *, port: int = 0) -> None:
        self.double = double or ProviderDouble()
        servicer = _Servicer(self.double)

        def register(server: grpc.aio.Server) -> list[str]:
            pb_grpc.add_PaymentGatewayServicer_to_server(servicer, server)
            return [pb.DESCRIPTOR.services_by_name["PaymentGateway"].full_name]

        self.server = RunningServer(lambda: start_server(register=register, token=TEST_TOKEN, port=port))
        self.address = self.server.address

    def stop(self) -> None:
        self.server.stop()
