"""Commands of the site visit: `itinerary`, `buses` and `rollcall` (added to `checkin`)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from checkin.categories import category_label
from checkin.cli_registry import DB, JSON, Registry, opt
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.itinerary import (
    ASSIGN_MODES,
    LEAVE_REASONS,
    assign_buses,
    bus_loads,
    join_names,
    load_plan,
    packs_out,
    set_bus,
    set_plan,
)
from checkin.storage import open_db
from checkin.textcheck import terminal_safe


def _out(text: str = "") -> None:
    print(text)


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- itinerary


visit_cli = Registry()  # itinerary, buses, rollcall: each command declared on its handler
visit_cli.group("itinerary", "cli.visit.itinerary")


@visit_cli.command("itinerary show", "cli.visit.itinerary_show", DB, JSON)
def cmd_itinerary_show(args: argparse.Namespace) -> int:
    from checkin.event import load_event
    from checkin.rollcall import schedule

    with open_db(args.db) as db:
        event = load_event(db)
        loads, unseated = bus_loads(db)
        now = schedule(db, event, dt.datetime.now())
    if args.json:
        _json(
            {
                "stops": [
                    {"name": s.name, "address": s.address, "arrive": s.arrive, "minutes": s.minutes,
                     "kind": s.kind, "leave": s.leave}
                    for s in event.stops
                ],
                "buses": [load.to_json() for load in loads],
                "unseated": [{"number": n, "name": name} for n, name in unseated],
                "schedule": now.to_json() if now else None,
            }
        )  # fmt: skip
        return 0
    if not event.stops and not event.buses:
        _out(tr("visit.no_stops"))
        return 0
    _out(tr("visit.itinerary_title"))
    for stop in event.stops:
        kind = tr(f"visit.kind.{stop.kind}")
        _out("  " + tr("visit.stop_line", arrive=stop.arrive, name=stop.name, kind=kind,
                       minutes=stop.minutes, address=stop.address).rstrip())  # fmt: skip
    _out(tr("visit.buses_title"))
    for load in loads:
        bus = load.bus
        _out("  " + tr("visit.bus_line", name=bus.name, seats=bus.seats, riders=len(load.riders),
                       leader=bus.leader or "—", phone=bus.phone).rstrip())  # fmt: skip
    if unseated and event.buses:
        _out(tr("visit.unseated", n=len(unseated)))
    if now:
        _out(now.text())
    return 0


@visit_cli.command(
    "itinerary load",
    "cli.visit.itinerary_load",
    DB,
    opt("--from", dest="from_file", required=True, metavar="EVENT.toml", help="cli.init.from"),
)
def cmd_itinerary_load(args: argparse.Namespace) -> int:
    from checkin.event import event_from_toml

    event, _ = event_from_toml(args.from_file)
    with open_db(args.db) as db:
        unseated = set_plan(db, event.stops, event.buses)  # the office's file only
    _out(tr("visit.plan_loaded", stops=len(event.stops), buses=len(event.buses)))
    if unseated:  # a bus dropped or its seats cut: they must be seated again
        _out(tr("visit.plan_unseated", n=unseated))
    return 0


# ---------------------------------------------------------------- buses


visit_cli.group("buses", "cli.visit.buses")


def _seating_stays_behind(db: Any) -> None:
    """The seating changed at the office: packs already made still carry the old one."""
    stations = packs_out(db)
    if stations:
        print(terminal_safe(tr("visit.seating_not_in_packs", stations=join_names(stations))), file=sys.stderr)


@visit_cli.command(
    "buses assign",
    "cli.visit.assign",
    DB,
    opt("--by", required=True, choices=ASSIGN_MODES, labels="assign_mode", help="cli.visit.by"),
    JSON,
)
def cmd_buses_assign(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        result = assign_buses(db, args.by)
        _seating_stays_behind(db)
    if args.json:
        _json(result.to_json())
        return 0
    counts = join_names(f"{bus} {len(numbers)}" for bus, numbers in result.riders.items())
    _out(tr("visit.assigned", mode=tr(f"visit.mode.{args.by}"), counts=counts))
    if result.kept:
        _out(tr("visit.assigned_kept", n=result.kept))
    if result.split:
        labels = []
        for key in result.split:
            labels.append(category_label(key) if args.by == "category" else key)
        _out(tr("visit.split_group", groups=join_names(labels)))
    return 0


@visit_cli.command(
    "buses set",
    "cli.visit.set",
    DB,
    opt("number", metavar="NUMBER", help="cli.confirm.number"),
    opt("bus", nargs="?", metavar="BUS", help="cli.visit.bus"),
    opt("--none", action="store_true", help="cli.visit.none"),
)
def cmd_buses_set(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        bus = None if args.none else args.bus
        if bus is None and not args.none:
            raise CheckinError("visit.cli.no_bus_given")
        set_bus(db, args.number, bus)
        _seating_stays_behind(db)
    number = args.number.strip().upper()
    _out(tr("visit.set_bus", number=number, bus=bus) if bus else tr("visit.unset_bus", number=number))
    return 0


@visit_cli.command("buses list", "cli.visit.list", DB, JSON)
def cmd_buses_list(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        _, buses = load_plan(db)
        loads, unseated = bus_loads(db)
    if args.json:
        _json({"buses": [load.to_json() for load in loads],
               "unseated": [{"number": n, "name": name} for n, name in unseated]})  # fmt: skip
        return 0
    if not buses:
        raise CheckinError("visit.no_buses")
    for load in loads:
        bus = load.bus
        _out(tr("visit.bus_line", name=bus.name, seats=bus.seats, riders=len(load.riders),
                leader=bus.leader or "—", phone=bus.phone).rstrip())  # fmt: skip
        for number, name in load.riders:
            _out(f"  {number}\t{name}")
    if unseated:
        _out(tr("visit.unseated", n=len(unseated)))
        for number, name in unseated:
            _out(f"  {number}\t{name}")
    return 0


# ---------------------------------------------------------------- roll call


def _print_status(status: Any) -> None:
    from checkin.rollcall import RollStatus

    assert isinstance(status, RollStatus)
    bus = status.bus.name if status.bus else tr("visit.whole_stop")
    _out(tr("visit.cli.status_line", stop=status.stop.name, bus=bus, expected=status.expected,
            present=len(status.present), missing=len(status.missing)))  # fmt: skip
    _out(status.departure_text())
    for rider in status.missing:
        _out(f"  {rider.number}\t{rider.name}\t{rider.phone or ''}".rstrip())
    for left in status.left:
        _out(tr("visit.cli.left_line", number=left.number, name=left.name,
                reason=tr(f"visit.reason.{left.reason}"), stop=left.stop))  # fmt: skip


@visit_cli.command(
    "rollcall",
    "cli.visit.rollcall",
    opt("words", nargs="+", metavar="TEXT|status|depart", help="cli.visit.text"),
    DB,
    opt("--stop", required=True, metavar="NAME", help="cli.visit.stop"),
    opt("--bus", metavar="NAME", help="cli.visit.bus"),
    opt("--left", choices=LEAVE_REASONS, labels="leave_reason", help="cli.visit.left"),
    opt("--anyway", action="store_true", help="cli.visit.anyway"),
    opt("--station", metavar="NAME", help="cli.scan.station"),
    opt("--operator", default="cli", metavar="NAME", help="cli.scan.operator"),
    JSON,
    description="cli.visit.rollcall_long",
)
def cmd_rollcall(args: argparse.Namespace) -> int:
    from checkin.rollcall import RollCall

    words = [w for w in args.words if w.strip()]
    if not words:
        raise CheckinError("visit.not_recognised")
    with open_db(args.db) as db:
        station = args.station or _station_name(db)
        roll = RollCall(db, station, args.operator)
        if roll.station_note:
            print(terminal_safe(roll.station_note), file=sys.stderr)
        if words == ["status"]:
            status = roll.status(args.stop, args.bus)
            if args.json:
                _json(status.to_json())
            else:
                _print_status(status)
            return 0
        if words == ["depart"]:
            departure = roll.depart(args.stop, args.bus, anyway=args.anyway)
            if args.json:
                _json({**departure.status.to_json(), "departed": departure.recorded,
                       "anyway": departure.anyway, "at": departure.at})  # fmt: skip
                return 0 if departure.recorded else 1
            _out(departure.status.departure_text())
            if not departure.recorded:
                _out(tr("visit.not_departed"))
                return 1
            bus = departure.status.bus.name if departure.status.bus else tr("visit.whole_stop")
            _out(
                tr("visit.departed", stop=departure.status.stop.name, bus=bus, at=(departure.at or "")[11:16])
            )
            if departure.anyway:
                _out(tr("visit.left_anyway", n=len(departure.status.missing)))
            return 0
        text = " ".join(words)
        if args.left:
            number, _ = roll.identify(text)
            result = roll.leave(args.stop, args.bus, number, args.left, method="cli")
        else:
            number, method = roll.identify(text)
            result = roll.mark_present(
                args.stop, args.bus, number, method="cli" if method == "lookup" else method
            )
        status = roll.status(args.stop, args.bus)
    if args.json:
        _json({"outcome": result.outcome, "number": result.rider.number, "name": result.rider.name,
               "assigned_bus": result.rider.bus, "status": status.to_json()})  # fmt: skip
        return 0
    _out(result.text())
    _out(status.departure_text())
    return 0


def _station_name(db: Any) -> str:
    from checkin.keys import packed_station

    return packed_station(db) or "cli"


# ---------------------------------------------------------------- parser


def add_visit_commands(sub: argparse._SubParsersAction[Any]) -> None:
    visit_cli.build(sub)
