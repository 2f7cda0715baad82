"""The gateway's outbound gRPC clients: one translating channel and one stub per backing service."""

from __future__ import annotations

from typing import Any

import grpc

from winzone.audit.v1 import audit_pb2_grpc
from winzone.payments.v1 import payments_pb2_grpc
from winzone.payouts.v1 import payouts_pb2_grpc
from winzone.rewards.v1 import rewards_pb2_grpc
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.config import CommonSettings
from winzone_kernel.grpc_client import DEFAULT_DEADLINE_SECONDS, service_channel

STUBS: dict[str, type] = {
    "wallet": wallet_pb2_grpc.WalletServiceStub,
    "rewards": rewards_pb2_grpc.RewardServiceStub,
    "payments": payments_pb2_grpc.PaymentGatewayStub,
    "payouts": payouts_pb2_grpc.PayoutServiceStub,
    "auditor": audit_pb2_grpc.AuditServiceStub,
}
"""The gRPC services the gateway calls, by service name (see ``winzone_kernel.config.DEFAULT_PORTS``)."""

DEADLINES = {"payments": 45.0, "auditor": 120.0}
"""Per-service call deadlines: the payment gateway may wait on a provider (Stripe: bounded retries); the auditor
reads every store and the provider's records, and runs one audit at a time."""


def open_channels(common: CommonSettings) -> dict[str, grpc.aio.Channel]:
    """A channel per backing service; a failed call raises the domain error the service answered with."""
    return {
        name: service_channel(common.addresses[name], common.internal_token,
                              deadline=DEADLINES.get(name, DEFAULT_DEADLINE_SECONDS))
        for name in STUBS
    }


def stubs_for(channels: dict[str, grpc.aio.Channel]) -> dict[str, Any]:
    """The stub of every backing service over its channel."""
    return {name: stub(channels[name]) for name, stub in STUBS.items()}
