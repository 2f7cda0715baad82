"""The reward service's list queries: paging and the competition filters, checked before any store is read."""

from __future__ import annotations

import pytest

from reward_service.domain.listings import MAX_PAGE, CompetitionQuery, Page
from winzone_kernel.errors import InvalidArgument


def test_zero_stands_for_the_first_page_and_the_default_size() -> None:
    assert Page.of(0, 0) == Page(1, 20)
    assert (Page.of(3, 7).skip, Page.of(1, 100).skip, Page.of(MAX_PAGE, 100).skip) == (14, 0, (MAX_PAGE - 1) * 100)


@pytest.mark.parametrize(("page", "limit"), [(-1, 20), (1, -1), (1, 101), (MAX_PAGE + 1, 20), (2**31 - 1, 100)])
def test_pages_out_of_bounds_are_refused(page: int, limit: int) -> None:
    with pytest.raises(InvalidArgument) as refused:
        Page.of(page, limit)
    assert refused.value.code == "INVALID_PAGE"


def test_a_competition_query_takes_a_known_status_and_a_well_formed_organizer() -> None:
    query = CompetitionQuery.build(status="closed", organizer_id="org-1", page=2, limit=5)
    assert (query.status, query.organizer_id, query.page) == ("closed", "org-1", Page(2, 5))
    assert CompetitionQuery.build(status="", organizer_id="", page=0, limit=0).page == Page(1, 20)


@pytest.mark.parametrize(("status", "organizer", "code"), [
    ("paused", "", "INVALID_STATUS"), ("OPEN", "", "INVALID_STATUS"), ("open ", "", "INVALID_STATUS"),
    ("", "a b", "INVALID_ID"), ("", "x" * 65, "INVALID_ID"), ("", "{'$ne': None}", "INVALID_ID"),
    ("", "org\u00e9", "INVALID_ID"),
])
def test_bad_filters_are_refused(status: str, organizer: str, code: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        CompetitionQuery.build(status=status, organizer_id=organizer, page=1, limit=20)
    assert refused.value.code == code
