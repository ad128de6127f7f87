"""Sign-up import (报名): validate every row, report the bad ones, keep the good ones.

A person is their identity document: importing the same file again adds nothing, and the same
person twice in one import keeps the earlier sign-up and reports the later one. A file, a
workbook with several sheets or a folder of e-mailed forms is one transaction.

Sign-up order: rows with a time by that time; a date without a time comes after that day's
timed sign-ups, in file order; rows without a date last, in file order.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlite_utils import Database

from checkin.categories import parse_category
from checkin.errors import CheckinError
from checkin.event import Event, id_secret, load_event
from checkin.i18n import listing, tr
from checkin.idcard import DOCUMENT_TYPES, RESIDENT_ID, age_on, id_hash, parse_document
from checkin.people import add_people, next_seq
from checkin.phone import parse_phone
from checkin.sheets import (
    HEADER_SEARCH_ROWS,
    SheetNote,
    Source,
    Table,
    clean_cell,
    column_letter,
    document_type_for,
    folder_files,
    name_in_file_name,
    read_path,
)
from checkin.storage import write_transaction
from checkin.textcheck import LIMITS, check_text, is_email
from checkin.vocab import PersonStatus

NUMBER_PREFIX = "A"
SKIPPED_SHOWN = 10  # rows skipped that a sheet's line names; the rest are counted


class Record(NamedTuple):
    """A validated person, with no full document number in it. Add fields at the end; the ones
    in STORED_FIELDS go into the people table."""

    name: str
    gender: str | None
    id_type: str
    id_hash: str
    id_masked: str
    age: int
    phone: str
    email: str | None
    organization: str | None
    category: str
    signed_up_at: str | None
    direct: int
    group: str | None = None  # the form a group sign-up came on (several people on one form)


STORED_FIELDS = Record._fields[: Record._fields.index("direct") + 1]
RECORD_FIELDS = STORED_FIELDS
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日 %H时%M分",
    "%Y年%m月%d日%H时%M分",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
# month and day without a year: the year of the event
_MONTH_DAY_FORMATS = (
    ("%m月%d日 %H:%M", True),
    ("%m月%d日%H:%M", True),
    ("%m月%d日 %H时%M分", True),
    ("%m-%d %H:%M", True),
    ("%m/%d %H:%M", True),
    ("%m.%d %H:%M", True),
    ("%m月%d日", False),
    ("%m月%d号", False),
    ("%m-%d", False),
    ("%m/%d", False),
    ("%m.%d", False),
)
_DIRECT_WORDS = {"定向邀请", "直接邀请", "邀请", "direct", "invited", "yes", "是", "1", "true"}
_SIGNUP_WORDS = {
    "",
    "报名",
    "自主报名",
    "网上报名",
    "电话报名",
    "邮件报名",
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
_QUICK_TIME = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
# what a clerk types: 2026年11月19日下午3点, 11月19日 下午3点半, 11月19日15点30分
_SPOKEN_TIME = re.compile(
    r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*"
    r"(凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?\s*(\d{1,2})\s*[点时:]\s*(?:(\d{1,2})\s*分?|(半))?$"
)
_AFTERNOON = ("下午", "傍晚", "晚上", "pm")
# what Excel in a Chinese locale, web forms and mail clients write around a date and time
_WEEKDAY = re.compile(r"\s*[(（]?(?:星期|周|礼拜)[一二三四五六日天][)）]?\s*")
_DAY_HAO = re.compile(r"(\d)\s*号")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_HALF_DAY_BEFORE = re.compile(
    r"^(?P<date>.*?\d日?)\s*(?P<part>上午|下午|中午|晚上|凌晨|早上|am|pm)\s*"
    r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?$",
    re.IGNORECASE,
)
_HALF_DAY_AFTER = re.compile(
    r"^(?P<date>.*?\d日?)\s+(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<part>am|pm|上午|下午)$",
    re.IGNORECASE,
)
# a leading apostrophe typed to keep Excel from turning a number into a number
_QUOTE_PREFIX = "'‘’`"
# several numbers in one phone cell, or a note beside the number
_PHONE_SEPARATORS = re.compile(r"[/;,、|]|\s{2,}|(?<=\d)\s+(?=[+0-9])")
_PHONE_NOTE = re.compile(r"[(（][^)）]*[)）]")
_FLOAT_TEXT = re.compile(r"^(\d{7,})\.0+$")
_HAN_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·•\s\u3000]+$")


# ---------------------------------------------------------------- results


@dataclass
class Rejection:
    line: int
    code: str
    reason: str  # the message, with the place: sheet, row and column as Excel shows them
    file: str = ""
    sheet: str | None = None
    column: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass
class SheetResult:
    """One sheet, form or group table as read: header row, columns left out, rows skipped."""

    name: str
    status: str
    header_row: int = 0
    ignored: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[int, str, str]] = field(default_factory=list)
    blank: int = 0
    detail: str = ""
    workbook: bool = False
    table_no: int | None = None

    def describe(self) -> str:
        """One line for the report, in the user's language."""
        if self.table_no is not None:
            name = tr("import.table_name", file=self.name.rsplit(" #", 1)[0], n=self.table_no)
        elif self.workbook:
            name = tr("import.sheet_name", sheet=self.name)
        else:
            name = tr("import.file_name", file=self.name)
        if self.status in ("no_header", "empty", "no_form", "no_attachment", "refused", "hidden"):
            return tr(f"import.sheet_{self.status}", sheet=name, detail=self.detail, rows=HEADER_SEARCH_ROWS)
        if self.status == "near_header":
            row, _, missing = self.detail.partition(":")
            return tr(
                "import.sheet_near_header", sheet=name, row=row, columns=_field_labels(missing.split(","))
            )
        parts = [
            tr("import.sheet_form", sheet=name)
            if self.status == "form"
            else tr("import.sheet_header", sheet=name, row=self.header_row)
        ]
        if self.ignored:
            columns = listing(
                tr("import.ignored_column", text=text, column=letter) for text, letter in self.ignored
            )
            parts.append(tr("import.ignored_columns", columns=columns))
        if self.skipped:
            items = listing(
                tr(f"import.skipped_{kind}", line=line, text=text)
                for line, kind, text in self.skipped[:SKIPPED_SHOWN]
            )
            if len(self.skipped) > SKIPPED_SHOWN:
                items = tr("import.skipped_more", rows=items, count=len(self.skipped))
            parts.append(tr("import.skipped_rows", rows=items))
        if self.blank:
            parts.append(tr("import.blank_rows", count=self.blank))
        return tr("import.list_sep").join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "sheet": self.name,
            "status": self.status,
            "header_row": self.header_row or None,
            "ignored_columns": [{"header": text, "column": letter} for text, letter in self.ignored],
            "skipped": [{"line": line, "kind": kind} for line, kind, _ in self.skipped],
            "blank_rows": self.blank,
        }


@dataclass
class FileResult:
    file: str
    imported: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    refused: str | None = None  # the whole file could not be read: why
    warnings: list[str] = field(default_factory=list)
    sheets: list[SheetResult] = field(default_factory=list)
    encoding: str = ""

    def status_line(self) -> str:
        if self.refused is not None:
            return tr("import.file_refused", file=self.file, reason=self.refused)
        if self.imported == 0 and self.unchanged and not self.rejected:
            return tr("import.file_unchanged", file=self.file, unchanged=self.unchanged)
        return tr(
            "import.file_line",
            file=self.file,
            imported=self.imported,
            unchanged=self.unchanged,
            rejected=len(self.rejected),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "imported": self.imported,
            "unchanged": self.unchanged,
            "rejected": [r.to_json() for r in self.rejected],
            "refused": self.refused,
            "warnings": self.warnings,
            "sheets": [s.to_json() for s in self.sheets],
        }


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    encoding: str = ""
    files: list[FileResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": [f.to_json() for f in self.files],
            "imported": self.imported,
            "unchanged": self.unchanged,
            "rejected": [r.to_json() for r in self.rejected],
        }


class RowError(Exception):
    def __init__(self, error: CheckinError, field_name: str | None = None) -> None:
        self.error = error
        self.field = field_name


def _field_labels(fields: Iterable[str]) -> str:
    return listing(tr(f"import.field.{f}") for f in fields if f)


# ---------------------------------------------------------------- cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(clean_cell(str(value)))


def _month_day(text: str, event_date: dt.date | None) -> str | None:
    for fmt, timed in _MONTH_DAY_FORMATS:
        try:
            moment = dt.datetime.strptime(f"2000 {text}", f"%Y {fmt}")  # 2000: a leap year, 2月29日 parses
        except ValueError:
            continue
        day = event_date or dt.date.today()
        year = day.year if (moment.month, moment.day) <= (day.month, day.day) else day.year - 1
        try:
            moment = moment.replace(year=year)
        except ValueError:
            raise CheckinError("import.bad_time", value=text) from None
        return moment.strftime("%Y-%m-%d %H:%M:%S") if timed else moment.strftime("%Y-%m-%d")
    return None


def _spoken_time(text: str, event_date: dt.date | None) -> str | None:
    """`2026年11月19日下午3点`, `11月19日 下午3点半`, `11月19日15点30分` → 'YYYY-MM-DD HH:MM:SS'."""
    match = _SPOKEN_TIME.match(text)
    if match is None:
        return None
    year_text, month, day, part, hour_text, minute_text, half = match.groups()
    hour = int(hour_text)
    minute = 30 if half else int(minute_text or 0)
    if (part in _AFTERNOON and hour < 12) or (part == "中午" and hour < 11):
        hour += 12
    elif part == "凌晨" and hour == 12:
        hour = 0
    try:
        if year_text:
            year = int(year_text)
        else:
            today = event_date or dt.date.today()
            year = today.year if (int(month), int(day)) <= (today.month, today.day) else today.year - 1
        return dt.datetime(year, int(month), int(day), hour, minute).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise CheckinError("import.bad_time", value=text) from None


def parse_signup_time(value: Any, event_date: dt.date | None = None) -> str | None:
    """An Excel date cell, an Excel serial number, or text → 'YYYY-MM-DD HH:MM:SS', or
    'YYYY-MM-DD' when only the date is known (it sorts after that day's timed sign-ups)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        # to the nearest second: a serial stored with 15 digits (or six decimals) is a hair short of
        # the minute the office typed and Excel shows (09:29:59.97 for 09:30)
        whole: dt.datetime = (value + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if whole.time() == dt.time(0, 0):
            return whole.strftime("%Y-%m-%d")  # a date cell read as midnight
        return whole.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 20000 < float(value) < 80000:
            raise CheckinError("import.bad_time", value=str(value))
        moment = _EXCEL_EPOCH + dt.timedelta(days=float(value), microseconds=500_000)
        moment = moment.replace(microsecond=0)  # to the nearest second, as Excel shows it
        if float(value).is_integer():
            return moment.strftime("%Y-%m-%d")
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        return None
    quick = _QUICK_TIME.match(text)
    if quick:  # 2026-10-27 18:00, 2026/10/27 18:00:05, 2026.10.27 15:30: most sheets, no format loop
        try:
            year, month, day, hour, minute, second = (int(quick.group(i) or 0) for i in (1, 3, 4, 5, 6, 7))
            return dt.datetime(year, month, day, hour, minute, second).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            raise CheckinError("import.bad_time", value=text) from None
    for fmt in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    found = _spoken_time(text, event_date) or _month_day(text, event_date) or _tidied_time(text, event_date)
    if found is not None:
        return found
    try:
        serial = float(text)
    except ValueError:
        raise CheckinError("import.bad_time", value=text) from None
    return parse_signup_time(serial)


def _tidied_time(text: str, event_date: dt.date | None) -> str | None:
    """What is left: `2026-11-19T15:30:00+08:00` and `… 15:30:00.000` (web forms), `2026/11/19
    下午 3:30:00` or `3:30 PM` (Excel, mail clients), a weekday after the date (`星期四`, `(周四)`),
    `19号` for `19日`. None when it is none of these."""
    if _ISO_TIME.match(text):
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise CheckinError("import.bad_time", value=text) from None
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    tidy = _DAY_HAO.sub(r"\1日", _WEEKDAY.sub(" ", text)).strip()
    match = _HALF_DAY_BEFORE.match(tidy) or _HALF_DAY_AFTER.match(tidy)
    if match is not None:
        try:
            day = parse_signup_time(match.group("date"), event_date)
        except CheckinError:
            raise CheckinError("import.bad_time", value=text) from None
        if day is None or len(day) != 10:
            raise CheckinError("import.bad_time", value=text)
        hour, minute, second = int(match.group("h")), int(match.group("m")), int(match.group("s") or 0)
        part = match.group("part").lower()
        if hour > 12 and part in ("上午", "am"):
            raise CheckinError("import.bad_time", value=text)
        if part in _AFTERNOON and hour < 12:
            hour += 12
        elif part in ("am", "凌晨") and hour == 12:
            hour = 0
        elif part == "中午" and hour < 11:
            hour += 12
        try:
            return (
                dt.datetime.fromisoformat(day)
                .replace(hour=hour, minute=minute, second=second)
                .strftime("%Y-%m-%d %H:%M:%S")
            )
        except ValueError:
            raise CheckinError("import.bad_time", value=text) from None
    if tidy != text:
        try:
            return parse_signup_time(tidy, event_date)
        except CheckinError:
            raise CheckinError("import.bad_time", value=text) from None
    return None


@lru_cache(maxsize=8)
def _deadline(text: str, day: dt.date) -> str:
    return parse_signup_time(text, day) or ""


def parse_birth_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1000 < float(value) < 80000:
            return (_EXCEL_EPOCH + dt.timedelta(days=float(value))).date()
        value = _text(value)
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CheckinError("import.bad_birth_date", value=text)


def parse_name(value: Any) -> str:
    """A name as typed: a Chinese name padded with spaces to line up (`张　三`, `郑 十一`) loses them;
    a name in Latin letters keeps the single spaces between its parts."""
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    if re.search(r"[0-9]{6}", text):
        # an ID or phone number typed into the name: refused, and never stored as a name
        raise CheckinError("import.name_has_number")
    if _HAN_NAME.match(text):
        return re.sub(r"\s+", "", text)
    return re.sub(r"\s+", " ", text)


_SCIENTIFIC = re.compile(r"[0-9]\.[0-9]*[eE]\+?[0-9]{1,2}")


def parse_phone_cell(value: Any) -> str:
    """The phone cell as offices fill it: `'13800138000`, `138 0013 8000`, `+86-138…`,
    `13800138000（本人）`, or two numbers `13800138000/13900139000` (the first one is kept)."""
    text = _text(value).lstrip(_QUOTE_PREFIX)
    text = _FLOAT_TEXT.sub(r"\1", text)  # 13800138000.0: a number written out by another program
    try:
        return parse_phone(text)
    except CheckinError as exc:
        first_error = exc
    if _SCIENTIFIC.fullmatch(unicodedata.normalize("NFKC", text).strip()):
        raise CheckinError("phone.excel_number") from None  # 1.38E+10: a CSV Excel saved
    plain = _PHONE_NOTE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    for piece in [plain, *_PHONE_SEPARATORS.split(plain)]:
        piece = piece.strip()
        if not piece:
            continue
        try:
            return parse_phone(piece)
        except CheckinError:
            continue
    raise first_error


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


def parse_email(value: Any) -> str | None:
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    if not text:
        return None
    if not is_email(text):
        raise CheckinError("import.bad_email", value=text)
    return text


def parse_document_type(value: Any) -> str:
    text = _text(value)
    if not text:
        return RESIDENT_ID
    code = document_type_for(text)
    if code is None:
        names = listing(tr(f"idtype.{c}") for c in DOCUMENT_TYPES)
        raise CheckinError("id.unknown_type", value=text, types=names)
    return code


# ---------------------------------------------------------------- one row


def _numeric_document(value: float, doc_type: str) -> str:
    """A document number Excel stored as a number (the column was not Text). An 8- or 10-digit
    台湾居民来往大陆通行证 loses nothing that way and is read; any other is refused with what to do:
    an 18-character number has lost its last digits, a passport its leading zeros perhaps."""
    if doc_type == "taiwan_permit" and float(value).is_integer() and len(str(int(value))) in (8, 10):
        return str(int(value))
    if doc_type in ("passport", "hk_macao_permit", "taiwan_permit"):
        raise CheckinError("id.excel_number_other")
    raise CheckinError("id.excel_number")


def validate_row(
    values: list[Any],
    columns: dict[str, int],
    event: Event,
    secret: bytes,
    default_direct: bool,
    shared: dict[str, Any] | None = None,
    received_at: str | None = None,
) -> Record:
    """One sheet row (or form) → a person record (no full document number in it), or RowError
    naming the field at fault."""
    shared = shared or {}

    def cell(field_name: str) -> Any:
        index = columns.get(field_name)
        value = values[index] if index is not None and index < len(values) else None
        value = clean_cell(value)
        if (value is None or value == "") and field_name in shared:
            return clean_cell(shared[field_name])
        return value

    current = "name"
    try:
        name = check_text(parse_name(cell("name")), tr("textcheck.field.name"), limit=LIMITS["name"])
        if not name:
            raise CheckinError("import.name_missing")
        current = "id_type"
        doc_type = parse_document_type(cell("id_type"))
        current = "id_number"
        raw_id = cell("id_number")
        if isinstance(raw_id, float) or (isinstance(raw_id, int) and not isinstance(raw_id, bool)):
            raw_id = _numeric_document(raw_id, doc_type)
        document = parse_document(_text(raw_id).lstrip(_QUOTE_PREFIX), doc_type, today=event.date)
        age = document.age_on(event.date)
        if age is None or "birth_date" in columns:
            current = "birth_date"
            birth = parse_birth_date(cell("birth_date"))
            if birth is None and age is None:
                raise CheckinError("import.birth_date_needed", type=tr(f"idtype.{document.doc_type}"))
            if birth is not None:
                if birth.year < 1900 or birth > event.date:
                    raise CheckinError("import.bad_birth_date", value=birth.isoformat())
                if document.birth_date is not None and birth != document.birth_date:
                    raise CheckinError("import.birth_date_differs")
                age = age_on(birth, event.date)
        assert age is not None
        current = "id_number" if document.birth_date is not None else "birth_date"
        if age < event.min_age:
            raise CheckinError("import.too_young", age=age, min_age=event.min_age)
        if event.max_age is not None and age > event.max_age:
            raise CheckinError("import.too_old", age=age, max_age=event.max_age)
        current = "phone"
        phone = parse_phone_cell(cell("phone"))
        current = "email"
        mail = parse_email(cell("email"))
        current = "signed_up_at"
        signed_up_at = parse_signup_time(cell("signed_up_at"), event.date) or received_at
        if (
            signed_up_at
            and event.signup_deadline
            and signed_up_at > _deadline(event.signup_deadline, event.date)
        ):
            raise CheckinError("import.after_deadline", deadline=event.signup_deadline)
        current = "organization"
        organization = _organization(cell("organization"))
        current = "gender"
        gender = parse_gender(cell("gender"))
        current = "category"
        category = parse_category(event.category_list(), _text(cell("category")))
        current = "invitation"
        direct = int(parse_invitation(cell("invitation"), default_direct))
        return Record(
            name=name,
            gender=gender,
            id_type=document.doc_type,
            id_hash=id_hash(secret, document.number),
            id_masked=document.masked,
            age=age,
            phone=phone,
            email=mail,
            organization=organization,
            category=category,
            signed_up_at=signed_up_at,
            direct=direct,
        )
    except CheckinError as exc:
        raise RowError(exc, current) from None


def _order_key(record: Record, position: tuple[int, int, int]) -> tuple[Any, ...]:
    """Sign-up order: by time; a date without a time after that day's timed sign-ups; no date
    last; ties and the rest in file order."""
    at = record.signed_up_at
    if not at:
        return (1, "", 0, "", position)
    return (0, at[:10], int(len(at) == 10), at, position)


def format_number(seq: int) -> str:
    return f"{NUMBER_PREFIX}{seq:03d}"


# ---------------------------------------------------------------- places in messages


def place(table: Table, line: int, field_name: str | None) -> tuple[str, str | None]:
    """Where a value is, as the user sees it: (text, column letter)."""
    if table.form:
        where = table.places.get(field_name or "")
        if where and table.sheet is not None:
            match = re.match(r"([A-Z]+)(\d+)$", where)
            if match:
                text = tr(
                    "import.at_cell",
                    line=match.group(2),
                    column=match.group(1),
                    label=tr(f"import.field.{field_name}"),
                )
                return tr("import.in_sheet", sheet=table.sheet, at=text), match.group(1)
        if where and where != field_name and table.table_no is not None:
            # one of several forms filled in in one Word file: which table
            return tr("import.at_table_label", n=table.table_no, label=where), None
        if where and where != field_name:
            return tr("import.at_label", label=where), None
        if field_name:  # a form typed into a mail: no label cell to quote, name the field
            return tr("import.at_label", label=tr(f"import.field.{field_name}")), None
        return tr("import.at_form"), None
    index = table.columns.get(field_name or "")
    if index is None:
        text = tr("import.at_row", line=line)
        letter = None
    else:
        letter = column_letter(index)
        label = table.labels.get(index) or tr(f"import.field.{field_name}")
        text = tr("import.at_cell", line=line, column=letter, label=label)
    if table.sheet is not None:
        text = tr("import.in_sheet", sheet=table.sheet, at=text)
    elif table.table_no is not None:
        text = tr("import.in_table", n=table.table_no, at=text)
    return text, letter


# ---------------------------------------------------------------- the import


@dataclass(slots=True)
class _Chosen:
    order: tuple[Any, ...]
    record: Record
    file: FileResult
    table: Table
    line: int
    several_files: bool

    @property
    def where(self) -> str:
        """Where this sign-up is, for a duplicate's message (made only when one is found)."""
        if self.several_files and self.table.form:
            return self.file.file
        text, _ = place(self.table, self.line, None)
        return f"{self.file.file} {text}" if self.several_files else text


def _sheet_results(source: Source) -> list[SheetResult]:
    results = []
    for note in source.sheets:
        results.append(SheetResult(note.name, note.status, detail=note.detail))
    return results


def _describe_unreadable(source: Source) -> CheckinError:
    """No sign-ups anywhere in a file: say which sheets were looked at and what was missing."""
    near = [n for n in source.sheets if n.status == "near_header"]
    if near:
        row, _, missing = near[0].detail.partition(":")
        return CheckinError(
            "import.missing_columns", sheet=near[0].name, row=row, columns=_field_labels(missing.split(","))
        )
    if any(n.status == "no_attachment" for n in source.sheets):
        return CheckinError("import.mail_no_form")
    if any(n.status == "no_form" for n in source.sheets):
        return CheckinError("import.no_form")
    refused = [n for n in source.sheets if n.status == "refused"]
    if refused:
        return CheckinError("import.attachment_refused", reason=refused[0].detail)
    names = listing(
        tr("import.sheet_name", sheet=n.name) if n.workbook else tr("import.file_name", file=n.name)
        for n in source.sheets
    )
    return CheckinError(
        "import.no_header", sheets=names or tr("import.file_name", file=source.file), rows=HEADER_SEARCH_ROWS
    )


def import_sources(
    db: Database,
    files: list[tuple[str, list[Source] | CheckinError]],
    *,
    direct: bool = False,
    single: bool = False,
) -> ImportResult:
    """Validate everything read from some files and store the people; one transaction.

    `single`: one file was named, so a file with no sign-ups at all is an error (CheckinError)
    rather than a refused line in the report."""
    event = load_event(db)
    secret = id_secret(db)
    known = {r[0] for r in db.execute("SELECT id_hash FROM people")}
    result = ImportResult()
    chosen: dict[str, _Chosen] = {}
    for file_index, (name, read) in enumerate(files):
        report = FileResult(name)
        result.files.append(report)
        if isinstance(read, CheckinError):
            if single:
                raise read
            report.refused = read.message()
            continue
        if not any(source.tables for source in read):
            error = _describe_unreadable(read[0]) if read else CheckinError("import.empty", path=name)
            if single:
                raise error
            report.refused = error.message()
            continue
        for source_index, source in enumerate(read):
            report.encoding = report.encoding or source.encoding
            notes = {
                n.name: SheetResult(
                    n.name, n.status, detail=n.detail, workbook=n.workbook, table_no=n.table_no
                )
                for n in source.sheets
            }
            names_on_form: list[str] = []
            for table_index, table in enumerate(source.tables):
                group = f"{name}#{table_index}" if table.group else None
                for line, values in table.rows:
                    try:
                        record = validate_row(
                            values, table.columns, event, secret, direct, table.shared, source.received_at
                        )
                    except RowError as err:
                        where, letter = place(table, line, err.field)
                        report.rejected.append(
                            Rejection(
                                line,
                                err.error.key,
                                tr("import.problem", place=where, message=err.error.message()),
                                name,
                                table.sheet,
                                letter,
                            )
                        )
                        continue
                    if group:
                        record = record._replace(group=group)
                    if source.form_file:
                        names_on_form.append(record.name)
                    if record.id_hash in known:
                        report.unchanged += 1
                        continue
                    order = _order_key(record, (file_index, source_index * 1000 + table_index, line))
                    item = _Chosen(order, record, report, table, line, len(files) > 1)
                    previous = chosen.get(record.id_hash)
                    if previous is None:
                        chosen[record.id_hash] = item
                        continue
                    keep, drop = previous, item
                    if order < previous.order:
                        keep, drop = drop, keep
                    chosen[record.id_hash] = keep
                    drop.file.rejected.append(
                        Rejection(
                            drop.line,
                            "import.duplicate",
                            tr(
                                "import.problem",
                                place=drop.where,
                                message=tr("import.duplicate", place=keep.where),
                            ),
                            drop.file.file,
                            drop.table.sheet,
                            place(drop.table, drop.line, "id_number")[1],
                        )
                    )
                note = (
                    notes.get(table.sheet or "")
                    or notes.get(f"{source.file} #{table.table_no}")
                    or notes.get(source.file)
                )
                if note is not None and note.status in ("table", "form"):
                    note.header_row = table.header_row
                    note.ignored = table.ignored
                    note.skipped = table.skipped
                    note.blank = table.blank
            report.sheets.extend(notes.values())
            if source.form_file:
                _check_file_name(source, names_on_form, report, any(t.group for t in source.tables))
    ordered = sorted(chosen.values(), key=lambda item: item.order)
    for item in ordered:
        item.file.imported += 1
    for report in result.files:
        report.rejected.sort(key=lambda r: (r.sheet or "", r.line))
        result.imported += report.imported
        result.unchanged += report.unchanged
        result.rejected.extend(report.rejected)
    result.encoding = result.files[0].encoding if len(result.files) == 1 else ""
    _store(db, event, ordered, result)
    return result


def _check_file_name(source: Source, names: list[str], report: FileResult, group: bool) -> None:
    """Forms are sent as `活动报名+姓名`: a file name that names someone else is worth a look.
    A group form may be named after its unit."""
    if not source.file_stem:
        return
    claimed = name_in_file_name(source.file_stem)
    if claimed is None:
        report.warnings.append(tr("import.file_name_rule", file=source.file_stem))
        return
    if group:
        return
    plain = {re.sub(r"\s+", "", n) for n in names}
    if names and re.sub(r"\s+", "", claimed) not in plain:
        report.warnings.append(tr("import.file_name_differs", claimed=claimed, names=listing(names)))


def _store(db: Database, event: Event, ordered: list[_Chosen], result: ImportResult) -> None:
    now = dt.datetime.now().isoformat(timespec="seconds")
    outside = set(event.outside_capacity)
    cols = [*STORED_FIELDS, "seq", "number", "source", "created_at", "updated_at", "status", "in_capacity"]
    with write_transaction(db):
        first = next_seq(db.conn)

        def insert_rows() -> Iterable[tuple[Any, ...]]:
            for offset, item in enumerate(ordered):
                seq = first + offset
                record = item.record
                in_capacity = int(record.category not in outside)
                stored = tuple(getattr(record, f) for f in STORED_FIELDS)
                status = PersonStatus.SIGNED_UP.value
                yield (*stored, seq, format_number(seq), item.file.file, now, now, status, in_capacity)

        add_people(db.conn, cols, insert_rows())
        # a group form's people become one group application (issue 17, checkin.groups)
        forms: dict[str, list[str]] = {}
        for offset, item in enumerate(ordered):
            if item.record.group:
                forms.setdefault(item.record.group, []).append(format_number(first + offset))
        # one person from a form's table (a form laid out as a header row and one row) is a
        # sign-up, not a group
        forms = {form: numbers for form, numbers in forms.items() if len(numbers) > 1}
        if forms:
            from checkin.groups import link_form_groups

            link_form_groups(db, forms)
        for report in result.files:
            db.conn.execute(
                "INSERT INTO imports (at, file, imported, unchanged, rejected) VALUES (?, ?, ?, ?, ?)",
                [now, report.file, report.imported, report.unchanged, len(report.rejected)],
            )


def import_rows(
    db: Database,
    rows: Iterable[tuple[int, list[Any]]],
    columns: dict[str, int],
    *,
    source: str,
    direct: bool = False,
) -> ImportResult:
    """Validate and store rows already read (the demo, tests); one transaction."""
    table = Table(source, None, columns, rows)
    read = Source(source, tables=[table], sheets=[SheetNote(source, "table")])
    return import_sources(db, [(source, [read])], direct=direct, single=True)


def import_file(
    db: Database, path: str | Path, *, direct: bool = False, sheet: str | None = None
) -> ImportResult:
    """Import a sheet, a form, a saved mail, or a folder of them.

    A single file that cannot be read at all raises CheckinError; in a folder such a file is
    refused with its reason and the others are imported."""
    path = Path(path)
    if path.is_dir():
        files: list[tuple[str, list[Source] | CheckinError]] = []
        for item in folder_files(path):
            shown = str(item.relative_to(path))
            try:
                files.append((shown, read_path(item, sheet)))
            except CheckinError as exc:
                files.append((shown, exc))
        if not files:
            raise CheckinError("import.empty_folder", path=str(path))
        return import_sources(db, files, direct=direct)
    read = read_path(path, sheet)
    result = import_sources(db, [(path.name, read)], direct=direct, single=True)
    if sheet is not None and not any(source.encoding == "workbook" for source in read):
        # a CSV, a Word form or a mail has no sheets: say that --sheet changed nothing
        result.files[0].warnings.append(tr("import.sheet_not_applicable", file=path.name, sheet=sheet))
    return result
