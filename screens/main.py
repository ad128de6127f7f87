"""The `checkin` entry point: the core CLI plus the commands that open the app."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from checkin import cli_main
from checkin.cli_registry import OPERATOR, PASS, Registry, opt
from checkin.errors import CheckinError
from checkin.i18n import tr
from screens.modes import SCREEN_IDS

if TYPE_CHECKING:
    from checkin.door import Door
    from checkin.doorstart import FirstLook
    from screens.scanner import ScannerSettings


APP_COMMANDS = ("run", "demo")  # need none of the core commands: started without building them
app_commands = Registry()  # the commands that open the app, each declared on its handler
SCANNER = (
    opt("--scan-gap-ms", type=float, metavar="MS", help="cli.run.scan_gap"),
    opt("--scan-min-length", type=int, metavar="N", help="cli.run.scan_min_length"),
)


@app_commands.command(
    "demo",
    "cli.demo.help",
    opt("--db", default="demo.db", metavar="PATH", help="cli.demo.db"),
    opt("--no-app", action="store_true", help="cli.demo.no_app"),
    opt("--fresh", action="store_true", help="cli.demo.fresh"),
    *SCANNER,
)
def cmd_demo(args: argparse.Namespace) -> int:
    """Opens the existing demo event (its printed invitations keep working); `--fresh`
    rebuilds it, with new keys, and says so."""
    from pathlib import Path

    from checkin.demo import build_demo
    from checkin.event import load_event
    from checkin.storage import open_db

    path = Path(args.db)
    if path.exists() and not args.fresh:
        with open_db(path) as db:  # a file that is not an event is refused here, never overwritten
            load_event(db)
        print(tr("cli.demo.reopened", path=args.db))
    else:
        rebuilt = path.exists()
        db, imported, selection = build_demo(args.db)  # refused (in use, not the demo): nothing said deleted
        from checkin.itinerary import load_plan

        stops, buses = load_plan(db)
        db.close()
        if rebuilt:
            print(tr("cli.demo.rebuilding", path=args.db))
        print(
            tr(
                "cli.demo.built",
                path=args.db,
                imported=imported.imported,
                invited=len(selection.invited),
                waiting=len(selection.waiting),
            )
        )
        print(tr("cli.demo.visit", stops=len(stops), buses=len(buses)))  # issue 19: F1 calls the roll
    if args.no_app:
        return 0
    return _run_app(
        args.db,
        station=tr("app.demo_station"),
        operator=tr("app.demo_operator"),
        scanner=_scanner_settings(args),
    )


def _scanner_settings(args: argparse.Namespace) -> ScannerSettings:
    from screens.scanner import ScannerSettings

    return ScannerSettings.from_ms(args.scan_gap_ms, args.scan_min_length)


@app_commands.action(
    "survey", opt("--db", metavar="PATH", help="cli.opt.db"), PASS, OPERATOR
)  # `checkin survey` alone: the keying screen (its sub-commands are the core's)
def cmd_survey_screen(args: argparse.Namespace) -> int:
    """`checkin survey --db PATH [--pass 2]`: the keying screen for the office laptop."""
    from checkin.storage import open_db

    if not args.db:
        raise CheckinError("cli.db_required")
    with open_db(args.db):
        pass  # a clear error before the screen opens
    operator = None if args.operator == "office" else args.operator
    return _run_app(args.db, station="office", operator=operator, start="survey", survey_pass=args.pass_no)


@app_commands.command(
    "run",
    "cli.run.help",
    opt("--db", required=True, metavar="PATH", help="cli.opt.db"),
    opt("--station", metavar="NAME", help="cli.scan.station"),
    opt("--operator", metavar="NAME", help="cli.run.operator"),
    opt("--screen", choices=SCREEN_IDS, labels="screen", default="scan", help="cli.run.screen"),
    opt("--stop", metavar="NAME", help="cli.visit.stop"),
    opt("--bus", metavar="NAME", help="cli.visit.bus"),
    *SCANNER,
)
def cmd_run(args: argparse.Namespace) -> int:
    # the collector is off from here, while the first look is read and Textual is imported,
    # until the screen's first frame (see _run_app)
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    if args.screen == "scan" and args.station and args.operator and not (args.stop or args.bus):
        from checkin.doorstart import first_look

        # a quick start at the door: the status line read with SQLite alone, the screen up,
        # the door opened in full just after its first paint (scans meanwhile wait in line)
        look = first_look(args.db, args.station, args.operator)
        if look is not None:
            return _run_app(args.db, station=args.station.strip(), operator=args.operator,
                            scanner=_scanner_settings(args), first_look=look)  # fmt: skip
    from checkin.county import is_county_file
    from checkin.door import Door
    from checkin.storage import open_db

    if is_county_file(args.db):  # the county office's file opens the county screen (issue 20)
        from checkin.county import county_db
        from screens.county import CountyApp

        with county_db(args.db):
            pass  # a clear error before the screen opens
        gc.enable()  # the county's app leaves the collector as it is
        CountyApp(args.db).run()
        return 0
    if not args.station:
        raise CheckinError("county.run_needs_station")
    db = open_db(args.db, shared=True)  # a clear error before the screen opens
    try:
        door = Door(db, args.station, args.operator or "-")  # the event and its check profile must load
        if args.screen == "rollcall" or args.stop or args.bus:
            from checkin.rollcall import RollCall

            roll = RollCall(db, args.station, args.operator or "-")  # the stop and bus must exist
            if args.stop:
                roll.stop(args.stop)
            roll.bus(args.bus)
    except BaseException:
        db.close()
        raise
    # the scan screen takes this door as it is (no second opening of the file, the event
    # shown at once); with no operator named yet, the screen opens its own once they are
    handed = door if args.screen == "scan" and args.operator else None
    if handed is None:
        db.close()
    return _run_app(
        args.db,
        station=door.station,  # on a door pack, the pack's own (told on screen if another was given)
        operator=args.operator,
        start=args.screen,
        stop=args.stop,
        bus=args.bus,
        scanner=_scanner_settings(args),
        door=handed,
        notice=door.station_note,
    )


def _run_app(
    db_path: str,
    *,
    station: str,
    operator: str | None,
    start: str = "scan",
    survey_pass: int = 1,
    stop: str | None = None,
    bus: str | None = None,
    scanner: ScannerSettings | None = None,
    door: Door | None = None,
    notice: str | None = None,
    first_look: FirstLook | None = None,
) -> int:
    # No collections of Python's cycle collector while the screen starts (Textual's start
    # makes and keeps a great many objects: the collector walked them all, 15–22 ms of CPU
    # before the first frame); the app sets its start-up objects aside and turns it back on
    # once the first frame is shown (CheckinApp.settle_heap).
    gc.disable()
    try:
        from screens.app import make_app

        app = make_app(db_path, station=station, operator=operator, start=start, survey_pass=survey_pass,
                       stop=stop, bus=bus, scanner=scanner, door=door, notice=notice,
                       first_look=first_look, settle_heap=True)  # fmt: skip
        try:
            app.run()
        finally:
            app.release_door()
    finally:
        gc.enable()
    return app.return_code or 0  # 2: the door opened after the first paint refused the file


def add_app_commands(sub: argparse._SubParsersAction[Any]) -> None:
    app_commands.build(sub)


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main.main(argv, extensions=[add_app_commands], extension_commands=APP_COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
