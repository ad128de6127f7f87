"""Working days on China's statutory calendar, with the weekend days moved to make holidays (调休).

`chinese-calendar` knows the published years. For a year it has no data for, nothing
crashes and nothing silently counts Mondays to Fridays: the caller gets the weekday
fallback together with a warning naming the year, and the office can load that year's
holiday file (`checkin holidays load`) once the State Council has published it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
from sqlite_utils import Database

from checkin.errors import CheckinError
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
                return day.weekday() < 5
        return day.weekday() < 5

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


def parse_holiday_file(path: str | Path) -> tuple[int, set[dt.date], set[dt.date]]:
    """A TOML file: `year`, `holidays = [dates]`, `workdays = [the 调休 weekend days]`."""
    try:
        with Path(path).open("rb") as fh:
            raw = tomllib.load(fh)
        year = int(raw["year"])
        holidays = {
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in raw.get("holidays", [])
        }
        workdays = {
            d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in raw.get("workdays", [])
        }
    except FileNotFoundError:
        raise CheckinError("workdays.file_missing", path=str(path)) from None
    except (tomllib.TOMLDecodeError, KeyError, ValueError, TypeError) as exc:
        raise CheckinError("workdays.file_invalid", path=str(path), error=str(exc)) from None
    stray = [d for d in holidays | workdays if d.year != year]
    if stray:
        raise CheckinError("workdays.file_invalid", path=str(path), error=f"{stray[0]} is not in {year}")
    if holidays & workdays:
        raise CheckinError(
            "workdays.file_invalid", path=str(path), error="a date is both holiday and workday"
        )
    return year, holidays, workdays


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
