"""Several laptops, one result: signed, sealed station bundles and a merge that trusts none.

A bundle (format 3) is a small SQLite file with one row in `bundle_info`: a header (format,
bundle id, event id, station, export time, the station's public key, row counts), the
station's records sealed to the office (X25519 + HKDF + ChaCha20-Poly1305, see
`checkin.seal`) and an Ed25519 signature by the station key made at `station pack`. Inside
the seal, each table is a list of rows with a FIXED column list (`COLUMNS`): nothing in the
file names a column, a table or a piece of SQL.

`merge` reads every bundle before it writes anything: the signature must be by a station
key this office issued for this event and has not revoked; the seal must open with the
office's key; every value is validated (types, enumerations, times within the event's
day, JSON shape, lengths, references to known people or to walk-ins carried whole in the
same bundle). Only then is the office file opened, and all bundles go in one transaction.
Any failure leaves the office file byte-for-byte as it was, with a clear message.

Merging is idempotent and order-free: the same guest admitted at two doors counts once (the
earliest check-in wins; the other stays in the audit, marked `duplicate_of`); the same
walk-in registered at two doors (same ID hash) is one person; two different entries for one
survey form are flagged and the form is left out of every figure until resolved.

To carry a new table: add its column list to `COLUMNS`, a row validator to `VALIDATORS`,
and a merge step to `STEPS` (one small function each).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import json
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

from checkin.categories import CATEGORIES
from checkin.clock import SYSTEM_CLOCK, Clock, stamp
from checkin.door import VERDICTS
from checkin.errors import CheckinError
from checkin.i18n import known, tr
from checkin.ledger import next_suggestion_number
from checkin.people import add_walk_in
from checkin.phone import parse_phone
from checkin.seal import SealError, seal, sign, unseal, verify
from checkin.storage import new_file, open_db, write_transaction
from checkin.textcheck import check_text
from checkin.vocab import Method, Outcome, Reason, Source, SuggestionStatus, VerdictKind, codes

BUNDLE_FORMAT = 3  # 3: scans carry the key that signed the invitation (token_key)
OLDEST_FORMAT = 2  # format 2 (no token_key) is still read
DOMAIN = b"checkin/bundle/v2\x00"
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
STATION_PRIVATE = "station_sign_private"
OFFICE_SEAL_PRIVATE = "office_seal_private"
OFFICE_SEAL_PUBLIC = "office_seal_public"

# the columns of each table carried in a bundle, in order (format 3; format 2 had no token_key)
COLUMNS: dict[str, tuple[str, ...]] = {
    "walk_ins": ("number", "name", "gender", "id_hash", "id_masked", "age", "phone", "category",
                 "signed_up_at", "source", "created_at"),
    "scans": ("uid", "at", "station", "operator", "method", "verdict", "reason", "number", "token_seq",
              "token_counter", "token_key"),
    "checkins": ("uid", "number", "at", "station", "operator", "method", "override_reason", "annulled_at",
                 "annulled_by", "annul_reason"),
    "check_results": ("scan_uid", "checkin_uid", "number", "name", "value", "passed"),
    "survey_entries": ("uid", "form", "pass", "answers", "text", "at", "operator", "station"),
    "suggestions": ("uid", "number", "text", "source", "form", "raised_by", "category", "department",
                    "handed_over_at", "due_date", "status", "outcome", "reason", "reply", "replied_at",
                    "created_at", "updated_at"),
    "suggestion_history": ("suggestion", "at", "operator", "field", "old", "new"),
    "activity": ("at", "action", "number", "detail"),
    # the site visit's roll calls (issue 19)
    "roll_marks": ("uid", "stop", "bus", "number", "mark", "reason", "method", "at", "station", "operator"),
    "departures": ("uid", "stop", "bus", "at", "expected", "missing", "anyway", "station", "operator"),
}  # fmt: skip

# what a station exports of each table (its own rows only); `?` is the station's name
EXPORT_QUERIES: dict[str, str] = {
    "walk_ins": "SELECT number, name, gender, id_hash, id_masked, age, phone, category, signed_up_at, "
    "source, created_at FROM people WHERE walk_in = 1 AND source = 'walk-in@' || :station",
    "scans": "SELECT uid, at, station, operator, method, verdict, reason, number, token_seq, token_counter, "
    "token_key FROM scans WHERE station = :station",
    "checkins": "SELECT uid, number, at, station, operator, method, override_reason, annulled_at, "
    "annulled_by, annul_reason FROM checkins WHERE station = :station",
    "check_results": "SELECT r.scan_uid, r.checkin_uid, r.number, r.name, r.value, r.passed "
    "FROM check_results r JOIN scans s ON s.uid = r.scan_uid WHERE s.station = :station",
    "survey_entries": "SELECT uid, form, pass, answers, text, at, operator, station FROM survey_entries",
    "suggestions": "SELECT uid, number, text, source, form, raised_by, category, department, "
    "handed_over_at, due_date, status, outcome, reason, reply, replied_at, created_at, updated_at "
    "FROM suggestions",
    "suggestion_history": "SELECT suggestion, at, operator, field, old, new FROM suggestion_history",
    "activity": "SELECT at, action, number, detail FROM activity WHERE action IN "
    "('annul', 'override', 'walk_in', 'pin_refused', 'pin_lockout', 'pin_ok') "
    "AND json_valid(detail) AND json_extract(detail, '$.station') = :station",
    "roll_marks": "SELECT uid, stop, bus, number, mark, reason, method, at, station, operator "
    "FROM roll_marks WHERE station = :station",
    "departures": "SELECT uid, stop, bus, at, expected, missing, anyway, station, operator FROM departures "
    "WHERE station = :station",
}

METHODS = codes(Method)  # an ID-card admission too (a bundle holding one was refused whole)
# every refusal a door can record travels (a WeChat code, a stranger's ID card, the wrong kind
# of ticket: a bundle holding one was refused whole, admissions and all)
REASONS = codes(Reason)
ACTIONS = ("annul", "override", "walk_in", "pin_refused", "pin_lockout", "pin_ok")
SUGGESTION_SOURCES = codes(Source)
SUGGESTION_STATUSES = codes(SuggestionStatus)
OUTCOMES = codes(Outcome)
HISTORY_FIELDS = ("created", "status", "text", "category", "department", "raised_by", "outcome", "reason",
                  "reply", "replied_at", "handed_over_at")  # fmt: skip
AROUND_EVENT_DAYS = 366  # survey keying and the ledger: within a year of the event day
MERGE_CACHE = "PRAGMA cache_size = -32768"  # KiB: the merge's page cache (see merge_bundles)

_UID = re.compile(r"^[0-9a-f]{32}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_MASKED = re.compile(r"^\*{14}[0-9]{3}[0-9X]$")
_NUMBER = re.compile(r"^[A-Z]{0,2}[0-9A-Z]{1,20}$")
_SUGGESTION = re.compile(r"^S[0-9]{3,6}$")


@dataclass
class MergeReport:
    bundle: str
    station: str
    added: dict[str, int] = field(default_factory=dict)
    already: dict[str, int] = field(default_factory=dict)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    double_checkins: list[dict[str, Any]] = field(default_factory=list)
    revoked_admissions: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "station": self.station,
            "added": self.added,
            "already": self.already,
            "conflicts": self.conflicts,
            "double_checkins": self.double_checkins,
            "revoked_admissions": self.revoked_admissions,
        }


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------- export


def station_records(db_path: str | Path) -> tuple[str, str, dict[str, bytes], dict[str, list[list[Any]]]]:
    """(event id, station, the pack's keys, this station's rows per table) of a door laptop's pack."""
    with open_db(db_path) as db:
        station_row = db.execute("SELECT name FROM station_info").fetchone()
        if station_row is None:
            raise CheckinError("sync14.not_a_pack")
        station = str(station_row[0])
        secrets = {str(k): bytes(v) for k, v in db.execute("SELECT name, value FROM secret").fetchall()}
        if STATION_PRIVATE not in secrets or OFFICE_SEAL_PUBLIC not in secrets:
            raise CheckinError("sync14.old_pack")
        event_id = str(db.execute("SELECT id FROM event").fetchone()[0])
        tables = {
            name: [list(r) for r in db.execute(query, {"station": station}).fetchall()]
            for name, query in EXPORT_QUERIES.items()
        }
    return event_id, station, secrets, tables


def write_bundle(
    out: Path,
    event_id: str,
    station: str,
    tables: dict[str, list[list[Any]]],
    station_private: bytes,
    office_public: bytes,
) -> Path:
    """Seal the rows to the office, sign header and seal with the station key, write the file."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from checkin.seal import raw_public

    header = {
        "format": BUNDLE_FORMAT,
        "bundle": uuid.uuid4().hex,
        "event_id": event_id,
        "station": station,
        "exported_at": _now(),
        "station_key": raw_public(Ed25519PrivateKey.from_private_bytes(station_private).public_key()).hex(),
        "counts": {name: len(rows) for name, rows in tables.items()},
    }
    header_bytes = _canonical(header)
    sealed = seal(office_public, _canonical(tables), header_bytes)
    signature = sign(station_private, DOMAIN, header_bytes + hashlib.sha256(sealed).digest())
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    conn = new_file(tmp)
    try:
        info = [BUNDLE_FORMAT, header["bundle"], event_id, station, header["exported_at"],
                header_bytes.decode("utf-8"), sealed, signature]  # fmt: skip
        with write_transaction(conn):  # a refusal (full disk) says why and writes nothing
            _write_bundle_info(conn, info)
    except BaseException:
        conn.close()
        tmp.unlink(missing_ok=True)  # whole or not at all: no half-written .part left behind
        raise
    conn.close()
    tmp.replace(out)
    return out


def _write_bundle_info(conn: sqlite3.Connection, values: list[Any]) -> None:
    conn.execute(
        "CREATE TABLE bundle_info (format INTEGER NOT NULL, bundle TEXT NOT NULL, "
        "event_id TEXT NOT NULL, station TEXT NOT NULL, exported_at TEXT NOT NULL, "
        "header TEXT NOT NULL, sealed BLOB NOT NULL, signature BLOB NOT NULL)"
    )
    conn.execute("INSERT INTO bundle_info VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)


def export_bundle(db_path: str | Path, out: str | Path) -> Path:
    """Sign and seal what this door laptop recorded into a new bundle file (never overwrites)."""
    from checkin.files import record_file

    out = Path(out)
    if out.exists():
        raise CheckinError("pack.exists", path=str(out))
    event_id, station, secrets, tables = station_records(db_path)
    write_bundle(out, event_id, station, tables, secrets[STATION_PRIVATE], secrets[OFFICE_SEAL_PUBLIC])
    record_file(db_path, "bundle", out, station)
    return out


# ---------------------------------------------------------------- reading the office file


@dataclass(frozen=True)
class Office:
    """What validation needs from the office file, read without touching it."""

    event_id: str
    event_date: dt.date
    min_age: int
    max_age: int | None
    template_items: tuple[tuple[str, tuple[int, ...]], ...]
    seal_private: bytes | None
    station_keys: dict[bytes, tuple[str, str | None]]  # public key → (station, revoked_at)
    people: dict[str, str]  # number → status
    suggestions: frozenset[str]  # uids
    categories: tuple[str, ...]  # built-in and the event's own
    stops: tuple[str, ...] = ()  # the site visit's stops and buses (issue 19)
    buses: tuple[str, ...] = ()


def _read_office(master: Path) -> Office:
    if not master.is_file():
        raise CheckinError("storage.missing", path=str(master))
    # a file in use has its newest pages in the -wal: read through it; otherwise read the file
    # as it is (immutable: no -wal/-shm created, no lock taken, not a byte changed)
    in_use = Path(f"{master}-wal").exists()
    uri = master.absolute().as_uri() + ("?mode=ro" if in_use else "?mode=ro&immutable=1")
    conn = sqlite3.connect(uri, uri=True)
    try:
        event = conn.execute("SELECT id, date, min_age, max_age, survey_template FROM event").fetchone()
        if event is None:
            raise CheckinError("event.none")
        secrets = dict(conn.execute("SELECT name, value FROM secret").fetchall())
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        keys: dict[bytes, tuple[str, str | None]] = {}
        if "station_keys" in tables:
            for public, station, revoked in conn.execute(
                "SELECT public_key, station, revoked_at FROM station_keys"
            ):
                keys[bytes(public)] = (str(station), revoked)
        people = {str(n): str(s) for n, s in conn.execute("SELECT number, status FROM people")}
        columns = {r[1] for r in conn.execute("PRAGMA table_info(event)")}
        custom = (
            conn.execute("SELECT categories FROM event").fetchone()[0] if "categories" in columns else None
        )
        suggestions = frozenset(str(r[0]) for r in conn.execute("SELECT uid FROM suggestions"))
        plan = conn.execute("SELECT stops, buses FROM event").fetchone() if "stops" in columns else None
    except sqlite3.DatabaseError as exc:
        raise CheckinError(
            "storage.unreadable", path=str(master), error=_words("sync14.corrupt_why", _sqlite_why(exc))
        ) from None
    finally:
        conn.close()
    from checkin.categories import parse_custom_categories
    from checkin.survey import load_template

    template = load_template(str(event[4]))
    categories = tuple(CATEGORIES) + tuple(
        c.code for c in parse_custom_categories(json.loads(custom or "[]"))
    )
    seal_private = secrets.get(OFFICE_SEAL_PRIVATE)
    return Office(
        event_id=str(event[0]),
        event_date=dt.date.fromisoformat(str(event[1])),
        min_age=int(event[2]),
        max_age=int(event[3]) if event[3] is not None else None,
        template_items=tuple((i.name, i.values) for i in template.items),
        seal_private=bytes(seal_private) if seal_private is not None else None,
        station_keys=keys,
        people=people,
        suggestions=suggestions,
        categories=categories,
        stops=tuple(str(s["name"]) for s in json.loads(plan[0] or "[]")) if plan else (),
        buses=tuple(str(b["name"]) for b in json.loads(plan[1] or "[]")) if plan else (),
    )


# ---------------------------------------------------------------- validation


class Bad(Exception):
    """One value of a bundle that is not acceptable: which field, what is wrong with it (codes,
    told in words by `words()`; the table and row are added by `read_bundle`)."""

    def __init__(self, field: str, problem: str, **params: Any) -> None:
        super().__init__(f"{field}: {problem}")
        self.field, self.problem, self.params = field, problem, params

    def words(self) -> str:
        return tr("sync14.bad_value", field=_words("sync14.field", self.field),
                  problem=_words("sync14.problem", self.problem, **self.params))  # fmt: skip


def _words(table: str, code: str, **params: Any) -> str:
    """A code in the user's words; a code with no words (never shown as it is) says 'a value'."""
    key = f"{table}.{code}"
    return tr(key, **params) if known(key) else tr(f"{table}.other")


Row = Sequence[Any]  # one validated row of a bundle's table, its values in COLUMNS order


@dataclass
class Bundle:
    path: Path
    bundle: str
    station: str
    exported_at: str
    tables: dict[str, list[Row]]


def _text(value: Any, name: str, *, limit: int | None = None, multiline: bool = False,
          optional: bool = False) -> str | None:  # fmt: skip
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise Bad(name, "not_text")
    problem = _text_problem(value, name, limit, multiline)
    if problem:
        raise Bad(name, problem)
    return value


@functools.lru_cache(maxsize=4096)
def _text_problem(value: str, name: str, limit: int | None, multiline: bool) -> str:
    """'' when fit to store, else the reason (cached: operators and stations repeat on every row)."""
    try:
        check_text(value, name, limit=limit, multiline=multiline)
    except CheckinError as exc:
        return exc.key.rsplit(".", 1)[-1]  # nul, control, too_long
    return ""


def _int(value: Any, name: str, low: int, high: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise Bad(name, "not_number", low=low, high=high)
    return value


def _choice(value: Any, name: str, allowed: tuple[str, ...], *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if value not in allowed:
        raise Bad(name, "not_allowed")
    return str(value)


def _pattern(value: Any, name: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise Bad(name, "malformed")
    return value


def _time(
    value: Any, name: str, office: Office, *, around_days: int = 0, optional: bool = False
) -> str | None:
    """An ISO time on the event's day (or up to `around_days` before or after it)."""
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Bad(name, "not_time")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Bad(name, "not_time") from None
    if when.tzinfo is not None:
        raise Bad(name, "not_local_time")
    margin = dt.timedelta(days=around_days)
    if not office.event_date - margin <= when.date() <= office.event_date + margin:
        raise Bad(name, "outside_day")
    return value


def _date(value: Any, name: str, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise Bad(name, "not_date")
    try:
        dt.date.fromisoformat(value[:10])
    except ValueError:
        raise Bad(name, "not_date") from None
    return value


class _Context:
    """What rows of one bundle may refer to: the office's people and the bundle's own walk-ins."""

    def __init__(self, office: Office, station: str) -> None:
        self.office = office
        self.station = station
        self.walk_ins: set[str] = set()
        self.scans: set[str] = set()
        self.checkins: set[str] = set()
        self.suggestions: set[str] = set()
        self.day = _day_pattern(office.event_date)

    def person(self, value: Any, name: str, *, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or (value not in self.office.people and value not in self.walk_ins):
            raise Bad(name, "unknown_person")
        return value

    def own_station(self, value: Any, name: str) -> str:
        if value != self.station:
            raise Bad(name, "other_station")
        return self.station


def _walk_in(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    from checkin.door import WALK_IN_PREFIX

    number, name, gender, id_hash, id_masked, age, phone, category, signed_up_at, source, created = row
    office = ctx.office
    hashed = _pattern(id_hash, "id_hash", _HASH)
    if (
        not isinstance(number, str)
        or not number.startswith(WALK_IN_PREFIX)
        or not (hashed.upper().startswith(number[1:]) and len(number) >= 6)
    ):
        raise Bad("number", "not_derived")
    _text(name, "name")
    if not name.strip():
        raise Bad("name", "empty")
    _choice(gender, "gender", ("M", "F"), optional=True)
    _pattern(id_masked, "id_masked", _MASKED)
    _int(age, "age", office.min_age, office.max_age if office.max_age is not None else 120)
    if phone is not None:
        try:
            if not isinstance(phone, str) or parse_phone(phone) != phone:
                raise Bad("phone", "malformed")
        except CheckinError:
            raise Bad("phone", "malformed") from None
    _choice(category, "category", ctx.office.categories)
    _time(signed_up_at, "signed_up_at", office)
    if source != f"walk-in@{ctx.station}":
        raise Bad("source", "other_station")
    _time(created, "created_at", office)
    ctx.walk_ins.add(number)
    return row


def _scan(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    uid, at, station, operator, method, verdict, reason, number, token_seq, token_counter, token_key = row
    ctx.scans.add(_pattern(uid, "uid", _UID))
    _time(at, "at", ctx.office)
    ctx.own_station(station, "station")
    _text(operator, "operator")
    _choice(method, "method", METHODS)
    _choice(verdict, "verdict", VERDICTS)
    _choice(reason, "reason", REASONS, optional=True)
    ctx.person(number, "number", optional=True)
    _int(token_seq, "token_seq", 0, 2**32 - 1, optional=True)
    _int(token_counter, "token_counter", 0, 2**16 - 1, optional=True)
    _int(token_key, "token_key", 0, 2**16 - 1, optional=True)
    return row


def _checkin(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    uid, number, at, station, operator, method, override_reason, annulled_at, annulled_by, annul_reason = row
    ctx.checkins.add(_pattern(uid, "uid", _UID))
    ctx.person(number, "number")
    _time(at, "at", ctx.office)
    ctx.own_station(station, "station")
    _text(operator, "operator")
    _choice(method, "method", METHODS)
    _text(override_reason, "reason", optional=True)
    if method == "override" and not override_reason:
        raise Bad("override_reason", "missing_value")
    if annulled_at is not None:
        _time(annulled_at, "annulled_at", ctx.office)
        if annulled_at < at:
            raise Bad("annulled_at", "before_checkin")
        _text(annulled_by, "operator")
        _text(annul_reason, "reason")
    elif annulled_by is not None or annul_reason is not None:
        raise Bad("annulled_by", "without_annulment")
    return row


def _check_result(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    scan_uid, checkin_uid, number, name, value, passed = row
    if scan_uid not in ctx.scans:
        raise Bad("scan_uid", "not_in_bundle")
    if checkin_uid is not None and checkin_uid not in ctx.checkins:
        raise Bad("checkin_uid", "not_in_bundle")
    ctx.person(number, "number", optional=True)
    _text(name, "value", limit=50)
    _text(value, "value")
    _int(passed, "passed", 0, 1)
    return row


def _survey_entry(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    uid, form, pass_no, answers, text, at, operator, station = row
    _pattern(uid, "uid", _UID)
    _int(form, "form", 1, 999_999_999)
    _int(pass_no, "pass", 1, 2)
    if not isinstance(answers, str) or len(answers) > 2000:
        raise Bad("answers", "malformed")
    try:
        values = json.loads(answers)
    except ValueError:
        raise Bad("answers", "not_json") from None
    items = ctx.office.template_items
    if not isinstance(values, list) or len(values) != len(items):
        raise Bad("answers", "wrong_count")
    for value, (_item, allowed) in zip(values, items, strict=True):
        if isinstance(value, bool) or not isinstance(value, int) or (value != 0 and value not in allowed):
            raise Bad("answers", "out_of_range")
    _text(text, "text", multiline=True)
    _time(at, "at", ctx.office, around_days=AROUND_EVENT_DAYS)
    _text(operator, "operator")
    _text(station, "station")
    return row


def _suggestion(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    (uid, number, text, source, form, raised_by, category, department, handed_over_at, due_date, status,
     outcome, reason, reply, replied_at, created_at, updated_at) = row  # fmt: skip
    ctx.suggestions.add(_pattern(uid, "uid", _UID))
    _pattern(number, "number", _SUGGESTION)
    _text(text, "text", multiline=True)
    if not text.strip():
        raise Bad("text", "empty")
    _choice(source, "source", SUGGESTION_SOURCES)
    _int(form, "form", 1, 999_999_999, optional=True)
    _text(raised_by, "name", optional=True)
    _text(category, "category", optional=True)
    _text(department, "department", optional=True)
    _date(handed_over_at, "handed_over_at", optional=True)
    _date(due_date, "due_date")
    _choice(status, "status", SUGGESTION_STATUSES)
    _choice(outcome, "outcome", OUTCOMES, optional=True)
    _text(reason, "text", multiline=True, optional=True)
    _text(reply, "text", multiline=True, optional=True)
    _date(replied_at, "replied_at", optional=True)
    _time(created_at, "created_at", ctx.office, around_days=AROUND_EVENT_DAYS)
    _time(updated_at, "updated_at", ctx.office, around_days=AROUND_EVENT_DAYS)
    return row


def _history(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    suggestion, at, operator, field_name, old, new = row
    if suggestion not in ctx.suggestions and suggestion not in ctx.office.suggestions:
        raise Bad("suggestion", "unknown_suggestion")
    _time(at, "at", ctx.office, around_days=AROUND_EVENT_DAYS)
    _text(operator, "operator")
    _choice(field_name, "field", HISTORY_FIELDS)
    _text(old, "text", multiline=True, optional=True)
    _text(new, "text", multiline=True, optional=True)
    return row


def _activity(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    at, action, number, detail = row
    _time(at, "at", ctx.office)
    _choice(action, "action", ACTIONS)
    ctx.person(number, "number", optional=True)
    if not isinstance(detail, str) or len(detail) > 2000:
        raise Bad("detail", "malformed")
    try:
        data = json.loads(detail)
    except ValueError:
        raise Bad("detail", "not_json") from None
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise Bad("detail", "not_flat")
    for key, value in data.items():
        _text(key, "value", limit=30)
        if isinstance(value, str):
            _text(value, "reason")
    ctx.own_station(data.get("station"), "station")
    return row


_ROLL_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?$")


def _roll_time(value: Any, ctx: _Context) -> None:
    """A roll call's time as the program writes it (2026-12-18T13:52:00.000): the roll, the
    schedule and the report compare and cut these as text ("20261218T135200" is a valid ISO
    time, and the report said "arrived 2000")."""
    _time(value, "at", ctx.office)
    if not _ROLL_TIME.match(value):
        raise Bad("at", "not_time")


def _roll_mark(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    from checkin.itinerary import LEAVE_REASONS
    from checkin.rollcall import METHODS as ROLL_METHODS

    uid, stop, bus, number, mark, reason, method, at, station, operator = row
    _pattern(uid, "uid", _UID)
    _choice(stop, "stop", ctx.office.stops)
    _choice(bus, "bus", ctx.office.buses, optional=True)
    ctx.person(number, "number")
    _choice(mark, "mark", ("present", "left"))
    if mark == "left":
        _choice(reason, "reason", LEAVE_REASONS)
    elif reason is not None:
        raise Bad("reason", "only_leaving")
    _choice(method, "method", ROLL_METHODS)
    _roll_time(at, ctx)
    ctx.own_station(station, "station")
    _text(operator, "operator")
    return row


def _departure(row: tuple[Any, ...], ctx: _Context) -> tuple[Any, ...]:
    uid, stop, bus, at, expected, missing, anyway, station, operator = row
    _pattern(uid, "uid", _UID)
    _choice(stop, "stop", ctx.office.stops)
    _choice(bus, "bus", ctx.office.buses, optional=True)
    _roll_time(at, ctx)
    _int(expected, "expected", 0, 100_000)
    if not isinstance(missing, str) or len(missing) > 200_000:
        raise Bad("missing", "malformed")
    try:
        numbers = json.loads(missing)
    except ValueError:
        raise Bad("missing", "not_json") from None
    if not isinstance(numbers, list) or len(numbers) > expected:
        raise Bad("missing", "not_people")
    for number in numbers:
        ctx.person(number, "missing")
    _int(anyway, "anyway", 0, 1)
    if bool(anyway) != bool(numbers):
        raise Bad("anyway", "anyway_mismatch")
    ctx.own_station(station, "station")
    _text(operator, "operator")
    return row


# in this order: walk-ins before what refers to them, scans before check results
VALIDATORS: dict[str, Callable[[tuple[Any, ...], _Context], tuple[Any, ...]]] = {
    "walk_ins": _walk_in,
    "scans": _scan,
    "checkins": _checkin,
    "check_results": _check_result,
    "survey_entries": _survey_entry,
    "suggestions": _suggestion,
    "suggestion_history": _history,
    "activity": _activity,
    "roll_marks": _roll_mark,
    "departures": _departure,
}


# ---------------------------------------------------------------- fast path for the big tables
#
# The three tables a door fills by the ten thousand (scans, check-ins, check results) are first
# checked column by column: the same rules as the row validators above, with no Python code run
# per value. Each column's TYPES are checked over every value (`set(map(type, column))`: a True
# or 1.0 is never hidden behind an equal 1), then its distinct values once each: texts, stations,
# people and choices by set operations, whole numbers by their least and greatest, uids and
# times by one precompiled pattern (times: only the event's day) mapped over the column. A fast
# check is never looser than its row validator: whatever it does not accept for certain (an
# unusual value, a wrong type, an annulment) sends the whole table through the row validators,
# which then say which row and which value is wrong, exactly as before.

_UID_FULL = re.compile(r"[0-9a-f]{32}")
_SCAN_VERDICTS = frozenset(str(v) for v in VERDICTS)
_SCAN_METHODS = frozenset(METHODS)
_SCAN_REASONS = frozenset(REASONS) | {None}
_TEXT: frozenset[type] = frozenset({str})
_TEXT_OR_NONE: frozenset[type] = frozenset({str, type(None)})
_WHOLE: frozenset[type] = frozenset({int})  # not bool: type(True) is bool
_WHOLE_OR_NONE: frozenset[type] = frozenset({int, type(None)})


def _day_pattern(day: dt.date) -> re.Pattern[str]:
    """Times on `day` that `datetime.fromisoformat` certainly reads, naive, ASCII digits only."""
    return re.compile(
        re.escape(day.isoformat())
        + r"[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{3}|\.[0-9]{6})?"
    )


def _types(column: tuple[Any, ...], allowed: frozenset[type]) -> bool:
    """Every value of the column is of an allowed type (exactly: a bool is not an int)."""
    return set(map(type, column)) <= allowed


def _all_match(column: tuple[Any, ...], pattern: re.Pattern[str]) -> bool:
    """Every value is text the pattern matches whole."""
    return _types(column, _TEXT) and all(map(pattern.fullmatch, column))


def _texts_fine(column: tuple[Any, ...], name: str, limit: int | None = None) -> bool:
    return _types(column, _TEXT) and not any(_text_problem(v, name, limit, False) for v in set(column))


def _people_fine(column: tuple[Any, ...], ctx: _Context, *, optional: bool) -> bool:
    if not _types(column, _TEXT_OR_NONE if optional else _TEXT):
        return False
    distinct = set(column)
    distinct.discard(None)
    return not distinct.difference(ctx.office.people, ctx.walk_ins)


def _ints_fine(column: tuple[Any, ...], low: int, high: int, *, optional: bool) -> bool:
    if not _types(column, _WHOLE_OR_NONE if optional else _WHOLE):
        return False
    distinct = set(column)
    distinct.discard(None)
    return not distinct or (low <= min(distinct) and max(distinct) <= high)


def _choices_fine(column: tuple[Any, ...], allowed: frozenset[str | None]) -> bool:
    return _types(column, _TEXT_OR_NONE) and set(column) <= allowed


def _shape_fine(rows: list[Any], width: int) -> bool:
    return not rows or (set(map(type, rows)) == {list} and set(map(len, rows)) == {width})


def _fast_scans(rows: list[Any], ctx: _Context) -> bool:
    if not _shape_fine(rows, len(COLUMNS["scans"])):
        return False
    if not rows:
        return True
    uid, at, station, operator, method, verdict, reason, number, seq, counter, key = zip(*rows, strict=True)
    fine = (
        _all_match(uid, _UID_FULL)
        and _all_match(at, ctx.day)
        and set(station) == {ctx.station}
        and _texts_fine(operator, "operator")
        and _choices_fine(method, _SCAN_METHODS)
        and _choices_fine(verdict, _SCAN_VERDICTS)
        and _choices_fine(reason, _SCAN_REASONS)
        and _people_fine(number, ctx, optional=True)
        and _ints_fine(seq, 0, 2**32 - 1, optional=True)
        and _ints_fine(counter, 0, 2**16 - 1, optional=True)
        and _ints_fine(key, 0, 2**16 - 1, optional=True)
    )
    if fine:
        ctx.scans.update(uid)
    return fine


def _fast_checkins(rows: list[Any], ctx: _Context) -> bool:
    if not _shape_fine(rows, len(COLUMNS["checkins"])):
        return False
    if not rows:
        return True
    uid, number, at, station, operator, method, override, annulled_at, annulled_by, annul_reason = zip(
        *rows, strict=True
    )
    fine = (
        _all_match(uid, _UID_FULL)
        and _people_fine(number, ctx, optional=False)
        and _all_match(at, ctx.day)
        and set(station) == {ctx.station}
        and _texts_fine(operator, "operator")
        and _choices_fine(method, _SCAN_METHODS)
    )
    if not fine:
        return False
    # the rare rows with an override or an annulment: through the row validator
    if "override" in method or not {*override, *annulled_at, *annulled_by, *annul_reason} <= {None}:
        for row in rows:
            if row[5] == "override" or row[6:10] != [None, None, None, None]:
                _checkin(tuple(row), ctx)  # Bad: the caller's row-by-row pass tells which row
    ctx.checkins.update(uid)
    return True


def _fast_check_results(rows: list[Any], ctx: _Context) -> bool:
    if not _shape_fine(rows, len(COLUMNS["check_results"])):
        return False
    if not rows:
        return True
    scan_uid, checkin_uid, number, name, value, passed = zip(*rows, strict=True)
    checkins = set(checkin_uid)
    checkins.discard(None)
    return (
        _types(scan_uid, _TEXT)
        and set(scan_uid) <= ctx.scans
        and _types(checkin_uid, _TEXT_OR_NONE)
        and checkins <= ctx.checkins
        and _people_fine(number, ctx, optional=True)
        and _texts_fine(name, "value", 50)
        and _texts_fine(value, "value")
        and _ints_fine(passed, 0, 1, optional=False)
    )


FAST_CHECKS: dict[str, Callable[[list[Any], _Context], bool]] = {
    "scans": _fast_scans,
    "checkins": _fast_checkins,
    "check_results": _fast_check_results,
}


def _fast_fine(table: str, rows: list[Any], ctx: _Context) -> bool:
    """True when every row of `table` is certainly valid; False sends it through the row validators."""
    check = FAST_CHECKS.get(table)
    if check is None:
        return False
    try:
        return check(rows, ctx)
    except Exception:  # any surprise (an unhashable value, a Bad): the careful path
        return False


def _corrupt(path: Path, why: str) -> CheckinError:
    """The file is not a whole bundle: why, in the user's words (`why` keeps the code for tests)."""
    return CheckinError("sync.corrupt", path=str(path), error=_words("sync14.corrupt_why", why), why=why)


def _sqlite_why(exc: Exception) -> str:
    text = str(exc).lower()
    return "not_database" if "not a database" in text or "file is encrypted" in text else "damaged"


def _read_bundle_file(path: Path) -> tuple[Any, ...]:
    if not path.is_file():
        raise CheckinError("sync.missing", path=str(path))
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        raise _corrupt(path, "too_large")
    # no Python open() of the file: SQLite itself says "not a database" on the first read
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise _corrupt(path, _sqlite_why(exc)) from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _corrupt(path, "damaged")
        # a real table, never a view: a view's query is the file's own SQL (an endless
        # recursive one would hang the merge and eat the office laptop's memory)
        kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'bundle_info'").fetchall()
        if kind != [("table",)]:
            raise _corrupt(path, "not_bundle")
        try:
            fmt = conn.execute("SELECT format FROM bundle_info LIMIT 2").fetchall()
        except sqlite3.DatabaseError:
            raise _corrupt(path, "not_bundle") from None
        if len(fmt) != 1:
            raise _corrupt(path, "not_bundle")
        version = fmt[0][0]
        if not isinstance(version, int):
            raise _corrupt(path, "format")
        if version > BUNDLE_FORMAT:
            raise CheckinError("sync.newer_format", path=str(path), format=version)
        if version < OLDEST_FORMAT:
            raise CheckinError("sync14.unsigned", path=str(path))
        # the header as bytes: a damaged file may hold text that is not UTF-8
        rows = conn.execute(
            "SELECT CAST(header AS BLOB), sealed, signature FROM bundle_info LIMIT 1"
        ).fetchall()
        header = bytes(rows[0][0]).decode("utf-8") if rows[0][0] is not None else None
        return (header, rows[0][1], rows[0][2])
    except (sqlite3.DatabaseError, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise _corrupt(path, _sqlite_why(exc)) from None
    finally:
        conn.close()


def read_bundle(path: Path, office: Office) -> Bundle:
    """A bundle verified, opened and validated row by row; CheckinError otherwise."""
    header_text, sealed, signature = _read_bundle_file(path)
    if not isinstance(header_text, str) or not isinstance(sealed, bytes) or not isinstance(signature, bytes):
        raise _corrupt(path, "not_bundle")
    header_bytes = header_text.encode("utf-8")
    try:
        header = json.loads(header_text)
        station_key = bytes.fromhex(header["station_key"])
        station, bundle, event_id = header["station"], header["bundle"], header["event_id"]
        exported_at = header["exported_at"]
    except (ValueError, KeyError, TypeError):
        raise _corrupt(path, "header") from None
    fmt = header.get("format")
    if fmt not in range(OLDEST_FORMAT, BUNDLE_FORMAT + 1) or _canonical(header) != header_bytes:
        raise _corrupt(path, "header")
    if event_id != office.event_id:
        raise CheckinError("sync.other_event", path=str(path))
    issued = office.station_keys.get(station_key)
    if issued is None:
        raise CheckinError("sync14.unknown_station", path=str(path))
    try:
        verify(station_key, signature, DOMAIN, header_bytes + hashlib.sha256(sealed).digest())
    except SealError:
        raise CheckinError("sync14.bad_signature", path=str(path)) from None
    if issued[0] != station:
        raise CheckinError("sync14.bad_signature", path=str(path))
    if issued[1] is not None:
        raise CheckinError("sync14.revoked_station", path=str(path), station=station, at=issued[1])
    if office.seal_private is None:
        raise CheckinError("sync14.unknown_station", path=str(path))
    try:
        tables = json.loads(unseal(office.seal_private, sealed, header_bytes))
    except (SealError, ValueError):
        raise CheckinError("sync14.bad_signature", path=str(path)) from None
    if not isinstance(tables, dict) or set(tables) != set(COLUMNS):
        raise _corrupt(path, "tables")
    if fmt == 2 and isinstance(tables["scans"], list):  # no token_key yet: not known
        tables["scans"] = [[*r, None] if isinstance(r, list) else r for r in tables["scans"]]
    if not isinstance(bundle, str) or not _UID.match(bundle) or not isinstance(station, str):
        raise _corrupt(path, "header")
    ctx = _Context(office, station)
    checked: dict[str, list[Row]] = {}
    for table, validate in VALIDATORS.items():
        rows = tables[table]
        if not isinstance(rows, list):
            raise _corrupt(path, "tables")
        if _fast_fine(table, rows, ctx):
            checked[table] = rows  # lists as JSON made them: checked, not copied
            continue
        checked[table] = []
        for index, row in enumerate(rows, start=1):
            if not isinstance(row, list) or len(row) != len(COLUMNS[table]):
                raise CheckinError(
                    "sync14.invalid", path=str(path), table=_words("sync14.table", table), row=index,
                    error=_words("sync14.problem", "columns"), field="", problem="columns",
                )  # fmt: skip
            try:
                checked[table].append(validate(tuple(row), ctx))
            except Bad as exc:
                raise CheckinError(
                    "sync14.invalid", path=str(path), table=_words("sync14.table", table), row=index,
                    error=exc.words(), field=exc.field, problem=exc.problem,
                ) from None  # fmt: skip
    return Bundle(path, bundle, station, str(exported_at), checked)


# ---------------------------------------------------------------- merge steps (one per table)


def _count(conn: sqlite3.Connection, sql: str, params: list[Any] | None = None) -> int:
    return int(conn.execute(sql, params or []).fetchone()[0])


def _step_walk_ins(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """One person per ID hash; numbers are derived from the hash, so they agree."""
    outside = json.loads(conn.execute("SELECT outside_capacity FROM event").fetchone()[0])
    added = 0
    for number, name, gender, id_hash, id_masked, age, phone, category, signed_up_at, source, created in rows:
        if conn.execute("SELECT 1 FROM people WHERE id_hash = ? OR number = ?", [id_hash, number]).fetchone():
            continue
        add_walk_in(
            conn, number=number, name=name, gender=gender, id_hash=id_hash, id_masked=id_masked, age=age,
            phone=phone, category=category, in_capacity=category not in outside, signed_up_at=signed_up_at,
            source=source, created_at=created, updated_at=created,
        )  # fmt: skip
        added += 1
    report.added["walk_ins"], report.already["walk_ins"] = added, len(rows) - added


def _values(values: Any) -> str:
    """A list of values as ONE bound parameter for `json_each(?)` (never SQL text): the rows of
    a bundle are matched to the office's by index in one statement, with no temporary table."""
    return json.dumps(list(values), ensure_ascii=False)


def _step_scans(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    # rows the office has already (a bundle merged again) are looked up in one statement and not
    # sent again; rows ignored as already there are not counted: no COUNT(*) of the office's table
    there = {
        uid
        for (uid,) in conn.execute(
            "SELECT s.uid FROM json_each(?) j CROSS JOIN scans s ON s.uid = j.value",
            [_values(map(itemgetter(0), rows))],
        )
    }
    added = conn.executemany(
        "INSERT OR IGNORE INTO scans (uid, at, station, operator, method, verdict, reason, number, "
        "token_seq, token_counter, token_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r for r in rows if r[0] not in there] if there else rows,
    ).rowcount
    report.added["scans"], report.already["scans"] = added, len(rows) - added
    # admissions of invitations revoked before the scan: flagged, never silently taken in
    admitted = _values(dict.fromkeys(r[0] for r in rows if r[5] == VerdictKind.ADMITTED and r[8] is not None))
    flagged: set[str] = set()
    for uid, number, at, revoked_at in conn.execute(
        "SELECT s.uid, s.number, s.at, i.revoked_at FROM json_each(?) b "
        "CROSS JOIN scans s ON s.uid = b.value "
        "JOIN invitations i ON i.seq = s.token_seq AND i.counter = s.token_counter "
        "WHERE i.revoked_at IS NOT NULL AND i.revoked_at < s.at ORDER BY s.at",
        [admitted],
    ).fetchall():
        flagged.add(uid)
        report.revoked_admissions.append({"number": number, "at": at, "revoked_at": revoked_at})
    # on an invitation KEY revoked before the scan: a pack made before `keys revoke` took it
    for uid, number, at, key_id, revoked_at in conn.execute(
        "SELECT s.uid, s.number, s.at, s.token_key, MIN(k.revoked_at) FROM json_each(?) b "
        "CROSS JOIN scans s ON s.uid = b.value JOIN signing_keys k ON k.key_id = s.token_key "
        "WHERE k.revoked_at IS NOT NULL AND k.revoked_at < s.at GROUP BY s.uid ORDER BY s.at",
        [admitted],
    ).fetchall():
        if uid not in flagged:
            report.revoked_admissions.append(
                {"number": number, "at": at, "revoked_at": revoked_at, "key": f"{int(key_id):04X}"}
            )


def _step_checkins(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """By uid; annulments only ever added; then the earliest live one per person wins.

    Worked out before writing: which rows are new (their uids looked up in one statement), which
    people they touch, and for each touched person who is in — the earliest live check-in (time,
    then uid) — among the office's live check-ins and the new ones. Then only what changes is
    written, in an order that never holds two live check-ins of one person (the unique index
    `checkins_one_live`): those who lose first, the new rows with their final mark, then those
    who win. Plain INSERT and UPDATE: a constraint nobody foresaw stops the merge whole, it is
    never ignored row by row."""
    first: dict[str, Row] = dict(zip(map(itemgetter(0), rows), rows, strict=True))
    if len(first) < len(rows):  # a uid twice in one bundle: the first row counts
        first = {}
        for row in rows:
            first.setdefault(row[0], row)
    there = {
        uid
        for (uid,) in conn.execute(
            "SELECT c.uid FROM json_each(?) j CROSS JOIN checkins c ON c.uid = j.value", [_values(first)]
        )
    }
    new = [row for uid, row in first.items() if uid not in there] if there else list(first.values())
    touched = set(map(itemgetter(1), new))
    # an annulment applies only to the same check-in of the same station
    annulments = [row for uid, row in first.items() if uid in there and row[7] is not None]
    for uid, *_rest in annulments:
        hit = conn.execute(
            "SELECT number FROM checkins WHERE uid = ? AND annulled_at IS NULL", [uid]
        ).fetchone()
        if hit is not None:
            touched.add(hit[0])
    conn.executemany(
        "UPDATE checkins SET annulled_at = ?, annulled_by = ?, annul_reason = ? "
        "WHERE uid = ? AND station = ? AND number = ? AND annulled_at IS NULL",
        [(r[7], r[8], r[9], r[0], r[3], r[1]) for r in annulments],
    )
    # every live check-in of a touched person, the office's (as they are now) and the new ones:
    # (at, uid, station, its mark now, written already); a person with one new check-in and none
    # in the office is simply in (no mark to work out)
    live: dict[str, list[tuple[str, str, str, str | None, bool]]] = {}
    for uid, number, at, station, mark in conn.execute(
        "SELECT c.uid, c.number, c.at, c.station, c.duplicate_of FROM json_each(?) j "
        "CROSS JOIN checkins c ON c.number = j.value WHERE c.annulled_at IS NULL",
        [_values(touched)],
    ):
        live.setdefault(number, []).append((at, uid, station, mark, True))
    new_live = [row for row in new if row[7] is None]
    twice = {number for number, times in Counter(map(itemgetter(1), new_live)).items() if times > 1}
    for row in new_live:
        if row[1] in live or row[1] in twice:
            live.setdefault(row[1], []).append((row[2], row[0], row[3], None, False))
    marks: dict[str, str | None] = {}  # uid → duplicate_of as it must be: None for the one who is in
    losing: list[tuple[str | None, str]] = []
    winning: list[tuple[str | None, str]] = []
    doubles = []
    for number, entries in live.items():
        entries.sort()
        kept_at, kept_uid, kept_station, _mark, _written = entries[0]
        for at, uid, station, mark, written in entries:
            marks[uid] = None if uid == kept_uid else kept_uid
            if uid != kept_uid:
                doubles.append((number, at, kept_at, kept_station, station))
            if written and marks[uid] != mark:
                (winning if marks[uid] is None else losing).append((marks[uid], uid))
    conn.executemany("UPDATE checkins SET duplicate_of = ? WHERE uid = ?", losing)
    if marks:
        conn.executemany(
            "INSERT INTO checkins (uid, number, at, station, operator, method, override_reason, "
            "annulled_at, annulled_by, annul_reason, duplicate_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*row, marks.get(row[0])) for row in new],
        )
    else:  # nobody in twice: each new check-in is the one that counts (duplicate_of NULL)
        conn.executemany(
            "INSERT INTO checkins (uid, number, at, station, operator, method, override_reason, "
            "annulled_at, annulled_by, annul_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new,
        )
    conn.executemany("UPDATE checkins SET duplicate_of = ? WHERE uid = ?", winning)
    for number, at, kept_at, kept_station, station in sorted(doubles):
        report.double_checkins.append(
            {"number": number, "kept": {"at": kept_at, "station": kept_station},
             "also": {"at": at, "station": station}}
        )  # fmt: skip
    report.added["checkins"], report.already["checkins"] = len(new), len(rows) - len(new)
    # a pack made before someone declined or was removed: the admission is kept and flagged
    candidates = [r for r in first.values() if r[5] != "override" and r[7] is None]
    gone = {
        number
        for (number,) in conn.execute(
            "SELECT p.number FROM json_each(?) j CROSS JOIN people p ON p.number = j.value "
            "WHERE p.status <> 'invited'",
            [_values({r[1] for r in candidates})],
        )
    }
    for row in sorted((r for r in candidates if r[1] in gone), key=lambda r: r[2]):
        report.revoked_admissions.append({"number": row[1], "at": row[2], "revoked_at": None})


def _step_check_results(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    # as for scans: what the office has already (scan, check) is not sent again, nor counted
    there = set(
        conn.execute(
            "SELECT r.scan_uid, r.name FROM json_each(?) j "
            "CROSS JOIN check_results r ON r.scan_uid = j.value",
            [_values({r[0] for r in rows})],
        )
    )
    added = conn.executemany(
        "INSERT OR IGNORE INTO check_results (scan_uid, checkin_uid, number, name, value, passed) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [r for r in rows if (r[0], r[3]) not in there] if there else rows,
    ).rowcount
    report.added["check_results"], report.already["check_results"] = added, len(rows) - added


def _step_survey_entries(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """A form and pass keyed twice differently is a conflict, never an overwrite; the form is then
    left out of the figures (see `survey.counted_forms`) whichever entry arrived first."""
    added = already = 0
    for uid, form, pass_no, answers, text, at, operator, station in rows:
        existing = conn.execute(
            "SELECT uid, answers, text FROM survey_entries WHERE form = ? AND pass = ?", [form, pass_no]
        ).fetchone()
        if existing is None:
            conn.execute(
                "INSERT INTO survey_entries (uid, form, pass, answers, text, at, operator, station) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [uid, form, pass_no, answers, text, at, operator, station],
            )
            conn.execute("INSERT OR IGNORE INTO survey_forms (number, printed_at) VALUES (?, ?)", [form, at])
            added += 1
        elif existing[0] == uid or (existing[1] == answers and existing[2] == text):
            already += 1
        else:
            known = [
                resolved
                for raw, resolved in conn.execute(
                    "SELECT detail, resolved FROM merge_conflicts WHERE kind = 'survey' AND key = ?",
                    [f"{form}/{pass_no}"],
                ).fetchall()
                if _same_entry(raw, answers, text)
            ]
            if known and all(known):
                already += 1  # an entry left out when the form was settled (survey keep): stays out
                continue
            detail = json.dumps(
                {"form": form, "pass": pass_no, "answers": json.loads(answers), "text": text,
                 "station": station, "operator": operator, "at": at, "from": report.station},
                ensure_ascii=False,
            )  # fmt: skip
            conn.execute(
                "INSERT OR IGNORE INTO merge_conflicts (kind, key, bundle, detail) "
                "VALUES ('survey', ?, ?, ?)",
                [f"{form}/{pass_no}", report.bundle, detail],
            )
            report.conflicts.append({"kind": "survey", "form": form, "pass": pass_no, "station": station})
    report.added["survey_entries"], report.already["survey_entries"] = added, already


def _same_entry(raw: str, answers: str, text: str) -> bool:
    try:
        detail = json.loads(raw)
        return bool(detail["answers"] == json.loads(answers) and (detail.get("text") or "") == text)
    except (ValueError, KeyError, TypeError):
        return False


def _step_suggestions(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """By uid (a clashing number gets the next free one)."""
    added = 0
    names = ", ".join(COLUMNS["suggestions"])
    marks = ", ".join("?" for _ in COLUMNS["suggestions"])
    for row in rows:
        data = list(row)
        if conn.execute("SELECT 1 FROM suggestions WHERE uid = ?", [data[0]]).fetchone():
            continue
        if conn.execute("SELECT 1 FROM suggestions WHERE number = ?", [data[1]]).fetchone():
            data[1] = next_suggestion_number(conn)
        if (
            data[4] is not None
            and conn.execute("SELECT 1 FROM suggestions WHERE form = ?", [data[4]]).fetchone()
        ):
            continue  # that form's suggestion is already in the ledger
        conn.execute(f"INSERT INTO suggestions ({names}) VALUES ({marks})", data)
        added += 1
    report.added["suggestions"], report.already["suggestions"] = added, len(rows) - added


def _step_suggestion_history(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    added = 0
    for suggestion, at, operator, field_name, old, new in rows:
        if conn.execute(
            "SELECT 1 FROM suggestion_history WHERE suggestion = ? AND at = ? AND field = ? AND new IS ?",
            [suggestion, at, field_name, new],
        ).fetchone():
            continue
        conn.execute(
            "INSERT INTO suggestion_history (suggestion, at, operator, field, old, new) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [suggestion, at, operator, field_name, old, new],
        )
        added += 1
    report.added["suggestion_history"] = added


def _step_activity(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """The supervisors' audit trail."""
    added = 0
    for at, action, number, detail in rows:
        if conn.execute(
            "SELECT 1 FROM activity WHERE at = ? AND action = ? AND number IS ? AND detail = ?",
            [at, action, number, detail],
        ).fetchone():
            continue
        conn.execute(
            "INSERT INTO activity (at, action, number, detail) VALUES (?, ?, ?, ?)",
            [at, action, number, detail],
        )
        added += 1
    report.added["activity"] = added


def _step_roll_marks(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    """Roll-call marks never change once written: by uid, in any order (issue 19)."""
    # rows ignored as already there are not counted: no COUNT(*) of the office's table
    added = conn.executemany(
        "INSERT OR IGNORE INTO roll_marks (uid, stop, bus, number, mark, reason, method, at, station, "
        "operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    ).rowcount
    report.added["roll_marks"], report.already["roll_marks"] = added, len(rows) - added


def _step_departures(conn: sqlite3.Connection, rows: list[Row], report: MergeReport) -> None:
    # rows ignored as already there are not counted: no COUNT(*) of the office's table
    added = conn.executemany(
        "INSERT OR IGNORE INTO departures (uid, stop, bus, at, expected, missing, anyway, station, "
        "operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    ).rowcount
    report.added["departures"], report.already["departures"] = added, len(rows) - added


STEPS: dict[str, Callable[[sqlite3.Connection, list[Row], MergeReport], None]] = {
    "walk_ins": _step_walk_ins,
    "scans": _step_scans,
    "checkins": _step_checkins,
    "check_results": _step_check_results,
    "survey_entries": _step_survey_entries,
    "suggestions": _step_suggestions,
    "suggestion_history": _step_suggestion_history,
    "activity": _step_activity,
    "roll_marks": _step_roll_marks,
    "departures": _step_departures,
}


def merge_bundles(
    master: str | Path, bundles: list[str | Path], *, clock: Clock = SYSTEM_CLOCK
) -> list[MergeReport]:
    """Fold bundles into the office file: every bundle checked first, then one transaction."""
    master = Path(master)
    with _no_cycle_collection():
        return _merge(master, bundles, clock)


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while bundles are read and merged: their rows are a
    million small lists and tuples (no cycles among them), and each pass of the collector walked
    all of them again — an eighth of the merge's CPU time. Back as it was afterwards."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _merge(master: Path, bundles: list[str | Path], clock: Clock) -> list[MergeReport]:
    office = _read_office(master)
    checked = [read_bundle(Path(b), office) for b in bundles]
    reports = []
    from checkin.files import _record

    try:
        with open_db(master) as db:
            # room for the pages one merge touches (the indexes of scans, check-ins and check
            # results by random uid): with SQLite's default 2 MB, each bundle of 10,000 rows
            # re-read the same index pages from the file again and again. For this connection
            # only (32 MiB), closed with the merge; memory used only as pages are read.
            db.conn.execute(MERGE_CACHE)
            with write_transaction(db):
                for bundle in checked:
                    report = MergeReport(bundle=bundle.bundle, station=bundle.station)
                    for table, step in STEPS.items():
                        step(db.conn, bundle.tables[table], report)
                    db.conn.execute(
                        "INSERT OR IGNORE INTO merged_bundles (bundle, station, exported_at, merged_at) "
                        "VALUES (?, ?, ?, ?)",
                        [bundle.bundle, bundle.station, bundle.exported_at, stamp(clock)],
                    )
                    _record(db, "merged", bundle.path, bundle.station)
                    reports.append(report)
    except sqlite3.DatabaseError as exc:
        # a constraint the validation did not foresee: rolled back whole, the file unchanged
        why = "constraint" if isinstance(exc, sqlite3.IntegrityError) else "office"
        raise CheckinError("sync14.merge_failed", error=_words("sync14.corrupt_why", why)) from None
    return reports


def attendance_fingerprint(db_path: str | Path) -> str:
    """A digest of who is in (number, earliest check-in time) — equal for equal attendance."""
    with open_db(db_path) as db:
        rows = db.execute("SELECT number, at FROM live_checkins ORDER BY number").fetchall()
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()
