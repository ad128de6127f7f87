"""Reading the people of an event (invitees, waiting list) for screens and exports."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from checkin.selection import SIGNUP_ORDER
from checkin.vocab import PersonStatus, codes

STATUSES = codes(PersonStatus)


@dataclass(frozen=True)
class Person:
    number: str
    name: str
    category: str
    status: str
    confirmation: str | None
    id_masked: str
    age: int
    phone: str | None
    organization: str | None
    signed_up_at: str | None
    direct: bool
    in_capacity: bool
    queue_pos: int | None
    review: str | None = None  # issue 17: 'pending' (待审核), 'approved', 'rejected' or None
    group_number: str | None = None  # a group application (G001) the person belongs to

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Person:
        return cls(
            number=row["number"],
            name=row["name"],
            category=row["category"],
            status=row["status"],
            confirmation=row["confirmation"],
            id_masked=row["id_masked"],
            age=row["age"],
            phone=row["phone"],
            organization=row["organization"],
            signed_up_at=row["signed_up_at"],
            direct=bool(row["direct"]),
            in_capacity=bool(row["in_capacity"]),
            queue_pos=row["queue_pos"],
            review=row.get("review"),
            group_number=row.get("group_number"),
        )


# ------------------------------------------------------------ adding people


WALK_IN_COLUMNS = ("number", "seq", "name", "gender", "id_hash", "id_masked", "age", "phone", "organization",
                   "category", "signed_up_at", "direct", "status", "in_capacity", "source", "created_at",
                   "updated_at", "walk_in")  # fmt: skip


def next_seq(conn: sqlite3.Connection) -> int:
    """The sign-up sequence number the next person gets (one order for import, walk-ins, merge)."""
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM people").fetchone()[0])


def add_people(conn: sqlite3.Connection, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """The one way people enter an event file: the import, a walk-in registered at the door, a
    walk-in merged from another door's bundle. `columns` are the program's own field names,
    never a file's; call inside a write transaction."""
    if not all(column.isidentifier() for column in columns):
        raise ValueError(f"not a column name: {columns}")
    marks = ", ".join("?" for _ in columns)
    conn.executemany(f"INSERT INTO people ({', '.join(columns)}) VALUES ({marks})", rows)


def add_walk_in(
    conn: sqlite3.Connection,
    *,
    number: str,
    name: str,
    gender: str | None,
    id_hash: str,
    id_masked: str,
    age: int,
    phone: str | None,
    category: str,
    in_capacity: bool,
    signed_up_at: str,
    source: str,
    created_at: str,
    updated_at: str,
) -> int:
    """Someone let in on the spot: invited at once, last in sign-up order. Returns their seq."""
    seq = next_seq(conn)
    row = (number, seq, name, gender, id_hash, id_masked, age, phone, None, category, signed_up_at, 0,
           PersonStatus.INVITED.value, int(in_capacity), source, created_at, updated_at, 1)  # fmt: skip
    add_people(conn, WALK_IN_COLUMNS, [row])
    return seq


# ------------------------------------------------------------ reading people


def list_people(db: Database, status: str | None = None) -> list[Person]:
    """Invited first (in their order), then waiting, then the rest in sign-up order."""
    where = "WHERE status = ?" if status else ""
    params = [status] if status else []
    rows = db.query(
        "SELECT * FROM people "
        f"{where} ORDER BY CASE status WHEN 'invited' THEN 0 WHEN 'waiting' THEN 1 "
        f"WHEN 'signed_up' THEN 2 ELSE 3 END, queue_pos, {SIGNUP_ORDER}",
        params,
    )
    return [Person.from_row(r) for r in rows]


def status_counts(db: Database) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for row in db.execute("SELECT status, COUNT(*) FROM people GROUP BY status"):
        counts[row[0]] = int(row[1])
    return counts


def confirmed_count(db: Database) -> int:
    """Invitees who said on the confirmation call that they will come."""
    row = db.execute(
        "SELECT COUNT(*) FROM people WHERE status = 'invited' AND confirmation = 'confirmed'"
    ).fetchone()
    return int(row[0])
