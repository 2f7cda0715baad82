"""The mock provider's hosted checkout page: show a session, Pay, Cancel.

Wired by the composition root only when the provider is the mock (other providers host their own page).
Pay is the mock's stand-in for the provider's webhook: the session is paid and credited at once through
:meth:`TopUps.apply_status`. The page's buttons and a closing event (expiry, failure) race on the mock
provider's own compare-and-set, so a closed session is never paid on the page.
"""

from __future__ import annotations

import asyncio
import logging

from payment_gateway.adapters.mock_events import mock_payment_intent
from payment_gateway.adapters.mock_provider import MockProvider
from payment_gateway.domain.mock_checkout import MockCheckout, MockSessionState
from payment_gateway.domain.model import UNSETTLED, TopUpSession, TopUpStatus
from payment_gateway.domain.ports import TopUpStore
from payment_gateway.domain.provider import SessionStatus
from payment_gateway.use_cases.topups import TopUps
from winzone_kernel.errors import InvalidState, NotFound, Unavailable

log = logging.getLogger("winzone.payments")

_SETTLED = frozenset({TopUpStatus.PAID, TopUpStatus.CREDITED})


class MockCheckoutPage:
    """The use cases behind ``/checkout/mock/{ref}``: a checkout no session of ours points at is ``NotFound``."""

    def __init__(self, mock: MockProvider, store: TopUpStore, topups: TopUps) -> None:
        self._mock = mock
        self._store = store
        self._topups = topups

    async def _session(self, provider_ref: str) -> TopUpSession:
        session = await asyncio.to_thread(self._store.find_by_provider_ref, self._mock.name, provider_ref)
        if session is None:
            raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
        return session

    async def show(self, provider_ref: str) -> tuple[MockCheckout, str]:
        """The mock checkout session behind the page, and the status the page shows.

        Pay and Cancel are offered only while that status is ``created``: a session we closed (expired,
        failed) or credited (by a webhook) shows as such even if its mock checkout was never touched.
        """
        session = await self._session(provider_ref)
        checkout = await asyncio.to_thread(self._mock.checkout, provider_ref)
        return checkout, shown_status(checkout, session)

    async def pay(self, provider_ref: str) -> MockCheckout:
        """Pay: the session is paid, and credited as the provider's webhook would.

        Paying again is fine; a session that is closed (cancelled, expired, failed) is ``CHECKOUT_CLOSED``,
        and nothing is credited for it.
        """
        session = await self._session(provider_ref)
        if session.status in UNSETTLED:
            raise InvalidState(f"Checkout session is already {session.status.value}", code="CHECKOUT_CLOSED")
        checkout = await asyncio.to_thread(self._mock.pay, provider_ref)
        try:
            await self._topups.apply_status(session, SessionStatus.PAID, checkout.amount_minor, checkout.currency,
                                            origin="mock_checkout",
                                            payment_intent=mock_payment_intent(checkout.provider_ref))
        except Unavailable:
            log.warning("mock checkout paid but crediting must wait for verify or the settle sweep", extra={
                "fields": {"session_id": session.id}})
        return checkout

    async def cancel(self, provider_ref: str) -> MockCheckout:
        """Cancel: the session is cancelled (again is fine; any other state is refused)."""
        session = await self._session(provider_ref)
        if session.status not in (TopUpStatus.CREATED, TopUpStatus.CANCELLED):
            checkout = await asyncio.to_thread(self._mock.checkout, provider_ref)
            raise InvalidState(f"Checkout session is already {shown_status(checkout, session)}",
                               code="CHECKOUT_CLOSED")
        checkout = await asyncio.to_thread(self._mock.cancel, provider_ref)
        await self._topups.apply_status(session, SessionStatus.CANCELLED, None, None, origin="mock_checkout")
        return checkout


def shown_status(checkout: MockCheckout, session: TopUpSession) -> str:
    """What the mock page says about a checkout: our session's word once it left ``created``."""
    if session.status in _SETTLED:
        return MockSessionState.PAID.value
    if session.status in UNSETTLED:
        return session.status.value
    return checkout.status.value
