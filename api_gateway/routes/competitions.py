"""``/api/competitions`` and ``/api/matches/{id}/rewards``: prize pools, entries, sponsorship, refunds, rewards.

Ownership (only the owning organizer or an admin manages a competition) is enforced by the reward service
from the ``actor`` each call carries; this module checks roles, parses bodies exactly and shapes replies.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api_gateway.body import amount_field, currency_field, json_body, optional_str, required_str
from api_gateway.context import GatewayContext, context, principal, require_roles
from api_gateway.domain.model import Principal, Role
from api_gateway.envelope import EnvelopeResponse, ok, pagination
from api_gateway.idempotency import KEY_CODES, REQUIRED_KEY_CODES, client_key, key_header
from api_gateway.query import ListQuery, only_params
from api_gateway.schemas.errors import AMOUNT_CODES, error_responses
from api_gateway.schemas.openapi import AUTHENTICATED, documented
from api_gateway.schemas.requests import (
    MAX_ID,
    CompetitionQuery,
    DistributeRewardsBody,
    EntriesQuery,
    EntryBody,
    FundBody,
    OpenCompetitionBody,
    RefundBody,
)
from api_gateway.schemas.responses import (
    Competition,
    CompetitionRefund,
    Distribution,
    Entry,
    Transaction,
    envelope,
    list_envelope,
)
from api_gateway.serializers import transaction_json
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone_kernel.errors import InvalidArgument
from winzone_kernel.money import to_major

router = APIRouter(tags=["competitions"])

MAX_RANK = 2**31 - 1

FUND_KEY = key_header("Required: makes the sponsorship happen once. The same key again returns the first "
                      "transaction (or the same refusal); with another amount it is 409.", required=True)
ENTRY_KEY = key_header("Optional. The same key again returns the first answer (or the same refusal); without "
                       "one, an entry refused earlier is tried afresh.")
ENTRY_CLOSED = ["COMPETITION_CANCELLED", "ENTRIES_CLOSED"]
TERMS_CODES = [*AMOUNT_CODES, "VALIDATION_ERROR", "INVALID_ID", "INVALID_ORGANIZER", "UNKNOWN_TEMPLATE"]
CREATE_RESPONSES = {
    201: {"model": envelope(Competition), "description": "Created under a new id the server chose (`_id`): the "
                                                         "caller (or the named organizer) owns it."},
    **error_responses(body=True, bad_request=[*TERMS_CODES, *KEY_CODES], forbidden=["FORBIDDEN"],
                      conflict=["COMPETITION_EXISTS", "IDEMPOTENCY_CONFLICT"]),
}
CREATE_KEY = key_header("Optional. The same key with the same terms returns the competition it opened first; "
                        "with other terms it is 409 IDEMPOTENCY_CONFLICT. Without one, every request opens a new "
                        "competition.")
STATUSES = frozenset({"open", "closed", "cancelled"})
DISTRIBUTE_BAD_REQUEST = [
    *AMOUNT_CODES, "VALIDATION_ERROR", "INVALID_ID", "INVALID_MATCH_ID", "INVALID_SHARES", "INVALID_STANDINGS",
    "INVALID_USER_ID", "INVALID_RANK", "UNKNOWN_PLAYER", "TEMPLATE_AND_SHARES", "UNKNOWN_TEMPLATE", "EMPTY_STANDINGS",
    "DUPLICATE_USER", "TOO_MANY_WINNERS"]
CHANGE_RESPONSES = error_responses(
    body=True, path=True, bad_request=TERMS_CODES, forbidden=["FORBIDDEN"],
    not_found=["COMPETITION_NOT_FOUND"], conflict=["COMPETITION_NOT_OPEN", "COMPETITION_HAS_ENTRIES", "POOL_NOT_EMPTY"])

Who = Annotated[Principal, Depends(principal)]
Ctx = Annotated[GatewayContext, Depends(context)]
Body = Annotated[dict[str, Any], Depends(json_body)]
Manager = Annotated[Principal, Depends(require_roles(Role.ORGANIZER, Role.ADMIN))]
Player = Annotated[Principal, Depends(require_roles(Role.PLAYER))]


def competition_json(c: rpb.Competition) -> dict[str, Any]:
    return {
        "_id": c.id,
        "organizerId": c.organizer_id,
        "entryFee": to_major(c.entry_fee, c.currency),
        "currency": c.currency,
        "template": c.template,
        "status": c.status,
        "poolBalance": to_major(c.pool_balance, c.currency),
        "entries": c.entries,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
    }


def distribution_json(d: rpb.Distribution) -> dict[str, Any]:
    return {
        "_id": d.match_id,
        "matchId": d.match_id,
        "competitionId": d.competition_id,
        "template": d.template or None,
        "shares": [Decimal(s) for s in d.shares] or None,
        "currency": d.currency,
        "prizePool": to_major(d.prize_pool, d.currency),
        "platformFee": to_major(d.platform_fee, d.currency),
        "organizerFee": to_major(d.organizer_fee, d.currency),
        "platformFeePercentage": Decimal(d.platform_fee_percentage),
        "organizerFeePercentage": Decimal(d.organizer_fee_percentage),
        "organizerId": d.organizer_id,
        "payouts": [{"userId": p.user_id, "rank": p.rank, "amount": to_major(p.amount, d.currency)}
                    for p in d.payouts],
        "status": d.status,
        "entryId": d.entry_id or None,
        "createdAt": d.created_at,
        "updatedAt": d.updated_at,
    }


def refund_json(r: rpb.Refund, currency: str) -> dict[str, Any]:
    return {
        "reason": r.reason,
        "status": r.status,
        "total": to_major(r.total, currency),
        "refunds": [{"userId": x.user_id, "amount": to_major(x.amount, currency), "kind": x.kind} for x in r.lines],
        "entryId": r.entry_id or None,
        "createdAt": r.created_at,
        "updatedAt": r.updated_at,
    }


def _actor(who: Principal) -> rpb.Actor:
    return rpb.Actor(user_id=who.user_id, role=who.role)


def _shares(body: dict[str, Any]) -> list[str]:
    shares = body.get("shares")
    if shares is None:
        return []
    if not isinstance(shares, list) or not shares or any(
            isinstance(s, bool) or not isinstance(s, int | Decimal) for s in shares):
        raise InvalidArgument("shares must be a non-empty list of percentages", code="INVALID_SHARES")
    return [format(Decimal(share), "f") for share in shares]


def _standings(body: dict[str, Any]) -> list[rpb.Standing]:
    standings = body.get("standings")
    if not isinstance(standings, list):
        raise InvalidArgument("standings must be a list of {userId, rank}", code="INVALID_STANDINGS")
    parsed = []
    for item in standings:
        if not isinstance(item, dict):
            raise InvalidArgument("Each standing must be an object {userId, rank}", code="INVALID_STANDINGS")
        user_id, rank = item.get("userId"), item.get("rank")
        if not isinstance(user_id, str) or not user_id:
            raise InvalidArgument("Each standing needs a userId string", code="INVALID_USER_ID")
        if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= MAX_RANK:
            raise InvalidArgument("Ranks must be positive integers", code="INVALID_RANK")
        parsed.append(rpb.Standing(user_id=user_id, rank=rank))
    return parsed


async def _check_players(ctx: GatewayContext, standings: list[rpb.Standing]) -> None:
    """Every standing must name a registered player: a reward paid to an id nobody signs in as (a typo), or
    to the organizer or an admin, could never be undone."""
    stranger = await asyncio.to_thread(ctx.directory.first_non_player, [s.user_id for s in standings])
    if stranger is not None:
        raise InvalidArgument(f"Standing {stranger[:64]!r} is not a registered player", code="UNKNOWN_PLAYER")


async def _currency_for(ctx: GatewayContext, body: dict[str, Any], competition_id: str) -> str:
    """The body's currency, else the competition's (404 when it does not exist)."""
    if "currency" in body:
        return currency_field(body)
    competition = await ctx.stubs["rewards"].GetCompetition(rpb.GetCompetitionRequest(competition_id=competition_id))
    return competition.currency


async def _open(ctx: GatewayContext, who: Principal, body: dict[str, Any], competition_id: str, key: str = ""
                ) -> rpb.OpenCompetitionResponse:
    """OpenCompetition with the body's terms: ``competition_id`` "" opens a new one under a generated id."""
    currency = currency_field(body)
    entry_fee = amount_field(body, currency, "entryFee")
    template = optional_str(body, "template", max_length=MAX_ID) or ""
    organizer_id = optional_str(body, "organizerId", max_length=MAX_ID) or ""
    if (organizer_id and who.role == Role.ADMIN and organizer_id != who.user_id
            and not await asyncio.to_thread(ctx.directory.can_organize, organizer_id)):
        raise InvalidArgument("organizerId must be the id of an organizer", code="INVALID_ORGANIZER")
    reply: rpb.OpenCompetitionResponse = await ctx.stubs["rewards"].OpenCompetition(rpb.OpenCompetitionRequest(
        competition_id=competition_id, organizer_id=organizer_id, entry_fee=entry_fee, currency=currency,
        template=template, actor=_actor(who), idempotency_key=key,
    ))
    return reply


@router.post("/api/competitions", status_code=201, response_model=envelope(Competition),
             dependencies=AUTHENTICATED, openapi_extra=documented(body=OpenCompetitionBody, headers=[CREATE_KEY]),
             responses=CREATE_RESPONSES)
async def create_competition(request: Request, body: Body, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """Open a new competition's prize pool under an id the server generates (the caller owns it; an admin may
    name the organizer). Ids are never chosen by clients, so no one can take an id another organizer will
    use; match ids distributed from it are ``<name>@<its id>``. With an ``Idempotency-Key`` a repeat returns the
    same competition, and other terms under the same key are 409."""
    reply = await _open(ctx, who, body, "", client_key(request, required=False))
    return ok("Competition created successfully", competition_json(reply.competition), status=201)


@router.put("/api/competitions/{competition_id}", response_model=envelope(Competition), dependencies=AUTHENTICATED,
            openapi_extra=documented(body=OpenCompetitionBody), responses=CHANGE_RESPONSES)
async def change_competition(competition_id: str, body: Body, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """Change a competition's terms (its owner or an admin) before its first entry; an admin may name another
    organizer as owner. An unknown id is 404: ``POST /api/competitions`` opens new ones."""
    reply = await _open(ctx, who, body, competition_id)
    return ok("Competition updated successfully", competition_json(reply.competition))


@router.get("/api/competitions", response_model=list_envelope(Competition), dependencies=AUTHENTICATED,
            responses=error_responses(bad_request=["VALIDATION_ERROR", "INVALID_ID"]),
            openapi_extra=documented(query=CompetitionQuery))
async def list_competitions(request: Request, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """Competitions, newest first, for any signed-in user (``?status=&organizerId=&page=&limit=``)."""
    only_params(request, "status", "organizerId", "page", "limit")
    query = ListQuery.parse(request, status=STATUSES, organizerId=None)
    reply = await ctx.stubs["rewards"].ListCompetitions(rpb.ListCompetitionsRequest(
        status=query.filters["status"], organizer_id=query.filters["organizerId"], page=query.page,
        limit=query.limit))
    return ok("Competitions fetched successfully", [competition_json(c) for c in reply.competitions],
              pagination=pagination(query.page, query.limit, reply.total))


@router.get("/api/competitions/{competition_id}/entries", response_model=list_envelope(Entry),
            dependencies=AUTHENTICATED, openapi_extra=documented(query=EntriesQuery),
            responses=error_responses(bad_request=["VALIDATION_ERROR"], forbidden=["FORBIDDEN"],
                                      not_found=["COMPETITION_NOT_FOUND"], path=True))
async def list_entries(competition_id: str, request: Request, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """The players who entered, oldest entry first (``?page=&limit=``): the competition's owner or an admin."""
    only_params(request, "page", "limit")
    query = ListQuery.parse(request)
    reply = await ctx.stubs["rewards"].ListEntries(rpb.ListEntriesRequest(
        competition_id=competition_id, page=query.page, limit=query.limit, actor=_actor(who)))
    entries = [{"userId": e.user_id, "amount": to_major(e.amount, e.currency), "currency": e.currency,
                "status": e.status, "createdAt": e.created_at} for e in reply.entries]
    return ok("Entries fetched successfully", entries, pagination=pagination(query.page, query.limit, reply.total))


@router.get("/api/competitions/{competition_id}", response_model=envelope(Competition), dependencies=AUTHENTICATED,
            responses=error_responses(not_found=["COMPETITION_NOT_FOUND"], path=True))
async def get_competition(competition_id: str, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """One competition with its pool balance and number of entries."""
    competition = await ctx.stubs["rewards"].GetCompetition(rpb.GetCompetitionRequest(competition_id=competition_id))
    return ok("Competition fetched successfully", competition_json(competition))


@router.post(
    "/api/competitions/{competition_id}/entry", status_code=201, response_model=envelope(Transaction),
    dependencies=AUTHENTICATED, openapi_extra=documented(body=EntryBody, body_required=False, headers=[ENTRY_KEY]),
    responses=error_responses(
        body=True, path=True,
        bad_request=[*AMOUNT_CODES, *KEY_CODES, "INVALID_ID", "ENTRY_FEE_MISMATCH", "CURRENCY_MISMATCH",
                     "INSUFFICIENT_FUNDS"],
        forbidden=["FORBIDDEN"], not_found=["COMPETITION_NOT_FOUND"],
        conflict=[*ENTRY_CLOSED, "IDEMPOTENCY_CONFLICT", "ACCOUNT_RESTRICTED", "LIMIT_EXCEEDED", "SELF_EXCLUDED"],
        unavailable=["PAYMENT_IN_PROGRESS"]),
)
async def enter_competition(competition_id: str, request: Request, body: Body, who: Player,
                            ctx: Ctx) -> EnvelopeResponse:
    """Pay the competition's entry fee from the caller's wallet, once; a repeat returns the same transaction.
    An ``Idempotency-Key`` is checked against the rule; the entry is once per player with or without one."""
    client_key(request, required=False)
    expected_currency = currency_field(body) if "currency" in body else ""
    expected_amount = 0
    if "amount" in body:
        expected_amount = amount_field(body, expected_currency or await _currency_for(ctx, body, competition_id))
    reply = await ctx.stubs["rewards"].ChargeEntryFee(rpb.ChargeEntryFeeRequest(
        competition_id=competition_id, user_id=who.user_id, expected_amount=expected_amount,
        expected_currency=expected_currency,
    ))
    message = "Already entered" if reply.replayed else "Entry fee paid successfully"
    return ok(message, transaction_json(reply.transaction), status=201)


@router.post(
    "/api/competitions/{competition_id}/fund", status_code=201, response_model=envelope(Transaction),
    dependencies=AUTHENTICATED, openapi_extra=documented(body=FundBody, headers=[FUND_KEY]),
    responses=error_responses(
        body=True, path=True,
        bad_request=[*AMOUNT_CODES, *REQUIRED_KEY_CODES, "INVALID_ID", "CURRENCY_MISMATCH", "INSUFFICIENT_FUNDS"],
        forbidden=["FORBIDDEN"], not_found=["COMPETITION_NOT_FOUND"],
        conflict=["COMPETITION_CANCELLED", "IDEMPOTENCY_CONFLICT", "ACCOUNT_RESTRICTED", "SELF_EXCLUDED"],
        unavailable=["PAYMENT_IN_PROGRESS"]),
)
async def fund_competition(competition_id: str, request: Request, body: Body, who: Manager,
                           ctx: Ctx) -> EnvelopeResponse:
    """Move sponsor money from the caller's wallet into the pool (``Idempotency-Key`` makes it once)."""
    key = client_key(request, required=True)
    currency = await _currency_for(ctx, body, competition_id)
    amount = amount_field(body, currency)
    reply = await ctx.stubs["rewards"].FundPrizePool(rpb.FundPrizePoolRequest(
        competition_id=competition_id, user_id=who.user_id, amount=amount, currency=currency,
        idempotency_key=key, actor=_actor(who),
    ))
    return ok("Prize pool funded successfully", transaction_json(reply.transaction), status=201)


@router.post(
    "/api/competitions/{competition_id}/refund", response_model=envelope(CompetitionRefund),
    dependencies=AUTHENTICATED, openapi_extra=documented(body=RefundBody),
    responses=error_responses(
        body=True, path=True, bad_request=["VALIDATION_ERROR", "INVALID_ID", "INVALID_REASON"],
        forbidden=["FORBIDDEN"], not_found=["COMPETITION_NOT_FOUND"], conflict=["REFUND_REFUSED", "INSUFFICIENT_POOL"],
        unavailable=["REFUND_IN_PROGRESS", "PAYMENT_IN_PROGRESS"]),
)
async def refund_competition(competition_id: str, body: Body, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """Cancel the competition and return every entry fee (and sponsorship) to its payer, once."""
    reason = required_str(body, "reason", max_length=500)
    reply = await ctx.stubs["rewards"].RefundEntryFees(rpb.RefundEntryFeesRequest(
        competition_id=competition_id, reason=reason, actor=_actor(who)))
    data = {"competition": competition_json(reply.competition),
            "refund": refund_json(reply.refund, reply.competition.currency)}
    return ok("Competition cancelled and entry fees refunded", data)


DISTRIBUTE_RESPONSES = error_responses(
    body=True, path=True, bad_request=DISTRIBUTE_BAD_REQUEST, forbidden=["FORBIDDEN"],
    not_found=["COMPETITION_NOT_FOUND"],
    conflict=["DISTRIBUTION_CONFLICT", "INSUFFICIENT_POOL", "COMPETITION_CANCELLED"])


async def _distribute_request(ctx: GatewayContext, match_id: str, body: dict[str, Any], who: Principal
                              ) -> rpb.DistributeMatchRewardsRequest:
    """The body of a distribution (or its preview) checked, its standings registered players."""
    competition_id = required_str(body, "competitionId", max_length=MAX_ID)
    template = optional_str(body, "template", max_length=MAX_ID) or ""
    shares = _shares(body)
    standings = _standings(body)
    competition = await ctx.stubs["rewards"].GetCompetition(rpb.GetCompetitionRequest(competition_id=competition_id))
    request = rpb.DistributeMatchRewardsRequest(
        match_id=match_id, competition_id=competition_id, template=template, shares=shares, standings=standings,
        actor=_actor(who),
    )
    if body.get("prizePool") is not None:
        request.prize_pool = amount_field(body, currency_field(body) if "currency" in body else competition.currency,
                                          "prizePool")
    await _check_players(ctx, standings)
    return request


@router.post(
    "/api/matches/{match_id}/rewards", status_code=201, response_model=envelope(Distribution),
    dependencies=AUTHENTICATED, openapi_extra=documented(body=DistributeRewardsBody), responses=DISTRIBUTE_RESPONSES,
)
async def distribute_rewards(match_id: str, body: Body, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """Pay a match's rewards from its competition's pool, exactly once; the same request again returns the
    same distribution, another one is 409. The match id is ``<name>@<competitionId>`` (bound to the competition
    it pays from, so no organizer can take another's match id); the match service's own ids are its business."""
    request = await _distribute_request(ctx, match_id, body, who)
    distribution = await ctx.stubs["rewards"].DistributeMatchRewards(request)
    return ok("Match rewards distributed successfully", distribution_json(distribution), status=201)


@router.post(
    "/api/matches/{match_id}/rewards/preview", response_model=envelope(Distribution), dependencies=AUTHENTICATED,
    openapi_extra=documented(body=DistributeRewardsBody), responses=DISTRIBUTE_RESPONSES,
)
async def preview_rewards(match_id: str, body: Body, who: Manager, ctx: Ctx) -> EnvelopeResponse:
    """What ``POST /api/matches/{id}/rewards`` with the same body would pay now (status ``preview``): the same
    checks and the same split to the paisa, but nothing is stored and no money moves."""
    request = await _distribute_request(ctx, match_id, body, who)
    distribution = await ctx.stubs["rewards"].PreviewDistribution(request)
    return ok("Match rewards previewed successfully", distribution_json(distribution))


@router.get("/api/matches/{match_id}/rewards", response_model=envelope(Distribution), dependencies=AUTHENTICATED,
            responses=error_responses(not_found=["DISTRIBUTION_NOT_FOUND"], path=True))
async def get_rewards(match_id: str, who: Who, ctx: Ctx) -> EnvelopeResponse:
    """The distribution of one match (404 until it was distributed)."""
    distribution = await ctx.stubs["rewards"].GetDistribution(rpb.GetDistributionRequest(match_id=match_id))
    return ok("Match rewards fetched successfully", distribution_json(distribution))
