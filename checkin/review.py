"""Review (审核) of applications before selection.

With the event's `review = true`, every sign-up enters as 待审核 (pending); direct invitations
(定向邀请) and walk-ins skip it. Each application is due `review_working_days` working days
(default 2, on the statutory calendar with 调休) after it arrived — "收到申请后…2个工作日内完成
审核" — and is overdue after that. The automatic checks (age limits, categories the event keeps
out of open sign-up such as 两代表一委员) reject on their own; living, working or studying in
the area is the reviewer's tick, with the evidence noted. Only approved sign-ups are selected.
A group application (集体申请) can be approved or rejected as a whole by its G-number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import tr
from checkin.phone import mask_phone
from checkin.selection import leave_lists, log_activity
from checkin.storage import write_transaction
from checkin.textcheck import check_text
from checkin.vocab import PersonStatus, ReviewState, codes
from checkin.workdays import Calendar, event_calendar

STATES = codes(ReviewState)
# the short list of reasons offered on screen and understood by `review reject --reason CODE`
REASONS = ("not_local", "age", "excluded", "civil_capacity", "documents", "incomplete")
AUTO = "auto"
MAX_REASON = 200
MAX_EVIDENCE = 200
_GROUP_NUMBER = re.compile(r"^G\d+$")  # a group application's number (G001)


@dataclass(frozen=True)
class Application:
    number: str
    name: str
    category: str
    organization: str | None
    phone_masked: str
    arrived: dt.date
    due: dt.date
    review: str
    reason: str | None
    residence_evidence: str | None
    reviewed_at: str | None
    reviewed_by: str | None
    group_number: str | None
    group_organization: str | None
    problems: tuple[str, ...]
    overdue: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "category": self.category,
            "category_label": category_label(self.category),
            "organization": self.organization,
            "phone": self.phone_masked,
            "arrived": self.arrived.isoformat(),
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "review": self.review,
            "reason": self.reason,
            "residence_evidence": self.residence_evidence,
            "reviewed_at": self.reviewed_at,
            "reviewed_by": self.reviewed_by,
            "group": self.group_number,
            "group_organization": self.group_organization,
            "problems": list(self.problems),
        }


def reason_text(value: str) -> str:
    """A preset reason code → its Chinese text (what the applicant is told); else the text."""
    text = " ".join(value.split())
    if text in REASONS:
        return tr(f"review.reason.{text}", lang="zh")
    return text


def arrival_date(signed_up_at: str | None, created_at: str) -> dt.date:
    """The day the application arrived: its sign-up time, or when it was entered."""
    for value in (signed_up_at, created_at):
        if value:
            try:
                return dt.date.fromisoformat(value[:10])
            except ValueError:
                continue
    return dt.date.today()


def due_date(calendar: Calendar, arrived: dt.date, working_days: int) -> dt.date:
    """N working days after the day it arrived (that day not counted)."""
    return calendar.add_working_days(arrived, working_days)


def auto_problems(event: Event, age: int, category: str, direct: bool) -> tuple[str, ...]:
    """What the automatic checks find: age outside the limits, a category kept out of sign-up."""
    problems = []
    if age < event.min_age or (event.max_age is not None and age > event.max_age):
        problems.append("age")
    if not direct and category in event.signup_excluded:
        problems.append("excluded")
    return tuple(problems)


def _auto_reason(event: Event, problem: str) -> str:
    if problem == "age":
        upper = event.max_age if event.max_age is not None else ""
        key = "review.auto.age_range" if upper != "" else "review.auto.age_min"
        return tr(key, lang="zh", min_age=event.min_age, max_age=upper)
    return tr(
        "review.auto.excluded",
        lang="zh",
        categories="、".join(category_label(c, "zh") for c in event.signup_excluded),
    )


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def run_auto_checks(db: Database) -> list[str]:
    """Reject pending applications that fail an automatic check; returns their numbers.

    On a file this program may only read, nothing is written: the failing applications keep
    showing their problems in the list, and approving them stays refused."""
    event = load_event(db)
    rows = db.execute("SELECT number, age, category, direct FROM people WHERE review = 'pending'").fetchall()
    failing = [
        (number, problems)
        for number, age, category, direct in rows
        if (problems := auto_problems(event, int(age), category, bool(direct)))
    ]
    if not failing:
        return []
    now = _now()
    try:
        _reject_failing(db, event, failing, now)
    except CheckinError as exc:
        if exc.key != "storage.read_only":
            raise
        return []
    return [number for number, _ in failing]


def _reject_failing(db: Database, event: Event, failing: list[tuple[str, tuple[str, ...]]], now: str) -> None:
    with write_transaction(db):
        for number, problems in failing:
            reason = "；".join(_auto_reason(event, p) for p in problems)
            db.execute(
                "UPDATE people SET review = 'rejected', review_reason = ?, reviewed_at = ?, "
                "reviewed_by = ?, updated_at = ? WHERE number = ? AND review = 'pending'",
                [reason, now, AUTO, now, number],
            )
            log_activity(db, "review_reject", number, by=AUTO, reason=reason)


def list_applications(
    db: Database,
    *,
    state: str | None = "pending",
    overdue_only: bool = False,
    group: str | None = None,
    category: str | None = None,
    today: dt.date | None = None,
) -> list[Application]:
    """Applications under review (or decided), oldest first, with due dates."""
    if state is not None and state not in STATES:
        raise CheckinError("review.bad_state", value=state)
    event = load_event(db)
    calendar = event_calendar(db)
    today = today or dt.date.today()
    where = ["p.review IS NOT NULL"]
    params: list[Any] = []
    if state:
        where.append("p.review = ?")
        params.append(state)
    if group:
        wanted = group.strip().upper()
        if not db.execute("SELECT 1 FROM groups WHERE number = ?", [wanted]).fetchone():
            raise CheckinError("groups.unknown", group=wanted)  # a mistyped G009 is not 'nobody pending'
        where.append("p.group_number = ?")
        params.append(wanted)
    if category:
        where.append("p.category = ?")
        params.append(category)
    rows = db.query(
        "SELECT p.*, g.organization AS group_organization FROM people p "
        "LEFT JOIN groups g ON g.number = p.group_number "
        f"WHERE {' AND '.join(where)} ORDER BY (p.signed_up_at IS NULL), p.signed_up_at, p.seq",
        params,
    )
    result = []
    dues: dict[dt.date, dt.date] = {}  # applications arrive on a few days: each reckoned once
    for row in rows:
        arrived = arrival_date(row["signed_up_at"], row["created_at"])
        due = dues.get(arrived)
        if due is None:
            due = dues[arrived] = due_date(calendar, arrived, event.review_working_days)
        overdue = row["review"] == ReviewState.PENDING and today > due
        if overdue_only and not overdue:
            continue
        result.append(
            Application(
                number=row["number"],
                name=row["name"],
                category=row["category"],
                organization=row["organization"],
                phone_masked=mask_phone(row["phone"] or ""),
                arrived=arrived,
                due=due,
                review=row["review"],
                reason=row["review_reason"],
                residence_evidence=row["residence_evidence"],
                reviewed_at=row["reviewed_at"],
                reviewed_by=row["reviewed_by"],
                group_number=row["group_number"],
                group_organization=row["group_organization"],
                problems=auto_problems(event, int(row["age"]), row["category"], bool(row["direct"])),
                overdue=overdue,
            )
        )
    return result


def review_counts(db: Database, today: dt.date | None = None) -> dict[str, int]:
    counts = dict.fromkeys((*STATES, "overdue"), 0)
    for state, n in db.execute(
        "SELECT review, COUNT(*) FROM people WHERE review IS NOT NULL GROUP BY review"
    ):
        counts[state] = int(n)
    counts["overdue"] = len(list_applications(db, state="pending", overdue_only=True, today=today))
    return counts


def _expand(db: Database, numbers: Iterable[str]) -> list[str]:
    """Person numbers, with a group number (G001) standing for its members still pending:
    a decision taken member by member stands when the group is decided."""
    result: list[str] = []
    for raw in numbers:
        number = raw.strip().upper()
        if not number:
            continue
        is_group = db.execute("SELECT 1 FROM groups WHERE number = ?", [number]).fetchone() is not None
        if not is_group and _GROUP_NUMBER.match(number):
            raise CheckinError("groups.unknown", group=number)
        if is_group:
            members = [r[0] for r in db.execute(
                "SELECT number FROM people WHERE group_number = ? ORDER BY seq", [number]
            )]  # fmt: skip
            if not members:
                raise CheckinError("groups.empty", group=number)
            members = [r[0] for r in db.execute(
                "SELECT number FROM people WHERE group_number = ? AND review = 'pending' ORDER BY seq",
                [number],
            )]  # fmt: skip
            if not members:
                raise CheckinError("review.group_decided", group=number)
            result.extend(m for m in members if m not in result)
            continue
        row = db.execute("SELECT review FROM people WHERE number = ?", [number]).fetchone()
        if row is None:
            raise CheckinError("people.unknown_number", number=number)
        if row[0] is None:
            raise CheckinError("review.not_under_review", number=number)
        if number not in result:
            result.append(number)
    if not result:
        raise CheckinError("review.nothing")
    return result


def _clean(text: str | None, limit: int, field: str = "reason") -> str:
    """One line of typed text; control characters refused (textcheck), length capped."""
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise CheckinError("review.too_long", limit=limit)
    return check_text(value, field, limit=limit)


def approve(
    db: Database,
    numbers: Sequence[str],
    *,
    operator: str,
    residence: str | None = None,
    overturned: list[str] | None = None,
) -> list[str]:
    """Approve applications (a G-number approves its members). Refused as a whole when one of
    them fails an automatic check, has no residence evidence, or belongs to a group whose
    documents have not arrived. `overturned`, if given, gets those who had been rejected."""
    event = load_event(db)
    targets = _expand(db, numbers)
    evidence = _clean(residence, MAX_EVIDENCE, "evidence")
    rows = {
        r["number"]: r
        for r in db.query(
            "SELECT p.number, p.age, p.category, p.direct, p.review, p.residence_evidence, "
            "p.group_number, g.documents_received FROM people p LEFT JOIN groups g "
            f"ON g.number = p.group_number WHERE p.number IN ({', '.join('?' for _ in targets)})",
            targets,
        )
    }
    for number in targets:
        row = rows[number]
        problems = auto_problems(event, int(row["age"]), row["category"], bool(row["direct"]))
        if problems:
            raise CheckinError("review.fails_checks", number=number, reason=_auto_reason(event, problems[0]))
        if not evidence and not row["residence_evidence"]:
            raise CheckinError("review.residence_needed", number=number)
        if row["group_number"] and not row["documents_received"]:
            raise CheckinError("review.group_documents", number=number, group=row["group_number"])
    now = _now()
    changed = []
    with write_transaction(db):
        for number in targets:
            if rows[number]["review"] == ReviewState.APPROVED and not evidence:
                continue
            db.execute(
                "UPDATE people SET review = 'approved', review_reason = NULL, reviewed_at = ?, "
                "reviewed_by = ?, residence_evidence = COALESCE(?, residence_evidence), updated_at = ? "
                "WHERE number = ?",
                [now, operator, evidence or None, now, number],
            )
            log_activity(db, "review_approve", number, by=operator, residence=evidence or None)
            changed.append(number)
            if rows[number]["review"] == ReviewState.REJECTED and overturned is not None:
                overturned.append(number)
    return changed


def reject(
    db: Database,
    numbers: Sequence[str],
    *,
    reason: str,
    operator: str,
    revoked: list[tuple[str, str | None]] | None = None,
) -> list[str]:
    """Reject applications with a reason (a preset code from REASONS or typed text). A rejected
    person leaves the invited and waiting lists at once (their invitation revoked, the waiting
    list moving up into a place they held). `revoked`, if given, gets (number, who moved up
    into their place or None) for each invitation taken back, for the clerk to tell."""
    text = _clean(reason_text(reason), MAX_REASON)
    if not text:
        raise CheckinError("review.reason_needed")
    targets = _expand(db, numbers)
    marks = ", ".join("?" for _ in targets)
    inside = db.execute(
        f"SELECT number, at FROM live_checkins WHERE number IN ({marks}) ORDER BY at", targets
    ).fetchone()
    if inside is not None:  # a wrong number typed on the day must not send a guest's place away
        raise CheckinError("review.already_inside", number=inside[0], at=str(inside[1])[11:16])
    now = _now()
    with write_transaction(db):
        for number in targets:
            db.execute(
                "UPDATE people SET review = 'rejected', review_reason = ?, reviewed_at = ?, "
                "reviewed_by = ?, updated_at = ? WHERE number = ?",
                [text, now, operator, now, number],
            )
            log_activity(db, "review_reject", number, by=operator, reason=text)
            # an invitation already given is taken back now, not at the next selection
            was_invited = db.execute(
                "SELECT 1 FROM people WHERE number = ? AND status = 'invited'", [number]
            ).fetchone()
            moved = leave_lists(db, number, "not_selectable")
            if was_invited and revoked is not None:
                revoked.append((number, moved))
    return targets


def tick_residence(db: Database, number: str, evidence: str, *, operator: str) -> None:
    """The reviewer confirms the person lives, works or studies in the area, and on what basis."""
    text = _clean(evidence, MAX_EVIDENCE, "evidence")
    if not text:
        raise CheckinError("review.evidence_needed")
    target = _expand(db, [number])
    with write_transaction(db):
        for one in target:
            db.execute(
                "UPDATE people SET residence_evidence = ?, updated_at = ? WHERE number = ?",
                [text, _now(), one],
            )
            log_activity(db, "review_residence", one, by=operator, evidence=text)


def display_status(status: str, review: str | None) -> str:
    """What a person's state is called on screen: 待审核 / 未通过审核 / 已通过审核 before selection."""
    if review == ReviewState.PENDING:
        return tr("review.state.pending")
    if review == ReviewState.REJECTED:
        return tr("review.state.rejected")
    if review == ReviewState.APPROVED and status == PersonStatus.SIGNED_UP:
        return tr("review.state.approved")
    return tr(f"status.{status}")
