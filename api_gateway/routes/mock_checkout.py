"""The mock provider's hosted checkout page: ``GET /checkout/mock/{ref}`` with Pay and Cancel forms.

The page and its form posts talk to the payment gateway's ``MockCheckout`` service, which answers 404 for
any provider but the mock one. Pay marks the session paid (and credits it) and Cancel cancels it; both
end in a ``303`` to the frontend. The forms are offered, and accepted, only while the session is
``created``; a browser's cross-site form post (``Sec-Fetch-Site: cross-site``) is refused.
"""

from __future__ import annotations

import html
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api_gateway.context import GatewayContext, context
from api_gateway.errors import http_status_for
from winzone.payments.v1 import payments_pb2 as pb
from winzone.payments.v1 import payments_pb2_grpc as pb_grpc
from winzone_kernel.errors import NotFound, PermissionDenied, WinzoneError
from winzone_kernel.money import to_major

router = APIRouter(tags=["payments"], include_in_schema=False)

_REF = re.compile(r"[A-Za-z0-9_\-]{1,120}")
_SYMBOLS = {"INR": "₹", "USD": "$"}
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#0f172a;color:#e2e8f0;display:flex;justify-content:center;"
    "padding:4rem 1rem}main{background:#1e293b;border-radius:12px;padding:2rem;max-width:26rem;width:100%}"
    "h1{font-size:1.25rem;margin:0 0 .5rem}.amount{font-size:2rem;font-weight:700;margin:1rem 0}"
    "form{display:inline}button{font-size:1rem;padding:.6rem 1.4rem;border:0;border-radius:8px;cursor:pointer;"
    "margin-right:.5rem}.pay{background:#22c55e;color:#052e16}.cancel{background:#475569;color:#f8fafc}"
    ".note{color:#94a3b8;font-size:.85rem;margin-top:1.5rem}"
)

Ctx = Annotated[GatewayContext, Depends(context)]


def _format(amount: int, currency: str) -> str:
    major = to_major(amount, currency)
    return f"{_SYMBOLS.get(currency, currency + ' ')}{major:,.2f}"


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )
    return HTMLResponse(document, status_code=status, headers=_HEADERS)


def _error_page(error: WinzoneError) -> HTMLResponse:
    status = http_status_for(error)
    return _page("Checkout unavailable", f"<h1>Checkout unavailable</h1><p>{html.escape(error.message)}</p>", status)


def _stub(ctx: GatewayContext) -> pb_grpc.MockCheckoutStub:
    """One stub per gateway (on the payment gateway's channel), not one per request."""
    stub = ctx.stubs.get("mock_checkout")
    if stub is None:
        stub = ctx.stubs["mock_checkout"] = pb_grpc.MockCheckoutStub(ctx.channels["payments"])
    return stub


async def _call(ctx: GatewayContext, method: str, ref: str) -> pb.MockCheckoutView:
    if not _REF.fullmatch(ref):
        raise NotFound("Checkout session not found", code="CHECKOUT_NOT_FOUND")
    view: pb.MockCheckoutView = await getattr(_stub(ctx), method)(pb.MockCheckoutRequest(provider_ref=ref))
    return view


@router.get("/checkout/mock/{ref}")
async def checkout_page(ref: str, ctx: Ctx) -> Response:
    """The mock checkout page: the amount, a Pay button and a Cancel button."""
    try:
        view = await _call(ctx, "GetMockCheckout", ref)
    except WinzoneError as exc:
        return _error_page(exc)
    amount = html.escape(_format(view.amount, view.currency))
    action = f"/checkout/mock/{quote(view.provider_ref, safe='')}"
    if view.status == "created":
        actions = (
            f"<form method=\"post\" action=\"{action}/pay\"><button class=\"pay\" type=\"submit\">Pay {amount}"
            f"</button></form><form method=\"post\" action=\"{action}/cancel\"><button class=\"cancel\" "
            "type=\"submit\">Cancel</button></form>"
        )
    else:
        actions = f"<p>This checkout session is already {html.escape(view.status)}.</p>"
    body = (
        "<h1>WinZone wallet top-up</h1><p>Mock payment provider: no real money moves.</p>"
        f"<div class=\"amount\">{amount}</div>{actions}"
        f"<p class=\"note\">Session {html.escape(view.session_id)}</p>"
    )
    return _page("WinZone mock checkout", body)


async def _finish(request: Request, ctx: GatewayContext, method: str, ref: str) -> Response:
    if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return _error_page(PermissionDenied("Checkout forms can only be submitted from the checkout page",
                                            code="CROSS_SITE_FORM"))
    try:
        view = await _call(ctx, method, ref)
    except WinzoneError as exc:
        return _error_page(exc)
    if not view.redirect_url.startswith(("http://", "https://")):
        return _page("Checkout finished", "<h1>Checkout finished</h1><p>You can close this page.</p>")
    return RedirectResponse(view.redirect_url, status_code=303, headers={"Cache-Control": "no-store"})


@router.post("/checkout/mock/{ref}/pay")
async def pay(ref: str, request: Request, ctx: Ctx) -> Response:
    """Pay: the session is paid and credited; 303 to ``FRONTEND_URL/wallet/topup/success?session_id=...``."""
    return await _finish(request, ctx, "PayMockCheckout", ref)


@router.post("/checkout/mock/{ref}/cancel")
async def cancel(ref: str, request: Request, ctx: Ctx) -> Response:
    """Cancel: the session is cancelled; 303 to the frontend's cancel page."""
    return await _finish(request, ctx, "CancelMockCheckout", ref)
