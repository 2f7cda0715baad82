"""Reads of the ledger: a wallet, transactions (listed or one), and the audit of every invariant."""

from __future__ import annotations

from wallet_service.domain.accounts import check_id, receivable_account, user_account
from wallet_service.domain.activity import (
    COUNTED_TYPES,
    SYSTEM_TYPES,
    ActivityDay,
    ActivityFigures,
    ActivityQuery,
    summarize,
)
from wallet_service.domain.audit import AuditReport, audit
from wallet_service.domain.model import (
    TX_STATUSES,
    TX_TYPES,
    TransactionFilter,
    TransactionPage,
    TransactionRecord,
    WalletView,
)
from wallet_service.domain.policy import DEFAULT_POLICY, LedgerPolicy
from wallet_service.domain.ports import LedgerStore
from winzone_kernel.errors import InvalidArgument, NotFound
from winzone_kernel.money import currency_of

MAX_PAGE_SIZE = 100


class Queries:
    """Validated reads straight from the store; they block, so an event loop runs them in a thread."""

    def __init__(self, store: LedgerStore, policy: LedgerPolicy = DEFAULT_POLICY) -> None:
        self._store = store
        self._policy = policy

    def wallet(self, user_id: str, currency: str) -> WalletView:
        """A user's wallet in ``currency`` (INR when empty), with what the user owes; all zero before its first use."""
        account = user_account(user_id)
        code = currency_of(currency or "INR").code
        owed = self._store.get_account(receivable_account(user_id), code)
        return WalletView.of(user_id, self._store.get_account(account, code), code,
                             0 if owed is None else max(0, -owed.balance), self._policy)

    def transactions(self, flt: TransactionFilter) -> TransactionPage:
        """A page of the transactions matching ``flt``, newest first, with the total."""
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
        return self._store.list_transactions(flt)

    def transaction(self, tx_id: str) -> TransactionRecord:
        """One transaction by id (``NotFound`` when unknown)."""
        if not tx_id or len(tx_id) > 200:
            raise InvalidArgument("transaction_id is required")
        record = self._store.get_transaction(tx_id)
        if record is None:
            raise NotFound("Transaction not found", code="TRANSACTION_NOT_FOUND")
        return record

    def activity(self, from_date: str, to_date: str, currency: str
                 ) -> tuple[ActivityQuery, list[ActivityDay], ActivityFigures]:
        """Money moved per UTC day of a range (every day present) and its totals, from completed legs."""
        query = ActivityQuery.build(from_date, to_date, currency)
        rows = self._store.activity(query.currency, query.start, query.end, COUNTED_TYPES, SYSTEM_TYPES)
        days, totals = summarize(query, rows)
        return query, days, totals

    def audit(self) -> AuditReport:
        """Every ledger invariant, checked over one consistent snapshot of the store."""
        return audit(self._store.audit_facts())
