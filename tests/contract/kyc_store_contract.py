"""The ``KycStore`` contract, run against every backend: round trip with the PAN opened, the PAN sealed at
rest (``raw_texts`` shows what the backend keeps), PAN ownership claimed once, flagged on a second owner,
compare-and-set on the status, listing oldest first, and two concurrent claims of one PAN giving one owner."""

from __future__ import annotations

import hashlib
import hmac
import threading
from abc import abstractmethod
from datetime import UTC, date, datetime, timedelta

import pytest

from payout_service.domain.kyc import KycAlreadySubmitted, KycRecord, KycStatus, KycSubmission
from payout_service.domain.ports import KycStore
from tests.support.contract import StoreContract
from winzone_kernel.sealing import Sealer

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
KEY = b"k" * 32
SEALER = Sealer(KEY)
INDEX_KEY = hmac.new(KEY, b"pan-index", hashlib.sha256).digest()
PAN = "ABCDE1234F"


def pending(user_id: str, pan: str = PAN, at: datetime = T0, name: str = "Asha Rao") -> KycRecord:
    submission = KycSubmission.parse(user_id=user_id, pan=pan, name=name, date_of_birth="1990-05-17",
                                     today=at.date())
    return KycRecord.submitted(submission, at, None)


class KycStoreContract(StoreContract[KycStore]):
    """Abstract contract test case for ``KycStore`` implementations."""

    @abstractmethod
    def raw_texts(self) -> str:
        """Everything the backend keeps for KYC (rows or documents of ``kyc`` and ``pan_owners``), as text."""

    def test_a_user_without_a_record_has_none(self) -> None:
        assert self.store.get("usr_nobody") is None

    def test_round_trip_opens_the_pan(self) -> None:
        saved = self.store.submit(pending("usr_a"))
        assert saved.status is KycStatus.PENDING
        loaded = self.store.get("usr_a")
        assert loaded == saved
        assert (loaded.pan, loaded.name, loaded.date_of_birth) == (PAN, "Asha Rao", date(1990, 5, 17))

    def test_the_pan_is_sealed_at_rest(self) -> None:
        self.store.submit(pending("usr_a"))
        self.store.submit(pending("usr_b"))
        raw = self.raw_texts()
        assert "usr_a" in raw and "Asha Rao" in raw
        assert PAN not in raw and PAN.lower() not in raw and "1234F" not in raw

    def test_a_second_user_with_the_same_pan_is_flagged_and_the_owner_kept(self) -> None:
        assert self.store.submit(pending("usr_a")).status is KycStatus.PENDING
        flagged = self.store.submit(pending("usr_b"))
        assert flagged.status is KycStatus.FLAGGED and flagged.note
        assert self.store.get("usr_b") == flagged
        again = self.store.submit(pending("usr_b", pan="ZZZZZ9999Z", at=T0 + timedelta(minutes=1)))
        assert again.status is KycStatus.PENDING and self.store.get("usr_b") == again

    def test_a_resubmission_by_the_owner_replaces_the_record(self) -> None:
        first = self.store.submit(pending("usr_a"))
        assert self.store.update(first.rejected("usr_admin", "blurry", T0), KycStatus.PENDING)
        again = self.store.submit(pending("usr_a", pan="ZZZZZ9999Z", at=T0 + timedelta(hours=1)))
        loaded = self.store.get("usr_a")
        assert loaded == again and loaded.pan == "ZZZZZ9999Z"

    def test_a_pending_or_verified_record_is_never_replaced(self) -> None:
        record = self.store.submit(pending("usr_a"))
        with pytest.raises(KycAlreadySubmitted):
            self.store.submit(pending("usr_a", pan="ZZZZZ9999Z"))
        verified = record.verified("usr_admin", None, T0 + timedelta(minutes=1))
        assert self.store.update(verified, KycStatus.PENDING)
        with pytest.raises(KycAlreadySubmitted):
            self.store.submit(pending("usr_a", pan="ZZZZZ9999Z"))
        assert self.store.get("usr_a") == verified
        assert self.store.submit(pending("usr_b", pan="ZZZZZ9999Z")).status is KycStatus.PENDING

    def test_update_is_a_compare_and_set_on_the_status(self) -> None:
        record = self.store.submit(pending("usr_a"))
        verified = record.verified("usr_admin", "ok", T0 + timedelta(minutes=5))
        assert self.store.update(verified, KycStatus.PENDING)
        assert not self.store.update(record.rejected("usr_admin", "no", T0), KycStatus.PENDING)
        assert self.store.get("usr_a") == verified

    def test_list_is_oldest_first_filtered_and_paged(self) -> None:
        for i in range(5):
            self.store.submit(pending(f"usr_{i}", pan=f"ABCDE{1000 + i}F", at=T0 + timedelta(minutes=5 - i)))
        self.store.submit(pending("usr_x", pan="ABCDE1000F", at=T0 + timedelta(minutes=10)))
        items, total = self.store.list(status=None, page=1, limit=3)
        assert total == 6 and [r.user_id for r in items] == ["usr_4", "usr_3", "usr_2"]
        items, total = self.store.list(status=KycStatus.FLAGGED, page=1, limit=10)
        assert total == 1 and [r.user_id for r in items] == ["usr_x"]
        items, total = self.store.list(status=KycStatus.PENDING, page=2, limit=3)
        assert total == 5 and [r.user_id for r in items] == ["usr_1", "usr_0"]

    def test_two_concurrent_claims_of_one_pan_give_one_owner(self) -> None:
        for round_ in range(5):
            pan = f"QWERT{1000 + round_}Y"
            results: list[KycRecord] = []
            barrier = threading.Barrier(2)

            def claim(user: str, pan: str = pan, barrier: threading.Barrier = barrier,
                      results: list[KycRecord] = results) -> None:
                barrier.wait()
                results.append(self.store.submit(pending(user, pan=pan)))

            threads = [threading.Thread(target=claim, args=(f"usr_{round_}_{n}",)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(r.status.value for r in results) == ["flagged", "pending"]
