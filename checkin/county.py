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
from checkin.i18n import tr
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


def _pct(expression: str) -> str:
    return f"CASE WHEN {expression} IS NULL THEN NULL ELSE printf('%.1f%%', {expression} * 100) END"


@county_migrations()
def c003_i20_views_in_percent(db: Database) -> None:
    """The Chinese views show shares and rates as the county table does (55.6%, not 0.5556)."""
    db.execute("DROP VIEW 单位一览")
    db.execute(
        f"""
        CREATE VIEW 单位一览 AS
        SELECT u.name AS 单位, u.kind AS 类别, u.contact AS 联系人, u.phone AS 联系电话,
            CASE WHEN p.n IS NULL THEN '未报备' ELSE '已报备' END AS 计划报备,
            p.filed AS 报备日期, p.dates AS 活动日期,
            CASE WHEN r.came > 0 THEN '是' ELSE '否' END AS 已举办,
            r.invited AS 邀请, r.came AS 实到, {_pct("r.share")} AS 群众代表比例,
            {_pct("r.satisfaction")} AS 满意率,
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
                          -- the unit's own figure when it held one event, as the county table shows it
                          CASE WHEN COUNT(*) = 1 AND MAX(citizen_share) IS NOT NULL THEN MAX(citizen_share)
                               ELSE SUM(citizens_came) * 1.0 / NULLIF(SUM(came), 0) END AS share,
                          SUM(satisfaction * forms) / NULLIF(SUM(CASE WHEN satisfaction IS NULL THEN 0
                                                                      ELSE forms END), 0) AS satisfaction,
                          MIN(received_on) AS received, MIN(posted_on) AS posted
                   FROM results GROUP BY unit) r ON r.unit = u.name
        ORDER BY u.line
        """
    )
    db.execute("DROP VIEW 活动结果")
    db.execute(
        f"""
        CREATE VIEW 活动结果 AS
        SELECT unit AS 单位, title AS 活动名称, date AS 活动日期, invited AS 邀请, came AS 实到,
            citizens_came AS 群众代表实到, {_pct("citizen_share")} AS 群众代表比例, forms AS 有效问卷,
            {_pct("satisfaction")} AS 满意率, received_on AS 报送日期, announced_on AS 公告日期,
            posted_on AS 网站展示日期, posted_url AS 网站展示网址
        FROM results ORDER BY unit, date
        """
    )


@county_migrations()
def c004_a20_share_of_those_taking_a_place(db: Database) -> None:
    """单位一览's citizen share of a unit with several days is of those who take a place (reporters
    do not: 媒体记者不占用名额), as `checkin county status` gives it; it divided by all who came."""
    counted = (
        "came - (SELECT COALESCE(SUM(json_extract(j.value, '$.came')), 0) "
        "FROM json_each(results.by_category) j "
        "WHERE COALESCE(json_extract(j.value, '$.takes_place'), j.key != 'media') = 0)"
    )
    db.execute("DROP VIEW 单位一览")
    db.execute(
        f"""
        CREATE VIEW 单位一览 AS
        SELECT u.name AS 单位, u.kind AS 类别, u.contact AS 联系人, u.phone AS 联系电话,
            CASE WHEN p.n IS NULL THEN '未报备' ELSE '已报备' END AS 计划报备,
            p.filed AS 报备日期, p.dates AS 活动日期,
            CASE WHEN r.came > 0 THEN '是' ELSE '否' END AS 已举办,
            r.invited AS 邀请, r.came AS 实到, {_pct("r.share")} AS 群众代表比例,
            {_pct("r.satisfaction")} AS 满意率,
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
                          CASE WHEN COUNT(*) = 1 AND MAX(citizen_share) IS NOT NULL THEN MAX(citizen_share)
                               ELSE SUM(citizens_came) * 1.0 / NULLIF(SUM({counted}), 0) END AS share,
                          SUM(satisfaction * forms) / NULLIF(SUM(CASE WHEN satisfaction IS NULL THEN 0
                                                                      ELSE forms END), 0) AS satisfaction,
                          MIN(received_on) AS received, MIN(posted_on) AS posted
                   FROM results GROUP BY unit) r ON r.unit = u.name
        ORDER BY u.line
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


def _rule(name: str) -> str:
    """A rule as the county wrote it in its file, with its words: max_per_site（每个开放点人数上限）."""
    return tr("county.rule_named", rule=name, words=tr(f"county.rule.{name}"))


def _as_date(name: str, value: Any, source: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise CheckinError(
            "county.rules_bad_value", path=source, name=_rule(name), value=shown(value, 40)
        ) from None


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
                    "county.rules_wrong_year", path=source, name=_rule(name), value=str(day), year=year
                )
            setattr(rules, name, day)
        elif name in _INT_RULES:
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 1000:
                raise CheckinError(
                    "county.rules_bad_value", path=source, name=_rule(name), value=shown(value, 40)
                )
            setattr(rules, name, value)
        elif name in _BOOL_RULES:
            if not isinstance(value, bool):
                raise CheckinError(
                    "county.rules_bad_value", path=source, name=_rule(name), value=shown(value, 40)
                )
            setattr(rules, name, value)
        elif name == "min_citizen_share":
            try:
                text = str(value).strip()
                share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
            except (ValueError, ZeroDivisionError):
                raise CheckinError(
                    "county.rules_bad_value", path=source, name=_rule(name), value=shown(value, 40)
                ) from None
            if not 0 <= share <= 1:
                raise CheckinError(
                    "county.rules_bad_value", path=source, name=_rule(name), value=shown(value, 40)
                )
            rules.min_citizen_share = share
    if rules.window_end < rules.window_start:
        raise CheckinError("county.rules_window", path=source)
    if rules.plan_deadline is None and rules.plan_lead is None:
        raise CheckinError("county.rules_no_plan_deadline", path=source)
    if rules.max_per_site < 1:
        raise CheckinError("county.rules_bad_value", path=source, name=_rule("max_per_site"), value="0")
    return rules


def load_rules_file(path: str | Path, year: int) -> Rules:
    path = Path(path)
    if not path.is_file():
        raise CheckinError("county.rules_missing", path=str(path))
    if path.stat().st_size > 64 * 1024:
        raise CheckinError("county.rules_invalid", path=str(path), error="> 64 KB")
    try:
        raw = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError:
        error = tr("county.problem.not_utf8")
        raise CheckinError("county.rules_invalid", path=str(path), error=error) from None
    except tomllib.TOMLDecodeError as exc:  # where, in words: never the parser's English
        from checkin.tomlfile import toml_position

        line, column = toml_position(exc)
        error = tr("county.problem.not_toml_rules", line=line, column=column)
        raise CheckinError("county.rules_invalid", path=str(path), error=error) from None
    except RecursionError:
        error = tr("county.problem.too_deep")
        raise CheckinError("county.rules_invalid", path=str(path), error=error) from None
    table = raw.get("rules", raw)
    if not isinstance(table, dict):
        raise CheckinError("county.rules_invalid", path=str(path), error="[rules]")
    if "year" in table:
        if table["year"] != year:
            raise CheckinError(
                "county.rules_wrong_year",
                path=str(path),
                name=_rule("year"),
                value=shown(table["year"]),
                year=year,
            )
        table = {k: v for k, v in table.items() if k != "year"}
    return rules_from_mapping(table, year, str(path))


def rules_template(year: int) -> str:
    """The shipped, commented rules file (data/county/rules.toml) with its dates in `year`."""
    from checkin.paths import data_dir

    if not 2000 <= year <= 2100:
        raise CheckinError("county.bad_year", value=year)
    text = (data_dir() / "county" / "rules.toml").read_text(encoding="utf-8")
    return text.replace("2026-", f"{year}-")


def rules_of(db: Database) -> Rules:
    info = county_info(db)
    try:
        raw = tomllib.loads(str(info["rules"]))
        table = {k: v for k, v in raw["rules"].items() if k != "year"}
        year = int(info["year"])
    except (tomllib.TOMLDecodeError, KeyError, AttributeError, TypeError, ValueError):
        raise CheckinError("county.damaged") from None
    return rules_from_mapping(table, year, "county.db")


@contextmanager
def stored_facts() -> Iterator[None]:
    """Reading what the county file holds (dates, JSON, numbers): a value changed by hand in
    another program (DB Browser) is said in words, not as the parser's English or a traceback."""
    try:
        yield
    except (ValueError, TypeError, KeyError, AttributeError):
        raise CheckinError("county.damaged") from None


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
    # the headers a county's own list uses (compared after NFKC, without spaces, `*` or `：`)
    **dict.fromkeys(
        ("单位", "单位名称", "名称", "单位全称", "责任单位", "开放单位", "开放主体", "部门", "部门名称",
         "单位(部门)", "部门(单位)", "部门(单位)名称", "单位(部门)名称", "乡镇(街道)/部门", "name", "unit"),
        "name",
    ),
    **dict.fromkeys(
        ("类别", "单位类别", "类型", "单位类型", "单位性质", "性质", "分类", "所属类别", "kind"), "kind"
    ),
    **dict.fromkeys(
        ("联系人", "联系人姓名", "负责人", "经办人", "联络员", "联系人员", "contact"), "contact"
    ),
    **dict.fromkeys(
        ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "办公电话", "联系手机",
         "phone"),
        "phone",
    ),
}  # fmt: skip
UNIT_HEADER_ROWS = 15  # the header is looked for in this many rows (a title line may stand above it)
MAX_UNITS_BYTES = 10 * 1024 * 1024
MAX_UNIT_ROWS = 5000  # a county has some hundred units
MAX_UNIT_COLUMNS = 50


def _unit_header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", "" if cell is None else str(cell))
    return "".join(text.split()).lower().strip("*：:")


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
    warnings: list[tuple[int, str]] = field(default_factory=list)
    header_line: int = 1


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Trimmed (full-width spaces too), control characters refused; the spelling is kept as given
    (`乡镇（街道）` stays full-width; names are compared with `unit_key`)."""
    text = ("" if value is None else str(value)).strip().strip("\u3000\ufeff\xa0").strip()
    if has_control(text) or any(unicodedata.category(c) == "Cc" for c in text):
        raise CheckinError("county.control_chars")
    if len(text) > limit:
        raise CheckinError("county.too_long", limit=limit)
    return text


# the fields of a plan or results file, as the refusals name them (county.field.*)
FILE_FIELDS = (
    "file", "format", "year", "unit", "event_id", "title", "theme", "date", "starts", "ends", "sites",
    "site_name", "site_people", "capacity", "places", "place_label", "place_count", "citizen_share",
    "announce_on", "announce_url", "exported_at", "results_info", "event_title", "organiser", "event_date",
    "attended", "forms_counted", "overall_satisfaction", "figures", "figures_category", "figures_invited",
    "figures_arrived", "figures_total", "publicity", "publicity_on_date", "publicity_url", "ledger",
    "ledger_number", "ledger_status", "ledger_due_date", "ledger_replied_at",
)  # fmt: skip
FILE_PROBLEMS = (
    "missing", "not_text", "not_number", "not_date", "not_time", "not_share", "bad_url", "duplicate",
    "too_many", "bad_id", "total", "bad_status", "one_row", "too_big", "not_utf8", "not_toml",
    "no_plan_table", "unknown_keys", "damaged", "datetime", "posted_before", "announced_after", "too_deep",
)  # fmt: skip


def shown(value: Any, limit: int = 20) -> str:
    """A value from a hostile file, fit to be shown back: control characters removed, cut short."""
    from checkin.textcheck import clean_text as strip_controls

    text = strip_controls(str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def file_problem(key: str, path: Path | str, field: str, problem: str, **params: Any) -> CheckinError:
    """A refusal of a plan or results file (`key`), naming the file, the field and the problem in
    words (计划人数：应为 1–100000 的整数（文件中为“二十”）) — never the file's key or a code."""
    if field not in FILE_FIELDS or problem not in FILE_PROBLEMS:
        raise ValueError(f"{field}/{problem}")
    words = tr(f"county.problem.{problem}", **params)
    if field != "file":  # the whole file: the problem alone
        words = tr("county.bad_field", field=tr(f"county.field.{field}"), problem=words)
    return CheckinError(key, path=Path(path).name, error=words)


def unit_key(name: str) -> str:
    """Names compare after NFKC and without spaces: `科技局` = `科技局 ` = `科 技 局`."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def bare_key(name: str, county: str | None = None) -> str:
    """A unit's name without the county it belongs to, which the list or a unit may write or
    leave out: `县科技局` = `沂水县科技局` = `科技局` (used only when it names one unit alone)."""
    key = unit_key(name)
    for prefix in (unit_key(county) if county else "", "县"):
        if prefix and key.startswith(prefix) and len(key) > len(prefix):
            key = key[len(prefix) :]
    return key


def _match(name: str, names: list[str], county: str | None) -> str | None:
    """The one name of `names` that is `name` (spelt alike, or alike once the county is left out)."""
    key = unit_key(name)
    for candidate in names:
        if unit_key(candidate) == key:
            return candidate
    bare = bare_key(name, county)
    found = [candidate for candidate in names if bare_key(candidate, county) == bare]
    return found[0] if len(found) == 1 else None


def _cell_text(value: Any) -> Any:
    """A number typed into a cell (a phone number Excel keeps as 13800000001.0) as its digits."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return str(value)
    return value


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "xl/workbook.xml" in package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _xlsx_grid(data: bytes, path: Path) -> list[list[Any]]:
    """The first visible sheet of an .xlsx, read row by row and only as far as a list of units
    goes: a stray value typed in Excel's last cell (XFD1048576) makes the whole-sheet readers
    try to hold 17 billion cells and the program dies."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"] or book.worksheets
            rows = sheets[0].iter_rows(max_row=MAX_UNIT_ROWS + 1, max_col=MAX_UNIT_COLUMNS, values_only=True)
            grid = [[_cell_text(c) for c in row] for row in rows]
        finally:
            book.close()
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError, AttributeError):
        raise CheckinError("county.units_unreadable", path=str(path)) from None
    if len(grid) > MAX_UNIT_ROWS and any(c not in (None, "") for c in grid[MAX_UNIT_ROWS]):
        raise CheckinError("county.units_too_many", path=str(path), limit=MAX_UNIT_ROWS)
    return grid[:MAX_UNIT_ROWS]


def _grid(path: Path) -> list[list[Any]]:
    """The first visible sheet of a workbook (.xlsx, .xls, .ods) or a CSV/text table."""
    size = path.stat().st_size
    if size > MAX_UNITS_BYTES:
        raise CheckinError("county.units_too_big", path=str(path))
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04") and _is_xlsx(data):
        return _xlsx_grid(data, path)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # .ods, .xls
        from python_calamine import CalamineWorkbook, SheetVisibleEnum

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            visible = [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
            sheet = book.get_sheet_by_name((visible or list(book.sheet_names))[0])
            rows = sheet.to_python(skip_empty_area=False)
        except BaseException as exc:  # the reader's own errors, or a panic on a damaged file
            if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
                raise
            raise CheckinError("county.units_unreadable", path=str(path)) from None
        return [[_cell_text(c) for c in row] for row in rows]
    from checkin.sheets import detect_encoding

    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CheckinError("county.units_unreadable", path=str(path))
    try:
        text = data.decode(detect_encoding(data)).lstrip("\ufeff")
    except (CheckinError, UnicodeDecodeError):
        raise CheckinError("county.units_unreadable", path=str(path)) from None
    sample = [line for line in text.splitlines()[: UNIT_HEADER_ROWS + 5] if line.strip()]
    delimiter = max(("\t", ",", ";", "，"), key=lambda d: max((line.count(d) for line in sample), default=0))
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:
        raise CheckinError("county.units_unreadable", path=str(path)) from None


def _find_unit_header(grid: list[list[Any]]) -> tuple[int, dict[str, int]] | None:
    """The first row near the top that names the unit column (a title line may stand above it)."""
    for index, row in enumerate(grid[:UNIT_HEADER_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            name = UNIT_HEADERS.get(_unit_header_key(cell))
            if name and name not in columns:
                columns[name] = position
        if "name" in columns:
            return index, columns
    return None


def read_units(path: str | Path) -> UnitImport:
    """The county's list of units (单位名称, 类别, 联系人, 联系电话) from .xlsx/.xls/.ods or .csv."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    grid = _grid(path)
    if not any(any(c not in (None, "") for c in row) for row in grid):
        raise CheckinError("import.empty", path=str(path))
    found = _find_unit_header(grid)
    if found is None:
        raise CheckinError("county.units_no_name", path=str(path))
    header_row, columns = found
    result = UnitImport(header_line=header_row + 1)
    seen: dict[str, int] = {}

    def cell(values: list[Any], name: str) -> Any:
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    for line, values in enumerate(grid[header_row + 1 :], start=header_row + 2):
        if not any(c not in (None, "") for c in values):
            continue
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
        except CheckinError as exc:
            result.rejected.append((line, exc.message()))
            continue
        phone: str | None = None
        if raw_phone:
            try:
                phone = parse_phone(raw_phone)
            except CheckinError:
                # county staff call this number: kept as written (an extension, two numbers), and said
                phone = raw_phone
                result.warnings.append((line, tr("county.unit_phone_kept", unit=name, phone=raw_phone)))
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


@dataclass
class UnitsUpdate:
    imported: UnitImport
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)  # on the file's list, not on the new one
    removed: list[str] = field(default_factory=list)  # not on the new one, nothing filed: gone
    same: list[tuple[str, str]] = field(default_factory=list)  # (new list's spelling, the file's)


def update_units(db: Database, units_file: str | Path) -> UnitsUpdate:
    """Take a new list of units into a county file during the year: a new contact or phone is
    recorded, a new unit added; a unit missing from the new list is kept (its plans and results
    stay), listed last and said; one that filed nothing is taken off (it no longer owes an open
    day). The names already in the file keep their spelling, also when the new list adds or
    drops the county's name (`县科技局` for `科技局`): that is the same unit, not a new one."""
    imported = read_units(units_file)
    if not imported.units:
        raise CheckinError("county.no_units", path=str(units_file))
    result = UnitsUpdate(imported)
    county = county_info(db)["name"]
    existing = {unit_key(u.name): u for u in units(db)}
    new_names = [u.name for u in imported.units]
    seen: set[str] = set()
    with write_transaction(db):
        for unit in imported.units:
            key = unit_key(unit.name)
            old = existing.get(key)
            if old is None:
                # the same unit with or without the county's name, when each list has it once
                match = _match(unit.name, [u.name for u in existing.values()], county)
                if match is not None and _match(match, new_names, county) == unit.name:
                    old = existing[unit_key(match)]
                    key = unit_key(match)
                    result.same.append((unit.name, old.name))
            seen.add(key)
            if old is None:
                db.execute(
                    "INSERT INTO units (name, kind, contact, phone, line) VALUES (?, ?, ?, ?, ?)",
                    [unit.name, unit.kind, unit.contact, unit.phone, unit.line],
                )
                result.added.append(unit.name)
                continue
            if (old.kind, old.contact, old.phone) == (unit.kind, unit.contact, unit.phone):
                result.unchanged += 1
            else:
                result.updated.append(old.name)
            db.execute(
                "UPDATE units SET kind = ?, contact = ?, phone = ?, line = ? WHERE name = ?",
                [unit.kind, unit.contact, unit.phone, unit.line, old.name],
            )
        last = max(u.line for u in imported.units)
        for key, old in existing.items():
            if key in seen:
                continue
            filed = db.execute(
                "SELECT 1 FROM plans WHERE unit = ? UNION ALL SELECT 1 FROM results WHERE unit = ? "
                "UNION ALL SELECT 1 FROM received_files WHERE unit = ? LIMIT 1",
                [old.name, old.name, old.name],
            ).fetchone()
            if filed is None:
                db.execute("DELETE FROM breaches WHERE unit = ?", [old.name])
                db.execute("DELETE FROM units WHERE name = ?", [old.name])
                result.removed.append(old.name)
                continue
            last += 1
            db.execute("UPDATE units SET line = ? WHERE name = ?", [last, old.name])
            result.kept.append(old.name)
        from checkin.plans import refresh_breaches  # the 问题清单 Datasette shows, for the new list

        as_of = db.execute("SELECT MAX(as_of) FROM breaches").fetchone()[0]
        refresh_breaches(db, dt.date.fromisoformat(as_of) if as_of else dt.date.today())
    return result


def units(db: Database) -> list[Unit]:
    return [
        Unit(r["name"], r["kind"], r["contact"], r["phone"], r["line"])
        for r in db.query("SELECT * FROM units ORDER BY line")
    ]


def refuse_own_file(db: Database, files: list[str | Path]) -> None:
    """The county file itself named among the files to take in (`county results --db county.db
    *.db`) is refused before it is read: reading it with open() while this process holds its
    SQLite connection would drop SQLite's locks on it (POSIX)."""
    import os

    own = next((str(r[2]) for r in db.execute("PRAGMA database_list") if r[1] == "main"), "")
    for given in files:
        path = Path(given)
        try:
            same = bool(own) and path.exists() and os.path.samefile(path, own)
        except OSError:
            same = False
        if same:
            raise CheckinError("county.own_file", path=path.name)


def find_unit(db: Database, name: str, file: str) -> str:
    """The county's spelling of a unit named in a file (`县科技局` for the list's `科技局` when no
    other unit is `科技局` without the county's name), or a refusal naming it."""
    found = _match(name, [u.name for u in units(db)], county_info(db)["name"])
    if found is None:
        raise CheckinError("county.unknown_unit", name=shown(name, MAX_TEXT), path=file)
    return found


# ---------------------------------------------------------------- Datasette


def datasette_metadata(db_path: str | Path, out: str | Path) -> Path:
    """The shipped Datasette metadata (data/datasette/county.json), keyed by the name Datasette
    gives this file (its name without the suffix: 沂水县2026.db → 沂水县2026)."""
    import json

    from checkin.paths import data_dir

    shipped = json.loads((data_dir() / "datasette" / "county.json").read_text(encoding="utf-8"))
    config = shipped["databases"].pop("county")
    shipped["databases"][Path(db_path).stem] = config
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(shipped, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
