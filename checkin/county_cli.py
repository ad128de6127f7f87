"""Command line for the county office (`checkin county …`) and the unit's side of it
(`checkin plan export`, `checkin event announced|posted`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checkin.cli import _json, _out  # one way to the terminal: control characters escaped
from checkin.cli_registry import DB, JSON, Registry, opt
from checkin.errors import CheckinError
from checkin.i18n import tr

if TYPE_CHECKING:
    from checkin.county import UnitImport
    from checkin.county_results import ResultsIntake
    from checkin.plans import PlanIntake


def _date(value: str | None) -> dt.date:
    from checkin.event import parse_date

    return parse_date(value) if value else dt.date.today()


def _year(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CheckinError("county.bad_year", value=value[:20]) from None


def given_files(names: list[str], suffixes: tuple[str, ...]) -> list[str | Path]:
    """The files named: a folder gives its files of these kinds, and a pattern (备案-*.toml) is
    expanded here — the Windows command prompt hands it over as typed. A name that matches
    nothing stays, to be refused as missing."""
    import glob

    out: list[str | Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            found = [str(p) for p in sorted(path.iterdir()) if p.is_file() and p.suffix.lower() in suffixes]
            if not found:
                raise CheckinError("county.folder_empty", path=name, kinds=" ".join(suffixes))
            out.extend(found)
        elif not path.exists() and any(c in name for c in "*?["):
            out.extend(sorted(glob.glob(name)) or [name])
        else:
            out.append(name)
    return list(dict.fromkeys(out))


# ---------------------------------------------------------------- the unit's side


county_cli = Registry()  # plan, county: each command declared on its handler
event_cli = Registry()  # event announced, event posted (built into the core's `event`)
COUNTY_DB = opt("--db", required=True, metavar="county.db", help="cli.county.db")
AS_OF = opt("--as-of", metavar="YYYY-MM-DD", help="cli.county.as_of")
county_cli.group("plan", "cli.plan.help")


@county_cli.command(
    "plan export",
    "cli.plan.export",
    DB,
    opt("--out", required=True, metavar="备案-单位.toml", help="cli.plan.out"),
    opt("--unit", metavar="NAME", help="cli.plan.unit"),
)
def cmd_plan_export(args: argparse.Namespace) -> int:
    from checkin.plans import export_plan, plan_toml
    from checkin.storage import open_db

    with open_db(args.db) as db:
        _, unit = plan_toml(db, args.unit)
        path = export_plan(db, args.out, args.unit)
    _out(tr("county.plan.exported", unit=unit, path=path))
    return 0


def cmd_event_publicity(args: argparse.Namespace) -> int:
    from checkin.event import parse_date
    from checkin.plans import record_publicity
    from checkin.storage import open_db

    kind = "posted" if args.event_command == "posted" else "announced"
    with open_db(args.db) as db:
        record_publicity(db, kind, parse_date(args.on), args.url)
    _out(tr(f"county.plan.{kind}", on=args.on, url=args.url or "—"))
    return 0


# ---------------------------------------------------------------- the county office


for _kind in ("announced", "posted"):
    event_cli.command(
        _kind,
        f"cli.county.event_{_kind}",
        DB,
        opt("--on", required=True, metavar="YYYY-MM-DD", help="cli.county.event_on"),
        opt("--url", required=_kind == "posted", metavar="URL", help="cli.county.event_url"),
    )(cmd_event_publicity)

county_cli.group("county", "cli.county.help")


@county_cli.command(
    "county init",
    "cli.county.init",
    COUNTY_DB,
    opt("--year", required=True, metavar="YYYY", help="cli.county.year"),
    opt("--units", required=True, metavar="单位.xlsx", help="cli.county.units"),
    opt("--rules", metavar="rules.toml", help="cli.county.rules"),
    opt("--name", metavar="NAME", help="cli.county.name"),
    opt("--office", metavar="NAME", help="cli.county.office"),
)
def cmd_county_init(args: argparse.Namespace) -> int:
    from checkin.county import init_county

    rules, imported = init_county(
        args.db, _year(args.year), args.units, rules_file=args.rules, name=args.name, office=args.office
    )
    _out(tr("county.initialised", year=rules.year, units=len(imported.units), path=args.db))
    if imported.header_line > 1:
        _out(tr("county.units_header_line", line=imported.header_line))
    _say_unit_lines(imported)
    return 0


def _say_unit_lines(imported: UnitImport) -> None:
    """The lines of a units list that were warned about or left out (county init, county units)."""
    for line, text in imported.warnings:
        _out(tr("county.unit_warning", line=line, text=text))
    for line, reason in imported.rejected:
        _out(tr("county.unit_rejected", line=line, reason=reason))


@county_cli.command(
    "county units",
    "cli.county.units_cmd",
    COUNTY_DB,
    opt("--units", required=True, metavar="单位.xlsx", help="cli.county.units"),
)
def cmd_county_units(args: argparse.Namespace) -> int:
    from checkin.county import county_db, update_units

    with county_db(args.db) as db:
        done = update_units(db, args.units)
    sep = tr("labels.list_sep")
    _out(
        tr("county.units_updated", added=len(done.added), updated=len(done.updated), unchanged=done.unchanged)
    )
    if done.added:
        _out("  " + tr("county.units_added", names=sep.join(done.added)))
    if done.updated:
        _out("  " + tr("county.units_changed", names=sep.join(done.updated)))
    for new, old in done.same:
        _out("  " + tr("county.units_same", new=new, old=old))
    if done.kept:
        _out("  " + tr("county.units_kept", names=sep.join(done.kept)))
    if done.removed:
        _out("  " + tr("county.units_removed", names=sep.join(done.removed)))
    _say_unit_lines(done.imported)
    return 0


Intake = Any  # a PlanIntake or a ResultsIntake: file, unit, event_id, outcome, spelt


def _say_intakes(
    intakes: Sequence[PlanIntake] | Sequence[ResultsIntake],
    as_json: bool,
    headline: Callable[[Intake], str],
    spelt_key: Callable[[Intake], str],
    breaches: Callable[[Intake], list[str]],
) -> int:
    """What `county plans` and `county results` say of each file taken: the outcome, how the
    file spells the unit, and its breaches in words (or that it is in order); or the JSON."""
    if as_json:
        keys = ("file", "unit", "event_id", "outcome", "spelt")
        _json([{**{k: getattr(i, k) for k in keys}, "breaches": breaches(i)} for i in intakes])
        return 0
    for i in intakes:
        _out(headline(i))
        if i.spelt:
            _out("  " + tr(spelt_key(i), spelt=i.spelt, unit=i.unit))
        texts = breaches(i)
        for text in texts:
            _out("  " + tr("county.breach_line", unit=i.unit, text=text))
        if not texts:
            _out("  " + tr("county.plan_ok", unit=i.unit))
    return 0


def cmd_county_plans(args: argparse.Namespace) -> int:
    from checkin.county import county_db
    from checkin.plans import format_params, take_plans

    with county_db(args.db) as db:
        intakes = take_plans(db, given_files(args.files, (".toml",)), _date(args.received))
    return _say_intakes(
        intakes,
        args.json,
        lambda i: tr(f"county.plan_{i.outcome}", unit=i.unit, file=i.file),
        lambda i: "county.unit_spelt_as",
        lambda i: [tr(k, **format_params(p)) for k, p in i.breaches],
    )


def cmd_county_results(args: argparse.Namespace) -> int:
    from checkin.county import county_db
    from checkin.county_results import take_results

    with county_db(args.db) as db:
        intakes = take_results(db, given_files(args.files, (".sqlite", ".db")), _date(args.received))
    from checkin.county_status import build_status

    with county_db(args.db) as db:
        status = {u.unit.name: u for u in build_status(db, _date(args.received)).units}

    def results_breaches(intake: Intake) -> list[str]:
        line = status[intake.unit]
        pairs = zip(line.breaches, line.breach_texts(), strict=True)
        return [text for (stage, _, _), text in pairs if stage == "results"]

    return _say_intakes(
        intakes,
        args.json,
        lambda i: tr(f"county.results_{i.outcome}", unit=i.unit, file=i.file),
        lambda i: "county.results_spelt" if i.by_plan else "county.unit_spelt_as",
        results_breaches,
    )


for _name, _handler in (("plans", cmd_county_plans), ("results", cmd_county_results)):
    county_cli.command(
        f"county {_name}",
        f"cli.county.{_name}",
        COUNTY_DB,
        opt("files", nargs="+", metavar="FILE", help=f"cli.county.{_name}_files"),
        opt("--received", metavar="YYYY-MM-DD", help="cli.county.received"),
        JSON,
    )(_handler)


@county_cli.command(
    "county holidays",
    "cli.county.holidays",
    COUNTY_DB,
    opt("file", metavar="FILE.toml", help="cli.holidays.file"),
)
def cmd_county_holidays(args: argparse.Namespace) -> int:
    from checkin.county import county_db
    from checkin.workdays import load_holiday_file

    with county_db(args.db) as db:
        year = load_holiday_file(db, args.file)
    _out(tr("workdays.loaded", year=year))
    return 0


@county_cli.command("county status", "cli.county.status", COUNTY_DB, AS_OF, JSON)
def cmd_county_status(args: argparse.Namespace) -> int:
    from checkin.county import county_db
    from checkin.county_status import build_status

    with county_db(args.db) as db:
        status = build_status(db, _date(args.as_of))
    if status.calendar_missing:
        print(tr("workdays.fallback", years=", ".join(map(str, status.calendar_missing))), file=sys.stderr)
    if args.json:
        _json(status.to_json())
        return 0
    from checkin.county_report import county_table

    table = county_table(status)
    _out(table.title)
    _out(tr("county.note_as_of", as_of=status.as_of.isoformat()))
    for line in status.units:
        cells = dict(zip(table.header, _row_for(table, line.unit.name), strict=True))
        head = "  ".join(f"{k} {v}" for k, v in list(cells.items())[1:-1])
        _out(tr("county.status_line", unit=line.unit.name, cells=head))
        if line.results:
            _out("  " + tr("county.by_category", text=line.by_category_text() or "—"))
        for text in line.breach_texts():
            _out("  ! " + text)
    totals = "  ".join(f"{k} {v}" for k, v in list(zip(table.header, table.totals, strict=True))[1:])
    _out(tr("county.status_line", unit=table.totals[0], cells=totals))
    if table.missing:
        _out(tr("county.status_missing"))
        for row in table.missing:
            _out("  " + "  ".join(row))
    return 0


def _row_for(table: Any, unit: str) -> list[str]:
    return next(r for r in table.rows if r[0] == unit)


@county_cli.command(
    "county report",
    "cli.county.report",
    COUNTY_DB,
    opt("--out", required=True, metavar="FILE.docx|FILE.xlsx", help="cli.county.out"),
    AS_OF,
)
def cmd_county_report(args: argparse.Namespace) -> int:
    from checkin.county import county_db
    from checkin.county_report import write_county_report
    from checkin.county_status import build_status

    with county_db(args.db) as db:
        status = build_status(db, _date(args.as_of))
    path = write_county_report(status, args.out)
    _out(tr("county.report_done", path=path))
    return 0


@county_cli.command(
    "county rules",
    "cli.county.rules_cmd",
    # not dest "db": a command whose --db is not given is refused before it runs
    opt("--db", dest="county_file", metavar="county.db", help="cli.county.rules_db"),
    opt("--year", metavar="YYYY", help="cli.county.rules_year"),
    opt("--out", metavar="rules.toml", help="cli.county.rules_out"),
)
def cmd_county_rules(args: argparse.Namespace) -> int:
    """The year's rules in force (from the county file), or the seed defaults for a year as a
    commented file to edit and give to `county init --rules`."""
    from checkin.county import county_db, rules_of, rules_template

    if (args.county_file is None) == (args.year is None):
        raise CheckinError("county.rules_which")
    if args.county_file:
        with county_db(args.county_file) as db:
            text = rules_of(db).to_toml()
    else:
        text = rules_template(_year(args.year))
    if not args.out:
        _out(text.rstrip("\n"))
        return 0
    path = Path(args.out)
    if path.exists():
        raise CheckinError("county.rules_out_exists", path=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _out(tr("county.rules_written", path=path))
    return 0


@county_cli.command(
    "county datasette",
    "cli.county.datasette",
    COUNTY_DB,
    opt("--out", required=True, metavar="county-metadata.json", help="cli.county.datasette_out"),
    AS_OF,
)
def cmd_county_datasette(args: argparse.Namespace) -> int:
    from checkin.county import county_db, datasette_metadata
    from checkin.plans import refresh_breaches
    from checkin.storage import write_transaction

    with county_db(args.db) as db, write_transaction(db):  # a county file, not an event file
        refresh_breaches(db, _date(args.as_of))  # 问题清单 and 状态 as of that day, in today's words
    path = datasette_metadata(args.db, args.out)
    _out(tr("county.datasette_done", path=path))
    _out(f"  datasette {_quoted(args.db)} --metadata {_quoted(str(path))}")
    return 0


def _quoted(text: str) -> str:
    return f'"{text}"' if any(c in text for c in " '&;()") else text


# ---------------------------------------------------------------- parsers


def add_event_commands(event_sub: argparse._SubParsersAction[Any]) -> None:
    event_cli.build(event_sub)


def add_county_commands(sub: argparse._SubParsersAction[Any]) -> None:
    county_cli.build(sub)
