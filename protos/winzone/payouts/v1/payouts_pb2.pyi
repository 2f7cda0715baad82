from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Approval(_message.Message):
    __slots__ = ("by", "at", "note")
    BY_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    by: str
    at: str
    note: str
    def __init__(self, by: _Optional[str] = ..., at: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class ReviewReason(_message.Message):
    __slots__ = ("rule", "message", "at")
    RULE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    rule: str
    message: str
    at: str
    def __init__(self, rule: _Optional[str] = ..., message: _Optional[str] = ..., at: _Optional[str] = ...) -> None: ...

class ReleasePayoutRequest(_message.Message):
    __slots__ = ("payout_id", "admin_id", "note")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    admin_id: str
    note: str
    def __init__(self, payout_id: _Optional[str] = ..., admin_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class KycRecord(_message.Message):
    __slots__ = ("user_id", "status", "pan", "name", "date_of_birth", "submitted_at", "reviewed_at", "reviewed_by", "note", "updated_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_AT_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    status: str
    pan: str
    name: str
    date_of_birth: str
    submitted_at: str
    reviewed_at: str
    reviewed_by: str
    note: str
    updated_at: str
    def __init__(self, user_id: _Optional[str] = ..., status: _Optional[str] = ..., pan: _Optional[str] = ..., name: _Optional[str] = ..., date_of_birth: _Optional[str] = ..., submitted_at: _Optional[str] = ..., reviewed_at: _Optional[str] = ..., reviewed_by: _Optional[str] = ..., note: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class SubmitKycRequest(_message.Message):
    __slots__ = ("user_id", "pan", "name", "date_of_birth")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAN_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DATE_OF_BIRTH_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    pan: str
    name: str
    date_of_birth: str
    def __init__(self, user_id: _Optional[str] = ..., pan: _Optional[str] = ..., name: _Optional[str] = ..., date_of_birth: _Optional[str] = ...) -> None: ...

class GetKycRequest(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class ListKycRequest(_message.Message):
    __slots__ = ("status", "page", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    page: int
    limit: int
    def __init__(self, status: _Optional[str] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListKycResponse(_message.Message):
    __slots__ = ("records", "total", "page", "limit")
    RECORDS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    records: _containers.RepeatedCompositeFieldContainer[KycRecord]
    total: int
    page: int
    limit: int
    def __init__(self, records: _Optional[_Iterable[_Union[KycRecord, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class VerifyKycRequest(_message.Message):
    __slots__ = ("user_id", "admin_id", "note")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    admin_id: str
    note: str
    def __init__(self, user_id: _Optional[str] = ..., admin_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RejectKycRequest(_message.Message):
    __slots__ = ("user_id", "admin_id", "reason")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    admin_id: str
    reason: str
    def __init__(self, user_id: _Optional[str] = ..., admin_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class PayoutMethod(_message.Message):
    __slots__ = ("type", "details")
    class DetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    TYPE_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    type: str
    details: _containers.ScalarMap[str, str]
    def __init__(self, type: _Optional[str] = ..., details: _Optional[_Mapping[str, str]] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("status", "at", "by", "note")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    BY_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    status: str
    at: str
    by: str
    note: str
    def __init__(self, status: _Optional[str] = ..., at: _Optional[str] = ..., by: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class PayoutRequest(_message.Message):
    __slots__ = ("id", "user_id", "amount", "currency", "method", "status", "admin_note", "processed_by", "transaction_id", "provider_reference", "failure_reason", "history", "created_at", "updated_at", "refund_transaction_id", "refunded_amount", "approvals", "review_reasons", "needs_dual_approval", "tds", "net_amount", "net_winnings", "financial_year")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ADMIN_NOTE_FIELD_NUMBER: _ClassVar[int]
    PROCESSED_BY_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    HISTORY_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    REFUND_TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    REFUNDED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    APPROVALS_FIELD_NUMBER: _ClassVar[int]
    REVIEW_REASONS_FIELD_NUMBER: _ClassVar[int]
    NEEDS_DUAL_APPROVAL_FIELD_NUMBER: _ClassVar[int]
    TDS_FIELD_NUMBER: _ClassVar[int]
    NET_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    NET_WINNINGS_FIELD_NUMBER: _ClassVar[int]
    FINANCIAL_YEAR_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    amount: int
    currency: str
    method: PayoutMethod
    status: str
    admin_note: str
    processed_by: str
    transaction_id: str
    provider_reference: str
    failure_reason: str
    history: _containers.RepeatedCompositeFieldContainer[HistoryEntry]
    created_at: str
    updated_at: str
    refund_transaction_id: str
    refunded_amount: int
    approvals: _containers.RepeatedCompositeFieldContainer[Approval]
    review_reasons: _containers.RepeatedCompositeFieldContainer[ReviewReason]
    needs_dual_approval: bool
    tds: int
    net_amount: int
    net_winnings: int
    financial_year: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., method: _Optional[_Union[PayoutMethod, _Mapping]] = ..., status: _Optional[str] = ..., admin_note: _Optional[str] = ..., processed_by: _Optional[str] = ..., transaction_id: _Optional[str] = ..., provider_reference: _Optional[str] = ..., failure_reason: _Optional[str] = ..., history: _Optional[_Iterable[_Union[HistoryEntry, _Mapping]]] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ..., refund_transaction_id: _Optional[str] = ..., refunded_amount: _Optional[int] = ..., approvals: _Optional[_Iterable[_Union[Approval, _Mapping]]] = ..., review_reasons: _Optional[_Iterable[_Union[ReviewReason, _Mapping]]] = ..., needs_dual_approval: _Optional[bool] = ..., tds: _Optional[int] = ..., net_amount: _Optional[int] = ..., net_winnings: _Optional[int] = ..., financial_year: _Optional[str] = ...) -> None: ...

class CreatePayoutRequestRequest(_message.Message):
    __slots__ = ("user_id", "amount", "currency", "method_json", "idempotency_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    METHOD_JSON_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: int
    currency: str
    method_json: str
    idempotency_key: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., method_json: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreatePayoutRequestResponse(_message.Message):
    __slots__ = ("payout", "replayed")
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    payout: PayoutRequest
    replayed: bool
    def __init__(self, payout: _Optional[_Union[PayoutRequest, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class GetPayoutRequestRequest(_message.Message):
    __slots__ = ("payout_id", "user_id")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    user_id: str
    def __init__(self, payout_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ListPayoutRequestsRequest(_message.Message):
    __slots__ = ("user_id", "status", "page", "limit")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    status: str
    page: int
    limit: int
    def __init__(self, user_id: _Optional[str] = ..., status: _Optional[str] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListPayoutRequestsResponse(_message.Message):
    __slots__ = ("payouts", "total", "page", "limit")
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    payouts: _containers.RepeatedCompositeFieldContainer[PayoutRequest]
    total: int
    page: int
    limit: int
    def __init__(self, payouts: _Optional[_Iterable[_Union[PayoutRequest, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ApprovePayoutRequest(_message.Message):
    __slots__ = ("payout_id", "admin_id", "note")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    NOTE_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    admin_id: str
    note: str
    def __init__(self, payout_id: _Optional[str] = ..., admin_id: _Optional[str] = ..., note: _Optional[str] = ...) -> None: ...

class RejectPayoutRequest(_message.Message):
    __slots__ = ("payout_id", "admin_id", "reason")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    ADMIN_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    admin_id: str
    reason: str
    def __init__(self, payout_id: _Optional[str] = ..., admin_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class RecordProviderResultRequest(_message.Message):
    __slots__ = ("payout_id", "status", "provider_reference", "failure_reason", "event_id", "amount_reversed")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REVERSED_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    status: str
    provider_reference: str
    failure_reason: str
    event_id: str
    amount_reversed: int
    def __init__(self, payout_id: _Optional[str] = ..., status: _Optional[str] = ..., provider_reference: _Optional[str] = ..., failure_reason: _Optional[str] = ..., event_id: _Optional[str] = ..., amount_reversed: _Optional[int] = ...) -> None: ...

class RecordProviderResultResponse(_message.Message):
    __slots__ = ("payout", "changed")
    PAYOUT_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELD_NUMBER: _ClassVar[int]
    payout: PayoutRequest
    changed: bool
    def __init__(self, payout: _Optional[_Union[PayoutRequest, _Mapping]] = ..., changed: _Optional[bool] = ...) -> None: ...

class ReconcilePayoutsRequest(_message.Message):
    __slots__ = ("min_age_seconds",)
    MIN_AGE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    min_age_seconds: int
    def __init__(self, min_age_seconds: _Optional[int] = ...) -> None: ...

class ReconcilePayoutsResponse(_message.Message):
    __slots__ = ("examined", "settled", "pending", "errors")
    EXAMINED_FIELD_NUMBER: _ClassVar[int]
    SETTLED_FIELD_NUMBER: _ClassVar[int]
    PENDING_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    examined: int
    settled: int
    pending: int
    errors: int
    def __init__(self, examined: _Optional[int] = ..., settled: _Optional[int] = ..., pending: _Optional[int] = ..., errors: _Optional[int] = ...) -> None: ...

class GetPayoutLimitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class PayoutLimit(_message.Message):
    __slots__ = ("currency", "min", "max")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    currency: str
    min: int
    max: int
    def __init__(self, currency: _Optional[str] = ..., min: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...

class PayoutRisk(_message.Message):
    __slots__ = ("kyc_required", "dual_approval_threshold", "daily_count", "daily_amount", "cooldown_after_topup_seconds", "min_age")
    KYC_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    DUAL_APPROVAL_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DAILY_COUNT_FIELD_NUMBER: _ClassVar[int]
    DAILY_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_AFTER_TOPUP_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MIN_AGE_FIELD_NUMBER: _ClassVar[int]
    kyc_required: bool
    dual_approval_threshold: int
    daily_count: int
    daily_amount: int
    cooldown_after_topup_seconds: int
    min_age: int
    def __init__(self, kyc_required: _Optional[bool] = ..., dual_approval_threshold: _Optional[int] = ..., daily_count: _Optional[int] = ..., daily_amount: _Optional[int] = ..., cooldown_after_topup_seconds: _Optional[int] = ..., min_age: _Optional[int] = ...) -> None: ...

class PayoutLimits(_message.Message):
    __slots__ = ("limits", "risk")
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    RISK_FIELD_NUMBER: _ClassVar[int]
    limits: _containers.RepeatedCompositeFieldContainer[PayoutLimit]
    risk: PayoutRisk
    def __init__(self, limits: _Optional[_Iterable[_Union[PayoutLimit, _Mapping]]] = ..., risk: _Optional[_Union[PayoutRisk, _Mapping]] = ...) -> None: ...
