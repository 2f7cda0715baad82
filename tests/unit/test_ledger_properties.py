"""Random sequences of ledger commands keep every audit invariant and never make a user balance negative."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.accounts import user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import (
    CreateHoldCommand,
    LegRequest,
    MoveCommand,
    PostCommand,
    SettleHoldCommand,
    TransferCommand,
)
from winzone_kernel.errors import WinzoneError

USERS = ["ana", "bo", "cy"]
amounts = st.integers(min_value=1, max_value=50_000)
users = st.sampled_from(USERS)
currencies = st.sampled_from(["INR", "USD"])

operation = st.one_of(
    st.tuples(st.just("credit"), users, amounts, currencies, st.sampled_from(["topup", "reward", "refund"])),
    st.tuples(st.just("debit"), users, amounts, currencies),
    st.tuples(st.just("transfer"), users, users, amounts, currencies),
    st.tuples(st.just("entry"), st.lists(users, min_size=1, max_size=3, unique=True), amounts, currencies),
    st.tuples(st.just("distribute"), users, amounts, currencies),
    st.tuples(st.just("hold"), users, amounts, currencies),
    st.tuples(st.just("settle"), st.integers(min_value=0, max_value=20), st.booleans()),
    st.tuples(st.just("replay"), st.integers(min_value=0, max_value=40)),
)


def _command(op: tuple, n: int, holds: list[str]) -> tuple:
    kind = op[0]
    key = f"k{n}"
    if kind == "credit":
        _, user, amount, cur, tx_type = op
        return ledger.move, MoveCommand.build(key=key, user_id=user, amount=amount, currency=cur, type=tx_type,
                                              counter_account="clearing:prop", source="", description="",
                                              metadata={}, direction=1)
    if kind == "debit":
        _, user, amount, cur = op
        return ledger.move, MoveCommand.build(key=key, user_id=user, amount=amount, currency=cur, type="debit",
                                              counter_account="", source="", description="", metadata={},
                                              direction=-1)
    if kind == "transfer":
        _, a, b, amount, cur = op
        if a == b:
            return None
        return ledger.transfer, TransferCommand.build(key=key, from_user_id=a, to_user_id=b, amount=amount,
                                                      currency=cur, description="", metadata={})
    if kind == "entry":
        _, players, fee, cur = op
        legs = [LegRequest(account=f"user:{p}", amount=-fee, currency=cur, type="entryFee") for p in players]
        legs.append(LegRequest(account="pool:cup", amount=fee * len(players), currency=cur, type="entryFee"))
        return ledger.post, PostCommand.build(key=key, legs=legs, source="", description="", metadata={})
    if kind == "distribute":
        _, winner, amount, cur = op
        fee = amount // 10
        legs = [
            LegRequest(account="pool:cup", amount=-amount, currency=cur, type="reward"),
            LegRequest(account=f"user:{winner}", amount=amount - fee, currency=cur, type="reward",
                       key=f"match_reward_{n}_{winner}"),
        ]
        if fee:
            legs.append(LegRequest(account="platform_fees", amount=fee, currency=cur, type="platformFee"))
        return ledger.post, PostCommand.build(key=key, legs=legs, source="", description="", metadata={})
    if kind == "hold":
        _, user, amount, cur = op
        hold_id = f"hold{n}"
        holds.append(hold_id)
        return ledger.create_hold, CreateHoldCommand.build(
            key=key, hold_id=hold_id, user_id=user, amount=amount, currency=cur, type="payout", source="",
            description="", metadata={}, new_hold_id="unused")
    if kind == "settle":
        _, index, capture = op
        if not holds:
            return None
        return ledger.settle_hold, SettleHoldCommand.build(key=key, hold_id=holds[index % len(holds)],
                                                           capture=capture)
    return None


class Model:
    """What the ledger must hold, predicted from the commands alone (never from the ledger's answers)."""

    def __init__(self) -> None:
        self.balance: dict[tuple[str, str], int] = {}
        self.held: dict[tuple[str, str], int] = {}
        self.pool: dict[str, int] = {}
        self.holds: dict[str, tuple[str, str, int, str]] = {}

    def available(self, user: str, cur: str) -> int:
        return self.balance.get((user, cur), 0) - self.held.get((user, cur), 0)

    def apply(self, cmd: object) -> bool:
        """Apply ``cmd`` to the model if the ledger must accept it; return whether it must."""
        if isinstance(cmd, MoveCommand):
            if cmd.direction < 0 and self.available(cmd.user_id, cmd.currency) < cmd.amount:
                return False
            self._add(cmd.user_id, cmd.currency, cmd.amount * cmd.direction)
            return True
        if isinstance(cmd, TransferCommand):
            if self.available(cmd.from_user_id, cmd.currency) < cmd.amount:
                return False
            self._add(cmd.from_user_id, cmd.currency, -cmd.amount)
            self._add(cmd.to_user_id, cmd.currency, cmd.amount)
            return True
        if isinstance(cmd, PostCommand):
            deltas: dict[tuple[str, str], int] = {}
            for leg in cmd.legs:
                deltas[(leg.account.name, leg.currency)] = deltas.get((leg.account.name, leg.currency), 0) + leg.amount
            for (account, cur), delta in deltas.items():
                kind, _, owner = account.partition(":")
                if kind == "user" and self.available(owner, cur) + delta < 0:
                    return False
                if kind == "pool" and self.pool.get(cur, 0) + delta < 0:
                    return False
            for (account, cur), delta in deltas.items():
                kind, _, owner = account.partition(":")
                if kind == "user":
                    self._add(owner, cur, delta)
                elif kind == "pool":
                    self.pool[cur] = self.pool.get(cur, 0) + delta
            return True
        if isinstance(cmd, CreateHoldCommand):
            if cmd.hold_id in self.holds or self.available(cmd.user_id, cmd.currency) < cmd.amount:
                return False
            self.held[(cmd.user_id, cmd.currency)] = self.held.get((cmd.user_id, cmd.currency), 0) + cmd.amount
            self.holds[cmd.hold_id] = (cmd.user_id, cmd.currency, cmd.amount, "open")
            return True
        assert isinstance(cmd, SettleHoldCommand)
        hold = self.holds.get(cmd.hold_id)
        if hold is None or hold[3] != "open":
            return False
        user, cur, amount, _ = hold
        self.held[(user, cur)] -= amount
        if cmd.capture:
            self._add(user, cur, -amount)
        self.holds[cmd.hold_id] = (user, cur, amount, "captured" if cmd.capture else "voided")
        return True

    def _add(self, user: str, cur: str, delta: int) -> None:
        self.balance[(user, cur)] = self.balance.get((user, cur), 0) + delta


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=1, max_size=40))
def test_random_command_sequences_keep_the_books(ops: list[tuple]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteLedgerStore(Path(tmp) / "ledger.sqlite3", synchronous="OFF")
        store.migrate()
        try:
            issued: list[tuple] = []
            counter = itertools.count()
            holds: list[str] = []
            model = Model()
            applied: set[int] = set()
            for op in ops:
                if op[0] == "replay":
                    if not issued:
                        continue
                    index = op[1] % len(issued)
                    handler, cmd = issued[index]
                else:
                    built = _command(op, next(counter), holds)
                    if built is None:
                        continue
                    handler, cmd = built
                    index = len(issued)
                    issued.append(built)
                must_apply = index not in applied and model.apply(cmd)
                try:
                    outcome = store.atomic(lambda uow, h=handler, c=cmd: h(uow, c))
                except WinzoneError:
                    assert not must_apply, f"the ledger refused {cmd}"
                    assert index not in applied
                else:
                    assert outcome.replayed == (index in applied)
                    assert must_apply or outcome.replayed, f"the ledger accepted {cmd}"
                    applied.add(index)
                report = audit(store.audit_facts())
                assert report.ok, report.violations
                for user in USERS:
                    for cur in ("INR", "USD"):
                        state = store.get_account(user_account(user), cur)
                        actual = (state.balance, state.held) if state else (0, 0)
                        expected = (model.balance.get((user, cur), 0), model.held.get((user, cur), 0))
                        assert actual == expected
                        assert actual[0] >= 0 and actual[0] - actual[1] >= 0
        finally:
            store.close()
