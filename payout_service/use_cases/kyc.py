"""KYC use cases (submit, get, list, verify, reject) and ``KycScreen``, the payout screen that requires a
verified KYC whose name matches the payee's when ``KYC_REQUIRED_FOR_PAYOUT`` is on. Logs carry the user id
and the status only, never the PAN."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from payout_service.domain.commands import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from payout_service.domain.kyc import DEFAULT_MIN_AGE, KycRecord, KycStatus, KycSubmission
from payout_service.domain.methods import PayoutMethod, PayoutMethodType
from payout_service.domain.ports import KycStore
from winzone_kernel.clock import Clock, utc_now
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, NotFound

log = logging.getLogger("winzone.payouts.kyc")

PAYEE_NAME = {PayoutMethodType.UPI: "name", PayoutMethodType.BANK: "accountHolderName"}


@dataclass(frozen=True, slots=True)
class KycPage:
    """One page of KYC records and how many match."""

    items: list[KycRecord]
    total: int
    page: int
    limit: int


def _status(value: str | None) -> KycStatus | None:
    if not value:
        return None
    try:
        return KycStatus(value)
    except ValueError:
        raise InvalidArgument(f"unknown KYC status {value!r}", code="INVALID_STATUS") from None


class KycCases:
    """Submit, read and review KYC records over a ``KycStore``."""

    def __init__(self, store: KycStore, *, clock: Clock = utc_now, min_age: int = DEFAULT_MIN_AGE) -> None:
        self._store = store
        self._clock = clock
        self._min_age = min_age

    async def submit(self, *, user_id: str, pan: str, name: str, date_of_birth: str) -> KycRecord:
        """Validate and save a pending record; a PAN owned by another account saves it ``flagged`` and is
        ``PAN_IN_USE``."""
        now = self._clock()
        submission = KycSubmission.parse(user_id=user_id, pan=pan, name=name, date_of_birth=date_of_birth,
                                         today=now.date(), min_age=self._min_age)
        previous = await asyncio.to_thread(self._store.get, user_id)
        record = KycRecord.submitted(submission, now, previous)
        saved = await asyncio.to_thread(self._store.submit, record)
        log.info("KYC submitted", extra={"fields": {"user_id": user_id, "status": saved.status.value}})
        if saved.status is KycStatus.FLAGGED:
            raise FailedPrecondition("This PAN is already registered to another account", code="PAN_IN_USE")
        return saved

    async def get(self, user_id: str) -> KycRecord | None:
        """The user's record, None when they never submitted."""
        if not user_id:
            raise InvalidArgument("user_id is required", code="INVALID_USER")
        return await asyncio.to_thread(self._store.get, user_id)

    async def list(self, *, status: str | None, page: int, limit: int) -> KycPage:
        """Records oldest submission first (0 stands for the first page and the default size)."""
        wanted = _status(status)
        page, limit = page or 1, limit or DEFAULT_PAGE_SIZE
        if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidArgument(f"page must be >= 1 and limit between 1 and {MAX_PAGE_SIZE}", code="INVALID_PAGE")
        items, total = await asyncio.to_thread(lambda: self._store.list(status=wanted, page=page, limit=limit))
        return KycPage(items, total, page, limit)

    async def _existing(self, user_id: str) -> KycRecord:
        record = await self.get(user_id)
        if record is None:
            raise NotFound("No KYC record for this user", code="KYC_NOT_FOUND")
        return record

    async def _review(self, user_id: str, change: str, admin_id: str, text: str | None) -> KycRecord:
        record = await self._existing(user_id)
        now = self._clock()
        reviewed = (record.verified(admin_id, text, now) if change == "verify"
                    else record.rejected(admin_id, text, now))
        if not await asyncio.to_thread(self._store.update, reviewed, record.status):
            raise FailedPrecondition("The KYC record changed meanwhile; reload it", code="INVALID_KYC_STATE")
        log.info("KYC reviewed", extra={"fields": {"user_id": user_id, "status": reviewed.status.value,
                                                   "admin_id": admin_id}})
        return reviewed

    async def verify(self, user_id: str, admin_id: str, note: str | None) -> KycRecord:
        """``pending → verified``; never by the record's own user."""
        return await self._review(user_id, "verify", admin_id, note)

    async def reject(self, user_id: str, admin_id: str, reason: str | None) -> KycRecord:
        """``pending | flagged → rejected`` with a reason; never by the record's own user."""
        return await self._review(user_id, "reject", admin_id, reason)


class KycScreen:
    """The ``PayoutScreen`` of ``KYC_REQUIRED_FOR_PAYOUT``: verified KYC (``KYC_REQUIRED``) whose name is the
    payee's (``KYC_NAME_MISMATCH``; Stripe has no payee name and passes). Off when ``required`` is false."""

    def __init__(self, store: KycStore, *, required: bool) -> None:
        self._store = store
        self._required = required

    async def check(self, user_id: str, method: PayoutMethod) -> None:
        if not self._required:
            return
        record = await asyncio.to_thread(self._store.get, user_id)
        if record is None or record.status is not KycStatus.VERIFIED:
            raise FailedPrecondition("Verified KYC is required before a payout", code="KYC_REQUIRED")
        field = PAYEE_NAME.get(PayoutMethodType(method.type))
        if field is not None and not record.matches_name(method.details[field]):
            raise FailedPrecondition("The payee name does not match the KYC name", code="KYC_NAME_MISMATCH")
