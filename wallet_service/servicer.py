"""gRPC adapter of the wallet: protobuf messages to use-case calls and back, field by field."""

from __future__ import annotations

import asyncio

import grpc

from wallet_service.domain.activity import ActivityFigures
from wallet_service.domain.bonus import BonusGrant, GrantOutcome
from wallet_service.domain.commands import EntryRequest, LegRequest
from wallet_service.domain.controls import ControlsView
from wallet_service.domain.funds import Funds
from wallet_service.domain.model import (
    HoldOutcome,
    HoldRecord,
    PostingOutcome,
    RecoverOutcome,
    TransactionFilter,
    TransactionRecord,
    WalletView,
)
from wallet_service.use_cases import WalletUseCases
from wallet_service.use_cases.statements import Statement
from wallet_service.use_cases.tax import TaxStatement
from winzone.wallet.v1 import wallet_pb2 as pb
from winzone.wallet.v1 import wallet_pb2_grpc as pb_grpc
from winzone_kernel.errors import WinzoneError
from winzone_kernel.grpc_errors import status_for
from winzone_kernel.metrics import MONEY_MOVED


def funds_pb(funds: Funds) -> pb.Funds:
    return pb.Funds(deposit=funds.deposit, winnings=funds.winnings, bonus=funds.bonus)


def transaction_pb(r: TransactionRecord) -> pb.Transaction:
    msg = pb.Transaction(
        id=r.id, user_id=r.user_id or "", account=r.account, type=r.type, amount=r.amount, currency=r.currency,
        source=r.source, status=r.status, description=r.description, metadata=r.metadata,
        idempotency_key=r.idempotency_key or "", entry_id=r.entry_id or "", hold_id=r.hold_id or "",
        created_at=r.created_at, updated_at=r.updated_at, posted_at=r.posted_at, fund=r.fund,
    )
    if r.funds:
        msg.funds.CopyFrom(funds_pb(Funds.of(r.funds)))
    if r.balance_after is not None:
        msg.balance_after = r.balance_after
    return msg


def wallet_pb(w: WalletView) -> pb.Wallet:
    return pb.Wallet(user_id=w.user_id, currency=w.currency, balance=w.balance, held=w.held,
                     available=w.available, total_earnings=w.total_earnings, receivable=w.receivable,
                     restricted=w.restricted, funds=funds_pb(w.funds), held_funds=funds_pb(w.held_funds),
                     withdrawable=w.withdrawable)


def hold_pb(h: HoldRecord) -> pb.Hold:
    return pb.Hold(id=h.id, user_id=h.user_id, currency=h.currency, amount=h.amount, status=h.status,
                   transaction_id=h.transaction_id, created_at=h.created_at, updated_at=h.updated_at,
                   funds=funds_pb(Funds.of(h.funds)), tds=h.tds, net_amount=h.net_amount,
                   net_winnings=h.net_winnings, financial_year=h.financial_year)


def _count_money(transactions: list[TransactionRecord]) -> None:
    for t in transactions:
        if t.user_id is not None and t.status == "completed":
            MONEY_MOVED.labels(t.type, t.currency).inc(abs(t.amount))


def posting_pb(o: PostingOutcome) -> pb.PostingResult:
    if not o.replayed:
        _count_money(o.transactions)
    return pb.PostingResult(entry_id=o.entry_id, transactions=[transaction_pb(t) for t in o.transactions],
                            wallets=[wallet_pb(w) for w in o.wallets], replayed=o.replayed)


def hold_result_pb(o: HoldOutcome) -> pb.HoldResult:
    result = pb.HoldResult(hold=hold_pb(o.hold), replayed=o.replayed)
    if o.transaction is not None:
        if not o.replayed:
            _count_money([o.transaction])
        result.transaction.CopyFrom(transaction_pb(o.transaction))
    if o.wallet is not None:
        result.wallet.CopyFrom(wallet_pb(o.wallet))
    return result


def recover_pb(o: RecoverOutcome) -> pb.RecoverResult:
    if not o.replayed:
        _count_money(o.posting.transactions)
    return pb.RecoverResult(entry_id=o.posting.entry_id,
                            transactions=[transaction_pb(t) for t in o.posting.transactions],
                            wallet=wallet_pb(o.wallet), recovered=o.recovered, shortfall=o.shortfall,
                            replayed=o.replayed)


def legs_of(request: pb.PostRequest) -> list[LegRequest]:
    return [
        LegRequest(account=leg.account, amount=leg.amount, type=leg.type, currency=leg.currency,
                   description=leg.description, key=leg.idempotency_key, metadata=dict(leg.metadata))
        for leg in request.legs
    ]


def entry_result_pb(answer: PostingOutcome | WinzoneError) -> pb.EntryResult:
    if isinstance(answer, WinzoneError):
        return pb.EntryResult(error=pb.EntryError(status=status_for(answer).name, code=answer.code,
                                                  message=answer.message))
    return pb.EntryResult(posting=posting_pb(answer))


def activity_pb(figures: ActivityFigures) -> pb.ActivityFigures:
    return pb.ActivityFigures(
        topups=figures.topups, payouts=figures.payouts, entry_fees=figures.entry_fees, rewards=figures.rewards,
        platform_fees=figures.platform_fees, organizer_fees=figures.organizer_fees, refunds=figures.refunds)

def controls_pb(v: ControlsView) -> pb.PlayerControls:
    msg = pb.PlayerControls(
        user_id=v.user_id, currency=v.currency, self_excluded=v.self_excluded,
        excluded_permanently=v.excluded_permanently, updated_at=v.updated_at,
        pending=[pb.PendingLimit(limit=p.limit, amount=p.amount, effective_at=p.effective_at,
                                 requested_at=p.requested_at) for p in v.pending],
    )
    for limit, amount in v.limits.items():
        setattr(msg, limit, amount)
    if v.excluded_until is not None:
        msg.excluded_until = v.excluded_until
    if v.excluded_at is not None:
        msg.excluded_at = v.excluded_at
    return msg


def bonus_grant_pb(g: BonusGrant) -> pb.BonusGrant:
    return pb.BonusGrant(id=g.id, user_id=g.user_id, currency=g.currency, amount=g.amount, remaining=g.remaining,
                         reason=g.reason, expires_at=g.expires_at, status=g.status, granted_by=g.granted_by,
                         transaction_id=g.transaction_id, created_at=g.created_at)


def grant_result_pb(o: GrantOutcome) -> pb.GrantBonusResult:
    return pb.GrantBonusResult(grant=bonus_grant_pb(o.grant), posting=posting_pb(o.posting))


def statement_pb(s: Statement) -> pb.Statement:
    return pb.Statement(
        user_id=s.user_id, currency=s.currency, **{"from": s.start}, to=s.end,
        opening=funds_pb(s.opening), closing=funds_pb(s.closing), truncated=s.truncated,
        lines=[pb.StatementLine(transaction=transaction_pb(line.transaction),
                                funds_after=funds_pb(line.funds_after)) for line in s.lines],
        totals=[pb.TypeTotal(type=t.type, credits=t.credits, debits=t.debits, count=t.count) for t in s.totals],
    )


def tax_statement_pb(s: TaxStatement) -> pb.TaxStatement:
    msg = pb.TaxStatement(
        user_id=s.user_id, currency=s.currency, financial_year=s.financial_year, tds_rate=str(s.tds_rate),
        opening_balance=s.opening_balance, deposits=s.deposits, withdrawals=s.withdrawals,
        net_winnings=s.net_winnings, tds=s.tds,
        entries=[pb.TaxWithdrawal(payout_id=e.payout_id, date=e.date, amount=e.amount, net_winnings=e.net_winnings,
                                  tds=e.tds, status=e.status) for e in s.entries],
    )
    if s.year_end is not None:
        y = s.year_end
        msg.year_end.CopyFrom(pb.YearEnd(closing_balance=y.closing_balance, net_winnings=y.net_winnings,
                                         tds=y.withheld, closed_at=y.closed_at,
                                         next_opening_balance=y.next_opening_balance))
    return msg


class WalletServicer(pb_grpc.WalletServiceServicer):
    """``winzone.wallet.v1.WalletService``: the only way any service changes a balance."""

    def __init__(self, use_cases: WalletUseCases) -> None:
        self._postings = use_cases.postings
        self._batches = use_cases.batches
        self._holds = use_cases.holds
        self._queries = use_cases.queries
        self._controls = use_cases.controls
        self._bonuses = use_cases.bonuses
        self._taxes = use_cases.taxes
        self._statements = use_cases.statements

    async def GetWallet(self, request: pb.GetWalletRequest, context: grpc.aio.ServicerContext) -> pb.GetWalletResponse:
        """A user's wallet in one currency (with what the user owes and whether that restricts it) and its most
        recent transactions."""
        wallet = await asyncio.to_thread(self._queries.wallet, request.user_id, request.currency)
        limit = min(max(request.recent_limit or 10, 1), 100)
        recent = await asyncio.to_thread(self._queries.transactions, TransactionFilter(
            user_id=request.user_id, currency=wallet.currency, limit=limit))
        grants = await asyncio.to_thread(self._bonuses.grants, request.user_id, wallet.currency)
        return pb.GetWalletResponse(wallet=wallet_pb(wallet),
                                    recent_transactions=[transaction_pb(t) for t in recent.items],
                                    bonus_grants=[bonus_grant_pb(g) for g in grants])

    async def ListTransactions(
        self, request: pb.ListTransactionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListTransactionsResponse:
        """Transactions of one user or of everyone, newest first, filtered and paged, with the total."""
        page = await asyncio.to_thread(self._queries.transactions, TransactionFilter(
            user_id=request.user_id, type=request.type, status=request.status, currency=request.currency,
            page=request.page or 1, limit=request.limit or 20,
        ))
        return pb.ListTransactionsResponse(transactions=[transaction_pb(t) for t in page.items], total=page.total,
                                           page=page.page, limit=page.limit)

    async def GetTransaction(self, request: pb.GetTransactionRequest, context: grpc.aio.ServicerContext
                             ) -> pb.Transaction:
        """One transaction by id (NOT_FOUND when unknown)."""
        return transaction_pb(await asyncio.to_thread(self._queries.transaction, request.transaction_id))

    async def Credit(self, request: pb.CreditRequest, context: grpc.aio.ServicerContext) -> pb.PostingResult:
        """Money into a user's wallet from a system account."""
        return posting_pb(await self._postings.credit(
            key=request.idempotency_key, user_id=request.user_id, amount=request.amount, currency=request.currency,
            type=request.type, counter_account=request.counter_account, source=request.source,
            description=request.description, metadata=dict(request.metadata),
        ))

    async def Debit(self, request: pb.DebitRequest, context: grpc.aio.ServicerContext) -> pb.PostingResult:
        """Money out of a user's available balance to a system account."""
        return posting_pb(await self._postings.debit(
            key=request.idempotency_key, user_id=request.user_id, amount=request.amount, currency=request.currency,
            type=request.type, counter_account=request.counter_account, source=request.source,
            description=request.description, metadata=dict(request.metadata),
        ))

    async def Transfer(self, request: pb.TransferRequest, context: grpc.aio.ServicerContext) -> pb.PostingResult:
        """Money from one user's available balance to another user's wallet."""
        return posting_pb(await self._postings.transfer(
            key=request.idempotency_key, from_user_id=request.from_user_id, to_user_id=request.to_user_id,
            amount=request.amount, currency=request.currency, description=request.description,
            metadata=dict(request.metadata),
        ))

    async def Post(self, request: pb.PostRequest, context: grpc.aio.ServicerContext) -> pb.PostingResult:
        """One balanced multi-leg journal entry."""
        return posting_pb(await self._postings.post(
            key=request.idempotency_key, legs=legs_of(request), source=request.source,
            description=request.description, metadata=dict(request.metadata),
        ))

    async def PostBatch(self, request: pb.PostBatchRequest, context: grpc.aio.ServicerContext) -> pb.PostBatchResponse:
        """Many independent journal entries in one commit, each answered as its own Post would be (a posting, a
        replay or its error), in request order; INVALID_ARGUMENT for the call when the batch is empty or too big."""
        answers = await self._batches.post_batch([
            EntryRequest(key=entry.idempotency_key, legs=legs_of(entry), source=entry.source,
                         description=entry.description, metadata=dict(entry.metadata))
            for entry in request.entries
        ])
        return pb.PostBatchResponse(results=[entry_result_pb(answer) for answer in answers])

    async def CreateHold(self, request: pb.CreateHoldRequest, context: grpc.aio.ServicerContext) -> pb.HoldResult:
        """Reserve part of a user's available balance (min(amount, available) with ``up_to_available``);
        FAILED_PRECONDITION "HOLD_VOIDED" for a tombstoned hold id, "ACCOUNT_RESTRICTED" for a user who owes,
        "NOTHING_TO_PAY" for a payout whose whole amount would be withheld as TDS."""
        return hold_result_pb(await self._holds.create(
            key=request.idempotency_key, hold_id=request.hold_id, user_id=request.user_id, amount=request.amount,
            currency=request.currency, type=request.type, source=request.source, description=request.description,
            metadata=dict(request.metadata), up_to_available=request.up_to_available,
        ))

    async def CaptureHold(self, request: pb.CaptureHoldRequest, context: grpc.aio.ServicerContext) -> pb.HoldResult:
        """Move held funds out of the wallet; the hold's transaction becomes completed."""
        return hold_result_pb(await self._holds.capture(
            key=request.idempotency_key, hold_id=request.hold_id, counter_account=request.counter_account,
            note=request.description,
        ))

    async def VoidHold(self, request: pb.VoidHoldRequest, context: grpc.aio.ServicerContext) -> pb.HoldResult:
        """Release held funds; the hold's transaction becomes failed. An unknown hold id is tombstoned and answered
        as a voided hold of amount 0 with no transaction."""
        return hold_result_pb(await self._holds.void(
            key=request.idempotency_key, hold_id=request.hold_id, note=request.reason,
        ))

    async def Recover(self, request: pb.RecoverRequest, context: grpc.aio.ServicerContext) -> pb.RecoverResult:
        """Take money back to a system account in one entry: min(amount, available) from the wallet, the rest as
        the user's receivable (which restricts the wallet until later credits settle it)."""
        return recover_pb(await self._postings.recover(
            key=request.idempotency_key, user_id=request.user_id, amount=request.amount, currency=request.currency,
            counter_account=request.counter_account, type=request.type, source=request.source,
            description=request.description, metadata=dict(request.metadata),
        ))

    async def SummarizeActivity(self, request: pb.SummarizeActivityRequest, context: grpc.aio.ServicerContext
                                ) -> pb.ActivitySummary:
        """Money moved per UTC day of a range, from completed legs, with every day present and the totals."""
        query, days, totals = await asyncio.to_thread(self._queries.activity, request.from_date, request.to_date,
                                                      request.currency)
        return pb.ActivitySummary(
            from_date=query.start, to_date=query.last.isoformat(), currency=query.currency,
            days=[pb.ActivityDay(date=d.day, figures=activity_pb(d.figures)) for d in days],
            totals=activity_pb(totals))

    async def GetPlayerControls(self, request: pb.GetPlayerControlsRequest, context: grpc.aio.ServicerContext
                                ) -> pb.PlayerControls:
        """The player's limits in force in one currency, the pending changes and any self-exclusion."""
        return controls_pb(await self._controls.get(user_id=request.user_id, currency=request.currency))

    async def SetLimits(self, request: pb.SetLimitsRequest, context: grpc.aio.ServicerContext) -> pb.PlayerControls:
        """Set or remove limits: lower ones at once, higher ones and removals after the 24 h cooling-off
        (INVALID_LIMIT, INVALID_AMOUNT for bad changes)."""
        changes = [(c.limit, c.amount if c.HasField("amount") else None, c.remove) for c in request.changes]
        return controls_pb(await self._controls.set_limits(user_id=request.user_id, currency=request.currency,
                                                           changes=changes))

    async def SelfExclude(self, request: pb.SelfExcludeRequest, context: grpc.aio.ServicerContext
                          ) -> pb.PlayerControls:
        """Self-exclusion for 7..365 days or permanently, only ever lengthened (INVALID_DAYS otherwise)."""
        return controls_pb(await self._controls.self_exclude(user_id=request.user_id, days=request.days,
                                                             permanent=request.permanent))

    async def GrantBonus(self, request: pb.GrantBonusRequest, context: grpc.aio.ServicerContext
                         ) -> pb.GrantBonusResult:
        """A promotion from "promotions" into the user's bonus fund (type "bonus"), with its grant: a reason of
        1-500 characters (INVALID_REASON) and an optional expiry in the future, at most 5 years ahead
        (INVALID_EXPIRY). It never settles what the user owes."""
        return grant_result_pb(await self._bonuses.grant(
            key=request.idempotency_key, user_id=request.user_id, amount=request.amount, currency=request.currency,
            reason=request.reason, expires_at=request.expires_at, granted_by=request.granted_by,
        ))

    async def ExpireBonuses(self, request: pb.ExpireBonusesRequest, context: grpc.aio.ServicerContext
                            ) -> pb.ExpireBonusesResponse:
        """Expire up to ``limit`` (default 500, max 5,000; INVALID_LIMIT otherwise) grants past their expiry:
        what is left of each returns to "promotions" ("bonusExpired"); ``more`` when more were due."""
        outcome = await self._bonuses.expire(request.limit)
        return pb.ExpireBonusesResponse(expired=[bonus_grant_pb(g) for g in outcome.expired], more=outcome.more)

    async def EstimateTds(self, request: pb.EstimateTdsRequest, context: grpc.aio.ServicerContext
                          ) -> pb.TdsEstimate:
        """The TDS a payout hold of ``amount`` would withhold now under TDS_RATE, its net amount and net winnings,
        and what the wallet could withdraw now; nothing is reserved."""
        e = await asyncio.to_thread(self._taxes.estimate, request.user_id, request.amount, request.currency)
        return pb.TdsEstimate(amount=e.amount, tds=e.tds, net_amount=e.net_amount, net_winnings=e.net_winnings,
                              financial_year=e.financial_year, tds_rate=str(e.tds_rate), withdrawable=e.withdrawable)

    async def GetStatement(self, request: pb.GetStatementRequest, context: grpc.aio.ServicerContext
                           ) -> pb.Statement:
        """The wallet's statement over [from, to): opening and closing funds, every completed leg oldest first
        with the funds after it (at most 10,000: ``truncated`` beyond), and totals by type. INVALID_DATE for a
        bad time, INVALID_RANGE when from is after to or the range exceeds 366 days."""
        return statement_pb(await asyncio.to_thread(
            self._statements.statement, request.user_id, request.currency, getattr(request, "from"), request.to))

    async def GetTaxStatement(self, request: pb.GetTaxStatementRequest, context: grpc.aio.ServicerContext
                              ) -> pb.TaxStatement:
        """The user's tax statement of one financial year (INVALID_FINANCIAL_YEAR for a malformed one)."""
        return tax_statement_pb(await asyncio.to_thread(
            self._taxes.statement, request.user_id, request.currency, request.financial_year))

    async def TdsReport(self, request: pb.TdsReportRequest, context: grpc.aio.ServicerContext
                        ) -> pb.TdsReportResponse:
        """Net winnings and TDS per user and quarter of a financial year (INVALID_QUARTER for a bad quarter)."""
        r = await asyncio.to_thread(self._taxes.report, request.financial_year, request.quarter, request.currency)
        return pb.TdsReportResponse(
            financial_year=r.financial_year, currency=r.currency, total_net_winnings=r.total_net_winnings,
            total_tds=r.total_tds,
            lines=[pb.TdsLine(user_id=line.user_id, quarter=line.quarter, net_winnings=line.net_winnings,
                              tds=line.tds, withdrawals=line.withdrawals) for line in r.lines],
        )

    async def CloseTaxYear(self, request: pb.CloseTaxYearRequest, context: grpc.aio.ServicerContext
                           ) -> pb.CloseTaxYearResponse:
        """Close an ended financial year for every wallet with activity in it; a wallet already closed is left
        as it is, so a second run changes nothing (INVALID_FINANCIAL_YEAR for a year not ended)."""
        r = await self._taxes.close_year(request.financial_year, request.currency)
        return pb.CloseTaxYearResponse(
            financial_year=r.financial_year, currency=r.currency, wallets=r.wallets, closed_now=r.closed_now,
            already_closed=r.already_closed, net_winnings=r.net_winnings, tds=r.tds, shortfall=r.shortfall)

    async def Audit(self, request: pb.AuditRequest, context: grpc.aio.ServicerContext) -> pb.AuditResponse:
        """Check every ledger invariant."""
        report = await asyncio.to_thread(self._queries.audit)
        return pb.AuditResponse(
            ok=report.ok, violations=report.violations, accounts_checked=report.accounts_checked,
            transactions_checked=report.transactions_checked, holds_checked=report.holds_checked,
            totals=[pb.CurrencyTotal(currency=c, sum_of_balances=t) for c, t in sorted(report.totals.items())],
        )
