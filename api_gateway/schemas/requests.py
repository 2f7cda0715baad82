"""Request bodies and query strings of the REST API, as the strict parsers in ``body`` and ``query`` read them.

Amounts are JSON numbers in major units, strictly positive, with at most the currency's minor-unit digits
(INR and USD: 2); they are parsed as exact decimals, never as binary floats.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic.json_schema import SkipJsonSchema

from api_gateway.domain.rules import EMAIL_PATTERN, MAX_EMAIL, MAX_NAME, MAX_PASSWORD, MIN_PASSWORD
from api_gateway.query import DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE
from winzone_kernel.money import CURRENCIES, MAX_MINOR

MAX_AMOUNT = min(MAX_MINOR // currency.factor for currency in CURRENCIES.values())
MAX_ID = 64
MAX_NOTE = 500
MAX_KYC_NAME = 100
MIN_EXCLUSION_DAYS = 7
MAX_EXCLUSION_DAYS = 365

CurrencyCode = Literal["INR", "USD"]
Template = Literal["winner_takes_all", "top3", "top5", "top10"]
TransactionType = Literal["credit", "debit", "reward", "entryFee", "payout", "refund", "topup", "organizerFee",
                          "platformFee", "chargeback", "bonus", "bonusExpired", "tds", "gst", "migration"]
FundName = Literal["deposit", "winnings", "bonus"]
DocumentFormat = Literal["json", "csv", "pdf"]
Quarter = Literal["Q1", "Q2", "Q3", "Q4"]
FINANCIAL_YEAR_PATTERN = r"^[0-9]{4}-[0-9]{2}$"
TransactionStatus = Literal["pending", "completed", "failed"]
PayoutStatus = Literal["requested", "held", "awaiting_second_approval", "approved", "paid", "failed", "rejected"]
KycReviewStatus = Literal["pending", "verified", "rejected", "flagged"]
KycStatus = Literal["none", KycReviewStatus]

Amount = Annotated[Decimal, WithJsonSchema({
    "type": "number", "exclusiveMinimum": 0, "maximum": MAX_AMOUNT, "multipleOf": 0.01,
    "description": "Major units of the currency (1000 is ₹1,000.00), at most 2 decimal places.",
})]
Currency = Annotated[CurrencyCode, Field(description="ISO-4217 code.")]
ShortId = Annotated[str, Field(min_length=1, max_length=MAX_ID)]


class RegisterBody(BaseModel):
    """``POST /api/auth/register``: a player (default) or an organizer; ``admin`` is refused with 403."""

    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    email: Annotated[str, Field(max_length=MAX_EMAIL, pattern=EMAIL_PATTERN.pattern, examples=["player@winzone.test"])]
    password: Annotated[str, Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)]
    role: Literal["player", "organizer"] = "player"


class LoginBody(BaseModel):
    """``POST /api/auth/login``."""

    email: Annotated[str, Field(min_length=1)]
    password: Annotated[str, Field(min_length=1)]


class TopUpBody(BaseModel):
    """``POST /api/wallet/topup``; the payment service's top-up minimum and maximum also apply."""

    amount: Amount
    currency: Currency = "INR"


class VerifyTopUpBody(BaseModel):
    """``POST /api/wallet/topup/verify``: our session id or the provider's reference of it."""

    sessionId: Annotated[str, Field(min_length=1, max_length=200)]


class UpiDetails(BaseModel):
    """A UPI destination."""

    model_config = ConfigDict(extra="forbid")

    upiId: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{2,256}@[A-Za-z0-9]{2,64}$", examples=["player@paytm"])]
    name: Annotated[str, Field(min_length=1, max_length=100)]


class BankDetails(BaseModel):
    """An Indian bank account (IFSC accepted in either case)."""

    model_config = ConfigDict(extra="forbid")

    accountNumber: Annotated[str, Field(pattern=r"^[0-9]{9,18}$")]
    ifsc: Annotated[str, Field(pattern=r"^[A-Za-z]{4}0[A-Za-z0-9]{6}$", examples=["HDFC0001234"])]
    accountHolderName: Annotated[str, Field(min_length=1, max_length=100)]


class StripeDetails(BaseModel):
    """A Stripe connected account."""

    model_config = ConfigDict(extra="forbid")

    accountId: Annotated[str, Field(pattern=r"^acct_[A-Za-z0-9]{6,}$", max_length=255)]


class UpiMethod(BaseModel):
    """Pay to a UPI id."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["upi"]
    details: UpiDetails


class BankMethod(BaseModel):
    """Pay to a bank account."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["bank"]
    details: BankDetails


class StripeMethod(BaseModel):
    """Pay to a Stripe connected account."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["stripe"]
    details: StripeDetails


class PayoutRequestBody(BaseModel):
    """``POST /api/wallet/payout-request``; the payout service's minimum and maximum also apply."""

    amount: Amount
    currency: Currency = "INR"
    method: Annotated[UpiMethod | BankMethod | StripeMethod, Field(discriminator="type")]


class ApprovePayoutBody(BaseModel):
    """``PUT /api/admin/payouts/{payout_id}/approve``."""

    note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None


class RejectPayoutBody(BaseModel):
    """``PUT /api/admin/payouts/{payout_id}/reject``."""

    reason: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)]


class ReleasePayoutBody(BaseModel):
    """``PUT /api/admin/payouts/{payout_id}/release``: why the held payout may continue."""

    note: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)]


class KycBody(BaseModel):
    """``POST /api/kyc``: the caller's PAN, name as on the PAN card, and date of birth."""

    model_config = ConfigDict(extra="forbid")

    pan: Annotated[str, Field(pattern=r"^[A-Z]{5}[0-9]{4}[A-Z]$", examples=["ABCDE1234F"])]
    name: Annotated[str, Field(min_length=1, max_length=MAX_KYC_NAME)]
    dateOfBirth: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="YYYY-MM-DD.")]


class VerifyKycBody(BaseModel):
    """``PUT /api/admin/kyc/{user_id}/verify``."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str | None, Field(max_length=MAX_NOTE)] = None


class RejectKycBody(BaseModel):
    """``PUT /api/admin/kyc/{user_id}/reject``."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)]


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


LimitValue = Annotated[Amount | None, Field(description="Major units; null removes the limit (after the cooling-off). "
                                                        "Left out: unchanged.", json_schema_extra=_no_default)]


class LimitsBody(BaseModel):
    """``PUT /api/wallet/limits``: each limit given is set (a number) or removed (``null``); a lower or first
    limit applies at once, a higher one or a removal after 24 hours."""

    model_config = ConfigDict(extra="forbid")

    depositDaily: LimitValue = None
    depositMonthly: LimitValue = None
    entryDaily: LimitValue = None
    currency: Currency = "INR"


class SelfExclusionBody(BaseModel):
    """``POST /api/wallet/self-exclusion``: ``{days}`` (7-365) or ``{permanent: true}``; it only ever lengthens."""

    model_config = ConfigDict(extra="forbid")

    days: Annotated[int, Field(ge=MIN_EXCLUSION_DAYS, le=MAX_EXCLUSION_DAYS)] | SkipJsonSchema[None] = None
    permanent: Literal[True] | SkipJsonSchema[None] = None


class OpenCompetitionBody(BaseModel):
    """``PUT /api/competitions/{competition_id}``: the pool's terms; an admin may name the owning organizer."""

    entryFee: Amount
    currency: Currency = "INR"
    template: Annotated[Template | None, Field(description="Default: top3.")] = None
    organizerId: Annotated[ShortId | None, Field(description="The owner: an admin may name any organizer, an "
                                                             "organizer only itself.")] = None


class EntryBody(BaseModel):
    """``POST /api/competitions/{competition_id}/entry``: optionally the fee the player expects to pay; an
    amount or currency that differs from the competition's is 400."""

    amount: Amount | SkipJsonSchema[None] = None
    currency: Currency | SkipJsonSchema[None] = None


class FundBody(BaseModel):
    """``POST /api/competitions/{competition_id}/fund``: sponsor money from the caller's wallet; the currency
    defaults to the competition's."""

    amount: Amount
    currency: Currency | SkipJsonSchema[None] = None


class RefundBody(BaseModel):
    """``POST /api/competitions/{competition_id}/refund``."""

    reason: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)]


class Standing(BaseModel):
    """A registered player's final rank in a match."""

    userId: ShortId
    rank: Annotated[int, Field(ge=1, le=2**31 - 1)]


class DistributeRewardsBody(BaseModel):
    """``POST /api/matches/{match_id}/rewards``: a template (default: the competition's) or explicit shares in
    percent, the standings, and optionally a prize pool below the whole pool."""

    competitionId: ShortId
    template: Template | None = None
    shares: Annotated[list[Annotated[Decimal, WithJsonSchema({"type": "number", "exclusiveMinimum": 0,
                                                              "maximum": 100})]] | None,
                      Field(min_length=1, description="Percentages by rank; not together with template.")] = None
    standings: list[Standing]
    prizePool: Amount | None = None
    currency: Annotated[Currency | SkipJsonSchema[None], Field(description="The prize pool's; default: the "
                                                                        "competition's.")] = None


class GrantBonusBody(BaseModel):
    """``POST /api/admin/users/{user_id}/bonus``: a promotion into the user's bonus fund (spent only on entry
    fees, never withdrawable); what is left at ``expiresAt`` expires."""

    model_config = ConfigDict(extra="forbid")

    amount: Amount
    currency: Currency = "INR"
    reason: Annotated[str, Field(min_length=1, max_length=MAX_NOTE)]
    expiresAt: Annotated[str | None, Field(description="RFC 3339, in the future; left out: never expires.",
                                           examples=["2027-01-31T18:30:00Z"], json_schema_extra=_no_default)] = None


REQUEST_BODIES: tuple[type[BaseModel], ...] = (
    RegisterBody, LoginBody, TopUpBody, VerifyTopUpBody, PayoutRequestBody, ApprovePayoutBody, RejectPayoutBody,
    OpenCompetitionBody, EntryBody, FundBody, RefundBody, DistributeRewardsBody, ReleasePayoutBody, KycBody,
    VerifyKycBody, RejectKycBody, LimitsBody, SelfExclusionBody, GrantBonusBody,
)
"""Every request body model; the OpenAPI document holds each as a component schema."""


Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description="1-based page number.")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Items per page.")]
UserFilter = Annotated[str | None, Field(max_length=128, description="Only this user's items.")]


class WalletQuery(BaseModel):
    """``GET /api/wallet``."""

    currency: Currency = "INR"


class TransactionQuery(BaseModel):
    """The caller's transactions: newest first, filtered by type, status and currency."""

    page: Page = 1
    limit: Limit = DEFAULT_LIMIT
    type: TransactionType | None = None
    status: TransactionStatus | None = None
    currency: Currency | None = None


class AdminTransactionQuery(TransactionQuery):
    """Every user's transactions (admin)."""

    userId: UserFilter = None


class PayoutQuery(BaseModel):
    """The caller's payout requests, newest first."""

    status: PayoutStatus | None = None
    page: Page = 1
    limit: Limit = DEFAULT_LIMIT


class AdminPayoutQuery(PayoutQuery):
    """Every payout request (admin)."""

    userId: UserFilter = None


class KycQuery(BaseModel):
    """KYC records (admin), oldest submission first."""

    status: KycReviewStatus | None = None
    page: Page = 1
    limit: Limit = DEFAULT_LIMIT


class LimitsQuery(BaseModel):
    """``GET /api/wallet/limits``."""

    currency: Currency = "INR"


class CompetitionQuery(BaseModel):
    """Competitions, newest first."""

    status: Literal["open", "closed", "cancelled"] | None = None
    organizerId: Annotated[str | None, Field(max_length=MAX_ID, description="Only this organizer's.")] = None
    page: Page = 1
    limit: Limit = DEFAULT_LIMIT


class EntriesQuery(BaseModel):
    """A competition's entries, oldest first."""

    page: Page = 1
    limit: Limit = DEFAULT_LIMIT


class AnalyticsQuery(BaseModel):
    """Money moved per UTC day over a range of at most 366 days, both ends included."""

    from_: Annotated[str, Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}$", description="First day, YYYY-MM-DD.")]
    to: Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="Last day, YYYY-MM-DD.")]
    currency: Currency = "INR"



DateOrTime = Annotated[str | None, Field(max_length=40, description="YYYY-MM-DD (midnight UTC) or an RFC 3339 time.")]
FinancialYear = Annotated[str | None, Field(pattern=FINANCIAL_YEAR_PATTERN, examples=["2026-27"],
                                            description="YYYY-YY (1 April - 31 March, India time); default: the "
                                                        "current one.")]


class StatementQuery(BaseModel):
    """The caller's statement over ``[from, to)``; ``to`` as a date includes that whole day. Default: the last
    30 days."""

    from_: Annotated[DateOrTime, Field(alias="from")] = None
    to: DateOrTime = None
    format: DocumentFormat = "json"
    currency: Currency = "INR"


class TaxStatementQuery(BaseModel):
    """The caller's tax statement for one financial year."""

    fy: FinancialYear = None
    format: DocumentFormat = "json"
    currency: Currency = "INR"


class TdsReportQuery(BaseModel):
    """TDS per user and quarter of a financial year (admin)."""

    fy: FinancialYear = None
    quarter: Annotated[Quarter | None, Field(description="Only this quarter; default: every quarter.")] = None
    format: Literal["json", "csv"] = "json"
    currency: Currency = "INR"


class TdsEstimateQuery(BaseModel):
    """What a payout request of ``amount`` would withhold now."""

    amount: Amount
    currency: Currency = "INR"
