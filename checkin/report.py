"""The report for the county office (活动开展情况): an official document (.docx) or a web page (.html).

Written, not dumped: the figures are gathered here (`gather`), turned into the words a
report uses (`context`), and the wording itself comes from a template the office can edit —
`data/templates/report.docx` (Word with Jinja tags, rendered by docxtpl) for the document,
`data/templates/report.html` for the page on the website's 政府开放日 column — or the unit's
own (`--template FILE`), with its letterhead and phrasing.

The figures are people, not scans; the return rate counts at most one form per guest who came
(more forms than guests is said in so many words); the due dates fall on working days of the
statutory calendar. No code the program stores reaches the text: everything goes through
`checkin.labels`. The web page names no guest.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlite_utils import Database

from checkin.board import build_board, turned_away
from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.fonts import FontChoice, find_cjk_font
from checkin.groups import list_groups
from checkin.i18n import current_language, tr
from checkin.labels import CheckLabels, label
from checkin.ledger import Suggestion, list_suggestions
from checkin.officialdoc import date_cn
from checkin.paths import data_dir
from checkin.rollcall import VisitSummary, visit_summary
from checkin.selection import QuotaLine, quota_status
from checkin.survey import SurveySummary, summarise
from checkin.textcheck import private_file
from checkin.vocab import PersonStatus, SuggestionStatus, codes
from checkin.workdays import Deadlines, deadlines

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
TEMPLATE_SUFFIXES = {".docx": ".docx", ".html": ".html", ".htm": ".html"}


@dataclass
class CategoryFigures:
    category: str
    invited: int = 0
    arrived: int = 0
    # came to the door, were refused and never admitted (到场未入场): they came, so they are
    # not among the no-shows (board.turned_away)
    turned_away: int = 0
    no_show: int = 0
    declined: int = 0
    # registered at the door (walk-ins): never invited, counted among those who came
    walk_ins: int = 0


@dataclass
class GroupFigures:
    """A group application (以单位等集体形式申请) as the report shows it: its organisation and
    how many of its members applied, were invited and came — never who."""

    number: str
    organization: str
    applied: int = 0
    invited: int = 0
    arrived: int = 0


@dataclass
class ReportData:
    event: Event
    categories: list[CategoryFigures] = field(default_factory=list)
    citizens_present: int = 0
    counted_present: int = 0
    citizen_share: Fraction | None = None
    # people turned away at the door and never admitted, by the reason of their last refusal
    refused_people: dict[str, int] = field(default_factory=dict)
    # people who failed an entry check (and were not admitted), by check
    failed_checks: dict[str, int] = field(default_factory=dict)
    survey: SurveySummary | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    due: Deadlines | None = None
    photos: list[Path] = field(default_factory=list)
    visit: VisitSummary | None = None  # the site visit: per stop, who left early, schedule (issue 19)
    groups: list[GroupFigures] = field(default_factory=list)
    quotas: list[QuotaLine] = field(default_factory=list)
    # the names of everyone in the event file: the web page must not carry them (r18)
    names: list[str] = field(default_factory=list)

    @property
    def totals(self) -> CategoryFigures:
        total = CategoryFigures("total")
        for line in self.categories:
            total.invited += line.invited
            total.arrived += line.arrived
            total.turned_away += line.turned_away
            total.no_show += line.no_show
            total.declined += line.declined
            total.walk_ins += line.walk_ins
        return total

    @property
    def forms(self) -> int:
        return self.survey.forms_counted if self.survey else 0

    @property
    def forms_excess(self) -> int:
        """Forms beyond one per guest who came (0 when there are not more forms than guests)."""
        return max(0, self.forms - self.totals.arrived)

    @property
    def return_rate(self) -> float | None:
        """Forms from guests who came ÷ guests who came: never above 100 %."""
        arrived = self.totals.arrived
        return min(self.forms, arrived) / arrived if arrived else None


def gather(db: Database, photos: str | Path | None = None) -> ReportData:
    event = load_event(db)
    data = ReportData(event)
    figures = {c.code: CategoryFigures(c.code) for c in event.category_list()}
    arrived = {r[0] for r in db.execute("SELECT number FROM live_checkins")}
    refused = turned_away(db)
    people = db.execute("SELECT number, category, status, walk_in FROM people")
    for number, category, status, walk_in in people:
        line = figures.setdefault(category, CategoryFigures(category))
        if status == PersonStatus.INVITED and walk_in:
            # registered on the spot: nobody invited them, so they are not among the invited
            # (nor its no-shows) but among those who came
            line.walk_ins += 1
            line.arrived += number in arrived
        elif status == PersonStatus.INVITED:
            line.invited += 1
            if number in arrived:
                line.arrived += 1
            elif number in refused:
                line.turned_away += 1
            else:
                line.no_show += 1
        elif status == PersonStatus.DECLINED:
            line.declined += 1
    data.categories = [f for f in figures.values() if f.invited or f.declined or f.walk_ins]
    for group in list_groups(db):
        entry = GroupFigures(group.number, group.organization, applied=len(group.members))
        for member in group.members:
            if member.status == PersonStatus.INVITED:
                entry.invited += 1
                entry.arrived += member.number in arrived
        data.groups.append(entry)
    data.quotas = quota_status(db)
    board = build_board(db)
    data.citizens_present, data.counted_present = board.citizens_present, board.counted_present
    data.citizen_share = board.citizen_share
    # People, not scans: each person refused and never admitted counts once, under the reason
    # of their last refusal
    data.refused_people = dict(Counter(refused.values()))
    failed: dict[str, set[str]] = {}
    for name, number in db.execute("SELECT name, number FROM check_results WHERE passed = 0"):
        if number and number not in arrived:
            failed.setdefault(name, set()).add(number)
    data.failed_checks = {name: len(people) for name, people in failed.items()}
    data.names = [r[0] for r in db.execute("SELECT name FROM people WHERE name IS NOT NULL AND name != ''")]
    data.survey = summarise(db)
    data.suggestions = list_suggestions(db)
    data.due = deadlines(db)
    data.visit = visit_summary(db)
    if photos:
        folder = Path(photos)
        if not folder.is_dir():
            raise CheckinError("report.photos_missing", path=str(folder))
        data.photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    return data


# ---------------------------------------------------------------- words


def _pct(value: float | Fraction | None) -> str:
    return f"{float(value):.1%}" if value is not None else "—"


def chinese_quotes(text: str) -> str:
    """Straight quotes "…" and '…' → “…” and ‘…’, as Chinese text writes them."""
    text = re.sub(r'"([^"]*)"', r"“\1”", text)
    return re.sub(r"'([^']*)'", r"‘\1’", text)


def inner_quotes(text: str) -> str:
    """Text a template puts inside “…”: its own quotes become ‘…’ (quotes within quotes)."""
    return chinese_quotes(text).replace("“", "‘").replace("”", "’")


# A mainland mobile number, an ID number (18 or 15 characters): never on the public page.
_PHONE = re.compile(r"(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")


def scrub(text: str, names: list[str]) -> str:
    """Free text for the public web page: guests' names, phone and ID numbers masked."""
    text = _ID_NUMBER.sub("***", _PHONE.sub("***", text))
    for name in sorted({n.strip() for n in names if len(n.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, name[0] + "某" if current_language() == "zh" else "***")
    return text


def event_name(event: Event) -> str:
    """The event's name ending in 活动 exactly once: 政府开放日 → 政府开放日活动."""
    name = chinese_quotes(event.title.strip())
    if current_language() == "zh":
        return name if name.endswith("活动") else name + "活动"
    return name


TITLE_CHARS_PER_LINE = 20  # 2号 (22 pt) characters on the 156 mm line


def title_lines(title: str, unit: str, width: float = TITLE_CHARS_PER_LINE) -> str:
    """The title with a line break where GB/T 9704 (7.2.3) would break it: words whole, lines
    balanced — after the unit, after a quoted name, before 政府开放日 or 活动开展情况, never in the
    middle of a word (示范县税务局“走进税务 感受服务” / 政府开放日活动开展情况). A title that fits one
    line, or one no break can fit on two lines, is left to the word processor."""
    from checkin.officialdoc import text_width_chars

    if text_width_chars(title) <= width:
        return title
    cuts = {len(unit)} if unit and title.startswith(unit) else set()
    cuts |= {m.end() for m in re.finditer("”", title)}
    for word in ("政府开放日", "活动开展情况", "开展情况"):
        cuts |= {m.start() for m in re.finditer(word, title)}
    fitting = [
        (abs(text_width_chars(title[:cut]) - text_width_chars(title[cut:])), cut)
        for cut in cuts
        if 0 < cut < len(title)
        and text_width_chars(title[:cut]) <= width
        and text_width_chars(title[cut:]) <= width
    ]
    if not fitting:
        return title
    cut = min(fitting)[1]
    return title[:cut] + "\n" + title[cut:]


def share_words(share: Fraction) -> str:
    """1/3 → 三分之一 (zh) or one third; other values as a percentage."""
    words = {
        Fraction(1, 3): ("三分之一", "one third"),
        Fraction(1, 2): ("二分之一", "one half"),
        Fraction(1, 4): ("四分之一", "one quarter"),
    }
    if share in words:
        return words[share][0 if current_language() == "zh" else 1]
    return _pct(share)


def _day(day: dt.date | None) -> str:
    if day is None:
        return "—"
    return date_cn(day) if current_language() == "zh" else day.strftime("%d %B %Y").lstrip("0")


def _join(parts: list[str]) -> str:
    return tr("report.list_sep").join(p for p in parts if p)


def photo_caption(path: Path) -> str:
    """A photo's caption from its file name: 01_座谈交流现场.jpg → 座谈交流现场."""
    caption = re.sub(r"^[\d\s._-]+", "", path.stem).replace("_", " ").strip()
    return caption or path.stem


def context(data: ReportData, *, day: dt.date | None = None, html: bool = False) -> dict[str, Any]:
    """Everything a template may use, in words (no stored codes), for .docx and .html alike."""
    event, t = data.event, data.totals
    checks = CheckLabels.for_event_profile(event)
    unit = chinese_quotes(event.organizer or "")
    categories = [
        {
            "label": label("category", f.category),
            "invited": f.invited,
            "arrived": f.arrived,
            "turned_away": f.turned_away,
            "no_show": f.no_show,
            "declined": f.declined,
            "walk_ins": f.walk_ins,
        }
        for f in data.categories
    ]
    by_category = _join(
        [tr("report.people_of", label=c["label"], count=c["arrived"]) for c in categories if c["arrived"]]
    )
    walk_ins = _join(
        [tr("report.people_of", label=c["label"], count=c["walk_ins"]) for c in categories if c["walk_ins"]]
    )
    refused = _join(
        [
            tr("report.people_for", reason=label("verdict", reason), count=count)
            for reason, count in sorted(data.refused_people.items())
            if not (reason in ("check_failed", "id_mismatch") and data.failed_checks)
        ]
    )
    failed = _join(
        [
            tr("report.people_failed", check=checks.name(name), count=count)
            for name, count in sorted(data.failed_checks.items())
        ]
    )
    survey = data.survey
    items = []
    if survey:
        items = [
            {"label": i.label, "rate": _pct(i.satisfaction_rate), "valid": i.valid, "blanks": i.blanks}
            for i in survey.items
        ]
    statuses = Counter(s.status for s in data.suggestions)
    sources = Counter(s.source for s in data.suggestions)
    from_other = sum(n for source, n in sources.items() if source not in ("forum", "survey"))
    suggestions = [
        {
            "number": n,
            "text": chinese_quotes(s.text.strip()).rstrip("。.；;，,"),
            "source": label("source", s.source),
            "department": s.department or "",
            "status": label("suggestion_status", s.status),
            "outcome": label("outcome", s.outcome),
            # the template ends the sentence: a reply's own 。 would make it 。。
            "reason": (s.reason or "").strip().rstrip("。.；;，,"),
            "reply": (s.reply or "").strip().rstrip("。.；;，,"),
            "due": _day(dt.date.fromisoformat(s.due_date)),
        }
        for n, s in enumerate(data.suggestions, start=1)
    ]
    due = data.due
    agenda = [{"item": a.item, "minutes": a.minutes} for a in event.agenda]
    time_text = (
        tr("report.time_range", starts=event.starts, ends=event.ends)
        if event.starts and event.ends
        else (event.starts or "")
    )
    photos = [{"path": p, "caption": photo_caption(p)} for p in data.photos]
    groups = [
        {
            "number": g.number,
            "organization": chinese_quotes(g.organization),
            "applied": g.applied,
            "invited": g.invited,
            "arrived": g.arrived,
        }
        for g in data.groups
    ]
    quotas = [
        {
            "label": q.label,
            "places": q.places,
            "filled": q.filled + q.extra,
            "from_pool": q.extra,
            "takes_place": q.takes_place,
        }
        for q in data.quotas
    ]
    if html:  # the public page: what guests wrote or a file name may carry a name or a number
        for entry in suggestions:
            for key in ("text", "reason", "reply", "department"):
                entry[key] = scrub(str(entry[key]), data.names)
        for photo in photos:
            photo["caption"] = scrub(str(photo["caption"]), data.names)
    return {
        "unit": unit,
        "addressee": tr("report.addressee"),
        "report_title": tr("report.title", unit=unit, name=event_name(event)),
        "report_title_lines": (
            title_lines(tr("report.title", unit=unit, name=event_name(event)), unit)
            if current_language() == "zh"
            else tr("report.title", unit=unit, name=event_name(event))
        ),
        "event_name": event_name(event),
        "theme": inner_quotes(event.theme or ""),
        "date": _day(event.date),
        "time": time_text,
        "location": event.location or "",
        "meeting_point": event.meeting_point or "",
        "places": _join(event.places),
        "agenda": agenda,
        "agenda_text": _join([tr("event.agenda_item", item=a.item, minutes=a.minutes) for a in event.agenda]),
        "capacity": event.capacity,
        "checks": label("check_profile", event.checks) if event.checks_toml is None else checks.profile_label,
        "categories": categories,
        "total": {
            "invited": t.invited,
            "arrived": t.arrived,
            "turned_away": t.turned_away,
            "no_show": t.no_show,
            "declined": t.declined,
            "walk_ins": t.walk_ins,
        },
        "arrived_by_category": by_category,
        "walk_ins_by_category": walk_ins,
        "citizens_present": data.citizens_present,
        "counted_present": data.counted_present,
        "citizen_share": _pct(data.citizen_share),
        "citizen_share_ok": data.citizen_share is not None and data.citizen_share >= event.min_citizen_share,
        "min_share": share_words(event.min_citizen_share),
        "refused": refused,
        "failed_checks": failed,
        "forms": data.forms,
        "return_rate": _pct(data.return_rate),
        "forms_excess": data.forms_excess,
        "overall_rate": _pct(survey.overall_rate) if survey else "—",
        "overall_method": survey.overall_method if survey else "",
        "survey_items": items,
        "suggestions": suggestions,
        "suggestion_count": len(suggestions),
        "from_forum": sources.get("forum", 0),
        "from_forms": sources.get("survey", 0),
        "from_other": from_other,
        # where they came from, the sources with none left out (座谈交流1条、其他渠道1条): the
        # parts always add up to suggestion_count, and no 意见建议征求表0条 reads like a printout
        "suggestion_sources": _join(
            [
                tr(key, count=count)
                for key, count in (
                    ("report.from_forum_n", sources.get("forum", 0)),
                    ("report.from_forms_n", sources.get("survey", 0)),
                    ("report.from_other_n", from_other),
                )
                if count
            ]
        ),
        "suggestion_statuses": _join(
            [
                tr("report.count_of", label=label("suggestion_status", k), count=v)
                for k, v in sorted(statuses.items(), key=lambda kv: _STATUS_ORDER.index(kv[0]))
            ]
        ),
        "followup_days": event.followup_working_days,
        "followup_due": _day(due.followup if due else None),
        "website_days": event.website_due_working_days,
        "website_due": _day(due.website if due else None),
        "report_due": _day(due.report if due else None),
        "calendar_note": (
            tr("report.calendar_note", years=tr("report.list_sep").join(map(str, due.missing_years)))
            if due and due.missing_years
            else ""
        ),
        "groups": groups,
        "group_count": len(groups),
        "group_members": sum(g["applied"] for g in groups),
        "group_invited": sum(g["invited"] for g in groups),
        "group_arrived": sum(g["arrived"] for g in groups),
        "groups_text": _join(
            [
                tr(
                    "report.group_line",
                    organization=g["organization"],
                    applied=g["applied"],
                    invited=g["invited"],
                    arrived=g["arrived"],
                )
                for g in groups
            ]
        ),
        "quotas": quotas,
        "quotas_text": _join(
            [
                tr("report.quota_line", label=q["label"], places=q["places"], filled=q["filled"])
                for q in quotas
            ]
        ),
        "photos": photos,
        "report_date": _day(day or dt.date.today()),
        "html": html,
        **visit_words(data.visit, html=html),
    }


def _late(minutes: int | None) -> str:
    if minutes is None:
        return ""
    if minutes > 0:
        return tr("report.visit.late", minutes=minutes)
    if minutes < 0:
        return tr("report.visit.early", minutes=-minutes)
    return tr("report.visit.on_time")


def visit_words(visit: VisitSummary | None, *, html: bool = False) -> dict[str, Any]:
    """The site visit in words: who attended each stop, who left early and why (counted by
    reason in the document and on the web page alike), the schedule as run against the plan."""
    if visit is None or not any(r.arrived for r in visit.runs):  # no roll was called anywhere
        return {"visit_stops": [], "visit_text": "", "visit_schedule": "", "visit_left": "",
                "visit_forced": ""}  # fmt: skip
    day = visit.day or dt.date.today()
    runs = {r.stop.name: r for r in visit.runs}
    stops = []
    for count in visit.counts:
        run = runs[count.stop.name]
        stops.append(
            {
                "name": count.stop.name,
                "kind": label("stop_kind", count.stop.kind),
                "expected": count.expected,
                "present": count.present,
                "left": count.left_here,
                "planned_arrival": count.stop.arrive,
                "arrived": run.arrived[11:16] if run.arrived else "",
                "planned_departure": count.stop.leave,
                "departed": run.departed[11:16] if run.departed else "",
                "late_arriving": _late(run.late_arriving(day)),
                "late_leaving": _late(run.late_leaving(day)),
            }
        )
    # a stop where nobody called the roll (the visit ended early, or the leader did not) is said
    # so: "应到17人，实到0人" would read as if everyone had missed it
    text = tr(
        "report.visit.stops",
        stops=_join([tr("report.visit.stop", name=v["name"], expected=v["expected"], present=v["present"])
                     if v["arrived"] else tr("report.visit.stop_not_called", name=v["name"])
                     for v in stops]),
    )  # fmt: skip
    ran = [
        tr("report.visit.run", name=v["name"], planned=v["planned_arrival"], arrived=v["arrived"],
           late=v["late_arriving"])
        + (tr("report.visit.run_left", planned=v["planned_departure"], departed=v["departed"],
              late=v["late_leaving"]) if v["departed"] else "")
        for v in stops
        if v["arrived"]
    ]  # fmt: skip
    # each stop's run holds commas of its own: stops are set apart by a semicolon (；)
    runs_text = tr("cli_i18.clause_sep").join(ran)
    schedule = tr("report.visit.schedule", runs=runs_text) if ran else ""
    left = ""
    if visit.left:
        # Counted by reason in the document too: a name beside "unwell" would be health data
        # about a named guest in a file that leaves the office (PIPL); the ledger keeps names.
        reasons = Counter(r.reason for r in visit.left)
        left = tr(
            "report.visit.left_count",
            count=len(visit.left),
            reasons=_join(
                [tr("report.people_of", label=label("leave_reason", k), count=n) for k, n in reasons.items()]
            ),
        )
    forced = _join(
        [tr("report.visit.forced", bus=bus, stop=stop, count=n) if bus
         else tr("report.visit.forced_stop", stop=stop, count=n)
         for stop, bus, n in visit.forced_departures]
    )  # fmt: skip
    return {
        "visit_stops": stops,
        "visit_text": text,
        "visit_schedule": schedule,
        "visit_left": left,
        "visit_forced": tr("report.visit.forced_all", items=forced) if forced else "",
    }


_STATUS_ORDER = list(codes(SuggestionStatus))


# ---------------------------------------------------------------- the chart


def satisfaction_chart(summary: SurveySummary, font: FontChoice) -> bytes:
    """A horizontal bar per item: its 满意率, drawn with the Simplified Chinese face (PNG bytes)."""
    items = [i for i in summary.items if i.satisfaction_rate is not None] or summary.items
    row, top = 80, 110
    title_font = ImageFont.truetype(str(font.path), 40, index=font.index)
    label_font = ImageFont.truetype(str(font.path), 32, index=font.index)
    # the labels' column is as wide as the widest label (an office's own form may ask
    # 对本次活动组织安排的总体评价; English says "Effectiveness of the work"): none is cut at the edge
    widest = max((int(label_font.getlength(i.label)) for i in items), default=0)
    left = max(360, widest + 48)
    width = left + 1040
    height = top + row * max(len(items), 1) + 50
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title = tr("report.chart_title")
    box = draw.textbbox((0, 0), title, font=title_font)
    draw.text(((width - (box[2] - box[0])) // 2, 24), title, font=title_font, fill="black")
    span = width - left - 170
    for n, item in enumerate(items):
        y = top + n * row
        rate = item.satisfaction_rate or 0.0
        box = draw.textbbox((0, 0), item.label, font=label_font)
        draw.text((left - 24 - (box[2] - box[0]), y + 14), item.label, font=label_font, fill="black")
        draw.rectangle((left, y + 12, left + span, y + 58), outline=(170, 170, 170))
        draw.rectangle((left, y + 12, left + int(span * rate), y + 58), fill=(178, 34, 34))
        text = f"{rate:.1%}" if item.satisfaction_rate is not None else "—"
        draw.text((left + span + 14, y + 14), text, font=label_font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- templates


def default_template(suffix: str) -> Path:
    lang = current_language()
    folder = data_dir() / "templates"
    own = folder / f"report.{lang}{suffix}"
    return own if own.is_file() else folder / f"report{suffix}"


def _environment() -> Any:
    # The template may come from anywhere: a sandbox lets it format, never reach Python; a name
    # it misspells is an error (not a blank in an official document); no lorem-ipsum generator.
    # Jinja's own sandbox lets a template call any public method of an object it is given — and
    # the pictures it is given (docxtpl's InlineImage) hold the whole document, whose save()
    # wrote a file anywhere: here a template reads plain data only (text, numbers, lists,
    # tables, the loop), and changes none of it.
    from jinja2 import StrictUndefined
    from jinja2.runtime import LoopContext
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class DataOnly(ImmutableSandboxedEnvironment):
        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if not isinstance(obj, (str, int, float, list, tuple, dict, LoopContext)):
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

    environment = DataOnly(autoescape=True, undefined=StrictUndefined)
    environment.globals.pop("lipsum", None)
    return environment


def _template_error(path: Path, exc: BaseException, *, lines: bool = True) -> CheckinError:
    """The template's fault, said in the user's words (Jinja's own messages are English)."""
    import jinja2
    from jinja2.exceptions import SecurityError

    detail = str(getattr(exc, "message", None) or exc)
    line = getattr(exc, "lineno", None) if lines else None
    if isinstance(exc, SecurityError):
        error = tr("report_r18.unsafe")
    elif isinstance(exc, jinja2.UndefinedError):
        found = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", detail)
        name = next((g for g in found.groups() if g), "?") if found else "?"
        error = tr("report_r18.undefined", name=name)
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        error = tr("report_r18.syntax_line", line=line) if line else tr("report_r18.syntax")
    elif isinstance(exc, jinja2.TemplateError):
        error = tr("report_r18.syntax")
    elif isinstance(exc, UnicodeDecodeError):
        error = tr("report_r18.not_text")
    elif isinstance(exc, OSError):
        error = tr("report_r18.unreadable")
    else:
        error = tr("report_r18.failed")
    return CheckinError("report.template_invalid", path=str(path), error=error)


def write_docx(values: dict[str, Any], path: Path, chart: bytes | None, template: Path) -> None:
    import zipfile

    import jinja2
    from docx.opc.exceptions import PackageNotFoundError
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    from checkin.officialdoc import centre_signature

    try:
        document = DocxTemplate(str(template))
        document.init_docx()
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        error = tr("report_r18.not_docx")
        raise CheckinError("report.template_invalid", path=str(template), error=error) from None
    except OSError as exc:
        raise _template_error(template, exc, lines=False) from None
    values = dict(values)
    values["chart"] = InlineImage(document, io.BytesIO(chart), width=Mm(150)) if chart else ""
    photos = [
        {
            "caption": photo["caption"],
            "number": photo["number"],
            "image": InlineImage(document, io.BytesIO(photo["jpeg"]), width=Mm(110)),
        }
        for photo in values["photos"]
    ]
    values["photos"] = photos
    try:
        document.render(values, jinja_env=_environment(), autoescape=True)
    except (jinja2.TemplateError, ArithmeticError, ValueError, TypeError, KeyError, LookupError) as exc:
        # Anything the template's own expressions raise (1/0, range(10**9), a bad format) is
        # the template's fault, told as such — never a traceback.
        raise _template_error(template, exc, lines=False) from None
    centre_signature(document.docx)
    document.save(str(path))


PHOTO_LONGEST = 1600  # pixels on the longer side: 370 dpi at the document's 110 mm, sharp on a phone


def prepared_photo(path: Path, longest: int = PHOTO_LONGEST) -> bytes:
    """A photo as the document and the page carry it: turned upright, at most `longest` pixels,
    transparency on white, re-encoded as JPEG — so nothing of the camera's metadata (place,
    time, device, owner) goes with it, and any picture Pillow reads (a CMYK or 16-bit one, a
    palette PNG) goes in, not only what Word's own reader knows. A damaged file, or one so large
    it could only be a trap (a "decompression bomb"), is named and refused."""
    import warnings

    from PIL import ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as original:
                original.draft("RGB", (longest, longest))  # a JPEG decodes at a fraction of its size
                picture = ImageOps.exif_transpose(original)
                if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
                    picture = picture.convert("RGBA")
                    white = Image.new("RGBA", picture.size, "white")
                    picture = Image.alpha_composite(white, picture)
                picture = picture.convert("RGB")
    except Image.DecompressionBombError:
        raise CheckinError("report.photo_too_large", path=str(path)) from None
    except (OSError, SyntaxError, ValueError, TypeError):
        raise CheckinError("report.photo_unreadable", path=str(path)) from None
    picture.thumbnail((longest, longest))
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def write_html(values: dict[str, Any], path: Path, chart: bytes | None, template: Path) -> None:
    import jinja2

    def data_uri(data: bytes, mime: str) -> str:
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"

    values = dict(values)
    values["chart"] = data_uri(chart, "image/png") if chart else ""
    values["photos"] = [
        {"caption": p["caption"], "number": p["number"], "src": data_uri(p["jpeg"], "image/jpeg")}
        for p in values["photos"]
    ]
    try:
        source = template.read_text(encoding="utf-8")
        page = _environment().from_string(source).render(values)
    except (
        OSError,
        UnicodeDecodeError,
        jinja2.TemplateError,
        ArithmeticError,
        ValueError,
        TypeError,
        LookupError,
    ) as exc:
        raise _template_error(template, exc) from None
    path.write_text(page, encoding="utf-8")


def write_report(
    db: Database,
    out: str | Path,
    *,
    photos: str | Path | None = None,
    font: str | Path | None = None,
    template: str | Path | None = None,
    day: dt.date | None = None,
) -> Path:
    """Write the report as .docx (official document) or .html (web page); returns the path."""
    path = Path(out)
    suffix = TEMPLATE_SUFFIXES.get(path.suffix.lower())
    if suffix is None:
        raise CheckinError("report.bad_suffix", suffix=path.suffix or "?")
    chosen = Path(template) if template else default_template(suffix)
    if not chosen.is_file():
        raise CheckinError("report.template_missing", path=str(chosen))
    if TEMPLATE_SUFFIXES.get(chosen.suffix.lower()) != suffix:
        raise CheckinError("report.template_kind", path=str(chosen), suffix=suffix)
    data = gather(db, photos)
    # Every photo is read before the output is touched: a damaged or disguised file is named,
    # and no empty report is left behind.
    jpegs = {photo: prepared_photo(photo) for photo in data.photos}
    # A chart only when a form was counted (and only then a Chinese font is needed).
    rated = data.survey is not None and any(i.satisfaction_rate is not None for i in data.survey.items)
    chart = satisfaction_chart(data.survey, find_cjk_font(font)) if data.survey and rated else None
    values = context(data, day=day, html=suffix == ".html")
    first = 2 if chart else 1  # 图1 is the chart when there is one
    values["photos"] = [
        {"caption": p["caption"], "jpeg": jpegs[p["path"]], "number": n}
        for n, p in enumerate(values["photos"], start=first)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)  # guests' names, suggestions, figures: owner-only (0600 on POSIX) like every export
    if suffix == ".docx":
        write_docx(values, path, chart, chosen)
    else:
        write_html(values, path, chart, chosen)
    return path
