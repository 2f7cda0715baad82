from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Funds(_message.Message):
    __slots__ = ("deposit", "winnings", "bonus")
    DEPOSIT_FIELD_NUMBER: _ClassVar[int]
    WINNINGS_FIELD_NUMBER: _ClassVar[int]
    BONUS_FIELD_NUMBER: _ClassVar[int]
    deposit: int
    winnings: int
    bonus: int
    def __init__(self, deposit: _Optional[int] = ..., winnings: _Optional[int] = ..., bonus: _Optional[int] = ...) -> None: ...

class Wallet(_message.Message):
    __slots__ = ("user_id", "currency", "balance", "held", "available", "total_earnings", "receivable", "restricted", "funds", "held_funds", "withdrawable")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_FIELD_NUMBER: _ClassVar[int]
    HELD_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    TOTAL_EARNINGS_FIELD_NUMBER: _ClassVar[int]
    RECEIVABLE_FIELD_NUMBER: _ClassVar[int]
    RESTRICTED_FIELD_NUMBER: _ClassVar[int]
    FUNDS_FIELD_NUMBER: _ClassVar[int]
    HELD_FUNDS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWABLE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    balance: int
    held: int
    available: int
    total_earnings: int
    receivable: int
    restricted: bool
    funds: Funds
    held_funds: Funds
    withdrawable: int
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., balance: _Optional[int] = ..., held: _Optional[int] = ..., available: _Optional[int] = ..., total_earnings: _Optional[int] = ..., receivable: _Optional[int] = ..., restricted: _Optional[bool] = ..., funds: _Optional[_Union[Funds, _Mapping]] = ..., held_funds: _Optional[_Union[Funds, _Mapping]] = ..., withdrawable: _Optional[int] = ...) -> None: ...

class Transaction(_message.Message):
    __slots__ = ("id", "user_id", "account", "type", "amount", "currency", "source", "status", "description", "metadata", "idempotency_key", "balance_after", "entry_id", "hold_id", "created_at", "updated_at", "posted_at", "funds", "fund")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    BALANCE_AFTER_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    POSTED_AT_FIELD_NUMBER: _ClassVar[int]
    FUNDS_FIELD_NUMBER: _ClassVar[int]
    FUND_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    account: str
    type: str
    amount: int
    currency: str
    source: str
    status: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    idempotency_key: str
    balance_after: int
    entry_id: str
    hold_id: str
    created_at: str
    updated_at: str
    posted_at: str
    funds: Funds
    fund: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., account: _Optional[str] = ..., type: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., source: _Optional[str] = ..., status: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., idempotency_key: _Optional[str] = ..., balance_after: _Optional[int] = ..., entry_id: _Optional[str] = ..., hold_id: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., posted_at: _Optional[str] = ..., funds: _Optional[_Union[Funds, _Mapping]] = ..., fund: _Optional[str] = ...) -> None: ...

class GetWalletRequest(_message.Message):
    __slots__ = ("user_id", "currency", "recent_limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    RECENT_LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    recent_limit: int
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., recent_limit: _Optional[int] = ...) -> None: ...

class GetWalletResponse(_message.Message):
    __slots__ = ("wallet", "recent_transactions", "bonus_grants")
    WALLET_FIELD_NUMBER: _ClassVar[int]
    RECENT_TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    BONUS_GRANTS_FIELD_NUMBER: _ClassVar[int]
    wallet: Wallet
    recent_transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    bonus_grants: _containers.RepeatedCompositeFieldContainer[BonusGrant]
    def __init__(self, wallet: _Optional[_Union[Wallet, _Mapping]] = ..., recent_transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., bonus_grants: _Optional[_Iterable[_Union[BonusGrant, _Mapping]]] = ...) -> None: ...

class ListTransactionsRequest(_message.Message):
    __slots__ = ("user_id", "type", "status", "currency", "page", "limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    type: str
    status: str
    currency: str
    page: int
    limit: int
    def __init__(self, user_id: _Optional[str] = ..., type: _Optional[str] = ..., status: _Optional[str] = ..., currency: _Optional[str] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListTransactionsResponse(_message.Message):
    __slots__ = ("transactions", "total", "page", "limit")
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    total: int
    page: int
    limit: int
    def __init__(self, transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class GetTransactionRequest(_message.Message):
    __slots__ = ("transaction_id",)
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    transaction_id: str
    def __init__(self, transaction_id: _Optional[str] = ...) -> None: ...

class CreditRequest(_message.Message):
    __slots__ = ("idempotency_key", "user_id", "amount", "currency", "type", "counter_account", "source", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    user_id: str
    amount: int
    currency: str
    type: str
    counter_account: str
    source: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., type: _Optional[str] = ..., counter_account: _Optional[str] = ..., source: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class DebitRequest(_message.Message):
    __slots__ = ("idempotency_key", "user_id", "amount", "currency", "type", "counter_account", "source", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    COUNTER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    user_id: str
    amount: int
    currency: str
    type: str
    counter_account: str
    source: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., type: _Optional[str] = ..., counter_account: _Optional[str] = ..., source: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class TransferRequest(_message.Message):
    __slots__ = ("idempotency_key", "from_user_id", "to_user_id", "amount", "currency", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    FROM_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TO_USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    from_user_id: str
    to_user_id: str
    amount: int
    currency: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., from_user_id: _Optional[str] = ..., to_user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class Leg(_message.Message):
    __slots__ = ("account", "amount", "currency", "type", "description", "idempotency_key", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    account: str
    amount: int
    currency: str
    type: str
    description: str
    idempotency_key: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, account: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., type: _Optional[str] = ..., description: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PostRequest(_message.Message):
    __slots__ = ("idempotency_key", "legs", "source", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LEGS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    legs: _containers.RepeatedCompositeFieldContainer[Leg]
    source: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., legs: _Optional[_Iterable[_Union[Leg, _Mapping]]] = ..., source: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PostingResult(_message.Message):
    __slots__ = ("entry_id", "transactions", "wallets", "replayed")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    WALLETS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    wallets: _containers.RepeatedCompositeFieldContainer[Wallet]
    replayed: bool
    def __init__(self, entry_id: _Optional[str] = ..., transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., wallets: _Optional[_Iterable[_Union[Wallet, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class PostBatchRequest(_message.Message):
    __slots__ = ("entries",)
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[PostRequest]
    def __init__(self, entries: _Optional[_Iterable[_Union[PostRequest, _Mapping]]] = ...) -> None: ...

class EntryError(_message.Message):
    __slots__ = ("status", "code", "message")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    status: str
    code: str
    message: str
    def __init__(self, status: _Optional[str] = ..., code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class EntryResult(_message.Message):
    __slots__ = ("posting", "error")
    POSTING_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    posting: PostingResult
    error: EntryError
    def __init__(self, posting: _Optional[_Union[PostingResult, _Mapping]] = ..., error: _Optional[_Union[EntryError, _Mapping]] = ...) -> None: ...

class PostBatchResponse(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[EntryResult]
    def __init__(self, results: _Optional[_Iterable[_Union[EntryResult, _Mapping]]] = ...) -> None: ...

class Hold(_message.Message):
    __slots__ = ("id", "user_id", "currency", "amount", "status", "transaction_id", "created_at", "updated_at", "funds", "tds", "net_amount", "net_winnings", "financial_year")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    FUNDS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    currency: str
    amount: int
    status: str
    transaction_id: str
    created_at: str
    updated_at: str
    funds: Funds
    tds: int
    net_amount: int
    net_winnings: int
    financial_year: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., currency: _Optional[str] = ..., amount: _Optional[int] = ..., status: _Optional[str] = ..., transaction_id: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., funds: _Optional[_Union[Funds, _Mapping]] = ..., tds: _Optional[int] = ..., net_amount: _Optional[int] = ..., net_winnings: _Optional[int] = ..., financial_year: _Optional[str] = ...) -> None: ...

class CreateHoldRequest(_message.Message):
    __slots__ = ("idempotency_key", "hold_id", "user_id", "amount", "currency", "type", "source", "description", "metadata", "up_to_available")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    UP_TO_AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    hold_id: str
    user_id: str
    amount: int
    currency: str
    type: str
    source: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    up_to_available: bool
    def __init__(self, idempotency_key: _Optional[str] = ..., hold_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., type: _Optional[str] = ..., source: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ..., up_to_available: _Optional[bool] = ...) -> None: ...

class CaptureHoldRequest(_message.Message):
    __slots__ = ("idempotency_key", "hold_id", "counter_account", "description")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    hold_id: str
    counter_account: str
    description: str
    def __init__(self, idempotency_key: _Optional[str] = ..., hold_id: _Optional[str] = ..., counter_account: _Optional[str] = ..., description: _Optional[str] = ...) -> None: ...

class VoidHoldRequest(_message.Message):
    __slots__ = ("idempotency_key", "hold_id", "reason")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    HOLD_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    hold_id: str
    reason: str
    def __init__(self, idempotency_key: _Optional[str] = ..., hold_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class HoldResult(_message.Message):
    __slots__ = ("hold", "transaction", "wallet", "replayed")
    HOLD_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    WALLET_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    hold: Hold
    transaction: Transaction
    wallet: Wallet
    replayed: bool
    def __init__(self, hold: _Optional[_Union[Hold, _Mapping]] = ..., transaction: _Optional[_Union[Transaction, _Mapping]] = ..., wallet: _Optional[_Union[Wallet, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class AuditRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CurrencyTotal(_message.Message):
    __slots__ = ("currency", "sum_of_balances")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SUM_OF_BALANCES_FIELD_NUMBER: _ClassVar[int]
    currency: str
    sum_of_balances: int
    def __init__(self, currency: _Optional[str] = ..., sum_of_balances: _Optional[int] = ...) -> None: ...

class AuditResponse(_message.Message):
    __slots__ = ("ok", "violations", "accounts_checked", "transactions_checked", "holds_checked", "totals")
    OK_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    ACCOUNTS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    HOLDS_CHECKED_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    violations: _containers.RepeatedScalarFieldContainer[str]
    accounts_checked: int
    transactions_checked: int
    holds_checked: int
    totals: _containers.RepeatedCompositeFieldContainer[CurrencyTotal]
    def __init__(self, ok: _Optional[bool] = ..., violations: _Optional[_Iterable[str]] = ..., accounts_checked: _Optional[int] = ..., transactions_checked: _Optional[int] = ..., holds_checked: _Optional[int] = ..., totals: _Optional[_Iterable[_Union[CurrencyTotal, _Mapping]]] = ...) -> None: ...

class RecoverRequest(_message.Message):
    __slots__ = ("idempotency_key", "user_id", "amount", "currency", "counter_account", "type", "source", "description", "metadata")
    class MetadataEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    COUNTER_ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    user_id: str
    amount: int
    currency: str
    counter_account: str
    type: str
    source: str
    description: str
    metadata: _containers.ScalarMap[str, str]
    def __init__(self, idempotency_key: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., counter_account: _Optional[str] = ..., type: _Optional[str] = ..., source: _Optional[str] = ..., description: _Optional[str] = ..., metadata: _Optional[_Mapping[str, str]] = ...) -> None: ...

class RecoverResult(_message.Message):
    __slots__ = ("entry_id", "transactions", "wallet", "recovered", "shortfall", "replayed")
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSACTIONS_FIELD_NUMBER: _ClassVar[int]
    WALLET_FIELD_NUMBER: _ClassVar[int]
    RECOVERED_FIELD_NUMBER: _ClassVar[int]
    SHORTFALL_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    entry_id: str
    transactions: _containers.RepeatedCompositeFieldContainer[Transaction]
    wallet: Wallet
    recovered: int
    shortfall: int
    replayed: bool
    def __init__(self, entry_id: _Optional[str] = ..., transactions: _Optional[_Iterable[_Union[Transaction, _Mapping]]] = ..., wallet: _Optional[_Union[Wallet, _Mapping]] = ..., recovered: _Optional[int] = ..., shortfall: _Optional[int] = ..., replayed: _Optional[bool] = ...) -> None: ...

class SummarizeActivityRequest(_message.Message):
    __slots__ = ("from_date", "to_date", "currency")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    currency: str
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class ActivityFigures(_message.Message):
    __slots__ = ("topups", "payouts", "entry_fees", "rewards", "platform_fees", "organizer_fees", "refunds")
    TOPUPS_FIELD_NUMBER: _ClassVar[int]
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FEES_FIELD_NUMBER: _ClassVar[int]
    REWARDS_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEES_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FEES_FIELD_NUMBER: _ClassVar[int]
    REFUNDS_FIELD_NUMBER: _ClassVar[int]
    topups: int
    payouts: int
    entry_fees: int
    rewards: int
    platform_fees: int
    organizer_fees: int
    refunds: int
    def __init__(self, topups: _Optional[int] = ..., payouts: _Optional[int] = ..., entry_fees: _Optional[int] = ..., rewards: _Optional[int] = ..., platform_fees: _Optional[int] = ..., organizer_fees: _Optional[int] = ..., refunds: _Optional[int] = ...) -> None: ...

class ActivityDay(_message.Message):
    __slots__ = ("date", "figures")
    DATE_FIELD_NUMBER: _ClassVar[int]
    FIGURES_FIELD_NUMBER: _ClassVar[int]
    date: str
    figures: ActivityFigures
    def __init__(self, date: _Optional[str] = ..., figures: _Optional[_Union[ActivityFigures, _Mapping]] = ...) -> None: ...

class ActivitySummary(_message.Message):
    __slots__ = ("from_date", "to_date", "currency", "days", "totals")
    FROM_DATE_FIELD_NUMBER: _ClassVar[int]
    TO_DATE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    from_date: str
    to_date: str
    currency: str
    days: _containers.RepeatedCompositeFieldContainer[ActivityDay]
    totals: ActivityFigures
    def __init__(self, from_date: _Optional[str] = ..., to_date: _Optional[str] = ..., currency: _Optional[str] = ..., days: _Optional[_Iterable[_Union[ActivityDay, _Mapping]]] = ..., totals: _Optional[_Union[ActivityFigures, _Mapping]] = ...) -> None: ...

class GetPlayerControlsRequest(_message.Message):
    __slots__ = ("user_id", "currency")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class PendingLimit(_message.Message):
    __slots__ = ("limit", "amount", "effective_at", "requested_at")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_AT_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    limit: str
    amount: int
    effective_at: str
    requested_at: str
    def __init__(self, limit: _Optional[str] = ..., amount: _Optional[int] = ..., effective_at: _Optional[str] = ..., requested_at: _Optional[str] = ...) -> None: ...

class PlayerControls(_message.Message):
    __slots__ = ("user_id", "currency", "deposit_daily", "deposit_monthly", "entry_daily", "pending", "self_excluded", "excluded_until", "excluded_permanently", "excluded_at", "updated_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_DAILY_FIELD_NUMBER: _ClassVar[int]
    DEPOSIT_MONTHLY_FIELD_NUMBER: _ClassVar[int]
    ENTRY_DAILY_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    SELF_EXCLUDED_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_UNTIL_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_PERMANENTLY_FIELD_NUMBER: _ClassVar[int]
    EXCLUDED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    deposit_daily: int
    deposit_monthly: int
    entry_daily: int
    pending: _containers.RepeatedCompositeFieldContainer[PendingLimit]
    self_excluded: bool
    excluded_until: str
    excluded_permanently: bool
    excluded_at: str
    updated_at: str
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., deposit_daily: _Optional[int] = ..., deposit_monthly: _Optional[int] = ..., entry_daily: _Optional[int] = ..., pending: _Optional[_Iterable[_Union[PendingLimit, _Mapping]]] = ..., self_excluded: _Optional[bool] = ..., excluded_until: _Optional[str] = ..., excluded_permanently: _Optional[bool] = ..., excluded_at: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class LimitChange(_message.Message):
    __slots__ = ("limit", "amount", "remove")
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMOVE_FIELD_NUMBER: _ClassVar[int]
    limit: str
    amount: int
    remove: bool
    def __init__(self, limit: _Optional[str] = ..., amount: _Optional[int] = ..., remove: _Optional[bool] = ...) -> None: ...

class SetLimitsRequest(_message.Message):
    __slots__ = ("user_id", "currency", "changes")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    changes: _containers.RepeatedCompositeFieldContainer[LimitChange]
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., changes: _Optional[_Iterable[_Union[LimitChange, _Mapping]]] = ...) -> None: ...

class SelfExcludeRequest(_message.Message):
    __slots__ = ("user_id", "days", "permanent")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    PERMANENT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    days: int
    permanent: bool
    def __init__(self, user_id: _Optional[str] = ..., days: _Optional[int] = ..., permanent: _Optional[bool] = ...) -> None: ...

class BonusGrant(_message.Message):
    __slots__ = ("id", "user_id", "currency", "amount", "remaining", "reason", "expires_at", "status", "granted_by", "transaction_id", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    REMAINING_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    currency: str
    amount: int
    remaining: int
    reason: str
    expires_at: str
    status: str
    granted_by: str
    transaction_id: str
    created_at: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., currency: _Optional[str] = ..., amount: _Optional[int] = ..., remaining: _Optional[int] = ..., reason: _Optional[str] = ..., expires_at: _Optional[str] = ..., status: _Optional[str] = ..., granted_by: _Optional[str] = ..., transaction_id: _Optional[str] = ..., created_at: _Optional[str] = ...) -> None: ...

class GrantBonusRequest(_message.Message):
    __slots__ = ("idempotency_key", "user_id", "amount", "currency", "reason", "expires_at", "granted_by")
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    GRANTED_BY_FIELD_NUMBER: _ClassVar[int]
    idempotency_key: str
    user_id: str
    amount: int
    currency: str
    reason: str
    expires_at: str
    granted_by: str
    def __init__(self, idempotency_key: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., reason: _Optional[str] = ..., expires_at: _Optional[str] = ..., granted_by: _Optional[str] = ...) -> None: ...

class GrantBonusResult(_message.Message):
    __slots__ = ("grant", "posting")
    GRANT_FIELD_NUMBER: _ClassVar[int]
    POSTING_FIELD_NUMBER: _ClassVar[int]
    grant: BonusGrant
    posting: PostingResult
    def __init__(self, grant: _Optional[_Union[BonusGrant, _Mapping]] = ..., posting: _Optional[_Union[PostingResult, _Mapping]] = ...) -> None: ...

class ExpireBonusesRequest(_message.Message):
    __slots__ = ("limit",)
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    limit: int
    def __init__(self, limit: _Optional[int] = ...) -> None: ...

class ExpireBonusesResponse(_message.Message):
    __slots__ = ("expired", "more")
    EXPIRED_FIELD_NUMBER: _ClassVar[int]
    MORE_FIELD_NUMBER: _ClassVar[int]
    expired: _containers.RepeatedCompositeFieldContainer[BonusGrant]
    more: bool
    def __init__(self, expired: _Optional[_Iterable[_Union[BonusGrant, _Mapping]]] = ..., more: _Optional[bool] = ...) -> None: ...

class EstimateTdsRequest(_message.Message):
    __slots__ = ("user_id", "amount", "currency")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: int
    currency: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ...) -> None: ...

class TdsEstimate(_message.Message):
    __slots__ = ("amount", "tds", "net_amount", "net_winnings", "financial_year", "tds_rate", "withdrawable")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    TDS_RATE_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWABLE_FIELD_NUMBER: _ClassVar[int]
    amount: int
    tds: int
    net_amount: int
    net_winnings: int
    financial_year: str
    tds_rate: str
    withdrawable: int
    def __init__(self, amount: _Optional[int] = ..., tds: _Optional[int] = ..., net_amount: _Optional[int] = ..., net_winnings: _Optional[int] = ..., financial_year: _Optional[str] = ..., tds_rate: _Optional[str] = ..., withdrawable: _Optional[int] = ...) -> None: ...

class GetStatementRequest(_message.Message):
    __slots__ = ("user_id", "currency", "to")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    to: str
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., to: _Optional[str] = ..., **kwargs) -> None: ...

class StatementLine(_message.Message):
    __slots__ = ("transaction", "funds_after")
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    FUNDS_AFTER_FIELD_NUMBER: _ClassVar[int]
    transaction: Transaction
    funds_after: Funds
    def __init__(self, transaction: _Optional[_Union[Transaction, _Mapping]] = ..., funds_after: _Optional[_Union[Funds, _Mapping]] = ...) -> None: ...

class TypeTotal(_message.Message):
    __slots__ = ("type", "credits", "debits", "count")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    CREDITS_FIELD_NUMBER: _ClassVar[int]
    DEBITS_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    type: str
    credits: int
    debits: int
    count: int
    def __init__(self, type: _Optional[str] = ..., credits: _Optional[int] = ..., debits: _Optional[int] = ..., count: _Optional[int] = ...) -> None: ...

class Statement(_message.Message):
    __slots__ = ("user_id", "currency", "to", "opening", "closing", "lines", "totals", "truncated")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    OPENING_FIELD_NUMBER: _ClassVar[int]
    CLOSING_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTALS_FIELD_NUMBER: _ClassVar[int]
    TRUNCATED_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    to: str
    opening: Funds
    closing: Funds
    lines: _containers.RepeatedCompositeFieldContainer[StatementLine]
    totals: _containers.RepeatedCompositeFieldContainer[TypeTotal]
    truncated: bool
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., to: _Optional[str] = ..., opening: _Optional[_Union[Funds, _Mapping]] = ..., closing: _Optional[_Union[Funds, _Mapping]] = ..., lines: _Optional[_Iterable[_Union[StatementLine, _Mapping]]] = ..., totals: _Optional[_Iterable[_Union[TypeTotal, _Mapping]]] = ..., truncated: _Optional[bool] = ..., **kwargs) -> None: ...

class GetTaxStatementRequest(_message.Message):
    __slots__ = ("user_id", "currency", "financial_year")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    financial_year: str
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., financial_year: _Optional[str] = ...) -> None: ...

class TaxWithdrawal(_message.Message):
    __slots__ = ("payout_id", "date", "amount", "net_winnings", "tds", "status")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    date: str
    amount: int
    net_winnings: int
    tds: int
    status: str
    def __init__(self, payout_id: _Optional[str] = ..., date: _Optional[str] = ..., amount: _Optional[int] = ..., net_winnings: _Optional[int] = ..., tds: _Optional[int] = ..., status: _Optional[str] = ...) -> None: ...

class YearEnd(_message.Message):
    __slots__ = ("closing_balance", "net_winnings", "tds", "closed_at", "next_opening_balance")
    CLOSING_BALANCE_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    NEXT_OPENING_BALANCE_FIELD_NUMBER: _ClassVar[int]
    closing_balance: int
    net_winnings: int
    tds: int
    closed_at: str
    next_opening_balance: int
    def __init__(self, closing_balance: _Optional[int] = ..., net_winnings: _Optional[int] = ..., tds: _Optional[int] = ..., closed_at: _Optional[str] = ..., next_opening_balance: _Optional[int] = ...) -> None: ...

class TaxStatement(_message.Message):
    __slots__ = ("user_id", "currency", "financial_year", "tds_rate", "opening_balance", "deposits", "withdrawals", "net_winnings", "tds", "entries", "year_end")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    TDS_RATE_FIELD_NUMBER: _ClassVar[int]
    OPENING_BALANCE_FIELD_NUMBER: _ClassVar[int]
    DEPOSITS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWALS_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    YEAR_END_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    currency: str
    financial_year: str
    tds_rate: str
    opening_balance: int
    deposits: int
    withdrawals: int
    net_winnings: int
    tds: int
    entries: _containers.RepeatedCompositeFieldContainer[TaxWithdrawal]
    year_end: YearEnd
    def __init__(self, user_id: _Optional[str] = ..., currency: _Optional[str] = ..., financial_year: _Optional[str] = ..., tds_rate: _Optional[str] = ..., opening_balance: _Optional[int] = ..., deposits: _Optional[int] = ..., withdrawals: _Optional[int] = ..., net_winnings: _Optional[int] = ..., tds: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[TaxWithdrawal, _Mapping]]] = ..., year_end: _Optional[_Union[YearEnd, _Mapping]] = ...) -> None: ...

class TdsReportRequest(_message.Message):
    __slots__ = ("financial_year", "quarter", "currency")
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    financial_year: str
    quarter: str
    currency: str
    def __init__(self, financial_year: _Optional[str] = ..., quarter: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class TdsLine(_message.Message):
    __slots__ = ("user_id", "quarter", "net_winnings", "tds", "withdrawals")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    QUARTER_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWALS_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    quarter: str
    net_winnings: int
    tds: int
    withdrawals: int
    def __init__(self, user_id: _Optional[str] = ..., quarter: _Optional[str] = ..., net_winnings: _Optional[int] = ..., tds: _Optional[int] = ..., withdrawals: _Optional[int] = ...) -> None: ...

class TdsReportResponse(_message.Message):
    __slots__ = ("financial_year", "currency", "lines", "total_net_winnings", "total_tds")
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TDS_FIELD_NUMBER: _ClassVar[int]
    financial_year: str
    currency: str
    lines: _containers.RepeatedCompositeFieldContainer[TdsLine]
    total_net_winnings: int
    total_tds: int
    def __init__(self, financial_year: _Optional[str] = ..., currency: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[TdsLine, _Mapping]]] = ..., total_net_winnings: _Optional[int] = ..., total_tds: _Optional[int] = ...) -> None: ...

class CloseTaxYearRequest(_message.Message):
    __slots__ = ("financial_year", "currency")
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    financial_year: str
    currency: str
    def __init__(self, financial_year: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class CloseTaxYearResponse(_message.Message):
    __slots__ = ("financial_year", "currency", "wallets", "closed_now", "already_closed", "net_winnings", "tds", "shortfall")
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    WALLETS_FIELD_NUMBER: _ClassVar[int]
    CLOSED_NOW_FIELD_NUMBER: _ClassVar[int]
    ALREADY_CLOSED_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    SHORTFALL_FIELD_NUMBER: _ClassVar[int]
    financial_year: str
    currency: str
    wallets: int
    closed_now: int
    already_closed: int
    net_winnings: int
    tds: int
    shortfall: int
    def __init__(self, financial_year: _Optional[str] = ..., currency: _Optional[str] = ..., wallets: _Optional[int] = ..., closed_now: _Optional[int] = ..., already_closed: _Optional[int] = ..., net_winnings: _Optional[int] = ..., tds: _Optional[int] = ..., shortfall: _Optional[int] = ...) -> None: ...
