"""The contract every ``PayoutStore`` must pass (subclass ``PayoutStoreContract`` and implement ``create_store``)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from payout_service.domain.limits import DEFAULT_PAYOUT_LIMITS
from payout_service.domain.methods import parse_payout_method
from payout_service.domain.model import HoldAction, PayoutRequest, PayoutStatus, Withholding
from payout_service.domain.ports import (
    DuplicateRequestKey,
    PayoutRecord,
    PayoutStore,
    PendingFunds,
    VelocityExceeded,
    VelocityLimit,
)
from tests.support.contract import StoreContract
from tests.support.ids import new_user

T0 = datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=UTC)
BANK = {"type": "bank", "details": {"accountNumber": "123456784321", "ifsc": "hdfc0001234",
                                    "accountHolderName": "Zoë Ünïcode"}}


def new_record(user: str | None = None, *, at: datetime = T0, amount: int = 10_000, key: str | None = None,
               placed: bool = True) -> PayoutRecord:
    payout = PayoutRequest.create(
        payout_id=f"payout_{uuid.uuid4().hex}", user_id=user or new_user(), amount_minor=amount, currency="INR",
        method=parse_payout_method(BANK), at=at, limits=DEFAULT_PAYOUT_LIMITS,
    )
    return PayoutRecord(payout, fingerprint=uuid.uuid4().hex, request_key=key, hold_placed=placed)


class PayoutStoreContract(StoreContract[PayoutStore]):
    """Abstract contract test case for ``PayoutStore`` implementations."""

    def saved(self, record: PayoutRecord) -> PayoutRecord:
        self.store.insert(record)
        return record

    def test_round_trip_keeps_every_field_and_the_unmasked_method(self) -> None:
        record = new_record(key="key-1")
        self.store.insert(record)
        version = record.payout.version
        record.payout.approve("usr_admin", "  a note  ", at=T0 + timedelta(seconds=1))
        record.payout.mark_paid("tr_1", "txn_1", at=T0 + timedelta(seconds=2))
        record.pending = PendingFunds(HoldAction.REFUND, "Reversed by bank", "tr_1")
        assert self.store.save(record, version)
        loaded = self.store.get(record.payout.id)
        assert loaded is not None
        for name in ("id", "user_id", "amount_minor", "currency", "status", "created_at", "updated_at", "history",
                     "admin_note", "processed_by", "transaction_id", "provider_reference", "failure_reason",
                     "refund_transaction_id", "version"):
            assert getattr(loaded.payout, name) == getattr(record.payout, name), name
        assert loaded.payout.method.to_json() == record.payout.method.to_json()
        assert loaded.payout.method.details["accountNumber"] == "123456784321"
        assert loaded.payout.method.details["ifsc"] == "HDFC0001234"
        assert (loaded.fingerprint, loaded.request_key, loaded.hold_placed) == (record.fingerprint, "key-1", True)
        assert loaded.pending == PendingFunds(HoldAction.REFUND, "Reversed by bank", "tr_1")
        assert loaded.payout.history[1].note == "a note" and loaded.payout.history[0].note is None
        assert loaded.payout.created_at == T0 and loaded.payout.created_at.tzinfo is not None
        assert self.store.get("payout_missing") is None

    def test_request_keys_are_unique_per_user(self) -> None:
        user = new_user()
        first = self.saved(new_record(user, key="k"))
        with pytest.raises(DuplicateRequestKey):
            self.store.insert(new_record(user, key="k"))
        self.saved(new_record(new_user(), key="k"))
        self.saved(new_record(user))
        self.saved(new_record(user))
        found = self.store.find_by_key(user, "k")
        assert found is not None and found.payout.id == first.payout.id
        assert self.store.find_by_key(new_user(), "k") is None
        assert self.store.find_by_key(user, "other") is None

    def test_save_is_compare_and_set_on_the_version(self) -> None:
        record = self.saved(new_record(placed=False))
        stale = self.store.get(record.payout.id)
        assert stale is not None
        record.hold_placed = True
        assert self.store.save(record, 0) and record.payout.version == 1
        stale.payout.approve("usr_admin", None, at=T0)
        assert not self.store.save(stale, 0)
        assert stale.payout.version == 1
        stored = self.store.get(record.payout.id)
        assert stored is not None and stored.payout.status is PayoutStatus.REQUESTED and stored.hold_placed
        stored.payout.reject("usr_admin", "no", at=T0)
        assert self.store.save(stored, 1) and stored.payout.version == 2
        again = self.store.get(record.payout.id)
        assert again is not None and (again.payout.status, again.payout.version) == (PayoutStatus.REJECTED, 2)

    def test_concurrent_transitions_have_exactly_one_winner(self) -> None:
        record = self.saved(new_record())
        barrier = threading.Barrier(8)

        def approve(i: int) -> bool:
            mine = self.store.get(record.payout.id)
            assert mine is not None
            version = mine.payout.version
            mine.payout.approve(f"usr_admin_{i}", None, at=T0)
            barrier.wait()
            return self.store.save(mine, version)

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(approve, range(8)))
        assert results.count(True) == 1
        stored = self.store.get(record.payout.id)
        assert stored is not None and stored.payout.processed_by == f"usr_admin_{results.index(True)}"
        assert [h.status for h in stored.payout.history] == [PayoutStatus.REQUESTED, PayoutStatus.APPROVED]

    def test_only_unplaced_records_are_deleted(self) -> None:
        placed = self.saved(new_record())
        unplaced = self.saved(new_record(placed=False))
        assert not self.store.delete_unplaced(placed.payout.id)
        assert self.store.delete_unplaced(unplaced.payout.id)
        assert not self.store.delete_unplaced(unplaced.payout.id)
        assert self.store.get(unplaced.payout.id) is None and self.store.get(placed.payout.id) is not None

    def test_list_shows_placed_records_newest_first_filtered_and_paged(self) -> None:
        user, other = new_user(), new_user()
        mine = [self.saved(new_record(user, at=T0 + timedelta(minutes=i))) for i in range(5)]
        self.saved(new_record(user, at=T0 + timedelta(hours=1), placed=False))
        self.saved(new_record(other))
        version = mine[0].payout.version
        mine[0].payout.reject("usr_admin", "no", at=T0 + timedelta(hours=2))
        assert self.store.save(mine[0], version)
        page = self.store.list(user_id=user, status=None, page=1, limit=2)
        assert page.total == 5 and [r.payout.id for r in page.items] == [mine[4].payout.id, mine[3].payout.id]
        last = self.store.list(user_id=user, status=None, page=3, limit=2)
        assert [r.payout.id for r in last.items] == [mine[0].payout.id]
        requested = self.store.list(user_id=user, status=PayoutStatus.REQUESTED, page=1, limit=100)
        assert requested.total == 4 and all(r.payout.status is PayoutStatus.REQUESTED for r in requested.items)
        everyone = self.store.list(user_id=None, status=None, page=1, limit=100)
        assert everyone.total == 6
        rejected = self.store.list(user_id=None, status=PayoutStatus.REJECTED, page=1, limit=100)
        assert [r.payout.id for r in rejected.items] == [mine[0].payout.id]
        assert self.store.list(user_id=new_user(), status=None, page=1, limit=10).total == 0

    def test_needing_attention_finds_unfinished_work_oldest_first(self) -> None:
        unplaced = self.saved(new_record(at=T0 + timedelta(minutes=3), placed=False))
        self.saved(new_record(at=T0))
        approved = self.saved(new_record(at=T0))
        version = approved.payout.version
        approved.payout.approve("usr_admin", None, at=T0 + timedelta(minutes=1))
        assert self.store.save(approved, version)
        releasing = self.saved(new_record(at=T0))
        version = releasing.payout.version
        releasing.payout.reject("usr_admin", "no", at=T0 + timedelta(minutes=2))
        releasing.pending = PendingFunds(HoldAction.VOID)
        assert self.store.save(releasing, version)
        done = self.saved(new_record(at=T0))
        version = done.payout.version
        done.payout.reject("usr_admin", "no", at=T0)
        assert self.store.save(done, version)

        found = self.store.needing_attention(T0 + timedelta(hours=1), 10)
        assert [r.payout.id for r in found] == [approved.payout.id, releasing.payout.id, unplaced.payout.id]
        assert [r.payout.id for r in self.store.needing_attention(T0 + timedelta(minutes=2), 10)] == [
            approved.payout.id, releasing.payout.id]
        assert len(self.store.needing_attention(T0 + timedelta(hours=1), 1)) == 1
        releasing.pending = None
        assert self.store.save(releasing, releasing.payout.version)
        assert releasing.payout.id not in {r.payout.id for r in self.store.needing_attention(T0 + timedelta(hours=1),
                                                                                             10)}

    def test_needing_attention_pages_on_from_a_cursor(self) -> None:
        same_instant = [self.saved(new_record(at=T0, placed=False)) for _ in range(3)]
        later = self.saved(new_record(at=T0 + timedelta(minutes=1), placed=False))
        self.saved(new_record(at=T0 + timedelta(hours=2), placed=False))
        expected = [*sorted(r.payout.id for r in same_instant), later.payout.id]
        cutoff = T0 + timedelta(hours=1)
        seen: list[str] = []
        after = None
        while page := self.store.needing_attention(cutoff, 2, after):
            seen += [r.payout.id for r in page]
            after = (page[-1].payout.updated_at, page[-1].payout.id)
        assert seen == expected
        last = self.store.needing_attention(cutoff, 10, (later.payout.updated_at, later.payout.id))
        assert last == []

    def test_save_can_free_the_request_key(self) -> None:
        user = new_user()
        record = self.saved(new_record(user, key="k", placed=False))
        record.request_key = None
        record.pending = PendingFunds(HoldAction.VOID)
        assert self.store.save(record, record.payout.version)
        assert self.store.find_by_key(user, "k") is None
        stored = self.store.get(record.payout.id)
        assert stored is not None and stored.request_key is None and stored.withdrawn
        self.saved(new_record(user, key="k"))
        found = self.store.find_by_key(user, "k")
        assert found is not None and found.payout.id != record.payout.id

    def test_migrate_is_idempotent(self) -> None:
        record = self.saved(new_record())
        self.store.migrate()
        self.store.migrate()
        assert self.store.get(record.payout.id) is not None

    def test_risk_fields_round_trip(self) -> None:
        payout = PayoutRequest.create(
            payout_id=f"payout_{uuid.uuid4().hex}", user_id=new_user(), amount_minor=20_000, currency="INR",
            method=parse_payout_method(BANK), at=T0, limits=DEFAULT_PAYOUT_LIMITS, dual_approval_threshold=10_000,
            review_reasons=[("shared_destination", "Shared")],
        )
        record = PayoutRecord(payout, uuid.uuid4().hex, hold_placed=True, destination="d" * 64)
        self.store.insert(record)
        version = payout.version
        payout.release("usr_admin", "checked", at=T0 + timedelta(seconds=1))
        payout.approve("usr_admin", "first", at=T0 + timedelta(seconds=2))
        assert self.store.save(record, version)
        loaded = self.store.get(payout.id)
        assert loaded is not None
        assert loaded.payout.status is PayoutStatus.AWAITING_SECOND_APPROVAL
        assert loaded.payout.approvals == payout.approvals and len(loaded.payout.approvals) == 1
        assert loaded.payout.review_reasons == payout.review_reasons
        assert loaded.payout.needs_dual_approval is True
        assert loaded.destination == "d" * 64
        listed = self.store.list(user_id=None, status=PayoutStatus.AWAITING_SECOND_APPROVAL, page=1, limit=100)
        assert payout.id in {r.payout.id for r in listed.items}

    def test_tax_fields_round_trip_from_the_confirmation_on(self) -> None:
        record = new_record(amount=12_345, placed=False)
        self.store.insert(record)
        stored = self.store.get(record.payout.id)
        assert stored is not None
        assert (stored.payout.tds, stored.payout.net_amount, stored.payout.net_winnings,
                stored.payout.financial_year) == (0, 12_345, 0, "")
        version = record.payout.version
        record.payout.withhold(Withholding(tds=2_849, net_winnings=9_497, financial_year="2026-27"))
        record.hold_placed = True
        assert self.store.save(record, version)
        loaded = self.store.get(record.payout.id)
        assert loaded is not None
        assert (loaded.payout.tds, loaded.payout.net_amount, loaded.payout.net_winnings,
                loaded.payout.financial_year) == (2_849, 9_496, 9_497, "2026-27")
        assert loaded.payout.withholding == Withholding(2_849, 9_497, "2026-27")
        version = loaded.payout.version
        loaded.payout.approve("usr_admin", None, at=T0 + timedelta(seconds=1))
        assert self.store.save(loaded, version)
        listed = self.store.list(user_id=record.payout.user_id, status=PayoutStatus.APPROVED, page=1, limit=10)
        assert [(r.payout.id, r.payout.tds, r.payout.net_amount, r.payout.net_winnings, r.payout.financial_year)
                for r in listed.items] == [(record.payout.id, 2_849, 9_496, 9_497, "2026-27")]

    def test_destination_lookup_sees_only_other_users(self) -> None:
        user, other, destination = new_user(), new_user(), uuid.uuid4().hex
        record = new_record(user)
        record.destination = destination
        self.saved(record)
        assert not self.store.shares_destination(destination, user)
        assert self.store.shares_destination(destination, other)
        assert not self.store.shares_destination(uuid.uuid4().hex, other)

    def test_velocity_counts_the_window_and_refuses_beyond_the_count(self) -> None:
        user = new_user()
        self.saved(new_record(user, at=T0 - timedelta(hours=25)))
        limit = VelocityLimit(T0 - timedelta(hours=24), count=2)
        for _ in range(2):
            self.store.insert(new_record(user, at=T0), limit)
        refused = new_record(user, at=T0)
        with pytest.raises(VelocityExceeded) as caught:
            self.store.insert(refused, limit)
        assert caught.value.code == "LIMIT_EXCEEDED"
        assert self.store.get(refused.payout.id) is None
        self.store.insert(new_record(new_user(), at=T0), limit)

    def test_velocity_amount_counts_up_to_the_limit_and_ignores_withdrawn_records(self) -> None:
        user = new_user()
        limit = VelocityLimit(T0 - timedelta(hours=24), amount=39_999)
        withdrawn = new_record(user, amount=20_000, placed=False)
        withdrawn.pending = PendingFunds(HoldAction.VOID)
        self.saved(withdrawn)
        self.store.insert(new_record(user, amount=20_000), limit)
        self.store.insert(new_record(user, amount=19_999), limit)
        with pytest.raises(VelocityExceeded):
            self.store.insert(new_record(user, amount=10_000), limit)

    def test_concurrent_inserts_respect_the_count(self) -> None:
        user = new_user()
        limit = VelocityLimit(T0 - timedelta(hours=24), count=3)
        barrier = threading.Barrier(10)

        def attempt(_: int) -> bool:
            barrier.wait()
            try:
                self.store.insert(new_record(user), limit)
            except VelocityExceeded:
                return False
            return True

        with ThreadPoolExecutor(10) as pool:
            outcomes = list(pool.map(attempt, range(10)))
        assert outcomes.count(True) == 3
        assert self.store.list(user_id=user, status=None, page=1, limit=100).total == 3
