"""The gateway serves the built web app (``api_gateway.web_app``) from a small dist folder made here: hashed
assets cached for a year, ``index.html`` for ``/`` and client routes with no-cache and a strict CSP, files
outside the build never served, the API (JSON 404s, 405s, docs, health, the mock checkout) untouched, a page
saying how to build the app when there is no build, and CORS for the gateway's own origin, the front end's and
the Vite dev server's. Raw paths (``..``, encoded, NUL, backslash) go over a socket to a real uvicorn, so no
client tidies them first."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api_gateway.adapters.sqlite_store import SqliteUserStore
from api_gateway.app import build_app
from api_gateway.settings import GatewaySettings
from api_gateway.web_app import ASSET_CACHE, CONTENT_SECURITY_POLICY
from tests.support.grpc_servers import TEST_TOKEN
from winzone_kernel.config import ConfigError
from winzone_kernel.ports import bind_listening

INDEX = "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-3f9a1c.js\"></script></head>" \
        "<body><div id=\"root\"></div></body></html>\n"
SCRIPT = "console.log('winzone');\n"
SECRET = "root:x:0:0:this must never be served\n"


def _dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-3f9a1c.js").write_text(SCRIPT)
    (dist / "assets" / "index-77aa01.css").write_text("body{margin:0}\n")
    (dist / "favicon.svg").write_text("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n")
    (dist / ".env").write_text(SECRET)
    (tmp_path / "secret.txt").write_text(SECRET)
    (dist / "assets" / "escape.js").symlink_to(tmp_path / "secret.txt")
    return dist


def _settings(tmp_path: Path, **extra: str) -> GatewaySettings:
    return GatewaySettings.from_env({"INTERNAL_TOKEN": TEST_TOKEN, "JWT_SECRET": "w" * 48,
                                     "WINZONE_DATA_DIR": str(tmp_path), "SQLITE_SYNCHRONOUS": "NORMAL", **extra})


def _app(tmp_path: Path, **extra: str) -> tuple[FastAPI, SqliteUserStore]:
    settings = _settings(tmp_path, **extra)
    users = SqliteUserStore(settings.common.sqlite_path("gateway"), "NORMAL")
    users.migrate()
    return build_app(settings, users), users


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    return _dist(tmp_path)


@pytest.fixture
def client(tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    app, users = _app(tmp_path, WEB_DIST_DIR=str(dist))
    with TestClient(app) as test_client:
        yield test_client
    users.close()


def _assert_app_page(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


def test_the_policy_is_the_strict_one() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives == {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data:",
        "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "frame-ancestors": "'none'",
        "base-uri": "'self'", "form-action": "'self'"}
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_index_for_the_root_and_every_client_route(client: TestClient) -> None:
    for path in ("/", "/login", "/wallet", "/wallet/topup/success?session_id=tps_abc", "/wallet/transactions/tx_1",
                 "/admin/books", "/competitions/cmp_1", "/wallet/topup/cancel?session_id=x&y=%2e%2e"):
        page = client.get(path)
        _assert_app_page(page)
        assert page.text == INDEX, path
    head = client.head("/wallet")
    assert head.status_code == 200 and head.content == b"" and head.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year_and_other_files_revalidated(client: TestClient) -> None:
    script = client.get("/assets/index-3f9a1c.js")
    assert script.status_code == 200 and script.text == SCRIPT
    assert script.headers["cache-control"] == ASSET_CACHE == "public, max-age=31536000, immutable"
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["x-content-type-options"] == "nosniff"
    style = client.get("/assets/index-77aa01.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
    assert icon.headers["cache-control"] == "no-cache"
    index = client.get("/index.html")
    _assert_app_page(index)


def test_missing_assets_hidden_files_and_links_out_of_the_build_are_json_404s(client: TestClient) -> None:
    for path in ("/assets/index-000000.js", "/assets/", "/assets/escape.js", "/.env", "/assets/.env",
                 "/.git/config"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert missing.json() == {"success": False, "message": "Not Found", "error": "NOT_FOUND"}, path
        assert SECRET not in missing.text


def test_the_api_is_untouched(client: TestClient) -> None:
    assert client.get("/api/nope").json()["error"] == "NOT_FOUND"
    assert client.get("/api/nope").status_code == 404
    assert client.get("/api/admin/nothing/here").status_code == 404
    assert client.get("/api/wallet").status_code == 401
    wrong = client.delete("/api/wallet")
    assert wrong.status_code == 405 and wrong.json()["error"] == "METHOD_NOT_ALLOWED"
    assert client.get("/api/wallet/topup").status_code == 405
    posted = client.post("/wallet", json={})
    assert posted.status_code == 404 and posted.json()["error"] == "NOT_FOUND"
    assert client.get("/openapi.json").json()["info"]["title"] == "WinZone API"
    docs = client.get("/docs")
    assert docs.status_code == 200 and docs.text != INDEX and "swagger" in docs.text.lower()
    assert client.get("/health").headers["content-type"] == "application/json"
    assert client.get("/webhook/stripe").status_code == 405
    checkout = client.get("/checkout/mock/mock_session_missing")
    assert checkout.text != INDEX and "content-security-policy" in checkout.headers
    assert checkout.headers["content-security-policy"] != CONTENT_SECURITY_POLICY


def test_without_a_build_a_page_says_how_to_build_it_and_the_api_works(tmp_path: Path) -> None:
    app, users = _app(tmp_path, WEB_DIST_DIR=str(tmp_path / "no-such-dist"))
    try:
        with TestClient(app) as client:
            for path in ("/", "/wallet/topup/success?session_id=tps_1"):
                page = client.get(path)
                _assert_app_page(page)
                assert "The web app is not built" in page.text and "scripts/build_web.sh" in page.text
                assert "Node.js 20" in page.text
            assert client.get("/assets/index-3f9a1c.js").status_code == 404
            assert client.get("/api/nope").json()["error"] == "NOT_FOUND"
            assert client.get("/api/wallet").status_code == 401
    finally:
        users.close()


class _Uvicorn:
    """The app served by a real uvicorn on a free port, in a thread."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = bind_listening("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def raw_get(self, target: str) -> tuple[int, str]:
        """Send ``GET <target>`` byte for byte as written; the status and the body."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
            conn.sendall(f"GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode("latin-1"))
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
        head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body.decode("utf-8", "replace")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@pytest.mark.parametrize("target", [
    "/assets/../../etc/passwd",
    "/assets/../../secret.txt",
    "/assets/../index.html/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/assets/%2E%2E/%2E%2E/etc/passwd",
    "/assets/..%2f..%2fsecret.txt",
    "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/assets/%252e%252e/%252e%252e/secret.txt",
    "/assets/..%5c..%5csecret.txt",
    "/assets/index-3f9a1c.js%00.html",
    "/assets/./../secret.txt",
    "/../secret.txt",
    "/..%2fsecret.txt",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/wallet/../../secret.txt",
    "/assets//../../secret.txt",
])
def test_path_traversal_is_a_404(tmp_path: Path, dist: Path, target: str) -> None:
    app, users = _app(tmp_path, WEB_DIST_DIR=str(dist))
    served = _Uvicorn(app)
    try:
        status, body = served.raw_get(target)
        assert status == 404, (target, status, body[:200])
        assert SECRET not in body and "root:" not in body and body != INDEX
        ok_status, ok_body = served.raw_get("/assets/index-3f9a1c.js")
        assert (ok_status, ok_body) == (200, SCRIPT)
    finally:
        served.stop()
        users.close()


def _preflight(client: TestClient, origin: str) -> str | None:
    reply = client.options("/api/wallet", headers={"Origin": origin, "Access-Control-Request-Method": "GET",
                                                   "Access-Control-Request-Headers": "authorization"})
    return reply.headers.get("access-control-allow-origin")


def test_cors_allows_the_gateway_the_front_end_and_the_dev_server_only(tmp_path: Path, dist: Path) -> None:
    app, users = _app(tmp_path, WEB_DIST_DIR=str(dist), GATEWAY_PUBLIC_URL="https://winzone.example/",
                      FRONTEND_URL="https://app.winzone.example/path")
    try:
        with TestClient(app) as client:
            for allowed in ("https://winzone.example", "https://app.winzone.example", "http://localhost:5173"):
                assert _preflight(client, allowed) == allowed
            for refused in ("https://evil.example", "http://localhost:5174", "null", "https://winzone.example.evil"):
                assert _preflight(client, refused) is None, refused
    finally:
        users.close()
    app, users = _app(tmp_path, WEB_DEV_ORIGIN="", GATEWAY_PORT="8080")
    try:
        with TestClient(app) as client:
            assert _preflight(client, "http://localhost:8080") == "http://localhost:8080"
            assert _preflight(client, "http://localhost:5173") is None
    finally:
        users.close()


def test_front_end_url_defaults_to_the_gateway_and_origins_are_checked(tmp_path: Path) -> None:
    defaults = _settings(tmp_path)
    assert defaults.public_url == defaults.frontend_url == "http://localhost:5000"
    assert defaults.cors_origins == ["http://localhost:5000", "http://localhost:5173"]
    assert defaults.web_dist_dir == Path(__file__).resolve().parents[2] / "web" / "dist"
    moved = _settings(tmp_path, GATEWAY_PORT="8080")
    assert moved.public_url == moved.frontend_url == "http://localhost:8080"
    production = _settings(tmp_path, APP_ENV="production", SQLITE_SYNCHRONOUS="FULL",
                           GATEWAY_PUBLIC_URL="https://winzone.example")
    assert production.cors_origins == ["https://winzone.example"]
    two = _settings(tmp_path, WEB_DEV_ORIGIN="http://localhost:5173, http://127.0.0.1:5173")
    assert two.web_dev_origins == ("http://localhost:5173", "http://127.0.0.1:5173")
    with pytest.raises(ConfigError):
        _settings(tmp_path, WEB_DEV_ORIGIN="localhost:5173")
    for name in ("GATEWAY_PUBLIC_URL", "FRONTEND_URL"):
        with pytest.raises(ConfigError, match=name):
            _settings(tmp_path, **{name: "winzone.example"})
