"""Opening, changing and reading competitions (no money moves here)."""

from __future__ import annotations

from reward_service.domain import rules
from reward_service.domain.commands import OpenCompetitionCommand
from reward_service.domain.listings import CompetitionQuery, Page
from reward_service.domain.model import Actor, Competition, Contribution
from reward_service.domain.ports import RewardUnitOfWork
from reward_service.use_cases.context import RewardContext
from winzone_kernel.errors import AlreadyExists, IdempotencyConflict, NotFound, Unavailable


async def open_competition(ctx: RewardContext, cmd: OpenCompetitionCommand, actor: Actor | None
                           ) -> tuple[Competition, bool]:
    """Create or change a competition (``rules.open_competition``); True when it was created. A create that
    loses the race to a concurrent one is run again (a change, or for a keyed create, the replay)."""
    for _ in range(2):
        try:
            return await ctx.store.atomic_async(lambda uow: rules.open_competition(uow, cmd, actor, ctx.now()))
        except IdempotencyConflict:
            raise
        except AlreadyExists:
            continue
    raise Unavailable("The competition is being changed concurrently; try again")


async def competition(ctx: RewardContext, competition_id: object) -> Competition:
    """One competition; ``COMPETITION_NOT_FOUND`` for an unknown or malformed id."""
    if not isinstance(competition_id, str) or not competition_id or len(competition_id) > 64:
        raise NotFound("Competition not found", code="COMPETITION_NOT_FOUND")
    return await ctx.store.read_async(lambda uow: rules.competition_of(uow, competition_id))


async def list_competitions(ctx: RewardContext, query: CompetitionQuery) -> tuple[list[Competition], int]:
    """One page of competitions, newest first, and how many match the query."""
    return await ctx.store.read_async(lambda uow: uow.competitions_page(
        query.status, query.organizer_id, query.page.skip, query.page.limit))


async def list_entries(ctx: RewardContext, competition_id: object, page: Page, actor: Actor | None
                       ) -> tuple[list[Contribution], int]:
    """One page of a competition's entries, oldest first, for its manager (``FORBIDDEN`` for anyone else);
    ``COMPETITION_NOT_FOUND`` for an unknown or malformed id."""
    if not isinstance(competition_id, str) or not competition_id or len(competition_id) > 64:
        raise NotFound("Competition not found", code="COMPETITION_NOT_FOUND")

    def read(uow: RewardUnitOfWork) -> tuple[list[Contribution], int]:
        rules.competition_of(uow, competition_id).check_manager(actor)
        return uow.entries_page(competition_id, page.skip, page.limit)

    return await ctx.store.read_async(read)
