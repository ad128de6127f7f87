"""Sign-up import (报名): validate every row, report the bad ones, keep the good ones.

A person is their ID number: importing the same file again adds nothing, and the same
person twice in one file keeps the earlier sign-up and reports the later one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.categories import parse_category
from checkin.errors import CheckinError
from checkin.event import Event, id_secret, load_event
from checkin.i18n import tr
from checkin.idcard import id_hash, parse_id
from checkin.phone import parse_phone
from checkin.sheets import Sheet, clean_cell, open_sheet
from checkin.storage import write_transaction
from checkin.textcheck import LIMITS, check_text

NUMBER_PREFIX = "A"
# A validated row, as a tuple to keep 100,000 of them small in memory.
RECORD_FIELDS = (
    "name", "gender", "id_hash", "id_masked", "age", "phone",
    "organization", "category", "signed_up_at", "direct",
)  # fmt: skip
Record = tuple[Any, ...]
_HASH = RECORD_FIELDS.index("id_hash")
_AT = RECORD_FIELDS.index("signed_up_at")
_CATEGORY = RECORD_FIELDS.index("category")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
_DIRECT_WORDS = {"定向邀请", "直接邀请", "邀请", "direct", "invited", "yes", "是", "1", "true"}
_SIGNUP_WORDS = {
    "",
    "报名",
    "自主报名",
    "网上报名",
    "电话报名",
    "signup",
    "sign-up",
    "no",
    "否",
    "0",
}
_GENDERS = {
    "男": "M", "男性": "M", "m": "M", "male": "M",
    "女": "F", "女性": "F", "f": "F", "female": "F",
}  # fmt: skip


@dataclass
class Rejection:
    line: int
    code: str
    reason: str


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    encoding: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "unchanged": self.unchanged,
            "rejected": [{"line": r.line, "reason": r.reason, "code": r.code} for r in self.rejected],
        }


class RowError(Exception):
    def __init__(self, error: CheckinError) -> None:
        self.error = error


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(clean_cell(str(value)))


def parse_signup_time(value: Any) -> str | None:
    """An Excel date cell, an Excel serial number, or text → 'YYYY-MM-DD HH:MM:SS'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not 20000 < float(value) < 80000:
            raise CheckinError("import.bad_time", value=str(value))
        moment = _EXCEL_EPOCH + dt.timedelta(days=float(value))
        moment = moment.replace(microsecond=0)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        text = re.sub(r"\s+", " ", text)
        if not text:
            return None
        for fmt in _TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            try:
                serial = float(text)
            except ValueError:
                raise CheckinError("import.bad_time", value=text) from None
            return parse_signup_time(serial)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def parse_invitation(value: Any, default_direct: bool) -> bool:
    text = _text(value).lower()
    if text in _DIRECT_WORDS:
        return True
    if text in _SIGNUP_WORDS:
        return default_direct
    raise CheckinError("import.bad_invitation", value=_text(value))


def parse_gender(value: Any) -> str | None:
    text = _text(value).lower()
    if not text:
        return None
    if text in _GENDERS:
        return _GENDERS[text]
    raise CheckinError("import.bad_gender", value=_text(value))


def _organization(value: Any) -> str | None:
    text = _text(value)
    return check_text(text, tr("textcheck.field.organization"), limit=LIMITS["organization"]) or None


def validate_row(
    values: list[Any], columns: dict[str, int], event: Event, secret: bytes, default_direct: bool
) -> Record:
    """One sheet row → a person record (no full ID number in it), or RowError."""

    def cell(field_name: str) -> Any:
        index = columns.get(field_name)
        if index is None or index >= len(values):
            return None
        return clean_cell(values[index])

    try:
        name = check_text(_text(cell("name")), tr("textcheck.field.name"), limit=LIMITS["name"])
        if not name:
            raise CheckinError("import.name_missing")
        raw_id = cell("id_number")
        if isinstance(raw_id, float) or (isinstance(raw_id, int) and not isinstance(raw_id, bool)):
            raise CheckinError("id.excel_number")
        resident = parse_id(_text(raw_id), today=event.date)
        age = resident.age_on(event.date)
        if age < event.min_age:
            raise CheckinError("import.too_young", age=age, min_age=event.min_age)
        if event.max_age is not None and age > event.max_age:
            raise CheckinError("import.too_old", age=age, max_age=event.max_age)
        phone_text = _text(cell("phone"))
        phone = parse_phone(phone_text)
        signed_up_at = parse_signup_time(cell("signed_up_at"))
        if (
            signed_up_at and event.signup_deadline and signed_up_at > parse_signup_time(event.signup_deadline)  # type: ignore[operator]
        ):
            raise CheckinError("import.after_deadline", deadline=event.signup_deadline)
        record: Record = (
            name,
            parse_gender(cell("gender")),
            id_hash(secret, resident.number),
            resident.masked,
            age,
            phone,
            check_text(
                _text(cell("organization")), tr("textcheck.field.organization"), limit=LIMITS["organization"]
            )
            or None,
            parse_category(event.category_list(), _text(cell("category"))),
            signed_up_at,
            int(parse_invitation(cell("invitation"), default_direct)),
        )
    except CheckinError as exc:
        raise RowError(exc) from None
    return record


def _order_key(record: Record, line: int) -> tuple[int, str, int]:
    """Sign-up order: rows with a time by that time, then rows without one in file order."""
    at = record[_AT]
    return (0, at, line) if at else (1, "", line)


def format_number(seq: int) -> str:
    return f"{NUMBER_PREFIX}{seq:03d}"


def import_rows(
    db: Database,
    rows: Iterable[tuple[int, list[Any]]],
    columns: dict[str, int],
    *,
    source: str,
    direct: bool = False,
) -> ImportResult:
    """Validate and store rows; the whole import is one transaction."""
    event = load_event(db)
    secret = id_secret(db)
    known = {r[0] for r in db.execute("SELECT id_hash FROM people")}
    result = ImportResult()
    chosen: dict[str, tuple[tuple[int, str, int], int, Record]] = {}
    for line, values in rows:
        if all(v is None or _text(v) == "" for v in values):
            continue
        try:
            record = validate_row(values, columns, event, secret, direct)
        except RowError as err:
            result.rejected.append(Rejection(line, err.error.key, err.error.message()))
            continue
        key = record[_HASH]
        if key in known:
            result.unchanged += 1
            continue
        order = _order_key(record, line)
        previous = chosen.get(key)
        if previous is None:
            chosen[key] = (order, line, record)
            continue
        keep, drop = (previous, (order, line, record))
        if order < previous[0]:
            keep, drop = drop, keep
        chosen[key] = keep
        result.rejected.append(Rejection(drop[1], "import.duplicate", tr("import.duplicate", line=keep[1])))
    result.rejected.sort(key=lambda r: r.line)
    now = dt.datetime.now().isoformat(timespec="seconds")
    ordered = sorted(chosen.values(), key=lambda item: item[0])
    with write_transaction(db):
        row = db.execute("SELECT COALESCE(MAX(seq), 0) FROM people").fetchone()
        next_seq = int(row[0]) + 1
        outside = set(event.outside_capacity)
        cols = [*RECORD_FIELDS, "seq", "number", "source", "created_at", "updated_at",
                "status", "in_capacity"]  # fmt: skip

        def insert_rows() -> Iterable[Record]:
            for offset, (_, _, record) in enumerate(ordered):
                seq = next_seq + offset
                in_capacity = int(record[_CATEGORY] not in outside)
                yield (*record, seq, format_number(seq), source, now, now, "signed_up", in_capacity)

        placeholders = ", ".join("?" for _ in cols)
        db.conn.executemany(f"INSERT INTO people ({', '.join(cols)}) VALUES ({placeholders})", insert_rows())
        result.imported = len(ordered)
        db.table("imports").insert(
            {
                "at": now,
                "file": source,
                "imported": result.imported,
                "unchanged": result.unchanged,
                "rejected": len(result.rejected),
            }
        )
    return result


def import_file(db: Database, path: str | Path, *, direct: bool = False) -> ImportResult:
    """Read a CSV/XLSX sheet and import it; CheckinError if the file cannot be read at all."""
    sheet: Sheet = open_sheet(path)
    result = import_rows(db, sheet.rows, sheet.columns, source=Path(path).name, direct=direct)
    result.encoding = sheet.encoding
    return result
