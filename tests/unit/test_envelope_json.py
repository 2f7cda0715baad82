"""The envelope's JSON: amounts are exact decimals written as ``str(Decimal)`` (``0.10`` stays ``0.10``), and
the bytes are the ones the gateway wrote before it moved to orjson (simplejson with ``use_decimal``)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
import simplejson

from api_gateway.envelope import ok, render_json
from api_gateway.serializers import transaction_json, wallet_json
from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.money import CURRENCIES, MAX_MINOR, to_major


def before(content: Any) -> bytes:
    """What the gateway wrote for ``content`` until now."""
    return simplejson.dumps(content, use_decimal=True, ensure_ascii=False, separators=(",", ":")).encode()


def test_trailing_zeros_and_exponents_are_kept() -> None:
    assert render_json({"a": Decimal("0.10")}) == b'{"a":0.10}'
    assert render_json([Decimal("100.00"), Decimal("-0.001"), Decimal("1E+3"), Decimal(0)]) == b"[100.00,-0.001,1E+3,0]"
    parsed = json.loads(render_json({"a": Decimal("0.10")}), parse_float=Decimal)
    assert str(parsed["a"]) == "0.10"


@pytest.mark.parametrize("value", [Decimal(MAX_MINOR), Decimal(10**40), Decimal("123456789012345678901234567890.12"),
                                   Decimal("-99999999999999999999.999999")])
def test_huge_amounts_are_exact(value: Decimal) -> None:
    assert json.loads(render_json({"amount": value}), parse_float=Decimal, parse_int=Decimal)["amount"] == value
    assert render_json({"amount": value}) == before({"amount": value})


@pytest.mark.parametrize("content", [
    {"big": 2**70, "small": -(2**70)},
    {1: "an integer key"},
    {"text": "é \u2028 </script> \x00 \" \\ \t 😀", "none": None, "flags": [True, False]},
    {"nested": {"list": [[], {}, [Decimal("1.5")]], "float": 1.5}},
])
def test_the_same_bytes_as_before(content: Any) -> None:
    assert render_json(content) == before(content)


def test_the_wallet_and_transactions_the_api_serves_are_unchanged() -> None:
    for code in CURRENCIES:
        for minor in (0, 1, 10, 105, 1050, 100_000, MAX_MINOR):
            wallet = wallet_pb.Wallet(balance=minor, available=minor, held=0, currency=code, total_earnings=minor,
                                      receivable=0)
            tx = wallet_pb.Transaction(id="tx_1", user_id="usr_1", type="topup", amount=minor, currency=code,
                                       status="completed", description="Top-up ₹", metadata={"k": "v"},
                                       balance_after=minor, created_at="2026-01-01T00:00:00.000Z")
            body = {"success": True, "message": "Wallet fetched successfully",
                    "data": {**wallet_json(wallet), "recentTransactions": [transaction_json(tx)]}}
            assert render_json(body) == before(body)
            assert json.loads(render_json(body), parse_float=Decimal)["data"]["balance"] == to_major(minor, code)


def test_an_envelope_response_carries_the_exact_bytes() -> None:
    response = ok("Wallet fetched successfully", {"balance": Decimal("0.10")})
    assert response.body == b'{"success":true,"message":"Wallet fetched successfully","data":{"balance":0.10}}'
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN")])
def test_non_finite_decimals_are_refused(value: Decimal) -> None:
    with pytest.raises(TypeError):
        render_json({"amount": value})


@pytest.mark.parametrize("value", [datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), datetime.date(2026, 1, 1),
                                   object(), {1, 2}])
def test_what_was_not_json_before_is_still_refused(value: object) -> None:
    with pytest.raises(TypeError):
        before({"v": value})
    with pytest.raises(TypeError):
        render_json({"v": value})
