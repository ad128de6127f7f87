"""The door before it is open: what its status line shows, read with SQLite alone.

`checkin run` shows the scan screen before the door is opened in full (sqlite-utils, the
signature keys, the ID secret: a good part of the time to start). The screen's first paint
needs only the event's name, its entry checks and who has arrived, and this module reads
them straight from the file with the standard library's sqlite3, importing neither
sqlite-utils nor cryptography. The screen takes scans from that moment; they wait in line
and are judged, in order, once the door is open (screens/scan.py) — nothing is judged, and
nobody is told "admitted", before that.

Anything out of the ordinary (a county office's file, a sealed pack, another station's pack,
a file older than this program, a name that would be refused) gives None: the caller then
opens the file in full first, as before, and says what is wrong before the screen opens.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from checkin.categories import CITIZEN, citizen_share, parse_custom_categories
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.profiles import load_profile
from checkin.textcheck import LIMITS, check_text

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_SECONDS = 5.0  # as storage.BUSY_TIMEOUT_MS: another desk's write is waited for, not refused
# a door opened on one of these needs more than a read: the full opening says what to do
NOT_QUICK = ("county_info", "pack_seal")


@dataclass(frozen=True)
class FirstLook:
    """The event as the status line shows it, before the door is open."""

    title: str
    checks: str  # the entry checks' name, in the current language
    counts: tuple[int, int, int, int]  # arrived, expected, present in capacity, citizens present

    def status(self) -> str:
        return status_line(self.title, self.checks, self.counts)


def door_counts(db: Database | sqlite3.Connection, citizens: Collection[str]) -> tuple[int, int, int, int]:
    """Arrived, expected, and the in-capacity guests and citizens inside (the status line's figures)."""
    from checkin.board import present_counts

    arrived = db.execute("SELECT COUNT(*) FROM live_checkins").fetchone()[0]
    expected = db.execute("SELECT COUNT(*) FROM people WHERE status = 'invited'").fetchone()[0]
    present, inside = present_counts(db, citizens)
    return int(arrived), int(expected), present, inside


def status_line(title: str, checks: str, counts: tuple[int, int, int, int]) -> str:
    """The door's status line: the event, its checks, who has arrived, the citizens' share inside."""
    arrived, expected, present, citizens = counts
    exact = citizen_share(citizens, present)
    share = f"{float(exact):.0%}" if exact is not None else "—"
    return tr("app.door_status", title=title, checks=checks, arrived=arrived, expected=expected, share=share)


def first_look(path: str | Path, station: str, operator: str) -> FirstLook | None:
    """The status line's facts, read on a read-only connection; None when the file needs
    the full opening first (see the module's notes). Never writes, never creates the file."""
    path = Path(path)
    if not station.strip() or not operator.strip() or not path.is_file():
        return None
    try:
        check_text(station.strip(), tr("textcheck.field.station"), limit=LIMITS["station"])
        check_text(operator.strip(), tr("textcheck.field.operator"), limit=LIMITS["operator"])
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_SECONDS, isolation_level=None
        )
    except (CheckinError, sqlite3.Error):
        return None
    try:
        listed = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        names = {str(row[0]) for row in listed}
        if not {"event", "people", "live_checkins"} <= names or names & set(NOT_QUICK):
            return None
        if "station_info" in names:
            packed = conn.execute("SELECT name FROM station_info").fetchone()
            if packed is not None and str(packed[0]) != station.strip():
                return None  # the pack's own station wins, and the full opening says so
        rows = conn.execute("SELECT title, checks, checks_toml, categories FROM event").fetchall()
        if len(rows) != 1:
            return None
        title, checks, checks_toml, custom = rows[0]
        profile = load_profile(str(checks), checks_toml)
        # the citizen categories: the built-in one and the event's own marked so (as
        # build_categories has them, without its English labels: another catalogue to read)
        own = parse_custom_categories(json.loads(custom or "[]"))
        citizens = {CITIZEN} | {category.code for category in own if category.citizen}
        counts = door_counts(conn, citizens)
        return FirstLook(str(title), profile.label(), counts)
    except (CheckinError, sqlite3.Error, ValueError, TypeError, KeyError):
        return None
    finally:
        conn.close()  # the read transaction ends with it
