"""The board (签到看板): who has arrived, per category, and who is still to come."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING

from checkin.categories import citizen_codes, citizen_share, event_categories

if TYPE_CHECKING:
    from sqlite_utils import Database


@dataclass(frozen=True)
class CategoryLine:
    category: str
    expected: int
    arrived: int


@dataclass(frozen=True)
class Absent:
    number: str
    name: str
    category: str
    phone: str | None
    confirmation: str | None


@dataclass
class Board:
    lines: list[CategoryLine] = field(default_factory=list)
    expected: int = 0
    arrived: int = 0
    citizens_present: int = 0
    counted_present: int = 0
    not_arrived: list[Absent] = field(default_factory=list)
    # marked present on a site visit's roll call, never checked in at the door: they came
    # (not to be phoned as no-shows), but their entry checks were never recorded
    on_visit_only: list[Absent] = field(default_factory=list)
    last_scan_at: str | None = None

    @property
    def citizen_share(self) -> Fraction | None:
        return citizen_share(self.citizens_present, self.counted_present)


def present_counts(db: Database | sqlite3.Connection, citizens: Collection[str]) -> tuple[int, int]:
    """Guests inside who take a place (live check-ins counted in capacity), and how many of
    them are of a citizen category — the figures of the citizen share at the door."""
    codes = sorted(citizens)
    marks = ", ".join("?" for _ in codes)
    row = db.execute(
        f"SELECT COUNT(*), COALESCE(SUM(p.category IN ({marks})), 0) FROM live_checkins c "
        "JOIN people p ON p.number = c.number WHERE p.in_capacity = 1",
        codes,
    ).fetchone()
    return int(row[0]), int(row[1])


def turned_away(db: Database) -> dict[str, str]:
    """People who came to the door and were refused, and never admitted (到场未入场): number →
    the reason of their last refusal. They came: the report, the results file and the
    attendance export count them apart, never among those who did not come (未到场). Scans
    that name nobody (not an invitation, forged) are no person. The one home of this rule."""
    last_reason: dict[str, str] = {}
    for number, reason in db.execute(
        "SELECT number, reason FROM scans WHERE verdict = 'refused' AND number IS NOT NULL "
        "AND reason IS NOT NULL AND number NOT IN (SELECT number FROM live_checkins) ORDER BY at, id"
    ):
        last_reason[number] = reason
    return last_reason


def build_board(db: Database) -> Board:
    board = Board()
    expected = dict(
        db.execute(
            "SELECT category, COUNT(*) FROM people WHERE status = 'invited' GROUP BY category"
        ).fetchall()
    )
    arrived = dict(
        db.execute(
            "SELECT p.category, COUNT(*) FROM live_checkins c JOIN people p ON p.number = c.number "
            "GROUP BY p.category"
        ).fetchall()
    )
    categories = event_categories(db)
    for code in [c.code for c in categories]:
        if expected.get(code) or arrived.get(code):
            board.lines.append(CategoryLine(code, int(expected.get(code, 0)), int(arrived.get(code, 0))))
    board.expected = sum(line.expected for line in board.lines)
    board.arrived = sum(line.arrived for line in board.lines)
    board.counted_present, board.citizens_present = present_counts(db, citizen_codes(categories))
    # "arrived" stays the door's check-ins (as in the report and the results file); a guest
    # a bus leader marked present but who never passed the desk is not said to be missing
    on_visit = {
        str(r[0]) for r in db.execute("SELECT DISTINCT number FROM roll_marks WHERE mark = 'present'")
    }
    for row in db.execute(
        "SELECT number, name, category, phone, confirmation FROM people WHERE status = 'invited' "
        "AND number NOT IN (SELECT number FROM live_checkins) ORDER BY queue_pos, seq"
    ):
        person = Absent(*row)
        (board.on_visit_only if person.number in on_visit else board.not_arrived).append(person)
    last = db.execute("SELECT MAX(at) FROM scans").fetchone()
    board.last_scan_at = last[0] if last else None
    return board
