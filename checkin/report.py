"""The report for the county office (活动开展情况): .docx (Word, WPS, LibreOffice) or .html.

Event facts and agenda; invited / arrived / no-show / declined per category; the citizen
share; the entry-check outcomes; the satisfaction results with a chart; the suggestions with
their status and due dates; photos; and the date the report is due at the county office.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont
from sqlite_utils import Database

from checkin.board import build_board
from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.event import CHECK_PROFILES, Event, load_event
from checkin.fonts import FontChoice, find_cjk_font
from checkin.i18n import tr
from checkin.ledger import Suggestion, due_date, list_suggestions
from checkin.survey import SurveySummary, summarise

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass
class CategoryFigures:
    category: str
    invited: int = 0
    arrived: int = 0
    no_show: int = 0
    declined: int = 0


@dataclass
class ReportData:
    event: Event
    categories: list[CategoryFigures] = field(default_factory=list)
    citizen_share: float | None = None
    refusals: dict[str, int] = field(default_factory=dict)
    failed_checks: dict[str, int] = field(default_factory=dict)
    survey: SurveySummary | None = None
    suggestions: list[Suggestion] = field(default_factory=list)
    followup_due: dt.date | None = None
    calendar_warning: list[int] = field(default_factory=list)
    report_due: dt.date | None = None
    photos: list[Path] = field(default_factory=list)

    @property
    def totals(self) -> CategoryFigures:
        total = CategoryFigures("total")
        for line in self.categories:
            total.invited += line.invited
            total.arrived += line.arrived
            total.no_show += line.no_show
            total.declined += line.declined
        return total


def gather(db: Database, photos: str | Path | None = None) -> ReportData:
    event = load_event(db)
    data = ReportData(event)
    figures = {c.code: CategoryFigures(c.code) for c in event.category_list()}
    arrived = {
        r[0]
        for r in db.execute("SELECT number FROM checkins WHERE annulled_at IS NULL AND duplicate_of IS NULL")
    }
    for number, category, status in db.execute("SELECT number, category, status FROM people"):
        line = figures.setdefault(category, CategoryFigures(category))
        if status == "invited":
            line.invited += 1
            if number in arrived:
                line.arrived += 1
            else:
                line.no_show += 1
        elif status == "declined":
            line.declined += 1
    data.categories = [f for f in figures.values() if f.invited or f.declined]
    board = build_board(db)
    data.citizen_share = float(board.citizen_share) if board.citizen_share is not None else None
    data.refusals = dict(
        Counter(
            r[0]
            for r in db.execute("SELECT reason FROM scans WHERE verdict = 'refused' AND reason IS NOT NULL")
        )
    )
    data.failed_checks = dict(
        Counter(r[0] for r in db.execute("SELECT name FROM check_results WHERE passed = 0"))
    )
    data.survey = summarise(db)
    data.suggestions = list_suggestions(db)
    data.followup_due, data.calendar_warning = due_date(db)
    data.report_due = event.date + dt.timedelta(days=event.report_due_days)
    if photos:
        folder = Path(photos)
        if not folder.is_dir():
            raise CheckinError("report.photos_missing", path=str(folder))
        data.photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in PHOTO_SUFFIXES)
    return data


def satisfaction_chart(summary: SurveySummary, font: FontChoice) -> bytes:
    """A horizontal bar per item: its 满意率, drawn with a CJK font (PNG bytes)."""
    items = [i for i in summary.items if i.satisfaction_rate is not None] or summary.items
    width, row, left, top = 1200, 70, 330, 90
    height = top + row * max(len(items), 1) + 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.truetype(str(font.path), 34, index=font.index)
    label_font = ImageFont.truetype(str(font.path), 28, index=font.index)
    draw.text((30, 20), tr("report.chart_title"), font=title_font, fill="black")
    span = width - left - 140
    for n, item in enumerate(items):
        y = top + n * row
        rate = item.satisfaction_rate or 0.0
        draw.text((30, y + 12), item.label, font=label_font, fill="black")
        draw.rectangle((left, y + 10, left + span, y + 50), outline=(200, 200, 200))
        draw.rectangle((left, y + 10, left + int(span * rate), y + 50), fill=(46, 139, 87))
        text = f"{rate:.1%}" if item.satisfaction_rate is not None else "—"
        draw.text((left + span + 12, y + 12), text, font=label_font, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _pct(value: float | None) -> str:
    return f"{value:.1%}" if value is not None else "—"


def _facts(event: Event) -> list[tuple[str, str]]:
    checks = tr(f"checks.{event.checks}") if event.checks in CHECK_PROFILES else event.checks
    time = f"{event.date.isoformat()} {event.starts or ''}–{event.ends or ''}".strip()
    rows = [
        (tr("event.f.theme"), event.theme or event.title),
        (tr("event.f.organizer"), event.organizer or ""),
        (tr("event.f.time"), time),
        (tr("event.f.location"), event.location or ""),
        (tr("event.f.meeting_point"), event.meeting_point or ""),
        (tr("event.f.places"), "、".join(event.places)),
        (
            tr("event.f.agenda"),
            "；".join(tr("event.agenda_item", item=a.item, minutes=a.minutes) for a in event.agenda),
        ),
        (tr("event.f.capacity"), str(event.capacity)),
        (tr("event.f.checks"), checks),
    ]
    return [(k, v) for k, v in rows if v]


def _attendance_table(data: ReportData) -> tuple[list[str], list[list[str]]]:
    header = [
        tr("app.col.category"),
        tr("report.invited"),
        tr("report.arrived"),
        tr("report.no_show"),
        tr("report.declined"),
    ]
    body = [
        [category_label(f.category), str(f.invited), str(f.arrived), str(f.no_show), str(f.declined)]
        for f in data.categories
    ]
    t = data.totals
    body.append([tr("app.board_total"), str(t.invited), str(t.arrived), str(t.no_show), str(t.declined)])
    return header, body


def _survey_table(summary: SurveySummary) -> tuple[list[str], list[list[str]]]:
    header = [tr("app.col.item"), tr("report.valid"), tr("survey.blank"), tr("survey.rate")]
    body = [[i.label, str(i.valid), str(i.blanks), _pct(i.satisfaction_rate)] for i in summary.items]
    return header, body


def _suggestion_table(data: ReportData) -> tuple[list[str], list[list[str]]]:
    header = [tr(f"ledger.col.{c}") for c in ("number", "text", "department", "status", "due_date")]
    body = [
        [s.number, s.text, s.department or "—", tr(f"ledger.status.{s.status}"), s.due_date]
        for s in data.suggestions
    ]
    return header, body


def _summary_lines(data: ReportData) -> list[str]:
    t = data.totals
    lines = [
        tr(
            "report.line_attendance",
            invited=t.invited,
            arrived=t.arrived,
            no_show=t.no_show,
            declined=t.declined,
        ),
        tr("report.line_share", share=_pct(data.citizen_share)),
    ]
    if data.refusals or data.failed_checks:
        refusals = "、".join(f"{tr('verdict.' + k)} {v}" for k, v in sorted(data.refusals.items()))
        failed = "、".join(f"{k} {v}" for k, v in sorted(data.failed_checks.items()))
        lines.append(tr("report.line_checks", refusals=refusals or "—", failed=failed or "—"))
    else:
        lines.append(tr("report.line_no_refusals"))
    if data.survey:
        s = data.survey
        lines.append(
            tr(
                "report.line_survey",
                counted=s.forms_counted,
                rate=_pct(s.return_rate),
                overall=_pct(s.overall_rate),
                method=s.overall_method,
            )
        )
    status_counts = Counter(s.status for s in data.suggestions)
    lines.append(
        tr(
            "report.line_suggestions",
            count=len(data.suggestions),
            statuses="、".join(f"{tr('ledger.status.' + k)} {v}" for k, v in sorted(status_counts.items()))
            or "—",
            due=data.followup_due.isoformat() if data.followup_due else "—",
        )
    )
    if data.calendar_warning:
        lines.append(tr("workdays.fallback", years=", ".join(map(str, data.calendar_warning))))
    lines.append(tr("report.line_due", due=data.report_due.isoformat() if data.report_due else "—"))
    return lines


# ---------------------------------------------------------------- .docx


def _east_asian(run_or_style: Any, name: str) -> None:
    from docx.oxml.ns import qn

    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def write_docx(data: ReportData, path: Path, chart: bytes | None) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = document.styles[style_name]
        style.font.name = "SimSun" if style_name == "Normal" else "SimHei"
        _east_asian(style, "宋体" if style_name == "Normal" else "黑体")
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(tr("report.title", title=data.event.title), level=0)
    for line in _summary_lines(data):
        document.add_paragraph(line)

    def table(header: list[str], body: list[list[str]]) -> None:
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values in body:
            cells = grid.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                cell.text = text

    document.add_heading(tr("report.h_event"), level=1)
    table([tr("report.field"), tr("report.value")], [[k, v] for k, v in _facts(data.event)])
    document.add_heading(tr("report.h_attendance"), level=1)
    table(*_attendance_table(data))
    document.add_heading(tr("report.h_survey"), level=1)
    if data.survey:
        table(*_survey_table(data.survey))
    if chart:
        document.add_picture(io.BytesIO(chart), width=Cm(15))
    document.add_heading(tr("report.h_suggestions"), level=1)
    if data.suggestions:
        table(*_suggestion_table(data))
    else:
        document.add_paragraph(tr("report.no_suggestions"))
    if data.photos:
        document.add_heading(tr("report.h_photos"), level=1)
        for photo in data.photos:
            document.add_picture(str(photo), width=Cm(15))
            document.add_paragraph(photo.name)
    document.save(str(path))


# ---------------------------------------------------------------- .html


def write_html(data: ReportData, path: Path, chart: bytes | None) -> None:
    e = html.escape

    def table(header: list[str], body: list[list[str]]) -> str:
        head = "".join(f"<th>{e(h)}</th>" for h in header)
        rows = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in body)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"

    def image(data_bytes: bytes, mime: str, alt: str) -> str:
        return f'<img alt="{e(alt)}" src="data:{mime};base64,{base64.b64encode(data_bytes).decode()}">'

    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(tr('report.title', title=data.event.title))}</title>",
        "<style>body{font-family:'Microsoft YaHei','PingFang SC','Noto Sans CJK SC',sans-serif;"
        "max-width:60em;"
        "margin:2em auto;line-height:1.6}table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #999;padding:.3em .6em}img{max-width:100%}</style></head><body>",
        f"<h1>{e(tr('report.title', title=data.event.title))}</h1>",
        *(f"<p>{e(line)}</p>" for line in _summary_lines(data)),
        f"<h2>{e(tr('report.h_event'))}</h2>",
        table([tr("report.field"), tr("report.value")], [[k, v] for k, v in _facts(data.event)]),
        f"<h2>{e(tr('report.h_attendance'))}</h2>",
        table(*_attendance_table(data)),
        f"<h2>{e(tr('report.h_survey'))}</h2>",
    ]
    if data.survey:
        parts.append(table(*_survey_table(data.survey)))
    if chart:
        parts.append(image(chart, "image/png", tr("report.chart_title")))
    parts.append(f"<h2>{e(tr('report.h_suggestions'))}</h2>")
    parts.append(
        table(*_suggestion_table(data)) if data.suggestions else f"<p>{e(tr('report.no_suggestions'))}</p>"
    )
    if data.photos:
        parts.append(f"<h2>{e(tr('report.h_photos'))}</h2>")
        for photo in data.photos:
            mime = "image/png" if photo.suffix.lower() == ".png" else "image/jpeg"
            parts.append(
                f"<figure>{image(photo.read_bytes(), mime, photo.name)}"
                f"<figcaption>{e(photo.name)}</figcaption></figure>"
            )
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")


def write_report(
    db: Database, out: str | Path, *, photos: str | Path | None = None, font: str | Path | None = None
) -> Path:
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".html", ".htm"):
        raise CheckinError("report.bad_suffix", suffix=suffix or "?")
    data = gather(db, photos)
    chart = satisfaction_chart(data.survey, find_cjk_font(font)) if data.survey else None
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".docx":
        write_docx(data, path, chart)
    else:
        write_html(data, path, chart)
    return path
