"""The wallet's application service: validated commands in, ledger rules run atomically in the store."""

from __future__ import annotations

from typing import Any

from wallet_service.domain import ledger
from wallet_service.domain.accounts import check_id, user_account
from wallet_service.domain.audit import AuditReport, audit
from wallet_service.domain.commands import (
    CreateHoldCommand,
    MoveCommand,
    PostCommand,
    SettleHoldCommand,
    TransferCommand,
)
from wallet_service.domain.model import (
    TX_STATUSES,
    TX_TYPES,
    HoldOutcome,
    PostingOutcome,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
    WalletView,
)
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.errors import InvalidArgument, NotFound
from winzone_kernel.ids import new_id
from winzone_kernel.money import currency_of

MAX_PAGE_SIZE = 100


class WalletService:
    """Use cases of the ledger. Every write runs in one atomic unit of work of the store."""

    def __init__(self, store: LedgerStore) -> None:
        self.store = store

    async def credit(self, **fields: Any) -> PostingOutcome:
        cmd = MoveCommand.build(direction=1, **fields)
        return await self.store.atomic_async(lambda uow: ledger.move(uow, cmd))

    async def debit(self, **fields: Any) -> PostingOutcome:
        cmd = MoveCommand.build(direction=-1, **fields)
        return await self.store.atomic_async(lambda uow: ledger.move(uow, cmd))

    async def transfer(self, **fields: Any) -> PostingOutcome:
        cmd = TransferCommand.build(**fields)
        return await self.store.atomic_async(lambda uow: ledger.transfer(uow, cmd))

    async def post(self, **fields: Any) -> PostingOutcome:
        cmd = PostCommand.build(**fields)
        return await self.store.atomic_async(lambda uow: ledger.post(uow, cmd))

    async def create_hold(self, **fields: Any) -> HoldOutcome:
        cmd = CreateHoldCommand.build(new_hold_id=new_id("hold"), **fields)
        return await self.store.atomic_async(lambda uow: ledger.create_hold(uow, cmd))

    async def capture_hold(self, **fields: Any) -> HoldOutcome:
        cmd = SettleHoldCommand.build(capture=True, **fields)
        return await self.store.atomic_async(lambda uow: ledger.settle_hold(uow, cmd))

    async def void_hold(self, **fields: Any) -> HoldOutcome:
        cmd = SettleHoldCommand.build(capture=False, **fields)
        return await self.store.atomic_async(lambda uow: ledger.settle_hold(uow, cmd))

    def wallet(self, user_id: str, currency: str) -> WalletView:
        account = user_account(user_id)
        code = currency_of(currency or "INR").code
        return WalletView.of(user_id, self.store.get_account(account, code), code)

    def transactions(self, flt: TransactionFilter) -> TransactionPage:
        if flt.user_id:
            check_id(flt.user_id, "user_id")
        if flt.type and flt.type not in TX_TYPES:
            raise InvalidArgument(f"type must be one of {sorted(TX_TYPES)}", code="INVALID_TYPE")
        if flt.status and flt.status not in TX_STATUSES:
            raise InvalidArgument(f"status must be one of {sorted(TX_STATUSES)}", code="INVALID_STATUS")
        if flt.currency:
            currency_of(flt.currency)
        if flt.page < 1 or not 1 <= flt.limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"page must be >= 1 and limit between 1 and {MAX_PAGE_SIZE}", code="INVALID_PAGE")
        return self.store.list_transactions(flt)

    def transaction(self, tx_id: str) -> TransactionRecord:
        if not tx_id or len(tx_id) > 200:
            raise InvalidArgument("transaction_id is required")
        record = self.store.get_transaction(tx_id)
        if record is None:
            raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
        return record

    def audit(self) -> AuditReport:
        return audit(self.store.audit_facts())
