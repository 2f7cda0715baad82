"""Validated list queries of the reward service: a page of competitions, a page of one competition's entries."""

from __future__ import annotations

from dataclasses import dataclass

from reward_service.domain.model import CompetitionStatus, check_ref
from winzone_kernel.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


@dataclass(frozen=True, slots=True)
class Page:
    """A 1-based page of at most ``limit`` records (0 stands for the first page and for the default size)."""

    page: int
    limit: int

    @classmethod
    def of(cls, page: int, limit: int) -> Page:
        page, limit = page or 1, limit or DEFAULT_PAGE_SIZE
        if not 1 <= page <= MAX_PAGE or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"page must be between 1 and {MAX_PAGE} and limit between 1 and {MAX_PAGE_SIZE}",
                                  code="INVALID_PAGE")
        return cls(page, limit)

    @property
    def skip(self) -> int:
        return (self.page - 1) * self.limit


@dataclass(frozen=True, slots=True)
class CompetitionQuery:
    """Competitions newest first, optionally of one status and/or one organizer ("" for any)."""

    status: str
    organizer_id: str
    page: Page

    @classmethod
    def build(cls, *, status: str, organizer_id: str, page: int, limit: int) -> CompetitionQuery:
        statuses = [s.value for s in CompetitionStatus]
        if status and status not in statuses:
            raise InvalidArgument(f"status must be one of {', '.join(statuses)}", code="INVALID_STATUS")
        if organizer_id:
            check_ref(organizer_id, "organizer_id")
        return cls(status, organizer_id, Page.of(page, limit))
