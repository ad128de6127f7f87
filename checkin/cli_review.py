"""CLI commands before the event: `review`, `groups` and `notices` (issue 17)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

from checkin.categories import category_label
from checkin.cli import _json, _out, _today
from checkin.cli_registry import DB, JSON, Registry, one_of, opt
from checkin.i18n import tr
from checkin.storage import open_db
from checkin.vocab import ReviewState, codes


def _join(items: Iterable[str]) -> str:
    """A list in the user's language: 、 in Chinese, a comma in English."""
    return tr("labels.list_sep").join(items)


review_cli = Registry()  # review, groups, notices (issue 17): each command declared on its handler
review_cli.group("review", "cli.review.help")
OPERATOR = opt("--operator", default="office", metavar="NAME", help="cli.review.operator")
NUMBERS = opt("numbers", nargs="+", metavar="NUMBER", help="cli.review.numbers")


@review_cli.command(
    "review list",
    "cli.review.list",
    DB,
    opt(
        "--state",
        choices=codes(ReviewState),
        default=ReviewState.PENDING.value,
        labels="review",
        help="cli.review.state",
    ),
    opt("--all", action="store_true", help="cli.review.all"),
    opt("--overdue", action="store_true", help="cli.review.overdue"),
    opt("--group", metavar="G001", help="cli.review.group"),
    opt("--today", metavar="YYYY-MM-DD", help="cli.review.today"),
    JSON,
)
def cmd_review_list(args: argparse.Namespace) -> int:
    from checkin.event import load_event
    from checkin.review import list_applications, review_counts, run_auto_checks

    with open_db(args.db) as db:
        review_on = load_event(db).review
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
        _out(tr("review.auto_rejected", count=len(auto), numbers=_join(auto)))
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
    if not review_on and not apps:
        _out(tr("review.off"))
    return 0


@review_cli.command(
    "review approve",
    "cli.review.approve",
    NUMBERS,
    DB,
    opt("--residence", metavar="TEXT", help="cli.review.residence"),
    OPERATOR,
    JSON,
)
def cmd_review_approve(args: argparse.Namespace) -> int:
    from checkin.review import approve

    overturned: list[str] = []
    with open_db(args.db) as db:
        done = approve(
            db, args.numbers, operator=args.operator, residence=args.residence, overturned=overturned
        )
    if args.json:
        _json({"approved": done, "overturned": overturned})
        return 0
    _out(tr("review.approved", count=len(done), numbers=_join(done) or "—"))
    if overturned:  # a batch typed with a rejected number in it: said, not silently reversed
        _out(tr("review.overturned", numbers=_join(overturned)))
    return 0


@review_cli.command(
    "review reject",
    "cli.review.reject",
    NUMBERS,
    DB,
    opt("--reason", required=True, metavar="TEXT", help="cli.review.reason"),
    OPERATOR,
    JSON,
)
def cmd_review_reject(args: argparse.Namespace) -> int:
    from checkin.review import reject

    revoked: list[tuple[str, str | None]] = []
    with open_db(args.db) as db:
        done = reject(db, args.numbers, reason=args.reason, operator=args.operator, revoked=revoked)
    if args.json:
        _json({"rejected": done, "revoked": [{"number": n, "moved_up": m} for n, m in revoked]})
        return 0
    _out(tr("review.rejected", count=len(done), numbers=_join(done)))
    for number, moved in revoked:  # the clerk must know: an invitation is void, someone moved up
        _out(tr("review.revoked_moved" if moved else "review.revoked", number=number, moved=moved or ""))
    return 0


@review_cli.command(
    "review residence",
    "cli.review.tick",
    opt("number", metavar="NUMBER", help="cli.review.numbers"),
    DB,
    opt("--evidence", required=True, metavar="TEXT", help="cli.review.evidence"),
    OPERATOR,
)
def cmd_review_residence(args: argparse.Namespace) -> int:
    from checkin.review import tick_residence

    with open_db(args.db) as db:
        tick_residence(db, args.number, args.evidence, operator=args.operator)
    _out(tr("review.ticked", number=args.number.strip().upper(), evidence=args.evidence.strip()))
    return 0


review_cli.group("groups", "cli.groups.help")
GROUP = opt("group", metavar="G001", help="cli.groups.group")
ORG = opt("--org", metavar="NAME", help="cli.groups.org")
CONTACT = opt("--contact", metavar="NAME", help="cli.groups.contact")
PHONE = opt("--phone", metavar="PHONE", help="cli.groups.phone")
EMAIL = opt("--email", metavar="ADDRESS", help="cli.groups.email")
DOCUMENTS = opt("--documents", metavar="TEXT", help="cli.groups.docs")
NOTE = opt("--note", metavar="TEXT", help="cli.groups.note")


@review_cli.command(
    "groups add",
    "cli.groups.add",
    opt("members", nargs="*", metavar="NUMBER", help="cli.groups.member_numbers"),
    DB,
    opt("--org", required=True, metavar="NAME", help="cli.groups.org"),
    opt("--contact", required=True, metavar="NAME", help="cli.groups.contact"),
    PHONE,
    EMAIL,
    DOCUMENTS,
    opt("--received", action="store_true", help="cli.groups.received"),
    NOTE,
    JSON,
)
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


@review_cli.command(
    "groups members",
    "cli.groups.members",
    GROUP,
    opt("members", nargs="+", metavar="NUMBER", help="cli.groups.member_numbers"),
    DB,
)
def cmd_groups_members(args: argparse.Namespace) -> int:
    from checkin.groups import add_members

    with open_db(args.db) as db:
        added = add_members(db, args.group, args.members)
    _out(tr("groups.members_added", group=args.group.strip().upper(), numbers=_join(added)))
    return 0


@review_cli.command(
    "groups documents",
    "cli.groups.documents",
    GROUP,
    DB,
    one_of(
        opt("--received", dest="received", action="store_true", help="cli.groups.received"),
        opt("--not-received", dest="received", action="store_false", help="cli.groups.not_received"),
        required=True,
    ),
    DOCUMENTS,
)
def cmd_groups_documents(args: argparse.Namespace) -> int:
    from checkin.groups import set_documents

    with open_db(args.db) as db:
        set_documents(db, args.group, received=args.received, documents=args.documents)
    state = tr("groups.received") if args.received else tr("groups.not_received")
    _out(tr("groups.documents_set", group=args.group.strip().upper(), state=state))
    return 0


@review_cli.command("groups edit", "cli.groups.edit", GROUP, DB, ORG, CONTACT, PHONE, EMAIL, NOTE)
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


@review_cli.command("groups list", "cli.groups.list", DB, JSON)
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
            docs = tr("groups.documents_what", state=docs, documents=g.documents)
        members = _join(
            tr("groups.member", number=m.number, name=m.name, state=display_status(m.status, m.review))
            for m in g.members
        )
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


@review_cli.command(
    "notices",
    "cli.notices.help",
    DB,
    opt("--out", required=True, metavar="DIR", help="cli.notices.out"),
    opt("--close-waiting", action="store_true", help="cli.notices.close_waiting"),
    opt("--again", nargs="+", metavar="NUMBER", default=(), help="cli.notices.again"),
    opt("--font", metavar="PATH", help="cli.invites.font"),
    JSON,
)
def cmd_notices(args: argparse.Namespace) -> int:
    from checkin.notices import write_notices

    with open_db(args.db) as db:
        run = write_notices(db, args.out, close_waiting=args.close_waiting, font=args.font, again=args.again)
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
    if run.unsigned:
        print(tr("notices.unsigned"), file=sys.stderr)
    return 0


def add_review_commands(sub: argparse._SubParsersAction[Any]) -> None:
    review_cli.build(sub)
