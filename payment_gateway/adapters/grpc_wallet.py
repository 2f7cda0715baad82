"""The wallet port over gRPC: ``winzone.wallet.v1.WalletService`` ``Credit`` and ``GetTransaction`` for top-ups;
``Recover``, ``CreateHold`` (``up_to_available``), ``CaptureHold`` and ``VoidHold`` for refunds and disputes.

Built on a ``winzone_kernel.grpc_client.service_channel``: a failed call raises the wallet's own domain
error (``IdempotencyConflict``, ``NotFound``, ``Unavailable`` ...), so nothing here catches gRPC errors.
"""

from __future__ import annotations

import grpc

from payment_gateway.domain.deposits import DepositControls
from payment_gateway.domain.model import CHARGEBACK_TRANSACTION_TYPE, DISPUTE_HOLD_TYPE, TOPUP_TRANSACTION_TYPE
from payment_gateway.domain.ports import Wallet
from payment_gateway.domain.wallet import DisputeHold, LedgerTransaction, Recovered, Recovery, TopUpCredit
from winzone.wallet.v1 import wallet_pb2, wallet_pb2_grpc


def ledger_transaction(t: wallet_pb2.Transaction) -> LedgerTransaction:
    """A wallet transaction message as the port's value type."""
    return LedgerTransaction(
        id=t.id, user_id=t.user_id, type=t.type, amount=t.amount, currency=t.currency, status=t.status,
        source=t.source, description=t.description, idempotency_key=t.idempotency_key,
        balance_after=t.balance_after if t.HasField("balance_after") else None, created_at=t.created_at,
        updated_at=t.updated_at, account=t.account, entry_id=t.entry_id, metadata=dict(t.metadata),
    )


def transaction_message(t: LedgerTransaction) -> wallet_pb2.Transaction:
    """The port's value type back as the wallet's message (for responses that embed it)."""
    msg = wallet_pb2.Transaction(
        id=t.id, user_id=t.user_id, account=t.account, type=t.type, amount=t.amount, currency=t.currency,
        source=t.source, status=t.status, description=t.description, metadata=dict(t.metadata),
        idempotency_key=t.idempotency_key, entry_id=t.entry_id, created_at=t.created_at, updated_at=t.updated_at,
    )
    if t.balance_after is not None:
        msg.balance_after = t.balance_after
    return msg


def credit_request(credit: TopUpCredit) -> wallet_pb2.CreditRequest:
    """The wallet's ``CreditRequest`` for a top-up credit."""
    return wallet_pb2.CreditRequest(
        idempotency_key=credit.key, user_id=credit.user_id, amount=credit.amount, currency=credit.currency,
        type=TOPUP_TRANSACTION_TYPE, counter_account=credit.counter_account, source=credit.source,
        description=credit.description, metadata=dict(credit.metadata),
    )


class GrpcWallet(Wallet):
    """Calls the wallet service on a ``service_channel`` (token, deadline and error translation come with it)."""

    def __init__(self, channel: grpc.aio.Channel) -> None:
        self._stub = wallet_pb2_grpc.WalletServiceStub(channel)

    async def credit(self, credit: TopUpCredit) -> LedgerTransaction:
        result = await self._stub.Credit(credit_request(credit))
        for transaction in result.transactions:
            if transaction.user_id == credit.user_id and transaction.amount > 0:
                return ledger_transaction(transaction)
        raise RuntimeError("the wallet's credit result has no leg for the credited user")

    async def controls(self, user_id: str, currency: str) -> DepositControls:
        found = await self._stub.GetPlayerControls(wallet_pb2.GetPlayerControlsRequest(user_id=user_id,
                                                                                       currency=currency))
        return DepositControls(
            self_excluded=found.self_excluded,
            excluded_until=found.excluded_until if found.HasField("excluded_until") else None,
            deposit_daily=found.deposit_daily if found.HasField("deposit_daily") else None,
            deposit_monthly=found.deposit_monthly if found.HasField("deposit_monthly") else None,
        )

    async def transaction(self, transaction_id: str) -> LedgerTransaction:
        found = await self._stub.GetTransaction(wallet_pb2.GetTransactionRequest(transaction_id=transaction_id))
        return ledger_transaction(found)

    async def recover(self, recovery: Recovery) -> Recovered:
        result = await self._stub.Recover(wallet_pb2.RecoverRequest(
            idempotency_key=recovery.key, user_id=recovery.user_id, amount=recovery.amount,
            currency=recovery.currency, counter_account=recovery.counter_account, type=CHARGEBACK_TRANSACTION_TYPE,
            source=recovery.source, description=recovery.description, metadata=dict(recovery.metadata),
        ))
        return Recovered(result.entry_id, result.recovered, result.shortfall)

    async def hold_up_to(self, hold: DisputeHold) -> int:
        result = await self._stub.CreateHold(wallet_pb2.CreateHoldRequest(
            idempotency_key=hold.key, hold_id=hold.hold_id, user_id=hold.user_id, amount=hold.amount,
            currency=hold.currency, type=DISPUTE_HOLD_TYPE, source=hold.source, description=hold.description,
            metadata=dict(hold.metadata), up_to_available=True,
        ))
        return int(result.hold.amount)

    async def capture_hold(self, hold_id: str, key: str, counter_account: str, description: str) -> int:
        result = await self._stub.CaptureHold(wallet_pb2.CaptureHoldRequest(
            idempotency_key=key, hold_id=hold_id, counter_account=counter_account, description=description))
        return int(result.hold.amount)

    async def void_hold(self, hold_id: str, key: str, reason: str) -> int:
        result = await self._stub.VoidHold(wallet_pb2.VoidHoldRequest(idempotency_key=key, hold_id=hold_id,
                                                                      reason=reason))
        return int(result.hold.amount)
