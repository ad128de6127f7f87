"""CLI commands before the event: `review`, `groups` and `notices` (issue 17)."""

from __future__ import annotations

import argparse
from typing import Any

from checkin.categories import category_label
from checkin.cli import _add_db, _add_json, _json, _out, _Parser, _today
from checkin.i18n import tr
from checkin.storage import open_db
from checkin.vocab import ReviewState, codes


def cmd_review_list(args: argparse.Namespace) -> int:
    from checkin.review import list_applications, review_counts, run_auto_checks

    with open_db(args.db) as db:
        auto = run_auto_checks(db)
        state = None if args.all else args.state
        apps = list_applications(
            db, state=state, overdue_only=args.overdue, group=args.group, today=_today(args.today)
        )
        counts = review_counts(db, today=_today(args.today))
    if args.json:
        _json({"applications": [a.to_json() for a in apps], "counts": counts, "auto_rejected": auto})
        return 0
    if auto:
        _out(tr("review.auto_rejected", count=len(auto), numbers="、".join(auto)))
    for a in apps:
        group = f"{a.group_number} {a.group_organization}" if a.group_number else ""
        _out(
            tr(
                "review.line",
                number=a.number,
                name=a.name,
                category=category_label(a.category),
                state=tr(f"review.state.{a.review}"),
                arrived=a.arrived.isoformat(),
                due=a.due.isoformat(),
                overdue=tr("review.overdue_mark") if a.overdue else "",
                group=group,
                residence=tr("review.residence_mark", evidence=a.residence_evidence)
                if a.residence_evidence
                else "",
                reason=tr("review.reason_mark", reason=a.reason) if a.reason else "",
            )
        )
    _out(tr("review.summary", None, **counts))
    return 0


def cmd_review_approve(args: argparse.Namespace) -> int:
    from checkin.review import approve

    with open_db(args.db) as db:
        done = approve(db, args.numbers, operator=args.operator, residence=args.residence)
    if args.json:
        _json({"approved": done})
    else:
        _out(tr("review.approved", count=len(done), numbers="、".join(done) or "—"))
    return 0


def cmd_review_reject(args: argparse.Namespace) -> int:
    from checkin.review import reject

    with open_db(args.db) as db:
        done = reject(db, args.numbers, reason=args.reason, operator=args.operator)
    if args.json:
        _json({"rejected": done})
    else:
        _out(tr("review.rejected", count=len(done), numbers="、".join(done)))
    return 0


def cmd_review_residence(args: argparse.Namespace) -> int:
    from checkin.review import tick_residence

    with open_db(args.db) as db:
        tick_residence(db, args.number, args.evidence, operator=args.operator)
    _out(tr("review.ticked", number=args.number.strip().upper(), evidence=args.evidence.strip()))
    return 0


def cmd_groups_add(args: argparse.Namespace) -> int:
    from checkin.groups import create_group

    with open_db(args.db) as db:
        number = create_group(
            db,
            args.org,
            args.contact,
            args.phone,
            contact_email=args.email,
            documents=args.documents,
            documents_received=args.received,
            members=args.members,
            note=args.note,
        )
    if args.json:
        _json({"group": number, "members": [m.strip().upper() for m in args.members]})
    else:
        _out(tr("groups.created", group=number, organization=args.org.strip(), count=len(args.members)))
    return 0


def cmd_groups_members(args: argparse.Namespace) -> int:
    from checkin.groups import add_members

    with open_db(args.db) as db:
        added = add_members(db, args.group, args.members)
    _out(tr("groups.members_added", group=args.group.strip().upper(), numbers="、".join(added)))
    return 0


def cmd_groups_documents(args: argparse.Namespace) -> int:
    from checkin.groups import set_documents

    with open_db(args.db) as db:
        set_documents(db, args.group, received=args.received, documents=args.documents)
    state = tr("groups.received") if args.received else tr("groups.not_received")
    _out(tr("groups.documents_set", group=args.group.strip().upper(), state=state))
    return 0


def cmd_groups_edit(args: argparse.Namespace) -> int:
    from checkin.groups import update_group

    with open_db(args.db) as db:
        update_group(
            db,
            args.group,
            organization=args.org,
            contact_name=args.contact,
            contact_phone=args.phone,
            contact_email=args.email,
            note=args.note,
        )
    _out(tr("groups.edited", group=args.group.strip().upper()))
    return 0


def cmd_groups_list(args: argparse.Namespace) -> int:
    from checkin.groups import list_groups
    from checkin.phone import mask_phone
    from checkin.review import display_status

    with open_db(args.db) as db:
        groups = list_groups(db)
    if args.json:
        _json([g.to_json() for g in groups])
        return 0
    for g in groups:
        docs = tr("groups.received") if g.documents_received else tr("groups.not_received")
        if g.documents:
            docs += f"（{g.documents}）"
        members = "、".join(f"{m.number} {m.name}（{display_status(m.status, m.review)}）" for m in g.members)
        _out(
            tr(
                "groups.line",
                group=g.number,
                organization=g.organization,
                contact=g.contact_name,
                phone=mask_phone(g.contact_phone or ""),
                documents=docs,
                count=len(g.members),
                members=members or "—",
            )
        )
    return 0


def cmd_notices(args: argparse.Namespace) -> int:
    from checkin.notices import write_notices

    with open_db(args.db) as db:
        run = write_notices(db, args.out, close_waiting=args.close_waiting, font=args.font)
    if args.json:
        _json(run.to_json())
        return 0
    if not run.notices:
        _out(tr("notices.nothing"))
        return 0
    for n in run.notices:
        to = tr("notices.to", to=n.to) if n.to else tr("notices.no_email")
        _out(tr("notices.line", number=n.number, name=n.name, kind=tr(f"notices.kind.{n.kind}"), to=to))
    _out(
        tr(
            "notices.done",
            count=len(run.notices),
            folder=args.out,
            sms=sum(n.sms for n in run.notices),
            csv=run.sms_csv or "—",
        )
    )
    if run.sms_csv:
        _out(tr("notices.privacy"))
    return 0


def add_review_commands(sub: argparse._SubParsersAction[Any]) -> None:
    p = sub.add_parser("review", help=tr("cli.review.help"), description=tr("cli.review.help"))
    rv = p.add_subparsers(dest="review_command", metavar="ACTION", parser_class=_Parser)
    r = rv.add_parser("list", help=tr("cli.review.list"), description=tr("cli.review.list"))
    _add_db(r)
    r.add_argument("--state", choices=codes(ReviewState), default=ReviewState.PENDING.value,
                   help=tr("cli.review.state"))  # fmt: skip
    r.add_argument("--all", action="store_true", help=tr("cli.review.all"))
    r.add_argument("--overdue", action="store_true", help=tr("cli.review.overdue"))
    r.add_argument("--group", metavar="G001", help=tr("cli.review.group"))
    r.add_argument("--today", metavar="YYYY-MM-DD", help=tr("cli.review.today"))
    _add_json(r)
    r.set_defaults(handler=cmd_review_list)
    r = rv.add_parser("approve", help=tr("cli.review.approve"), description=tr("cli.review.approve"))
    r.add_argument("numbers", nargs="+", metavar="NUMBER", help=tr("cli.review.numbers"))
    _add_db(r)
    r.add_argument("--residence", metavar="TEXT", help=tr("cli.review.residence"))
    r.add_argument("--operator", default="office", metavar="NAME", help=tr("cli.review.operator"))
    _add_json(r)
    r.set_defaults(handler=cmd_review_approve)
    r = rv.add_parser("reject", help=tr("cli.review.reject"), description=tr("cli.review.reject"))
    r.add_argument("numbers", nargs="+", metavar="NUMBER", help=tr("cli.review.numbers"))
    _add_db(r)
    r.add_argument("--reason", required=True, metavar="TEXT", help=tr("cli.review.reason"))
    r.add_argument("--operator", default="office", metavar="NAME", help=tr("cli.review.operator"))
    _add_json(r)
    r.set_defaults(handler=cmd_review_reject)
    r = rv.add_parser("residence", help=tr("cli.review.tick"), description=tr("cli.review.tick"))
    r.add_argument("number", metavar="NUMBER", help=tr("cli.review.numbers"))
    _add_db(r)
    r.add_argument("--evidence", required=True, metavar="TEXT", help=tr("cli.review.evidence"))
    r.add_argument("--operator", default="office", metavar="NAME", help=tr("cli.review.operator"))
    r.set_defaults(handler=cmd_review_residence)

    p = sub.add_parser("groups", help=tr("cli.groups.help"), description=tr("cli.groups.help"))
    gp = p.add_subparsers(dest="groups_command", metavar="ACTION", parser_class=_Parser)
    r = gp.add_parser("add", help=tr("cli.groups.add"), description=tr("cli.groups.add"))
    r.add_argument("members", nargs="*", metavar="NUMBER", help=tr("cli.groups.member_numbers"))
    _add_db(r)
    r.add_argument("--org", required=True, metavar="NAME", help=tr("cli.groups.org"))
    r.add_argument("--contact", required=True, metavar="NAME", help=tr("cli.groups.contact"))
    r.add_argument("--phone", metavar="PHONE", help=tr("cli.groups.phone"))
    r.add_argument("--email", metavar="ADDRESS", help=tr("cli.groups.email"))
    r.add_argument("--documents", metavar="TEXT", help=tr("cli.groups.docs"))
    r.add_argument("--received", action="store_true", help=tr("cli.groups.received"))
    r.add_argument("--note", metavar="TEXT", help=tr("cli.groups.note"))
    _add_json(r)
    r.set_defaults(handler=cmd_groups_add)
    r = gp.add_parser("members", help=tr("cli.groups.members"), description=tr("cli.groups.members"))
    r.add_argument("group", metavar="G001", help=tr("cli.groups.group"))
    r.add_argument("members", nargs="+", metavar="NUMBER", help=tr("cli.groups.member_numbers"))
    _add_db(r)
    r.set_defaults(handler=cmd_groups_members)
    r = gp.add_parser("documents", help=tr("cli.groups.documents"), description=tr("cli.groups.documents"))
    r.add_argument("group", metavar="G001", help=tr("cli.groups.group"))
    _add_db(r)
    state = r.add_mutually_exclusive_group(required=True)
    state.add_argument("--received", dest="received", action="store_true", help=tr("cli.groups.received"))
    state.add_argument(
        "--not-received", dest="received", action="store_false", help=tr("cli.groups.not_received")
    )
    r.add_argument("--documents", metavar="TEXT", help=tr("cli.groups.docs"))
    r.set_defaults(handler=cmd_groups_documents)
    r = gp.add_parser("edit", help=tr("cli.groups.edit"), description=tr("cli.groups.edit"))
    r.add_argument("group", metavar="G001", help=tr("cli.groups.group"))
    _add_db(r)
    r.add_argument("--org", metavar="NAME", help=tr("cli.groups.org"))
    r.add_argument("--contact", metavar="NAME", help=tr("cli.groups.contact"))
    r.add_argument("--phone", metavar="PHONE", help=tr("cli.groups.phone"))
    r.add_argument("--email", metavar="ADDRESS", help=tr("cli.groups.email"))
    r.add_argument("--note", metavar="TEXT", help=tr("cli.groups.note"))
    r.set_defaults(handler=cmd_groups_edit)
    r = gp.add_parser("list", help=tr("cli.groups.list"), description=tr("cli.groups.list"))
    _add_db(r)
    _add_json(r)
    r.set_defaults(handler=cmd_groups_list)

    p = sub.add_parser("notices", help=tr("cli.notices.help"), description=tr("cli.notices.help"))
    _add_db(p)
    p.add_argument("--out", required=True, metavar="DIR", help=tr("cli.notices.out"))
    p.add_argument("--close-waiting", action="store_true", help=tr("cli.notices.close_waiting"))
    p.add_argument("--font", metavar="PATH", help=tr("cli.invites.font"))
    _add_json(p)
    p.set_defaults(handler=cmd_notices)
