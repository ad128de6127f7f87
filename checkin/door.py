"""The door (集中签到): one function turns a scanned text into a verdict, and records it.

Verdicts: `admitted`, `already` (with the first time and station), `refused` (with the
reason) or `needs_checks` (the invitation is good; the entry checks are still due). Every
scan is recorded, failed ones too, with station, operator and time — never an ID number.
A check-in is committed before the verdict says "admitted", and a unique index on live
check-ins means two instances on one file can never admit the same person twice.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import sqlite3
import unicodedata
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from checkin.board import present_counts
from checkin.categories import citizen_codes, parse_category
from checkin.clock import SYSTEM_CLOCK, Clock, stamp
from checkin.doorstart import door_counts, status_line
from checkin.errors import CheckinError
from checkin.event import TICKETS, Event, id_secret, load_event, pin_matches
from checkin.i18n import tr
from checkin.idcard import document_matches, id_hash, match_document, parse_id
from checkin.keys import Verifier, station_for
from checkin.labels import CheckLabels
from checkin.packseal import refresh
from checkin.people import add_walk_in
from checkin.phone import parse_phone
from checkin.profiles import CheckResult, Profile, evaluate, load_profile
from checkin.search import ensure_index
from checkin.selection import check_walk_in
from checkin.storage import write_transaction
from checkin.textcheck import LIMITS, check_text
from checkin.tokens import TOKEN_CHARS
from checkin.vocab import PersonStatus, Reason, VerdictKind, codes

VERDICTS = codes(VerdictKind)
PIN_TRIES = 5
PIN_LOCK_SECONDS = 30
PIN_LOCK_MAX_SECONDS = 3600
WALK_IN_PREFIX = "W"
# an 18-character resident ID number anywhere in a scanned text (readers add name and other fields)
_ID_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9X])")
_NUMBER = re.compile(r"^(A[0-9]{1,7}|W[0-9A-F]{4,11})$")
_TOKEN_SHAPE = re.compile(r"^[A-Z2-7]+$")
_URL = re.compile(r"^(https?:|www\.|[a-z][a-z0-9+.-]*://)|^[a-z0-9-]+(\.[a-z0-9-]+)+/", re.IGNORECASE)


@dataclass(frozen=True)
class InviteeInfo:
    number: str
    name: str
    category: str
    id_masked: str

    def to_json(self) -> dict[str, str]:
        return {"number": self.number, "name": self.name, "category": self.category}


@dataclass(frozen=True)
class FirstSeen:
    at: str
    station: str


@dataclass
class Verdict:
    verdict: VerdictKind
    reason: Reason | None = None
    invitee: InviteeInfo | None = None
    first_seen: FirstSeen | None = None
    checks_due: list[str] = field(default_factory=list)
    failed: list[CheckResult] = field(default_factory=list)
    scan_uid: str = ""
    at: str = ""
    # the event's check names and answers in words, set by the Door that judged
    labels: CheckLabels | None = field(default=None, repr=False, compare=False)
    profile: Profile | None = field(default=None, repr=False, compare=False)
    # answers the scan itself gave (an ID card read: the id_card check); in memory only
    presets: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    # how the guest was found and the invitation read (seq, counter, key): the check form's
    # answers are judged with them, so the admission records the scan and its invitation
    method: str = field(default="", compare=False)
    token: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)

    @property
    def admitted(self) -> bool:
        return self.verdict == VerdictKind.ADMITTED

    def reason_text(self) -> str | None:
        if self.reason is None:
            return None
        text = tr(f"verdict.{self.reason}")
        if self.failed:
            labels = self.labels or CheckLabels.for_event_profile(None)
            failed = tr("door_reason.sep").join(labels.result(r.name, r.value) for r in self.failed)
            text = tr("door_reason.with_failed", reason=text, failed=failed)
        return text

    def checks_due_text(self) -> str:
        """The checks still due, by their names in the profile (身份证、体温 …)."""
        labels = self.labels or CheckLabels.for_event_profile(None)
        return tr("labels.list_sep").join(labels.name(name) for name in self.checks_due)

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "reason": self.reason_text(),
            "reason_code": self.reason,
            "invitee": self.invitee.to_json() if self.invitee else None,
            "first_seen": {"at": self.first_seen.at, "station": self.first_seen.station}
            if self.first_seen
            else None,
            "checks_due": [self.profile.label_of(n) for n in self.checks_due]
            if self.profile
            else self.checks_due,
        }


def _uid() -> str:
    return uuid.uuid4().hex


def walk_in_number(db: Database, hashed: str) -> str:
    """Derived from the ID hash, so the same walk-in registered at two doors gets one number
    and merging the doors' results needs no renumbering."""
    for length in range(5, len(hashed) + 1):
        number = f"{WALK_IN_PREFIX}{hashed[:length].upper()}"
        owner = db.execute("SELECT id_hash FROM people WHERE number = ?", [number]).fetchone()
        if owner is None or owner[0] == hashed:
            return number
    raise CheckinError("door.walk_in_number")  # pragma: no cover - a full SHA-256 collision


@dataclass(frozen=True)
class Resolved:
    """What a scanned or typed text points at: a person (and how), or why not.

    `id_number` is the resident ID number read from the text, kept in memory only long
    enough to answer the `id_card` check; it is never stored or logged.
    """

    number: str | None
    method: str  # scan (invitation), idcard, lookup (a typed number)
    reason: Reason | None = None
    token: tuple[int, int, int] | None = None
    id_number: str | None = field(default=None, repr=False)

    @property
    def found(self) -> bool:
        return self.number is not None


def normalise_scan(text: str) -> str:
    """Full-width to ASCII, surrounding blanks dropped (the scanner's own terminators too)."""
    return unicodedata.normalize("NFKC", text).strip()


def find_id_numbers(text: str, today: dt.date | None = None) -> list[str]:
    """Every valid resident ID number anywhere in a text (an ID-card reader's line), each once."""
    upper = normalise_scan(text).upper()
    found: list[str] = []
    for match in _ID_IN_TEXT.finditer(upper):
        try:
            number = parse_id(match.group(0), today=today).number
        except CheckinError:
            continue
        if number not in found:
            found.append(number)
    return found


def find_id_number(text: str, today: dt.date | None = None) -> str | None:
    """The valid resident ID number in a text (an ID-card reader's line); None when there is
    none — or two different ones: a scan never picks one of two people."""
    found = find_id_numbers(text, today)
    return found[0] if len(found) == 1 else None


def looks_like_number(text: str) -> bool:
    """A person's number typed at the desk: A009, W1A2B3."""
    return bool(_NUMBER.match(normalise_scan(text).upper()))


def resolve_scan(
    db: Database,
    text: str,
    *,
    verifier: Verifier | None = None,
    secret: bytes | None = None,
    ticket: str = "either",
    today: dt.date | None = None,
) -> Resolved:
    """The one reading of whatever the scan box (or `checkin scan TEXT`) receives:
    an invitation token, a person's number typed in, or a resident ID number anywhere in
    the text. Nothing is written; `Door.scan` records the verdict."""
    clean = normalise_scan(text)
    upper = clean.upper()
    if len(upper) == TOKEN_CHARS and _TOKEN_SHAPE.match(upper):
        if ticket == "id-card":
            return Resolved(None, "scan", Reason.TICKET_ID_CARD)
        checked = (verifier or Verifier(db)).verify(upper)
        if checked.number is None or checked.claims is None:
            return Resolved(None, "scan", checked.reason or Reason.NOT_TOKEN)
        return Resolved(
            checked.number, "scan", token=(checked.claims.seq, checked.claims.counter, checked.claims.key_id)
        )
    if _URL.match(clean):
        # a web address is refused whole, whatever it carries: an ID number in a link
        # (…?sfz=3201…) is no card on the reader, and must not admit its owner
        return Resolved(None, "scan", Reason.WEB_ADDRESS)
    if looks_like_number(upper):
        if db.execute("SELECT 1 FROM people WHERE number = ?", [upper]).fetchone() is not None:
            return Resolved(upper, "lookup")
        # nobody has this number: a passport such as A1234567 may have been typed
        document = match_document(db, secret if secret is not None else id_secret(db), clean)
        if document is None:
            return Resolved(upper, "lookup")
        if ticket == "invitation":
            return Resolved(None, "idcard", Reason.TICKET_INVITATION)
        return Resolved(document[0], "idcard", id_number=document[1])
    id_numbers = find_id_numbers(clean, today)
    if len(id_numbers) > 1:
        # two people's numbers in one read (two cards on the reader, a pasted line): which one
        # is at the desk is not for the program to guess
        return Resolved(None, "idcard", Reason.TWO_ID_NUMBERS)
    if id_numbers:
        id_number = id_numbers[0]
        if ticket == "invitation":
            return Resolved(None, "idcard", Reason.TICKET_INVITATION)
        key = secret if secret is not None else id_secret(db)
        row = db.execute("SELECT number FROM people WHERE id_hash = ?", [id_hash(key, id_number)]).fetchone()
        if row is None:
            return Resolved(None, "idcard", Reason.NOT_ON_LIST)
        return Resolved(str(row[0]), "idcard", id_number=id_number)
    # a passport, a travel permit or a foreign permanent residence ID, typed or read
    document = match_document(db, secret if secret is not None else id_secret(db), clean)
    if document is not None:
        if ticket == "invitation":
            return Resolved(None, "idcard", Reason.TICKET_INVITATION)
        return Resolved(document[0], "idcard", id_number=document[1])
    return Resolved(None, "scan", Reason.NOT_TOKEN)


class Door:
    """One entrance: a station name, an operator, and the event's file."""

    def __init__(self, db: Database, station: str, operator: str, *, clock: Clock = SYSTEM_CLOCK) -> None:
        if not station.strip():
            raise CheckinError("door.no_station")
        if not operator.strip():
            raise CheckinError("door.no_operator")
        check_text(station.strip(), tr("textcheck.field.station"), limit=LIMITS["station"])
        check_text(operator.strip(), tr("textcheck.field.operator"), limit=LIMITS["operator"])
        self.db = db
        self.clock = clock
        # on a door laptop's pack the station is the pack's: its bundle carries that station's
        # rows; another --station is said (station_note), never recorded
        self.station, self.station_note = station_for(db, station)
        self.operator = operator.strip()
        self.event: Event = load_event(db)
        self.profile: Profile = load_profile(self.event.checks, self.event.checks_toml)
        self.labels = CheckLabels(self.profile.checks)
        if self.event.ticket not in TICKETS:
            raise CheckinError("event.bad_ticket", value=self.event.ticket)
        self.verifier = Verifier(db)
        self.secret = id_secret(db)

    def _now(self) -> str:
        return stamp(self.clock, "milliseconds")

    # ------------------------------------------------------------ scanning

    def resolve(self, text: str) -> Resolved:
        return resolve_scan(
            self.db,
            text,
            verifier=self.verifier,
            secret=self.secret,
            ticket=self.event.ticket,
            today=self.event.date,
        )

    def scan(self, text: str, answers: Mapping[str, str] | None = None) -> Verdict:
        """Whatever the scan box took (an invitation, a typed number, an ID card read) and,
        when due, the check answers → a recorded verdict."""
        return self.judge_resolved(self.resolve(text), answers)

    def judge_resolved(self, resolved: Resolved, answers: Mapping[str, str] | None = None) -> Verdict:
        if resolved.number is None:
            return self._record(
                Verdict(VerdictKind.REFUSED, resolved.reason or Reason.NOT_TOKEN), resolved.method
            )
        given = dict(answers or {})
        presets: dict[str, str] = {}
        if resolved.id_number and self.profile.has("id_card"):
            # the card itself was read: it is the ticket and the ID check, matched
            presets["id_card"] = resolved.id_number
            given.setdefault("id_card", resolved.id_number)
        verdict = self.judge(resolved.number, given, method=resolved.method, token=resolved.token)
        verdict.presets = presets
        return verdict

    def judge(
        self,
        number: str,
        answers: Mapping[str, str] | None = None,
        *,
        method: str = "lookup",
        token: tuple[int, int, int] | None = None,
    ) -> Verdict:
        """Decide for a known person (from a scan or a look-up)."""
        refresh(self.db)  # a sealed pack: walk-ins another desk on this file registered
        row = self.db.execute(
            "SELECT number, name, category, id_masked, id_hash, status FROM people WHERE number = ?",
            [number.strip().upper()],
        ).fetchone()
        if row is None:
            return self._record(Verdict(VerdictKind.REFUSED, Reason.UNKNOWN_PERSON), method, token)
        invitee = InviteeInfo(row[0], row[1], row[2], row[3])
        stored_hash, status = row[4], row[5]
        if status in (PersonStatus.DECLINED, PersonStatus.REMOVED):
            return self._record(Verdict(VerdictKind.REFUSED, Reason(status), invitee), method, token)
        if status != PersonStatus.INVITED:
            return self._record(Verdict(VerdictKind.REFUSED, Reason.NOT_INVITED, invitee), method, token)
        first = self.first_seen(invitee.number)
        if first:
            return self._record(Verdict(VerdictKind.ALREADY, Reason.ALREADY, invitee, first), method, token)
        evaluation = evaluate(
            self.profile, answers or {}, lambda typed: document_matches(self.secret, typed, stored_hash)
        )
        if evaluation.failed:
            failed_id = any(r.name == "id_card" for r in evaluation.failed)
            reason = Reason.ID_MISMATCH if failed_id else Reason.CHECK_FAILED
            verdict = Verdict(
                VerdictKind.REFUSED, reason, invitee, failed=evaluation.failed, profile=self.profile
            )
            return self._record(verdict, method, token, evaluation.results)
        if not evaluation.complete:
            verdict = Verdict(
                VerdictKind.NEEDS_CHECKS, None, invitee, checks_due=evaluation.missing, profile=self.profile
            )
            return self._record(verdict, method, token, evaluation.results)
        return self._admit(invitee, method, token, evaluation.results)

    def first_seen(self, number: str) -> FirstSeen | None:
        row = self.db.execute("SELECT at, station FROM live_checkins WHERE number = ?", [number]).fetchone()
        return FirstSeen(row[0], row[1]) if row else None

    def _admit(
        self,
        invitee: InviteeInfo,
        method: str,
        token: tuple[int, int, int] | None,
        results: list[CheckResult],
        override_reason: str | None = None,
    ) -> Verdict:
        verdict = Verdict(VerdictKind.ADMITTED, None, invitee, scan_uid=_uid(), at=self._now())
        checkin_uid = _uid()
        try:
            with write_transaction(self.db):
                self.db.execute(
                    "INSERT INTO checkins (uid, number, at, station, operator, method, override_reason) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [checkin_uid, invitee.number, verdict.at, self.station, self.operator, method,
                     override_reason],
                )  # fmt: skip
                self._insert_scan(verdict, method, token, results, checkin_uid)
        except sqlite3.IntegrityError:
            # another door admitted this person a moment ago: the database said no
            first = self.first_seen(invitee.number)
            return self._record(Verdict(VerdictKind.ALREADY, Reason.ALREADY, invitee, first), method, token)
        return verdict

    def _insert_scan(
        self,
        verdict: Verdict,
        method: str,
        token: tuple[int, int, int] | None,
        results: list[CheckResult],
        checkin_uid: str | None = None,
    ) -> None:
        verdict.labels = self.labels
        verdict.method, verdict.token = method, token
        self.db.execute(
            "INSERT INTO scans (uid, at, station, operator, method, verdict, reason, number, "
            "token_seq, token_counter, token_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                verdict.scan_uid, verdict.at, self.station, self.operator, method, verdict.verdict.value,
                verdict.reason.value if verdict.reason else None,
                verdict.invitee.number if verdict.invitee else None,
                *(token if token else (None, None, None)),
            ],
        )  # fmt: skip
        self.db.conn.executemany(
            "INSERT INTO check_results (scan_uid, checkin_uid, number, name, value, passed) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                (verdict.scan_uid, checkin_uid, verdict.invitee.number if verdict.invitee else None,
                 r.name, r.value, int(r.passed))
                for r in results
            ],
        )  # fmt: skip

    def _record(
        self,
        verdict: Verdict,
        method: str,
        token: tuple[int, int, int] | None = None,
        results: list[CheckResult] | None = None,
    ) -> Verdict:
        verdict.scan_uid = _uid()
        verdict.at = self._now()
        with write_transaction(self.db):
            self._insert_scan(verdict, method, token, results or [])
        return verdict

    # ------------------------------------------------------------ supervisor actions

    def _pin_failures(self) -> tuple[int, str | None]:
        """Wrong PINs at this station since the last right one, and the time of the latest."""
        rows = self.db.execute(
            "SELECT action, at FROM activity WHERE action IN ('pin_refused', 'pin_ok') "
            "AND json_valid(detail) AND json_extract(detail, '$.station') = ? ORDER BY id DESC LIMIT 64",
            [self.station],
        ).fetchall()
        count, latest = 0, None
        for action, at in rows:
            if action == "pin_ok":
                break
            count += 1
            latest = latest or str(at)
        return count, latest

    def _require_pin(self, pin: str | None) -> None:
        """The supervisor PIN; after 5 wrong ones at this station a lockout that doubles each
        time (30 s, 1 min, 2 min … 1 h), every refusal and lockout in the audit trail."""
        if not self.event.supervisor_pin_hash:
            raise CheckinError("door.no_pin_set")
        failures, latest = self._pin_failures()
        if failures >= PIN_TRIES and latest:
            wait = min(PIN_LOCK_MAX_SECONDS, PIN_LOCK_SECONDS * 2 ** (failures - PIN_TRIES))
            left = (
                dt.datetime.fromisoformat(latest) + dt.timedelta(seconds=wait)
            ) - dt.datetime.fromisoformat(self._now())
            if left.total_seconds() > 0:
                raise CheckinError("door14.pin_locked", seconds=math.ceil(left.total_seconds()))
        if not pin or not pin_matches(self.event.supervisor_pin_hash, pin):
            with write_transaction(self.db):
                self._log("pin_refused", None)
                if failures + 1 >= PIN_TRIES:
                    wait = min(PIN_LOCK_MAX_SECONDS, PIN_LOCK_SECONDS * 2 ** (failures + 1 - PIN_TRIES))
                    self._log("pin_lockout", None, seconds=wait)
            raise CheckinError("door.wrong_pin")
        if failures:
            with write_transaction(self.db):
                self._log("pin_ok", None)

    def _log(self, action: str, number: str | None, **detail: Any) -> None:
        self.db.table("activity").insert(
            {
                "at": self._now(),
                "action": action,
                "number": number,
                "detail": json.dumps(
                    {"station": self.station, "operator": self.operator, **detail},
                    ensure_ascii=False,
                ),
            }
        )

    def annul(self, number: str, reason: str, pin: str | None) -> None:
        """Undo a check-in (wrong person let in, scanned by mistake); needs the PIN."""
        self._require_pin(pin)
        if not reason.strip():
            raise CheckinError("door.reason_required")
        check_text(reason.strip(), tr("textcheck.field.reason"), limit=LIMITS["reason"])
        number = number.strip().upper()
        with write_transaction(self.db):
            changed = self.db.execute(
                "UPDATE checkins SET annulled_at = ?, annulled_by = ?, annul_reason = ? "
                "WHERE uid = (SELECT uid FROM live_checkins WHERE number = ?)",
                [self._now(), self.operator, reason.strip(), number],
            ).rowcount
            if not changed:
                raise CheckinError("door.not_checked_in", number=number)
            self._log("annul", number, reason=reason.strip())

    def override(self, number: str, reason: str, pin: str | None) -> Verdict:
        """Admit despite a refusal (a misread check, a waiting-list guest let in); needs the PIN."""
        refresh(self.db)
        self._require_pin(pin)
        if not reason.strip():
            raise CheckinError("door.reason_required")
        check_text(reason.strip(), tr("textcheck.field.reason"), limit=LIMITS["reason"])
        row = self.db.execute(
            "SELECT number, name, category, id_masked FROM people WHERE number = ?",
            [number.strip().upper()],
        ).fetchone()
        if row is None:
            raise CheckinError("people.unknown_number", number=number)
        invitee = InviteeInfo(*row)
        first = self.first_seen(invitee.number)
        if first:
            return self._record(Verdict(VerdictKind.ALREADY, Reason.ALREADY, invitee, first), "override")
        verdict = self._admit(invitee, "override", None, [], override_reason=reason.strip())
        with write_transaction(self.db):
            self._log("override", invitee.number, reason=reason.strip())
        return verdict

    def register_walk_in(self, name: str, id_number: str, phone: str, category: str, pin: str | None) -> str:
        """Register someone on the spot (supervisor only) when capacity and share allow."""
        refresh(self.db)
        self._require_pin(pin)
        return self._register_walk_in(name, id_number, phone, category)

    def admit_walk_in(self, name: str, id_number: str, phone: str, category: str, pin: str | None) -> Verdict:
        """Register someone on the spot and let them in, as one write: two desks on one file cannot
        both take the last place (each checks capacity with the other's walk-in already inside).
        The ID number was typed from the card by the volunteer: that check is done."""
        refresh(self.db)
        self._require_pin(pin)  # outside: a wrong PIN is logged even though nothing else is written
        with write_transaction(self.db):
            number = self._register_walk_in(name, id_number, phone, category)
            return self.judge(number, {"id_card": id_number}, method="walkin")

    def _register_walk_in(self, name: str, id_number: str, phone: str, category: str) -> str:
        name = check_text(name.strip(), tr("textcheck.field.name"), limit=LIMITS["name"])
        if not name:
            raise CheckinError("import.name_missing")
        resident = parse_id(id_number, today=self.event.date)
        age = resident.age_on(self.event.date)
        if age < self.event.min_age:
            raise CheckinError("import.too_young", age=age, min_age=self.event.min_age)
        if self.event.max_age is not None and age > self.event.max_age:
            raise CheckinError("import.too_old", age=age, max_age=self.event.max_age)
        phone_value = parse_phone(phone)
        code = parse_category(self.event.category_list(), category)
        hashed = id_hash(self.secret, resident.number)
        existing = self.db.execute("SELECT number FROM people WHERE id_hash = ?", [hashed]).fetchone()
        if existing:
            raise CheckinError("door.walk_in_known", number=existing[0])
        in_capacity = code not in self.event.outside_capacity
        # capacity, the category's quota and the citizen share, counted among those inside
        check_walk_in(self.db, code)
        now = self._now()
        with write_transaction(self.db):
            number = walk_in_number(self.db, hashed)
            add_walk_in(
                self.db.conn, number=number, name=name, gender=resident.gender, id_hash=hashed,
                id_masked=resident.masked, age=age, phone=phone_value, category=code,
                in_capacity=in_capacity, signed_up_at=now, source=f"walk-in@{self.station}",
                created_at=now, updated_at=now,
            )  # fmt: skip
            self._log("walk_in", number)
        ensure_index(self.db)
        return number

    def present_counts(self) -> tuple[int, int]:
        """Guests inside who take a place, and the citizens among them (as the board counts)."""
        return present_counts(self.db, citizen_codes(self.event.category_list()))

    def status_counts(self) -> tuple[int, int, int, int]:
        """For the status line: arrived, expected, and the in-capacity guests and citizens inside
        (counted as before the door opened: checkin/doorstart.py)."""
        return door_counts(self.db, citizen_codes(self.event.category_list()))

    def status(self) -> str:
        """The status line: the event, its checks, who has arrived, the citizens' share inside."""
        return status_line(self.event.title, self.profile.label(), self.status_counts())

    def recent_scans(self, limit: int = 20) -> list[dict[str, Any]]:
        return list(
            self.db.query(
                "SELECT s.at, s.station, s.verdict, s.reason, s.number, p.name, "
                "EXISTS (SELECT 1 FROM checkins c WHERE c.number = s.number AND c.at = s.at "
                "AND c.annulled_at IS NOT NULL) AS annulled FROM scans s "
                "LEFT JOIN people p ON p.number = s.number ORDER BY s.id DESC LIMIT ?",
                [limit],
            )
        )
