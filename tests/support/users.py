"""Users of a running stack, signed up and signed in over REST as the web app does: a fresh e-mail each time,
so tests sharing one stack never meet each other's users."""

from __future__ import annotations

import httpx

from tests.support.ids import new_email

PASSWORD = "correct-horse-1"


def sign_in(http: httpx.Client, email: str, password: str) -> tuple[str, dict[str, str]]:
    """The user's id and the headers that sign its requests."""
    login = http.post("/api/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    data = login.json()["data"]
    return data["user"]["_id"], {"Authorization": f"Bearer {data['token']}"}


def sign_up(http: httpx.Client, role: str = "player") -> tuple[str, dict[str, str]]:
    """A new user with this role, signed in: its id and the headers that sign its requests."""
    email = new_email(role)
    registered = http.post("/api/auth/register", json={"name": role.title(), "email": email, "password": PASSWORD,
                                                       "role": role})
    assert registered.status_code == 201, registered.text
    return sign_in(http, email, PASSWORD)
