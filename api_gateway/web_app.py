"""The built web app (``web/dist``) served by the gateway at ``/``.

A GET or HEAD that no API route answers and that is not under an API prefix gets the app: a file of the
build when the path names one (``/assets/*`` with a year-long immutable cache: Vite puts a content hash in
those names), else ``index.html`` (a client route such as ``/wallet/topup/success``), which is never cached
without revalidation and carries a strict Content-Security-Policy. Every other request, and any path with a
``.`` or ``..`` segment, a hidden name, a backslash or a NUL, reaches the API, which answers 404 with the JSON
envelope. Without a build, ``/`` and client routes get a short page saying how to build it; the API works.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIXES = ("/api/", "/checkout/", "/webhook/", "/docs", "/redoc", "/openapi.json", "/health", "/metrics")
"""Paths that belong to the API whether or not a route answers them."""
ASSETS_PREFIX = "/assets/"
ASSET_CACHE = "public, max-age=31536000, immutable"
HTML_CACHE = "no-cache"
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
))
"""The app's pages: its own scripts, styles and API only. No inline styles are needed: React and recharts set
styles through the DOM's style properties, which a CSP does not restrict (only ``style`` attributes in markup
and ``<style>`` elements are)."""
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WinZone: the web app is not built</title></head>
<body><main><h1>The web app is not built</h1>
<p>The API is running (documentation at <a href="/docs">/docs</a>), but there is no build of the web app in
<code>{dist}</code>.</p>
<p>Build it with <code>scripts/build_web.sh</code> (it needs Node.js 20 and npm; <code>make run</code> runs it
for you), then reload this page.</p></main></body></html>
"""


def _html_headers() -> dict[str, str]:
    return {"Cache-Control": HTML_CACHE, "Content-Security-Policy": CONTENT_SECURITY_POLICY, **SECURITY_HEADERS}


def safe_relative(path: str) -> str | None:
    """``path`` without its leading slash, or None when it could climb out of the build or name a hidden file."""
    if "\x00" in path or "\\" in path:
        return None
    parts = path.lstrip("/").split("/")
    if any(part in (".", "..") or part.startswith(".") for part in parts if part):
        return None
    return "/".join(parts)


class WebApp:
    """ASGI middleware in front of the API that answers the app's GETs from ``dist_dir`` (see the module)."""

    def __init__(self, app: ASGIApp, *, dist_dir: Path, router: Router) -> None:
        self.app = app
        self.dist_dir = dist_dir
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self._response(scope) if scope["type"] == "http" else None
        if response is None:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    def _response(self, scope: Scope) -> Response | None:
        path: str = scope["path"]
        if scope["method"] not in ("GET", "HEAD") or path.startswith(API_PREFIXES) or self._routed(scope):
            return None
        relative = safe_relative(path)
        if relative is None:
            return None
        index = self.dist_dir / "index.html"
        if not index.is_file():
            if path.startswith(ASSETS_PREFIX):
                return None
            page = NOT_BUILT_PAGE.format(dist=html.escape(str(self.dist_dir)))
            return HTMLResponse(page, headers=_html_headers())
        found = self._file(relative)
        if path.startswith(ASSETS_PREFIX):
            if found is None:
                return None
            return FileResponse(found, headers={"Cache-Control": ASSET_CACHE, **SECURITY_HEADERS})
        if found is not None and found.name != "index.html":
            return FileResponse(found, headers={"Cache-Control": HTML_CACHE, **SECURITY_HEADERS})
        return FileResponse(index, media_type="text/html; charset=utf-8", headers=_html_headers())

    def _routed(self, scope: Scope) -> bool:
        """Some API route answers this path (with this method or another)."""
        return any(route.matches(scope)[0] is not Match.NONE for route in self.router.routes)

    def _file(self, relative: str) -> Path | None:
        if not relative:
            return None
        root = self.dist_dir.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate
