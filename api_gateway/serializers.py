"""Protobuf messages to the REST shapes of API.md (amounts in exact major units)."""

from __future__ import annotations

from typing import Any

from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.money import to_major


def transaction_json(t: wallet_pb.Transaction) -> dict[str, Any]:
    return {
        "_id": t.id,
        "userId": t.user_id or None,
        "type": t.type,
        "amount": to_major(t.amount, t.currency),
        "currency": t.currency,
        "source": t.source,
        "status": t.status,
        "description": t.description,
        "metadata": dict(t.metadata),
        "idempotencyKey": t.idempotency_key or None,
        "balanceAfter": to_major(t.balance_after, t.currency) if t.HasField("balance_after") else None,
        "createdAt": t.created_at,
        "updatedAt": t.updated_at,
    }


def wallet_json(w: wallet_pb.Wallet) -> dict[str, Any]:
    return {
        "balance": to_major(w.balance, w.currency),
        "available": to_major(w.available, w.currency),
        "held": to_major(w.held, w.currency),
        "currency": w.currency,
        "totalEarnings": to_major(w.total_earnings, w.currency),
        "receivable": to_major(w.receivable, w.currency),
        "restricted": w.restricted,
    }
