"""Settings objects can be logged: their repr never shows a secret."""

from __future__ import annotations

from api_gateway.settings import GatewaySettings


def test_settings_never_show_secrets_in_their_repr() -> None:
    settings = GatewaySettings.from_env({"INTERNAL_TOKEN": "internal-token-0123456789", "JWT_SECRET": "j" * 40,
                                         "MONGODB_URI": "mongodb://user:hunter2@db/?replicaSet=rs0"})
    shown = repr(settings)
    assert "internal-token-0123456789" not in shown and "j" * 40 not in shown and "hunter2" not in shown

