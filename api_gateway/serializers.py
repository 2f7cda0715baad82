"""Protobuf messages to the REST shapes of API.md (amounts in exact major units)."""

from __future__ import annotations

from typing import Any

from winzone.payouts.v1 import payouts_pb2 as payouts_pb
from winzone.wallet.v1 import wallet_pb2 as wallet_pb
from winzone_kernel.money import to_major

FUND_NAMES = ("deposit", "winnings", "bonus")


def funds_json(f: wallet_pb.Funds, currency: str) -> dict[str, Any]:
    """``{deposit, winnings, bonus}`` in major units (every fund present, zeros included)."""
    return {name: to_major(getattr(f, name), currency) for name in FUND_NAMES}


def _several_funds(t: wallet_pb.Transaction) -> bool:
    return not t.fund and sum(1 for name in FUND_NAMES if getattr(t.funds, name)) > 1


def transaction_json(t: wallet_pb.Transaction) -> dict[str, Any]:
    """A Transaction of API.md; ``fund`` names the one fund a wallet leg moved, ``funds`` the split when it
    moved several (both null on a leg that is not a user wallet's)."""
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
        "fund": t.fund or None,
        "funds": funds_json(t.funds, t.currency) if _several_funds(t) else None,
        "createdAt": t.created_at,
        "updatedAt": t.updated_at,
    }


def bonus_grant_json(g: wallet_pb.BonusGrant) -> dict[str, Any]:
    """A bonus grant: what was granted, what is left, why, and when it expires (``null``: never)."""
    return {
        "id": g.id,
        "amount": to_major(g.amount, g.currency),
        "remaining": to_major(g.remaining, g.currency),
        "currency": g.currency,
        "reason": g.reason,
        "expiresAt": g.expires_at or None,
        "status": g.status,
        "createdAt": g.created_at,
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
        "funds": funds_json(w.funds, w.currency),
        "heldFunds": funds_json(w.held_funds, w.currency),
        "withdrawable": to_major(w.withdrawable, w.currency),
    }


LIMIT_NAMES = {"deposit_daily": "depositDaily", "deposit_monthly": "depositMonthly", "entry_daily": "entryDaily"}
"""Wallet limit names (proto) to their REST field names."""


def _present(message: Any, name: str) -> Any:
    return getattr(message, name) if message.HasField(name) else None


def kyc_json(k: payouts_pb.KycRecord) -> dict[str, Any]:
    """A KYC record; the payout service answers the PAN masked and it leaves masked."""
    return {
        "userId": k.user_id,
        "status": k.status or "none",
        "pan": k.pan or None,
        "name": k.name or None,
        "dateOfBirth": k.date_of_birth or None,
        "submittedAt": k.submitted_at or None,
        "reviewedAt": _present(k, "reviewed_at"),
        "reviewedBy": _present(k, "reviewed_by"),
        "note": _present(k, "note"),
        "updatedAt": k.updated_at or None,
    }


def limits_json(c: wallet_pb.PlayerControls, currency: str) -> dict[str, Any]:
    """The limits in force (``null``: none) and the pending changes, in major units of ``currency``."""

    def amount(name: str) -> Any:
        return to_major(getattr(c, name), currency) if c.HasField(name) else None

    return {
        "currency": currency,
        **{rest: amount(name) for name, rest in LIMIT_NAMES.items()},
        "pending": [{"limit": LIMIT_NAMES.get(p.limit, p.limit),
                     "value": to_major(p.amount, currency) if p.HasField("amount") else None,
                     "effectiveAt": p.effective_at} for p in c.pending],
    }


def self_exclusion_json(c: wallet_pb.PlayerControls) -> dict[str, Any]:
    """Whether the player is self-excluded now, until when (``null`` when permanent) and since when."""
    return {
        "selfExcluded": c.self_excluded,
        "until": _present(c, "excluded_until"),
        "permanent": c.excluded_permanently,
        "since": _present(c, "excluded_at"),
    }


def approvals_json(p: payouts_pb.PayoutRequest) -> list[dict[str, Any]]:
    return [{"by": a.by, "at": a.at, "note": _present(a, "note")} for a in p.approvals]


def review_reasons_json(p: payouts_pb.PayoutRequest) -> list[dict[str, Any]]:
    return [{"rule": r.rule, "message": r.message, "at": r.at} for r in p.review_reasons]
