"""The event file: durability settings, permissions, schema versions, clear refusals."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from checkin.errors import CheckinError
from checkin.storage import MIGRATION_SET, open_db


def test_pragmas_wal_full_sync_busy_timeout(file_db: Path) -> None:
    db = open_db(file_db)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_file_mode_is_0600(file_db: Path) -> None:
    open_db(file_db)
    assert stat.S_IMODE(file_db.stat().st_mode) == 0o600


def test_newer_schema_is_refused_and_left_alone(file_db: Path) -> None:
    conn = sqlite3.connect(file_db)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES (?, ?, ?)",
        [MIGRATION_SET, "m999_from_the_future", "2030-01-01"],
    )
    conn.commit()
    conn.close()
    before = file_db.read_bytes()
    with pytest.raises(CheckinError) as info:
        open_db(file_db)
    assert info.value.key == "storage.newer_schema"
    assert "upgrade" in info.value.message()
    assert file_db.read_bytes() == before


def test_missing_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(CheckinError) as info:
        open_db(tmp_path / "nope.db")
    assert info.value.key == "storage.missing"
    text = tmp_path / "notes.db"
    text.write_text("hello")
    with pytest.raises(CheckinError) as info:
        open_db(text)
    assert info.value.key == "storage.not_sqlite"
    with pytest.raises(CheckinError) as info:
        open_db(tmp_path)
    assert info.value.key == "storage.not_a_file"


def test_migrations_are_idempotent(file_db: Path) -> None:
    open_db(file_db).conn.close()
    db = open_db(file_db)
    names = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations")]
    assert len(names) == len(set(names))
