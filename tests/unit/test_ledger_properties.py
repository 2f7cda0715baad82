"""Random sequences of ledger commands keep every audit invariant and never make a user balance negative.

The model predicts each command's first answer from the commands alone; a replay of a key must give that
answer again (an outcome replayed, or the same refusal), whatever happened since. It covers hold tombstones
(voids of ids no hold exists under, creates after them), Recover with its receivable, the restriction of users
who owe, settlement from later credits and holds up to what is available.
"""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from wallet_service.domain import ledger
from wallet_service.domain.accounts import receivable_account, user_account
from wallet_service.domain.audit import audit
from wallet_service.domain.commands import (
    CreateHoldCommand,
    LegRequest,
    MoveCommand,
    PostCommand,
    RecoverCommand,
    SettleHoldCommand,
    TransferCommand,
)
from wallet_service.domain.model import AuditFacts
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
    st.tuples(st.just("hold_up"), users, amounts, currencies),
    st.tuples(st.just("hold_at"), st.integers(min_value=0, max_value=2), users, amounts, currencies),
    st.tuples(st.just("void_at"), st.integers(min_value=0, max_value=2)),
    st.tuples(st.just("recover"), users, amounts, currencies),
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
    if kind in ("hold_up", "hold_at"):
        *_, user, amount, cur = op
        return ledger.create_hold, CreateHoldCommand.build(
            key=key, hold_id=f"slot{op[1]}" if kind == "hold_at" else f"hold{n}", user_id=user, amount=amount,
            currency=cur, type="payout", source="", description="", metadata={}, new_hold_id="unused",
            up_to_available=kind == "hold_up")
    if kind == "void_at":
        return ledger.settle_hold, SettleHoldCommand.build(key=key, hold_id=f"slot{op[1]}", capture=False)
    if kind == "recover":
        _, user, amount, cur = op
        return ledger.recover, RecoverCommand.build(key=key, user_id=user, amount=amount, currency=cur,
                                                    counter_account="clearing:prop", type="", source="",
                                                    description="", metadata={})
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
        self.owed: dict[tuple[str, str], int] = {}
        self.pool: dict[str, int] = {}
        self.holds: dict[str, tuple[str, str, int, str]] = {}
        self.tombstones: set[str] = set()

    def available(self, user: str, cur: str) -> int:
        return self.balance.get((user, cur), 0) - self.held.get((user, cur), 0)

    def restricted(self, user: str, cur: str) -> bool:
        return self.owed.get((user, cur), 0) > 0

    def apply(self, cmd: object) -> bool:
        """Apply ``cmd`` to the model if the ledger must accept it; return whether it must."""
        if isinstance(cmd, MoveCommand):
            if cmd.direction < 0:
                if self.restricted(cmd.user_id, cmd.currency) or self.available(cmd.user_id, cmd.currency) < cmd.amount:
                    return False
                self._add(cmd.user_id, cmd.currency, -cmd.amount)
            else:
                self._credit(cmd.user_id, cmd.currency, cmd.amount)
            return True
        if isinstance(cmd, TransferCommand):
            sender = (cmd.from_user_id, cmd.currency)
            if self.restricted(*sender) or self.available(*sender) < cmd.amount:
                return False
            self._add(cmd.from_user_id, cmd.currency, -cmd.amount)
            self._credit(cmd.to_user_id, cmd.currency, cmd.amount)
            return True
        if isinstance(cmd, PostCommand):
            return self._post(cmd)
        if isinstance(cmd, RecoverCommand):
            slot = (cmd.user_id, cmd.currency)
            recovered = min(cmd.amount, max(0, self.available(*slot)))
            self._add(cmd.user_id, cmd.currency, -recovered)
            self.owed[slot] = self.owed.get(slot, 0) + cmd.amount - recovered
            return True
        if isinstance(cmd, CreateHoldCommand):
            return self._hold(cmd)
        assert isinstance(cmd, SettleHoldCommand)
        hold = self.holds.get(cmd.hold_id)
        if hold is None:
            if cmd.capture or cmd.hold_id in self.tombstones:
                return False
            self.tombstones.add(cmd.hold_id)
            return True
        if hold[3] != "open":
            return False
        user, cur, amount, _ = hold
        self.held[(user, cur)] -= amount
        if cmd.capture:
            self._add(user, cur, -amount)
        self.holds[cmd.hold_id] = (user, cur, amount, "captured" if cmd.capture else "voided")
        return True

    def _post(self, cmd: PostCommand) -> bool:
        deltas: dict[tuple[str, str], int] = {}
        for leg in cmd.legs:
            kind, _, owner = leg.account.name.partition(":")
            if kind == "user" and leg.amount < 0 and self.restricted(owner, leg.currency):
                return False
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
                self._credit(owner, cur, delta) if delta > 0 else self._add(owner, cur, delta)
            elif kind == "pool":
                self.pool[cur] = self.pool.get(cur, 0) + delta
        return True

    def _hold(self, cmd: CreateHoldCommand) -> bool:
        slot = (cmd.user_id, cmd.currency)
        if cmd.hold_id in self.holds or cmd.hold_id in self.tombstones:
            return False
        if self.restricted(*slot) and not cmd.up_to_available:
            return False
        amount = min(cmd.amount, self.available(*slot)) if cmd.up_to_available else cmd.amount
        if amount <= 0 or self.available(*slot) < amount:
            return False
        self.held[slot] = self.held.get(slot, 0) + amount
        self.holds[cmd.hold_id] = (cmd.user_id, cmd.currency, amount, "open")
        return True

    def _credit(self, user: str, cur: str, amount: int) -> None:
        settled = min(amount, self.owed.get((user, cur), 0))
        self.owed[(user, cur)] = self.owed.get((user, cur), 0) - settled
        self._add(user, cur, amount - settled)

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
            first_answers: dict[int, bool] = {}
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
                replay = index in first_answers
                if not replay:
                    first_answers[index] = model.apply(cmd)
                must_apply = first_answers[index]
                try:
                    outcome = store.atomic(lambda uow, h=handler, c=cmd: h(uow, c))
                except WinzoneError:
                    assert not must_apply, f"the ledger refused {cmd}"
                else:
                    assert must_apply, f"the ledger accepted {cmd}"
                    assert outcome.replayed == replay
                report = audit(store.audit_facts())
                assert report.ok, report.violations
                for user in USERS:
                    for cur in ("INR", "USD"):
                        state = store.get_account(user_account(user), cur)
                        actual = (state.balance, state.held) if state else (0, 0)
                        expected = (model.balance.get((user, cur), 0), model.held.get((user, cur), 0))
                        assert actual == expected
                        assert actual[0] >= 0 and actual[0] - actual[1] >= 0
                        owed = store.get_account(receivable_account(user), cur)
                        assert (0 if owed is None else -owed.balance) == model.owed.get((user, cur), 0)
        finally:
            store.close()


def test_the_audit_reports_a_receivable_in_credit() -> None:
    facts = AuditFacts(
        accounts=[("receivable:ana", "INR", "system", 40, 0, 0), ("clearing:prop", "INR", "system", -40, 0, 0)],
        posted_sums={("receivable:ana", "INR"): 40, ("clearing:prop", "INR"): -40},
    )
    assert audit(facts).violations == ["receivable:ana INR: positive receivable 40"]
    facts.accounts[0] = ("receivable:ana", "INR", "system", -40, 0, 0)
    facts.accounts[1] = ("clearing:prop", "INR", "system", 40, 0, 0)
    facts.posted_sums = {("receivable:ana", "INR"): -40, ("clearing:prop", "INR"): 40}
    assert audit(facts).ok
