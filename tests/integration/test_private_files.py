"""Other users on the host read nothing: the data folder is 0700, every SQLite file with its WAL and shared
memory 0600, and the development secrets 0600, whatever the umask and however the folder was left before."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from payout_service.adapters.sqlite_store import SqlitePayoutStore
from tests.contract.payout_store_contract import new_record
from wallet_service.adapters.sqlite_store import SqliteLedgerStore
from winzone_kernel.dev_secrets import DEV_SECRETS_FILE, ensure_dev_secrets


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_data_folder_and_its_sqlite_files_are_owner_only(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "var" / "data"
    store = SqlitePayoutStore(data / "payouts.sqlite3", synchronous="NORMAL")
    try:
        store.migrate()
        store.insert(new_record())
        assert store.list(user_id=None, status=None, page=1, limit=10).total == 1
        files = sorted(p.name for p in data.iterdir())
        assert {"payouts.sqlite3", "payouts.sqlite3-wal", "payouts.sqlite3-shm"} <= set(files)
        assert mode(data) == 0o700
        assert {name: mode(data / name) for name in files} == {name: 0o600 for name in files}
    finally:
        store.close()


def test_a_folder_and_files_left_readable_by_others_are_tightened(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "old"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    first = SqliteLedgerStore(data / "wallet.sqlite3", synchronous="NORMAL")
    first.migrate()
    first.close()
    for path in [data, *data.iterdir()]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    store = SqliteLedgerStore(data / "wallet.sqlite3", synchronous="NORMAL")
    try:
        store.migrate()
        assert mode(data) == 0o700
        assert {p.name: mode(p) for p in data.iterdir()} == {p.name: 0o600 for p in data.iterdir()}
    finally:
        store.close()


def test_development_secrets_are_owner_only_and_kept(tmp_path: Path, open_umask: None) -> None:
    data = tmp_path / "dev"
    first = ensure_dev_secrets(data)
    assert set(first) == {"MOCK_WEBHOOK_SECRET", "PAYOUT_METHOD_KEY", "KYC_PAN_KEY"}
    assert (mode(data), mode(data / DEV_SECRETS_FILE)) == (0o700, 0o600)
    assert ensure_dev_secrets(data) == first
