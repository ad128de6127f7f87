"""Group applications (以单位等集体形式申请): one application for several people of one
organisation, with its contact person and the documents it sent (营业执照、法人证明 …).

Members are ordinary sign-ups (imported from a sheet or a form) tied to the group by its
number (G001). A group is reviewed as a whole or member by member, and shown as a group in
review, selection results and the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.phone import mask_phone, parse_phone
from checkin.selection import log_activity
from checkin.storage import write_transaction
from checkin.textcheck import check_text, is_email

PREFIX = "G"
MAX_TEXT = 200


@dataclass(frozen=True)
class Member:
    number: str
    name: str
    category: str
    status: str
    review: str | None


@dataclass
class Group:
    number: str
    organization: str
    contact_name: str
    contact_phone: str | None
    contact_email: str | None
    documents_received: bool
    documents: str | None
    note: str | None
    members: list[Member] = field(default_factory=list)

    def to_json(self, *, full_phone: bool = False) -> dict[str, Any]:
        phone = self.contact_phone or ""
        return {
            "group": self.number,
            "organization": self.organization,
            "contact_name": self.contact_name,
            "contact_phone": phone if full_phone else mask_phone(phone),
            "contact_email": self.contact_email,
            "documents_received": self.documents_received,
            "documents": self.documents,
            "note": self.note,
            "members": [
                {"number": m.number, "name": m.name, "category": m.category, "status": m.status,
                 "review": m.review}
                for m in self.members
            ],
        }  # fmt: skip


def _text(value: str | None, *, required: str | None = None, field: str = "organization") -> str | None:
    text = " ".join((value or "").split())
    if required and not text:
        raise CheckinError(required)
    if len(text) > MAX_TEXT:
        raise CheckinError("groups.too_long", limit=MAX_TEXT)
    return check_text(text, field, limit=MAX_TEXT) or None


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _check_members(db: Database, numbers: Sequence[str], group: str | None) -> list[str]:
    wanted = [n.strip().upper() for n in numbers if n.strip()]
    for number in wanted:
        row = db.execute("SELECT group_number FROM people WHERE number = ?", [number]).fetchone()
        if row is None:
            raise CheckinError("people.unknown_number", number=number)
        if row[0] and row[0] != group:
            raise CheckinError("groups.member_elsewhere", number=number, group=row[0])
    return wanted


def create_group(
    db: Database,
    organization: str,
    contact_name: str,
    contact_phone: str | None = None,
    *,
    contact_email: str | None = None,
    documents: str | None = None,
    documents_received: bool = False,
    members: Sequence[str] = (),
    note: str | None = None,
) -> str:
    """Record a group application; returns its number (G001, G002 …)."""
    org = _text(organization, required="groups.organization_missing")
    contact = _text(contact_name, required="groups.contact_missing", field="contact")
    phone = parse_phone(contact_phone) if contact_phone and contact_phone.strip() else None
    email = _text(contact_email, field="email")
    if email and not is_email(email):
        raise CheckinError("groups.bad_email", value=email)
    wanted = _check_members(db, members, None)
    now = _now()
    with write_transaction(db):
        last = db.execute("SELECT COALESCE(MAX(id), 0) FROM groups").fetchone()[0]
        number = f"{PREFIX}{int(last) + 1:03d}"
        db.table("groups").insert(
            {
                "number": number, "organization": org, "contact_name": contact, "contact_phone": phone,
                "contact_email": email, "documents_received": int(documents_received),
                "documents": _text(documents, field="documents"), "note": _text(note, field="note"),
                "created_at": now, "updated_at": now,
            }
        )  # fmt: skip
        _attach(db, number, wanted, now)
        log_activity(db, "group_create", None, group=number, members=wanted)
    return number


def _attach(db: Database, group: str, numbers: Sequence[str], now: str) -> None:
    db.conn.executemany(
        "UPDATE people SET group_number = ?, updated_at = ? WHERE number = ?",
        [(group, now, number) for number in numbers],
    )


def _require(db: Database, group: str) -> str:
    number = group.strip().upper()
    if db.execute("SELECT 1 FROM groups WHERE number = ?", [number]).fetchone() is None:
        raise CheckinError("groups.unknown", group=number)
    return number


def add_members(db: Database, group: str, numbers: Sequence[str]) -> list[str]:
    number = _require(db, group)
    wanted = _check_members(db, numbers, number)
    with write_transaction(db):
        _attach(db, number, wanted, _now())
        log_activity(db, "group_members", None, group=number, members=wanted)
    return wanted


def set_documents(db: Database, group: str, *, received: bool, documents: str | None = None) -> None:
    """Note which documents of the organisation arrived (营业执照、法人证明 …)."""
    number = _require(db, group)
    with write_transaction(db):
        db.execute(
            "UPDATE groups SET documents_received = ?, documents = COALESCE(?, documents), updated_at = ? "
            "WHERE number = ?",
            [int(received), _text(documents, field="documents"), _now(), number],
        )
        log_activity(db, "group_documents", None, group=number, received=received)


def list_groups(db: Database) -> list[Group]:
    groups = {
        r["number"]: Group(
            r["number"],
            r["organization"],
            r["contact_name"],
            r["contact_phone"],
            r["contact_email"],
            bool(r["documents_received"]),
            r["documents"],
            r["note"],
        )
        for r in db.query("SELECT * FROM groups ORDER BY id")
    }
    for r in db.query(
        "SELECT number, name, category, status, review, group_number FROM people "
        "WHERE group_number IS NOT NULL ORDER BY seq"
    ):
        group = groups.get(r["group_number"])
        if group is not None:
            group.members.append(Member(r["number"], r["name"], r["category"], r["status"], r["review"]))
    return list(groups.values())


def get_group(db: Database, group: str) -> Group:
    number = _require(db, group)
    return next(g for g in list_groups(db) if g.number == number)


def link_form_groups(db: Database, forms: dict[str, list[str]]) -> list[str]:
    """Group sign-up forms just imported (form → member numbers) become group applications.

    The form gives the unit (the members' 工作单位 box) and its phone and e-mail; the contact is
    the first person on it until staff correct it. Documents count as not received until
    `groups documents G001 --received` says otherwise. Returns the new group numbers."""
    made = []
    now = _now()
    with write_transaction(db):
        for form, numbers in forms.items():
            if not numbers:
                continue
            first = db.execute(
                "SELECT name, phone, organization FROM people WHERE number = ?", [numbers[0]]
            ).fetchone()
            if first is None:
                continue
            email = None
            if "email" in db["people"].columns_dict:
                row = db.execute("SELECT email FROM people WHERE number = ?", [numbers[0]]).fetchone()
                email = row[0] if row else None
            last = db.execute("SELECT COALESCE(MAX(id), 0) FROM groups").fetchone()[0]
            number = f"{PREFIX}{int(last) + 1:03d}"
            organization = first[2] or form.split("#")[0]
            db.table("groups").insert(
                {
                    "number": number, "organization": organization[:MAX_TEXT], "contact_name": first[0],
                    "contact_phone": first[1], "contact_email": email, "documents_received": 0,
                    "documents": None, "note": form[:MAX_TEXT], "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
            _attach(db, number, numbers, now)
            log_activity(db, "group_create", None, group=number, members=numbers, form=form)
            made.append(number)
    return made


def update_group(
    db: Database,
    group: str,
    *,
    organization: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    contact_email: str | None = None,
    note: str | None = None,
) -> None:
    """Correct a group application's details; fields left out (None) stay as they are."""
    number = _require(db, group)
    changes: dict[str, Any] = {}
    if organization is not None:
        changes["organization"] = _text(organization, required="groups.organization_missing")
    if contact_name is not None:
        changes["contact_name"] = _text(contact_name, required="groups.contact_missing", field="contact")
    if contact_phone is not None:
        changes["contact_phone"] = parse_phone(contact_phone) if contact_phone.strip() else None
    if contact_email is not None:
        email = _text(contact_email, field="email")
        if email and not is_email(email):
            raise CheckinError("groups.bad_email", value=email)
        changes["contact_email"] = email
    if note is not None:
        changes["note"] = _text(note, field="note")
    if not changes:
        return
    changes["updated_at"] = _now()
    with write_transaction(db):
        db.table("groups").update(
            db.execute("SELECT id FROM groups WHERE number = ?", [number]).fetchone()[0], changes
        )
        log_activity(db, "group_edit", None, group=number, fields=sorted(changes))
