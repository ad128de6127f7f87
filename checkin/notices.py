"""Notices ready to send, offline (回复/通知): one `.eml` draft per person and one `sms.csv`.

For everyone whose outcome they have not yet been told — approved, rejected (with the
reason), invited, on the waiting list, moved up from the waiting list, no longer needed —
`write_notices` writes an e-mail draft that any mail client opens and sends (To: their
e-mail if the form gave one, else their group's contact; subject and body in Chinese; the
personal invitation PDF and QR code attached when invited) and a line of `sms.csv` with the
full mobile number and the message text for the SMS platform (70 characters per part).

These files are where full phone numbers are allowed: they are written owner-only (0600 on
POSIX) and never overwrite an earlier batch. Each notice is recorded in the event file, so
the next run writes only what is new; a run that stopped before recording (power cut, full
disk, Ctrl+C) is simply run again: the files it left are replaced, not doubled.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import tr
from checkin.phone import mask_phone
from checkin.storage import write_transaction
from checkin.textcheck import is_email, safe_cell
from checkin.vocab import PersonStatus, ReviewState

KINDS = ("approved", "rejected", "invited", "waiting", "moved_up", "not_needed")
SMS_PART = 70  # characters in a single Chinese SMS
SMS_PART_LONG = 67  # per part when a message is split
# kinds with a shorter text for when the full one does not fit in one SMS (the place left out)
SMS_SHORT = ("invited", "moved_up")
_MOBILE = re.compile(r"^1\d{10}$")


@dataclass
class Notice:
    number: str
    name: str
    kind: str
    to: str | None
    phone: str | None
    eml: Path
    sms: bool
    attachments: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "kind": self.kind,
            "to": self.to,
            "phone": mask_phone(self.phone or ""),
            "eml": str(self.eml),
            "sms": self.sms,
            "attachments": self.attachments,
        }


@dataclass
class NoticeRun:
    notices: list[Notice] = field(default_factory=list)
    sms_csv: Path | None = None
    unsigned: bool = False  # text messages without the 【organiser】 signature SMS platforms require

    def to_json(self) -> dict[str, Any]:
        return {
            "written": [n.to_json() for n in self.notices],
            "sms_csv": str(self.sms_csv) if self.sms_csv else None,
            "counts": {kind: sum(n.kind == kind for n in self.notices) for kind in KINDS},
        }


def sms_parts(text: str) -> int:
    """How many SMS a message takes: 70 characters fit one, longer ones go 67 per part."""
    if len(text) <= SMS_PART:
        return 1
    return math.ceil(len(text) / SMS_PART_LONG)


def _told(db: Database) -> dict[str, str]:
    """The last notice each person was given."""
    return {
        number: kind for number, kind in db.execute("SELECT number, kind FROM notices ORDER BY id").fetchall()
    }


_INVITED = {"invited", "moved_up"}


def outcome(row: dict[str, Any], last: str | None, close_waiting: bool) -> str | None:
    """What this person should be told now, or None when they know already (or nothing yet)."""
    status, review = row["status"], row["review"]
    if row["walk_in"] or status == PersonStatus.DECLINED:
        return None  # they are at the door, or told us themselves
    if review == ReviewState.REJECTED:
        kind: str | None = "rejected"
    elif status == PersonStatus.INVITED:
        kind = "moved_up" if last == "waiting" else "invited"
    elif status == PersonStatus.WAITING:
        # once told the list is closed, a later run without --close-waiting tells them nothing
        kind = "not_needed" if close_waiting or last == "not_needed" else "waiting"
    elif status == PersonStatus.REMOVED or (
        status == PersonStatus.SIGNED_UP and last in _INVITED | {PersonStatus.WAITING}
    ):
        kind = "not_needed" if last is not None else None
    elif status == PersonStatus.SIGNED_UP and review == ReviewState.APPROVED:
        kind = "approved"
    else:
        kind = None
    if kind in _INVITED and last in _INVITED and row.get("revoked"):
        return "invited"  # the invitation they were sent was taken back since: a new one goes out
    if kind is None or kind == last or (kind in _INVITED and last in _INVITED):
        return None
    return kind


def _params(event: Event, row: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    when = f"{event.date.month}月{event.date.day}日"
    if event.starts:
        when += f" {event.starts}"
    return {
        "name": row["name"],
        "title": event.title,
        "date": when,
        "place": event.meeting_point or event.location or "",
        "arrive_by": event.arrive_by or event.starts or "",
        "organizer": event.organizer or "",
        "number": row["number"],
        "category": category_label(row["category"], "zh"),
        "reason": row["review_reason"] or "",
        "position": row["queue_pos"] or "",
        **extra,
    }


def _write_private(path: Path, data: bytes) -> None:
    """Write `path` owner-only (0600 on POSIX), replacing a file of that name. Only a name no
    recorded notice holds gets here (see `_name`): what it replaces is a draft of a run that
    stopped before recording it, never one of an earlier batch. The old entry is removed and
    a new file created in its place, so a link of that name is never followed."""
    if path.is_symlink() or path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _part(path: Path) -> Path:
    """Where a draft is written before the run is recorded (`.A001-邀请.eml.part`)."""
    return path.with_name(f".{path.name}.part")


def _name(folder: Path, stem: str, suffix: str, recorded: set[str] | None, taken: set[str]) -> Path:
    """`stem.suffix`, else `stem-2.suffix` …: the first name that is neither a file of an
    earlier batch (recorded in the event file) nor already used in this run. A file there
    that no notice records was written by a run that stopped half-way: it is replaced, so a
    rerun writes each draft once (not `A001-邀请-2.eml` beside it). `recorded` None: any
    file there may belong to an earlier batch (recorded without its file name) and is kept."""
    n = 1
    while True:
        name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
        candidate = folder / name
        earlier = recorded is None or name in recorded
        if name not in taken and not (earlier and (candidate.exists() or candidate.is_symlink())):
            taken.add(name)
            return candidate
        n += 1


def _recorded(db: Database) -> tuple[set[str], set[str] | None]:
    """The draft and SMS-list file names of the notices already recorded; None for the SMS
    lists when notices recorded before the lists' names were (an earlier version) went into
    one: then every SMS list in the folder is kept."""
    eml = {r[0] for r in db.execute("SELECT DISTINCT eml FROM notices WHERE eml IS NOT NULL")}
    if db.execute("SELECT 1 FROM notices WHERE sms = 1 AND sms_file IS NULL LIMIT 1").fetchone():
        return eml, None
    sms = {r[0] for r in db.execute("SELECT DISTINCT sms_file FROM notices WHERE sms_file IS NOT NULL")}
    return eml, sms


def _address(value: str | None) -> str | None:
    text = (value or "").strip()
    return text if is_email(text) else None


def _people(db: Database) -> list[dict[str, Any]]:
    has_email = "email" in db["people"].columns_dict
    email = "p.email" if has_email else "NULL"
    return list(
        db.query(
            f"SELECT p.number, p.name, p.category, p.phone, {email} AS email, p.status, p.review, "
            "p.review_reason, p.queue_pos, p.walk_in, g.contact_email AS group_email, "
            # their current invitation was revoked without a new one (rejected, approved again)
            "EXISTS (SELECT 1 FROM invitations i WHERE i.seq = p.seq AND i.counter = p.token_counter "
            "AND i.revoked_at IS NOT NULL) AS revoked "
            "FROM people p LEFT JOIN groups g ON g.number = p.group_number ORDER BY p.seq"
        )
    )


def pending_notices(db: Database, *, close_waiting: bool = False) -> list[tuple[dict[str, Any], str]]:
    """(person, kind) for every notice the next run would write."""
    told = _told(db)
    due = []
    for row in _people(db):
        kind = outcome(row, told.get(row["number"]), close_waiting)
        if kind:
            due.append((row, kind))
    return due


def _again(
    db: Database, told: dict[str, str], numbers: Sequence[str], close_waiting: bool
) -> list[tuple[dict[str, Any], str]]:
    """(person, kind) for `notices --again`: what is new for them, else their last notice."""
    people = {row["number"]: row for row in _people(db)}
    due = []
    for typed in dict.fromkeys(n.strip().upper() for n in numbers):
        row = people.get(typed)
        if row is None:
            raise CheckinError("people.unknown_number", number=typed)
        last = told.get(typed)
        kind = outcome(row, last, close_waiting) or last
        if kind is None:
            raise CheckinError("notices.never_told", number=typed)
        if kind in _INVITED and row["status"] != PersonStatus.INVITED:
            kind = None  # told invited, since declined: nothing is to be said again
        if kind is None:
            raise CheckinError("notices.nothing_to_repeat", number=typed)
        due.append((row, kind))
    return due


def _sms_text(event: Event, kind: str, params: dict[str, Any]) -> str:
    """The SMS with the 【organiser】 signature; in one SMS (70 characters) where possible: a
    text too long for one gives way to the shorter one that leaves the place to the
    invitation, if that one fits."""
    sign = f"【{event.organizer}】" if event.organizer else ""
    text = sign + tr(f"notices.sms.{kind}", lang="zh", **params)
    if len(text) > SMS_PART and kind in SMS_SHORT:
        short = sign + tr(f"notices.sms_short.{kind}", lang="zh", **params)
        if len(short) <= SMS_PART:
            return short
    return text


def _message(
    event: Event, row: dict[str, Any], kind: str, to: str | None, params: dict[str, Any]
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    # one line whatever the event title holds: a header never carries a line break
    msg["Subject"] = " ".join(tr(f"notices.subject.{kind}", lang="zh", **params).split())
    if event.reply_email:
        msg["From"] = event.reply_email
    if to:
        msg["To"] = to
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="checkin.invalid")
    msg["X-Unsent"] = "1"  # Outlook opens the file as a draft ready to send
    msg.set_content(tr(f"notices.body.{kind}", lang="zh", **params))
    return msg


def write_notices(
    db: Database,
    out_dir: str | Path,
    *,
    close_waiting: bool = False,
    font: str | Path | None = None,
    again: Sequence[str] = (),
) -> NoticeRun:
    """Write every new notice into `out_dir` and record them; see the module docstring.
    `again`: only these people, each told once more what they were told last (their draft was
    deleted or lost before it was sent) — or what is new for them, if something is."""
    from checkin.review import run_auto_checks

    run_auto_checks(db)  # those failing the age or category rule are told so in this run
    event = load_event(db)
    told = _told(db)
    due = (
        _again(db, told, again, close_waiting) if again else pending_notices(db, close_waiting=close_waiting)
    )
    run = NoticeRun()
    if not due:
        return run
    folder = Path(out_dir)
    if folder.exists() and not folder.is_dir():
        raise CheckinError("notices.not_a_folder", path=str(folder))
    folder.mkdir(parents=True, exist_ok=True)
    choice = None
    if any(kind in _INVITED for _, kind in due):
        from checkin.fonts import find_cjk_font

        choice = find_cjk_font(font)
    sms_rows: list[list[str]] = []
    recorded_eml, recorded_sms = _recorded(db)
    taken: set[str] = set()
    for row, kind in due:
        to = _address(row["email"]) or _address(row["group_email"])
        extra: dict[str, Any] = {}
        attachments: list[tuple[bytes, str, str, str]] = []
        if kind in _INVITED:
            from checkin.invitations import invitation_attachments
            from checkin.keys import issue_token
            from checkin.tokens import short_code

            assert choice is not None
            pdf, png = invitation_attachments(db, event, row["number"], choice)
            extra["code"] = short_code(issue_token(db, row["number"]).token)
            attachments = [
                (pdf, "application", "pdf", tr("notices.pdf_name", lang="zh", number=row["number"])),
                (png, "image", "png", f"{row['number']}.png"),
            ]
        params = _params(event, row, extra)
        msg = _message(event, row, kind, to, params)
        for data, maintype, subtype, filename in attachments:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
        # named in words (A001-邀请.eml, A006-候补递补.eml): the clerk opens them from the folder
        stem = f"{row['number']}-{tr(f'notices.kind.{kind}', lang='zh')}"
        path = _name(folder, stem, ".eml", recorded_eml, taken)
        _write_private(_part(path), msg.as_bytes())
        phone = row["phone"] or ""
        mobile = bool(_MOBILE.match(phone))
        if mobile:
            text = _sms_text(event, kind, params)
            sms_rows.append(
                [
                    row["number"],
                    row["name"],
                    phone,
                    tr(f"notices.kind.{kind}", lang="zh"),
                    text,
                    str(sms_parts(text)),
                ]
            )
        run.notices.append(
            Notice(
                row["number"], row["name"], kind, to, phone or None, path, mobile, [a[3] for a in attachments]
            )
        )
    if sms_rows:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow(
            [tr(f"notices.col.{c}", lang="zh") for c in ("number", "name", "phone", "kind", "text", "parts")]
        )
        writer.writerows([[safe_cell(v) for v in r] for r in sms_rows])
        run.sms_csv = _name(folder, "sms", ".csv", recorded_sms, taken)
        run.unsigned = not event.organizer
        _write_private(_part(run.sms_csv), buffer.getvalue().encode("utf-8-sig"))
    now = dt.datetime.now().isoformat(timespec="seconds")
    sms_file = run.sms_csv.name if run.sms_csv else None
    with write_transaction(db):
        # the files take their names only now, with the event file locked: a run that stops
        # before leaves `.NAME.part` files only, never a draft beside the recorded ones
        files = [n.eml for n in run.notices] + ([run.sms_csv] if run.sms_csv else [])
        if any(_told(db).get(n.number) != told.get(n.number) for n in run.notices):
            # another run (a second window, another laptop on the shared file) wrote and
            # recorded notices for the same people meanwhile: ours are not recorded and their
            # files are removed, so that nobody is told twice
            for path in files:
                with contextlib.suppress(OSError):
                    _part(path).unlink()
            raise CheckinError("notices.raced")
        for path in files:
            os.replace(_part(path), path)
        db.conn.executemany(
            "INSERT INTO notices (number, kind, detail, eml, sms, sms_file, written_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (n.number, n.kind, n.to, n.eml.name, int(n.sms), sms_file if n.sms else None, now)
                for n in run.notices
            ],
        )
    return run
