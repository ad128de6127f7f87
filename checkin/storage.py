"""One SQLite file per event: opening, durability settings and schema migrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from checkin.errors import CheckinError

MIGRATION_SET = "checkin"
BUSY_TIMEOUT_MS = 5000

migrations = Migrations(MIGRATION_SET)


@migrations()
def m001_event_and_people(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE event (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            theme TEXT,
            organizer TEXT,
            date TEXT NOT NULL,
            starts TEXT,
            ends TEXT,
            arrive_by TEXT,
            location TEXT,
            meeting_point TEXT,
            places TEXT NOT NULL DEFAULT '[]',
            agenda TEXT NOT NULL DEFAULT '[]',
            capacity INTEGER NOT NULL,
            min_age INTEGER NOT NULL,
            max_age INTEGER,
            checks TEXT NOT NULL,
            min_citizen_share TEXT NOT NULL,
            outside_capacity TEXT NOT NULL,
            signup_deadline TEXT,
            supervisor_pin_hash TEXT,
            report_due_days INTEGER NOT NULL DEFAULT 2,
            followup_working_days INTEGER NOT NULL DEFAULT 15,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE TABLE secret (name TEXT PRIMARY KEY, value BLOB NOT NULL)")
    db.execute(
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            seq INTEGER NOT NULL UNIQUE,
            name TEXT NOT NULL,
            gender TEXT,
            id_hash TEXT NOT NULL UNIQUE,
            id_masked TEXT NOT NULL,
            age INTEGER NOT NULL,
            phone TEXT,
            organization TEXT,
            category TEXT NOT NULL,
            signed_up_at TEXT,
            direct INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'signed_up'
                CHECK (status IN ('signed_up', 'invited', 'waiting', 'declined', 'removed')),
            confirmation TEXT
                CHECK (confirmation IS NULL
                       OR confirmation IN ('confirmed', 'declined', 'unreachable')),
            in_capacity INTEGER NOT NULL DEFAULT 1,
            queue_pos INTEGER,
            source TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX people_status ON people(status, queue_pos)")
    db.execute(
        """
        CREATE TABLE activity (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            action TEXT NOT NULL,
            number TEXT,
            detail TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            file TEXT NOT NULL,
            imported INTEGER NOT NULL,
            unchanged INTEGER NOT NULL,
            rejected INTEGER NOT NULL
        )
        """
    )


@migrations()
def m002_keys_invitations_stations(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE signing_keys (
            id INTEGER PRIMARY KEY,
            key_id INTEGER NOT NULL,
            public_key BLOB NOT NULL UNIQUE,
            private_key BLOB,
            created_at TEXT NOT NULL,
            retired_at TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE invitations (
            seq INTEGER NOT NULL,
            counter INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT,
            reason TEXT,
            PRIMARY KEY (seq, counter)
        )
        """
    )
    db.execute("ALTER TABLE people ADD COLUMN token_counter INTEGER NOT NULL DEFAULT 1")
    db.execute(
        """
        CREATE TABLE station_info (
            name TEXT NOT NULL,
            packed_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m003_door(db: Database) -> None:
    db.execute("ALTER TABLE people ADD COLUMN walk_in INTEGER NOT NULL DEFAULT 0")
    db.execute(
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            at TEXT NOT NULL,
            station TEXT NOT NULL,
            operator TEXT NOT NULL,
            method TEXT NOT NULL,
            verdict TEXT NOT NULL,
            reason TEXT,
            number TEXT,
            token_seq INTEGER,
            token_counter INTEGER
        )
        """
    )
    db.execute("CREATE INDEX scans_at ON scans(at)")
    db.execute(
        """
        CREATE TABLE checkins (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL REFERENCES people(number),
            at TEXT NOT NULL,
            station TEXT NOT NULL,
            operator TEXT NOT NULL,
            method TEXT NOT NULL,
            override_reason TEXT,
            annulled_at TEXT,
            annulled_by TEXT,
            annul_reason TEXT
        )
        """
    )
    # the database itself guarantees one live check-in per person, whatever the instances
    db.execute("CREATE UNIQUE INDEX checkins_one_live ON checkins(number) WHERE annulled_at IS NULL")
    db.execute(
        """
        CREATE TABLE check_results (
            id INTEGER PRIMARY KEY,
            scan_uid TEXT NOT NULL,
            checkin_uid TEXT,
            number TEXT,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            passed INTEGER NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX check_results_checkin ON check_results(checkin_uid)")
    db.execute("CREATE TABLE people_search (key TEXT NOT NULL, number TEXT NOT NULL)")
    db.execute("CREATE INDEX people_search_key ON people_search(key)")
    db.execute("CREATE INDEX people_search_number ON people_search(number)")


@migrations()
def m004_surveys(db: Database) -> None:
    db.execute("ALTER TABLE event ADD COLUMN survey_template TEXT NOT NULL DEFAULT 'satisfaction'")
    db.execute("ALTER TABLE event ADD COLUMN double_entry INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE TABLE survey_forms (number INTEGER PRIMARY KEY, printed_at TEXT NOT NULL)")
    db.execute(
        """
        CREATE TABLE survey_entries (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            form INTEGER NOT NULL,
            pass INTEGER NOT NULL CHECK (pass IN (1, 2)),
            answers TEXT NOT NULL,
            text TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            station TEXT NOT NULL,
            UNIQUE (form, pass)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE survey_resolutions (
            id INTEGER PRIMARY KEY,
            form INTEGER NOT NULL,
            item TEXT NOT NULL,
            choice TEXT NOT NULL CHECK (choice IN ('first', 'second', 'new')),
            value TEXT NOT NULL,
            resolved_by TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (form, item)
        )
        """
    )


@migrations()
def m005_ledger_and_calendar(db: Database) -> None:
    db.execute("CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, source TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE calendar_days (year INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL "
        "CHECK (kind IN ('holiday', 'workday')), PRIMARY KEY (day))"
    )
    db.execute(
        """
        CREATE TABLE suggestions (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            number TEXT NOT NULL UNIQUE,
            text TEXT NOT NULL,
            source TEXT NOT NULL CHECK (source IN ('survey', 'forum', 'other')),
            form INTEGER,
            raised_by TEXT,
            category TEXT,
            department TEXT,
            handed_over_at TEXT,
            due_date TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN
                ('pending', 'assigned', 'transferred', 'in_progress', 'resolved', 'replied')),
            outcome TEXT CHECK (outcome IS NULL OR outcome IN ('adopted', 'partly_adopted', 'not_adopted')),
            reason TEXT,
            reply TEXT,
            replied_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE UNIQUE INDEX suggestions_form ON suggestions(form) WHERE form IS NOT NULL")
    db.execute(
        """
        CREATE TABLE suggestion_history (
            id INTEGER PRIMARY KEY,
            suggestion TEXT NOT NULL,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            field TEXT NOT NULL,
            old TEXT,
            new TEXT
        )
        """
    )


@migrations()
def m006_merge(db: Database) -> None:
    # a check-in that lost to an earlier one at another door stays in the audit, marked
    db.execute("ALTER TABLE checkins ADD COLUMN duplicate_of TEXT")
    db.execute("DROP INDEX checkins_one_live")
    db.execute(
        "CREATE UNIQUE INDEX checkins_one_live ON checkins(number) WHERE annulled_at IS NULL AND "
        "duplicate_of IS NULL"
    )
    db.execute("CREATE INDEX checkins_number ON checkins(number)")
    db.execute("CREATE UNIQUE INDEX check_results_once ON check_results(scan_uid, name)")
    db.execute(
        """
        CREATE TABLE merged_bundles (
            bundle TEXT PRIMARY KEY,
            station TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            merged_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE merge_conflicts (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            bundle TEXT NOT NULL,
            detail TEXT NOT NULL,
            resolved INTEGER NOT NULL DEFAULT 0,
            UNIQUE (kind, key, bundle)
        )
        """
    )
    db.execute(
        """
        CREATE VIEW attendance AS
        SELECT p.number, p.name, p.category, p.status, c.at AS checked_in_at, c.station, c.operator, c.method
        FROM people p
        LEFT JOIN checkins c ON c.number = p.number AND c.annulled_at IS NULL AND c.duplicate_of IS NULL
        WHERE p.status IN ('invited', 'declined', 'waiting')
        """
    )


@migrations()
def m007_profile_in_file(db: Database) -> None:
    # a custom check profile travels inside the event file (to door laptops too)
    db.execute("ALTER TABLE event ADD COLUMN checks_toml TEXT")


KNOWN_MIGRATIONS = frozenset(m.name for m in migrations._migrations)


def _connect(path: Path, shared: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(
        str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=not shared
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _restrict_mode(path: Path) -> None:
    """Owner read/write only (0600) on POSIX: the file holds personal data."""
    if os.name != "posix":
        return
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.chmod(candidate, stat.S_IRUSR | stat.S_IWUSR)


def check_schema(db: Database) -> None:
    """Refuse a file written by a newer version of the program instead of half-reading it."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - KNOWN_MIGRATIONS
    if unknown:
        raise CheckinError("storage.newer_schema", names=", ".join(sorted(unknown)))


def open_db(path: str | Path, *, create: bool = False, shared: bool = False) -> Database:
    """Open (and migrate) an event database. `create=False` refuses a missing file.

    `shared=True` lets worker threads use the connection; the caller serialises access.
    """
    path = Path(path)
    if not create and not path.exists():
        raise CheckinError("storage.missing", path=str(path))
    if path.exists() and path.is_dir():
        raise CheckinError("storage.not_a_file", path=str(path))
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                raise CheckinError("storage.not_sqlite", path=str(path))
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    try:
        conn = _connect(path, shared)
        db = Database(conn, execute_plugins=False)  # no third-party plugins on our connections
        check_schema(db)
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise CheckinError("storage.unreadable", path=str(path), error=str(exc)) from exc
    _restrict_mode(path)
    return db


def write_error(exc: sqlite3.OperationalError) -> CheckinError:
    """A write that SQLite refused, as a message a volunteer understands; nothing half-written."""
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return CheckinError("storage.locked")
    if "full" in text:
        return CheckinError("storage.disk_full")
    if "readonly" in text or "read-only" in text:
        return CheckinError("storage.read_only")
    return CheckinError("storage.write_failed", error=str(exc))


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """BEGIN IMMEDIATE: take the write lock up front, so two door laptops on one file
    wait for each other (busy timeout) instead of failing on a lock upgrade. A refused
    write (locked, full or read-only disk) rolls back whole and says why."""
    try:
        db.conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise write_error(exc) from exc
    try:
        yield db
    except sqlite3.OperationalError as exc:
        db.conn.rollback()
        raise write_error(exc) from exc
    except BaseException:
        db.conn.rollback()
        raise
    try:
        db.conn.commit()
    except sqlite3.OperationalError as exc:
        db.conn.rollback()
        raise write_error(exc) from exc


def memory_db() -> Database:
    """A fresh in-memory event database (tests, previews)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn, execute_plugins=False)
    migrations.apply(db)
    return db
