"""Settings every service shares, read from the environment."""

from __future__ import annotations

import pytest

from winzone_kernel.config import CommonSettings, ConfigError, database_in_uri


def test_the_mongodb_uri_names_the_database_unless_mongodb_db_does() -> None:
    assert database_in_uri("mongodb://127.0.0.1:1,127.0.0.1:2/winzone_prod?replicaSet=rs0") == "winzone_prod"
    assert database_in_uri("mongodb+srv://cluster.example.com/payments%2Dprod") == "payments-prod"
    assert database_in_uri("mongodb://127.0.0.1:27017/?replicaSet=rs0") is None
    assert database_in_uri("mongodb://127.0.0.1:27017") is None
    base = {"INTERNAL_TOKEN": "x" * 32}
    named = CommonSettings.from_env({**base, "MONGODB_URI": "mongodb://h:1/winzone_eu?replicaSet=rs0"})
    assert named.mongodb_db == "winzone_eu"
    both = CommonSettings.from_env({**base, "MONGODB_URI": "mongodb://h:1/winzone_eu", "MONGODB_DB": "other"})
    assert both.mongodb_db == "other"
    assert CommonSettings.from_env({**base, "MONGODB_URI": "mongodb://h:1/"}).mongodb_db == "winzone"


def test_synchronous_normal_is_refused_in_production() -> None:
    base = {"INTERNAL_TOKEN": "x" * 32}
    assert CommonSettings.from_env({**base, "SQLITE_SYNCHRONOUS": "NORMAL"}).sqlite_synchronous == "NORMAL"
    assert CommonSettings.from_env({**base, "APP_ENV": "production"}).sqlite_synchronous == "FULL"
    with pytest.raises(ConfigError, match="SQLITE_SYNCHRONOUS=NORMAL"):
        CommonSettings.from_env({**base, "APP_ENV": "production", "SQLITE_SYNCHRONOUS": "normal"})
