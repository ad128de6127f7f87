"""Results files (`checkin export results`) taken into the county file: idempotent and order-free.

A results file is a unit's secret-free SQLite file. It is hostile until checked: it is opened
read-only (`mode=ro`, `trusted_schema=OFF`), only tables (never views or triggers) are read,
only column names this module knows are asked for — never a name taken from the file — and
every value is typed and bounded before anything is written. All files are checked first; then
one transaction takes them all in, or none.

For one event the file exported last counts (ties: the larger SHA-256), and the report date is
the first day any results file for that event reached the county; so taking the same files in
twice, or in another order, gives the same county file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.county import (
    MAX_TEXT,
    clean_text,
    county_info,
    file_problem,
    find_unit,
    refuse_own_file,
    shown,
    unit_key,
)
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.storage import write_transaction
from checkin.vocab import SuggestionStatus, codes

MAX_RESULTS_BYTES = 200 * 1024 * 1024
MAX_ROWS = 100_000
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_URL = re.compile(r"^https?://[^\s]{1,500}$")
CLOSED_STATUSES = (SuggestionStatus.RESOLVED.value, SuggestionStatus.REPLIED.value)
SUGGESTION_STATUSES = codes(SuggestionStatus)


@dataclass
class Suggestion:
    number: str
    status: str
    due_date: str | None
    closed_on: str | None


@dataclass
class ResultsFile:
    unit: str
    event_id: str
    title: str | None
    date: dt.date
    exported_at: str
    invited: int
    came: int
    citizens_invited: int
    citizens_came: int
    citizen_share: float | None
    by_category: dict[str, dict[str, Any]]  # code → invited, came and the unit's label
    forms: int
    satisfaction: float | None
    announced_on: str | None
    posted_on: str | None
    posted_url: str | None
    suggestions: list[Suggestion] = field(default_factory=list)
    received_on: dt.date = dt.date.min
    sha256: str = ""
    file: str = ""

    def to_row(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "unit": self.unit,
            "title": self.title,
            "date": self.date.isoformat(),
            "exported_at": self.exported_at,
            "received_on": self.received_on.isoformat(),
            "file_sha256": self.sha256,
            "invited": self.invited,
            "came": self.came,
            "citizens_invited": self.citizens_invited,
            "citizens_came": self.citizens_came,
            "citizen_share": self.citizen_share,
            "by_category": json.dumps(self.by_category, ensure_ascii=False, sort_keys=True),
            "forms": self.forms,
            "satisfaction": self.satisfaction,
            "announced_on": self.announced_on,
            "posted_on": self.posted_on,
            "posted_url": self.posted_url,
        }


# ---------------------------------------------------------------- reading a file, defensively


def _bad(path: Path, field: str, problem: str, **params: Any) -> CheckinError:
    return file_problem("county.results_file.invalid", path, field, problem, **params)


def _columns(conn: sqlite3.Connection, table: str) -> set[str] | None:
    """The columns of a real table (not a view) named `table`, or None."""
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone()
    if row is None:
        return None
    return {str(r[1]) for r in conn.execute("SELECT * FROM pragma_table_info(?)", [table])}


def _select(conn: sqlite3.Connection, path: Path, table: str, wanted: Iterable[str]) -> list[dict[str, Any]]:
    """Rows of `table` with the `wanted` columns (our names, checked present; missing → None)."""
    present = _columns(conn, table)
    if present is None:
        raise _bad(path, table, "missing")
    names = [w for w in wanted if w in present]
    if not names:
        return []
    # table and column names are this module's constants, checked against the file's schema
    sql = "SELECT " + ", ".join(f'"{n}"' for n in names) + f' FROM "{table}" LIMIT {MAX_ROWS + 1}'
    rows = [dict(zip(names, r, strict=True)) for r in conn.execute(sql)]
    if len(rows) > MAX_ROWS:
        raise _bad(path, table, "too_many", limit=MAX_ROWS)
    return rows


def _str(value: Any, path: Path, name: str, limit: int = MAX_TEXT) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(path, name, "not_text")
    try:
        return clean_text(value, limit) or None
    except CheckinError as exc:
        words = tr("county.bad_field", field=tr(f"county.field.{name}"), problem=exc.message())
        raise CheckinError("county.results_file.invalid", path=path.name, error=words) from None


def _day(value: Any, path: Path, name: str) -> dt.date | None:
    text = _str(value, path, name, 40)
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise _bad(path, name, "not_date", value=shown(text)) from None


def _count(value: Any, path: Path, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000_000:
        if value is None:
            raise _bad(path, name, "missing")
        raise _bad(path, name, "not_number", low=0, high=10_000_000, value=shown(value))
    return value


SUPPORTED_FORMATS = (1,)
INFO_COLUMNS = (
    "format_version",
    "event_id",
    "event_title",
    "organiser",
    "event_date",
    "exported_at",
    "citizen_share",
    "attended",
    "forms_counted",
    "overall_satisfaction",
)


def read_results(path: str | Path, received_on: dt.date) -> ResultsFile:
    """Read and validate one results file; any problem is a CheckinError naming file and field."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    if path.stat().st_size > MAX_RESULTS_BYTES:
        raise _bad(path, "file", "too_big", limit="200 MB")
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head.startswith(b"SQLite format 3\x00"):
        if b"[plan]" in head:  # a plan file given to `county results`
            raise CheckinError("county.results_file.is_plan", path=path.name)
        raise CheckinError("county.results_file.not_results", path=path.name)
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise _bad(path, "file", "damaged") from None
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        conn.execute("PRAGMA query_only = ON")
        result = _read(conn, path)
    except sqlite3.Error:
        raise _bad(path, "file", "damaged") from None
    finally:
        conn.close()
    result.received_on = received_on
    result.sha256 = digest.hexdigest()
    result.file = path.name
    return result


def _flag(value: Any, default: bool, path: Path) -> bool:
    """A yes/no column of `figures` (1 or 0); absent or empty (an older file): `default`."""
    if value is None:
        return default
    if isinstance(value, bool) or value not in (0, 1):
        raise _bad(path, "figures_category", "bad_status", value=shown(value))
    return bool(value)


def _what_else(conn: sqlite3.Connection) -> str:
    """What a SQLite file sent instead of a results file is, to say so (an event file, a door
    station's pack or results bundle, the county file) — told by its tables."""
    for table, kind in (("county_info", "is_county"), ("pack_seal", "is_pack"), ("bundle_info", "is_bundle")):
        if _columns(conn, table) is not None:
            return kind
    if _columns(conn, "event") is not None and _columns(conn, "people") is not None:
        return "is_event"
    return "not_results"


def _share(value: Any, path: Path, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise _bad(path, name, "not_share", value=shown(value))
    return float(value)


def _read(conn: sqlite3.Connection, path: Path) -> ResultsFile:
    if _columns(conn, "results_info") is None:
        raise CheckinError(f"county.results_file.{_what_else(conn)}", path=path.name)
    rows = _select(conn, path, "results_info", INFO_COLUMNS)
    if len(rows) != 1:
        raise _bad(path, "results_info", "one_row")
    info = rows[0]
    version = info.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version not in SUPPORTED_FORMATS:
        raise CheckinError("county.results_file.bad_format", path=path.name, value=str(version)[:20])
    event_id = info.get("event_id")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise _bad(path, "event_id", "missing" if event_id is None else "bad_id")
    unit = _str(info.get("organiser"), path, "organiser")
    if not unit:
        raise CheckinError("county.results_file.no_unit", path=path.name)
    date = _day(info.get("event_date"), path, "event_date")
    if date is None:
        raise _bad(path, "event_date", "missing")
    exported = _str(info.get("exported_at"), path, "exported_at", 40)
    if exported is None:
        raise _bad(path, "exported_at", "missing")
    try:
        exported_at = dt.datetime.fromisoformat(exported).replace(tzinfo=None, microsecond=0).isoformat()
    except ValueError:
        raise _bad(path, "exported_at", "not_date", value=shown(exported)) from None
    attended = _count(info.get("attended"), path, "attended")
    forms = _count(info.get("forms_counted"), path, "forms_counted")
    satisfaction = _share(info.get("overall_satisfaction"), path, "overall_satisfaction")
    citizen_share = _share(info.get("citizen_share"), path, "citizen_share")

    by_category: dict[str, dict[str, Any]] = {}
    figure_columns = ("category", "category_label", "invited", "arrived", "citizen", "takes_place")
    for row in _select(conn, path, "figures", figure_columns):
        category = _str(row.get("category"), path, "figures_category", 50)
        if not category:
            raise _bad(path, "figures_category", "missing")
        if category in by_category:
            raise _bad(path, "figures_category", "duplicate", value=shown(category))
        by_category[category] = {
            "invited": _count(row.get("invited"), path, "figures_invited"),
            "came": _count(row.get("arrived"), path, "figures_arrived"),
            # the unit's own words for its category (三区人才), as its results file gives them
            "label": _str(row.get("category_label"), path, "figures_category", 50) or category,
            # 群众代表 for the share (an event's own 村民代表 too), and whether it takes a place
            # (媒体记者不占用名额); an older file without the flags: by the built-in codes
            "citizen": _flag(row.get("citizen"), category == "citizen", path),
            "takes_place": _flag(row.get("takes_place"), category != "media", path),
        }
    total = by_category.pop("total", None)
    invited = sum(c["invited"] for c in by_category.values())
    came = sum(c["came"] for c in by_category.values())
    if total is not None and (total["invited"], total["came"]) != (invited, came):
        raise _bad(path, "figures_total", "total")

    publicity: dict[str, tuple[str | None, str | None]] = {}
    if _columns(conn, "publicity") is not None:
        for row in _select(conn, path, "publicity", ("kind", "on_date", "url")):
            kind = row.get("kind")
            if kind not in ("announced", "posted"):
                raise _bad(path, "publicity", "bad_status", value=shown(kind))
            if kind in publicity:
                words = tr("county.publicity_announced" if kind == "announced" else "county.publicity_posted")
                raise _bad(path, "publicity", "duplicate", value=words)
            on = _day(row.get("on_date"), path, "publicity_on_date")
            url = _str(row.get("url"), path, "publicity_url", 500)
            if url is not None and not _URL.match(url):
                raise _bad(path, "publicity_url", "bad_url")
            if on is not None and (on < date if kind == "posted" else on > date):
                # the results posted before the day, or the day announced after it: not what it says
                problem = "posted_before" if kind == "posted" else "announced_after"
                raise _bad(path, "publicity_on_date", problem, on=on.isoformat(), date=date.isoformat())
            publicity[str(kind)] = (on.isoformat() if on else None, url)

    suggestions = []
    seen: set[str] = set()
    for row in _select(conn, path, "ledger", ("number", "status", "due_date", "replied_at")):
        number = _str(row.get("number"), path, "ledger_number", 20)
        status = _str(row.get("status"), path, "ledger_status", 20)
        if not number:
            raise _bad(path, "ledger_number", "missing")
        if number in seen:
            raise _bad(path, "ledger_number", "duplicate", value=shown(number))
        if status not in SUGGESTION_STATUSES:
            raise _bad(path, "ledger_status", "bad_status", value=shown(status))
        seen.add(number)
        due = _day(row.get("due_date"), path, "ledger_due_date")
        replied = _day(row.get("replied_at"), path, "ledger_replied_at")
        # 办结并及时反馈: a suggestion counts as closed once the answer has gone back (已反馈)
        closed = replied if status == SuggestionStatus.REPLIED else None
        suggestions.append(
            Suggestion(
                number, status, due.isoformat() if due else None, closed.isoformat() if closed else None
            )
        )
    citizens_invited = sum(c["invited"] for c in by_category.values() if c["citizen"])
    citizens_came = sum(c["came"] for c in by_category.values() if c["citizen"])
    announced = publicity.get("announced", (None, None))
    posted = publicity.get("posted", (None, None))
    return ResultsFile(
        unit=unit,
        event_id=event_id,
        title=_str(info.get("event_title"), path, "event_title", 200),
        date=date,
        exported_at=exported_at,
        invited=invited,
        came=max(came, attended),
        citizens_invited=citizens_invited,
        citizens_came=citizens_came,
        citizen_share=citizen_share,
        by_category=by_category,
        forms=forms,
        satisfaction=satisfaction,
        announced_on=announced[0],
        posted_on=posted[0],
        posted_url=posted[1],
        suggestions=sorted(suggestions, key=lambda s: s.number),
    )


# ---------------------------------------------------------------- taking results in


@dataclass
class ResultsIntake:
    file: str
    unit: str
    event_id: str
    outcome: str  # "new", "updated", "already", "older"
    spelt: str | None = None  # the file's organiser when it differs from the county's list
    by_plan: bool = True  # counted for the unit that filed the event's plan (else: by name)


def take_results(db: Database, files: list[str | Path], received_on: dt.date) -> list[ResultsIntake]:
    """Check every file, then take them all in one transaction (or none)."""
    year = int(county_info(db)["year"])
    refuse_own_file(db, files)
    read: list[ResultsFile] = []
    spelt: dict[str, str] = {}
    by_name: set[str] = set()
    for path in files:
        result = read_results(path, received_on)
        if result.date.year != year:
            raise CheckinError("county.wrong_year", path=result.file, year=result.date.year, county=year)
        try:
            found = find_unit(db, result.unit, result.file)
            if unit_key(found) != unit_key(result.unit):  # 县科技局 on the list as 科技局: said
                spelt[result.file] = result.unit
                by_name.add(result.file)
            result.unit = found
        except CheckinError:
            # the event's organiser spelt otherwise (县科技局 for 县科学技术局): the plan filed for
            # this very event (`plan export --unit`) says which unit it is
            planned = db.execute(
                "SELECT unit, title, date FROM plans WHERE event_id = ?", [result.event_id]
            ).fetchone()
            # … when the file is that event's account: its title or its day as planned (a unit's
            # event file copied from another's keeps the id — its results are not the other's)
            if planned is None or (planned[1] != result.title and planned[2] != result.date.isoformat()):
                raise
            spelt[result.file] = result.unit
            result.unit = str(planned[0])
        if received_on < result.date:  # the account of a day that has not come: a mistyped --received
            raise CheckinError(
                "county.results_received_early", path=result.file, on=received_on, date=result.date
            )
        read.append(result)
    intakes = []
    with write_transaction(db):
        for result in read:
            intake = _store(db, result)
            intake.spelt = spelt.get(result.file)
            intake.by_plan = result.file not in by_name
            intakes.append(intake)
        from checkin.plans import refresh_breaches

        refresh_breaches(db, max(received_on, dt.date.today()))
    return intakes


def _store(db: Database, result: ResultsFile) -> ResultsIntake:
    known = db.execute("SELECT 1 FROM received_files WHERE sha256 = ?", [result.sha256]).fetchone()
    if known is None:
        db.execute(
            "INSERT INTO received_files (sha256, kind, unit, event_id, received_on, file) "
            "VALUES (?, 'results', ?, ?, ?, ?)",
            [result.sha256, result.unit, result.event_id, result.received_on.isoformat(), result.file],
        )
    else:
        db.execute(
            "UPDATE received_files SET received_on = MIN(received_on, ?) WHERE sha256 = ?",
            [result.received_on.isoformat(), result.sha256],
        )
    first = db.execute(
        "SELECT MIN(received_on) FROM received_files WHERE kind = 'results' AND event_id = ?",
        [result.event_id],
    ).fetchone()[0]
    result.received_on = dt.date.fromisoformat(first)
    current = db.execute(
        "SELECT unit, exported_at, file_sha256 FROM results WHERE event_id = ?", [result.event_id]
    ).fetchone()
    if current is not None and current[0] != result.unit:
        raise CheckinError("county.event_other_unit", path=result.file, unit=current[0])
    plan_unit = db.execute("SELECT unit FROM plans WHERE event_id = ?", [result.event_id]).fetchone()
    if plan_unit is not None and plan_unit[0] != result.unit:
        raise CheckinError("county.event_other_unit", path=result.file, unit=plan_unit[0])
    if current is not None and (result.exported_at, result.sha256) <= (current[1], current[2]):
        db.execute("UPDATE results SET received_on = ? WHERE event_id = ?", [first, result.event_id])
        outcome = "already" if current[2] == result.sha256 else "older"
        return ResultsIntake(result.file, result.unit, result.event_id, outcome)
    db.execute("DELETE FROM result_suggestions WHERE event_id = ?", [result.event_id])
    db.table("results").upsert(result.to_row(), pk="event_id")
    db.table("result_suggestions").insert_all(
        {
            "event_id": result.event_id,
            "number": s.number,
            "status": s.status,
            "due_date": s.due_date,
            "closed_on": s.closed_on,
        }
        for s in result.suggestions
    )
    return ResultsIntake(result.file, result.unit, result.event_id, "new" if current is None else "updated")
