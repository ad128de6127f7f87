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
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.categories import (
    Category,
    CustomCategory,
    build_categories,
    known_labels,
    parse_category,
    parse_custom_categories,
    register_labels,
)
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.itinerary import (
    Bus,
    Stop,
    agenda_from_raw,
    buses_from_json,
    buses_json,
    plan_from_raw,
    stops_from_json,
    stops_json,
)
from checkin.itinerary import validate_plan as validate_itinerary
from checkin.keys import create_signing_key
from checkin.storage import write_transaction
from checkin.textcheck import check_text, is_email

CHECK_PROFILES = ("none", "id-only", "epidemic-2022")
UNFILLED_POLICIES = ("pool", "empty")
MEDIA = "media"
REPORT_DUE_KINDS = ("calendar", "working")
TICKETS = ("invitation", "id-card", "either")
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
    # "calendar": report_due_days calendar days, moved past days off; "working": working days
    report_due_kind: str = "calendar"
    # the result on the website's 政府开放日 column within 5 working days (seed 004)
    website_due_working_days: int = 5
    survey_template: str = "satisfaction"
    double_entry: bool = False
    checks_toml: str | None = None
    # the event's own categories (三区人才, 地震宏观观测员 …), after the built-in ones
    categories: list[CustomCategory] = field(default_factory=list)
    # places per category or group of categories: {"citizen+commissioner": 28, "npc_deputy": 1}
    quotas: dict[str, int] = field(default_factory=dict)
    # places a quota leaves unfilled: "pool" (anyone next in sign-up order) or "empty"
    unfilled: str = "pool"
    # review (审核) before selection: sign-ups enter as 待审核
    review: bool = False
    review_working_days: int = 2
    # categories that may not come through open sign-up (e.g. 两代表一委员): rejected in review
    signup_excluded: list[str] = field(default_factory=list)
    # the office's reply address, the From: of notice drafts
    reply_email: str | None = None
    # the site visit (issue 19): stops in order and the buses; who rides which is bus_riders
    stops: list[Stop] = field(default_factory=list)
    buses: list[Bus] = field(default_factory=list)
    # what opens the door: the invitation QR code, the resident ID card, or either
    ticket: str = "either"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    supervisor_pin_hash: str | None = None

    def category_list(self) -> list[Category]:
        """Built-in categories plus the event's own, with their place/citizen flags."""
        return _category_list(tuple(self.categories), tuple(self.outside_capacity))

    def quota_groups(self) -> list[tuple[str, tuple[str, ...], int]]:
        """(key, codes, places) for every quota, in the order the event file gives them."""
        return [(key, tuple(key.split("+")), places) for key, places in self.quotas.items()]

    def validate(self) -> None:
        if not self.title.strip():
            raise CheckinError("event.title_missing")
        for name in ("title", "theme", "organizer", "location", "meeting_point"):
            value = getattr(self, name)
            if value:  # a line break here would reach mail subjects, text messages and terminals
                check_text(value, name, limit=200)
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
        if self.report_due_kind not in REPORT_DUE_KINDS:
            raise CheckinError("report.bad_due_kind", value=self.report_due_kind)
        for name in ("report_due_days", "followup_working_days", "website_due_working_days"):
            if not 0 <= int(getattr(self, name)) <= 366:
                raise CheckinError("report.bad_days", field=name, value=getattr(self, name))
        if self.ticket not in TICKETS:
            raise CheckinError("event.bad_ticket", value=self.ticket)
        if not 0 <= self.min_citizen_share <= 1:
            raise CheckinError("event.bad_share", value=str(self.min_citizen_share))
        cats = self.category_list()
        codes = {c.code for c in cats}
        for code in [*self.outside_capacity, *self.signup_excluded]:
            if code not in codes:
                raise CheckinError("category.unknown", value=code, known=known_labels(cats))
        if self.reply_email is not None and not is_email(self.reply_email):
            raise CheckinError("notices.bad_reply_email", value=self.reply_email)
        if self.unfilled not in UNFILLED_POLICIES:
            raise CheckinError("quota.bad_unfilled", value=self.unfilled)
        if not 0 <= self.review_working_days <= 60:
            raise CheckinError("review.bad_working_days", value=self.review_working_days)
        seen: dict[str, str] = {}
        outside = set(self.outside_capacity)
        names = {c.code: c.label() for c in cats}

        def words(key: str) -> str:  # a quota group as the user wrote it, never its codes
            return "+".join(names.get(code, code) for code in key.split("+"))

        for key, group, places in self.quota_groups():
            if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= _LARGEST:
                raise CheckinError("quota.bad_places", group=words(key), value=places)
            for code in group:
                if code not in codes:
                    raise CheckinError("category.unknown", value=code, known=known_labels(cats))
                if code in seen:
                    raise CheckinError("quota.twice", category=words(code), group=words(seen[code]))
                seen[code] = key
            if len({code in outside for code in group}) > 1:
                raise CheckinError("quota.mixed", group=words(key))
        validate_itinerary(self.stops, self.buses)

    def to_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["date"] = self.date.isoformat()
        row["places"] = json.dumps(self.places, ensure_ascii=False)
        row["agenda"] = json.dumps([asdict(a) for a in self.agenda], ensure_ascii=False)
        row["min_citizen_share"] = str(self.min_citizen_share)
        row["outside_capacity"] = json.dumps(self.outside_capacity)
        row["categories"] = json.dumps([c.to_json() for c in self.categories], ensure_ascii=False)
        row["quotas"] = json.dumps(self.quotas, ensure_ascii=False)
        row["signup_excluded"] = json.dumps(self.signup_excluded)
        row["review"] = int(self.review)
        row["stops"] = stops_json(self.stops)
        row["buses"] = buses_json(self.buses)
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
        values["categories"] = parse_custom_categories(json.loads(row.get("categories") or "[]"))
        values["quotas"] = json.loads(row.get("quotas") or "{}")
        values["signup_excluded"] = json.loads(row.get("signup_excluded") or "[]")
        values["review"] = bool(row.get("review", 0))
        values["stops"] = stops_from_json(row.get("stops"))
        values["buses"] = buses_from_json(row.get("buses"))
        event = cls(**values)
        event.category_list()  # registers the event's own labels for every screen and export
        return event

    def public_dict(self) -> dict[str, Any]:
        """What `event show --json` prints: everything but the PIN hash."""
        data = self.to_row()
        data.pop("supervisor_pin_hash")
        data.pop("checks_toml")
        data["places"] = self.places
        data["agenda"] = [asdict(a) for a in self.agenda]
        data["outside_capacity"] = self.outside_capacity
        data["categories"] = [c.to_json() for c in self.categories]
        data["quotas"] = self.quotas
        data["signup_excluded"] = self.signup_excluded
        data["review"] = self.review
        data["stops"] = [asdict(s) for s in self.stops]
        data["buses"] = [asdict(b) for b in self.buses]
        data["has_supervisor_pin"] = self.supervisor_pin_hash is not None
        return data


@lru_cache(maxsize=64)
def _category_list(custom: tuple[CustomCategory, ...], outside: tuple[str, ...]) -> list[Category]:
    cats = build_categories(custom, outside)
    register_labels(cats)
    return cats


def parse_quotas(raw: Any, known: list[Category]) -> dict[str, int]:
    """`{"群众代表+科技特派员" = 28, "人大代表" = 1}` → `{"citizen+commissioner": 28, ...}`."""
    if not isinstance(raw, dict):
        raise CheckinError("quota.bad_table")
    quotas: dict[str, int] = {}
    for name, places in raw.items():
        parts = [p for p in re.split(r"[+＋、,，]", str(name)) if p.strip()]
        if not parts:
            raise CheckinError("quota.bad_table")
        codes = [parse_category(known, p) for p in parts]
        if isinstance(places, bool) or not isinstance(places, int) or places < 0:
            # a number in quotes ("28") is shown in its quotes: the message says to write it without
            shown = f'"{places}"' if isinstance(places, str) else places
            raise CheckinError("quota.bad_places", group=str(name), value=shown)
        quotas["+".join(dict.fromkeys(codes))] = places
    return quotas


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
    if not (6 <= len(pin) <= 12 and pin.isdigit()):  # 10**6 PINs at least; scrypt per try
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


# what each setting of the event file must be (`review = "yes"` or `capacity = "ten"` ended in
# a traceback); settings not listed here are checked where they are read
_KINDS: dict[str, tuple[str, tuple[type, ...]]] = {
    **{
        name: ("event.kind_int", (int,))
        for name in ("capacity", "min_age", "max_age", "report_due_days", "followup_working_days",
                     "website_due_working_days", "review_working_days")
    },
    **{name: ("event.kind_bool", (bool,)) for name in ("review", "double_entry")},
    **{
        name: ("event.kind_text", (str,))
        for name in ("title", "theme", "organizer", "location", "meeting_point", "checks", "report_due_kind",
                     "survey_template", "unfilled", "reply_email", "ticket")
    },
    **{name: ("event.kind_list", (list,)) for name in ("places", "outside_capacity", "signup_excluded",
                                                        "categories", "agenda", "stops", "buses")},
    "quotas": ("event.kind_table", (dict,)),
}  # fmt: skip


_LARGEST = 1_000_000_000  # no count of people or days in an event file comes near; SQLite's limit is 2**63


def _check_kinds(values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name not in _KINDS:
            continue
        key, kinds = _KINDS[name]
        # TOML's true is also an int to Python: a number of places is never true or false
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds):
            if isinstance(value, int) and not isinstance(value, bool) and value > _LARGEST:
                raise CheckinError("event.file_too_large", setting=name, value=str(value)[:40])
            continue
        # the value as TOML writes it
        shown = value if isinstance(value, bool | int | float) else f'"{str(value)[:40]}"'
        if isinstance(value, bool):
            shown = "true" if value else "false"
        raise CheckinError("event.file_bad_kind", setting=name, kind=tr(key, setting=name), value=str(shown))


def _code_of_words(text: str, kind_codes: tuple[str, ...], prefixes: tuple[str, ...]) -> str:
    """The code whose word (Chinese or English) `text` is; `text` itself when none (a code, a file)."""
    wanted = text.strip().casefold()
    for code in kind_codes:
        for prefix in prefixes:
            if any(wanted == tr(f"{prefix}.{code}", lang=lang).casefold() for lang in ("zh", "en")):
                return code
    return text


def event_from_toml(path: str | Path) -> tuple[Event, str | None]:
    """Read an event file (see data/demo/event.toml); returns the event and its PIN, if any."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise CheckinError("event.file_missing", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:  # where, in words: never the parser's English
        from checkin.tomlfile import toml_position

        line, column = toml_position(exc)
        error = tr("event_a20.toml_at", line=line, column=column)
        raise CheckinError("event.file_invalid", path=str(path), error=error) from None
    except RecursionError:  # brackets nested thousands deep
        raise CheckinError("event.file_invalid", path=str(path), error=tr("event_a20.toml_deep")) from None
    section = raw.get("event", raw)
    known = {f for f in Event.__dataclass_fields__ if f not in {"id", "supervisor_pin_hash", "checks_toml"}}
    unknown = set(section) - known - {"supervisor_pin"}
    if unknown:
        raise CheckinError("event.file_unknown_keys", keys=", ".join(sorted(unknown)))
    values = {k: v for k, v in section.items() if k in known}
    if "title" not in values or "date" not in values:
        raise CheckinError("event.file_required", path=str(path))
    _check_kinds(values)
    date = values["date"]
    values["date"] = date if isinstance(date, dt.date) else parse_date(str(date))
    # the check profile and the ticket may be written as the program shows them (仅查验身份证, 身份证)
    for name, kind_codes, prefixes in (
        ("checks", CHECK_PROFILES, ("checks",)),
        ("ticket", TICKETS, ("ticket", "cli_a17.ticket")),
    ):
        if isinstance(values.get(name), str):
            values[name] = _code_of_words(values[name], kind_codes, prefixes)
    if "min_citizen_share" in values:
        values["min_citizen_share"] = parse_share(str(values["min_citizen_share"]))
    if "stops" in values or "buses" in values:
        values["stops"], values["buses"] = plan_from_raw(values.get("stops", []), values.get("buses", []))
    if "agenda" in values:
        values["agenda"] = [AgendaItem(item, minutes) for item, minutes in agenda_from_raw(values["agenda"])]
    for name in ("starts", "ends", "arrive_by"):
        if name in values and isinstance(values[name], dt.time):
            values[name] = values[name].strftime("%H:%M")
    if "categories" in values:
        raw_categories = values["categories"]
        values["categories"] = parse_custom_categories(raw_categories)
        # a category declared with `takes_place = false` joins the outside-capacity list
        outside = list(values.get("outside_capacity", [MEDIA]))
        for item in raw_categories:
            if item.get("takes_place", True) is False and str(item["code"]).lower() not in outside:
                outside.append(str(item["code"]).strip().lower())
        values["outside_capacity"] = outside
    declared = build_categories(values.get("categories", []), values.get("outside_capacity", [MEDIA]))
    for name in ("outside_capacity", "signup_excluded"):
        if name in values:
            if not isinstance(values[name], list):
                raise CheckinError("event.file_invalid", path=str(path), error=name)
            values[name] = [parse_category(declared, str(v)) for v in values[name]]
    if "quotas" in values:
        values["quotas"] = parse_quotas(values["quotas"], declared)
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

        load_profile(event.checks)  # a broken profile is refused now, in words, not at the door
        event.checks_toml = Path(event.checks).read_bytes().decode("utf-8-sig")
    from checkin.survey import load_template

    load_template(event.survey_template)  # likewise a broken survey template: now, not at keying
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


def set_ticket(db: Database, ticket: str) -> None:
    """What opens the door (invitation, ID card or either), changed before the doors open."""
    if ticket not in TICKETS:
        raise CheckinError("event.bad_ticket", value=ticket)
    load_event(db)
    with write_transaction(db):
        db.execute("UPDATE event SET ticket = ?", [ticket])


def set_organizer(db: Database, text: str) -> str:
    """The unit the report is from (its title and signature), set on an existing event file."""
    from checkin.textcheck import check_text

    unit = check_text(text.strip(), "organization")
    if not unit:
        raise CheckinError("cli_i18.organizer_empty")
    load_event(db)
    with write_transaction(db):
        db.execute("UPDATE event SET organizer = ?", [unit])
    return unit


def id_secret(db: Database) -> bytes:
    row = db.execute("SELECT value FROM secret WHERE name = ?", [ID_SECRET]).fetchone()
    if row is None:
        raise CheckinError("event.none")
    return bytes(row[0])
