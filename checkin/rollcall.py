"""Roll call (点名) at every stop of the site visit, departures, and the schedule as run.

At each stop the leader of a bus (or the organiser, for the whole stop) sees who is
expected, marks who is here — by scanning the invitation or the ID card, by look-up, or with
one key — and before leaving gets "all N aboard" or "2 missing: 张三、李四". Leaving with
people missing is allowed and recorded. Someone who leaves the visit (went home, unwell) is
marked once and is no longer expected from that stop on; scanned again later, they are back.

Who is expected at a stop: the bus's riders (or, for the whole stop, every invited guest)
minus anyone who left the visit; a guest rides the bus they were last marked present on (up
to this stop), else the one they were seated on. After the first stop only people known to
have come are expected (checked in at the door, or present at an earlier roll call): a guest
who never came is a no-show, not "missing" at every site. When nobody of the bus is known to
have come (a bus laptop first used at the second stop), all its riders are expected.

Marks and departures are records with a unique id, a time, the station and the operator:
they never change once written, so station bundles merge them by id in any order, and the
state read from them is the same whatever the order (a "came back" is decided by time).
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from checkin.clock import SYSTEM_CLOCK, Clock
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import tr
from checkin.itinerary import LEAVE_REASONS as REASONS
from checkin.itinerary import Bus, Stop, find_bus, find_stop, join_names
from checkin.keys import Verifier, packed_station, station_for
from checkin.storage import write_transaction
from checkin.vocab import PersonStatus

METHODS = ("scan", "idcard", "lookup", "key", "cli")


def _uid() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Rider:
    number: str
    name: str
    phone: str | None
    bus: str | None  # the bus they were assigned to

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name}


@dataclass(frozen=True)
class LeftRider:
    number: str
    name: str
    reason: str
    stop: str
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "reason": tr(f"visit.reason.{self.reason}"),
            "reason_code": self.reason,
            "stop": self.stop,
            "at": self.at[:19],
        }


@dataclass
class RollStatus:
    stop: Stop
    bus: Bus | None
    present: list[Rider] = field(default_factory=list)
    missing: list[Rider] = field(default_factory=list)
    left: list[LeftRider] = field(default_factory=list)
    departed_at: str | None = None

    @property
    def expected(self) -> int:
        return len(self.present) + len(self.missing)

    def departure_text(self) -> str:
        """ "all 18 aboard" or "2 missing: 张三、李四" — what the leader reads before leaving."""
        if not self.missing and not self.expected:  # "all 0 aboard" reads as if everyone were there
            return tr("visit.nobody_expected")
        if not self.missing:
            return tr("visit.all_aboard", n=self.expected)
        return tr("visit.missing_names", n=len(self.missing), names=join_names(r.name for r in self.missing))

    def to_json(self) -> dict[str, Any]:
        return {
            "stop": self.stop.name,
            "bus": self.bus.name if self.bus else None,
            "expected": self.expected,
            "present": [r.to_json() for r in self.present],
            "missing": [{"number": r.number, "name": r.name, "phone": r.phone} for r in self.missing],
            "left": [r.to_json() for r in self.left],
        }


@dataclass(frozen=True)
class MarkResult:
    """What a mark did: `present`, `already` (marked here before), `back` (had left) or `left`."""

    outcome: str
    rider: Rider
    other_bus: str | None = None  # they were assigned to another bus

    def text(self) -> str:
        line = tr(f"visit.outcome.{self.outcome}", name=self.rider.name, number=self.rider.number)
        if self.other_bus:
            line += tr("visit.assigned_other_bus", bus=self.other_bus)
        return line


@dataclass(frozen=True)
class Departure:
    status: RollStatus
    recorded: bool
    anyway: bool
    at: str | None = None


class RollCall:
    """One laptop's roll calls (office file or a door pack on the bus)."""

    def __init__(self, db: Database, station: str, operator: str, *, clock: Clock = SYSTEM_CLOCK) -> None:
        if not station.strip():
            raise CheckinError("door.no_station")
        if not operator.strip():
            raise CheckinError("door.no_operator")
        self.db = db
        self.clock = clock
        # on a door pack (a laptop on the bus) the records carry the pack's own station name,
        # so that its results bundle takes them along
        self.station, self.station_note = station_for(db, station)
        self.on_pack = packed_station(db) is not None
        self.operator = operator.strip()
        self.event: Event = load_event(db)
        self.stops: list[Stop] = self.event.stops
        self.buses: list[Bus] = self.event.buses
        if not self.stops:
            raise CheckinError("visit.no_stops")
        self._verifier: Verifier | None = None

    # ------------------------------------------------------------ places

    def stop(self, name: str) -> Stop:
        return find_stop(self.stops, name)

    def bus(self, name: str | None) -> Bus | None:
        return find_bus(self.buses, name) if name else None

    def _position(self, stop: Stop) -> int:
        return self.stops.index(stop)

    # ------------------------------------------------------------ who is it

    def identify(self, text: str) -> tuple[str, str]:
        """A scanned or typed text → (person number, method): the door's own reading of the scan
        box (`checkin.door.resolve_scan`) — an invitation code, an ID number anywhere in a card
        reader's text (only hashed to find the person, never kept), or a person number."""
        from checkin.door import resolve_scan

        if not (text or "").strip() or len(text) > 400:
            raise CheckinError("visit.not_recognised")
        if self._verifier is None:
            self._verifier = Verifier(self.db)
        found = resolve_scan(self.db, text, verifier=self._verifier, today=self.event.date)
        if found.number is None:
            raise CheckinError(f"verdict.{found.reason or 'not_token'}")
        return found.number, found.method

    def rider(self, number: str) -> Rider:
        row = self.db.execute(
            "SELECT p.number, p.name, p.phone, r.bus, p.status FROM people p "
            "LEFT JOIN bus_riders r ON r.number = p.number WHERE p.number = ?",
            [unicodedata.normalize("NFKC", number).strip().upper()],
        ).fetchone()
        if row is None:
            raise CheckinError("people.unknown_number", number=number)
        if row[4] != PersonStatus.INVITED:
            raise CheckinError("visit.not_on_visit", number=row[0], name=row[1])
        return Rider(str(row[0]), str(row[1]), row[2], row[3])

    # ------------------------------------------------------------ marking

    def scan(self, stop: str, bus: str | None, text: str) -> MarkResult:
        number, method = self.identify(text)
        return self.mark_present(stop, bus, number, method=method)

    def mark_present(self, stop: str, bus: str | None, number: str, *, method: str = "key") -> MarkResult:
        place, coach = self.stop(stop), self.bus(bus)
        rider = self.rider(number)
        if method not in METHODS:
            raise CheckinError("visit.bad_value", field="method", value=method)
        status = self.status(place.name, coach.name if coach else None)
        other = rider.bus if coach and rider.bus and rider.bus != coach.name else None
        if any(r.number == rider.number for r in status.present):
            return MarkResult("already", rider, other)
        was_left = any(r.number == rider.number for r in status.left)
        self._insert_mark(place, coach, rider.number, "present", None, method)
        return MarkResult("back" if was_left else "present", rider, other)

    def leave(
        self, stop: str, bus: str | None, number: str, reason: str, *, method: str = "key"
    ) -> MarkResult:
        """They left the visit (went home, unwell): no longer expected from this stop on."""
        if reason not in REASONS:
            raise CheckinError(
                "visit.bad_reason", value=reason, choices=join_names(tr(f"visit.reason.{r}") for r in REASONS)
            )
        place, coach = self.stop(stop), self.bus(bus)
        rider = self.rider(number)
        self._insert_mark(place, coach, rider.number, "left", reason, method)
        return MarkResult("left", rider)

    def _on_the_day(self) -> str:
        """The time a record is stamped with. On a door pack only the event's day: the merge takes
        a bundle whole or not at all, and only records of that day (a rehearsal with the real
        pack the day before would cost the day's own roll calls)."""
        now = self.clock.now()
        if self.on_pack and now.date() != self.event.date:
            raise CheckinError("visit.pack_other_day", day=self.event.date.isoformat())
        return now.isoformat(timespec="milliseconds")

    def _insert_mark(
        self, stop: Stop, bus: Bus | None, number: str, mark: str, reason: str | None, method: str
    ) -> None:
        at = self._on_the_day()
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO roll_marks (uid, stop, bus, number, mark, reason, method, at, station, "
                "operator) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_uid(), stop.name, bus.name if bus else None, number, mark, reason, method, at,
                 self.station, self.operator],
            )  # fmt: skip

    # ------------------------------------------------------------ reading the state

    def status(self, stop: str, bus: str | None = None) -> RollStatus:
        place, coach = self.stop(stop), self.bus(bus)
        return roll_status(self.db, self.stops, place, coach)

    def depart(self, stop: str, bus: str | None = None, *, anyway: bool = False) -> Departure:
        """Check before leaving; recorded when all are aboard, or when leaving anyway."""
        status = self.status(stop, bus)
        if status.missing and not anyway:
            return Departure(status, recorded=False, anyway=False)
        at = self._on_the_day()
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO departures (uid, stop, bus, at, expected, missing, anyway, station, operator) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_uid(), status.stop.name, status.bus.name if status.bus else None, at, status.expected,
                 json.dumps([r.number for r in status.missing]), int(bool(status.missing)),
                 self.station, self.operator],
            )  # fmt: skip
        status.departed_at = at
        return Departure(status, recorded=True, anyway=bool(status.missing), at=at)


def _order(db: Database) -> dict[str, tuple[int, int]]:
    return {
        str(r[0]): (int(r[1] is None), int(r[1] or 0))
        for r in db.execute("SELECT number, queue_pos FROM people WHERE status = 'invited'")
    }


def roll_status(db: Database, stops: list[Stop], stop: Stop, bus: Bus | None) -> RollStatus:
    """Who is expected at this stop (on this bus), who is here, who is missing, who left."""
    position = stops.index(stop)
    earlier = {s.name for s in stops[:position]}
    up_to_here = earlier | {stop.name}
    people = {
        str(r[0]): Rider(str(r[0]), str(r[1]), r[2], r[3])
        for r in db.execute(
            "SELECT p.number, p.name, p.phone, r.bus FROM people p LEFT JOIN bus_riders r "
            "ON r.number = p.number WHERE p.status = 'invited'"
        )
    }
    marks = db.execute("SELECT stop, bus, number, mark, reason, at FROM roll_marks").fetchall()
    here_present: dict[str, list[tuple[str | None, str]]] = {}
    # known to have come before this stop: checked in at the door, or on an earlier roll call
    came: set[str] = {str(r[0]) for r in db.execute("SELECT number FROM live_checkins")}
    # each guest's last mark up to here, by stop then time (present or left): one who left is
    # gone until marked present again — at that stop or any later one, and back from then on
    last_mark: dict[str, tuple[int, str, str, str, str]] = {}  # number → (position, at, mark, stop, reason)
    # the bus each guest rides now: the one they were last marked present on (by stop, then
    # time), up to this stop — a guest who boarded another bus is expected on it from then on
    riding: dict[str, tuple[int, str, str]] = {}  # number → (stop position, at, bus)
    order_of = {s.name: i for i, s in enumerate(stops)}
    for stop_name, bus_name, number, mark, reason, at in marks:
        if stop_name not in up_to_here or number not in people:
            continue
        if stop_name != stop.name:
            came.add(number)
        if mark == "present":
            if stop_name == stop.name:
                here_present.setdefault(number, []).append((bus_name, at))
            if bus_name is not None:  # ties (same stop, same millisecond) go by name: order-free
                seen = (order_of[stop_name], str(at), str(bus_name))
                riding[number] = max(riding.get(number, seen), seen)
        if mark in ("present", "left"):  # a tie (same stop, same millisecond) goes to present: order-free
            seen_mark = (order_of[stop_name], str(at), str(mark), str(stop_name), str(reason or "other"))
            last_mark[number] = max(last_mark.get(number, seen_mark), seen_mark)
    gone = {  # number → (at, stop, reason) of the leaving that still holds
        number: (info[1], info[3], info[4]) for number, info in last_mark.items() if info[2] == "left"
    }
    # each bus's riders (the guests on no bus together): the whole stop is every bus's roll
    by_bus: dict[str | None, set[str]] = {}
    for n, r in people.items():
        by_bus.setdefault(riding[n][2] if n in riding else r.bus, set()).add(n)
    groups = list(by_bus.values()) if bus is None else [by_bus.get(bus.name, set())]
    aboard: set[str] = set().union(*groups)
    # after the first stop, those known to have come (and whoever is marked here); when nobody
    # of a bus is known to have come before (no check-in in this file, no roll call before — a
    # bus's laptop first used at the second stop), every rider: an empty list said "all 0 aboard"
    # while the bus was not counted at all, and the first person marked hid all the others
    candidates: set[str] = set()
    for members in groups:
        known = members & came
        candidates |= members if position == 0 or not known else known | (members & set(here_present))
    expected = candidates - set(gone)
    order = _order(db)
    ordered = sorted(expected, key=lambda n: (order.get(n, (1, 0)), n))
    status = RollStatus(stop, bus)
    status.present = [people[n] for n in ordered if n in here_present]
    status.missing = [people[n] for n in ordered if n not in here_present]
    relevant = {n for n in gone if n in aboard}
    status.left = sorted(
        (LeftRider(n, people[n].name, gone[n][2], gone[n][1], gone[n][0]) for n in relevant),
        key=lambda r: (r.at, r.number),
    )
    row = db.execute(
        "SELECT MAX(at) FROM departures WHERE stop = ? AND bus IS ?", [stop.name, bus.name if bus else None]
    ).fetchone()
    status.departed_at = row[0] if row else None
    return status


# ---------------------------------------------------------------- the schedule


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def _minute(when: dt.datetime) -> dt.datetime:
    return when.replace(second=0, microsecond=0)


def _minutes(later: dt.datetime, earlier: dt.datetime) -> int:
    """Whole minutes from `earlier` to `later` as a clock shows them (HH:MM, seconds dropped):
    "planned 13:50, arrived 13:55" is 5 minutes late whatever the seconds were."""
    return round((_minute(later) - _minute(earlier)).total_seconds() / 60)


@dataclass(frozen=True)
class StopRun:
    """One stop, planned and as run: first mark or departure there, last departure."""

    stop: Stop
    arrived: str | None
    departed: str | None

    def late_arriving(self, day: dt.date) -> int | None:
        if not self.arrived:
            return None
        return _minutes(dt.datetime.fromisoformat(self.arrived), _at(day, self.stop.arrive))

    def late_leaving(self, day: dt.date) -> int | None:
        if not self.departed:
            return None
        return _minutes(dt.datetime.fromisoformat(self.departed), _at(day, self.stop.leave))


def stop_runs(db: Database, stops: list[Stop], bus: str | None = None) -> list[StopRun]:
    """Each stop as run by this bus (with the whole stop's records), or by the whole visit."""
    runs = []
    where = "stop = :s AND (:b IS NULL OR bus IS NULL OR bus = :b)"
    for stop in stops:
        first_mark, first_departure, last_departure = db.execute(
            f"SELECT (SELECT MIN(at) FROM roll_marks WHERE {where}), "
            f"(SELECT MIN(at) FROM departures WHERE {where}), (SELECT MAX(at) FROM departures WHERE {where})",
            {"s": stop.name, "b": bus},
        ).fetchone()
        arrived = min((t for t in (first_mark, first_departure) if t), default=None)
        if bus is None and last_departure and _buses_still_there(db, stop.name):
            last_departure = None  # the visit has left a stop when every bus that called there has
        runs.append(StopRun(stop, arrived, last_departure))
    return runs


def _buses_still_there(db: Database, stop: str) -> bool:
    """A bus called its roll at this stop and has not left it (and nobody recorded the whole
    stop's departure)."""
    row = db.execute(
        "SELECT EXISTS (SELECT bus FROM roll_marks WHERE stop = :s AND bus IS NOT NULL "
        "EXCEPT SELECT bus FROM departures WHERE stop = :s) "
        "AND NOT EXISTS (SELECT 1 FROM departures WHERE stop = :s AND bus IS NULL)",
        {"s": stop},
    ).fetchone()
    return bool(row[0])


def run_day(runs: list[StopRun], planned: dt.date) -> dt.date:
    """The day the visit ran: the day of its first record (a rehearsal on another day is
    measured against that day's clock), else the event's date."""
    times = [t for run in runs for t in (run.arrived, run.departed) if t]
    return dt.date.fromisoformat(min(times)[:10]) if times else planned


@dataclass(frozen=True)
class Schedule:
    """Where the visit is: `not_started`, `at_stop`, `on_the_way` or `finished`; minutes behind
    the plan (negative: ahead)."""

    state: str
    current: Stop | None
    next: Stop | None
    behind: int

    def lag_text(self) -> str:
        """ "12 min behind the plan", "5 min ahead of the plan" or "on time"."""
        if self.behind > 0:
            return tr("visit.behind", minutes=self.behind)
        if self.behind < 0:
            return tr("visit.ahead", minutes=-self.behind)
        return tr("visit.on_time")

    def where_text(self) -> str:
        state = "at_last" if self.state == "at_stop" and self.next is None else self.state
        return tr(
            f"visit.state.{state}",
            current=self.current.name if self.current else "",
            next=self.next.name if self.next else "",
            next_at=self.next.arrive if self.next else "",
        )

    def text(self) -> str:
        return f"{self.where_text()} · {self.lag_text()}"

    def to_json(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "current": self.current.name if self.current else None,
            "next": self.next.name if self.next else None,
            "minutes_behind": self.behind,
        }


def schedule(db: Database, event: Event, now: dt.datetime, bus: str | None = None) -> Schedule | None:
    """The current stop, the next, and how far behind (or ahead of) the plan; None without stops."""
    stops = event.stops
    if not stops:
        return None
    runs = stop_runs(db, stops, bus)
    day = run_day(runs, event.date)
    active = [i for i, run in enumerate(runs) if run.arrived or run.departed]
    if not active:
        behind = max(0, _minutes(now, _at(day, stops[0].arrive))) if now.date() == day else 0
        return Schedule("not_started", None, stops[0], behind)
    i = active[-1]
    run = runs[i]
    following = stops[i + 1] if i + 1 < len(stops) else None
    if run.departed is None:
        late = run.late_arriving(day) or 0
        behind = max(late, _minutes(now, _at(day, run.stop.leave)))
        return Schedule("at_stop", run.stop, following, behind)
    late = run.late_leaving(day) or 0
    if following is None:
        return Schedule("finished", run.stop, None, late)
    behind = max(late, _minutes(now, _at(day, following.arrive)))
    return Schedule("on_the_way", run.stop, following, behind)


def visit_schedule(db: Database, now: dt.datetime | None = None) -> str | None:
    """One line for the board: where the visit is against the plan (None without stops)."""
    plan = schedule(db, load_event(db), now or dt.datetime.now())
    return plan.text() if plan else None


# ---------------------------------------------------------------- for the report


@dataclass(frozen=True)
class StopCount:
    stop: Stop
    expected: int
    present: int
    left_here: int


@dataclass
class VisitSummary:
    """Who attended which part of the visit, who left early and why, the schedule as run."""

    counts: list[StopCount] = field(default_factory=list)
    left: list[LeftRider] = field(default_factory=list)
    runs: list[StopRun] = field(default_factory=list)
    forced_departures: list[tuple[str, str | None, int]] = field(default_factory=list)  # stop, bus, missing
    day: dt.date | None = None  # the day the visit ran

    def to_json(self) -> dict[str, Any]:
        day = self.day or dt.date.today()
        return {
            "stops": [
                {"stop": c.stop.name, "expected": c.expected, "present": c.present, "left": c.left_here}
                for c in self.counts
            ],
            "left": [r.to_json() for r in self.left],
            "schedule": [
                {
                    "stop": r.stop.name,
                    "planned_arrival": r.stop.arrive,
                    "arrived": r.arrived[11:16] if r.arrived else None,
                    "planned_departure": r.stop.leave,
                    "departed": r.departed[11:16] if r.departed else None,
                    "late_arriving": r.late_arriving(day),
                    "late_leaving": r.late_leaving(day),
                }
                for r in self.runs
            ],
        }


def visit_summary(db: Database) -> VisitSummary | None:
    """None when the event has no itinerary."""
    event = load_event(db)
    if not event.stops:
        return None
    summary = VisitSummary()
    for stop in event.stops:
        status = roll_status(db, event.stops, stop, None)
        left_here = [r for r in status.left if r.stop == stop.name]
        summary.counts.append(StopCount(stop, status.expected, len(status.present), len(left_here)))
        # who left early: gone at the end of the visit (one who left and came back did not)
        summary.left = sorted(status.left, key=lambda r: (r.at, r.number))
    summary.runs = stop_runs(db, event.stops)
    summary.day = run_day(summary.runs, event.date)
    summary.forced_departures = [
        (str(r[0]), r[1], len(json.loads(r[2])))
        for r in db.execute("SELECT stop, bus, missing FROM departures WHERE anyway = 1 ORDER BY at")
    ]
    return summary
