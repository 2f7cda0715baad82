"""KYC rules: PAN, name and date-of-birth validation, the age on the clock's UTC date (18th-birthday edge),
the review transitions, self-review, masking and the payee-name comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from payout_service.domain.kyc import (
    KycRecord,
    KycStatus,
    KycSubmission,
    age_on,
    comparable_name,
    mask_pan,
)
from winzone_kernel.errors import FailedPrecondition, InvalidArgument, PermissionDenied, WinzoneError

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def submit(pan: Any = "ABCDE1234F", name: Any = "Asha Rao", dob: Any = "1990-05-17", *, today: date = TODAY,
           min_age: int = 18, user_id: str = "usr_a") -> KycSubmission:
    return KycSubmission.parse(user_id=user_id, pan=pan, name=name, date_of_birth=dob, today=today,
                               min_age=min_age)


def code_of(exc: pytest.ExceptionInfo[WinzoneError]) -> str | None:
    return exc.value.code


def record(status: KycStatus = KycStatus.PENDING) -> KycRecord:
    return KycRecord("usr_a", status, "ABCDE1234F", "Asha Rao", date(1990, 5, 17), NOW, NOW)


@pytest.mark.parametrize("pan", ["ABCDE1234F", "ZZZZZ0000Z"])
def test_a_well_formed_pan_is_kept(pan: str) -> None:
    assert submit(pan=pan).pan == pan


@pytest.mark.parametrize("pan", [
    "abcde1234f", "ABCDe1234F", "ABCDE 1234F", " ABCDE1234F", "ABCDE1234F ", "ABCD12345F", "ABCDE1234", "ABCDE12345",
    "ABCDE1234FF", "", "१२३", "ABCDE１２３４F", None, 1234, 12.5, float("nan"), ["ABCDE1234F"], {"pan": "x"},
    "ABCDE1234F\n",
])
def test_a_malformed_pan_is_invalid(pan: Any) -> None:
    with pytest.raises(InvalidArgument) as exc:
        submit(pan=pan)
    assert code_of(exc) == "INVALID_PAN"


def test_the_name_is_trimmed_and_may_be_100_characters() -> None:
    assert submit(name="  Asha  Rao \t").name == "Asha  Rao"
    assert submit(name="x" * 100).name == "x" * 100


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Asha\nRao", "Asha\x00", "\u200b" * 3, None, 5, 1.5, ["a"]])
def test_a_bad_name_is_invalid(name: Any) -> None:
    with pytest.raises(InvalidArgument) as exc:
        submit(name=name)
    assert code_of(exc) == "INVALID_NAME"


@pytest.mark.parametrize("dob", [
    "1990-02-30", "1990-13-01", "1990-00-10", "1990-5-17", "17-05-1990", "1990/05/17", "19900517", "", "  ",
    "2026-11-27", "2999-01-01", None, 19900517, 1990.5, float("nan"), ["1990-05-17"], "1990-05-17T00:00:00",
])
def test_a_bad_date_of_birth_is_invalid(dob: Any) -> None:
    with pytest.raises(InvalidArgument) as exc:
        submit(dob=dob, min_age=0)
    assert code_of(exc) == "INVALID_DATE_OF_BIRTH"


def test_born_today_is_allowed_with_no_minimum_age() -> None:
    assert submit(dob=NOW.date().isoformat(), min_age=0).date_of_birth == NOW.date()


def test_the_18th_birthday_is_the_first_day_of_age() -> None:
    today = date(2026, 11, 26)
    assert submit(dob="2008-11-26", today=today).date_of_birth == date(2008, 11, 26)
    with pytest.raises(InvalidArgument) as exc:
        submit(dob="2008-11-27", today=today)
    assert code_of(exc) == "UNDER_AGE"
    with pytest.raises(InvalidArgument):
        submit(dob="2008-11-26", today=today - timedelta(days=1))


def test_a_leap_day_birthday_comes_of_age_on_the_first_of_march() -> None:
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_min_age_is_configurable() -> None:
    with pytest.raises(InvalidArgument) as exc:
        submit(dob="2005-11-27", min_age=21)
    assert code_of(exc) == "UNDER_AGE"
    assert submit(dob="2005-11-26", min_age=21)


def test_a_user_id_is_required() -> None:
    with pytest.raises(InvalidArgument):
        submit(user_id="")


def test_submission_and_resubmission() -> None:
    submission = submit()
    first = KycRecord.submitted(submission, NOW, None)
    assert (first.status, first.submitted_at, first.reviewed_by, first.note) == (KycStatus.PENDING, NOW, None, None)
    for status in (KycStatus.NONE, KycStatus.REJECTED, KycStatus.FLAGGED):
        assert KycRecord.submitted(submission, NOW, record(status)).status is KycStatus.PENDING
    for status in (KycStatus.PENDING, KycStatus.VERIFIED):
        with pytest.raises(FailedPrecondition) as exc:
            KycRecord.submitted(submission, NOW, record(status))
        assert code_of(exc) == "KYC_ALREADY_SUBMITTED"


def test_verify_only_pending() -> None:
    later = NOW + timedelta(hours=1)
    verified = record().verified("usr_admin", "  looks fine ", later)
    assert (verified.status, verified.reviewed_by, verified.reviewed_at, verified.note, verified.updated_at) == (
        KycStatus.VERIFIED, "usr_admin", later, "looks fine", later)
    assert record().verified("usr_admin", None, later).note is None
    for status in (KycStatus.VERIFIED, KycStatus.REJECTED, KycStatus.FLAGGED, KycStatus.NONE):
        with pytest.raises(FailedPrecondition) as exc:
            record(status).verified("usr_admin", None, later)
        assert code_of(exc) == "INVALID_KYC_STATE"
    with pytest.raises(InvalidArgument):
        record().verified("usr_admin", "x" * 501, later)


def test_reject_pending_or_flagged_with_a_reason() -> None:
    for status in (KycStatus.PENDING, KycStatus.FLAGGED):
        rejected = record(status).rejected("usr_admin", " blurry ", NOW)
        assert (rejected.status, rejected.note, rejected.reviewed_by) == (KycStatus.REJECTED, "blurry", "usr_admin")
    assert record().rejected("usr_admin", "x" * 500, NOW).note == "x" * 500
    for reason in (None, "", "   ", "x" * 501):
        with pytest.raises(InvalidArgument) as exc:
            record().rejected("usr_admin", reason, NOW)
        assert code_of(exc) == "INVALID_REASON"
    for status in (KycStatus.VERIFIED, KycStatus.REJECTED, KycStatus.NONE):
        with pytest.raises(FailedPrecondition) as state:
            record(status).rejected("usr_admin", "why", NOW)
        assert code_of(state) == "INVALID_KYC_STATE"


def test_an_admin_never_reviews_their_own_kyc() -> None:
    for review in (lambda r: r.verified("usr_a", None, NOW), lambda r: r.rejected("usr_a", "mine", NOW)):
        with pytest.raises(PermissionDenied) as exc:
            review(record())
        assert code_of(exc) == "SELF_REVIEW_FORBIDDEN"
    with pytest.raises(InvalidArgument):
        record().verified("", None, NOW)


def test_the_pan_is_masked_and_never_in_a_repr() -> None:
    assert mask_pan("ABCDE1234F") == "XXXXXX234F"
    assert record().masked_pan == "XXXXXX234F"
    assert "ABCDE1234F" not in repr(record()) and "ABCDE1234F" not in repr(submit())


def test_flagging_keeps_the_record_with_a_note() -> None:
    flagged = record().flagged()
    assert flagged.status is KycStatus.FLAGGED and flagged.note and flagged.pan == "ABCDE1234F"


@pytest.mark.parametrize(("payee", "matches"), [
    ("Asha Rao", True), ("asha rao", True), ("  ASHA   RAO ", True), ("Asha. Rao,", True), ("A.S.H.A Rao", True),
    ("As.ha Rao", True), ("Asha.Rao", False),
    ("Asha  R.", False), ("Asha Rao Jr", False), ("Asha\tRao", True), ("", False),
])
def test_payee_names_match_after_case_folding_and_dropping_punctuation(payee: str, matches: bool) -> None:
    assert record().matches_name(payee) is matches


def test_comparable_name() -> None:
    assert comparable_name(" Dr.  J.  Doe, Jr ") == comparable_name("dr j doe jr")
    assert comparable_name("J.Doe") == "jdoe"
    assert comparable_name("STRASSE") == comparable_name("straße")
