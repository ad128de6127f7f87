"""Plans (计划备案): a unit writes its plan from its event file; the county takes plans in and checks them.

`checkin plan export` writes a small TOML file (unit, theme, date and time, sites, capacity and
places per category, planned citizen share, announcement date). `checkin county plans` treats
each file as hostile: size, encoding, TOML, known keys only, every value typed and bounded, the
unit must be on the county's list and the year the county's year. Nothing from a file ever
becomes SQL; a refused file changes nothing.

A unit may file again (a corrected plan): for one event the plan exported last counts, and the
filing date is the first day any plan for that event reached the county — whatever order the
files are taken in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.county import (
    MAX_TEXT,
    Rules,
    clean_text,
    county_calendar,
    county_info,
    days_before,
    file_problem,
    find_unit,
    refuse_own_file,
    rules_of,
    shown,
    stored_facts,
    unit_key,
)
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import tr
from checkin.storage import write_transaction
from checkin.tomlfile import toml_position
from checkin.workdays import Calendar

PLAN_FORMAT = 1
MAX_PLAN_BYTES = 256 * 1024
MAX_SITES = 50
_EVENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_URL = re.compile(r"^https?://[^\s]{1,500}$")
PLAN_KEYS = {
    "format",
    "year",
    "unit",
    "event_id",
    "title",
    "theme",
    "date",
    "starts",
    "ends",
    "sites",
    "capacity",
    "places",
    "citizen_share",
    "announce_on",
    "announce_url",
    "exported_at",
}


# ---------------------------------------------------------------- publicity (the unit's event file)


def record_publicity(db: Database, kind: str, on: dt.date, url: str | None) -> None:
    """The announcement (公告) or the posting on the website's 政府开放日 column, with its address."""
    if kind not in ("announced", "posted"):
        raise ValueError(kind)
    event = load_event(db)
    if url is not None:
        url = url.strip()
        if not _URL.match(url) or any(ord(c) < 32 for c in url):
            raise CheckinError("county.plan.bad_url", value=url[:80])
    if kind == "posted" and on < event.date:
        raise CheckinError("county.plan.posted_before_event", on=on.isoformat(), date=event.date.isoformat())
    if kind == "announced" and on > event.date:
        raise CheckinError(
            "county.plan.announced_after_event", on=on.isoformat(), date=event.date.isoformat()
        )
    with write_transaction(db):
        db.execute(
            "INSERT OR REPLACE INTO publicity (kind, on_date, url, recorded_at) VALUES (?, ?, ?, ?)",
            [kind, on.isoformat(), url, dt.datetime.now().isoformat(timespec="seconds")],
        )


def publicity(db: Database) -> dict[str, tuple[str, str | None]]:
    """kind → (date, url) as recorded in the event file."""
    return {r[0]: (r[1], r[2]) for r in db.execute("SELECT kind, on_date, url FROM publicity")}


# ---------------------------------------------------------------- export (unit side)


def places_per_category(event: Event) -> dict[str, int]:
    """Places per category or group of categories (`群众代表+科技特派员` = 28), in Chinese labels."""
    labels = {c.code: c.zh for c in event.category_list()}
    return {
        "+".join(labels.get(code, code) for code in codes): places
        for _, codes, places in event.quota_groups()
    }


def planned_citizen_share(event: Event) -> Fraction:
    """The event's minimum citizen share, or more when places are set aside for citizens alone."""
    citizens = {c.code for c in event.category_list() if c.citizen}
    reserved = sum(places for _, codes, places in event.quota_groups() if set(codes) <= citizens)
    share = Fraction(reserved, event.capacity) if event.capacity else Fraction(0)
    return max(event.min_citizen_share, min(share, Fraction(1)))


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def plan_toml(db: Database, unit: str | None = None) -> tuple[str, str]:
    """The plan file's text for this event, and the unit's name."""
    event = load_event(db)
    name = (unit or event.organizer or "").strip()
    if not name:
        raise CheckinError("county.plan.no_unit")
    recorded = publicity(db)
    lines = [
        "# 政府开放日活动计划（备案）— checkin plan export",
        "[plan]",
        f"format = {PLAN_FORMAT}",
        f"year = {event.date.year}",
        f"unit = {_toml_str(name)}",
        f"event_id = {_toml_str(event.id)}",
        f"title = {_toml_str(event.title)}",
    ]
    if event.theme:
        lines.append(f"theme = {_toml_str(event.theme)}")
    lines.append(f"date = {event.date.isoformat()}")
    for key in ("starts", "ends"):
        value = getattr(event, key)
        if value:
            lines.append(f"{key} = {_toml_str(value)}")
    sites = event.places or ([event.location] if event.location else [])
    lines.append("sites = [" + ", ".join(_toml_str(s) for s in sites) + "]")
    lines.append(f"capacity = {event.capacity}")
    lines.append(f"citizen_share = {_toml_str(str(planned_citizen_share(event)))}")
    if "announced" in recorded:
        on, url = recorded["announced"]
        lines.append(f"announce_on = {on}")
        if url:
            lines.append(f"announce_url = {_toml_str(url)}")
    lines.append(f"exported_at = {dt.datetime.now().replace(microsecond=0).isoformat()}")
    places = places_per_category(event)
    if places:
        lines.append("")
        lines.append("[plan.places]")
        lines.extend(f"{_toml_str(k)} = {v}" for k, v in places.items())
    return "\n".join(lines) + "\n", name


def export_plan(db: Database, out: str | Path, unit: str | None = None) -> Path:
    text, _ = plan_toml(db, unit)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


# ---------------------------------------------------------------- reading a plan (county side)


@dataclass
class Site:
    name: str
    people: int | None = None


@dataclass
class Plan:
    unit: str
    event_id: str
    title: str
    theme: str | None
    date: dt.date
    starts: str | None
    ends: str | None
    sites: list[Site]
    capacity: int
    places: dict[str, int]
    citizen_share: Fraction
    announce_on: dt.date | None
    announce_url: str | None
    exported_at: str
    received_on: dt.date
    sha256: str = ""
    file: str = ""
    year: int = 0

    def to_row(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "unit": self.unit,
            "title": self.title,
            "theme": self.theme,
            "date": self.date.isoformat(),
            "starts": self.starts,
            "ends": self.ends,
            "sites": json.dumps([s.__dict__ for s in self.sites], ensure_ascii=False),
            "capacity": self.capacity,
            "places": json.dumps(self.places, ensure_ascii=False),
            "citizen_share": str(self.citizen_share),
            "announce_on": self.announce_on.isoformat() if self.announce_on else None,
            "announce_url": self.announce_url,
            "exported_at": self.exported_at,
            "received_on": self.received_on.isoformat(),
            "file_sha256": self.sha256,
        }

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Plan:
        return cls(
            unit=row["unit"],
            event_id=row["event_id"],
            title=row["title"],
            theme=row["theme"],
            date=dt.date.fromisoformat(row["date"]),
            starts=row["starts"],
            ends=row["ends"],
            sites=[Site(**s) for s in json.loads(row["sites"])],
            capacity=int(row["capacity"]),
            places=json.loads(row["places"]),
            citizen_share=Fraction(row["citizen_share"]),
            announce_on=dt.date.fromisoformat(row["announce_on"]) if row["announce_on"] else None,
            announce_url=row["announce_url"],
            exported_at=row["exported_at"],
            received_on=dt.date.fromisoformat(row["received_on"]),
            sha256=row["file_sha256"],
        )


def _bad(path: Path, field: str, problem: str, **params: Any) -> CheckinError:
    return file_problem("county.plan.invalid", path, field, problem, **params)


def _text(
    raw: dict[str, Any],
    key: str,
    path: Path,
    *,
    required: bool = False,
    limit: int = MAX_TEXT,
    field: str = "",
) -> str | None:
    field = field or key
    value = raw.get(key)
    if value is None:
        if required:
            raise _bad(path, field, "missing")
        return None
    if not isinstance(value, str):
        raise _bad(path, field, "not_text")
    try:
        text = clean_text(value, limit)
    except CheckinError as exc:
        raise CheckinError(
            "county.plan.invalid",
            path=path.name,
            error=tr("county.bad_field", field=tr(f"county.field.{field}"), problem=exc.message()),
        ) from None
    if required and not text:
        raise _bad(path, field, "missing")
    return text or None


def _int(raw: dict[str, Any], key: str, path: Path, low: int, high: int, field: str = "") -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        if value is None:
            raise _bad(path, field or key, "missing")
        raise _bad(path, field or key, "not_number", low=low, high=high, value=shown(value))
    return value


def _date(raw: dict[str, Any], key: str, path: Path, *, required: bool = False) -> dt.date | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise _bad(path, key, "missing")
        return None
    if isinstance(value, dt.datetime):
        raise _bad(path, key, "datetime", value=shown(value))
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _bad(path, key, "not_date", value=shown(value))


def read_plan(path: str | Path, received_on: dt.date) -> Plan:
    """Read and validate one plan file; every problem is a CheckinError naming the file and the field."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    if path.stat().st_size > MAX_PLAN_BYTES:
        raise _bad(path, "file", "too_big", limit=f"{MAX_PLAN_BYTES // 1024} KB")
    data = path.read_bytes()
    if data.startswith(b"SQLite format 3\x00"):  # a results or event file given to `county plans`
        raise CheckinError("county.plan.is_sqlite", path=path.name)
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # the plan written in Word or Excel
        raise CheckinError("county.plan.is_office", path=path.name)
    try:
        raw_all = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _bad(path, "file", "not_utf8") from None
    except tomllib.TOMLDecodeError as exc:
        line, column = toml_position(exc)
        raise _bad(path, "file", "not_toml", line=line, column=column) from None
    except RecursionError:  # brackets nested thousands deep: the parser gives up, said in words
        raise _bad(path, "file", "too_deep") from None
    raw = raw_all.get("plan")
    if not isinstance(raw, dict) or set(raw_all) - {"plan"}:
        raise _bad(path, "file", "no_plan_table")
    unknown = sorted(set(raw) - PLAN_KEYS)
    if unknown:
        keys = tr("labels.list_sep").join(f"“{shown(k)}”" for k in unknown[:5])
        raise _bad(path, "file", "unknown_keys", keys=keys)
    if raw.get("format") != PLAN_FORMAT:
        raise CheckinError("county.plan.bad_format", path=path.name, value=shown(raw.get("format")))
    year = _int(raw, "year", path, 2000, 2100)
    event_id = raw.get("event_id")
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise _bad(path, "event_id", "missing" if event_id is None else "bad_id")
    date = _date(raw, "date", path, required=True)
    assert date is not None
    times = {}
    for key in ("starts", "ends"):
        value = _text(raw, key, path, limit=20)
        if value is not None and not _TIME.match(value):
            raise _bad(path, key, "not_time", value=shown(value))
        times[key] = value
    raw_sites = raw.get("sites", [])
    if not isinstance(raw_sites, list):
        raise _bad(path, "sites", "not_text")
    if len(raw_sites) > MAX_SITES:
        raise _bad(path, "sites", "too_many", limit=MAX_SITES)
    sites = []
    for item in raw_sites:
        if isinstance(item, str):
            sites.append(Site(_text({"s": item}, "s", path, required=True, field="site_name") or ""))
        elif isinstance(item, dict) and set(item) <= {"name", "people"}:
            people = _int(item, "people", path, 0, 100000, "site_people") if "people" in item else None
            sites.append(Site(_text(item, "name", path, required=True, field="site_name") or "", people))
        else:
            raise _bad(path, "sites", "not_text")
    raw_places = raw.get("places", {})
    if not isinstance(raw_places, dict):
        raise _bad(path, "places", "not_text")
    if len(raw_places) > 50:
        raise _bad(path, "places", "too_many", limit=50)
    places = {}
    for key, value in raw_places.items():
        label = _text({"k": key}, "k", path, required=True, limit=50, field="place_label") or ""
        places[label] = _int({"v": value}, "v", path, 0, 100000, "place_count")
    share_text = raw.get("citizen_share", "0")
    try:
        if isinstance(share_text, bool) or not isinstance(share_text, str | int | float):
            raise ValueError
        text = str(share_text).strip()
        share = Fraction(text[:-1]) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError, OverflowError):
        raise _bad(path, "citizen_share", "not_share", value=shown(share_text)) from None
    if not 0 <= share <= 1:
        raise _bad(path, "citizen_share", "not_share", value=shown(share_text))
    url = _text(raw, "announce_url", path, limit=500)
    if url is not None and not _URL.match(url):
        raise _bad(path, "announce_url", "bad_url")
    exported = raw.get("exported_at")
    if not isinstance(exported, dt.datetime | str):
        raise _bad(path, "exported_at", "missing" if exported is None else "not_date", value=shown(exported))
    try:
        exported_at = (
            exported if isinstance(exported, dt.datetime) else dt.datetime.fromisoformat(exported)
        ).replace(tzinfo=None, microsecond=0)
    except ValueError:
        raise _bad(path, "exported_at", "not_date", value=shown(exported)) from None
    return Plan(
        unit=_text(raw, "unit", path, required=True) or "",
        event_id=event_id,
        title=_text(raw, "title", path, required=True, limit=200) or "",
        theme=_text(raw, "theme", path, limit=200),
        date=date,
        starts=times["starts"],
        ends=times["ends"],
        sites=sites,
        capacity=_int(raw, "capacity", path, 1, 100000),
        places=places,
        citizen_share=share,
        announce_on=_date(raw, "announce_on", path),
        announce_url=url,
        exported_at=exported_at.isoformat(),
        received_on=received_on,
        sha256=hashlib.sha256(data).hexdigest(),
        file=path.name,
        year=year,
    )


# ---------------------------------------------------------------- the rules, checked


Breach = tuple[str, dict[str, Any]]


def plan_deadlines(rules: Rules, calendar: Calendar, event_day: dt.date) -> list[tuple[str, dt.date]]:
    """Every filing deadline that applies: the fixed date and/or N (working) days before."""
    out: list[tuple[str, dt.date]] = []
    if rules.plan_deadline is not None:
        out.append(("date", rules.plan_deadline))
    if rules.plan_lead is not None:
        out.append(("lead", days_before(calendar, event_day, rules.plan_lead, rules.plan_lead_working)))
    return out


def plan_breaches(rules: Rules, calendar: Calendar, plan: Plan, as_of: dt.date) -> list[Breach]:
    """Every rule a plan breaks, as (message key, params) — the same plan gives the same list.

    A plan is usually filed before the announcement (备案 by 9月15日, 公告 15 days before the day):
    a plan without an announcement date is a breach only once that day has passed (`as_of`)."""
    found: list[Breach] = []
    if not rules.window_start <= plan.date <= rules.window_end:
        found.append(
            (
                "county.breach.outside_window",
                {"date": plan.date, "start": rules.window_start, "end": rules.window_end},
            )
        )
    for kind, due in plan_deadlines(rules, calendar, plan.date):
        if plan.received_on > due:
            if kind == "date":
                found.append(("county.breach.plan_late", {"due": due, "on": plan.received_on}))
            else:
                found.append(
                    (
                        "county.breach.plan_late_lead",
                        {
                            "due": due,
                            "on": plan.received_on,
                            "days": rules.plan_lead,
                            "working": rules.plan_lead_working,
                        },
                    )
                )
    for site in plan.sites or [Site("")]:
        people = site.people if site.people is not None else plan.capacity
        if people > rules.max_per_site:
            if site.name and site.people is not None:
                found.append(
                    (
                        "county.breach.site_over",
                        {"site": site.name, "people": people, "max": rules.max_per_site},
                    )
                )
            else:
                found.append(("county.breach.plan_over", {"people": people, "max": rules.max_per_site}))
                break  # one group for every site: said once
    if plan.citizen_share < rules.min_citizen_share:
        found.append(
            ("county.breach.plan_share", {"share": plan.citizen_share, "min": rules.min_citizen_share})
        )
    announce_due = plan.date - dt.timedelta(days=rules.announce_lead_days)
    if plan.announce_on is None:
        if as_of > announce_due:
            found.append(("county.breach.no_announcement", {"due": announce_due}))
    elif plan.announce_on > announce_due:
        found.append(
            (
                "county.breach.announce_late",
                {"on": plan.announce_on, "due": announce_due, "days": rules.announce_lead_days},
            )
        )
    return found


# ---------------------------------------------------------------- taking plans in


@dataclass
class PlanIntake:
    file: str
    unit: str
    event_id: str
    outcome: str  # "new", "updated", "already", "older"
    breaches: list[Breach] = field(default_factory=list)
    spelt: str | None = None  # the file's unit when the list spells it otherwise (县科技局 / 科技局)


def take_plans(db: Database, files: list[str | Path], received_on: dt.date) -> list[PlanIntake]:
    """Check every file first (any bad file: nothing is written), then take them in one transaction."""
    info = county_info(db)
    year = int(info["year"])
    rules = rules_of(db)
    calendar = county_calendar(db)
    refuse_own_file(db, files)
    plans: list[Plan] = []
    spelt: dict[str, str] = {}
    for path in files:
        plan = read_plan(path, received_on)
        if plan.year != year or plan.date.year != year:
            raise CheckinError("county.wrong_year", path=plan.file, year=plan.date.year, county=year)
        found = find_unit(db, plan.unit, plan.file)
        if unit_key(found) != unit_key(plan.unit):
            spelt[plan.file] = plan.unit
        plan.unit = found
        plans.append(plan)
    intakes: list[PlanIntake] = []
    with write_transaction(db):
        for plan in plans:
            intakes.append(_store_plan(db, plan))
            intakes[-1].spelt = spelt.get(plan.file)
        refresh_breaches(db, max(received_on, dt.date.today()))
    for intake, plan in zip(intakes, plans, strict=True):
        with stored_facts():
            row = next(db.query("SELECT * FROM plans WHERE event_id = ?", [plan.event_id]))
            stored = Plan.from_row(row)
        intake.breaches = plan_breaches(rules, calendar, stored, received_on)
    return intakes


def _store_plan(db: Database, plan: Plan) -> PlanIntake:
    known = db.execute("SELECT unit FROM received_files WHERE sha256 = ?", [plan.sha256]).fetchone()
    first = db.execute(
        "SELECT MIN(received_on) FROM received_files WHERE kind = 'plan' AND event_id = ?", [plan.event_id]
    ).fetchone()[0]
    if known is None:
        db.execute(
            "INSERT INTO received_files (sha256, kind, unit, event_id, received_on, file) "
            "VALUES (?, 'plan', ?, ?, ?, ?)",
            [plan.sha256, plan.unit, plan.event_id, plan.received_on.isoformat(), plan.file],
        )
    else:
        db.execute(
            "UPDATE received_files SET received_on = MIN(received_on, ?) WHERE sha256 = ?",
            [plan.received_on.isoformat(), plan.sha256],
        )
    if first is not None and first < plan.received_on.isoformat():
        plan.received_on = dt.date.fromisoformat(first)
    current = db.execute(
        "SELECT unit, exported_at, file_sha256 FROM plans WHERE event_id = ?", [plan.event_id]
    ).fetchone()
    if current is not None and current[0] != plan.unit:
        raise CheckinError("county.event_other_unit", path=plan.file, unit=current[0])
    if current is None:
        db.table("plans").insert(plan.to_row())
        return PlanIntake(plan.file, plan.unit, plan.event_id, "new")
    newer = (plan.exported_at, plan.sha256) > (current[1], current[2])
    if newer:
        db.table("plans").upsert(plan.to_row(), pk="event_id")
        return PlanIntake(plan.file, plan.unit, plan.event_id, "updated")
    db.execute(
        "UPDATE plans SET received_on = MIN(received_on, ?) WHERE event_id = ?",
        [plan.received_on.isoformat(), plan.event_id],
    )
    outcome = "already" if current[2] == plan.sha256 else "older"
    return PlanIntake(plan.file, plan.unit, plan.event_id, outcome)


def refresh_breaches(db: Database, as_of: dt.date) -> None:
    """Rewrite the `breaches` table (for Datasette) from the facts, as of `as_of`, in Chinese."""
    from checkin.county_status import build_status
    from checkin.i18n import tr

    status = build_status(db, as_of)
    db.execute("DELETE FROM breaches")
    for line in status.units:
        for stage, key, params in line.breaches:
            db.execute(
                "INSERT INTO breaches (unit, stage, text, as_of) VALUES (?, ?, ?, ?)",
                [line.unit.name, stage, tr(key, lang="zh", **format_params(params, "zh")), as_of.isoformat()],
            )


def format_params(params: dict[str, Any], lang: str | None = None) -> dict[str, Any]:
    """Dates as 9月15日 (or 15 Sep), shares as 33.3%, booleans as words."""
    from checkin.i18n import tr

    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, dt.date):
            out[key] = tr("county.day", lang=lang, m=value.month, d=value.day, y=value.year)
        elif isinstance(value, Fraction):
            out[key] = "1/3" if value == Fraction(1, 3) else f"{float(value):.1%}"
        elif isinstance(value, float):
            out[key] = f"{value:.1%}"
        elif isinstance(value, bool):
            out[key] = tr("county.working_days" if value else "county.days", lang=lang)
        else:
            out[key] = value
    return out
