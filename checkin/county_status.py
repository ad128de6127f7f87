"""The county's view: one line per unit — planned, held, people, citizen share, satisfaction,
suggestions closed on time, report and posting on time, and every breach in words — with totals
and the units still missing a plan or results (with contact and phone, to call them).

Everything here is computed from the facts in the county file (plans, results, rules) and a
date (`as_of`), so the same file gives the same table whatever order things arrived in.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from sqlite_utils import Database

from checkin.county import (
    Rules,
    Unit,
    county_calendar,
    county_info,
    deadline,
    rules_of,
    stored_facts,
    units,
)
from checkin.i18n import known, tr
from checkin.plans import Plan, format_params, plan_breaches
from checkin.workdays import Calendar

StageBreach = tuple[str, str, dict[str, Any]]  # stage ("plan" / "results"), message key, params


@dataclass
class EventResult:
    event_id: str
    title: str | None
    date: dt.date
    received_on: dt.date
    invited: int
    came: int
    citizens_came: int
    citizen_share: float | None
    by_category: dict[str, dict[str, Any]]
    forms: int
    satisfaction: float | None
    announced_on: dt.date | None
    posted_on: dt.date | None
    posted_url: str | None
    suggestions: list[dict[str, Any]]
    plan_id: str = ""  # the plan this is the account of (its own event id, or a plan paired with it)

    @property
    def counted(self) -> int:
        """Those who came and take a place (媒体记者不占用名额): the 30 of a site and the share's base."""
        outside = sum(
            int(f["came"])
            for code, f in self.by_category.items()
            if not f.get("takes_place", code != "media")
        )
        return max(0, self.came - outside)


@dataclass
class UnitLine:
    unit: Unit
    plans: list[Plan] = field(default_factory=list)
    results: list[EventResult] = field(default_factory=list)
    plan_on_time: bool | None = None
    report_on_time: bool | None = None
    posting_on_time: bool | None = None
    suggestions: int = 0
    closed_on_time: int = 0
    closed_late: int = 0
    overdue: int = 0
    open_not_due: int = 0
    breaches: list[StageBreach] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "plan", "results"

    @property
    def planned(self) -> bool:
        return bool(self.plans)

    @property
    def held(self) -> bool:
        return any(r.came > 0 for r in self.results)

    @property
    def invited(self) -> int:
        return sum(r.invited for r in self.results)

    @property
    def came(self) -> int:
        return sum(r.came for r in self.results)

    @property
    def citizens_came(self) -> int:
        return sum(r.citizens_came for r in self.results)

    @property
    def counted(self) -> int:
        return sum(r.counted for r in self.results)

    @property
    def citizen_share(self) -> float | None:
        """The unit's own figure (citizens among those who take a place) when it held one event."""
        if len(self.results) == 1 and self.results[0].citizen_share is not None:
            return self.results[0].citizen_share
        return self.citizens_came / self.counted if self.counted else None

    @property
    def forms(self) -> int:
        return sum(r.forms for r in self.results)

    @property
    def satisfaction(self) -> float | None:
        rated = [r for r in self.results if r.satisfaction is not None and r.forms]
        if not rated:
            return None
        return sum(r.satisfaction * r.forms for r in rated if r.satisfaction is not None) / sum(
            r.forms for r in rated
        )

    def by_category(self) -> dict[str, tuple[str, int, int]]:
        """code → (the unit's label, invited, came), over every event of the unit."""
        out: dict[str, tuple[str, int, int]] = {}
        for result in self.results:
            for code, figures in result.by_category.items():
                label, invited, came = out.get(code, (str(figures.get("label") or code), 0, 0))
                out[code] = (label, invited + int(figures["invited"]), came + int(figures["came"]))
        return out

    def by_category_text(self, lang: str | None = None) -> str:
        """群众代表 8/5、人大代表 3/3 — invited/came per category, in the unit's own words."""
        parts = []
        for code, (label, invited, came) in self.by_category().items():
            if known(f"category.{code}"):  # a built-in category: in the chosen language
                label = tr(f"category.{code}", lang=lang)
            parts.append(f"{label} {invited}/{came}")
        return tr("labels.list_sep", lang=lang).join(parts)

    def breach_texts(self, lang: str | None = None) -> list[str]:
        return [tr(key, lang=lang, **format_params(params, lang)) for _, key, params in self.breaches]

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "unit": self.unit.name,
            "kind": self.unit.kind,
            "contact": self.unit.contact,
            "phone": self.unit.phone,
            "planned": self.planned,
            "plan_on_time": self.plan_on_time,
            "plans": [
                {
                    "event_id": p.event_id,
                    "title": p.title,
                    "date": p.date.isoformat(),
                    "filed_on": p.received_on.isoformat(),
                    "capacity": p.capacity,
                    "places": p.places,
                    "sites": [s.name for s in p.sites],
                }
                for p in self.plans
            ],
            "held": self.held,
            "events": [
                {
                    "event_id": r.event_id,
                    "date": r.date.isoformat(),
                    "invited": r.invited,
                    "came": r.came,
                    "by_category": r.by_category,
                    "report_received_on": r.received_on.isoformat(),
                    "posted_on": r.posted_on.isoformat() if r.posted_on else None,
                    "posted_url": r.posted_url,
                }
                for r in self.results
            ],
            "invited": self.invited,
            "came": self.came,
            "citizens_came": self.citizens_came,
            "citizen_share": _round(self.citizen_share),
            "forms": self.forms,
            "satisfaction": _round(self.satisfaction),
            "suggestions": self.suggestions,
            "suggestions_closed_on_time": self.closed_on_time,
            "suggestions_closed_late": self.closed_late,
            "suggestions_overdue": self.overdue,
            "suggestions_open_not_due": self.open_not_due,
            "report_on_time": self.report_on_time,
            "posting_on_time": self.posting_on_time,
            "breaches": self.breach_texts(lang),
            "missing": self.missing,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class CountyStatus:
    year: int
    name: str | None
    office: str | None
    as_of: dt.date
    rules: Rules
    units: list[UnitLine]
    calendar_missing: list[int]

    @property
    def totals(self) -> dict[str, Any]:
        came = sum(u.came for u in self.units)
        counted = sum(u.counted for u in self.units)  # the base of the share: media take no place
        citizens = sum(u.citizens_came for u in self.units)
        rated = [u for u in self.units if u.satisfaction is not None]
        forms = sum(u.forms for u in rated)
        return {
            "units": len(self.units),
            "planned": sum(1 for u in self.units if u.planned),
            "held": sum(1 for u in self.units if u.held),
            "invited": sum(u.invited for u in self.units),
            "came": came,
            "citizens_came": citizens,
            "citizen_share": _round(citizens / counted if counted else None),
            "satisfaction": _round(
                sum((u.satisfaction or 0) * u.forms for u in rated) / forms if forms else None
            ),
            "suggestions": sum(u.suggestions for u in self.units),
            "suggestions_closed_on_time": sum(u.closed_on_time for u in self.units),
            "suggestions_overdue": sum(u.overdue for u in self.units),
            "reports_on_time": sum(1 for u in self.units if u.report_on_time),
            "postings_on_time": sum(1 for u in self.units if u.posting_on_time),
            "units_with_breaches": sum(1 for u in self.units if u.breaches),
            "breaches": sum(len(u.breaches) for u in self.units),
        }

    @property
    def missing(self) -> list[UnitLine]:
        return [u for u in self.units if u.missing]

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "year": self.year,
            "county": self.name,
            "office": self.office,
            "as_of": self.as_of.isoformat(),
            "rules": self.rules.to_json(),
            "units": [u.to_json(lang) for u in self.units],
            "totals": self.totals,
            "missing": [
                {"unit": u.unit.name, "contact": u.unit.contact, "phone": u.unit.phone, "missing": u.missing}
                for u in self.missing
            ],
            "calendar_missing_years": self.calendar_missing,
        }


def _results(db: Database) -> dict[str, list[EventResult]]:
    suggestions: dict[str, list[dict[str, Any]]] = {}
    for row in db.query("SELECT * FROM result_suggestions ORDER BY event_id, number"):
        suggestions.setdefault(row["event_id"], []).append(row)
    out: dict[str, list[EventResult]] = {}
    for r in db.query("SELECT * FROM results ORDER BY date, event_id"):
        out.setdefault(r["unit"], []).append(
            EventResult(
                event_id=r["event_id"],
                title=r["title"],
                date=dt.date.fromisoformat(r["date"]),
                received_on=dt.date.fromisoformat(r["received_on"]),
                invited=r["invited"],
                came=r["came"],
                citizens_came=r["citizens_came"],
                citizen_share=r["citizen_share"],
                by_category=json.loads(r["by_category"]),
                forms=r["forms"],
                satisfaction=r["satisfaction"],
                announced_on=dt.date.fromisoformat(r["announced_on"]) if r["announced_on"] else None,
                posted_on=dt.date.fromisoformat(r["posted_on"]) if r["posted_on"] else None,
                posted_url=r["posted_url"],
                suggestions=suggestions.get(r["event_id"], []),
            )
        )
    return out


def _results_breaches(
    rules: Rules, calendar: Calendar, line: UnitLine, result: EventResult, as_of: dt.date
) -> None:
    add = line.breaches.append
    if not rules.window_start <= result.date <= rules.window_end:
        planned = {p.event_id: p.date for p in line.plans}
        if planned.get(result.plan_id) != result.date:  # said once, at the plan, when unchanged
            add(
                (
                    "results",
                    "county.breach.outside_window",
                    {"date": result.date, "start": rules.window_start, "end": rules.window_end},
                )
            )
    # 每个开放点30人以内 (媒体记者不占用名额: the reporters are not of the 30). A plan with several open
    # sites, each with its own group (a number per site), may bring that many times 30 in all.
    plan = next((p for p in line.plans if p.event_id == result.plan_id), None)
    sites = plan.sites if plan else []
    groups = len(sites) if len(sites) > 1 and all(s.people is not None for s in sites) else 1
    limit = rules.max_per_site * groups
    if result.counted > limit:
        if groups > 1:
            params = {"people": result.counted, "sites": groups, "max": rules.max_per_site, "limit": limit}
            add(("results", "county.breach.came_over_sites", params))
        else:
            add(("results", "county.breach.came_over", {"people": result.counted, "max": rules.max_per_site}))
    share = result.citizen_share
    if share is None and result.counted:
        share = result.citizens_came / result.counted
    # the file's share is a float: compare with a hair of tolerance (10/30 is exactly 1/3)
    if share is not None and Fraction(share).limit_denominator(10_000) < rules.min_citizen_share:
        add(("results", "county.breach.came_share", {"share": share, "min": rules.min_citizen_share}))
    report_due = deadline(calendar, result.date, rules.report_due, rules.report_due_working)
    on_time = result.received_on <= report_due
    line.report_on_time = on_time if line.report_on_time is None else (line.report_on_time and on_time)
    if not on_time:
        add(("results", "county.breach.report_late", {"on": result.received_on, "due": report_due}))
    posting_due = deadline(calendar, result.date, rules.posting_due, rules.posting_due_working)
    if result.posted_on is None:
        if as_of > posting_due:
            line.posting_on_time = False
            add(("results", "county.breach.not_posted", {"due": posting_due}))
    else:
        posted_ok = result.posted_on <= posting_due
        line.posting_on_time = (
            posted_ok if line.posting_on_time is None else line.posting_on_time and posted_ok
        )
        if not posted_ok:
            add(("results", "county.breach.posted_late", {"on": result.posted_on, "due": posting_due}))
    announce_due = result.date - dt.timedelta(days=rules.announce_lead_days)
    said_at_plan = any(
        p.event_id == result.plan_id and p.announce_on == result.announced_on for p in line.plans
    )
    if result.announced_on is not None and result.announced_on > announce_due and not said_at_plan:
        add(
            (
                "results",
                "county.breach.announce_late",
                {"on": result.announced_on, "due": announce_due, "days": rules.announce_lead_days},
            )
        )
    due = calendar.add_working_days(result.date, rules.suggestion_working_days)
    late = overdue = 0
    for s in result.suggestions:
        line.suggestions += 1
        closed = dt.date.fromisoformat(s["closed_on"]) if s["closed_on"] else None
        if closed is not None and closed <= due:
            line.closed_on_time += 1
        elif closed is not None:
            line.closed_late += 1
            late += 1
        elif as_of > due:
            line.overdue += 1
            overdue += 1
        else:
            line.open_not_due += 1
    if late or overdue:
        key = "suggestions" if late and overdue else "suggestions_late" if late else "suggestions_overdue"
        add(
            (
                "results",
                f"county.breach.{key}",
                {"late": late, "overdue": overdue, "days": rules.suggestion_working_days, "due": due},
            )
        )


def _pair(line: UnitLine) -> None:
    """Which plan each results file is the account of: the plan of its event; else — the unit made
    its event file again after filing (a new laptop, `init` once more: a new event id) — the
    unit's one plan for that day left without results, or its one plan and one results file left.
    Without this the day was said never reported although its results had come in."""
    plan_ids = {p.event_id for p in line.plans}
    for result in line.results:
        result.plan_id = result.event_id
    loose = [r for r in line.results if r.event_id not in plan_ids]
    waiting = [p for p in line.plans if p.event_id not in {r.event_id for r in line.results}]
    for result in list(loose):
        same_day = [p for p in waiting if p.date == result.date]
        if len(same_day) == 1 and sum(1 for r in loose if r.date == result.date) == 1:
            result.plan_id = same_day[0].event_id
            waiting.remove(same_day[0])
            loose.remove(result)
    if len(loose) == 1 and len(waiting) == 1:
        loose[0].plan_id = waiting[0].event_id


def build_status(db: Database, as_of: dt.date) -> CountyStatus:
    with stored_facts():
        return _build_status(db, as_of)


def _build_status(db: Database, as_of: dt.date) -> CountyStatus:
    info = county_info(db)
    rules = rules_of(db)
    calendar = county_calendar(db)
    plans: dict[str, list[Plan]] = {}
    for row in db.query("SELECT * FROM plans ORDER BY date, event_id"):
        plans.setdefault(row["unit"], []).append(Plan.from_row(row))
    results = _results(db)
    lines = []
    for unit in units(db):
        line = UnitLine(unit, plans.get(unit.name, []), results.get(unit.name, []))
        _pair(line)
        # announced after the plan was filed: the results file carries the date
        announced = {r.plan_id: r.announced_on for r in line.results if r.announced_on is not None}
        line.plans = [
            replace(p, announce_on=announced[p.event_id])
            if p.announce_on is None and p.event_id in announced
            else p
            for p in line.plans
        ]
        for plan in line.plans:
            found = plan_breaches(rules, calendar, plan, as_of)
            line.breaches.extend(("plan", key, params) for key, params in found)
            late = any(k.startswith("county.breach.plan_late") for k, _ in found)
            line.plan_on_time = (not late) if line.plan_on_time is None else (line.plan_on_time and not late)
        for result in line.results:
            _results_breaches(rules, calendar, line, result, as_of)
        # what has not come in, and whether it is already late
        if not line.plans:
            line.missing.append("plan")
            due = rules.plan_deadline or rules.window_end
            if as_of > due:
                line.breaches.append(("plan", "county.breach.no_plan", {"due": due}))
        reported = {r.plan_id for r in line.results}
        for plan in line.plans:
            if plan.event_id in reported:
                continue
            if "results" not in line.missing:
                line.missing.append("results")
            due = deadline(calendar, plan.date, rules.report_due, rules.report_due_working)
            if as_of > due:
                line.report_on_time = False
                line.breaches.append(("results", "county.breach.no_results", {"date": plan.date, "due": due}))
        if not line.plans and not line.results:
            if "results" not in line.missing:
                line.missing.append("results")
            if as_of > rules.window_end:
                line.report_on_time = line.posting_on_time = False  # nothing to score but a miss
        held = sum(1 for r in line.results if r.came > 0)
        # 每年至少举办1次: said once the window has closed, unless results are still awaited
        awaited = any(p.event_id not in reported for p in line.plans)
        if as_of > rules.window_end and held < rules.min_events and not awaited:
            if held:
                line.breaches.append(
                    (
                        "results",
                        "county.breach.too_few_held",
                        {"year": rules.year, "held": held, "min": rules.min_events},
                    )
                )
            else:
                line.breaches.append(("results", "county.breach.not_held", {"year": rules.year}))
        lines.append(line)
    return CountyStatus(
        year=int(info["year"]),
        name=info["name"],
        office=info["office"],
        as_of=as_of,
        rules=rules,
        units=lines,
        calendar_missing=sorted(calendar.missing_years),
    )
