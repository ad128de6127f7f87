"""Working days on China's statutory calendar, with the weekend days moved to make holidays (调休).

`chinese-calendar` knows the published years. For a year it has no data for, nothing
crashes and nothing silently counts Mondays to Fridays: the statutory holidays the law
itself fixes (《全国年节及纪念日放假办法》, as amended in 2024: 元旦 1 day, 春节 4 days from
除夕, 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3) are days off, the lunar ones computed with
`lunardate`; only the State Council's yearly moves (调休, bridging days) are unknown. The
caller gets a warning naming the year, and the office can load that year's holiday file
(`checkin holidays load`) once the State Council has published it.

Deadlines after the event (`deadlines()`): the county report (`report_due_days`, counted in
calendar days and moved past days off, or in working days: `report_due_kind`), the
website posting (5 working days, seed 004) and the suggestions' answers (15 working days).
None of them falls on a weekend or a statutory holiday.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
from lunardate import LunarDate
from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.storage import write_transaction


@dataclass
class Calendar:
    """Statutory calendar plus the user's own holiday files, as loaded into the event file."""

    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    covered_years: set[int] = field(default_factory=set)
    missing_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if day.year not in self.covered_years:
            try:
                return bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                self.missing_years.add(day.year)
                return day.weekday() < 5 and day not in statutory_holidays(day.year)
        return day.weekday() < 5

    def has_data(self, year: int) -> bool:
        """Is the year's holiday arrangement known (a loaded file or chinese-calendar's data)?"""
        if year in self.covered_years:
            return True
        try:
            chinese_calendar.is_workday(dt.date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def next_workday(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        if days < 0:
            raise ValueError("days must be >= 0")
        current = start
        counted = 0
        while counted < days:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                counted += 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (negative when end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(
            1 for n in range(1, (end - start).days + 1) if self.is_workday(start + dt.timedelta(days=n))
        )


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The days off the law fixes for `year` (without the State Council's 调休 moves)."""

    def lunar(month: int, day: int) -> dt.date:
        return LunarDate(year, month, day).to_solar_date()  # type: ignore[no-any-return]

    spring = lunar(1, 1)
    days = {
        dt.date(year, 1, 1): "元旦",
        spring - dt.timedelta(days=1): "春节",
        spring: "春节",
        spring + dt.timedelta(days=1): "春节",
        spring + dt.timedelta(days=2): "春节",
        dt.date(year, 5, 1): "劳动节",
        dt.date(year, 5, 2): "劳动节",
        lunar(5, 5): "端午节",
        lunar(8, 15): "中秋节",
        dt.date(year, 10, 1): "国庆节",
        dt.date(year, 10, 2): "国庆节",
        dt.date(year, 10, 3): "国庆节",
    }
    for qingming in chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10)):
        days[qingming[0]] = "清明节"
    return days


@dataclass(frozen=True)
class Deadlines:
    """The dates due after an event, and the years counted without the State Council's data."""

    report: dt.date
    website: dt.date
    followup: dt.date
    missing_years: list[int]


def report_due(calendar: Calendar, event_date: dt.date, days: int, kind: str) -> dt.date:
    """`days` after the event: working days, or calendar days moved past any day off."""
    if kind == "working":
        return calendar.add_working_days(event_date, days)
    return calendar.next_workday(event_date + dt.timedelta(days=days))


def deadlines(db: Database) -> Deadlines:
    from checkin.event import load_event

    event = load_event(db)
    calendar = event_calendar(db)
    report = report_due(calendar, event.date, event.report_due_days, event.report_due_kind)
    website = calendar.add_working_days(event.date, event.website_due_working_days)
    followup = calendar.add_working_days(event.date, event.followup_working_days)
    last = max(report, website, followup)
    missing = sorted(
        set(calendar.missing_years)
        | {y for y in range(event.date.year, last.year + 1) if not calendar.has_data(y)}
    )
    return Deadlines(report, website, followup, missing)


def missing_years_between(db: Database, start: dt.date, end: dt.date) -> list[int]:
    """Years from `start` to `end` whose holiday arrangement is not known."""
    calendar = event_calendar(db)
    return [y for y in range(start.year, end.year + 1) if not calendar.has_data(y)]


FIRST_YEAR, LAST_YEAR = 2000, 2100  # a holiday file's year: anything else is a typing slip


def _holiday_dates(raw: dict[str, object], key: str, year: int, path: str | Path) -> set[dt.date]:
    """The dates listed under `key` (TOML dates or "YYYY-MM-DD" texts), all within `year`."""
    values = raw.get(key, [])
    if not isinstance(values, list):
        raise CheckinError("workdays.file_invalid", path=str(path), error=tr("workdays.bad_list", name=key))
    days: set[dt.date] = set()
    for value in values:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            day = value
        else:
            try:
                day = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                error = tr("workdays.bad_date", name=key, value=str(value)[:40])
                raise CheckinError("workdays.file_invalid", path=str(path), error=error) from None
        if day.year != year:
            error = tr("workdays.stray", day=day.isoformat(), year=year)
            raise CheckinError("workdays.file_invalid", path=str(path), error=error)
        days.add(day)
    return days


def parse_holiday_file(path: str | Path) -> tuple[int, set[dt.date], set[dt.date]]:
    """A TOML file: `year`, `holidays = [dates]`, `workdays = [the 调休 weekend days]`.

    Every fault is said in the user's words (which key, which value, which line), never in
    the TOML parser's or Python's English; nothing is stored from a faulty file."""
    try:
        with Path(path).open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise CheckinError("workdays.file_missing", path=str(path)) from None
    except IsADirectoryError:
        raise CheckinError("workdays.file_missing", path=str(path)) from None
    except UnicodeDecodeError:
        raise CheckinError("workdays.file_invalid", path=str(path), error=tr("workdays.not_text")) from None
    except tomllib.TOMLDecodeError as exc:
        from checkin.tomlfile import toml_position

        line = toml_position(exc)[0]
        error = tr("workdays.bad_toml_line", line=line) if line else tr("workdays.bad_toml")
        raise CheckinError("workdays.file_invalid", path=str(path), error=error) from None
    except OSError as exc:
        error = exc.strerror or tr("workdays.not_text")
        raise CheckinError("workdays.file_invalid", path=str(path), error=error) from None
    except RecursionError:  # brackets nested thousands deep
        raise CheckinError("workdays.file_invalid", path=str(path), error=tr("workdays.bad_toml")) from None
    year = raw.get("year")
    if year is None:
        raise CheckinError("workdays.file_invalid", path=str(path), error=tr("workdays.no_year"))
    if isinstance(year, bool) or not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        shown = str(year).lower() if isinstance(year, bool) else str(year)[:40]  # as typed in TOML
        error = tr("workdays.bad_year", value=shown, first=FIRST_YEAR, last=LAST_YEAR)
        raise CheckinError("workdays.file_invalid", path=str(path), error=error)
    holidays = _holiday_dates(raw, "holidays", year, path)
    workdays = _holiday_dates(raw, "workdays", year, path)
    both = sorted(holidays & workdays)
    if both:
        error = tr("workdays.both", day=both[0].isoformat())
        raise CheckinError("workdays.file_invalid", path=str(path), error=error)
    return year, holidays, workdays


def fallback_note(years: list[int] | set[int]) -> str:
    """The warning that due dates in `years` were counted without the State Council's data."""
    return tr("workdays.fallback", years=tr("workdays.year_sep").join(map(str, sorted(years))))


def load_holiday_file(db: Database, path: str | Path) -> int:
    """Store a year's holidays in the event file (replacing that year's earlier file)."""
    year, holidays, workdays = parse_holiday_file(path)
    with write_transaction(db):
        db.execute("DELETE FROM calendar_days WHERE year = ?", [year])
        db.conn.executemany(
            "INSERT INTO calendar_days (year, day, kind) VALUES (?, ?, ?)",
            [(year, d.isoformat(), "holiday") for d in holidays]
            + [(year, d.isoformat(), "workday") for d in workdays],
        )
        db.execute("INSERT OR REPLACE INTO calendar_years (year, source) VALUES (?, ?)", [year, str(path)])
    return year


def event_calendar(db: Database) -> Calendar:
    calendar = Calendar()
    calendar.covered_years = {int(r[0]) for r in db.execute("SELECT year FROM calendar_years")}
    for day, kind in db.execute("SELECT day, kind FROM calendar_days"):
        (calendar.holidays if kind == "holiday" else calendar.workdays).add(dt.date.fromisoformat(day))
    return calendar
