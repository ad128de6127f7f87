"""The `checkin` command line: every core action, scriptable, in Chinese and English.

Commands that open the terminal app (`demo`, `run`) are added by `screens.main`, so this
module, like all of `checkin/`, never imports Textual.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from checkin.categories import category_label
from checkin.cli_main import (  # noqa: F401 - the front door (light) lives there; reachable here as before
    Extension,
    _command_word,
    _Parser,
    _split_language,
    _split_passphrase,
    _usage_words,
    build_parser,
    main,
)
from checkin.cli_registry import DB, JSON, OPERATOR, PASS, Registry, opt
from checkin.errors import CheckinError
from checkin.event import (
    CHECK_PROFILES,
    TICKETS,
    Event,
    create_event,
    event_from_toml,
    load_event,
    parse_date,
    parse_share,
)
from checkin.i18n import listing, tr
from checkin.people import list_people
from checkin.selection import CONFIRM_STATUSES, SelectionResult, confirm, select
from checkin.storage import open_db
from checkin.textcheck import terminal_safe
from checkin.vocab import Outcome, PersonStatus, Reason, Source, SuggestionStatus, codes


def _warn_if_not_simplified(font: str | None) -> None:
    """A font the user chose (--font, CHECKIN_FONT) whose face is not Simplified Chinese prints,
    but some characters come out in another region's forms: say so."""
    import os

    chosen = font or os.environ.get("CHECKIN_FONT")
    if not chosen:
        return  # the program's own choice is always the Simplified Chinese face when there is one
    from checkin.fonts import find_cjk_font, is_simplified

    choice = find_cjk_font(chosen)
    if not is_simplified(choice):
        print(tr("cli_i18.font_not_sc", font=choice.family or choice.path), file=sys.stderr)


def _out(text: str = "") -> None:
    # names and typed text never reach the terminal as control sequences (ESC, OSC 52 …)
    print(terminal_safe(text))


def _json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


cli = Registry()  # every command below is registered on its handler, in the order of --help


# ---------------------------------------------------------------- init / event


@cli.command(
    "init",
    "cli.init.help",
    DB,
    opt("--from", dest="from_file", metavar="EVENT.toml", help="cli.init.from"),
    opt("--title", help="cli.init.title"),
    opt("--date", metavar="YYYY-MM-DD", help="cli.init.date"),
    opt("--starts", metavar="HH:MM", help="cli.init.starts"),
    opt("--ends", metavar="HH:MM", help="cli.init.ends"),
    opt("--location", help="cli.init.location"),
    opt("--meeting-point", help="cli.init.meeting_point"),
    opt("--capacity", type=int, metavar="N", help="cli.init.capacity"),
    opt("--min-age", type=int, metavar="N", help="cli.init.min_age"),
    opt("--min-citizen-share", metavar="1/3", help="cli.init.share"),
    opt(
        "--checks",
        choices=CHECK_PROFILES,
        labels="check_profile",
        or_else="FILE.toml",
        help="cli.init.checks",
    ),
    opt("--ticket", choices=TICKETS, labels="ticket", help="cli.init.ticket"),
    opt("--supervisor-pin", metavar="PIN", help="cli.init.pin"),
    opt("--survey-template", metavar="NAME|FILE", help="cli.init.survey_template"),
    opt("--double-entry", action="store_true", default=None, help="cli.init.double_entry"),
)
def cmd_init(args: argparse.Namespace) -> int:
    pin = args.supervisor_pin
    if args.from_file:
        event, file_pin = event_from_toml(args.from_file)
        pin = pin or file_pin
    else:
        if not args.title or not args.date:
            raise CheckinError("cli.init_needs_title_date")
        event = Event(title=args.title, date=parse_date(args.date))
    overridable = ("starts", "ends", "location", "meeting_point", "capacity", "min_age", "checks", "ticket")
    for name in (*overridable, "survey_template", "double_entry"):
        value = getattr(args, name)
        if value is not None:
            setattr(event, name, value)
    if args.min_citizen_share is not None:
        event.min_citizen_share = parse_share(args.min_citizen_share)
    event.validate()
    with open_db(args.db, create=True) as db:
        create_event(db, event, supervisor_pin=pin)
        from checkin.report import inner_quotes

        # the message puts the title in quotes: its own are the inner ones (“‘走进税务’开放日”), never
        # “"走进税务"开放日” or “”走进税务”开放日”
        _out(tr("init.done", title=inner_quotes(event.title), date=event.date.isoformat(), path=args.db))
        return 0


cli.group("event", "cli.event.help")


@cli.command("event show", "cli.event.show", DB, JSON)
def cmd_event_show(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        event = load_event(db)
        if args.json:
            _json(event.public_dict())
            return 0
        rows = [
            (tr("event.f.title"), event.title),
            (tr("event.f.theme"), event.theme or ""),
            (tr("event.f.organizer"), event.organizer or ""),
            (tr("event.f.date"), event.date.isoformat()),
            (tr("event.f.time"), "–".join(t for t in (event.starts, event.ends) if t)),
            (tr("event.f.arrive_by"), event.arrive_by or ""),
            (tr("event.f.location"), event.location or ""),
            (tr("event.f.meeting_point"), event.meeting_point or ""),
            (tr("event.f.places"), listing(event.places)),
            (tr("event.f.capacity"), str(event.capacity)),
            (tr("event.f.min_age"), str(event.min_age)),
            (
                tr("event.f.checks"),
                tr(f"checks.{event.checks}") if event.checks in CHECK_PROFILES else event.checks,
            ),
            (tr("event.f.ticket"), tr(f"ticket.{event.ticket}")),
            (tr("event.f.share"), str(event.min_citizen_share)),
            (
                tr("event.f.outside"),
                tr("labels.list_sep").join(category_label(c) for c in event.outside_capacity),
            ),
            *_before_event_rows(event),
        ]
        for item in event.agenda:
            rows.append((tr("event.f.agenda"), tr("event.agenda_item", item=item.item, minutes=item.minutes)))
        rows += _deadline_rows(db)
        for label, value in rows:
            if value:
                _out(tr("cli_i18.field", label=label, value=value))  # 日期：… (a full-width colon in Chinese)
        return 0


def fallback_note(years: list[int]) -> str:
    """The warning for due dates counted without a year's holiday arrangements (in words)."""
    from checkin.workdays import fallback_note as note

    return note(years)


def _deadline_rows(db: Any) -> list[tuple[str, str]]:
    """The due dates after the event, with the warning when a year's holidays are not known."""
    from checkin.workdays import deadlines

    event = load_event(db)
    due = deadlines(db)
    rule = tr(f"report.due_kind_{event.report_due_kind}", days=event.report_due_days)
    if due.missing_years:
        print(fallback_note(due.missing_years), file=sys.stderr)
    return [
        (tr("report.f_report_due"), tr("report.due_with_rule", due=_day(due.report), rule=rule)),
        (tr("report.f_website_due"), _day(due.website)),
        (tr("report.f_followup_due"), _day(due.followup)),
    ]


def _before_event_rows(event: Event) -> list[tuple[str, str]]:
    """Issue 17: the event's own categories, places per category and review."""
    from checkin.selection import group_label

    own = [c for c in event.category_list() if not c.builtin]
    sep = tr("labels.list_sep")
    quotas = tr("quota.item_sep").join(
        tr("quota.item", group=group_label(codes), places=places) for _, codes, places in event.quota_groups()
    )
    if quotas:
        quotas = tr("quota.with_policy", quotas=quotas, policy=tr(f"event.unfilled.{event.unfilled}"))
    review = tr("event.review_on", days=event.review_working_days) if event.review else ""
    return [
        (tr("event.f.own_categories"), sep.join(c.label() for c in own)),
        (tr("event.f.quotas"), quotas),
        (tr("event.f.review"), review),
        (tr("event.f.signup_excluded"), sep.join(category_label(c) for c in event.signup_excluded)),
    ]


cli.hook("event", lambda sub: _county_cli().add_event_commands(sub))  # announced, posted


@cli.command(
    "event set",
    "cli.event.set",
    DB,
    opt("--ticket", choices=TICKETS, labels="ticket", help="cli.init.ticket"),
    opt("--organizer", metavar="UNIT", help="cli_i18.organizer_help"),
)
def cmd_event_set(args: argparse.Namespace) -> int:
    """`checkin event set --ticket id-card`: what opens the door, changed before the doors open;
    `--organizer 示范县税务局`: the unit the report is from (its title and signature)."""
    from checkin.event import set_ticket

    if args.ticket is None and args.organizer is None:
        raise CheckinError("cli.event_set_nothing")
    with open_db(args.db) as db:
        if args.ticket is not None:
            set_ticket(db, args.ticket)
            _out(tr("event.ticket_set", ticket=tr(f"ticket.{args.ticket}")))
        if args.organizer is not None:
            from checkin.event import set_organizer

            unit = set_organizer(db, args.organizer)
            _out(tr("cli_i18.organizer_set", unit=unit))
    return 0


# ---------------------------------------------------------------- import


@cli.command(
    "import",
    "cli.import.help",
    opt("file", metavar="FILE|FOLDER", help="cli.import.file"),
    DB,
    opt("--direct", action="store_true", help="cli.import.direct"),
    opt("--sheet", metavar="NAME", help="cli.import.sheet"),
    JSON,
)
def cmd_import(args: argparse.Namespace) -> int:
    from checkin.importer import import_file

    with open_db(args.db) as db:
        result = import_file(db, args.file, direct=args.direct, sheet=args.sheet)
    if args.json:
        _json(result.to_json())
        return 0
    for report in result.files:
        _out(report.status_line())
        for sheet in report.sheets:
            _out("  " + sheet.describe())
        # one line each: a line break in a cell quoted back is shown as \n, so a crafted cell
        # cannot add lines of its own to the report ("第 48 行：已导入")
        for warning in report.warnings:
            _out("  " + warning.replace("\n", "\\n"))
        for rejection in report.rejected:
            _out(tr("import.rejected_line", reason=rejection.reason.replace("\n", "\\n")))
    if len(result.files) > 1:
        _out(
            tr(
                "import.total",
                imported=result.imported,
                unchanged=result.unchanged,
                rejected=len(result.rejected),
            )
        )
    return 0


@cli.command(
    "signup-form",
    "cli.signup_form.help",
    DB,
    opt("--out", required=True, metavar="报名表.docx|报名表.xlsx", help="cli.signup_form.out"),
    opt("--send-to", metavar="EMAIL", help="cli.signup_form.send_to"),
)
def cmd_signup_form(args: argparse.Namespace) -> int:
    from checkin.signup_form import write_signup_form

    with open_db(args.db) as db:
        path = write_signup_form(db, args.out, send_to=args.send_to)
    _out(tr("signup_form.written", path=str(path)))
    return 0


# ---------------------------------------------------------------- selection


def _print_selection(result: SelectionResult) -> None:
    share = result.citizen_share
    _out(
        tr(
            "select.summary",
            invited=len(result.invited),
            waiting=len(result.waiting),
            counted=result.counted,
            capacity=result.capacity,
            share=f"{float(share):.0%}" if share is not None else "—",
            min_share=f"{float(result.min_share):.0%}",
        )
    )
    for line in result.quotas:
        _out(
            tr(
                "select.quota_line",
                group=line.label,
                filled=line.filled,
                places=line.places,
                extra=line.extra,
                applied=line.applied,
            )
        )
    for number, (organization, invited, waiting) in result.groups.items():
        _out(
            tr(
                "select.group_line",
                group=number,
                organization=organization,
                invited=tr("labels.list_sep").join(invited) or "—",
                waiting=tr("labels.list_sep").join(waiting) or "—",
            )
        )
    for message in result.messages():
        _out(message)


@cli.command("select", "cli.select.help", DB, JSON)
def cmd_select(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        result = select(db)
        if args.json:
            _json(result.to_json())
        else:
            _print_selection(result)
        return 0


@cli.command(
    "confirm",
    "cli.confirm.help",
    opt("number", metavar="NUMBER", help="cli.confirm.number"),
    opt(
        "--status", required=True, choices=CONFIRM_STATUSES, labels="confirmation", help="cli.confirm.status"
    ),
    DB,
    JSON,
)
def cmd_confirm(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        result = confirm(db, args.number, args.status)
        if args.json:
            _json(
                {
                    "number": result.number,
                    "status": result.status,
                    "moved_up": result.moved_up,
                }
            )
            return 0
        _out(tr("confirm.done", number=result.number, status=tr(f"confirmation.{result.status}")))
        if result.moved_up:
            _out(tr("confirm.moved_up", number=result.moved_up))
        elif result.no_replacement:
            _out(tr("confirm.no_replacement"))
        return 0


@cli.command(
    "people",
    "cli.people.help",
    DB,
    opt("--status", choices=codes(PersonStatus), labels="status", help="cli.people.status"),
    JSON,
)
def cmd_people(args: argparse.Namespace) -> int:
    from checkin.review import display_status

    with open_db(args.db) as db:
        people = list_people(db, args.status)
        if args.json:
            _json(
                [
                    {
                        "number": p.number,
                        "name": p.name,
                        "category": p.category,
                        "status": p.status,
                        "confirmation": p.confirmation,
                        "id_masked": p.id_masked,
                        "queue_pos": p.queue_pos,
                        "review": p.review,
                        "group": p.group_number,
                    }
                    for p in people
                ]
            )
            return 0
        for p in people:
            _out(
                f"{p.number}\t{p.name}\t{category_label(p.category)}\t{display_status(p.status, p.review)}"
                f"\t{tr('confirmation.' + p.confirmation) if p.confirmation else ''}\t{p.id_masked}"
            )
        return 0


# ---------------------------------------------------------------- invitations and keys


class ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        import time

        self.label = label
        self.clock = time.monotonic
        self.started = self.clock()
        self.last = 0.0
        self.live = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if not self.live or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        width = 30
        filled = int(width * done / max(total, 1))
        bar = "█" * filled + "░" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r{self.label} {bar} {done}/{total}", end=end, file=sys.stderr, flush=True)


@cli.group(
    "invites",
    "cli.invites.help",
    opt("--db", metavar="PATH", help="cli.opt.db"),
    opt("--out", metavar="DIR", help="cli.invites.out"),
    opt("--only", nargs="+", metavar="NUMBER", help="cli.invites.only"),
    opt("--per-page", type=int, choices=(1, 4), default=1, help="cli.invites.per_page"),
    opt("--font", metavar="PATH", help="cli.invites.font"),
)
def cmd_invites(args: argparse.Namespace) -> int:
    from checkin.invitations import render_invitations

    if not args.out:
        raise CheckinError("cli.invites_needs_out")
    _warn_if_not_simplified(args.font)
    with open_db(args.db) as db:
        run = render_invitations(
            db,
            args.out,
            only=args.only,
            per_page=args.per_page,
            font=args.font,
            progress=ProgressBar(tr("invites.progress")),
        )
        _out(tr("invites.done", count=run.count, pdf=run.pdf, csv=run.tokens_csv, qr=run.qr_dir))
        _out(tr("invites.font", path=f"{run.font} ({run.font_face})" if run.font_face else run.font))
        return 0


@cli.command(
    "invites reissue",
    "cli.invites.reissue",
    opt("number", metavar="NUMBER", help="cli.confirm.number"),
    DB,
    JSON,
)
def cmd_invites_reissue(args: argparse.Namespace) -> int:
    from checkin.keys import reissue

    with open_db(args.db) as db:
        issued = reissue(db, args.number.strip().upper())
        if args.json:
            _json({"number": issued.number, "counter": issued.counter, "token": issued.token})
        else:
            _out(tr("invites.reissued", number=issued.number, counter=issued.counter))
            _out(issued.token)
        return 0


cli.group("keys", "cli.keys.help")


@cli.command("keys rotate", "cli.keys.rotate", DB)
def cmd_keys_rotate(args: argparse.Namespace) -> int:
    from checkin.keys import create_signing_key

    with open_db(args.db) as db:
        key_id = create_signing_key(db)
        _out(tr("keys.rotated", key_id=f"{key_id:04X}"))
        return 0


@cli.command("keys revoke", "cli.keys14.revoke", opt("key_id", metavar="KEYID", help="cli.keys14.key_id"), DB)
def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from checkin.keys import revoke_key

    with open_db(args.db) as db:
        new = revoke_key(db, args.key_id)
    _out(tr("keys14.revoked", key_id=args.key_id.upper()))
    if new is not None:
        _out(tr("keys14.new_key", key_id=f"{new:04X}", db=args.db))
    return 0


@cli.command("keys list", "cli.keys.list", DB, JSON)
def cmd_keys_list(args: argparse.Namespace) -> int:
    with open_db(args.db) as db:
        from checkin.keys import signing_keys

        rows = signing_keys(db)
        if args.json:
            _json([{**r, "key_id": f"{r['key_id']:04X}", "can_sign": bool(r["can_sign"])} for r in rows])
            return 0
        for r in rows:
            state = (
                tr("keys14.state_revoked")
                if r["revoked_at"]
                else (tr("keys.retired") if r["retired_at"] else tr("keys.current"))
            )
            _out(f"{r['key_id']:04X}\t{r['created_at']}\t{state}")
        return 0


cli.group("station", "cli.station.help")


@cli.command(
    "station pack",
    "cli.station.pack",
    DB,
    opt("--station", required=True, metavar="NAME", help="cli.station.name"),
    opt("--out", required=True, metavar="FILE", help="cli.station.out"),
    opt("--with-waiting", action="store_true", help="cli.station14.with_waiting"),
    JSON,
)
def cmd_station_pack(args: argparse.Namespace) -> int:
    from checkin.pack import station_pack

    out = station_pack(args.db, args.station, args.out, with_waiting=args.with_waiting)
    if args.json:
        _json({"station": args.station, "path": str(out), "passphrase": out.passphrase})
        return 0
    _out(tr("pack.done", station=args.station, path=out))
    _out(tr("packseal.passphrase", passphrase=out.passphrase))
    return 0


@cli.command(
    "station revoke", "cli.station14.revoke", opt("name", metavar="NAME", help="cli.station.name"), DB
)
def cmd_station_revoke(args: argparse.Namespace) -> int:
    from checkin.pack import revoke_station

    with open_db(args.db) as db:
        revoke_station(db, args.name)
    _out(tr("sync14.station_revoked", station=args.name))
    return 0


@cli.command(
    "station export",
    "cli.station.export",
    DB,
    opt("--out", required=True, metavar="results-STATION.sqlite", help="cli.station.export_out"),
)
def cmd_station_export(args: argparse.Namespace) -> int:
    from checkin.sync import export_bundle

    out = export_bundle(args.db, args.out)
    _out(tr("sync.exported", path=out))
    return 0


@cli.command(
    "merge", "cli.merge.help", DB, opt("bundles", nargs="+", metavar="BUNDLE", help="cli.merge.bundles"), JSON
)
def cmd_merge(args: argparse.Namespace) -> int:
    from checkin.sync import merge_bundles

    reports = merge_bundles(args.db, args.bundles)
    if args.json:
        _json([r.to_json() for r in reports])
        return 0
    for r in reports:
        added = sum(r.added.values())
        already = sum(r.already.values())
        _out(
            tr(
                "sync.merged",
                station=r.station,
                added=added,
                already=already,
                conflicts=len(r.conflicts),
                doubles=len(r.double_checkins),
            )
        )
        for double in r.double_checkins:
            _out(
                tr(
                    "sync.double",
                    number=double["number"],
                    kept=double["kept"]["station"],
                    also=double["also"]["station"],
                )
            )
        for flagged in r.revoked_admissions:
            at = str(flagged["at"])[:19].replace("T", " ")
            if flagged.get("key"):
                revoked_at = str(flagged["revoked_at"])[:19].replace("T", " ")
                _out(
                    tr(
                        "sync14.revoked_key_admission",
                        number=flagged["number"],
                        at=at,
                        key_id=flagged["key"],
                        revoked_at=revoked_at,
                    )
                )
            else:
                _out(tr("sync14.revoked_admission", number=flagged["number"], at=at))
        for conflict in r.conflicts:
            _out(
                tr(
                    "sync.conflict",
                    form=conflict["form"],
                    pass_no=conflict["pass"],
                    station=conflict["station"],
                )
            )
    return 0


# ---------------------------------------------------------------- the door


@cli.command(
    "scan",
    "cli.scan.help",
    opt("text", metavar="TEXT", help="cli.scan.text"),
    DB,
    opt("--station", metavar="S", help="cli.scan.station"),
    opt("--operator", default="cli", metavar="O", help="cli.scan.operator"),
    opt("--check", action="append", metavar="NAME=VALUE", help="cli.scan.check"),
    JSON,
)
def cmd_scan(args: argparse.Namespace) -> int:
    from checkin.door import Door
    from checkin.labels import CheckLabels

    with open_db(args.db) as db:
        # the station's name is shown and exported: by default a word, not "cli"
        door = Door(db, args.station or tr("cli_i18.station"), args.operator)
        if door.station_note:
            print(terminal_safe(door.station_note), file=sys.stderr)
        answers: dict[str, str] = {}
        words = CheckLabels.for_event(db)  # 本人身份证=已核验 as well as id_card=seen
        for item in args.check or []:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CheckinError("checks.bad_argument", value=item)
            typed = name.strip()
            name = words.check_code(typed) or typed
            if not door.profile.has(name):  # told with the name as typed, never a code
                raise CheckinError("checks.unknown", name=typed)
            answers[name] = words.value_code(name, value)
        verdict = door.scan(args.text, answers)
        if args.json:
            _json(verdict.to_json())
        else:
            who = f"{verdict.invitee.number} {verdict.invitee.name}" if verdict.invitee else ""
            _out(f"{tr('verdict.' + verdict.verdict)} {who}".strip())
            if verdict.reason_text() and verdict.reason != Reason.ALREADY:
                _out(verdict.reason_text() or "")
            if verdict.first_seen:
                _out(
                    tr(
                        "door.first_seen",
                        at=verdict.first_seen.at[:19].replace("T", " "),
                        station=verdict.first_seen.station,
                    )
                )
            if verdict.checks_due:
                _out(tr("door.checks_due", checks=verdict.checks_due_text()))
        return 0 if verdict.admitted else 1


# ---------------------------------------------------------------- survey forms


@cli.command(
    "forms",
    "cli.forms.help",
    DB,
    opt("--out", required=True, metavar="FILE.pdf", help="cli.forms.out"),
    opt("--count", required=True, type=int, metavar="N", help="cli.forms.count"),
    opt("--font", metavar="PATH", help="cli.invites.font"),
)
def cmd_forms(args: argparse.Namespace) -> int:
    from checkin.forms_pdf import render_forms

    _warn_if_not_simplified(args.font)
    with open_db(args.db) as db:
        path, numbers = render_forms(
            db, args.out, args.count, font=args.font, progress=ProgressBar(tr("forms.progress"))
        )
        from checkin.survey import format_form

        _out(
            tr(
                "forms.done",
                count=len(numbers),
                first=format_form(numbers[0]),
                last=format_form(numbers[-1]),
                path=path,
            )
        )
        return 0


cli.group("survey", "cli.survey.help")  # alone, it opens the keying screen (screens/main.py)


@cli.command(
    "survey add",
    "cli.survey.add",
    DB,
    opt("--form", required=True, metavar="NUMBER", help="cli.survey.form"),
    opt("--answers", required=True, metavar="1,1,2,1,0", help="cli.survey.answers"),
    opt("--text", metavar="TEXT", help="cli.survey.text"),
    PASS,
    OPERATOR,
)
def cmd_survey_add(args: argparse.Namespace) -> int:
    from checkin.survey import add_entry, event_template, format_form, parse_answers, parse_form

    with open_db(args.db) as db:
        form = parse_form(args.form)
        answers = parse_answers(event_template(db), args.answers)
        add_entry(db, form, answers, args.text or "", pass_no=args.pass_no, operator=args.operator)
        _out(tr("survey.saved", form=format_form(form), pass_no=args.pass_no))
        return 0


@cli.command("survey summary", "cli.survey.summary", DB, JSON)
def cmd_survey_summary(args: argparse.Namespace) -> int:
    from checkin.labels import mismatch_counts
    from checkin.survey import event_template, summarise

    with open_db(args.db) as db:
        summary = summarise(db)
        if args.json:
            _json(summary.to_json())
            return 0

        def pct(value: float | None) -> str:
            return f"{value:.1%}" if value is not None else "—"

        _out(
            tr(
                "survey.summary_head",
                counted=summary.forms_counted,
                keyed=summary.forms_keyed,
                attended=summary.attended,
                rate=pct(summary.return_rate),
            )
        )
        if summary.forms_excess:
            _out(tr("report.forms_excess_note", excess=summary.forms_excess, attended=summary.attended))
        for item in summary.items:
            mean = tr("cli_i18.item_mean", mean=f"{item.mean:.2f}") if item.mean is not None else ""
            _out(
                tr(
                    "cli_i18.item_line",
                    label=item.label,
                    rate=pct(item.satisfaction_rate),
                    satisfied=item.satisfied,
                    valid=item.valid,
                    blanks=item.blanks,
                    mean=mean,
                )
            )
        _out(tr("survey.overall", rate=pct(summary.overall_rate), method=summary.overall_method))
        if summary.mismatches_per_item:
            counts = mismatch_counts(event_template(db), summary.mismatches_per_item)
            _out(tr("survey.mismatch_counts", counts=counts))
        if summary.forms_in_conflict:
            _out(tr("survey14.conflicts_note", count=summary.forms_in_conflict))
        return 0


@cli.command("survey mismatches", "cli.survey.mismatches", DB, JSON)
def cmd_survey_mismatches(args: argparse.Namespace) -> int:
    from checkin.labels import survey_words
    from checkin.survey import event_template, format_form, mismatches

    with open_db(args.db) as db:
        found = mismatches(db)
        if args.json:
            _json(
                [
                    {
                        "form": format_form(m.form),
                        "item": m.item,
                        "first": m.first,
                        "second": m.second,
                        "resolved": m.resolved,
                    }
                    for m in found
                ]
            )
            return 0
        template = event_template(db)
        for m in found:
            label, first, second = survey_words(template, m.item, m.first, m.second)
            if m.resolved is not None:
                state = tr("survey.resolved_as", value=survey_words(template, m.item, m.resolved)[1])
            else:
                state = tr("survey.open")
            _out(f"{format_form(m.form)}\t{label}\t{first} ≠ {second}\t{state}")
        return 0


@cli.command(
    "survey resolve",
    "cli.survey.resolve",
    DB,
    opt("--form", required=True, metavar="NUMBER", help="cli.survey.form"),
    opt("--item", required=True, metavar="ITEM", help="cli.survey.item"),
    opt(
        "--use", required=True, choices=("first", "second", "new"), labels="survey_use", help="cli.survey.use"
    ),
    opt("--value", metavar="VALUE", help="cli.survey.value"),
    OPERATOR,
)
def cmd_survey_resolve(args: argparse.Namespace) -> int:
    from checkin.labels import survey_item, survey_words
    from checkin.survey import event_template, format_form, parse_form, resolve

    with open_db(args.db) as db:
        form = parse_form(args.form)
        template = event_template(db)
        item = survey_item(template, args.item)
        value = resolve(db, form, item, args.use, args.value, operator=args.operator)
        label, word = survey_words(template, item, value)
        _out(tr("survey.resolved", form=format_form(form), item=label, value=word))
        return 0


@cli.command("survey conflicts", "cli.survey14.conflicts", DB, JSON)
def cmd_survey_conflicts(args: argparse.Namespace) -> int:
    from checkin.labels import survey_words
    from checkin.survey import TEXT_ITEM, event_template, format_form
    from checkin.survey_conflicts import survey_conflicts

    with open_db(args.db) as db:
        found = survey_conflicts(db)
        if args.json:
            _json([c.to_json() for c in found])
            return 0
        if not found:
            _out(tr("survey14.no_conflicts"))
            return 0
        template = event_template(db)
        for conflict in found:
            _out(tr("survey14.conflict_head", form=format_form(conflict.form), pass_no=conflict.pass_no))
            for entry in conflict.entries:
                words = [
                    f"{survey_words(template, item.name)[0]} {survey_words(template, item.name, value)[1]}"
                    for item, value in zip(template.items, entry.answers, strict=False)
                ]
                if entry.text:
                    words.append(f"{survey_words(template, TEXT_ITEM)[0]} “{entry.text}”")
                _out(
                    tr(
                        "survey14.conflict_entry",
                        entry=entry.entry,
                        station=entry.station,
                        operator=entry.operator,
                        at=entry.at[:19].replace("T", " "),
                        answers=tr("labels.list_sep").join(words),
                    )
                )
        _out(tr("survey14.conflicts_hint"))
        return 0


@cli.command(
    "survey keep",
    "cli.survey14.keep",
    DB,
    opt("--form", required=True, metavar="NUMBER", help="cli.survey.form"),
    opt("--entry", required=True, metavar="N|STATION", help="cli.survey14.entry"),
    opt("--pass", dest="pass_no", type=int, choices=(1, 2), help="cli.survey.pass"),
    opt("--operator", required=True, metavar="NAME", help="cli.survey14.operator"),
)
def cmd_survey_keep(args: argparse.Namespace) -> int:
    from checkin.survey import format_form, parse_form
    from checkin.survey_conflicts import keep_entry

    with open_db(args.db) as db:
        form = parse_form(args.form)
        kept = keep_entry(db, form, args.entry, operator=args.operator, pass_no=args.pass_no)
        _out(tr("survey14.kept", form=format_form(form), entry=kept.entry, station=kept.station))
        return 0


# ---------------------------------------------------------------- after the event


def _today(value: str | None) -> Any:
    import datetime as dt

    return parse_date(value) if value else dt.date.today()


cli.group("suggestions", "cli.ledger.help", dest="ledger_command")
NUMBER = opt("number", metavar="NUMBER", help="cli.ledger.number")
DEPARTMENT = opt("--department", metavar="NAME", help="cli.ledger.department")
CATEGORY = opt("--category", metavar="TEXT", help="cli.ledger.category")
RAISED_BY = opt("--raised-by", metavar="NUMBER", help="cli.ledger.raised_by")


@cli.command(
    "suggestions list",
    "cli.ledger.list",
    DB,
    opt("--status", choices=codes(SuggestionStatus), labels="suggestion_status", help="cli.ledger.status"),
    DEPARTMENT,
    opt("--today", metavar="YYYY-MM-DD", help="cli.ledger.today"),
    JSON,
)
def cmd_suggestions_list(args: argparse.Namespace) -> int:
    from checkin.ledger import due_date, list_suggestions

    with open_db(args.db) as db:
        items = list_suggestions(db, status=args.status, department=args.department, today=_today(args.today))
        _, missing = due_date(db)
        if missing:
            print(fallback_note(missing), file=sys.stderr)
        if args.json:
            _json([s.to_json() for s in items])
            return 0
        marks = {"overdue": "!!", "due_soon": "! ", "ok": "  ", "done": "✓ "}
        for s in items:
            _out(
                f"{marks[s.urgency]}{s.number}\t{tr('ledger.status.' + s.status)}\t{s.department or '—'}\t"
                f"{tr('ledger.col.due_date')} {s.due_date}\t{s.text}"
            )
        return 0


@cli.command(
    "suggestions add",
    "cli.ledger.add",
    DB,
    opt("--text", required=True, help="cli.ledger.text"),
    opt(
        "--source",
        choices=codes(Source),
        default=Source.FORUM.value,
        labels="source",
        help="cli.ledger.source",
    ),
    RAISED_BY,
    CATEGORY,
    OPERATOR,
)
def cmd_suggestions_add(args: argparse.Namespace) -> int:
    from checkin.ledger import add_suggestion, due_date

    with open_db(args.db) as db:
        number = add_suggestion(
            db,
            args.text,
            source=args.source,
            raised_by=args.raised_by,
            category=args.category,
            operator=args.operator,
        )
        due, missing = due_date(db)
        _out(tr("ledger.added", number=number, due=due.isoformat()))
        if missing:
            print(fallback_note(missing), file=sys.stderr)
        return 0


@cli.command("suggestions from-surveys", "cli.ledger.from_surveys", DB, OPERATOR)
def cmd_suggestions_from_surveys(args: argparse.Namespace) -> int:
    from checkin.ledger import import_from_surveys

    with open_db(args.db) as db:
        added = import_from_surveys(db, operator=args.operator)
        _out(tr("ledger.imported", count=len(added)))
        return 0


@cli.command(
    "suggestions status",
    "cli.ledger.set_status",
    NUMBER,
    DB,
    opt(
        "--to",
        dest="status",
        required=True,
        choices=codes(SuggestionStatus)[1:],  # not back to pending
        labels="suggestion_status",
        help="cli.ledger.to",
    ),
    DEPARTMENT,
    opt("--outcome", choices=codes(Outcome), labels="outcome", help="cli.ledger.outcome"),
    opt("--reason", metavar="TEXT", help="cli.ledger.reason"),
    opt("--reply", metavar="TEXT", help="cli.ledger.reply"),
    opt("--on", metavar="YYYY-MM-DD", help="cli.ledger.on"),
    OPERATOR,
)
def cmd_suggestions_status(args: argparse.Namespace) -> int:
    from checkin.ledger import set_status

    with open_db(args.db) as db:
        set_status(
            db,
            args.number,
            args.status,
            operator=args.operator,
            department=args.department,
            outcome=args.outcome,
            reason=args.reason,
            reply=args.reply,
            on=parse_date(args.on) if args.on else None,
        )
        _out(tr("ledger.status_set", number=args.number.upper(), status=tr(f"ledger.status.{args.status}")))
        return 0


@cli.command(
    "suggestions edit",
    "cli.ledger.edit",
    NUMBER,
    DB,
    opt("--text", help="cli.ledger.text"),
    CATEGORY,
    DEPARTMENT,
    RAISED_BY,
    OPERATOR,
)
def cmd_suggestions_edit(args: argparse.Namespace) -> int:
    from checkin.ledger import edit

    with open_db(args.db) as db:
        edit(
            db,
            args.number,
            args.operator,
            text=args.text,
            category=args.category,
            department=args.department,
            raised_by=args.raised_by,
        )
        _out(tr("ledger.edited", number=args.number.upper()))
        return 0


@cli.command("suggestions history", "cli.ledger.history", NUMBER, DB, JSON)
def cmd_suggestions_history(args: argparse.Namespace) -> int:
    from checkin.labels import history_rows
    from checkin.ledger import history

    with open_db(args.db) as db:
        rows = history(db, args.number)
        if args.json:
            _json(rows)
            return 0
        for r in history_rows(rows):
            _out(f"{r['at']}\t{r['operator']}\t{r['field']}\t{r['old']} → {r['new']}")
        return 0


@cli.command(
    "suggestions export",
    "cli.ledger.export",
    DB,
    opt("--out", required=True, metavar="ledger.xlsx", help="cli.export.out"),
)
def cmd_suggestions_export(args: argparse.Namespace) -> int:
    from checkin.exports import export_ledger
    from checkin.ledger import due_date

    with open_db(args.db) as db:
        path, count = export_ledger(db, args.out)
        _out(tr("export.done", count=count, path=path))
        _, missing = due_date(db)
        if missing:  # the file shows due dates counted without that year's arrangements
            print(fallback_note(missing), file=sys.stderr)
        return 0


cli.group("holidays", "cli.holidays.help")


@cli.command(
    "holidays load", "cli.holidays.load", opt("file", metavar="FILE.toml", help="cli.holidays.file"), DB
)
def cmd_holidays_load(args: argparse.Namespace) -> int:
    from checkin.ledger import due_date, refresh_due_dates
    from checkin.workdays import load_holiday_file

    with open_db(args.db) as db:
        year = load_holiday_file(db, args.file)
        _out(tr("workdays.loaded", year=year))
        changed = refresh_due_dates(db)
        if changed:
            _out(tr("labels.due_dates_moved", count=changed, due=_day(due_date(db)[0])))
        return 0


def cmd_export(args: argparse.Namespace) -> int:
    from checkin.exports import export_attendance

    with open_db(args.db) as db:
        path, count = export_attendance(db, args.out, only_no_shows=args.what == "no-shows")
        _out(tr("export.done", count=count, path=path))
        if args.what == "no-shows" and count:
            _out(tr("export.call_list"))
        return 0


cli.group("export", "cli.export.help", dest="what", metavar="WHAT")
for _what in ("attendance", "no-shows"):
    cli.command(
        f"export {_what}",
        f"cli.export.{_what.replace('-', '_')}",
        DB,
        opt("--out", required=True, metavar="FILE.csv|FILE.xlsx", help="cli.export.out"),
    )(cmd_export)


@cli.command(
    "export results",
    "cli.results.help",
    DB,
    opt("--out", required=True, metavar="results.sqlite", help="cli.results.out"),
)
def cmd_export_results(args: argparse.Namespace) -> int:
    from checkin.results import export_results

    with open_db(args.db) as db:
        path = export_results(db, args.out)
        _out(tr("results.done", path=path))
        return 0


def _day(day: Any) -> str:
    """A date as the user's language writes it: 2026年12月21日, or 2026-12-21."""
    from checkin.i18n import current_language
    from checkin.officialdoc import date_cn

    return date_cn(day) if current_language() == "zh" else str(day.isoformat())


@cli.command(
    "report",
    "cli.report.help",
    DB,
    opt("--out", required=True, metavar="FILE.docx|FILE.html", help="cli.report.out"),
    opt("--photos", metavar="DIR", help="cli.report.photos"),
    opt("--template", metavar="FILE", help="cli.report.template"),
    opt("--date", metavar="YYYY-MM-DD", help="cli.report.date"),
    opt("--font", metavar="PATH", help="cli.invites.font"),
)
def cmd_report(args: argparse.Namespace) -> int:
    from checkin.report import write_report
    from checkin.workdays import deadlines

    day = parse_date(args.date) if args.date else None
    _warn_if_not_simplified(args.font)
    with open_db(args.db) as db:
        if not (load_event(db).organizer or "").strip():  # the title and the signature need the unit
            print(tr("cli_i18.no_organizer"), file=sys.stderr)
        path = write_report(db, args.out, photos=args.photos, font=args.font, template=args.template, day=day)
        _out(tr("report.done", path=path))
        due = deadlines(db)
    _out(tr("report.due_line", due=_day(due.report), website=_day(due.website), followup=_day(due.followup)))
    if due.missing_years:
        print(fallback_note(due.missing_years), file=sys.stderr)
    return 0


@cli.command(
    "purge",
    "cli.purge.help",
    DB,
    opt("--yes", action="store_true", help="cli.purge.yes"),
    opt("--force", action="store_true", help="cli.purge.force"),
    opt("--bundle", action="append", metavar="FILE", help="cli.purge14.bundle"),
)
def cmd_purge(args: argparse.Namespace) -> int:
    from checkin.purge import purge

    if not args.yes:
        if not sys.stdin.isatty():
            raise CheckinError("purge.needs_yes")
        answer = input(tr("purge.confirm", path=args.db) + " [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            _out(tr("purge.cancelled"))
            return 1
    count = purge(args.db, force=args.force)
    _out(tr("purge.done", count=count))
    from pathlib import Path

    from checkin.files import purge_files
    from checkin.packseal import sealed_as_is

    with sealed_as_is(), open_db(args.db) as db:
        deleted, remaining = purge_files(db, [Path(b) for b in args.bundle or []])
    for path in deleted:
        _out(tr("purge14.deleted", path=path))
    for item in remaining:
        _out(tr(f"purge14.still_{item['kind']}", path=item["path"], station=item["station"] or ""))
    if not remaining:
        _out(tr("purge14.none_left"))
    return 0


# ---------------------------------------------------------------- parser


def _county_cli() -> Any:
    from checkin import county_cli

    return county_cli


def _review_commands(sub: argparse._SubParsersAction[Any]) -> None:
    from checkin.cli_review import add_review_commands  # issue 17: review, groups, notices

    add_review_commands(sub)


def _visit_commands(sub: argparse._SubParsersAction[Any]) -> None:
    from checkin.cli_visit import add_visit_commands  # itinerary, buses, rollcall

    add_visit_commands(sub)


cli.hook("", _review_commands)
cli.hook("", lambda sub: _county_cli().add_county_commands(sub))
cli.hook("", _visit_commands)
