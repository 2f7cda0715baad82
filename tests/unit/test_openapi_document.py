"""The gateway's ``/openapi.json`` states what the API does (issue: it listed 422s, no 4xx, no security, no
query parameters, no bodies on five write routes, and allowed ``amount: 0``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.query import MAX_LIMIT
from api_gateway.settings import GatewaySettings
from tests.support.grpc_servers import TEST_TOKEN

PUBLIC = {("post", "/api/auth/register"), ("post", "/api/auth/login"), ("post", "/api/payments/webhook"),
          ("post", "/webhook/stripe"), ("get", "/health"), ("get", "/api/config"), ("get", "/api/ping")}
TRANSACTION_LISTS = ["/api/wallet/transactions", "/api/transactions/my", "/api/transactions/all",
                     "/api/transactions/admin/all"]
PAYOUT_LISTS = ["/api/wallet/payout-requests", "/api/admin/payouts"]
TRANSACTION_TYPES = {"credit", "debit", "reward", "entryFee", "payout", "refund", "topup", "organizerFee",
                     "platformFee", "chargeback", "bonus", "bonusExpired", "tds", "gst", "migration"}
PAYOUT_STATUSES = {"requested", "held", "awaiting_second_approval", "approved", "paid", "failed", "rejected"}


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp_path: Path = tmp_path_factory.mktemp("openapi-document")
    settings = GatewaySettings.from_env({"INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "d" * 48,
                                         "WINZONE_DATA_DIR": str(tmp_path)})
    users = SqliteUserStore(tmp_path / "gateway.sqlite3", "NORMAL")
    try:
        yield build_app(settings, users).openapi()
    finally:
        users.close()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_schema(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    body = document["paths"][path][method]["requestBody"]
    return resolve(document, body["content"]["application/json"]["schema"])


def error_codes(operation: dict[str, Any], status: str) -> set[str]:
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    assert schema["allOf"] == [{"$ref": "#/components/schemas/ErrorEnvelope"}]
    return set(schema["properties"]["error"]["enum"])


def test_no_422_anywhere_and_every_reference_resolves(document: dict[str, Any]) -> None:
    text = json.dumps(document)
    assert '"422"' not in text and "HTTPValidationError" not in text
    refs = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert refs <= set(document["components"]["schemas"])


def test_the_error_envelope(document: dict[str, Any]) -> None:
    envelope = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["required"]) == {"success", "message", "error"}
    assert envelope["properties"]["success"] == {"const": False, "title": "Success", "type": "boolean"}


def test_every_authenticated_operation_has_the_bearer_scheme_and_its_401(document: dict[str, Any]) -> None:
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "`Authorization: Bearer <token>` from `POST /api/auth/login`."}
    for method, path, operation in operations(document):
        if (method, path) in PUBLIC:
            assert "security" not in operation, path
            continue
        assert operation["security"] == [{"bearerAuth": []}], path
        assert error_codes(operation, "401") == {"UNAUTHORIZED", "INVALID_TOKEN"}, path
        assert "SERVICE_UNAVAILABLE" in error_codes(operation, "503"), path


def test_errors_are_documented_with_their_codes(document: dict[str, Any]) -> None:
    for _, path, operation in operations(document):
        if "requestBody" in operation:
            assert "PAYLOAD_TOO_LARGE" in error_codes(operation, "400"), path
        if "{" in path:
            assert "NOT_FOUND" in error_codes(operation, "404"), path
        assert {"name": "x-request-id", "in": "header"}.items() <= operation["parameters"][-1].items(), path
        for status, response in operation["responses"].items():
            assert status in {"200", "201", "400", "401", "403", "404", "409", "429", "503"}, (path, status)
            assert "x-request-id" in response["headers"], (path, status)
    paths = document["paths"]
    assert "INVALID_JSON" in error_codes(paths["/api/competitions/{competition_id}"]["put"], "400")
    assert error_codes(paths["/api/transactions/all"]["get"], "403") == {"FORBIDDEN"}
    assert error_codes(paths["/api/transactions/{transaction_id}"]["get"], "404") == {"TRANSACTION_NOT_FOUND",
                                                                                       "NOT_FOUND"}
    assert "INVALID_PAYOUT_STATE" in error_codes(paths["/api/admin/payouts/{payout_id}/approve"]["put"], "409")
    assert "IDEMPOTENCY_CONFLICT" in error_codes(paths["/api/wallet/topup"]["post"], "409")
    assert "INSUFFICIENT_FUNDS" in error_codes(paths["/api/competitions/{competition_id}/entry"]["post"], "400")
    assert "EMAIL_TAKEN" in error_codes(paths["/api/auth/register"]["post"], "409")
    assert error_codes(paths["/api/auth/login"]["post"], "401") == {"INVALID_CREDENTIALS"}
    assert set(paths["/api/competitions/{competition_id}"]["put"]["responses"]) >= {"200", "404"}
    assert "201" not in paths["/api/competitions/{competition_id}"]["put"]["responses"]
    assert "201" in paths["/api/competitions"]["post"]["responses"]


def query(document: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in document["paths"][path]["get"]["parameters"] if p["in"] == "query"}


@pytest.mark.parametrize("path", TRANSACTION_LISTS + PAYOUT_LISTS)
def test_list_endpoints_declare_paging_and_filters_with_their_limits(document: dict[str, Any], path: str) -> None:
    parameters = query(document, path)
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20}
    statuses = set(parameters["status"]["schema"]["enum"])
    if path in TRANSACTION_LISTS:
        assert set(parameters["type"]["schema"]["enum"]) == TRANSACTION_TYPES
        assert statuses == {"pending", "completed", "failed"}
    else:
        assert statuses == PAYOUT_STATUSES
    assert not any(p["required"] for p in parameters.values())
    response = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "pagination" in resolve(document, response)["required"]


@pytest.mark.parametrize(("method", "path"), [
    ("post", "/api/competitions"), ("put", "/api/competitions/{competition_id}"),
    ("post", "/api/competitions/{competition_id}/entry"), ("post", "/api/competitions/{competition_id}/fund"),
    ("post", "/api/competitions/{competition_id}/refund"),
    ("post", "/api/matches/{match_id}/rewards"), ("post", "/api/wallet/topup"), ("post", "/api/wallet/topup/verify"),
    ("post", "/api/wallet/payout-request"), ("put", "/api/admin/payouts/{payout_id}/approve"),
    ("put", "/api/admin/payouts/{payout_id}/reject"), ("post", "/api/auth/register"), ("post", "/api/auth/login"),
    ("put", "/api/admin/payouts/{payout_id}/release"), ("post", "/api/kyc"), ("put", "/api/admin/kyc/{user_id}/verify"),
    ("put", "/api/admin/kyc/{user_id}/reject"), ("put", "/api/wallet/limits"), ("post", "/api/wallet/self-exclusion"),
    ("post", "/api/admin/users/{user_id}/bonus"),
])
def test_write_routes_declare_their_bodies(document: dict[str, Any], method: str, path: str) -> None:
    schema = body_schema(document, method, path)
    assert schema["type"] == "object" and schema["properties"]


@pytest.mark.parametrize(("method", "path", "field"), [
    ("put", "/api/competitions/{competition_id}", "entryFee"), ("post", "/api/competitions/{competition_id}/entry",
                                                                "amount"),
    ("post", "/api/competitions/{competition_id}/fund", "amount"), ("post", "/api/matches/{match_id}/rewards",
                                                                    "prizePool"),
    ("post", "/api/wallet/topup", "amount"), ("post", "/api/wallet/payout-request", "amount"),
    ("put", "/api/wallet/limits", "depositDaily"), ("put", "/api/wallet/limits", "entryDaily"),
    ("post", "/api/admin/users/{user_id}/bonus", "amount"),
])
def test_amounts_are_strictly_positive_numbers(document: dict[str, Any], method: str, path: str, field: str) -> None:
    prop = body_schema(document, method, path)["properties"][field]
    amount = next((s for s in prop.get("anyOf", [prop]) if s.get("type") == "number"), prop)
    assert amount["type"] == "number" and amount["exclusiveMinimum"] == 0 and amount["multipleOf"] == 0.01
    assert amount["maximum"] == 100_000_000_000


def test_required_fields_match_the_parsers(document: dict[str, Any]) -> None:
    assert set(body_schema(document, "put", "/api/competitions/{competition_id}")["required"]) == {"entryFee"}
    assert "required" not in body_schema(document, "post", "/api/competitions/{competition_id}/entry")
    assert set(body_schema(document, "post", "/api/competitions/{competition_id}/refund")["required"]) == {"reason"}
    assert set(body_schema(document, "post", "/api/matches/{match_id}/rewards")["required"]) == {
        "competitionId", "standings"}
    assert set(body_schema(document, "post", "/api/wallet/payout-request")["required"]) == {"amount", "method"}
    assert set(body_schema(document, "post", "/api/kyc")["required"]) == {"pan", "name", "dateOfBirth"}
    assert set(body_schema(document, "put", "/api/admin/payouts/{payout_id}/release")["required"]) == {"note"}
    assert "required" not in body_schema(document, "put", "/api/wallet/limits")
    entry = document["paths"]["/api/competitions/{competition_id}/entry"]["post"]["requestBody"]
    assert entry["required"] is False
    fund = document["paths"]["/api/competitions/{competition_id}/fund"]["post"]
    assert [p["name"] for p in fund["parameters"] if p["in"] == "header"] == ["Idempotency-Key", "x-request-id"]


def test_one_idempotency_key_rule_required_only_on_fund(document: dict[str, Any]) -> None:
    paths = document["paths"]
    keyed = {("post", "/api/competitions/{competition_id}/fund"): True,
             ("post", "/api/competitions/{competition_id}/entry"): False, ("post", "/api/wallet/topup"): False,
             ("post", "/api/wallet/topup/verify"): False, ("post", "/api/wallet/payout-request"): False}
    for (method, path), required in keyed.items():
        operation = paths[path][method]
        (header,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["required"] is required, path
        assert header["schema"]["pattern"] == "^[A-Za-z0-9_.:@-]{1,64}$", path
        assert "INVALID_IDEMPOTENCY_KEY" in error_codes(operation, "400"), path
    fund = paths["/api/competitions/{competition_id}/fund"]["post"]
    assert "IDEMPOTENCY_KEY_REQUIRED" in error_codes(fund, "400")


def test_restricted_accounts_and_sign_in_throttling_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    for method, path in (("post", "/api/competitions/{competition_id}/entry"),
                         ("post", "/api/competitions/{competition_id}/fund"), ("post", "/api/wallet/payout-request")):
        assert "ACCOUNT_RESTRICTED" in error_codes(paths[path][method], "409"), path
    assert error_codes(paths["/api/auth/login"]["post"], "429") == {"TOO_MANY_ATTEMPTS"}
    assert "/metrics" not in paths


def test_funds_tax_and_statement_routes_are_documented(document: dict[str, Any]) -> None:
    paths = document["paths"]
    bonus = paths["/api/admin/users/{user_id}/bonus"]["post"]
    assert set(body_schema(document, "post", "/api/admin/users/{user_id}/bonus")["required"]) == {"amount", "reason"}
    (header,) = [p for p in bonus["parameters"] if p["name"] == "Idempotency-Key"]
    assert header["required"] is True
    assert {"IDEMPOTENCY_KEY_REQUIRED", "INVALID_EXPIRY", "INVALID_AMOUNT"} <= error_codes(bonus, "400")
    assert error_codes(bonus, "404") == {"USER_NOT_FOUND", "NOT_FOUND"}
    assert error_codes(bonus, "403") == {"FORBIDDEN", "SELF_GRANT_FORBIDDEN"}
    assert "IDEMPOTENCY_CONFLICT" in error_codes(bonus, "409")
    for path in ("/api/wallet/statement", "/api/wallet/tax-statement"):
        content = paths[path]["get"]["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv", "application/pdf"}, path
        assert set(query(document, path)["format"]["schema"]["enum"]) == {"json", "csv", "pdf"}, path
    assert set(paths["/api/admin/tax/tds"]["get"]["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert error_codes(paths["/api/admin/tax/tds"]["get"], "403") == {"FORBIDDEN"}
    assert "INVALID_RANGE" in error_codes(paths["/api/wallet/statement"]["get"], "400")
    assert "INVALID_FINANCIAL_YEAR" in error_codes(paths["/api/wallet/tax-statement"]["get"], "400")
    assert query(document, "/api/admin/tax/tds")["quarter"]["schema"]["enum"] == ["Q1", "Q2", "Q3", "Q4"]
    estimate = query(document, "/api/wallet/tds-estimate")
    assert estimate["amount"]["required"] is True and estimate["amount"]["schema"]["exclusiveMinimum"] == 0
    schemas = document["components"]["schemas"]
    assert {"funds", "withdrawable", "bonusGrants"} <= set(schemas["Wallet"]["required"])
    assert {"fund", "funds"} <= set(schemas["Transaction"]["required"])
    assert {"tds", "netAmount", "netWinnings", "financialYear"} <= set(schemas["PayoutRequest"]["required"])
    assert {"tdsRate", "withdrawableFunds", "bonusMaxShareOfEntry", "gstOnDepositPercent",
            "gstOnPlatformFeePercent"} <= set(schemas["PlatformConfig"]["required"])
