"""Selection (按照报名先后顺序选取) and confirmation calls (电话通知).

Directly invited people (定向邀请) come first, then everyone else in sign-up order, until
capacity is full — but a non-citizen is only invited while citizens can still make up the
minimum share of those counted in capacity (群众代表比例不低于三分之一). Categories outside
capacity (媒体记者不占用名额) are invited without taking a place.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from checkin.categories import CITIZEN
from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.keys import revoke_current
from checkin.storage import write_transaction

CONFIRM_STATUSES = ("confirmed", "declined", "unreachable")
SIGNUP_ORDER = "(signed_up_at IS NULL), signed_up_at, seq"


@dataclass
class SelectionResult:
    invited: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    counted: int = 0
    citizens: int = 0
    capacity: int = 0
    min_share: Fraction = Fraction(1, 3)
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    @property
    def citizen_share(self) -> Fraction | None:
        return Fraction(self.citizens, self.counted) if self.counted else None

    def to_json(self) -> dict[str, Any]:
        share = self.citizen_share
        return {
            "invited": self.invited,
            "waiting": self.waiting,
            "citizen_share": round(float(share), 4) if share is not None else None,
            "min_citizen_share": round(float(self.min_share), 4),
            "capacity": self.capacity,
            "counted_in_capacity": self.counted,
            "warnings": [code for code, _ in self.warnings],
        }


@dataclass
class ConfirmResult:
    number: str
    status: str
    moved_up: str | None = None
    no_replacement: bool = False


def share_reachable(counted: int, citizens: int, capacity: int, citizens_left: int, share: Fraction) -> bool:
    """Can the final list still reach `share`, filling the free places with citizens first?"""
    extra = max(0, min(capacity - counted, citizens_left))
    return citizens + extra >= share * (counted + extra)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def log_activity(db: Database, action: str, number: str | None, **detail: Any) -> None:
    db.table("activity").insert(
        {
            "at": _now(),
            "action": action,
            "number": number,
            "detail": json.dumps(detail, ensure_ascii=False),
        }
    )


def select(db: Database) -> SelectionResult:
    """(Re)compute invited and waiting. People who already confirmed keep their place."""
    event = load_event(db)
    share = event.min_citizen_share
    capacity = event.capacity
    result = SelectionResult(capacity=capacity, min_share=share)
    people = list(
        db.query(
            "SELECT number, category, direct, in_capacity, status, confirmation FROM people "
            f"WHERE status IN ('signed_up', 'invited', 'waiting') ORDER BY {SIGNUP_ORDER}"
        )
    )
    locked = [p for p in people if p["status"] == "invited" and p["confirmation"] == "confirmed"]
    locked_numbers = {p["number"] for p in locked}
    direct = [p for p in people if p["direct"] and p["number"] not in locked_numbers]
    queue = [p for p in people if not p["direct"] and p["number"] not in locked_numbers]

    invited: list[str] = []
    for person in locked + direct:
        invited.append(person["number"])
        if person["in_capacity"]:
            result.counted += 1
            result.citizens += person["category"] == CITIZEN
    if result.counted > capacity:
        result.warnings.append(("select.direct_over_capacity", {"count": result.counted}))

    # citizens still to come after each position of the queue
    citizens_after = [0] * (len(queue) + 1)
    for i in range(len(queue) - 1, -1, -1):
        person = queue[i]
        citizens_after[i] = citizens_after[i + 1] + int(
            bool(person["in_capacity"]) and person["category"] == CITIZEN
        )

    waiting: list[str] = []
    for i, person in enumerate(queue):
        if not person["in_capacity"]:
            invited.append(person["number"])
            continue
        if result.counted >= capacity:
            waiting.append(person["number"])
            continue
        if person["category"] == CITIZEN or share_reachable(
            result.counted + 1, result.citizens, capacity, citizens_after[i + 1], share
        ):
            invited.append(person["number"])
            result.counted += 1
            result.citizens += person["category"] == CITIZEN
        else:
            waiting.append(person["number"])

    result.invited = invited
    result.waiting = waiting
    current = result.citizen_share
    if current is not None and current < share:
        result.warnings.append(
            ("select.share_not_met", {"citizens": result.citizens, "counted": result.counted})
        )
    if result.counted < capacity:
        result.warnings.append(("select.not_full", {"counted": result.counted, "capacity": capacity}))

    now = _now()
    with write_transaction(db):
        db.conn.executemany(
            "UPDATE people SET status = 'invited', queue_pos = ?, updated_at = ? WHERE number = ?",
            [(pos, now, number) for pos, number in enumerate(invited, start=1)],
        )
        db.conn.executemany(
            "UPDATE people SET status = 'waiting', queue_pos = ?, confirmation = NULL, "
            "updated_at = ? WHERE number = ?",
            [(pos, now, number) for pos, number in enumerate(waiting, start=1)],
        )
        log_activity(db, "select", None, invited=len(invited), waiting=len(waiting))
    return result


def _counts(db: Database) -> tuple[int, int]:
    row = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(category = ?), 0) FROM people "
        "WHERE status = 'invited' AND in_capacity = 1",
        [CITIZEN],
    ).fetchone()
    return int(row[0]), int(row[1])


def confirm(db: Database, number: str, status: str) -> ConfirmResult:
    """Record a confirmation call; a declined place moves the waiting list up."""
    if status not in CONFIRM_STATUSES:
        raise CheckinError("confirm.bad_status", value=status)
    number = number.strip().upper()
    event = load_event(db)
    rows = list(db.query("SELECT * FROM people WHERE number = ?", [number]))
    if not rows:
        raise CheckinError("people.unknown_number", number=number)
    person = rows[0]
    if person["status"] == "declined":
        raise CheckinError("confirm.already_declined", number=number)
    if person["status"] != "invited" and not (status == "declined" and person["status"] == "waiting"):
        raise CheckinError("confirm.not_invited", number=number)
    result = ConfirmResult(number=number, status=status)
    now = _now()
    with write_transaction(db):
        if status != "declined":
            db.execute(
                "UPDATE people SET confirmation = ?, updated_at = ? WHERE number = ?",
                [status, now, number],
            )
            log_activity(db, "confirm", number, status=status)
            return result
        was_counted = person["status"] == "invited" and bool(person["in_capacity"])
        db.execute(
            "UPDATE people SET status = 'declined', confirmation = 'declined', queue_pos = NULL, "
            "updated_at = ? WHERE number = ?",
            [now, number],
        )
        log_activity(db, "confirm", number, status=status)
        revoke_current(db, number, "declined")
        if was_counted:
            result.moved_up = _move_up(db, event.min_citizen_share, event.capacity, now)
            result.no_replacement = result.moved_up is None
            if result.moved_up:
                log_activity(db, "moved_up", result.moved_up, replaces=number)
    return result


def _move_up(db: Database, share: Fraction, capacity: int, now: str) -> str | None:
    counted, citizens = _counts(db)
    if counted >= capacity:
        return None
    waiting = db.query("SELECT number, category FROM people WHERE status = 'waiting' ORDER BY queue_pos")
    for candidate in waiting:
        is_citizen = candidate["category"] == CITIZEN
        if is_citizen or citizens >= share * (counted + 1):
            last = db.execute(
                "SELECT COALESCE(MAX(queue_pos), 0) FROM people WHERE status = 'invited'"
            ).fetchone()[0]
            db.execute(
                "UPDATE people SET status = 'invited', queue_pos = ?, updated_at = ? WHERE number = ?",
                [int(last) + 1, now, candidate["number"]],
            )
            return str(candidate["number"])
    return None
