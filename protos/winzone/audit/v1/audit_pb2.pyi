from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class RunAuditRequest(_message.Message):
    __slots__ = ("stuck_grace_seconds",)
    STUCK_GRACE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    stuck_grace_seconds: int
    def __init__(self, stuck_grace_seconds: _Optional[int] = ...) -> None: ...

class CurrencyTotal(_message.Message):
    __slots__ = ("currency", "sum_of_balances")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    SUM_OF_BALANCES_FIELD_NUMBER: _ClassVar[int]
    currency: str
    sum_of_balances: int
    def __init__(self, currency: _Optional[str] = ..., sum_of_balances: _Optional[int] = ...) -> None: ...

class LedgerReport(_message.Message):
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

class Discrepancy(_message.Message):
    __slots__ = ("kind", "ids", "amounts", "detail", "currency")
    class IdsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    class AmountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    KIND_FIELD_NUMBER: _ClassVar[int]
    IDS_FIELD_NUMBER: _ClassVar[int]
    AMOUNTS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    kind: str
    ids: _containers.ScalarMap[str, str]
    amounts: _containers.ScalarMap[str, int]
    detail: str
    currency: str
    def __init__(self, kind: _Optional[str] = ..., ids: _Optional[_Mapping[str, str]] = ..., amounts: _Optional[_Mapping[str, int]] = ..., detail: _Optional[str] = ..., currency: _Optional[str] = ...) -> None: ...

class CrossServiceReport(_message.Message):
    __slots__ = ("ok", "checked", "discrepancies")
    class CheckedEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    OK_FIELD_NUMBER: _ClassVar[int]
    CHECKED_FIELD_NUMBER: _ClassVar[int]
    DISCREPANCIES_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    checked: _containers.ScalarMap[str, int]
    discrepancies: _containers.RepeatedCompositeFieldContainer[Discrepancy]
    def __init__(self, ok: _Optional[bool] = ..., checked: _Optional[_Mapping[str, int]] = ..., discrepancies: _Optional[_Iterable[_Union[Discrepancy, _Mapping]]] = ...) -> None: ...

class AuditReport(_message.Message):
    __slots__ = ("ok", "checked_at", "ledger", "stuck", "cross_service")
    OK_FIELD_NUMBER: _ClassVar[int]
    CHECKED_AT_FIELD_NUMBER: _ClassVar[int]
    LEDGER_FIELD_NUMBER: _ClassVar[int]
    STUCK_FIELD_NUMBER: _ClassVar[int]
    CROSS_SERVICE_FIELD_NUMBER: _ClassVar[int]
    ok: bool
    checked_at: str
    ledger: LedgerReport
    stuck: _containers.RepeatedScalarFieldContainer[str]
    cross_service: CrossServiceReport
    def __init__(self, ok: _Optional[bool] = ..., checked_at: _Optional[str] = ..., ledger: _Optional[_Union[LedgerReport, _Mapping]] = ..., stuck: _Optional[_Iterable[str]] = ..., cross_service: _Optional[_Union[CrossServiceReport, _Mapping]] = ...) -> None: ...
