"""The site visit's plan (行程): stops in order, the buses, and who rides which bus.

Plans in the seeds are rarely one room: "集合地点：…统一乘车", then several sites with planned
minutes each, a forum, the way back. A stop has a name, an address, a planned arrival
(HH:MM on the event's day), a planned stay in minutes and a kind (集合 / 观摩 / 座谈 / 返程).
A bus has a name, its guest seats, a leader and the leader's phone.

Both live in the event file (the event row, as JSON) and so travel to every door pack. Who
rides which bus is the table `bus_riders`: filled by `assign_buses` (by category, by group —
the guest's organisation — or evenly), or by hand with `set_bus`; a bus never gets more
riders than seats. Hand placements are kept when the buses are assigned again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.keys import packed_station
from checkin.phone import parse_phone
from checkin.storage import write_transaction
from checkin.vocab import PersonStatus

# code → Chinese label (the label is what plans and users say)
STOP_KINDS: dict[str, str] = {"assembly": "集合", "visit": "观摩", "forum": "座谈", "return": "返程"}
ASSIGN_MODES = ("category", "group", "even")
LEAVE_REASONS = ("went_home", "unwell", "other")  # why someone left the visit (roll call)
MAX_NAME = 60
MAX_ADDRESS = 200
MAX_STOPS = 30
MAX_BUSES = 30
MAX_SEATS = 200
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class Stop:
    name: str
    arrive: str
    minutes: int
    kind: str = "visit"
    address: str = ""

    @property
    def leave(self) -> str:
        """Planned departure, HH:MM (may pass midnight only in theory: clamped to 23:59)."""
        start = dt.datetime.strptime(self.arrive, "%H:%M")
        end = start + dt.timedelta(minutes=self.minutes)
        return end.strftime("%H:%M") if end.date() == start.date() else "23:59"


@dataclass(frozen=True)
class Bus:
    name: str
    seats: int
    leader: str = ""
    phone: str = ""


def join_names(items: Iterable[str]) -> str:
    """张三、李四 in Chinese, 张三, 李四 in English."""
    return tr("visit.list_sep").join(items)


def _label(what: str) -> str:
    return tr(f"visit.field.{what}")


def _text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise CheckinError("visit.bad_value", field=_label(what), value=str(value)[:40])
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if any(unicodedata.category(ch)[0] == "C" for ch in text):  # the hidden character shown as a code
        shown = "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch)[0] == "C" else ch for ch in text)
        raise CheckinError("visit.bad_value", field=_label(what), value=shown[:60])
    if required and not text:
        raise CheckinError("visit.missing_value", field=_label(what))
    if len(text) > limit:
        raise CheckinError("visit.too_long", field=_label(what), limit=limit)
    return text


def parse_kind(raw: Any) -> str:
    """集合 / 观摩 / 座谈 / 返程, or the codes assembly / visit / forum / return."""
    text = _text(raw, "kind", 20)
    if text.lower() in STOP_KINDS:
        return text.lower()
    for code, label in STOP_KINDS.items():
        if text == label or text == label + "点" or text == label + "交流":
            return code
    raise CheckinError("visit.bad_kind", value=text)


def _time(raw: Any, what: str) -> str:
    if isinstance(raw, dt.time):
        return raw.strftime("%H:%M")
    text = _text(raw, what, 5)
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    if not _TIME.match(text):
        raise CheckinError("event.bad_time", field=_label(what), value=text)
    return text


def _int(raw: Any, what: str, low: int, high: int) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise CheckinError("visit.bad_value", field=_label(what), value=str(raw)[:40])
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise CheckinError("visit.bad_value", field=_label(what), value=str(raw)[:40]) from None
    if not low <= value <= high:
        raise CheckinError("visit.out_of_range", field=_label(what), value=value, low=low, high=high)
    return value


def parse_stop(raw: Mapping[str, Any]) -> Stop:
    if not isinstance(raw, Mapping):
        raise CheckinError("visit.bad_value", field=_label("stops"), value=str(raw)[:40])
    unknown = set(raw) - {"name", "address", "arrive", "minutes", "kind"}
    if unknown:
        raise CheckinError("event.file_unknown_keys", keys=", ".join(sorted(unknown)))
    return Stop(
        name=_text(raw.get("name"), "name", MAX_NAME),
        address=_text(raw.get("address"), "address", MAX_ADDRESS, required=False),
        arrive=_time(raw.get("arrive"), "arrive"),
        minutes=_int(raw.get("minutes", 0), "minutes", 0, 24 * 60),
        kind=parse_kind(raw.get("kind", "visit")),
    )


def parse_bus(raw: Mapping[str, Any]) -> Bus:
    if not isinstance(raw, Mapping):
        raise CheckinError("visit.bad_value", field=_label("buses"), value=str(raw)[:40])
    unknown = set(raw) - {"name", "seats", "leader", "phone"}
    if unknown:
        raise CheckinError("event.file_unknown_keys", keys=", ".join(sorted(unknown)))
    phone = raw.get("phone")
    return Bus(
        name=_text(raw.get("name"), "name", MAX_NAME),
        seats=_int(raw.get("seats"), "seats", 1, MAX_SEATS),
        leader=_text(raw.get("leader"), "leader", MAX_NAME, required=False),
        phone=parse_phone(str(phone)) if phone not in (None, "") else "",
    )


def validate_plan(stops: list[Stop], buses: list[Bus]) -> None:
    """Unique names, stops in time order, within the limits."""
    if len(stops) > MAX_STOPS:
        raise CheckinError("visit.too_many", field=_label("stops"), limit=MAX_STOPS)
    if len(buses) > MAX_BUSES:
        raise CheckinError("visit.too_many", field=_label("buses"), limit=MAX_BUSES)
    for items, what in ((stops, "stops"), (buses, "buses")):
        names = [i.name for i in items]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise CheckinError("visit.duplicate", field=_label(what), name=join_names(duplicates))
    for before, after in itertools.pairwise(stops):
        if after.arrive < before.arrive:
            raise CheckinError("visit.stops_out_of_order", first=before.name, second=after.name)


def plan_from_raw(raw_stops: Any, raw_buses: Any) -> tuple[list[Stop], list[Bus]]:
    """The `[[event.stops]]` and `[[event.buses]]` arrays of an event file, checked."""
    for value, what in ((raw_stops, "stops"), (raw_buses, "buses")):
        if not isinstance(value, list):
            raise CheckinError("visit.bad_value", field=_label(what), value=str(value)[:40])
    stops = [parse_stop(s) for s in raw_stops]
    buses = [parse_bus(b) for b in raw_buses]
    validate_plan(stops, buses)
    return stops, buses


def agenda_from_raw(raw: list[Any]) -> list[tuple[str, int]]:
    """The `[[event.agenda]]` items (item, minutes), checked: an item without its words or its
    minutes, or minutes in words, ended `init` and `itinerary load` in a traceback."""
    items = []
    for n, entry in enumerate(raw, start=1):
        item = entry.get("item") if isinstance(entry, Mapping) else None
        minutes = entry.get("minutes") if isinstance(entry, Mapping) else None
        if isinstance(minutes, str) and minutes.strip().isascii() and minutes.strip().isdigit():
            minutes = int(minutes)
        if (
            not isinstance(item, str)
            or not item.strip()
            or len(item) > MAX_ADDRESS
            or isinstance(minutes, bool)
            or not isinstance(minutes, int)
            or not 0 <= minutes <= 24 * 60
        ):
            raise CheckinError("visit.agenda_bad_item", n=n)
        items.append((unicodedata.normalize("NFKC", item).strip(), minutes))
    return items


def stops_json(stops: Iterable[Stop]) -> str:
    return json.dumps([asdict(s) for s in stops], ensure_ascii=False)


def buses_json(buses: Iterable[Bus]) -> str:
    return json.dumps([asdict(b) for b in buses], ensure_ascii=False)


def stops_from_json(text: str | None) -> list[Stop]:
    return [Stop(**s) for s in json.loads(text or "[]")]


def buses_from_json(text: str | None) -> list[Bus]:
    return [Bus(**b) for b in json.loads(text or "[]")]


def load_plan(db: Database) -> tuple[list[Stop], list[Bus]]:
    """The stops and buses of the event in this file (empty lists when there is no plan)."""
    row = db.execute("SELECT stops, buses FROM event").fetchone()
    if row is None:
        raise CheckinError("event.none")
    return stops_from_json(row[0]), buses_from_json(row[1])


def find_stop(stops: list[Stop], name: str) -> Stop:
    wanted = unicodedata.normalize("NFKC", name).strip()
    for stop in stops:
        if stop.name == wanted:
            return stop
    if not stops:
        raise CheckinError("visit.no_stops")
    raise CheckinError("visit.unknown_stop", name=wanted, known=join_names(s.name for s in stops))


def find_bus(buses: list[Bus], name: str) -> Bus:
    wanted = unicodedata.normalize("NFKC", name).strip()
    for bus in buses:
        if bus.name == wanted:
            return bus
    if not buses:
        raise CheckinError("visit.no_buses")
    raise CheckinError("visit.unknown_bus", name=wanted, known=join_names(b.name for b in buses))


def require_office_plan(db: Database) -> None:
    """The plan and the seating are changed in the office's file only: a door pack carries them
    to the bus, but nothing changed there travels back (its bundle holds roll calls, not seats)."""
    station = packed_station(db)
    if station is not None:
        raise CheckinError("visit.office_only", station=station)


def set_plan(db: Database, stops: list[Stop], buses: list[Bus]) -> int:
    """Replace the event's itinerary (office only). Riders of a bus that no longer exists,
    or beyond a bus's new seat count, lose their place and must be assigned again: returns
    how many did."""
    validate_plan(stops, buses)
    require_office_plan(db)
    if not stops and not buses:  # a file without the itinerary: it would drop every seat
        raise CheckinError("visit.plan_empty")
    with write_transaction(db):
        _keep_what_was_called(db, stops, buses)
        _keep_what_packs_carry(db, stops, buses)
        _free_seats_of_the_uninvited(db)
        seated = int(db.execute("SELECT COUNT(*) FROM bus_riders").fetchone()[0])
        db.execute("UPDATE event SET stops = ?, buses = ?", [stops_json(stops), buses_json(buses)])
        names = [b.name for b in buses]
        db.execute(
            f"DELETE FROM bus_riders WHERE bus NOT IN ({', '.join('?' for _ in names)})",  # placeholders only
            names,
        )
        for bus in buses:
            db.execute(
                "DELETE FROM bus_riders WHERE bus = ? AND number NOT IN (SELECT number FROM bus_riders "
                "WHERE bus = ? ORDER BY how = 'hand' DESC, rowid LIMIT ?)",
                [bus.name, bus.name, bus.seats],
            )
        return seated - int(db.execute("SELECT COUNT(*) FROM bus_riders").fetchone()[0])


def _keep_what_was_called(db: Database, stops: list[Stop], buses: list[Bus]) -> None:
    """A stop or a bus with roll-call records stays in the plan under its name: dropped or
    renamed, its marks would fall out of the roll and the report, and every bus laptop's bundle
    that has them would be refused at merge."""
    for table, what, names in (
        ("roll_marks", "stop", {s.name for s in stops}),
        ("departures", "stop", {s.name for s in stops}),
        ("roll_marks", "bus", {b.name for b in buses}),
        ("departures", "bus", {b.name for b in buses}),
    ):
        query = f"SELECT DISTINCT {what} FROM {table} WHERE {what} IS NOT NULL"  # names from the code only
        used = [str(r[0]) for r in db.execute(query)]
        gone = sorted(name for name in used if name not in names)
        if gone:
            raise CheckinError(f"visit.called_{what}_dropped", names=join_names(gone))


def packs_out(db: Database) -> list[str]:
    """The stations whose door packs are out (made at this office, not revoked)."""
    query = "SELECT DISTINCT station FROM station_keys WHERE revoked_at IS NULL ORDER BY station"
    return [str(r[0]) for r in db.execute(query)]


def _keep_what_packs_carry(db: Database, stops: list[Stop], buses: list[Bus]) -> None:
    """While a door pack is out (made, not revoked), the stops and buses it carries keep their
    names: a bus laptop's bundle records them, and the merge refuses a bundle whole when one is
    no longer in the plan — every roll call of that bus would be lost. Times, addresses, seats
    and new stops or buses are fine."""
    stations = packs_out(db)
    if not stations:
        return
    old_stops, old_buses = load_plan(db)
    gone = [s.name for s in old_stops if s.name not in {n.name for n in stops}]
    gone += [b.name for b in old_buses if b.name not in {n.name for n in buses}]
    if gone:
        raise CheckinError("visit.plan_packed", names=join_names(gone), stations=join_names(stations))


# ---------------------------------------------------------------- who rides which bus


@dataclass
class Assignment:
    mode: str
    riders: dict[str, list[str]]  # bus → person numbers, in seat order
    kept: int = 0  # hand placements left as they were
    split: list[str] = field(default_factory=list)  # groups that had to be split

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "buses": {bus: len(numbers) for bus, numbers in self.riders.items()},
            "riders": self.riders,
            "kept_by_hand": self.kept,
            "split_groups": self.split,
        }


def _guests(db: Database) -> list[tuple[str, str, str]]:
    """Invited guests (number, category, group) in list order. The group is the group
    application (G-number) they came with, else their organisation, else nobody."""
    return [
        (str(r[0]), str(r[1]), str(r[2] or r[3] or ""))
        for r in db.execute(
            "SELECT number, category, group_number, NULLIF(TRIM(organization), '') FROM people "
            "WHERE status = 'invited' ORDER BY queue_pos IS NULL, queue_pos, seq"
        )
    ]


def assign_buses(db: Database, mode: str) -> Assignment:
    """Seat every invited guest on a bus, by category, group or evenly.

    People of one category (or one group: a group application, else one organisation) ride
    together where a bus has room for all of them; larger groups are placed first; a group
    too big for any bus is split over the buses with the most free seats, and named in the
    result. Hand placements stay. More guests than seats: refused, nothing changed.
    """
    if mode not in ASSIGN_MODES:
        raise CheckinError("visit.bad_mode", value=mode)
    require_office_plan(db)
    _, buses = load_plan(db)
    if not buses:
        raise CheckinError("visit.no_buses")
    with write_transaction(db):
        _free_seats_of_the_uninvited(db)
        db.execute("DELETE FROM bus_riders WHERE how <> 'hand'")
        kept = {
            str(r[0]): str(r[1]) for r in db.execute("SELECT number, bus FROM bus_riders WHERE how = 'hand'")
        }
        guests = [g for g in _guests(db) if g[0] not in kept]
        free = {b.name: b.seats - sum(1 for v in kept.values() if v == b.name) for b in buses}
        seats = sum(max(n, 0) for n in free.values())
        if len(guests) > seats:
            total = sum(b.seats for b in buses)
            raise CheckinError("visit.not_enough_seats", guests=len(guests) + len(kept), seats=total)
        placed: dict[str, list[str]] = {b.name: [] for b in buses}
        split: list[str] = []
        order = [b.name for b in buses]
        if mode == "even":
            for number, _, _ in guests:
                # the bus least full for its size, first in the plan's order on a tie
                bus = min(
                    (name for name in order if free[name] > 0),
                    key=lambda name: (
                        (len(placed[name]) + _kept_on(kept, name)) / _seats(buses, name),
                        order.index(name),
                    ),
                )
                placed[bus].append(number)
                free[bus] -= 1
        else:
            groups: dict[str, list[str]] = {}
            for number, category, group in guests:
                key = category if mode == "category" else (group or f"\x00{number}")
                groups.setdefault(key, []).append(number)
            # biggest groups first, each on the bus with the most room; ties in list order
            # (dicts keep insertion order and the sort is stable). A group no bus can take whole
            # waits until the others are seated, then fills the emptiest buses in turn.
            too_big: list[tuple[str, list[str]]] = []
            for key, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
                fits = [name for name in order if free[name] >= len(members)]
                if not fits:
                    too_big.append((key, members))
                    continue
                bus = max(fits, key=lambda name: (free[name], -order.index(name)))
                placed[bus].extend(members)
                free[bus] -= len(members)
            for key, members in too_big:
                split.append(key if not key.startswith("\x00") else members[0])
                rest = list(members)
                while rest:
                    bus = max((n for n in order if free[n] > 0), key=lambda n: (free[n], -order.index(n)))
                    take, rest = rest[: free[bus]], rest[free[bus] :]
                    placed[bus].extend(take)
                    free[bus] -= len(take)
        now = dt.datetime.now().isoformat(timespec="seconds")
        db.conn.executemany(
            "INSERT INTO bus_riders (number, bus, how, assigned_at) VALUES (?, ?, ?, ?)",
            [(number, bus, mode, now) for bus, numbers in placed.items() for number in numbers],
        )
    riders = {b.name: [n for n, v in kept.items() if v == b.name] + placed[b.name] for b in buses}
    return Assignment(mode, riders, kept=len(kept), split=split)


def _free_seats_of_the_uninvited(db: Database) -> None:
    """A guest who declined (or was taken off the list) after being seated gives the seat up,
    hand placements too: seats are counted for invited guests only."""
    db.execute(
        "DELETE FROM bus_riders WHERE number NOT IN (SELECT number FROM people WHERE status = 'invited')"
    )


def _kept_on(kept: Mapping[str, str], bus: str) -> int:
    return sum(1 for v in kept.values() if v == bus)


def _seats(buses: list[Bus], name: str) -> int:
    return next(b.seats for b in buses if b.name == name)


def set_bus(db: Database, number: str, bus_name: str | None) -> str | None:
    """Put one guest on a bus by hand (kept by later automatic assignments); None takes them off.

    Returns the bus they were on before."""
    number = unicodedata.normalize("NFKC", number).strip().upper()
    require_office_plan(db)
    _, buses = load_plan(db)
    with write_transaction(db):
        row = db.execute("SELECT status FROM people WHERE number = ?", [number]).fetchone()
        if row is None:
            raise CheckinError("people.unknown_number", number=number)
        if row[0] != PersonStatus.INVITED:
            raise CheckinError("visit.not_invited", number=number)
        _free_seats_of_the_uninvited(db)
        before = db.execute("SELECT bus FROM bus_riders WHERE number = ?", [number]).fetchone()
        if bus_name is None:
            db.execute("DELETE FROM bus_riders WHERE number = ?", [number])
            return str(before[0]) if before else None
        bus = find_bus(buses, bus_name)
        taken = db.execute(
            "SELECT COUNT(*) FROM bus_riders WHERE bus = ? AND number <> ?", [bus.name, number]
        ).fetchone()[0]
        if int(taken) >= bus.seats:
            raise CheckinError("visit.bus_full", bus=bus.name, seats=bus.seats)
        db.execute(
            "INSERT INTO bus_riders (number, bus, how, assigned_at) VALUES (?, ?, 'hand', ?) "
            "ON CONFLICT (number) DO UPDATE SET bus = excluded.bus, how = 'hand', "
            "assigned_at = excluded.assigned_at",
            [number, bus.name, dt.datetime.now().isoformat(timespec="seconds")],
        )
    return str(before[0]) if before else None


@dataclass(frozen=True)
class BusLoad:
    bus: Bus
    riders: list[tuple[str, str]]  # number, name

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.bus.name,
            "seats": self.bus.seats,
            "leader": self.bus.leader,
            "phone": self.bus.phone,
            "riders": [{"number": n, "name": name} for n, name in self.riders],
        }


def bus_loads(db: Database) -> tuple[list[BusLoad], list[tuple[str, str]]]:
    """Each bus with its riders, and the invited guests not yet on any bus."""
    _, buses = load_plan(db)
    loads = [
        BusLoad(
            bus,
            [
                (str(r[0]), str(r[1]))
                for r in db.execute(
                    "SELECT p.number, p.name FROM bus_riders r JOIN people p ON p.number = r.number "
                    "WHERE r.bus = ? AND p.status = 'invited' "
                    "ORDER BY p.queue_pos IS NULL, p.queue_pos, p.seq",
                    [bus.name],
                )
            ],
        )
        for bus in buses
    ]
    unseated = [
        (str(r[0]), str(r[1]))
        for r in db.execute(
            "SELECT number, name FROM people WHERE status = 'invited' AND number NOT IN "
            "(SELECT number FROM bus_riders) ORDER BY queue_pos IS NULL, queue_pos, seq"
        )
    ]
    return loads, unseated
