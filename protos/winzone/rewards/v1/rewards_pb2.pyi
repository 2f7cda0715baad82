from winzone.wallet.v1 import wallet_pb2 as _wallet_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Actor(_message.Message):
    __slots__ = ("user_id", "role")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    role: str
    def __init__(self, user_id: _Optional[str] = ..., role: _Optional[str] = ...) -> None: ...

class Competition(_message.Message):
    __slots__ = ("id", "organizer_id", "entry_fee", "currency", "template", "status", "pool_balance", "entries", "created_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    POOL_BALANCE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organizer_id: str
    entry_fee: int
    currency: str
    template: str
    status: str
    pool_balance: int
    entries: int
    created_at: str
    updated_at: str
    def __init__(self, id: _Optional[str] = ..., organizer_id: _Optional[str] = ..., entry_fee: _Optional[int] = ..., currency: _Optional[str] = ..., template: _Optional[str] = ..., status: _Optional[str] = ..., pool_balance: _Optional[int] = ..., entries: _Optional[int] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class OpenCompetitionRequest(_message.Message):
    __slots__ = ("competition_id", "organizer_id", "entry_fee", "currency", "template", "actor", "idempotency_key")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    ENTRY_FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    organizer_id: str
    entry_fee: int
    currency: str
    template: str
    actor: Actor
    idempotency_key: str
    def __init__(self, competition_id: _Optional[str] = ..., organizer_id: _Optional[str] = ..., entry_fee: _Optional[int] = ..., currency: _Optional[str] = ..., template: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class OpenCompetitionResponse(_message.Message):
    __slots__ = ("competition", "created")
    COMPETITION_FIELD_NUMBER: _ClassVar[int]
    CREATED_FIELD_NUMBER: _ClassVar[int]
    competition: Competition
    created: bool
    def __init__(self, competition: _Optional[_Union[Competition, _Mapping]] = ..., created: _Optional[bool] = ...) -> None: ...

class GetCompetitionRequest(_message.Message):
    __slots__ = ("competition_id",)
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    def __init__(self, competition_id: _Optional[str] = ...) -> None: ...

class ListCompetitionsRequest(_message.Message):
    __slots__ = ("status", "organizer_id", "page", "limit")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    status: str
    organizer_id: str
    page: int
    limit: int
    def __init__(self, status: _Optional[str] = ..., organizer_id: _Optional[str] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListCompetitionsResponse(_message.Message):
    __slots__ = ("competitions", "total", "page", "limit")
    COMPETITIONS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    competitions: _containers.RepeatedCompositeFieldContainer[Competition]
    total: int
    page: int
    limit: int
    def __init__(self, competitions: _Optional[_Iterable[_Union[Competition, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ListEntriesRequest(_message.Message):
    __slots__ = ("competition_id", "page", "limit", "actor")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    page: int
    limit: int
    actor: Actor
    def __init__(self, competition_id: _Optional[str] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class Entry(_message.Message):
    __slots__ = ("user_id", "amount", "currency", "status", "created_at")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: int
    currency: str
    status: str
    created_at: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., status: _Optional[str] = ..., created_at: _Optional[str] = ...) -> None: ...

class ListEntriesResponse(_message.Message):
    __slots__ = ("entries", "total", "page", "limit")
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    entries: _containers.RepeatedCompositeFieldContainer[Entry]
    total: int
    page: int
    limit: int
    def __init__(self, entries: _Optional[_Iterable[_Union[Entry, _Mapping]]] = ..., total: _Optional[int] = ..., page: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class GetFeesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Fees(_message.Message):
    __slots__ = ("platform_fee_percentage", "organizer_fee_percentage")
    PLATFORM_FEE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FEE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    platform_fee_percentage: str
    organizer_fee_percentage: str
    def __init__(self, platform_fee_percentage: _Optional[str] = ..., organizer_fee_percentage: _Optional[str] = ...) -> None: ...

class ChargeEntryFeeRequest(_message.Message):
    __slots__ = ("competition_id", "user_id", "expected_amount", "expected_currency")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_AMOUNT_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_CURRENCY_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    user_id: str
    expected_amount: int
    expected_currency: str
    def __init__(self, competition_id: _Optional[str] = ..., user_id: _Optional[str] = ..., expected_amount: _Optional[int] = ..., expected_currency: _Optional[str] = ...) -> None: ...

class FundPrizePoolRequest(_message.Message):
    __slots__ = ("competition_id", "user_id", "amount", "currency", "idempotency_key", "actor")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    user_id: str
    amount: int
    currency: str
    idempotency_key: str
    actor: Actor
    def __init__(self, competition_id: _Optional[str] = ..., user_id: _Optional[str] = ..., amount: _Optional[int] = ..., currency: _Optional[str] = ..., idempotency_key: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class PoolPayment(_message.Message):
    __slots__ = ("competition", "transaction", "replayed")
    COMPETITION_FIELD_NUMBER: _ClassVar[int]
    TRANSACTION_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    competition: Competition
    transaction: _wallet_pb2.Transaction
    replayed: bool
    def __init__(self, competition: _Optional[_Union[Competition, _Mapping]] = ..., transaction: _Optional[_Union[_wallet_pb2.Transaction, _Mapping]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class Standing(_message.Message):
    __slots__ = ("user_id", "rank")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    rank: int
    def __init__(self, user_id: _Optional[str] = ..., rank: _Optional[int] = ...) -> None: ...

class DistributeMatchRewardsRequest(_message.Message):
    __slots__ = ("match_id", "competition_id", "template", "shares", "standings", "prize_pool", "actor")
    MATCH_ID_FIELD_NUMBER: _ClassVar[int]
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    STANDINGS_FIELD_NUMBER: _ClassVar[int]
    PRIZE_POOL_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    match_id: str
    competition_id: str
    template: str
    shares: _containers.RepeatedScalarFieldContainer[str]
    standings: _containers.RepeatedCompositeFieldContainer[Standing]
    prize_pool: int
    actor: Actor
    def __init__(self, match_id: _Optional[str] = ..., competition_id: _Optional[str] = ..., template: _Optional[str] = ..., shares: _Optional[_Iterable[str]] = ..., standings: _Optional[_Iterable[_Union[Standing, _Mapping]]] = ..., prize_pool: _Optional[int] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class Payout(_message.Message):
    __slots__ = ("user_id", "rank", "amount")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    rank: int
    amount: int
    def __init__(self, user_id: _Optional[str] = ..., rank: _Optional[int] = ..., amount: _Optional[int] = ...) -> None: ...

class Distribution(_message.Message):
    __slots__ = ("match_id", "competition_id", "template", "shares", "currency", "prize_pool", "platform_fee", "organizer_fee", "organizer_id", "platform_fee_percentage", "organizer_fee_percentage", "payouts", "status", "entry_id", "created_at", "updated_at")
    MATCH_ID_FIELD_NUMBER: _ClassVar[int]
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    TEMPLATE_FIELD_NUMBER: _ClassVar[int]
    SHARES_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    PRIZE_POOL_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FEE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_ID_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_FEE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    ORGANIZER_FEE_PERCENTAGE_FIELD_NUMBER: _ClassVar[int]
    PAYOUTS_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    match_id: str
    competition_id: str
    template: str
    shares: _containers.RepeatedScalarFieldContainer[str]
    currency: str
    prize_pool: int
    platform_fee: int
    organizer_fee: int
    organizer_id: str
    platform_fee_percentage: str
    organizer_fee_percentage: str
    payouts: _containers.RepeatedCompositeFieldContainer[Payout]
    status: str
    entry_id: str
    created_at: str
    updated_at: str
    def __init__(self, match_id: _Optional[str] = ..., competition_id: _Optional[str] = ..., template: _Optional[str] = ..., shares: _Optional[_Iterable[str]] = ..., currency: _Optional[str] = ..., prize_pool: _Optional[int] = ..., platform_fee: _Optional[int] = ..., organizer_fee: _Optional[int] = ..., organizer_id: _Optional[str] = ..., platform_fee_percentage: _Optional[str] = ..., organizer_fee_percentage: _Optional[str] = ..., payouts: _Optional[_Iterable[_Union[Payout, _Mapping]]] = ..., status: _Optional[str] = ..., entry_id: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class GetDistributionRequest(_message.Message):
    __slots__ = ("match_id",)
    MATCH_ID_FIELD_NUMBER: _ClassVar[int]
    match_id: str
    def __init__(self, match_id: _Optional[str] = ...) -> None: ...

class RefundEntryFeesRequest(_message.Message):
    __slots__ = ("competition_id", "reason", "actor")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    reason: str
    actor: Actor
    def __init__(self, competition_id: _Optional[str] = ..., reason: _Optional[str] = ..., actor: _Optional[_Union[Actor, _Mapping]] = ...) -> None: ...

class RefundLine(_message.Message):
    __slots__ = ("user_id", "amount", "kind")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    amount: int
    kind: str
    def __init__(self, user_id: _Optional[str] = ..., amount: _Optional[int] = ..., kind: _Optional[str] = ...) -> None: ...

class Refund(_message.Message):
    __slots__ = ("competition_id", "reason", "status", "total", "lines", "entry_id", "created_at", "updated_at")
    COMPETITION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    ENTRY_ID_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    competition_id: str
    reason: str
    status: str
    total: int
    lines: _containers.RepeatedCompositeFieldContainer[RefundLine]
    entry_id: str
    created_at: str
    updated_at: str
    def __init__(self, competition_id: _Optional[str] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., total: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[RefundLine, _Mapping]]] = ..., entry_id: _Optional[str] = ..., created_at: _Optional[str] = ..., updated_at: _Optional[str] = ...) -> None: ...

class RefundResult(_message.Message):
    __slots__ = ("competition", "refund")
    COMPETITION_FIELD_NUMBER: _ClassVar[int]
    REFUND_FIELD_NUMBER: _ClassVar[int]
    competition: Competition
    refund: Refund
    def __init__(self, competition: _Optional[_Union[Competition, _Mapping]] = ..., refund: _Optional[_Union[Refund, _Mapping]] = ...) -> None: ...
