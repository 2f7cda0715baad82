from winzone.wallet.v1 import wallet_pb2 as _wallet_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class TopUpSession(_message.Message):
    __slots__ = ("id", "user_id", "amount", "currency", "provider", "provider_ref", "status", "checkout_url", "transaction_id", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REF_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHECKOUT_URL_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    user_id: str
    amount: int
    currency: str
    provider: str
    provider_ref: str
    status: str
    checkout_url: str
    transaction_id: str
    created_at: str
    updated_at: str
    def __init__(self, id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., provider_ref: _Optional[str] = ..., status: _Optional[str] = ..., checkout_url: _Optional[str] = ..., transaction_id: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class CreateTopUpSessionRequest(_message.Message):
    __slots__ = ("user_id", "amount", "currency", "idempotency_key")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: int
    currency: str
    idempotency_key: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class CreateTopUpSessionResponse(_message.Message):
    __slots__ = ("session", "replayed")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    session: TopUpSession
    replayed: bool
    def __init__(self, session: _Optional[_Union[TopUpSession, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class VerifyTopUpRequest(_message.Message):
    __slots__ = ("user_id", "session_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    session_id: str
    def __init__(self, user_id: _Optional[str] = ..., session_id: _Optional[str] = ...) -> None: ...

class VerifyTopUpResponse(_message.Message):
    __slots__ = ("session", "transaction")
    SESSION_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    session: TopUpSession
    transaction: _wallet_pb2.Transaction
    def __init__(self, session: _Optional[_Union[TopUpSession, _Mapping]] = ..., transaction: _Optional[_Union[_wallet_pb2.Transaction, _Mapping]] = ...) -> None: ...

class HandleWebhookRequest(_message.Message):
    __slots__ = ("raw_body", "headers")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    RAW_BODY_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    raw_body: bytes
    headers: _containers.ScalarMap[str, str]
    def __init__(self, raw_body: _Optional[bytes] = ..., headers: _Optional[_Mapping[str, str]] = ...) -> None: ...

class WebhookEvent(_message.Message):
    __slots__ = ("event_id", "type", "object_ref", "session_id", "payout_id", "amount", "currency", "status", "payment_status", "failure_reason")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    OBJECT_REF_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PAYMENT_STATUS_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    type: str
    object_ref: str
    session_id: str
    payout_id: str
    amount: int
    currency: str
    status: str
    payment_status: str
    failure_reason: str
    def __init__(self, event_id: _Optional[str] = ..., type: _Optional[str] = ..., object_ref: _Optional[str] = ..., session_id: _Optional[str] = ..., payout_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., payment_status: _Optional[str] = ..., failure_reason: _Optional[str] = ...) -> None: ...

class HandleWebhookResponse(_message.Message):
    __slots__ = ("event", "outcome", "session")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    event: WebhookEvent
    outcome: str
    session: TopUpSession
    def __init__(self, event: _Optional[_Union[WebhookEvent, _Mapping]] = ..., outcome: _Optional[str] = ..., session: _Optional[_Union[TopUpSession, _Mapping]] = ...) -> None: ...

class SendPayoutRequest(_message.Message):
    __slots__ = ("payout_id", "user_id", "amount", "currency", "method_type", "method_details")
    class MethodDetailsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    METHOD_TYPE_FIELD_NUMBER: _ClassVar[int]
    METHOD_DETAILS_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    user_id: str
    amount: int
    currency: str
    method_type: str
    method_details: _containers.ScalarMap[str, str]
    def __init__(self, payout_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., method_type: _Optional[str] = ..., method_details: _Optional[_Mapping[str, str]] = ...) -> None: ...

class PayoutResult(_message.Message):
    __slots__ = ("payout_id", "status", "provider_reference", "failure_reason", "amount", "currency", "provider", "amount_reversed")
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    FAILURE_REASON_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_REVERSED_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    status: str
    provider_reference: str
    failure_reason: str
    amount: int
    currency: str
    provider: str
    amount_reversed: int
    def __init__(self, payout_id: _Optional[str] = ..., status: _Optional[str] = ..., provider_reference: _Optional[str] = ..., failure_reason: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., provider: _Optional[str] = ..., amount_reversed: _Optional[int] = ...) -> None: ...

class SendPayoutResponse(_message.Message):
    __slots__ = ("result",)
    RESULT_FIELD_NUMBER: _ClassVar[int]
    result: PayoutResult
    def __init__(self, result: _Optional[_Union[PayoutResult, _Mapping]] = ...) -> None: ...

class GetPayoutRequest(_message.Message):
    __slots__ = ("payout_id",)
    PAYOUT_ID_FIELD_NUMBER: _ClassVar[int]
    payout_id: str
    def __init__(self, payout_id: _Optional[str] = ...) -> None: ...

class GetPayoutResponse(_message.Message):
    __slots__ = ("found", "result")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    found: bool
    result: PayoutResult
    def __init__(self, found: _Optional[bool] = ..., result: _Optional[_Union[PayoutResult, _Mapping]] = ...) -> None: ...

class MockCheckoutRequest(_message.Message):
    __slots__ = ("provider_ref",)
    PROVIDER_REF_FIELD_NUMBER: _ClassVar[int]
    provider_ref: str
    def __init__(self, provider_ref: _Optional[str] = ...) -> None: ...

class MockCheckoutView(_message.Message):
    __slots__ = ("provider_ref", "session_id", "amount", "currency", "status", "redirect_url")
    PROVIDER_REF_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REDIRECT_URL_FIELD_NUMBER: _ClassVar[int]
    provider_ref: str
    session_id: str
    amount: int
    currency: str
    status: str
    redirect_url: str
    def __init__(self, provider_ref: _Optional[str] = ..., session_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., redirect_url: _Optional[str] = ...) -> None: ...

class GetTopUpLimitsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TopUpLimit(_message.Message):
    __slots__ = ("currency", "min", "max")
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    currency: str
    min: int
    max: int
    def __init__(self, currency: _Optional[str] = ..., min: _Optional[int] = ..., max: _Optional[int] = ...) -> None: ...

class TopUpLimits(_message.Message):
    __slots__ = ("limits", "provider")
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    limits: _containers.RepeatedCompositeFieldContainer[TopUpLimit]
    provider: str
    def __init__(self, limits: _Optional[_Iterable[_Union[TopUpLimit, _Mapping]]] = ..., provider: _Optional[str] = ...) -> None: ...
