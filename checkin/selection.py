"""Selection (按照报名先后顺序选取) and confirmation calls (电话通知).

Directly invited people (定向邀请), those who already confirmed and those already sent their
invitation (a notice) come first; then everyone else whose application is approved (or needs
no review) in sign-up order. Each person takes a
place from their category's quota (名额, e.g. "群众代表+科技特派员共28名") or, for categories
without one, from the general pool (capacity minus the quotas). A non-citizen is only invited
while citizens can still make up the minimum share of those counted in capacity (群众代表比例
不低于三分之一). Categories outside capacity (媒体记者不占用名额) take no place, but their own
quota, if any, still limits them.

Places a quota leaves unfilled either stay empty or go to the general pool (the event's
`unfilled` setting): then anyone next in sign-up order may take them. When quotas, capacity
and the share cannot all be met, the result says which rule failed and by how much.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from checkin.categories import CITIZEN, category_label, citizen_codes, citizen_share, share_met
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import tr
from checkin.keys import revoke_current
from checkin.storage import write_transaction
from checkin.vocab import Confirmation, PersonStatus, codes

CONFIRM_STATUSES = codes(Confirmation)
# a date without a time ('2026-11-19', 10 characters) comes after that day's timed sign-ups
SIGNUP_ORDER = (
    "(signed_up_at IS NULL), substr(signed_up_at, 1, 10), length(signed_up_at) = 10, signed_up_at, seq"
)
# who may be selected: a direct invitation skips review; everyone else needs none or an approval
SELECTABLE = "(direct = 1 OR review IS NULL OR review = 'approved')"
POOL = ""  # the general pool's key among the quota counters
# what became of a quota's unfilled places, as `select` says it: given to the next in sign-up
# order; given, but capacity still not full; kept empty (the event's setting); a category
# outside capacity, whose places go to nobody
UNFILLED_OUTCOMES = ("pool", "pool_short", "empty", "outside")


def group_label(codes: tuple[str, ...] | list[str], lang: str | None = None) -> str:
    """ "群众代表+科技特派员" for ("citizen", "commissioner")."""
    return "+".join(category_label(c, lang) for c in codes)


@dataclass
class QuotaLine:
    """One quota of the event and how it was filled."""

    key: str
    codes: tuple[str, ...]
    places: int
    takes_place: bool = True
    filled: int = 0  # invited within the quota
    applied: int = 0  # selectable applicants of these categories
    extra: int = 0  # invited beyond the quota from places others left (unfilled = pool)

    @property
    def label(self) -> str:
        return group_label(self.codes)

    def to_json(self) -> dict[str, Any]:
        return {
            "group": self.key,
            "label": self.label,
            "places": self.places,
            "filled": self.filled,
            "from_pool": self.extra,
            "applied": self.applied,
            "takes_place": self.takes_place,
        }


@dataclass
class SelectionResult:
    invited: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)
    counted: int = 0
    citizens: int = 0
    capacity: int = 0
    min_share: Fraction = Fraction(1, 3)
    warnings: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    quotas: list[QuotaLine] = field(default_factory=list)
    unfilled: str = "pool"
    # group application number → (organisation, invited members, waiting members)
    groups: dict[str, tuple[str, list[str], list[str]]] = field(default_factory=dict)

    @property
    def citizen_share(self) -> Fraction | None:
        return citizen_share(self.citizens, self.counted)

    def messages(self) -> list[str]:
        """Each rule that could not be met, in the user's language, with by how much."""
        texts = []
        for code, params in self.warnings:
            values = dict(params)
            if "group" in values:
                values["group"] = group_label(tuple(str(values["group"]).split("+")))
            if "why" in values:
                values["why"] = tr(f"select.why.{values['why']}", **params)
            if "policy" in values:
                values["policy"] = tr(f"select.unfilled.{values['policy']}")
            texts.append(tr(code, **values, min_share=_pct(self.min_share)))
        return texts

    def to_json(self) -> dict[str, Any]:
        share = self.citizen_share
        return {
            "invited": self.invited,
            "waiting": self.waiting,
            "citizen_share": round(float(share), 4) if share is not None else None,
            "min_citizen_share": round(float(self.min_share), 4),
            "capacity": self.capacity,
            "counted_in_capacity": self.counted,
            "quotas": [q.to_json() for q in self.quotas],
            "unfilled": self.unfilled,
            "groups": [
                {"group": number, "organization": org, "invited": inv, "waiting": wait}
                for number, (org, inv, wait) in self.groups.items()
            ],
            "warnings": [code for code, _ in self.warnings],
            "problems": [{"rule": code, **params} for code, params in self.warnings],
            "messages": self.messages(),
        }


@dataclass
class ConfirmResult:
    number: str
    status: str
    moved_up: str | None = None
    no_replacement: bool = False


def _pct(value: Fraction) -> str:
    return f"{float(value):.0%}"


def share_reachable(counted: int, citizens: int, capacity: int, citizens_left: int, share: Fraction) -> bool:
    """Can the final list still reach `share`, filling the free places with citizens first?"""
    extra = max(0, min(capacity - counted, citizens_left))
    return share_met(citizens + extra, counted + extra, share)


def citizens_short(counted: int, citizens: int, share: Fraction) -> int:
    """How many more citizens `counted` places would need to meet the share."""
    return max(0, math.ceil(share * counted) - citizens)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def log_activity(db: Database, action: str, number: str | None, **detail: Any) -> None:
    db.table("activity").insert(
        {
            "at": _now(),
            "action": action,
            "number": number,
            "detail": json.dumps(detail, ensure_ascii=False),
        }
    )


class Places:
    """The event's places: capacity, quotas, the general pool and the citizen share."""

    def __init__(self, event: Event) -> None:
        self.event = event
        self.capacity = event.capacity
        self.share = event.min_citizen_share
        self.citizen = citizen_codes(event.category_list())
        self.outside = set(event.outside_capacity)
        self.pool_policy = event.unfilled == "pool"
        self.lines = [
            QuotaLine(key, codes, places, takes_place=codes[0] not in self.outside)
            for key, codes, places in event.quota_groups()
        ]
        self.line_of = {code: line for line in self.lines for code in line.codes}
        quota_total = sum(line.places for line in self.lines if line.takes_place)
        self.pool_size = max(0, self.capacity - quota_total)
        self.pool_used = 0
        self.counted = 0
        self.citizens = 0

    def is_citizen(self, category: str) -> bool:
        return category in self.citizen

    def key(self, category: str) -> str:
        line = self.line_of.get(category)
        return line.key if line else POOL

    def room(self, category: str, in_capacity: bool) -> bool:
        """Is there a place left in this category's quota (or the pool)?"""
        line = self.line_of.get(category)
        if line is not None:
            return line.filled < line.places
        return not in_capacity or self.pool_used < self.pool_size

    def take(self, category: str, in_capacity: bool, *, beyond_quota: bool = False) -> None:
        line = self.line_of.get(category)
        if beyond_quota and line is not None:
            line.extra += 1
        elif line is not None:
            line.filled += 1
        elif in_capacity:
            self.pool_used += 1
        if in_capacity:
            self.counted += 1
            self.citizens += self.is_citizen(category)

    def citizen_room(self, later: dict[str, int]) -> int:
        """Citizens still to come who would find a place in their quota or the pool."""
        room = 0
        for key, count in later.items():
            if key == POOL:
                room += min(count, self.pool_size - self.pool_used)
            else:
                line = next(q for q in self.lines if q.key == key)
                room += min(count, line.places - line.filled)
        return room


def _selectable(db: Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT number, category, direct, in_capacity, status, confirmation, group_number FROM people "
            f"WHERE status IN ('signed_up', 'invited', 'waiting') AND {SELECTABLE} ORDER BY {SIGNUP_ORDER}"
        )
    )


def told_invited(db: Database) -> set[str]:
    """Who has been sent their invitation (the last notice written for them invites them): the
    e-mail with its QR code is out, so a later `select` does not take the place back."""
    if "notices" not in db.table_names():
        return set()
    rows = db.execute(
        "SELECT n.number FROM notices n WHERE n.kind IN ('invited', 'moved_up') AND n.id = "
        "(SELECT MAX(m.id) FROM notices m WHERE m.number = n.number)"
    )
    return {r[0] for r in rows}


def select(db: Database) -> SelectionResult:
    """(Re)compute invited and waiting. People who already confirmed, or were already sent
    their invitation, keep their place."""
    from checkin.review import run_auto_checks  # review builds on selection

    run_auto_checks(db)  # an application failing the age or category rule is rejected first
    event = load_event(db)
    places = Places(event)
    share, capacity = places.share, places.capacity
    result = SelectionResult(capacity=capacity, min_share=share, quotas=places.lines, unfilled=event.unfilled)
    people = _selectable(db)
    for person in people:
        line = places.line_of.get(person["category"])
        if line is not None:
            line.applied += 1
    told = told_invited(db)
    locked = [
        p
        for p in people
        if p["status"] == PersonStatus.INVITED
        and (p["confirmation"] == Confirmation.CONFIRMED or p["number"] in told)
    ]
    locked_numbers = {p["number"] for p in locked}
    direct = [p for p in people if p["direct"] and p["number"] not in locked_numbers]
    queue = [p for p in people if not p["direct"] and p["number"] not in locked_numbers]

    invited: list[str] = []
    for person in locked + direct:
        invited.append(person["number"])
        places.take(person["category"], bool(person["in_capacity"]))
    if places.counted > capacity:
        result.warnings.append(
            ("select.direct_over_capacity", {"count": places.counted, "over": places.counted - capacity})
        )
    for line in places.lines:
        if line.filled > line.places:
            result.warnings.append(
                (
                    "select.quota_exceeded",
                    {"group": line.key, "places": line.places, "filled": line.filled,
                     "over": line.filled - line.places},
                )
            )  # fmt: skip

    # citizens still to come after each position of the queue, per quota key (one list per key)
    keys = sorted({places.key(code) for code in places.citizen})
    later = {key: [0] * (len(queue) + 1) for key in keys}
    for i in range(len(queue) - 1, -1, -1):
        for key in keys:
            later[key][i] = later[key][i + 1]
        person = queue[i]
        if person["in_capacity"] and places.is_citizen(person["category"]):
            later[places.key(person["category"])][i] += 1

    placed: set[str] = set()
    for i, person in enumerate(queue):
        category, in_capacity = person["category"], bool(person["in_capacity"])
        if (in_capacity and places.counted >= capacity) or not places.room(category, in_capacity):
            continue
        if in_capacity and not places.is_citizen(category):
            places.take(category, True)  # try it, and undo if the share can no longer be reached
            room = places.citizen_room({key: counts[i + 1] for key, counts in later.items()})
            reachable = share_reachable(places.counted, places.citizens, capacity, room, share)
            _untake(places, category)
            if not reachable:
                continue
        places.take(category, in_capacity)
        invited.append(person["number"])
        placed.add(person["number"])

    if places.pool_policy:
        # places the quotas left unfilled go to whoever is next in sign-up order
        rest = [p for p in queue if p["number"] not in placed and p["in_capacity"]]
        citizens_after = [0] * (len(rest) + 1)
        for i in range(len(rest) - 1, -1, -1):
            citizens_after[i] = citizens_after[i + 1] + int(places.is_citizen(rest[i]["category"]))
        for i, person in enumerate(rest):
            if places.counted >= capacity:
                break
            category = person["category"]
            if places.is_citizen(category) or share_reachable(
                places.counted + 1, places.citizens, capacity, citizens_after[i + 1], share
            ):
                # beyond its quota only when the quota is full: one held back by the share in
                # the first pass takes a place of its own quota, which still had room
                places.take(category, True, beyond_quota=not places.room(category, True))
                invited.append(person["number"])
                placed.add(person["number"])

    waiting = [p["number"] for p in queue if p["number"] not in placed]
    result.invited = invited
    result.waiting = waiting
    result.counted, result.citizens = places.counted, places.citizens
    _explain(result, places, queue, placed)
    pending = db.execute(
        "SELECT COUNT(*) FROM people WHERE review = 'pending' AND status = 'signed_up'"
    ).fetchone()[0]
    if pending:
        result.warnings.append(("select.pending_review", {"count": int(pending)}))
    _store(db, result)
    result.groups = _groups(db, invited, waiting)
    return result


def _untake(places: Places, category: str) -> None:
    line = places.line_of.get(category)
    if line is not None:
        line.filled -= 1
    else:
        places.pool_used -= 1
    places.counted -= 1
    places.citizens -= places.is_citizen(category)


def _explain(result: SelectionResult, places: Places, queue: list[dict[str, Any]], placed: set[str]) -> None:
    """Which rule could not be met, and by how much."""
    share, capacity = places.share, places.capacity
    quota_total = sum(q.places for q in places.lines if q.takes_place)
    if quota_total > capacity:
        result.warnings.append(
            ("select.quota_over_capacity", {"total": quota_total, "capacity": capacity,
                                            "over": quota_total - capacity})
        )  # fmt: skip
    if places.lines and share > 0:
        # the quotas alone: at most this many places can go to citizens
        ungrouped_citizens = any(code not in places.line_of for code in places.citizen)
        citizen_places = sum(
            q.places for q in places.lines if q.takes_place and any(c in places.citizen for c in q.codes)
        ) + (places.pool_size if ungrouped_citizens else 0)
        total = min(capacity, quota_total + places.pool_size)
        needed = math.ceil(share * total)
        if citizen_places < needed:
            result.warnings.append(
                (
                    "select.quota_share_conflict",
                    {"citizen_places": citizen_places, "total": total, "needed": needed,
                     "short": needed - citizen_places},
                )
            )  # fmt: skip
    for line in places.lines:
        got = line.filled + line.extra
        if line.filled >= line.places:
            continue
        waiting_here = any(p["number"] not in placed and p["category"] in line.codes for p in queue)
        if not waiting_here:
            why = "few"
        elif line.takes_place and places.counted >= capacity:
            why = "capacity"
        else:
            why = "share"
        if not places.pool_policy:
            policy = "empty"
        elif not line.takes_place:
            policy = "outside"
        else:
            policy = "pool" if places.counted >= capacity else "pool_short"
        result.warnings.append(
            (
                "select.quota_not_filled",
                {"group": line.key, "places": line.places, "filled": got,
                 "short": line.places - line.filled, "applied": line.applied, "why": why,
                 "policy": policy},
            )
        )  # fmt: skip
    if not share_met(result.citizens, result.counted, share):
        result.warnings.append(
            (
                "select.share_not_met",
                {"citizens": result.citizens, "counted": result.counted,
                 "short": citizens_short(result.counted, result.citizens, share)},
            )
        )  # fmt: skip
    if result.counted < capacity:
        result.warnings.append(
            ("select.not_full", {"counted": result.counted, "capacity": capacity,
                                 "short": capacity - result.counted})
        )  # fmt: skip


def _store(db: Database, result: SelectionResult) -> None:
    now = _now()
    chosen = set(result.invited) | set(result.waiting)
    with write_transaction(db):
        # people no longer selectable (review pending or rejected) leave both lists
        dropped = [
            r[0]
            for r in db.execute(
                "SELECT number FROM people WHERE status IN ('invited', 'waiting') AND NOT " + SELECTABLE
            )
            if r[0] not in chosen
        ]
        for number in dropped:
            revoke_current(db, number, "not_selectable")
        db.conn.executemany(
            "UPDATE people SET status = 'signed_up', queue_pos = NULL, confirmation = NULL, "
            "updated_at = ? WHERE number = ?",
            [(now, number) for number in dropped],
        )
        db.conn.executemany(
            "UPDATE people SET status = 'invited', queue_pos = ?, updated_at = ? WHERE number = ?",
            [(pos, now, number) for pos, number in enumerate(result.invited, start=1)],
        )
        db.conn.executemany(
            "UPDATE people SET status = 'waiting', queue_pos = ?, confirmation = NULL, "
            "updated_at = ? WHERE number = ?",
            [(pos, now, number) for pos, number in enumerate(result.waiting, start=1)],
        )
        log_activity(db, "select", None, invited=len(result.invited), waiting=len(result.waiting))


def _groups(
    db: Database, invited: list[str], waiting: list[str]
) -> dict[str, tuple[str, list[str], list[str]]]:
    rows = db.execute(
        "SELECT g.number, g.organization, p.number FROM groups g JOIN people p ON p.group_number = g.number "
        "ORDER BY g.number, p.seq"
    ).fetchall()
    invited_set, waiting_set = set(invited), set(waiting)
    groups: dict[str, tuple[str, list[str], list[str]]] = {}
    for group, organization, number in rows:
        entry = groups.setdefault(group, (organization, [], []))
        if number in invited_set:
            entry[1].append(number)
        elif number in waiting_set:
            entry[2].append(number)
    return groups


def _invited_counts(db: Database, places: Places) -> None:
    """Fill `places` with who is invited now (for moving the waiting list up)."""
    rows = db.execute("SELECT category, in_capacity FROM people WHERE status = 'invited'").fetchall()
    for category, in_capacity in rows:
        line = places.line_of.get(category)
        if line is not None and line.filled >= line.places and places.pool_policy and in_capacity:
            places.take(category, True, beyond_quota=True)
        else:
            places.take(category, bool(in_capacity))


def confirm(db: Database, number: str, status: str) -> ConfirmResult:
    """Record a confirmation call; a declined place moves the waiting list up."""
    if status not in CONFIRM_STATUSES:
        raise CheckinError("confirm.bad_status", value=status)
    number = number.strip().upper()
    event = load_event(db)
    rows = list(db.query("SELECT * FROM people WHERE number = ?", [number]))
    if not rows:
        raise CheckinError("people.unknown_number", number=number)
    person = rows[0]
    if person["status"] == PersonStatus.DECLINED:
        raise CheckinError("confirm.already_declined", number=number)
    inside = db.execute(
        "SELECT at FROM live_checkins WHERE number = ?",
        [number],
    ).fetchone()
    if inside is not None and status != Confirmation.CONFIRMED:
        # a guest already inside has not declined: the waiting list must not move for them
        raise CheckinError("confirm.already_inside", number=number, at=str(inside[0])[11:16])
    waiting_declines = status == Confirmation.DECLINED and person["status"] == PersonStatus.WAITING
    if person["status"] != PersonStatus.INVITED and not waiting_declines:
        raise CheckinError("confirm.not_invited", number=number)
    result = ConfirmResult(number=number, status=status)
    now = _now()
    with write_transaction(db):
        if status != Confirmation.DECLINED:
            db.execute(
                "UPDATE people SET confirmation = ?, updated_at = ? WHERE number = ?",
                [status, now, number],
            )
            log_activity(db, "confirm", number, status=status)
            return result
        was_invited = person["status"] == PersonStatus.INVITED
        db.execute(
            "UPDATE people SET status = 'declined', confirmation = 'declined', queue_pos = NULL, "
            "updated_at = ? WHERE number = ?",
            [now, number],
        )
        log_activity(db, "confirm", number, status=status)
        revoke_current(db, number, "declined")
        places = Places(event)
        has_quota = person["category"] in places.line_of
        if was_invited and (person["in_capacity"] or has_quota):
            result.moved_up = _move_up(db, places, person["category"], bool(person["in_capacity"]), now)
            result.no_replacement = result.moved_up is None
            if result.moved_up:
                log_activity(db, "moved_up", result.moved_up, replaces=number)
    return result


def leave_lists(db: Database, number: str, reason: str) -> str | None:
    """Take someone no longer selectable (rejected in review) off the invited or waiting list
    at once: their invitation is revoked and, if they held a place, the waiting list moves up.
    Returns who moved up. Call inside a write transaction."""
    rows = list(db.query("SELECT status, category, in_capacity FROM people WHERE number = ?", [number]))
    if not rows or rows[0]["status"] not in (PersonStatus.INVITED, PersonStatus.WAITING):
        return None
    person = rows[0]
    now = _now()
    revoke_current(db, number, reason)
    db.execute(
        "UPDATE people SET status = 'signed_up', queue_pos = NULL, confirmation = NULL, updated_at = ? "
        "WHERE number = ?",
        [now, number],
    )
    if person["status"] != PersonStatus.INVITED:
        return None
    places = Places(load_event(db))
    if not (person["in_capacity"] or person["category"] in places.line_of):
        return None
    moved = _move_up(db, places, person["category"], bool(person["in_capacity"]), now)
    if moved:
        log_activity(db, "moved_up", moved, replaces=number)
    return moved


def _move_up(db: Database, places: Places, freed: str, freed_in_capacity: bool, now: str) -> str | None:
    """The first on the waiting list who fits the place set free: first from the same quota,
    then (unfilled = pool) anyone whose taking it keeps the share."""
    _invited_counts(db, places)
    if freed_in_capacity and places.counted >= places.capacity:
        return None
    waiting = list(
        db.query(
            "SELECT number, category, in_capacity FROM people WHERE status = 'waiting' "
            f"AND {SELECTABLE} ORDER BY queue_pos"
        )
    )
    freed_key = places.key(freed)

    def keeps_share(category: str, in_capacity: bool) -> bool:
        if not in_capacity or places.is_citizen(category):
            return True
        return places.citizens >= places.share * (places.counted + 1)

    candidates = [
        w
        for w in waiting
        if bool(w["in_capacity"]) == freed_in_capacity
        and places.room(w["category"], bool(w["in_capacity"]))
        and keeps_share(w["category"], bool(w["in_capacity"]))
    ]
    same = [w for w in candidates if places.key(w["category"]) == freed_key]
    chosen = same[0] if same else (candidates[0] if candidates else None)
    if chosen is None and places.pool_policy and freed_in_capacity:
        chosen = next((w for w in waiting if w["in_capacity"] and keeps_share(w["category"], True)), None)
    if chosen is None:
        return None
    last = db.execute("SELECT COALESCE(MAX(queue_pos), 0) FROM people WHERE status = 'invited'").fetchone()[0]
    db.execute(
        "UPDATE people SET status = 'invited', queue_pos = ?, updated_at = ? WHERE number = ?",
        [int(last) + 1, now, chosen["number"]],
    )
    return str(chosen["number"])


def quota_status(db: Database) -> list[QuotaLine]:
    """Each quota of the event with how many are invited now (for the board and the report)."""
    places = Places(load_event(db))
    for row in _selectable(db):
        line = places.line_of.get(row["category"])
        if line is not None:
            line.applied += 1
    _invited_counts(db, places)
    return places.lines


def check_walk_in(db: Database, category: str) -> None:
    """May someone of `category` be let in on the spot? Raises with the rule that stops it.

    Counts who is inside (live check-ins): capacity, the category's quota (unless the event
    gives unfilled places to the pool and capacity has room) and the citizen share.
    """
    event = load_event(db)
    places = Places(event)
    present: dict[str, int] = defaultdict(int)
    for cat, in_capacity in db.execute(
        "SELECT p.category, p.in_capacity FROM live_checkins c JOIN people p ON p.number = c.number"
    ):
        present[cat] += 1
        places.take(cat, bool(in_capacity))
    in_capacity = category not in places.outside
    if in_capacity and places.counted + 1 > places.capacity:
        raise CheckinError("door.walk_in_full", present=places.counted, capacity=places.capacity)
    line = places.line_of.get(category)
    if line is not None:
        inside = sum(present[c] for c in line.codes)
        pool_room = places.pool_policy and in_capacity and places.counted < places.capacity
        if inside >= line.places and not pool_room:
            raise CheckinError("quota.walk_in_full", group=line.label, places=line.places, present=inside)
    elif in_capacity and not places.pool_policy and places.pool_used >= places.pool_size:
        # no quota: the general pool; the quotas' places stay theirs (unfilled = empty)
        kept = [q for q in places.lines if q.takes_place]
        raise CheckinError(
            "quota.walk_in_pool_full",
            present=places.pool_used,
            kept=sum(q.places for q in kept),
            groups=tr("labels.list_sep").join(q.label for q in kept),
        )
    if (
        in_capacity
        and not places.is_citizen(category)
        and not share_met(places.citizens, places.counted + 1, places.share)
    ):
        raise CheckinError("door.walk_in_share", category=category_label(category), share=_pct(places.share))


__all__ = [
    "CITIZEN",
    "CONFIRM_STATUSES",
    "SELECTABLE",
    "SIGNUP_ORDER",
    "ConfirmResult",
    "Places",
    "QuotaLine",
    "SelectionResult",
    "check_walk_in",
    "confirm",
    "group_label",
    "quota_status",
    "select",
]
