"""Payout method validation, normalisation, masking and storage form."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payout_service.domain.methods import (
    INVALID_PAYOUT_METHOD,
    InvalidPayoutMethod,
    PayoutMethod,
    PayoutMethodType,
    mask_account_number,
    mask_for_log,
    mask_stripe_account,
    mask_upi_id,
    parse_payout_method,
)
from winzone_kernel.errors import InvalidArgument

VALID: dict[str, dict[str, Any]] = {
    "upi": {"type": "upi", "details": {"upiId": "player@paytm", "name": "John Doe"}},
    "bank": {
        "type": "bank",
        "details": {"accountNumber": "123456784321", "ifsc": "HDFC0001234", "accountHolderName": "John Doe"},
    },
    "stripe": {"type": "stripe", "details": {"accountId": "acct_1A2b3C4d5E6f7G8h"}},
}

DETAIL_SLOTS = [(kind, key) for kind, method in VALID.items() for key in method["details"]]


def with_detail(kind: str, key: str, value: object) -> dict[str, Any]:
    method = VALID[kind]
    return {"type": kind, "details": {**method["details"], key: value}}


def rejected(raw: object) -> InvalidPayoutMethod:
    with pytest.raises(InvalidPayoutMethod) as caught:
        parse_payout_method(raw)
    error = caught.value
    assert isinstance(error, InvalidArgument)
    assert error.code == INVALID_PAYOUT_METHOD
    assert error.message
    return error


class TestValidMethods:
    @pytest.mark.parametrize("kind", sorted(VALID))
    def test_documented_examples_parse(self, kind: str) -> None:
        method = parse_payout_method(VALID[kind])
        assert method.type is PayoutMethodType(kind)
        assert dict(method.details) == VALID[kind]["details"]

    @pytest.mark.parametrize(
        "upi_id",
        [
            "player@paytm",
            "john.doe-1@okhdfcbank",
            "ab@cd",
            "under_score@ybl",
            "9876543210@upi",
            "UPPER.Case@OkSBI",
            "a" * 256 + "@paytm",
            "player@" + "p" * 64,
            "._-@ok",
        ],
    )
    def test_upi_ids_following_vpa_rules(self, upi_id: str) -> None:
        method = parse_payout_method(with_detail("upi", "upiId", upi_id))
        assert method.details["upiId"] == upi_id

    @pytest.mark.parametrize("name", ["John Doe", "J", "Ravi Kumar S.", "O'Brien-Smith", "राहुल शर्मा", "x" * 100])
    def test_names(self, name: str) -> None:
        assert parse_payout_method(with_detail("upi", "name", name)).details["name"] == name

    @pytest.mark.parametrize("number", ["123456789", "123456789012345678", "000012345678", "9876543210"])
    def test_account_numbers_of_9_to_18_digits(self, number: str) -> None:
        assert parse_payout_method(with_detail("bank", "accountNumber", number)).details["accountNumber"] == number

    @pytest.mark.parametrize(
        ("ifsc", "stored"),
        [
            ("HDFC0001234", "HDFC0001234"),
            ("SBIN0A1B2C3", "SBIN0A1B2C3"),
            ("hdfc0001234", "HDFC0001234"),
            ("IcIc0ab12cd", "ICIC0AB12CD"),
        ],
    )
    def test_ifsc_is_accepted_in_any_case_and_stored_upper_case(self, ifsc: str, stored: str) -> None:
        assert parse_payout_method(with_detail("bank", "ifsc", ifsc)).details["ifsc"] == stored

    @pytest.mark.parametrize("account_id", ["acct_123456", "acct_1A2b3C4d5E6f7G8h", "acct_" + "Z" * 200])
    def test_stripe_account_ids(self, account_id: str) -> None:
        assert parse_payout_method(with_detail("stripe", "accountId", account_id)).details["accountId"] == account_id

    def test_every_string_is_stripped(self) -> None:
        raw = {
            "type": " bank ",
            "details": {"accountNumber": " 123456789 ", "ifsc": "\thdfc0001234\n", "accountHolderName": "  Jo  "},
        }
        method = parse_payout_method(raw)
        assert method.type is PayoutMethodType.BANK
        assert dict(method.details) == {"accountNumber": "123456789", "ifsc": "HDFC0001234", "accountHolderName": "Jo"}

    def test_names_are_nfc_normalised(self) -> None:
        decomposed = "Jose\u0301"
        assert parse_payout_method(with_detail("upi", "name", decomposed)).details["name"] == "Jos\u00e9"

    def test_details_keep_canonical_key_order(self) -> None:
        raw = {"details": {"name": "A B", "upiId": "player@paytm"}, "type": "upi"}
        assert list(parse_payout_method(raw).details) == ["upiId", "name"]


class TestInvalidStructure:
    @pytest.mark.parametrize("raw", [None, [], ["upi"], "upi", "", 0, 1, 1.5, True, b"upi", ("upi", {})])
    def test_method_that_is_not_an_object(self, raw: object) -> None:
        assert rejected(raw).field == "method"

    def test_empty_method(self) -> None:
        assert rejected({}).field == "method.type"

    @pytest.mark.parametrize("kind", sorted(VALID))
    @pytest.mark.parametrize("extra", ["$where", "isDefault", "detail", "TYPE"])
    def test_unknown_top_level_keys(self, kind: str, extra: str) -> None:
        assert rejected({**VALID[kind], extra: "x"}).field == "method"

    @pytest.mark.parametrize(
        "type_value", [None, "", "   ", "paypal", "UPI", "Bank", "up i", ["upi"], {"$ne": None}, 1, True, 0.0]
    )
    def test_bad_type(self, type_value: object) -> None:
        raw = {"type": type_value, "details": VALID["upi"]["details"]}
        assert rejected(raw).field == "method.type"

    def test_missing_type(self) -> None:
        assert rejected({"details": VALID["upi"]["details"]}).field == "method.type"

    @pytest.mark.parametrize("kind", sorted(VALID))
    @pytest.mark.parametrize("details", [None, [], "player@paytm", 1, True, [["upiId", "player@paytm"]]])
    def test_details_that_are_not_an_object(self, kind: str, details: object) -> None:
        assert rejected({"type": kind, "details": details}).field == "method.details"

    @pytest.mark.parametrize("kind", sorted(VALID))
    def test_missing_details(self, kind: str) -> None:
        assert rejected({"type": kind}).field == "method.details"

    @pytest.mark.parametrize("kind", sorted(VALID))
    def test_operator_object_in_place_of_details(self, kind: str) -> None:
        assert rejected({"type": kind, "details": {"$ne": None}}).field == "method.details"

    @pytest.mark.parametrize("kind", sorted(VALID))
    @pytest.mark.parametrize("extra", ["$ne", "accountType", "upiID", "account_number", ""])
    def test_unknown_detail_keys(self, kind: str, extra: str) -> None:
        raw = {"type": kind, "details": {**VALID[kind]["details"], extra: "x"}}
        assert rejected(raw).field == "method.details"

    @pytest.mark.parametrize(
        ("kind", "foreign"),
        [("upi", "accountNumber"), ("bank", "upiId"), ("stripe", "accountNumber"), ("bank", "accountId")],
    )
    def test_keys_of_another_method_type(self, kind: str, foreign: str) -> None:
        raw = {"type": kind, "details": {**VALID[kind]["details"], foreign: "123456789"}}
        assert rejected(raw).field == "method.details"

    @pytest.mark.parametrize(("kind", "key"), DETAIL_SLOTS)
    def test_missing_detail(self, kind: str, key: str) -> None:
        details = {k: v for k, v in VALID[kind]["details"].items() if k != key}
        error = rejected({"type": kind, "details": details})
        assert error.field == f"method.details.{key}"
        assert "required" in error.message

    @pytest.mark.parametrize(("kind", "key"), DETAIL_SLOTS)
    @pytest.mark.parametrize(
        "value",
        [
            None,
            {"$ne": None},
            {"$gt": ""},
            {"$regex": ".*"},
            [],
            ["player@paytm"],
            123456789012,
            0,
            1.5,
            True,
            False,
            {},
        ],
    )
    def test_non_string_in_every_detail_slot(self, kind: str, key: str, value: object) -> None:
        assert rejected(with_detail(kind, key, value)).field == f"method.details.{key}"

    @pytest.mark.parametrize(("kind", "key"), DETAIL_SLOTS)
    @pytest.mark.parametrize("value", ["", " ", "\t\n"])
    def test_blank_in_every_detail_slot(self, kind: str, key: str, value: str) -> None:
        assert rejected(with_detail(kind, key, value)).field == f"method.details.{key}"


class TestInvalidValues:
    @pytest.mark.parametrize(
        "upi_id",
        [
            "player",
            "player@",
            "@paytm",
            "@",
            "p@paytm",
            "player@p",
            "player@@paytm",
            "player@paytm@ybl",
            "pla yer@paytm",
            "player @paytm",
            "player@pay tm",
            "player@pay.tm",
            "player@pay-tm",
            "player@pay_tm",
            "player@paytm.com",
            "pl!ayer@paytm",
            "pl+ayer@paytm",
            "plåyer@paytm",
            "player@ｐａｙｔｍ",
            "१२३४@paytm",
            "play\x00er@paytm",
            "player\u200b@paytm",
            "a" * 257 + "@paytm",
            "player@" + "p" * 65,
            "player:paytm",
            "player#paytm",
            "mailto:player@paytm",
            "player@paytm/x",
            "<script>@paytm",
        ],
    )
    def test_invalid_upi_ids(self, upi_id: str) -> None:
        error = rejected(with_detail("upi", "upiId", upi_id))
        assert error.field == "method.details.upiId"
        assert "handle@provider" in error.message
        assert len(upi_id) < 3 or upi_id not in error.message

    @pytest.mark.parametrize("key", [("upi", "name"), ("bank", "accountHolderName")])
    @pytest.mark.parametrize("name", ["x" * 101, "John\x00Doe", "John\nDoe", "John\u200bDoe", "Jo\x1bhn", "Jo\u2028hn"])
    def test_invalid_names(self, key: tuple[str, str], name: str) -> None:
        kind, field = key
        assert rejected(with_detail(kind, field, name)).field == f"method.details.{field}"

    @pytest.mark.parametrize(
        "number",
        [
            "1",
            "12345678",
            "1234567890123456789",
            "9" * 40,
            "12345678a",
            "abcdefghijk",
            "1234-5678-9012",
            "1234 5678 9012",
            "-123456789",
            "+123456789",
            "123456789.0",
            "1e10000000",
            "١٢٣٤٥٦٧٨٩",
            "１２３４５６７８９",
            "१२३४५६७८९",
            "0x12345678",
        ],
    )
    def test_invalid_account_numbers(self, number: str) -> None:
        error = rejected(with_detail("bank", "accountNumber", number))
        assert error.field == "method.details.accountNumber"
        assert "9 to 18 digits" in error.message

    @pytest.mark.parametrize(
        "ifsc",
        [
            "HDFC1001234",
            "HDF00001234",
            "HDFC000123",
            "HDFC00012345",
            "HDFC0-01234",
            "HDFC0 01234",
            "1DFC0001234",
            "HDFCO001234",
            "ıdfc0001234",
            "ＨＤＦＣ0001234",
            "HDFC0001234X",
            "HDFC",
        ],
    )
    def test_invalid_ifsc(self, ifsc: str) -> None:
        assert rejected(with_detail("bank", "ifsc", ifsc)).field == "method.details.ifsc"

    @pytest.mark.parametrize(
        "account_id",
        [
            "acct_12345",
            "acct_",
            "acct",
            "acct123456",
            "ACCT_123456",
            "acct_12345-6",
            "acct_123456 7",
            "acct__123456",
            "ba_1234567890",
            "cus_1234567890",
            "acct_" + "a" * 251,
            "acct_１２３４５６",
        ],
    )
    def test_invalid_stripe_accounts(self, account_id: str) -> None:
        assert rejected(with_detail("stripe", "accountId", account_id)).field == "method.details.accountId"

    def test_first_field_is_reported_in_canonical_order(self) -> None:
        raw = {"type": "bank", "details": {"accountNumber": "1", "ifsc": "bad", "accountHolderName": ""}}
        assert rejected(raw).field == "method.details.accountNumber"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


@given(
    st.one_of(
        json_values,
        st.fixed_dictionaries(
            {"type": st.sampled_from(["upi", "bank", "stripe"]) | json_values, "details": json_values}
        ),
        st.fixed_dictionaries(
            {
                "type": st.just("upi"),
                "details": st.fixed_dictionaries({"upiId": json_values, "name": json_values}),
            }
        ),
    )
)
def test_any_json_value_parses_or_raises_invalid_payout_method(raw: object) -> None:
    try:
        method = parse_payout_method(raw)
    except InvalidPayoutMethod as error:
        assert error.code == INVALID_PAYOUT_METHOD
    else:
        assert PayoutMethod.from_json(method.to_json()) == method


class TestMasking:
    @pytest.mark.parametrize(
        ("number", "masked"),
        [
            ("9876543210", "XXXXXX3210"),
            ("123456784321", "XXXXXXXX4321"),
            ("123456789", "XXXXX6789"),
            ("123456789012345678", "XXXXXXXXXXXXXX5678"),
        ],
    )
    def test_account_number(self, number: str, masked: str) -> None:
        assert mask_account_number(number) == masked
        method = parse_payout_method(with_detail("bank", "accountNumber", number))
        assert method.masked()["details"]["accountNumber"] == masked

    @pytest.mark.parametrize(
        ("upi_id", "masked"),
        [
            ("player@paytm", "pl****@paytm"),
            ("john.doe-1@okhdfcbank", "jo****@okhdfcbank"),
            ("abcd@ybl", "ab****@ybl"),
            ("abc@ybl", "a****@ybl"),
            ("ab@ybl", "a****@ybl"),
        ],
    )
    def test_upi_id(self, upi_id: str, masked: str) -> None:
        assert mask_upi_id(upi_id) == masked
        method = parse_payout_method(with_detail("upi", "upiId", upi_id))
        assert method.masked()["details"]["upiId"] == masked

    @pytest.mark.parametrize(
        ("account_id", "masked"),
        [
            ("acct_1A2b3C4d5E6f7G8h", "acct_****7G8h"),
            ("acct_12345678", "acct_****5678"),
            ("acct_123456", "acct_****456"),
        ],
    )
    def test_stripe_account(self, account_id: str, masked: str) -> None:
        assert mask_stripe_account(account_id) == masked
        method = parse_payout_method(with_detail("stripe", "accountId", account_id))
        assert method.masked()["details"]["accountId"] == masked

    def test_masked_view_keeps_names_and_ifsc(self) -> None:
        assert parse_payout_method(VALID["bank"]).masked() == {
            "type": "bank",
            "details": {"accountNumber": "XXXXXXXX4321", "ifsc": "HDFC0001234", "accountHolderName": "John Doe"},
        }
        assert parse_payout_method(VALID["upi"]).masked() == {
            "type": "upi",
            "details": {"upiId": "pl****@paytm", "name": "John Doe"},
        }
        assert parse_payout_method(VALID["stripe"]).masked() == {
            "type": "stripe",
            "details": {"accountId": "acct_****7G8h"},
        }

    def test_masked_view_is_a_copy(self) -> None:
        method = parse_payout_method(VALID["upi"])
        method.masked()["details"]["upiId"] = "changed"
        assert method.masked()["details"]["upiId"] == "pl****@paytm"

    @pytest.mark.parametrize(
        ("kind", "secret"),
        [("bank", "123456784321"), ("upi", "player@paytm"), ("upi", "player"), ("stripe", "acct_1A2b3C4d5E6f7G8h")],
    )
    def test_no_text_form_reveals_the_secret(self, kind: str, secret: str, caplog: pytest.LogCaptureFixture) -> None:
        method = parse_payout_method(VALID[kind])
        logger = logging.getLogger("test.payout.masking")
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("method %s %r", method, method)
            logger.info("details %s %r", method.details, method.details)
            logger.info(f"inline {method} {method.details!r}")
        texts = [
            repr(method),
            str(method),
            f"{method}",
            format(method),
            repr(method.details),
            str(method.details),
            str(method.masked()),
            mask_for_log(method),
            caplog.text,
        ]
        for text in texts:
            assert secret not in text
        assert "****" in mask_for_log(method) or "XXXX" in mask_for_log(method)

    def test_mask_for_log_of_anything(self) -> None:
        assert mask_for_log(VALID["upi"]) == "<unvalidated payout method>"
        assert mask_for_log(None) == "<unvalidated payout method>"
        assert mask_for_log(parse_payout_method(VALID["upi"])) == "upi(upiId=pl****@paytm, name=John Doe)"

    def test_repr_is_informative(self) -> None:
        assert repr(parse_payout_method(VALID["bank"])) == (
            "PayoutMethod(type='bank', details={'accountNumber': 'XXXXXXXX4321', 'ifsc': 'HDFC0001234', "
            "'accountHolderName': 'John Doe'})"
        )


class TestStorageForm:
    @pytest.mark.parametrize("kind", sorted(VALID))
    def test_to_json_is_unmasked_and_round_trips(self, kind: str) -> None:
        method = parse_payout_method(VALID[kind])
        stored = method.to_json()
        assert stored == VALID[kind]
        assert type(stored["type"]) is str
        restored = PayoutMethod.from_json(stored)
        assert restored == method
        assert hash(restored) == hash(method)
        assert dict(restored.details) == stored["details"]

    def test_to_json_is_a_copy(self) -> None:
        method = parse_payout_method(VALID["bank"])
        method.to_json()["details"]["accountNumber"] = "000000000"
        assert method.details["accountNumber"] == "123456784321"

    @pytest.mark.parametrize(
        "stored",
        [
            {"type": "upi"},
            {"details": {"upiId": "player@paytm", "name": "A"}},
            {"type": "upi", "details": {"upiId": "player@paytm", "name": "A"}, "extra": 1},
            {"type": "paypal", "details": {}},
            {"type": "upi", "details": {"upiId": "player@paytm"}},
            {"type": "upi", "details": {"upiId": "player@paytm", "name": "A", "x": "y"}},
            {"type": "upi", "details": {"upiId": 1, "name": "A"}},
            {"type": "upi", "details": ["upiId", "name"]},
            ["upi", {}],
        ],
    )
    def test_from_json_refuses_corrupt_records_as_a_bug_not_a_client_error(self, stored: Any) -> None:
        with pytest.raises((ValueError, TypeError)) as caught:
            PayoutMethod.from_json(stored)
        assert not isinstance(caught.value, InvalidArgument)

    def test_method_is_immutable(self) -> None:
        method = parse_payout_method(VALID["upi"])
        with pytest.raises(dataclasses.FrozenInstanceError):
            method.type = PayoutMethodType.BANK  # type: ignore[misc]
        with pytest.raises(TypeError):
            method.details["upiId"] = "someone@else"  # type: ignore[index]

    def test_equality_and_hash_follow_the_values(self) -> None:
        first = parse_payout_method(VALID["upi"])
        second = parse_payout_method({"type": "upi", "details": {"name": " John Doe ", "upiId": "player@paytm"}})
        other = parse_payout_method(with_detail("upi", "upiId", "other@paytm"))
        assert first == second
        assert hash(first) == hash(second)
        assert first != other
        assert len({first, second, other}) == 2

    def test_constructor_coerces_type_and_builds_masked_details(self) -> None:
        method = PayoutMethod("stripe", {"accountId": "acct_1A2b3C4d5E6f7G8h"})  # type: ignore[arg-type]
        assert method.type is PayoutMethodType.STRIPE
        assert "1A2b3C4d5E6f7G8h" not in repr(method)
