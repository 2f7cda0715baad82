"""The batch part of the ledger contract: ``atomic_each`` and the PostBatch use case on a real store.

Every entry of a batch is a Post of its own (validation, idempotency, refusal memory), run in request order in
one transaction; mixed into each backend's ``LedgerStoreContract`` test case, so both stores run it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.contract.ledger_contract import CLEARING, LedgerStoreContract
from tests.support.ids import new_key, new_user
from wallet_service.domain import ledger
from wallet_service.domain.accounts import user_account
from wallet_service.domain.commands import MAX_BATCH_ENTRIES, EntryRequest, LegRequest
from wallet_service.domain.model import PostingOutcome
from wallet_service.domain.ports import LedgerUnitOfWork
from wallet_service.use_cases.batches import EntryAnswer
from winzone_kernel.errors import IdempotencyConflict, InsufficientFunds, InvalidArgument
from winzone_kernel.money import MAX_MINOR


def move(source: str, target: str, amount: int, *, key: str | None = None, type: str = "credit",
         leg_key: str = "") -> EntryRequest:
    """An entry moving ``amount`` from account ``source`` to account ``target``."""
    return EntryRequest(key=key or new_key(), source="test", description="batched", legs=[
        LegRequest(account=source, amount=-amount, type=type),
        LegRequest(account=target, amount=amount, type=type, key=leg_key),
    ])


def topup(user: str, amount: int, **fields: Any) -> EntryRequest:
    return move(CLEARING, f"user:{user}", amount, **fields)


def posted(answer: EntryAnswer) -> PostingOutcome:
    assert isinstance(answer, PostingOutcome), answer
    return answer


class LedgerBatchContract(LedgerStoreContract):
    """Batches on the store under test (mix in before ``LedgerSafetyContract``)."""

    def batch(self, entries: list[EntryRequest]) -> list[EntryAnswer]:
        return self.run(self.service.batches.post_batch(entries))

    def test_batch_posts_every_entry_in_request_order(self) -> None:
        users = [new_user() for _ in range(5)]
        answers = self.batch([topup(u, 100 * (i + 1)) for i, u in enumerate(users)])
        assert [posted(a).wallets[0].balance for a in answers] == [100, 200, 300, 400, 500]
        assert [posted(a).wallets[0].user_id for a in answers] == users
        assert len({posted(a).entry_id for a in answers}) == 5
        assert self.balance(CLEARING) == -1_500
        self.assert_audit_ok()

    def test_batch_a_refused_entry_refuses_only_itself_and_is_remembered(self) -> None:
        rich, poor, other = new_user(), new_user(), new_user()
        self.credit(rich, 1_000)
        spend = move(f"user:{poor}", f"user:{other}", 50, type="debit")
        answers = self.batch([move(f"user:{rich}", f"user:{other}", 300, type="debit"), spend, topup(poor, 10)])
        assert posted(answers[0]).wallets[0].balance == 700
        assert isinstance(answers[1], InsufficientFunds)
        assert posted(answers[2]).wallets[0].balance == 10
        self.credit(poor, 1_000)
        again = self.batch([spend])
        assert isinstance(again[0], InsufficientFunds)
        assert (self.wallet(poor).balance, self.wallet(other).balance) == (1_010, 300)
        self.assert_audit_ok()

    def test_batch_entries_on_one_account_apply_in_order(self) -> None:
        user, shop = new_user(), new_user()
        self.credit(user, 100)
        answers = self.batch([
            move(f"user:{user}", f"user:{shop}", 60, type="debit"),
            move(f"user:{user}", f"user:{shop}", 60, type="debit"),
            topup(user, 20),
            move(f"user:{user}", f"user:{shop}", 60, type="debit"),
        ])
        assert [type(a).__name__ for a in answers] == ["PostingOutcome", "InsufficientFunds", "PostingOutcome",
                                                       "PostingOutcome"]
        assert [t.balance_after for t in posted(answers[3]).transactions] == [0, 120]
        assert (self.wallet(user).balance, self.wallet(shop).balance) == (0, 120)
        self.assert_audit_ok()

    def test_batch_a_key_repeated_in_one_batch_is_a_replay_or_a_conflict(self) -> None:
        user = new_user()
        key = new_key()
        first = topup(user, 100, key=key)
        answers = self.batch([first, topup(new_user(), 5), first, topup(user, 999, key=key)])
        assert not posted(answers[0]).replayed
        assert posted(answers[2]).replayed
        assert posted(answers[2]).entry_id == posted(answers[0]).entry_id
        assert [t.id for t in posted(answers[2]).transactions] == [t.id for t in posted(answers[0]).transactions]
        assert isinstance(answers[3], IdempotencyConflict)
        assert self.wallet(user).balance == 100
        self.assert_audit_ok()

    def test_batch_sent_again_replays_every_answer(self) -> None:
        users = [new_user() for _ in range(3)]
        poor = new_user()
        entries = [*(topup(u, 70) for u in users), move(f"user:{poor}", f"user:{users[0]}", 5, type="debit")]
        first = self.batch(entries)
        state = self.ledger_state()
        second = self.batch(entries)
        assert [posted(a).entry_id for a in second[:3]] == [posted(a).entry_id for a in first[:3]]
        assert all(posted(a).replayed for a in second[:3])
        assert isinstance(first[3], InsufficientFunds) and isinstance(second[3], InsufficientFunds)
        assert self.ledger_state() == state
        self.assert_audit_ok()

    def test_batch_a_malformed_entry_is_answered_alone_and_not_remembered(self) -> None:
        user = new_user()
        key = new_key()
        bad = [
            EntryRequest(key=key, legs=[LegRequest(account=CLEARING, amount=0, type="credit"),
                                        LegRequest(account=f"user:{user}", amount=0, type="credit")]),
            move(CLEARING, f"user:{user}", MAX_MINOR + 1),
            EntryRequest(key=new_key(), legs=[LegRequest(account=CLEARING, amount=-5, type="credit"),
                                              LegRequest(account=f"user:{user}", amount=4, type="credit")]),
            EntryRequest(key=new_key(), legs=[LegRequest(account=CLEARING, amount=-5, type="credit", currency="XYZ"),
                                              LegRequest(account=f"user:{user}", amount=5, type="credit",
                                                         currency="XYZ")]),
            EntryRequest(key="", legs=topup(user, 5).legs),
            EntryRequest(key=new_key(), legs=[LegRequest(account=f"receivable:{user}", amount=-5, type="credit"),
                                              LegRequest(account=f"user:{user}", amount=5, type="credit")]),
        ]
        answers = self.batch([*bad, topup(user, 40)])
        assert all(isinstance(a, InvalidArgument) for a in answers[:-1]), answers
        assert [a.code for a in answers[:-1] if isinstance(a, InvalidArgument)][:4] == [
            "INVALID_AMOUNT", "INVALID_AMOUNT", "UNBALANCED_POSTING", "INVALID_CURRENCY"]
        assert posted(answers[-1]).wallets[0].balance == 40
        assert not posted(self.batch([topup(user, 1, key=key)])[0]).replayed
        assert self.wallet(user).balance == 41
        self.assert_audit_ok()

    def test_batch_out_of_bounds_is_refused_whole(self) -> None:
        user = new_user()
        state = self.ledger_state()
        with pytest.raises(InvalidArgument):
            self.batch([])
        with pytest.raises(InvalidArgument):
            self.batch([topup(user, 1) for _ in range(MAX_BATCH_ENTRIES + 1)])
        assert self.ledger_state() == state
        self.assert_audit_ok()

    def test_batch_a_leg_key_another_posting_holds_conflicts_for_that_entry_only(self) -> None:
        user, other = new_user(), new_user()
        self.credit(user, 10, key="taken-leg-key")
        answers = self.batch([topup(other, 5, leg_key="taken-leg-key"), topup(other, 7)])
        assert isinstance(answers[0], IdempotencyConflict)
        assert posted(answers[1]).wallets[0].balance == 7
        self.assert_audit_ok()

    def test_batch_of_the_largest_size_commits(self) -> None:
        users = [new_user() for _ in range(MAX_BATCH_ENTRIES)]
        answers = self.batch([topup(u, 3) for u in users])
        assert all(posted(a).wallets[0].balance == 3 for a in answers)
        assert self.balance(CLEARING) == -3 * MAX_BATCH_ENTRIES
        self.assert_audit_ok()

    def test_batch_two_identical_batches_at_once_post_each_entry_once(self) -> None:
        users = [new_user() for _ in range(50)]
        entries = [topup(u, 11) for u in users]

        async def both() -> list[list[EntryAnswer]]:
            return list(await asyncio.gather(self.service.batches.post_batch(entries),
                                             self.service.batches.post_batch(entries)))

        first, second = self.run(both())
        for a, b in zip(first, second, strict=True):
            assert posted(a).entry_id == posted(b).entry_id
            assert posted(a).replayed != posted(b).replayed
        assert all(self.wallet(u).balance == 11 for u in users)
        assert self.balance(CLEARING) == -11 * len(users)
        self.assert_audit_ok()

    def test_batch_ops_share_one_transaction(self) -> None:
        user = new_user()
        entry = topup(user, 25).command()

        def boom(uow: LedgerUnitOfWork) -> None:
            raise RuntimeError("not a ledger refusal")

        with pytest.raises(RuntimeError):
            self.store.atomic_each([lambda uow: ledger.post(uow, entry), boom])
        assert self.store.get_account(user_account(user), "INR") is None
        assert self.balance(CLEARING) is None
        self.assert_audit_ok()
