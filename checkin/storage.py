"""One SQLite file per event: opening, durability settings and schema migrations."""

from __future__ import annotations

import errno
import itertools
import os
import shutil
import sqlite3
import stat
import traceback
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TypeVar

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


@migrations()
def m008_i17_categories_quotas_review(db: Database) -> None:
    # issue 17: the event's own categories, places per category, review, groups, notices
    for column in (
        "categories TEXT NOT NULL DEFAULT '[]'",
        "quotas TEXT NOT NULL DEFAULT '{}'",
        "unfilled TEXT NOT NULL DEFAULT 'pool'",
        "review INTEGER NOT NULL DEFAULT 0",
        "review_working_days INTEGER NOT NULL DEFAULT 2",
        "signup_excluded TEXT NOT NULL DEFAULT '[]'",
        "reply_email TEXT",
    ):
        db.execute(f"ALTER TABLE event ADD COLUMN {column}")
    # review: NULL = not reviewed (review off, direct invitation, walk-in),
    # 'pending' (待审核), 'approved', 'rejected'
    for column in (
        "review TEXT CHECK (review IS NULL OR review IN ('pending', 'approved', 'rejected'))",
        "review_reason TEXT",
        "reviewed_at TEXT",
        "reviewed_by TEXT",
        "residence_evidence TEXT",
        "group_number TEXT",
    ):
        db.execute(f"ALTER TABLE people ADD COLUMN {column}")
    db.execute("CREATE INDEX people_review ON people(review)")
    db.execute("CREATE INDEX people_group ON people(group_number)")
    # every sign-up that enters while review is on waits for it, whichever program inserted it
    # (sheet import, e-mailed forms, group applications); direct invitations and walk-ins skip it
    db.execute(
        """
        CREATE TRIGGER people_enter_review AFTER INSERT ON people
        WHEN NEW.direct = 0 AND NEW.walk_in = 0 AND NEW.review IS NULL
             AND (SELECT review FROM event LIMIT 1) = 1
        BEGIN
            UPDATE people SET review = 'pending' WHERE id = NEW.id;
        END
        """
    )
    db.execute(
        """
        CREATE TABLE groups (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL UNIQUE,
            organization TEXT NOT NULL,
            contact_name TEXT NOT NULL,
            contact_phone TEXT,
            contact_email TEXT,
            documents_received INTEGER NOT NULL DEFAULT 0,
            documents TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT,
            eml TEXT,
            sms INTEGER NOT NULL DEFAULT 0,
            written_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX notices_number ON notices(number, id)")


@migrations()
def m009_i20_publicity(db: Database) -> None:
    # the announcement (公告) and the posting on the website's 政府开放日 column, for the county
    db.execute(
        "CREATE TABLE publicity (kind TEXT PRIMARY KEY CHECK (kind IN ('announced', 'posted')), "
        "on_date TEXT NOT NULL, url TEXT, recorded_at TEXT NOT NULL)"
    )


@migrations()
def m010_i14_station_keys_and_files(db: Database) -> None:
    # the public half of each door laptop's key pair (made at `station pack`); merge accepts only
    # bundles signed by one of these, not revoked
    db.execute(
        """
        CREATE TABLE station_keys (
            id INTEGER PRIMARY KEY,
            station TEXT NOT NULL,
            public_key BLOB NOT NULL UNIQUE,
            pack TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """
    )
    # every pack and bundle this file made or merged, so that `purge` can name them
    db.execute(
        """
        CREATE TABLE issued_files (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('pack', 'bundle', 'merged')),
            path TEXT NOT NULL,
            station TEXT,
            recorded_at TEXT NOT NULL,
            purged_at TEXT,
            UNIQUE (kind, path)
        )
        """
    )


@migrations()
def m011_i18_report_deadlines(db: Database) -> None:
    # the county report's deadline in calendar or working days; the website posting deadline
    db.execute("ALTER TABLE event ADD COLUMN report_due_kind TEXT NOT NULL DEFAULT 'calendar'")
    db.execute("ALTER TABLE event ADD COLUMN website_due_working_days INTEGER NOT NULL DEFAULT 5")


@migrations()
def m012_i16_email_and_document_type(db: Database) -> None:
    # an e-mail address kept for notices; the kind of identity document (居民身份证, 护照, …)
    db.execute("ALTER TABLE people ADD COLUMN email TEXT")
    db.execute("ALTER TABLE people ADD COLUMN id_type TEXT NOT NULL DEFAULT 'resident_id'")


@migrations()
def m013_i19_site_visit(db: Database) -> None:
    # the itinerary (stops, buses) lives in the event row; who rides which bus, roll calls and
    # departures are records of their own (the last two travel in station bundles, by uid)
    db.execute("ALTER TABLE event ADD COLUMN stops TEXT NOT NULL DEFAULT '[]'")
    db.execute("ALTER TABLE event ADD COLUMN buses TEXT NOT NULL DEFAULT '[]'")
    db.execute(
        """
        CREATE TABLE bus_riders (
            number TEXT PRIMARY KEY,
            bus TEXT NOT NULL,
            how TEXT NOT NULL CHECK (how IN ('category', 'group', 'even', 'hand')),
            assigned_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE roll_marks (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            stop TEXT NOT NULL,
            bus TEXT,
            number TEXT NOT NULL,
            mark TEXT NOT NULL CHECK (mark IN ('present', 'left')),
            reason TEXT CHECK (reason IS NULL OR reason IN ('went_home', 'unwell', 'other')),
            method TEXT NOT NULL,
            at TEXT NOT NULL,
            station TEXT NOT NULL,
            operator TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX roll_marks_stop ON roll_marks(stop, number)")
    db.execute(
        """
        CREATE TABLE departures (
            id INTEGER PRIMARY KEY,
            uid TEXT NOT NULL UNIQUE,
            stop TEXT NOT NULL,
            bus TEXT,
            at TEXT NOT NULL,
            expected INTEGER NOT NULL,
            missing TEXT NOT NULL DEFAULT '[]',
            anyway INTEGER NOT NULL DEFAULT 0,
            station TEXT NOT NULL,
            operator TEXT NOT NULL
        )
        """
    )


@migrations()
def m014_i14_key_revocation(db: Database) -> None:
    # a leaked invitation key: every token it signed is refused from then on
    db.execute("ALTER TABLE signing_keys ADD COLUMN revoked_at TEXT")


@migrations()
def m015_i13_ticket(db: Database) -> None:
    # what counts as a ticket at the door: invitation, id-card or either
    db.execute("ALTER TABLE event ADD COLUMN ticket TEXT NOT NULL DEFAULT 'either'")


@migrations()
def m016_i13_search_given_names(db: Database) -> None:
    # look-up by the given name alone: the keys are rebuilt on the next ensure_index
    db.execute("DELETE FROM people_search")


@migrations()
def m017_i15_live_checkins(db: Database) -> None:
    # issue 15: the one home of "who is in" — a check-in neither annulled nor lost to an earlier
    # one at another door (the rule of the unique index checkins_one_live, which still serves
    # every query on the view: SQLite flattens it into the query)
    db.execute(
        "CREATE VIEW live_checkins AS SELECT * FROM checkins "
        "WHERE annulled_at IS NULL AND duplicate_of IS NULL"
    )


@migrations()
def m018_i14_scan_token_key(db: Database) -> None:
    # which invitation key signed the token a door accepted: merge flags admissions on a key
    # revoked before the scan (a pack made before `keys revoke` cannot know)
    db.execute("ALTER TABLE scans ADD COLUMN token_key INTEGER")


@migrations()
def m019_i17_notice_sms_file(db: Database) -> None:
    # issue 17: the SMS list (sms.csv, sms-2.csv …) each notice went into, so that a run that
    # stopped half-way and is run again replaces the files it wrote but never recorded
    db.execute("ALTER TABLE notices ADD COLUMN sms_file TEXT")


KNOWN_MIGRATIONS = frozenset(m.name for m in migrations._migrations)


class EventConnection(sqlite3.Connection):
    """A connection to an event file, tracked (file and where it was opened) so the tests can
    prove none is left open and no file with a live connection is opened outside SQLite."""

    file: str = ""
    opened_at: list[str] = []


def _uri(path: Path, mode: str) -> str:
    # as_uri percent-encodes every byte that needs it (Chinese names, '?', '#', Windows drives)
    return f"{path.absolute().as_uri()}?mode={mode}"


def _connect(path: Path, shared: bool, mode: str) -> sqlite3.Connection:
    """A connection with our settings. SQLite itself opens (and, for mode=rwc, creates) the
    file: this program never opens an event file by path outside SQLite, because on POSIX
    closing any descriptor of a file drops every SQLite lock the process holds on it."""
    conn = sqlite3.connect(
        _uri(path, mode),
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        check_same_thread=not shared,
        factory=EventConnection,
    )
    _track(conn, path)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # the first statement that reads the file: "not a database" is SQLite's own verdict
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if not mode.startswith("ro"):
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


# ------------------------------------------------------------------ open connections
# Every connection open_db made and has not closed yet (tests assert none is left open).
_live: weakref.WeakSet[EventConnection] = weakref.WeakSet()


def _track(conn: EventConnection, path: Path) -> None:
    conn.file = os.path.abspath(path)
    conn.opened_at = traceback.format_stack(limit=8)[:-2]
    _live.add(conn)


def is_closed(conn: sqlite3.Connection) -> bool:
    try:
        conn.total_changes  # noqa: B018 - raises once the connection is closed
    except sqlite3.ProgrammingError:
        return True
    return False


def open_connections() -> list[EventConnection]:
    """Connections opened by open_db that are still open (the leak check in the tests)."""
    return [conn for conn in list(_live) if not is_closed(conn)]


def live_files() -> set[str]:
    """Absolute paths of the files (with their -wal and -shm) that have a connection open in
    this process: none of them may be opened outside SQLite."""
    files = {conn.file for conn in open_connections()}
    return files | {f"{f}-wal" for f in files} | {f"{f}-shm" for f in files} | {f"{f}-journal" for f in files}


def _restrict_mode(path: Path) -> None:
    """Owner read/write only (0600) on POSIX: the file holds personal data. Best effort: a file
    we may not change (read-only, immutable, someone else's) is read as it is."""
    if os.name != "posix":
        return
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            info = candidate.stat()
            if info.st_mode & 0o077 and info.st_uid == os.getuid():
                os.chmod(candidate, stat.S_IRUSR | stat.S_IWUSR)
        except OSError:
            continue


def check_schema(db: Database) -> None:
    """Refuse a file written by a newer version of the program instead of half-reading it."""
    applied = {m.name for m in migrations.applied(db)}
    unknown = applied - KNOWN_MIGRATIONS
    if unknown:
        raise CheckinError("storage.newer_schema", names=", ".join(sorted(unknown)))


def _disk_is_full(path: Path) -> bool:
    try:
        return shutil.disk_usage(path.absolute().parent).free < 256 * 1024
    except OSError:
        return False


def storage_error(
    exc: sqlite3.Error, path: str | Path | None = None, *, disk: str | Path | None = None
) -> CheckinError:
    """A refusal from SQLite as a message a volunteer understands, classified by SQLite's own
    result code (`sqlite_errorname`), never by the wording of the message. `path` names the
    file being opened; `disk` is where a write went (to tell a full disk from an I/O error)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = str(path) if path is not None else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return CheckinError("storage.locked")
    if name.startswith("SQLITE_FULL"):
        return CheckinError("storage.disk_full")
    if name.startswith("SQLITE_READONLY"):
        return CheckinError("storage.read_only")
    # ENOSPC while growing the -shm or -wal file surfaces as an I/O error
    io_failure = name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN"))
    disk = disk if disk is not None else path
    if io_failure and disk is not None and _disk_is_full(Path(disk)):
        return CheckinError("storage.disk_full")
    if name.startswith("SQLITE_NOTADB") and where:
        return CheckinError("storage.not_sqlite", path=where)
    if name.startswith("SQLITE_CORRUPT") and where:
        return CheckinError("storage.damaged", path=where)
    if name.startswith("SQLITE_IOERR"):
        return CheckinError("storage.io_error", error=str(exc))
    if where:
        return CheckinError("storage.unreadable", path=where, error=str(exc))
    return CheckinError("storage.write_failed", error=str(exc))


def write_error(exc: sqlite3.Error) -> CheckinError:
    """Kept for callers of the old name: see storage_error."""
    return storage_error(exc)


def _os_error(exc: OSError, path: Path) -> CheckinError:
    if exc.errno == errno.ENOSPC:
        return CheckinError("storage.disk_full")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CheckinError("storage.read_only")
    return CheckinError("storage.unreadable", path=str(path), error=exc.strerror or str(exc))


def _writable(path: Path) -> bool:
    """Whether this process may write the file and create its -wal/-shm beside it."""
    if not os.access(path, os.W_OK):
        return False
    folder = path.absolute().parent
    side_files = Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists()
    return side_files or os.access(folder, os.W_OK)


def open_db(path: str | Path, *, create: bool = False, shared: bool = False) -> Database:
    """Open (and migrate) an event database. `create=False` refuses a missing file.

    Use it as `with open_db(path) as db:` — the connection is closed on leaving the block.
    A file this process may not write is opened read-only: reading commands work, and the
    first write says plainly that the file is read-only. `shared=True` lets worker threads use
    the connection; the caller serialises access.
    """
    path = Path(path)
    if path.is_dir():
        raise CheckinError("storage.not_a_file", path=str(path))
    exists = path.exists()
    if not exists and not create:
        raise CheckinError("storage.missing", path=str(path))
    if not exists:
        try:
            path.absolute().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_error(exc, path) from exc
    mode = "rwc" if not exists else ("rw" if _writable(path) else "ro")
    try:
        conn = _connect(path, shared, mode)
    except sqlite3.Error as exc:
        wal = Path(f"{path}-wal")
        if mode != "ro" or getattr(exc, "sqlite_errorname", "") != "SQLITE_CANTOPEN" or wal.exists():
            raise storage_error(exc, path) from exc
        # a WAL file on a read-only disk with no -shm beside it: nobody can write it from
        # here, so SQLite may read it as immutable (no shared-memory index needed)
        try:
            conn = _connect(path, shared, "ro&immutable=1")
        except sqlite3.Error as again:
            raise storage_error(again, path) from again
    db = Database(conn, execute_plugins=False)  # no third-party plugins on our connections
    try:
        if db["county_info"].exists():  # a county office's file (issue 20) is not an event
            raise CheckinError("county.not_event_file", path=str(path))
        check_schema(db)
        if migrations.pending(db):
            if mode == "ro":
                raise CheckinError("storage.read_only")
            with write_transaction(db):  # two programs opening one old file: one migrates
                migrations.apply(db)
        from checkin.packseal import unseal

        unseal(db, path)  # a sealed door pack: its personal parts opened with the passphrase
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(exc, path) from exc
    except BaseException:
        conn.close()
        raise
    if not exists or mode != "ro":
        _restrict_mode(path)
    return db


def refuse_if_open_elsewhere(path: str | Path) -> None:
    """Raise "file in use" when any connection — another program, another laptop on a shared
    folder, or this process — has the file open, so it is never deleted or replaced under a
    running desk (its admissions would go to a file nobody sees again). In WAL mode every open
    connection keeps a shared lock on the file, so an exclusive lock is had only by the last
    one. Between this check and the deletion another program could still open it: callers
    delete at once."""
    path = Path(path)
    try:
        conn = sqlite3.connect(_uri(path, "rw"), uri=True, timeout=0.5, isolation_level=None)
    except sqlite3.Error as exc:
        raise storage_error(exc, path) from exc
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise storage_error(exc, path) from exc
    finally:
        conn.close()


_savepoints = itertools.count(1)


def _refusal(exc: sqlite3.Error) -> bool:
    """SQLite refused or failed the write (busy, full, read-only, I/O, damaged file), as
    opposed to a constraint the caller handles or a programming error."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def _file_of(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return None
    return str(row[2]) if row and row[2] else None


def _rollback(conn: sqlite3.Connection) -> None:
    from checkin.packseal import rolled_back

    if conn.in_transaction:
        with suppress(sqlite3.Error):  # the connection is gone or SQLite already rolled back
            conn.execute("ROLLBACK")
    rolled_back(conn)  # a sealed pack's people reopened in this transaction went with it


DB = TypeVar("DB", Database, sqlite3.Connection)


@contextmanager
def write_transaction(db: DB) -> Iterator[DB]:
    """THE way to write. Outermost: BEGIN IMMEDIATE takes the write lock up front, so two
    programs or laptops on one file wait for each other (busy timeout) instead of failing on a
    lock upgrade; nested: a SAVEPOINT, so an inner failure undoes only the inner block. A
    write SQLite refuses (busy, full disk, read-only, I/O error) rolls back whole and raises
    a CheckinError that says why; nothing is half-written. Takes a Database or, for a file
    of its own (pack, bundle), a bare connection."""
    conn = db.conn if isinstance(db, Database) else db
    if conn.in_transaction:
        name = f"checkin_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:  # some errors end the whole transaction
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
            from checkin.packseal import rolled_back

            rolled_back(conn)  # people reopened within the savepoint went with it
            raise
        conn.execute(f"RELEASE SAVEPOINT {name}")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise storage_error(exc, disk=_file_of(conn)) from exc
    try:
        from checkin.packseal import refresh

        refresh(db)  # a sealed pack's people as the file now holds them, under the write lock
        yield db
    except sqlite3.DatabaseError as exc:
        _rollback(conn)
        if not _refusal(exc):
            raise  # a constraint the caller relies on (one live check-in per person) or a bug
        raise storage_error(exc, disk=_file_of(conn)) from exc
    except BaseException:
        _rollback(conn)
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        _rollback(conn)
        raise storage_error(exc, disk=_file_of(conn)) from exc


def new_file(path: str | Path) -> sqlite3.Connection:
    """A brand-new SQLite file (station pack, bundle), created by SQLite itself and owner-only.
    Refuses a file that already exists; the caller closes the connection."""
    path = Path(path)
    if path.exists():
        raise CheckinError("pack.exists", path=str(path))
    try:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _os_error(exc, path) from exc
    try:
        conn = sqlite3.connect(
            _uri(path, "rwc"),
            uri=True,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,
            factory=EventConnection,
        )
    except sqlite3.Error as exc:
        raise storage_error(exc, path) from exc
    _track(conn, path)
    _restrict_mode(path)
    return conn


def memory_db() -> Database:
    """A fresh in-memory event database (tests, previews)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    db = Database(conn, execute_plugins=False)
    migrations.apply(db)
    return db
