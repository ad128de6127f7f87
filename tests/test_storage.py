"""The event file: durability settings, permissions, schema versions, clear refusals."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
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


# ------------------------------------------------------------ one way to open, one way to write


def test_open_db_is_a_context_manager_that_closes(file_db: Path) -> None:
    from checkin.storage import is_closed

    with open_db(file_db) as db:
        conn = db.conn
        assert db.execute("SELECT count(*) FROM event").fetchone()[0] == 1
    assert is_closed(conn)


def test_a_failed_open_leaves_no_connection(tmp_path: Path, file_db: Path) -> None:
    from checkin.storage import open_connections

    before = set(map(id, open_connections()))
    (tmp_path / "junk.db").write_bytes(b"not a database at all, just text" * 100)
    with pytest.raises(CheckinError) as info:
        open_db(tmp_path / "junk.db")
    assert info.value.key == "storage.not_sqlite"
    conn = sqlite3.connect(file_db)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('checkin', 'm999', 'x')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(CheckinError):
        open_db(file_db)
    assert set(map(id, open_connections())) == before


def test_write_transaction_takes_the_write_lock_up_front(file_db: Path) -> None:
    from checkin.storage import write_transaction

    with open_db(file_db) as db, open_db(file_db) as other:
        other.execute("PRAGMA busy_timeout = 0")
        with write_transaction(db):
            # nothing written yet, but the lock is already ours: the other program waits
            with pytest.raises(CheckinError) as info, write_transaction(other):
                pass
            assert info.value.key == "storage.locked"
        with write_transaction(other):
            other.execute("UPDATE event SET title = 'after'")
        assert db.execute("SELECT title FROM event").fetchone()[0] == "after"


def test_nested_write_transactions_use_savepoints(file_db: Path) -> None:
    from checkin.storage import write_transaction

    with open_db(file_db) as db:
        with write_transaction(db):
            db.execute("UPDATE event SET title = 'outer'")
            with pytest.raises(ValueError), write_transaction(db):
                db.execute("UPDATE event SET theme = 'inner'")
                raise ValueError("inner block fails")
            with write_transaction(db):
                db.execute("UPDATE event SET organizer = 'kept'")
        row = db.execute("SELECT title, theme, organizer FROM event").fetchone()
        assert row == ("outer", None, "kept")
        with pytest.raises(RuntimeError), write_transaction(db):
            db.execute("UPDATE event SET title = 'lost'")
            with write_transaction(db):
                db.execute("UPDATE event SET theme = 'lost too'")
            raise RuntimeError("outer block fails")
        assert db.execute("SELECT title, theme FROM event").fetchone() == ("outer", None)
        assert not db.conn.in_transaction


@pytest.mark.parametrize(
    ("errorname", "key"),
    [
        ("SQLITE_BUSY", "storage.locked"),
        ("SQLITE_BUSY_SNAPSHOT", "storage.locked"),
        ("SQLITE_LOCKED", "storage.locked"),
        ("SQLITE_FULL", "storage.disk_full"),
        ("SQLITE_READONLY", "storage.read_only"),
        ("SQLITE_READONLY_DBMOVED", "storage.read_only"),
        ("SQLITE_IOERR_WRITE", "storage.io_error"),
    ],
)
def test_errors_are_classified_by_sqlite_errorname_not_text(errorname: str, key: str) -> None:
    from checkin.storage import storage_error

    # the English text says something else on purpose: only the result code counts
    exc = sqlite3.OperationalError("database table is locked: disk full, read-only")
    exc.sqlite_errorname = errorname  # type: ignore[attr-defined]
    assert storage_error(exc).key == key


def test_the_file_is_opened_only_by_sqlite(file_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing any descriptor of the file drops SQLite's POSIX locks: open_db must not open it."""
    import builtins
    import io

    opened: list[str] = []
    real_open, real_os_open, real_io_open = builtins.open, os.open, io.open

    def spy(real):  # type: ignore[no-untyped-def]
        def wrapper(file, *args, **kwargs):  # type: ignore[no-untyped-def]
            opened.append(str(file))
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    with open_db(file_db) as db:
        db.execute("SELECT count(*) FROM people").fetchone()
    with open_db(file_db.with_name("new.db"), create=True):
        pass
    assert not [name for name in opened if name.startswith(str(file_db.parent))]


@pytest.fixture
def read_only_folder(tmp_path: Path, file_db: Path) -> Iterator[Path]:
    """The event file on a read-only filesystem (root: a read-only bind mount) or in a folder
    without write permission (other users)."""
    import subprocess

    folder = tmp_path / "ro"
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    if os.geteuid() != 0:
        file_db.chmod(0o444)
        file_db.parent.chmod(0o555)
        yield file_db
        file_db.parent.chmod(0o755)
        file_db.chmod(0o600)
        return
    folder.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(file_db.parent), str(folder)], capture_output=True)
    if mounted.returncode:
        pytest.skip("cannot mount here")
    try:
        ro = subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], capture_output=True)
        if ro.returncode:
            pytest.skip("cannot remount read-only here")
        yield folder / file_db.name
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_file_can_be_read_and_says_so_on_write(read_only_folder: Path) -> None:
    from checkin.storage import write_transaction

    with open_db(read_only_folder) as db:
        assert db.execute("SELECT count(*) FROM event").fetchone()[0] == 1
        with pytest.raises(CheckinError) as info, write_transaction(db):
            db.execute("UPDATE event SET title = 'x'")
        assert info.value.key == "storage.read_only"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB disk (tmpfs, needs root: skipped elsewhere), filled to the last byte."""
    import subprocess

    folder = tmp_path / "full"
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("mounting a small disk needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(folder: Path) -> None:
    with (folder / "filler").open("wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 512)
        except OSError:
            pass


def test_a_full_disk_at_open_says_disk_full(full_disk: Path, file_db: Path) -> None:
    import shutil

    copy = full_disk / "event.db"
    shutil.copyfile(file_db, copy)  # no connection to either file is open
    fill(full_disk)
    with pytest.raises(CheckinError) as info:
        open_db(copy)
    assert info.value.key == "storage.disk_full"
    with pytest.raises(CheckinError) as info:
        open_db(full_disk / "new.db", create=True)
    assert info.value.key == "storage.disk_full"
    (full_disk / "filler").unlink()
    with open_db(copy) as db:
        assert db.execute("SELECT count(*) FROM event").fetchone()[0] == 1
