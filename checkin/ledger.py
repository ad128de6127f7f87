"""The suggestions ledger (工作台账): every suggestion tracked to an answer within N working days.

Each suggestion has a number, its text, who raised it (a guest number or anonymous), a
category, the handling department (科室), the date handed over, the due date — N working days
after the event on China's statutory calendar (15个工作日内办结并及时反馈) — a status
(待办 → 交办/转办 → 办理中 → 已办结 → 已反馈), the outcome (adopted / partly / not, with the
reason when not), the reply and its date, and a history of every change.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from checkin.clock import SYSTEM_CLOCK, Clock, stamp
from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.i18n import tr
from checkin.storage import write_transaction
from checkin.survey import counted_forms
from checkin.vocab import Outcome, Source, SuggestionStatus, codes
from checkin.workdays import Calendar, event_calendar

STATUSES = codes(SuggestionStatus)
_S = SuggestionStatus
TRANSITIONS: dict[str, tuple[str, ...]] = {
    _S.PENDING: (_S.ASSIGNED, _S.TRANSFERRED),
    _S.ASSIGNED: (_S.IN_PROGRESS, _S.TRANSFERRED),
    _S.TRANSFERRED: (_S.ASSIGNED, _S.IN_PROGRESS),
    _S.IN_PROGRESS: (_S.RESOLVED, _S.TRANSFERRED),
    _S.RESOLVED: (_S.REPLIED,),
    _S.REPLIED: (),
}
OUTCOMES = codes(Outcome)
SOURCES = codes(Source)
DUE_SOON_WORKING_DAYS = 3
EDITABLE = ("text", "category", "department", "raised_by")


@dataclass(frozen=True)
class Suggestion:
    number: str
    text: str
    source: str
    form: int | None
    raised_by: str | None
    category: str | None
    department: str | None
    handed_over_at: str | None
    due_date: str
    status: str
    outcome: str | None
    reason: str | None
    reply: str | None
    replied_at: str | None
    urgency: str  # "overdue", "due_soon", "ok" or "done"

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _now(clock: Clock) -> str:
    return stamp(clock)


def due_date(db: Database) -> tuple[dt.date, list[int]]:
    """The due date for suggestions of this event, and the years counted without data."""
    event = load_event(db)
    calendar = event_calendar(db)
    due = calendar.add_working_days(event.date, event.followup_working_days)
    return due, sorted(calendar.missing_years)


def refresh_due_dates(db: Database, operator: str = "system", *, clock: Clock = SYSTEM_CLOCK) -> int:
    """After a year's holidays are loaded: suggestions not yet answered get the due date the
    calendar now gives (each change in their history). Returns how many changed."""
    due, _ = due_date(db)
    changed = 0
    with write_transaction(db):
        for uid, old in db.execute(
            "SELECT uid, due_date FROM suggestions WHERE status != 'replied' AND due_date != ?",
            [due.isoformat()],
        ).fetchall():
            db.execute(
                "UPDATE suggestions SET due_date = ?, updated_at = ? WHERE uid = ?",
                [due.isoformat(), _now(clock), uid],
            )
            _history(db, uid, operator, "due_date", old, due.isoformat(), clock)
            changed += 1
    return changed


def add_suggestion(
    db: Database,
    text: str,
    *,
    source: str = "forum",
    raised_by: str | None = None,
    category: str | None = None,
    form: int | None = None,
    operator: str = "office",
    clock: Clock = SYSTEM_CLOCK,
) -> str:
    text = text.strip()
    if not text:
        raise CheckinError("ledger.text_missing")
    if source not in SOURCES:
        raise CheckinError("ledger.bad_source", value=source)
    if raised_by:
        raised_by = raised_by.strip().upper()
        if db.execute("SELECT 1 FROM people WHERE number = ?", [raised_by]).fetchone() is None:
            raise CheckinError("people.unknown_number", number=raised_by)
    due, _ = due_date(db)
    now = _now(clock)
    with write_transaction(db):
        number = next_suggestion_number(db.conn)
        uid = uuid.uuid4().hex
        db.table("suggestions").insert(
            {
                "uid": uid, "number": number, "text": text, "source": source, "form": form,
                "raised_by": raised_by or None, "category": category, "department": None,
                "handed_over_at": None, "due_date": due.isoformat(), "status": "pending",
                "created_at": now, "updated_at": now,
            }
        )  # fmt: skip
        _history(db, uid, operator, "created", None, text, clock)
    return number


def next_suggestion_number(conn: sqlite3.Connection) -> str:
    """The number the next suggestion gets (S001, S002 …): one numbering for the ledger and the
    merge of other laptops' ledgers."""
    count = int(conn.execute("SELECT COUNT(*) FROM suggestions").fetchone()[0])
    return f"S{count + 1:03d}"


def import_from_surveys(db: Database, operator: str = "office", *, clock: Clock = SYSTEM_CLOCK) -> list[str]:
    """Every counted survey form's suggestion text that is not in the ledger yet."""
    known = {int(r[0]) for r in db.execute("SELECT form FROM suggestions WHERE form IS NOT NULL")}
    added = []
    for form, (_, text) in sorted(counted_forms(db).items()):
        if text.strip() and form not in known:
            added.append(add_suggestion(db, text, source="survey", form=form, operator=operator, clock=clock))
    return added


def _history(db: Database, uid: str, operator: str, field: str, old: Any, new: Any, clock: Clock) -> None:
    db.table("suggestion_history").insert(
        {"suggestion": uid, "at": _now(clock), "operator": operator, "field": field,
         "old": None if old is None else str(old), "new": None if new is None else str(new)}
    )  # fmt: skip


def _row(db: Database, number: str) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM suggestions WHERE number = ?", [number.strip().upper()]))
    if not rows:
        raise CheckinError("ledger.unknown", number=number)
    return rows[0]


def edit(
    db: Database, number: str, operator: str = "office", *, clock: Clock = SYSTEM_CLOCK, **changes: str | None
) -> None:
    """Change text, category, department or who raised it; every change goes into the history."""
    row = _row(db, number)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise CheckinError("ledger.bad_field", value=", ".join(sorted(unknown)))
    with write_transaction(db):
        for field, value in changes.items():
            if value is not None and value != row[field]:
                db.execute(
                    f"UPDATE suggestions SET {field} = ?, updated_at = ? WHERE uid = ?",
                    [value, _now(clock), row["uid"]],
                )
                _history(db, row["uid"], operator, field, row[field], value, clock)


def set_status(
    db: Database,
    number: str,
    status: str,
    *,
    operator: str = "office",
    department: str | None = None,
    outcome: str | None = None,
    reason: str | None = None,
    reply: str | None = None,
    on: dt.date | None = None,
    clock: Clock = SYSTEM_CLOCK,
) -> None:
    """Move a suggestion along 待办 → 交办/转办 → 办理中 → 已办结 → 已反馈, checking each step's needs."""
    row = _row(db, number)
    if status not in STATUSES:
        raise CheckinError("ledger.bad_status", value=status)
    if status not in TRANSITIONS[row["status"]]:
        raise CheckinError(
            "ledger.bad_transition",
            number=row["number"],
            old=tr(f"ledger.status.{row['status']}"),
            new=tr(f"ledger.status.{status}"),
        )
    if on is not None:
        _check_day(db, row, status, on)
    day = (on or clock.now().date()).isoformat()
    updates: dict[str, Any] = {"status": status}
    if status in ("assigned", "transferred"):
        department = (department or "").strip()
        if not department:
            raise CheckinError("ledger.department_needed")
        updates["department"] = department
        updates["handed_over_at"] = day
    if status == SuggestionStatus.RESOLVED:
        if outcome not in OUTCOMES:
            raise CheckinError("ledger.outcome_needed")
        if outcome == "not_adopted" and not (reason or "").strip():
            raise CheckinError("ledger.reason_needed")
        updates["outcome"] = outcome
        updates["reason"] = (reason or "").strip() or None
    if status == SuggestionStatus.REPLIED:
        if not (reply or "").strip():
            raise CheckinError("ledger.reply_needed")
        updates["reply"] = (reply or "").strip()
        updates["replied_at"] = day
    with write_transaction(db):
        for field, value in updates.items():
            if value != row[field]:
                _history(db, row["uid"], operator, field, row[field], value, clock)
        assignments = ", ".join(f"{f} = ?" for f in updates)
        db.execute(
            f"UPDATE suggestions SET {assignments}, updated_at = ? WHERE uid = ?",
            [*updates.values(), _now(clock), row["uid"]],
        )


def _check_day(db: Database, row: dict[str, Any], status: str, on: dt.date) -> None:
    """A step dated by hand (`--on`) falls on or after the event, where the suggestion was made,
    and a transfer or an answer not before the suggestion was handed over; else refused in words."""
    event_day = load_event(db).date
    if on < event_day:
        raise CheckinError("ledger_tidy.on_before_event", on=on.isoformat(), event=event_day.isoformat())
    handed = row["handed_over_at"]
    later = status in (SuggestionStatus.TRANSFERRED, SuggestionStatus.REPLIED)
    if later and handed and on.isoformat() < str(handed)[:10]:
        raise CheckinError("ledger_tidy.reply_before_handover", on=on.isoformat(), handed=str(handed)[:10])


def urgency(calendar: Calendar, due: str, status: str, today: dt.date | None = None) -> str:
    if status == SuggestionStatus.REPLIED:
        return "done"
    today = today or dt.date.today()
    due_day = dt.date.fromisoformat(due)
    if today > due_day:
        return "overdue"
    if calendar.working_days_between(today, due_day) <= DUE_SOON_WORKING_DAYS:
        return "due_soon"
    return "ok"


def list_suggestions(
    db: Database, *, status: str | None = None, department: str | None = None, today: dt.date | None = None
) -> list[Suggestion]:
    where, params = [], []
    if status:
        where.append("status = ?")
        params.append(status)
    if department:
        where.append("department = ?")
        params.append(department)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    calendar = event_calendar(db)  # read once, not once per suggestion
    result = []
    for row in db.query(f"SELECT * FROM suggestions {clause} ORDER BY id", params):
        result.append(
            Suggestion(
                **{k: row[k] for k in Suggestion.__dataclass_fields__ if k != "urgency"},
                urgency=urgency(calendar, row["due_date"], row["status"], today),
            )
        )
    return result


def history(db: Database, number: str) -> list[dict[str, Any]]:
    row = _row(db, number)
    return list(
        db.query(
            "SELECT at, operator, field, old, new FROM suggestion_history WHERE suggestion = ? ORDER BY id",
            [row["uid"]],
        )
    )
