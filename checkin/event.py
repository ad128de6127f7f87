"""The open day itself (实施方案): theme, date, place, capacity and the selection rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import secrets
import tomllib
import uuid
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.categories import CATEGORIES, MEDIA
from checkin.errors import CheckinError
from checkin.keys import create_signing_key
from checkin.storage import write_transaction

CHECK_PROFILES = ("none", "id-only", "epidemic-2022")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ID_SECRET = "id_hmac"


@dataclass
class AgendaItem:
    item: str
    minutes: int


@dataclass
class Event:
    title: str
    date: dt.date
    starts: str | None = None
    ends: str | None = None
    arrive_by: str | None = None
    theme: str | None = None
    organizer: str | None = None
    location: str | None = None
    meeting_point: str | None = None
    places: list[str] = field(default_factory=list)
    agenda: list[AgendaItem] = field(default_factory=list)
    capacity: int = 30
    min_age: int = 18
    max_age: int | None = None
    checks: str = "id-only"
    # 群众代表比例不低于三分之一
    min_citizen_share: Fraction = Fraction(1, 3)
    # 媒体记者不占用名额
    outside_capacity: list[str] = field(default_factory=lambda: [MEDIA])
    signup_deadline: str | None = None
    report_due_days: int = 2
    followup_working_days: int = 15
    survey_template: str = "satisfaction"
    double_entry: bool = False
    checks_toml: str | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    supervisor_pin_hash: str | None = None

    def validate(self) -> None:
        if not self.title.strip():
            raise CheckinError("event.title_missing")
        for name in ("starts", "ends", "arrive_by"):
            value = getattr(self, name)
            if value is not None and not _TIME.match(value):
                raise CheckinError("event.bad_time", field=name, value=value)
        if self.starts and self.ends and self.ends <= self.starts:
            raise CheckinError("event.ends_before_start")
        if self.capacity < 1:
            raise CheckinError("event.bad_capacity", value=self.capacity)
        if not 0 <= self.min_age <= 120:
            raise CheckinError("event.bad_age", value=self.min_age)
        if self.max_age is not None and self.max_age < self.min_age:
            raise CheckinError("event.bad_age", value=self.max_age)
        if self.checks not in CHECK_PROFILES and not Path(self.checks).is_file():
            raise CheckinError("event.bad_checks", value=self.checks)
        if not 0 <= self.min_citizen_share <= 1:
            raise CheckinError("event.bad_share", value=str(self.min_citizen_share))
        for code in self.outside_capacity:
            if code not in CATEGORIES:
                raise CheckinError("category.unknown", value=code)

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["date"] = self.date.isoformat()
        row["places"] = json.dumps(self.places, ensure_ascii=False)
        row["agenda"] = json.dumps([asdict(a) for a in self.agenda], ensure_ascii=False)
        row["min_citizen_share"] = str(self.min_citizen_share)
        row["outside_capacity"] = json.dumps(self.outside_capacity)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Event:
        values = {k: v for k, v in row.items() if k != "created_at"}
        values["date"] = dt.date.fromisoformat(row["date"])
        values["places"] = json.loads(row["places"])
        values["agenda"] = [AgendaItem(**a) for a in json.loads(row["agenda"])]
        values["min_citizen_share"] = Fraction(row["min_citizen_share"])
        values["outside_capacity"] = json.loads(row["outside_capacity"])
        values["double_entry"] = bool(row.get("double_entry", 0))
        return cls(**values)

    def public_dict(self) -> dict[str, Any]:
        """What `event show --json` prints: everything but the PIN hash."""
        data = self.to_row()
        data.pop("supervisor_pin_hash")
        data.pop("checks_toml")
        data["places"] = self.places
        data["agenda"] = [asdict(a) for a in self.agenda]
        data["outside_capacity"] = self.outside_capacity
        data["has_supervisor_pin"] = self.supervisor_pin_hash is not None
        return data


def parse_share(text: str) -> Fraction:
    """'1/3', '0.34' or '34%' → a fraction."""
    value = text.strip()
    try:
        if value.endswith("%"):
            return Fraction(value[:-1]) / 100
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise CheckinError("event.bad_share", value=text) from None


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CheckinError("event.bad_date", value=text) from None


def hash_pin(pin: str) -> str:
    """scrypt with a random salt; the PIN itself is never stored."""
    if not (4 <= len(pin) <= 12 and pin.isdigit()):
        raise CheckinError("event.bad_pin")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def pin_matches(stored: str | None, pin: str) -> bool:
    if not stored:
        return False
    _, salt_hex, digest_hex = stored.split("$")
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt_hex), n=2**14, r=8, p=1)
    return hmac.compare_digest(digest.hex(), digest_hex)


def event_from_toml(path: str | Path) -> tuple[Event, str | None]:
    """Read an event file (see data/demo/event.toml); returns the event and its PIN, if any."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise CheckinError("event.file_missing", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise CheckinError("event.file_invalid", path=str(path), error=str(exc)) from None
    section = raw.get("event", raw)
    known = {f for f in Event.__dataclass_fields__ if f not in {"id", "supervisor_pin_hash", "checks_toml"}}
    unknown = set(section) - known - {"supervisor_pin"}
    if unknown:
        raise CheckinError("event.file_unknown_keys", keys=", ".join(sorted(unknown)))
    values = {k: v for k, v in section.items() if k in known}
    if "title" not in values or "date" not in values:
        raise CheckinError("event.file_required", path=str(path))
    date = values["date"]
    values["date"] = date if isinstance(date, dt.date) else parse_date(str(date))
    if "min_citizen_share" in values:
        values["min_citizen_share"] = parse_share(str(values["min_citizen_share"]))
    if "agenda" in values:
        values["agenda"] = [AgendaItem(str(a["item"]), int(a["minutes"])) for a in values["agenda"]]
    for name in ("starts", "ends", "arrive_by"):
        if name in values and isinstance(values[name], dt.time):
            values[name] = values[name].strftime("%H:%M")
    pin = section.get("supervisor_pin")
    try:
        event = Event(**values)
    except TypeError as exc:
        raise CheckinError("event.file_invalid", path=str(path), error=str(exc)) from None
    return event, (str(pin) if pin is not None else None)


def create_event(db: Database, event: Event, supervisor_pin: str | None = None) -> Event:
    """Write the event into a new database, with its per-event ID-matching secret."""
    event.validate()
    if db["event"].count:
        raise CheckinError("event.exists")
    if supervisor_pin:
        event.supervisor_pin_hash = hash_pin(supervisor_pin)
    if event.checks not in CHECK_PROFILES:
        from checkin.profiles import load_profile

        event.checks_toml = Path(event.checks).read_text(encoding="utf-8")
        load_profile(event.checks, event.checks_toml)  # a broken profile is refused now, not at the door
    row = event.to_row()
    row["created_at"] = dt.datetime.now().isoformat(timespec="seconds")
    with write_transaction(db):
        db.table("event").insert(row)
        db.table("secret").insert({"name": ID_SECRET, "value": secrets.token_bytes(32)})
        create_signing_key(db)
    return event


def load_event(db: Database) -> Event:
    rows = list(db["event"].rows)
    if not rows:
        raise CheckinError("event.none")
    return Event.from_row(rows[0])


def id_secret(db: Database) -> bytes:
    row = db.execute("SELECT value FROM secret WHERE name = ?", [ID_SECRET]).fetchone()
    if row is None:
        raise CheckinError("event.none")
    return bytes(row[0])
