"""Stripe-compatible webhook signatures: only an untouched body, signed recently with our secret, passes."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
import stripe

from payment_gateway.adapters import signatures
from payment_gateway.domain.errors import InvalidSignature
from winzone_kernel.errors import InvalidArgument

SECRET = "whsec_unit_test_secret"
BODY = b'{"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {"amount_total": 100000}}}'


def test_a_fresh_signature_verifies_and_returns_its_timestamp() -> None:
    header = signatures.sign_header(BODY, SECRET, timestamp=1_700_000_000)

    assert header.startswith("t=1700000000,v1=")
    assert signatures.verify_header(BODY, header, SECRET, now=1_700_000_010) == 1_700_000_000


def test_the_signature_is_hmac_sha256_over_timestamp_dot_raw_body() -> None:
    expected = hmac.new(SECRET.encode(), b"1700000000." + BODY, hashlib.sha256).hexdigest()

    assert signatures.compute_signature(BODY, SECRET, 1_700_000_000) == expected


@pytest.mark.parametrize(
    "case",
    ["tampered_body", "wrong_secret", "too_old", "too_far_in_future", "reserialised_json"],
)
def test_anything_but_the_signed_body_and_secret_within_tolerance_is_refused(case: str) -> None:
    now = time.time()
    body, secret, timestamp = BODY, SECRET, int(now)
    if case == "wrong_secret":
        secret = "whsec_someone_else"
    if case == "too_old":
        timestamp = int(now) - signatures.DEFAULT_TOLERANCE_SECONDS - 5
    if case == "too_far_in_future":
        timestamp = int(now) + signatures.DEFAULT_TOLERANCE_SECONDS + 5
    header = signatures.sign_header(body, secret, timestamp=timestamp)
    received = BODY
    if case == "tampered_body":
        received = BODY.replace(b"100000", b"900000")
    if case == "reserialised_json":
        received = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
        assert json.loads(received) == json.loads(BODY)

    with pytest.raises(InvalidSignature):
        signatures.verify_header(received, header, SECRET, now=now)


def test_a_timestamp_at_the_edge_of_the_tolerance_still_verifies() -> None:
    header = signatures.sign_header(BODY, SECRET, timestamp=1_700_000_000)

    assert signatures.verify_header(BODY, header, SECRET, now=1_700_000_000 + 300) == 1_700_000_000


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "garbage",
        "t=,v1=abc",
        "t=abc,v1=abc",
        "t=-5,v1=abc",
        "t=99999999999999999999,v1=abc",
        "v1=abc",
        "t=1700000000",
        "t=1700000000,v0=abc",
        "t=1700000000,t=1700000001,v1=abc",
        "t=1700000000,v1=é",
    ],
)
def test_missing_or_malformed_headers_are_invalid_signatures(header: str | None) -> None:
    with pytest.raises(InvalidSignature):
        signatures.verify_header(BODY, header, SECRET, now=1_700_000_000)


def test_any_one_of_several_v1_signatures_may_match() -> None:
    good = signatures.compute_signature(BODY, SECRET, 1_700_000_000)
    header = f"t=1700000000,v1={'0' * 64},v0=ignored,v1={good}"

    assert signatures.verify_header(BODY, header, SECRET, now=1_700_000_000) == 1_700_000_000


def test_an_empty_secret_never_verifies_and_cannot_sign() -> None:
    header = signatures.sign_header(BODY, SECRET)

    with pytest.raises(InvalidSignature):
        signatures.verify_header(BODY, header, "")
    with pytest.raises(ValueError):
        signatures.sign_header(BODY, "")


def test_only_raw_bytes_are_accepted() -> None:
    header = signatures.sign_header(BODY, SECRET)

    with pytest.raises(TypeError):
        signatures.verify_header(BODY.decode(), header, SECRET)  # type: ignore[arg-type]


def test_invalid_signature_is_a_400_class_error_with_a_stable_code() -> None:
    error = InvalidSignature()

    assert isinstance(error, InvalidArgument)
    assert (error.code, error.message) == ("INVALID_SIGNATURE", "Invalid signature")


def test_headers_interoperate_with_the_stripe_sdk_in_both_directions() -> None:
    stripe_header = stripe.WebhookSignature.generate_signature_header(BODY.decode(), SECRET)
    our_header = signatures.sign_header(BODY, SECRET)

    assert signatures.verify_header(BODY, stripe_header, SECRET) > 0
    assert stripe.WebhookSignature.verify_header(BODY, our_header, SECRET, tolerance=300) is True
