"""Success envelopes of the REST API, field for field as ``serializers`` and the route modules write them.

Every JSON success is ``{success: true, message, data}``; list endpoints add ``pagination``. Amounts are exact
JSON numbers in major units (signed on transactions: money in positive, money out negative).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from api_gateway.schemas.requests import (
    CurrencyCode,
    FundName,
    KycStatus,
    PayoutStatus,
    Quarter,
    Template,
    TransactionStatus,
    TransactionType,
)

Money = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "Major units, exact."})]
Percent = Annotated[Decimal, WithJsonSchema({"type": "number", "description": "Percent, exact."})]
Timestamp = Annotated[datetime, Field(description="RFC 3339, UTC.")]


class Shape(BaseModel):
    """A response object: exactly these fields, every one always present."""

    model_config = ConfigDict(extra="forbid")


class User(Shape):
    """A registered user (the password hash never leaves the gateway)."""

    id: str = Field(alias="_id")
    name: str
    email: str
    role: Literal["player", "organizer", "admin"]
    createdAt: Timestamp
    updatedAt: Timestamp


class UserData(Shape):
    """``{user}``."""

    user: User


class LoginData(Shape):
    """A bearer token (JWT) and its user."""

    token: str
    user: User


class Funds(Shape):
    """An amount per fund of a wallet: ``deposit`` (top-ups), ``winnings`` (rewards), ``bonus`` (promotions)."""

    deposit: Money
    winnings: Money
    bonus: Money


class Transaction(Shape):
    """One wallet transaction; a payout request's hold is a ``pending`` ``payout`` until paid or failed."""

    id: str = Field(alias="_id")
    userId: str | None
    type: TransactionType
    amount: Money
    currency: CurrencyCode
    source: str
    status: TransactionStatus
    description: str
    metadata: dict[str, str]
    idempotencyKey: str | None
    balanceAfter: Money | None
    fund: FundName | None = Field(description="The one fund a wallet transaction moved; null when it moved several "
                                              "(see funds) or it is not a wallet's")
    funds: Funds | None = Field(description="What it moved in each fund, when several (an entry fee paid partly "
                                            "from bonus); null otherwise")
    createdAt: Timestamp
    updatedAt: Timestamp


class BonusGrant(Shape):
    """A promotion granted into the bonus fund; spent soonest-expiring first, the rest expires at ``expiresAt``."""

    id: str
    amount: Money
    remaining: Money
    currency: CurrencyCode
    reason: str
    expiresAt: Timestamp | None = Field(description="null: never expires")
    status: Literal["active", "spent", "expired"]
    createdAt: Timestamp


class Wallet(Shape):
    """The caller's wallet in one currency: ``available`` = ``balance`` - ``held``."""

    balance: Money
    available: Money
    held: Money
    currency: CurrencyCode
    totalEarnings: Money
    receivable: Money = Field(description="What the user owes after a card refund or chargeback the wallet could "
                                          "not cover; settled first from later credits")
    restricted: bool = Field(description="True while something is owed: payouts, entry fees and sponsorship are "
                                         "409 ACCOUNT_RESTRICTED")
    funds: Funds = Field(description="The balance per fund; balance is their sum")
    heldFunds: Funds = Field(description="What open payout requests hold in each fund; held is their sum")
    withdrawable: Money = Field(description="What a payout request may take now: the available part of the "
                                            "withdrawable funds (0 while restricted)")
    recentTransactions: list[Transaction]
    bonusGrants: list[BonusGrant] = Field(description="Grants with bonus left, soonest expiry first")


class TopUpSession(Shape):
    """A provider checkout to send the player to."""

    sessionId: str
    checkoutUrl: str
    provider: str


class TopUpVerification(Shape):
    """Where a top-up stands after asking the provider; ``transaction`` once credited."""

    status: Literal["created", "paid", "credited", "failed", "expired", "cancelled"]
    sessionId: str
    amount: Money
    currency: CurrencyCode
    balance: Money
    transaction: Transaction | None


class WebhookReceipt(Shape):
    """What one provider event did."""

    received: Literal[True]
    eventId: str
    type: str
    outcome: Literal["applied", "duplicate", "ignored", "mismatch", "forwarded", "unrouted"]


class MaskedMethod(Shape):
    """A payout method with its details masked (``"accountNumber": "XXXXXX4321"``)."""

    type: Literal["upi", "bank", "stripe"]
    details: dict[str, str]


class PayoutEvent(Shape):
    """One step of a payout request's history."""

    status: PayoutStatus
    at: Timestamp
    by: str
    note: str | None


class Approval(Shape):
    """One admin's approval of a payout (maker-checker: two different admins at or above the threshold)."""

    by: str
    at: Timestamp
    note: str | None


class ReviewReason(Shape):
    """A risk rule that held a payout for review."""

    rule: Literal["shared_destination", "recent_card_topup"]
    message: str
    at: Timestamp


class PayoutRequest(Shape):
    """A player's withdrawal; its amount is held from the moment it is requested (``held`` and
    ``awaiting_second_approval`` included)."""

    id: str = Field(alias="_id")
    userId: str
    amount: Money
    currency: CurrencyCode
    method: MaskedMethod
    status: PayoutStatus
    adminNote: str | None
    processedBy: str | None
    transactionId: str | None
    providerReference: str | None
    failureReason: str | None
    refundedAmount: Money = Field(description="What the provider took back and the wallet refunded so far; "
                                  "a partially reversed payout stays paid")
    tds: Money = Field(description="Tax withheld on net winnings when it is paid (0 when no tax applies)")
    netAmount: Money = Field(description="What the provider is asked to send: amount - tds")
    netWinnings: Money = Field(description="The net winnings this withdrawal is taxed on")
    financialYear: str | None = Field(description='The financial year it counts in ("2026-27")')
    history: list[PayoutEvent]
    approvals: list[Approval]
    reviewReasons: list[ReviewReason] = Field(description="Why a risk rule held it (kept after a release)")
    needsDualApproval: bool = Field(description="At or above the dual-approval threshold: two different admins "
                                                "approve")
    createdAt: Timestamp
    updatedAt: Timestamp


class Competition(Shape):
    """A competition's prize pool."""

    id: str = Field(alias="_id")
    organizerId: str
    entryFee: Money
    currency: CurrencyCode
    template: Template
    status: Literal["open", "closed", "cancelled"]
    poolBalance: Money
    entries: int
    createdAt: Timestamp
    updatedAt: Timestamp


class RewardPayout(Shape):
    """One winner's reward."""

    userId: str
    rank: int
    amount: Money


class Distribution(Shape):
    """A match's rewards: the pool, the fees taken off it first, and each winner's share."""

    id: str = Field(alias="_id")
    matchId: str
    competitionId: str
    template: Template | None
    shares: list[Percent] | None
    currency: CurrencyCode
    prizePool: Money
    platformFee: Money
    organizerFee: Money
    platformFeePercentage: Percent
    organizerFeePercentage: Percent
    organizerId: str
    payouts: list[RewardPayout]
    status: Literal["preview", "pending", "paid"]
    entryId: str | None
    createdAt: Timestamp
    updatedAt: Timestamp


class Entry(Shape):
    """One player's entry into a competition: the entry fee as the reward service recorded it."""

    userId: str
    amount: Money
    currency: CurrencyCode
    status: Literal["pending", "paid"]
    createdAt: Timestamp


class Bounds(Shape):
    """Inclusive bounds of one amount."""

    min: Money
    max: Money


class CurrencyConfig(Shape):
    """A currency the platform handles and the bounds of one top-up and one payout in it (null where that
    service does not take the currency)."""

    code: CurrencyCode
    minorDigits: int
    topup: Bounds | None
    payout: Bounds | None


class PayoutRisk(Shape):
    """The payout risk rules in force (0 / false: off)."""

    kycRequired: bool
    dualApprovalThreshold: Money = Field(description="At or above it, two different admins approve; 0: off")
    dailyCount: int = Field(description="Payout requests per user per rolling 24 hours; 0: no limit")
    dailyAmount: Money = Field(description="Payout amount per user per rolling 24 hours; 0: no limit")
    cooldownAfterTopupSeconds: int = Field(description="A payout this soon after a top-up is held for review")
    minAge: int


class PlatformConfig(Shape):
    """What a client needs to know before the first request: currencies, limits, fees, the provider, and the
    funds and tax rules."""

    currencies: list[CurrencyConfig]
    platformFeePercentage: Percent
    organizerFeePercentage: Percent
    paymentProvider: Literal["mock", "stripe"]
    payoutRisk: PayoutRisk
    tdsRate: Percent = Field(description="TDS withheld on net winnings at each payout; 0: off")
    withdrawableFunds: list[Literal["deposit", "winnings"]] = Field(description="The funds a payout draws on, in "
                                                                                "order")
    bonusMaxShareOfEntry: Percent = Field(description="At most this share of an entry fee is paid from bonus")
    gstOnDepositPercent: Percent = Field(description="GST included in a top-up; 0: off")
    gstOnPlatformFeePercent: Percent = Field(description="GST included in the platform fee; 0: off")


class Kyc(Shape):
    """A user's KYC record (``status: none`` and every other field null when never submitted); the PAN is
    always masked."""

    userId: str
    status: KycStatus
    pan: str | None = Field(description='Masked: "XXXXXX234F"')
    name: str | None
    dateOfBirth: str | None
    submittedAt: Timestamp | None
    reviewedAt: Timestamp | None
    reviewedBy: str | None
    note: str | None = Field(description="The verifier's note, the rejection reason, or why it was flagged")
    updatedAt: Timestamp | None


class PendingLimit(Shape):
    """A limit change waiting out its 24-hour cooling-off."""

    limit: Literal["depositDaily", "depositMonthly", "entryDaily"]
    value: Money | None = Field(description="The new limit; null: the limit is being removed")
    effectiveAt: Timestamp


class Limits(Shape):
    """The caller's responsible-gaming limits in one currency (null: no limit) and the changes pending."""

    currency: CurrencyCode
    depositDaily: Money | None = Field(description="Top-ups per rolling 24 hours")
    depositMonthly: Money | None = Field(description="Top-ups per rolling 30 days")
    entryDaily: Money | None = Field(description="Entry fees per rolling 24 hours")
    pending: list[PendingLimit]


class SelfExclusion(Shape):
    """Self-exclusion (every currency): while in force, top-ups, entry fees and sponsorship are refused."""

    selfExcluded: bool
    until: Timestamp | None = Field(description="End of the exclusion in force; null when none or permanent")
    permanent: bool
    since: Timestamp | None


class Protection(Shape):
    """What an admin sees of one user's protection: KYC, limits and self-exclusion."""

    userId: str
    kyc: Kyc
    limits: Limits
    selfExclusion: SelfExclusion


class ActivityFigures(Shape):
    """Money moved, as positive magnitudes in major units."""

    topups: Money
    payouts: Money
    entryFees: Money
    rewards: Money
    platformFees: Money
    organizerFees: Money
    refunds: Money


class ActivityDay(ActivityFigures):
    """One UTC day's money."""

    date: str


class Analytics(Shape):
    """Money moved per UTC day of a range (every day present), and the range's totals."""

    from_: str = Field(alias="from")
    to: str
    currency: CurrencyCode
    days: list[ActivityDay]
    totals: ActivityFigures


class RefundLine(Shape):
    """Money returned to one payer: an entry fee or a sponsorship."""

    userId: str
    amount: Money
    kind: Literal["entry", "sponsorship"]


class Refund(Shape):
    """The refund of a cancelled competition."""

    reason: str
    status: Literal["collecting", "pending", "paid"]
    total: Money
    refunds: list[RefundLine]
    entryId: str | None
    createdAt: Timestamp
    updatedAt: Timestamp


class CompetitionRefund(Shape):
    """The cancelled competition and its refund."""

    competition: Competition
    refund: Refund


class StatementBalance(Funds):
    """The wallet's balance per fund at one moment, and their total."""

    total: Money


class StatementTransaction(Transaction):
    """A completed transaction of a statement with the wallet's balances right after it."""

    fundsAfter: Funds


class TypeTotal(Shape):
    """The transactions of one type in a statement: money in, money out (negative) and how many."""

    type: TransactionType
    credits: Money
    debits: Money
    count: int


class Statement(Shape):
    """The caller's statement over ``[from, to)``: balances per fund at both ends, every completed transaction
    oldest first with running balances, and totals by type."""

    from_: Timestamp = Field(alias="from")
    to: Timestamp
    currency: CurrencyCode
    opening: StatementBalance
    closing: StatementBalance
    transactions: list[StatementTransaction]
    totals: list[TypeTotal]
    truncated: bool = Field(description="More than 10,000 transactions: the list stops there, narrow the range")


class TaxEntry(Shape):
    """One withdrawal of the financial year: its net winnings and TDS."""

    payoutId: str
    date: Timestamp
    amount: Money
    netWinnings: Money
    tds: Money
    status: Literal["open", "captured", "reversed"] = Field(
        description="open: not yet paid; captured: paid; reversed: taken back in full, the tds returned")


class YearEnd(Shape):
    """The year-end step: net winnings left in the closing balance, taxed once the year has ended."""

    closingBalance: Money
    netWinnings: Money
    tds: Money
    closedAt: Timestamp
    nextOpeningBalance: Money


class TaxStatement(Shape):
    """The caller's tax statement of one financial year (net winnings under s. 194BA, Rule 133)."""

    fy: str
    currency: CurrencyCode
    pan: str | None = Field(description='Masked ("XXXXXX234F"); null without KYC')
    tdsRate: Percent
    openingBalance: Money
    deposits: Money
    withdrawals: Money
    netWinnings: Money
    tds: Money
    entries: list[TaxEntry]
    yearEnd: YearEnd | None = Field(description="null until the year is closed")


class TdsLine(Shape):
    """One user's TDS in one quarter."""

    userId: str
    pan: str | None = Field(description="Masked; null without KYC")
    quarter: Quarter
    netWinnings: Money
    tds: Money
    withdrawals: int = Field(description="Paid withdrawals counted (the year-end step is not one)")


class TdsTotals(Shape):
    """The report's sums."""

    netWinnings: Money
    tds: Money
    withdrawals: int


class TdsReport(Shape):
    """The platform's TDS return data for a financial year (or one quarter of it)."""

    fy: str
    quarter: Quarter | None
    currency: CurrencyCode
    lines: list[TdsLine]
    totals: TdsTotals


class TdsEstimate(Shape):
    """What a payout request of ``amount`` would withhold now (nothing is reserved)."""

    amount: Money
    currency: CurrencyCode
    tds: Money
    netAmount: Money
    netWinnings: Money
    financialYear: str
    tdsRate: Percent
    withdrawable: Money


class HealthReport(Shape):
    """The gateway and each gRPC service it uses, by name (``SERVING``, ``NOT_SERVING``, ``UNAVAILABLE``...)."""

    status: Literal["ok", "degraded"]
    gateway: Literal["SERVING"]
    services: dict[str, str]


class Pong(Shape):
    """The gateway process answers; nothing behind it is asked."""

    status: Literal["ok"]


class Pagination(Shape):
    """Where a page sits in the whole list."""

    page: Annotated[int, Field(ge=1)]
    limit: Annotated[int, Field(ge=1)]
    total: Annotated[int, Field(ge=0)]
    pages: Annotated[int, Field(ge=0)]


DataT = TypeVar("DataT")


class Envelope(Shape, Generic[DataT]):
    """``{success: true, message, data}``."""

    success: Literal[True]
    message: str
    data: DataT


class ListEnvelope(Shape, Generic[DataT]):
    """``{success: true, message, data: [...], pagination}``."""

    success: Literal[True]
    message: str
    data: list[DataT]
    pagination: Pagination


def _named(name: str, base: object) -> type[BaseModel]:
    """``base`` (a parametrized generic model) under a name fit for the OpenAPI document."""
    if not (isinstance(base, type) and issubclass(base, BaseModel)):
        raise TypeError(f"{base!r} is not a pydantic model")
    return create_model(name, __base__=base, __module__=__name__)


@cache
def envelope(model: type[BaseModel]) -> type[BaseModel]:
    """``Envelope[model]``, named ``<Model>Envelope`` in the OpenAPI document."""
    return _named(f"{model.__name__}Envelope", Envelope.__class_getitem__(model))


@cache
def list_envelope(model: type[BaseModel]) -> type[BaseModel]:
    """``ListEnvelope[model]``, named ``<Model>List`` in the OpenAPI document."""
    return _named(f"{model.__name__}List", ListEnvelope.__class_getitem__(model))


class HealthFailure(Shape):
    """``/health`` when a backing service is not serving: the error envelope, with the report as ``data``."""

    success: Literal[False]
    message: str
    error: Literal["SERVICE_UNAVAILABLE"]
    data: HealthReport
