"""Schemathesis against the gateway's own ``/openapi.json``: every operation, a bounded number of generated
requests each (valid and invalid ones), against the real wallet, reward, payment, payout and auditor gRPC
servers over SQLite. A response the document does not describe (status, content type, headers or body) fails, and so
does any 5xx.

Requests are signed as a player, an organizer, an admin, with a forged token or not at all (drawn per
request), and path ids are either generated or ones that exist (a funded player's transaction and payout
request, an open competition, a paid match), so success bodies are checked as well as refusals.
"""

from __future__ import annotations

import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python.asgi import shutdown_lifespans

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.adapters.tokens import JwtTokenIssuer
from api_gateway.app import build_app
from api_gateway.domain.model import Role, User
from api_gateway.settings import GatewaySettings
from api_gateway.use_cases.throttle import LoginThrottle
from tests.conftest import WalletHarness
from tests.support.grpc_servers import TEST_TOKEN, RunningServer, authed_channel
from tests.support.ids import new_email, new_user
from tests.support.payments import FRONTEND_URL, PaymentsHarness
from tests.support.payouts import PayoutHarness
from tests.support.rewards import RUPEE, Harness
from winzone.rewards.v1 import rewards_pb2 as rpb
from winzone.wallet.v1 import wallet_pb2_grpc
from winzone_kernel.clock import utc_now
from winzone_kernel.config import CommonSettings
from winzone_ops.auditor_server import create_server as create_auditor
from winzone_ops.auditor_server import runner as audit_runner

EXAMPLES_PER_OPERATION = 30
CALLERS = ("admin", "player", "organizer", "anonymous", "forged")
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_headers_conformance,
    schemathesis.checks.response_schema_conformance,
]


class SharedWallet(WalletHarness):
    """The reward harness's wallet server, for the payment and payout harnesses (one ledger for all)."""

    def __init__(self, env: Harness) -> None:
        self.store = env.ledger
        self.server = env.wallet_server
        self.channel = authed_channel(env.wallet_server.address)
        self.stub = wallet_pb2_grpc.WalletServiceStub(self.channel)

    def close(self) -> None:
        self.channel.close()


@dataclass
class Stack:
    """The gateway over real services, signed-in callers, ids that exist, and what the run saw."""

    app: object
    headers: dict[str, dict[str, str]]
    known: dict[str, str]
    seen: Counter[tuple[str, int]] = field(default_factory=Counter)


def _user(users: SqliteUserStore, tokens: JwtTokenIssuer, role: Role) -> tuple[str, dict[str, str]]:
    now = utc_now()
    user = User(new_user(), new_email(role.value), role.value.title(), role.value, "not-a-real-hash", now, now)
    users.add(user)
    return user.id, {"Authorization": f"Bearer {tokens.issue(user.id, user.role)}"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp_path: Path = tmp_path_factory.mktemp("openapi")
    env = Harness(tmp_path)
    wallet = SharedWallet(env)
    payments = PaymentsHarness(tmp_path, wallet)
    payouts = PayoutHarness(tmp_path / "payouts.sqlite3", wallet, payments.server.address)
    audit_env = {"WINZONE_DATA_DIR": str(tmp_path), "INTERNAL_TOKEN": TEST_TOKEN, "PAYMENT_PROVIDER": "mock"}
    auditor = RunningServer(lambda: create_auditor(audit_runner(CommonSettings.from_env(audit_env), audit_env),
                                                   token=TEST_TOKEN))
    settings_ = GatewaySettings.from_env({
        "INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "s" * 48, "WINZONE_DATA_DIR": str(tmp_path),
        "SQLITE_SYNCHRONOUS": "NORMAL", "FRONTEND_URL": FRONTEND_URL,
        "WALLET_SERVICE_ADDR": env.wallet_server.address, "REWARDS_SERVICE_ADDR": env.reward_server.address,
        "PAYMENTS_SERVICE_ADDR": payments.server.address, "PAYOUTS_SERVICE_ADDR": payouts.server.address,
        "AUDITOR_SERVICE_ADDR": auditor.address,
    })
    users = SqliteUserStore(settings_.common.sqlite_path("gateway"), "NORMAL")
    users.migrate()
    tokens = JwtTokenIssuer(settings_.jwt_secret, settings_.jwt_ttl_seconds)
    player, player_h = _user(users, tokens, Role.PLAYER)
    organizer, organizer_h = _user(users, tokens, Role.ORGANIZER)
    _, admin_h = _user(users, tokens, Role.ADMIN)
    forged = {"Authorization": "Bearer " + JwtTokenIssuer("f" * 48, 60).issue(player, "admin")}

    env.credit(player, 10_000 * RUPEE)
    env.credit(organizer, 10_000 * RUPEE)
    actor = rpb.Actor(user_id=organizer, role=Role.ORGANIZER.value)
    competition = env.open(organizer, 10 * RUPEE, actor=actor)
    paid = env.open(organizer, 10 * RUPEE, actor=actor)
    env.enter(paid, player)
    match = f"final@{paid}"
    env.distribute(match, paid, [(player, 1)], actor=actor)
    payout = payouts.request(player, 100 * RUPEE)
    known = {"competition_id": competition, "match_id": match, "payout_id": payout.id,
             "transaction_id": env.transactions(player, "topup")[0].id, "user_id": player}

    unthrottled = LoginThrottle(free_failures=1_000_000)
    headers = {"player": player_h, "organizer": organizer_h, "admin": admin_h, "forged": forged, "anonymous": {}}
    result = Stack(build_app(settings_, users, throttle=unthrottled), headers, known)
    try:
        yield result
    finally:
        shutdown_lifespans()
        auditor.stop()
        users.close()
        payouts.close()
        payments.close()
        wallet.close()
        env.close()


@pytest.fixture(scope="module")
def gateway_schema(stack: Stack) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", stack.app)


def _signed_as_drawn(case: schemathesis.Case) -> bool:
    """Whether the case reaches the gateway signed as the drawn caller. A negative case whose mutation is the
    missing ``Authorization`` header is sent without it whatever the test sets (schemathesis drops the header
    it "removed"), so every such case would be anonymous; the anonymous and forged callers cover that."""
    phase = case.meta.phase.data if case.meta is not None else None
    return getattr(phase, "parameter", None) != "Authorization"


def _fuzz(operation: schemathesis.APIOperation, stack: Stack) -> None:
    """A bounded Hypothesis run of one operation: valid and invalid requests, every response checked."""
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                      operation.as_strategy(GenerationMode.NEGATIVE).filter(_signed_as_drawn))

    @seed(zlib.crc32(operation.label.encode()))
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=cases, caller=st.sampled_from(CALLERS), existing=st.booleans())
    def run(case: schemathesis.Case, caller: str, existing: bool) -> None:
        case.headers.pop("Authorization", None)
        case.headers.update(stack.headers[caller])
        if existing:
            for name in case.path_parameters:
                case.path_parameters[name] = stack.known.get(name, case.path_parameters[name])
        response = case.call_and_validate(checks=CHECKS)
        stack.seen[(operation.label, response.status_code)] += 1

    run()


def test_every_operation_answers_as_documented(stack: Stack, gateway_schema: schemathesis.BaseSchema,
                                               subtests: pytest.Subtests, capsys: pytest.CaptureFixture[str]) -> None:
    labels = []
    for result in gateway_schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        with subtests.test(operation.label):
            _fuzz(operation, stack)
    with capsys.disabled():
        print(f"\nschemathesis: {sum(stack.seen.values())} requests to {len(labels)} operations, by status:")
        for label in labels:
            statuses = sorted((status, n) for (seen, status), n in stack.seen.items() if seen == label)
            print(f"  {label:50} " + "  ".join(f"{status}x{n}" for status, n in statuses))
    assert {label for label, _ in stack.seen} == set(labels)
    succeeded = {label for label, status in stack.seen if status < 300}
    assert len(succeeded) >= len(labels) // 2, sorted(set(labels) - succeeded)


@pytest.mark.parametrize("request_id", ["²²²²²²²²²", "éééééééé", "abc def ghi"])
def test_a_request_id_that_is_not_ascii_letters_and_digits_is_replaced(
        stack: Stack, gateway_schema: schemathesis.BaseSchema, request_id: str) -> None:
    """A non-ASCII digit is ``isalnum()``: sent on as gRPC metadata, it failed every call with a 500."""
    case = gateway_schema["/api/wallet"]["GET"].Case(headers={**stack.headers["player"], "X-Request-ID": request_id})
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200
    assert response.headers["x-request-id"][0] != request_id
