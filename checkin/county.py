"""The county office's file (政务公开办公室): every unit's open day of one year in one SQLite file.

Seed 004 asks each unit (乡镇（街道）, 县政府部门, 企事业单位) to hold at least one open day a year in
a window (9月中旬至10月底), to file its plan by a date (9月15日前报县政务公开办公室备案), to announce
it 15 days before, to keep each open site to 30 people with 群众代表 at least one third, and to post
the result on the website within 5 working days. The county file holds the units, that year's
rules, the plans the units filed and the results they sent; `checkin.county_status` turns
them into the table the annual 政务公开考核 needs.

The county file is its own kind of file with its own schema (migration set `county`): the
event commands refuse it, and `checkin run` recognises it and opens the county screen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sqlite3
import tomllib
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from checkin.errors import CheckinError
from checkin.phone import parse_phone
from checkin.storage import BUSY_TIMEOUT_MS, _restrict_mode, storage_error, write_transaction
from checkin.textcheck import has_control

if TYPE_CHECKING:
    from checkin.workdays import Calendar

COUNTY_SET = "county"
COUNTY_MARKER = "county_info"
MAX_TEXT = 100

county_migrations = Migrations(COUNTY_SET)


@county_migrations()
def c001_i20_county(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE county_info (
            year INTEGER NOT NULL,
            name TEXT,
            office TEXT,
            rules TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE units (
            name TEXT PRIMARY KEY,
            kind TEXT,
            contact TEXT,
            phone TEXT,
            line INTEGER NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE plans (
            event_id TEXT PRIMARY KEY,
            unit TEXT NOT NULL REFERENCES units(name),
            title TEXT NOT NULL,
            theme TEXT,
            date TEXT NOT NULL,
            starts TEXT,
            ends TEXT,
            sites TEXT NOT NULL,
            capacity INTEGER NOT NULL,
            places TEXT NOT NULL,
            citizen_share TEXT NOT NULL,
            announce_on TEXT,
            announce_url TEXT,
            exported_at TEXT NOT NULL,
            received_on TEXT NOT NULL,
            file_sha256 TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX plans_unit ON plans(unit)")
    db.execute(
        """
        CREATE TABLE results (
            event_id TEXT PRIMARY KEY,
            unit TEXT NOT NULL REFERENCES units(name),
            title TEXT,
            date TEXT NOT NULL,
            exported_at TEXT NOT NULL,
            received_on TEXT NOT NULL,
            file_sha256 TEXT NOT NULL,
            invited INTEGER NOT NULL,
            came INTEGER NOT NULL,
            citizens_invited INTEGER NOT NULL,
            citizens_came INTEGER NOT NULL,
            citizen_share REAL,
            by_category TEXT NOT NULL,
            forms INTEGER NOT NULL,
            satisfaction REAL,
            announced_on TEXT,
            posted_on TEXT,
            posted_url TEXT
        )
        """
    )
    db.execute("CREATE INDEX results_unit ON results(unit)")
    db.execute(
        """
        CREATE TABLE result_suggestions (
            event_id TEXT NOT NULL REFERENCES results(event_id),
            number TEXT NOT NULL,
            status TEXT NOT NULL,
            due_date TEXT,
            closed_on TEXT,
            PRIMARY KEY (event_id, number)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE received_files (
            sha256 TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('plan', 'results')),
            unit TEXT NOT NULL,
            event_id TEXT NOT NULL,
            received_on TEXT NOT NULL,
            file TEXT NOT NULL
        )
        """
    )
    # the working-day calendar, as in an event file (loaded years of holidays)
    db.execute("CREATE TABLE calendar_years (year INTEGER PRIMARY KEY, source TEXT NOT NULL)")
    db.execute(
        "CREATE TABLE calendar_days (year INTEGER NOT NULL, day TEXT NOT NULL, kind TEXT NOT NULL "
        "CHECK (kind IN ('holiday', 'workday')), PRIMARY KEY (day))"
    )
    # the breaches as of the last import, for Datasette (the program computes them afresh)
    db.execute(
        """
        CREATE TABLE breaches (
            id INTEGER PRIMARY KEY,
            unit TEXT NOT NULL,
            stage TEXT NOT NULL,
            text TEXT NOT NULL,
            as_of TEXT NOT NULL
        )
        """
    )


@county_migrations()
def c002_i20_views(db: Database) -> None:
    """Views with Chinese names and headings, for Datasette (data/datasette/county.json)."""
    db.execute(
        """
        CREATE VIEW 单位一览 AS
        SELECT u.name AS 单位, u.kind AS 类别, u.contact AS 联系人, u.phone AS 联系电话,
            CASE WHEN p.n IS NULL THEN '未报备' ELSE '已报备' END AS 计划报备,
            p.filed AS 报备日期, p.dates AS 活动日期,
            CASE WHEN r.came > 0 THEN '是' ELSE '否' END AS 已举办,
            r.invited AS 邀请, r.came AS 实到, r.share AS 群众代表比例, r.satisfaction AS 满意率,
            r.received AS 结果报送日期, r.posted AS 网站展示日期,
            (SELECT COUNT(*) FROM breaches b WHERE b.unit = u.name) AS 问题数,
            CASE WHEN p.n IS NULL THEN '未报备计划'
                 WHEN r.n IS NULL THEN '未报送结果'
                 WHEN EXISTS (SELECT 1 FROM breaches b WHERE b.unit = u.name) THEN '存在问题'
                 ELSE '符合要求' END AS 状态
        FROM units u
        LEFT JOIN (SELECT unit, COUNT(*) AS n, MIN(received_on) AS filed, group_concat(date, '、') AS dates
                   FROM plans GROUP BY unit) p ON p.unit = u.name
        LEFT JOIN (SELECT unit, COUNT(*) AS n, SUM(invited) AS invited, SUM(came) AS came,
                          ROUND(AVG(citizen_share), 4) AS share, ROUND(AVG(satisfaction), 4) AS satisfaction,
                          MIN(received_on) AS received, MIN(posted_on) AS posted
                   FROM results GROUP BY unit) r ON r.unit = u.name
        ORDER BY u.line
        """
    )
    db.execute(
        """
        CREATE VIEW 问题清单 AS
        SELECT unit AS 单位, CASE stage WHEN 'plan' THEN '计划' ELSE '结果' END AS 环节,
            text AS 问题, as_of AS 统计截至
        FROM breaches ORDER BY id
        """
    )
    db.execute(
        """
        CREATE VIEW 活动计划 AS
        SELECT unit AS 单位, title AS 活动名称, theme AS 活动主题, date AS 活动日期, starts AS 开始,
            ends AS 结束, sites AS 开放点, capacity AS 计划人数, places AS 名额,
            citizen_share AS 群众代表比例,
            announce_on AS 公告日期, announce_url AS 公告网址, received_on AS 报备日期
        FROM plans ORDER BY unit, date
        """
    )
    db.execute(
        """
        CREATE VIEW 活动结果 AS
        SELECT unit AS 单位, title AS 活动名称, date AS 活动日期, invited AS 邀请, came AS 实到,
            citizens_came AS 群众代表实到, citizen_share AS 群众代表比例, forms AS 有效问卷,
            satisfaction AS 满意率, received_on AS 报送日期, announced_on AS 公告日期,
            posted_on AS 网站展示日期, posted_url AS 网站展示网址
        FROM results ORDER BY unit, date
        """
    )
    db.execute(
        """
        CREATE VIEW 意见建议 AS
        SELECT r.unit AS 单位, s.number AS 编号,
            CASE s.status WHEN 'pending' THEN '待办' WHEN 'assigned' THEN '交办'
                WHEN 'transferred' THEN '转办' WHEN 'in_progress' THEN '办理中'
                WHEN 'resolved' THEN '已办结' WHEN 'replied' THEN '已反馈' ELSE s.status END AS 状态,
            s.due_date AS 单位办理期限, s.closed_on AS 反馈日期
        FROM result_suggestions s JOIN results r ON r.event_id = s.event_id
        ORDER BY r.unit, s.number
        """
    )


KNOWN_COUNTY_MIGRATIONS = frozenset(m.name for m in county_migrations._migrations)


# ---------------------------------------------------------------- the rules


@dataclass
class Rules:
    """The county's rules for one year; defaults are seed 004's."""

    year: int
    window_start: dt.date
    window_end: dt.date
    # 9月15日前……备案 (a date), and/or 提前N日 / 提前N个工作日 before the event
    plan_deadline: dt.date | None
    plan_lead: int | None = None
    plan_lead_working: bool = False
    announce_lead_days: int = 15
    max_per_site: int = 30
    min_citizen_share: Fraction = Fraction(1, 3)
    report_due: int = 2
    report_due_working: bool = False
    posting_due: int = 5
    posting_due_working: bool = True
    suggestion_working_days: int = 15
    min_events: int = 1

    @classmethod
    def defaults(cls, year: int) -> Rules:
        return cls(
            year=year,
            window_start=dt.date(year, 9, 15),
            window_end=dt.date(year, 10, 31),
            plan_deadline=dt.date(year, 9, 15),
        )

    def to_toml(self) -> str:
        lines = ["[rules]"]
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool):
                lines.append(f"{f.name} = {'true' if value else 'false'}")
            elif isinstance(value, dt.date | int):
                lines.append(f"{f.name} = {value.isoformat() if isinstance(value, dt.date) else value}")
            else:
                lines.append(f'{f.name} = "{value}"')
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Fraction):
                value = str(value)
            out[f.name] = value
        return out


_INT_RULES = (
    "plan_lead",
    "announce_lead_days",
    "max_per_site",
    "report_due",
    "posting_due",
    "suggestion_working_days",
    "min_events",
)
_BOOL_RULES = ("plan_lead_working", "report_due_working", "posting_due_working")
_DATE_RULES = ("window_start", "window_end", "plan_deadline")


def _as_date(name: str, value: Any, source: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CheckinError("county.rules_bad_value", path=source, name=name, value=str(value)[:40]) from None


def rules_from_mapping(raw: dict[str, Any], year: int, source: str) -> Rules:
    """Validate a `[rules]` table over the seed defaults; unknown keys and bad values are refused."""
    rules = Rules.defaults(year)
    known = {f.name for f in fields(Rules)} - {"year"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise CheckinError("county.rules_unknown", path=source, keys=", ".join(unknown)[:200])
    for name, value in raw.items():
        if name in _DATE_RULES:
            if name == "plan_deadline" and value in ("", "none", False):
                rules.plan_deadline = None
                continue
            day = _as_date(name, value, source)
            if day.year != year:
                raise CheckinError(
                    "county.rules_wrong_year", path=source, name=name, value=str(day), year=year
                )
            setattr(rules, name, day)
        elif name in _INT_RULES:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
                raise CheckinError("county.rules_bad_value", path=source, name=name, value=str(value)[:40])
            setattr(rules, name, value)
        elif name in _BOOL_RULES:
            if not isinstance(value, bool):
                raise CheckinError("county.rules_bad_value", path=source, name=name, value=str(value)[:40])
            setattr(rules, name, value)
        elif name == "min_citizen_share":
            try:
                text = str(value).strip()
                share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
            except (ValueError, ZeroDivisionError):
                raise CheckinError(
                    "county.rules_bad_value", path=source, name=name, value=str(value)[:40]
                ) from None
            if not 0 <= share <= 1:
                raise CheckinError("county.rules_bad_value", path=source, name=name, value=str(value)[:40])
            rules.min_citizen_share = share
    if rules.window_end < rules.window_start:
        raise CheckinError("county.rules_window", path=source)
    if rules.plan_deadline is None and rules.plan_lead is None:
        raise CheckinError("county.rules_no_plan_deadline", path=source)
    if rules.max_per_site < 1:
        raise CheckinError("county.rules_bad_value", path=source, name="max_per_site", value="0")
    return rules


def load_rules_file(path: str | Path, year: int) -> Rules:
    path = Path(path)
    if not path.is_file():
        raise CheckinError("county.rules_missing", path=str(path))
    if path.stat().st_size > 64 * 1024:
        raise CheckinError("county.rules_invalid", path=str(path), error="> 64 KB")
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CheckinError("county.rules_invalid", path=str(path), error=str(exc)[:200]) from None
    table = raw.get("rules", raw)
    if not isinstance(table, dict):
        raise CheckinError("county.rules_invalid", path=str(path), error="[rules]")
    if "year" in table:
        if table["year"] != year:
            raise CheckinError(
                "county.rules_wrong_year", path=str(path), name="year", value=str(table["year"]), year=year
            )
        table = {k: v for k, v in table.items() if k != "year"}
    return rules_from_mapping(table, year, str(path))


def rules_of(db: Database) -> Rules:
    info = county_info(db)
    raw = tomllib.loads(str(info["rules"]))
    table = {k: v for k, v in raw["rules"].items() if k != "year"}
    return rules_from_mapping(table, int(info["year"]), "county.db")


def county_info(db: Database) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM county_info"))
    if not rows:
        raise CheckinError("county.not_initialised")
    return rows[0]


def county_calendar(db: Database) -> Calendar:
    from checkin.workdays import event_calendar  # the holiday tables: not needed to tell a county file

    return event_calendar(db)


def deadline(calendar: Calendar, start: dt.date, days: int, working: bool) -> dt.date:
    """`days` (working) days after `start`; a calendar-day deadline that falls on a day off moves on."""
    if working:
        return calendar.add_working_days(start, days)
    due = start + dt.timedelta(days=days)
    while not calendar.is_workday(due):
        due += dt.timedelta(days=1)
    return due


def days_before(calendar: Calendar, event_day: dt.date, days: int, working: bool) -> dt.date:
    """The latest day that is `days` (working) days before `event_day`."""
    if not working:
        return event_day - dt.timedelta(days=days)
    current, counted = event_day, 0
    while counted < days:
        current -= dt.timedelta(days=1)
        if calendar.is_workday(current):
            counted += 1
    return current


# ---------------------------------------------------------------- the file


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).fetchone()
    return row is not None


def is_county_file(path: str | Path) -> bool:
    """True when `path` is a county file (read-only look; no migration, no write)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size < 100:
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return False
    try:
        return _has_table(conn, COUNTY_MARKER)
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """SQLite itself opens (and for mode=rwc creates) the file; it is never opened by path outside
    SQLite, so no lock is dropped while the county screen holds a connection."""
    conn = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode={mode}",
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # "not a database" from SQLite
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def open_county(path: str | Path, *, create: bool = False) -> Database:
    """Open (and migrate) a county file; refuses an event file, any other database and a missing file."""
    path = Path(path)
    if path.is_dir():
        raise CheckinError("storage.not_a_file", path=str(path))
    exists = path.exists()
    if not exists and not create:
        raise CheckinError("storage.missing", path=str(path))
    if not exists:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(path, "rw" if exists else "rwc")
    except sqlite3.Error as exc:
        raise storage_error(exc, path) from None
    db = Database(conn, execute_plugins=False)
    try:
        if not db["county_info"].exists() and (db.table_names() or not create):
            raise CheckinError("county.not_county_file", path=str(path))
        applied = {m.name for m in county_migrations.applied(db)}
        unknown = applied - KNOWN_COUNTY_MIGRATIONS
        if unknown:
            raise CheckinError("storage.newer_schema", names=", ".join(sorted(unknown)))
        if county_migrations.pending(db):
            with write_transaction(db):
                county_migrations.apply(db)
    except sqlite3.Error as exc:
        conn.close()
        raise storage_error(exc, path) from None
    except BaseException:
        conn.close()
        raise
    _restrict_mode(path)
    return db


@contextmanager
def county_db(path: str | Path, *, create: bool = False) -> Iterator[Database]:
    db = open_county(path, create=create)
    try:
        yield db
    finally:
        db.conn.close()


# ---------------------------------------------------------------- units


UNIT_HEADERS: dict[str, str] = {
    "单位": "name",
    "单位名称": "name",
    "名称": "name",
    "name": "name",
    "unit": "name",
    "类别": "kind",
    "单位类别": "kind",
    "类型": "kind",
    "单位类型": "kind",
    "kind": "kind",
    "联系人": "contact",
    "contact": "contact",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "phone": "phone",
}


@dataclass
class Unit:
    name: str
    kind: str | None
    contact: str | None
    phone: str | None
    line: int


@dataclass
class UnitImport:
    units: list[Unit] = field(default_factory=list)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Trimmed (full-width spaces too), control characters refused; the spelling is kept as given
    (`乡镇（街道）` stays full-width; names are compared with `unit_key`)."""
    text = ("" if value is None else str(value)).strip().strip("\u3000\ufeff\xa0").strip()
    if has_control(text) or any(unicodedata.category(c) == "Cc" for c in text):
        raise CheckinError("county.control_chars")
    if len(text) > limit:
        raise CheckinError("county.too_long", limit=limit)
    return text


def unit_key(name: str) -> str:
    """Names compare after NFKC and without spaces: `科技局` = `科技局 ` = `科 技 局`."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def _rows(path: Path) -> tuple[list[Any], Iterator[tuple[int, list[Any]]]]:
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
            values = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
            book.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as exc:
            raise CheckinError("import.bad_xlsx", path=str(path), error=str(exc)[:200]) from None
    else:
        from checkin.sheets import detect_encoding

        if path.stat().st_size > 10 * 1024 * 1024:
            raise CheckinError("county.units_too_big", path=str(path))
        data = path.read_bytes()
        if b"\x00" in data[:4096]:
            raise CheckinError("import.not_a_table", path=str(path))
        try:
            values = [
                list(r) for r in csv.reader(io.StringIO(data.decode(detect_encoding(data)), newline=""))
            ]
        except csv.Error as exc:
            raise CheckinError("import.bad_csv", line=0, error=str(exc)) from None
    if not values:
        raise CheckinError("import.empty", path=str(path))
    body = ((n, v) for n, v in enumerate(values[1:], start=2) if any(c not in (None, "") for c in v))
    return values[0], body


def read_units(path: str | Path) -> UnitImport:
    """The county's list of units (单位名称, 类别, 联系人, 联系电话) from .xlsx or .csv."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    header, body = _rows(path)
    columns: dict[str, int] = {}
    for index, head in enumerate(header):
        key = unicodedata.normalize("NFKC", str(head or "")).strip().lower().rstrip("*")
        name = UNIT_HEADERS.get(key)
        if name and name not in columns:
            columns[name] = index
    if "name" not in columns:
        raise CheckinError("county.units_no_name", path=str(path))
    result = UnitImport()
    seen: dict[str, int] = {}

    def cell(values: list[Any], name: str) -> Any:
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    for line, values in body:
        try:
            name = clean_text(cell(values, "name"))
            if not name:
                raise CheckinError("county.unit_name_missing")
            key = unit_key(name)
            if key in seen:
                raise CheckinError("county.unit_duplicate", name=name, first=seen[key])
            kind = clean_text(cell(values, "kind")) or None
            contact = clean_text(cell(values, "contact"), 50) or None
            raw_phone = clean_text(cell(values, "phone"), 40)
            phone = parse_phone(raw_phone) if raw_phone else None
        except CheckinError as exc:
            result.rejected.append((line, exc.message()))
            continue
        seen[key] = line
        result.units.append(Unit(name, kind, contact, phone, line))
    return result


def init_county(
    path: str | Path,
    year: int,
    units_file: str | Path,
    *,
    rules_file: str | Path | None = None,
    name: str | None = None,
    office: str | None = None,
) -> tuple[Rules, UnitImport]:
    """Create the county file for `year` with its units and rules. A bad sheet changes nothing."""
    if not 2000 <= year <= 2100:
        raise CheckinError("county.bad_year", value=year)
    rules = load_rules_file(rules_file, year) if rules_file else Rules.defaults(year)
    imported = read_units(units_file)
    if not imported.units:
        raise CheckinError("county.no_units", path=str(units_file))
    if Path(path).exists() and Path(path).stat().st_size > 0:
        raise CheckinError("county.exists", path=str(path))
    with county_db(path, create=True) as db, write_transaction(db):
        db.table("county_info").insert(
            {
                "year": year,
                "name": clean_text(name) if name else None,
                "office": clean_text(office) if office else None,
                "rules": rules.to_toml(),
                "created_at": dt.datetime.now().isoformat(timespec="seconds"),
            }
        )
        db.table("units").insert_all(
            {"name": u.name, "kind": u.kind, "contact": u.contact, "phone": u.phone, "line": u.line}
            for u in imported.units
        )
    return rules, imported


def units(db: Database) -> list[Unit]:
    return [
        Unit(r["name"], r["kind"], r["contact"], r["phone"], r["line"])
        for r in db.query("SELECT * FROM units ORDER BY line")
    ]


def find_unit(db: Database, name: str) -> str:
    """The county's spelling of a unit named in a file, or a refusal naming it."""
    key = unit_key(name)
    for unit in units(db):
        if unit_key(unit.name) == key:
            return unit.name
    raise CheckinError("county.unknown_unit", name=name[:MAX_TEXT])
