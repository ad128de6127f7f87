"""The county's annual table (全县政府开放日活动开展情况): .docx or .xlsx, one line per unit.

Columns: unit, plan filed (on time?), held, invited/came, citizen share, satisfaction, suggestions
closed on time, report on time, posting on time, and the breaches in words; a totals line; then
the units that have not filed a plan or sent results, with contact and phone (county staff call
them — the one place a full phone number is printed).

`county_table` builds the rows once; the .docx and .xlsx writers only lay them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin.county_status import CountyStatus, UnitLine
from checkin.errors import CheckinError
from checkin.i18n import tr

COLUMNS = (
    "unit",
    "planned",
    "held",
    "people",
    "citizen_share",
    "satisfaction",
    "suggestions",
    "report",
    "posting",
    "breaches",
)


@dataclass
class CountyTable:
    title: str
    header: list[str]
    rows: list[list[str]]
    totals: list[str]
    missing_header: list[str]
    missing: list[list[str]]
    notes: list[str]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return "—"
    return tr("county.yes") if value else tr("county.no")


def _line(u: UnitLine) -> list[str]:
    if u.planned:
        planned = tr("county.cell.planned", on=_yes_no(u.plan_on_time))
    else:
        planned = tr("county.cell.not_planned")
    people = f"{u.invited}/{u.came}" if u.results else "—"
    suggestions = f"{u.closed_on_time}/{u.suggestions}" if u.results else "—"
    return [
        u.unit.name,
        planned,
        _yes_no(u.held) if u.results else tr("county.no"),
        people,
        _pct(u.citizen_share),
        _pct(u.satisfaction),
        suggestions,
        _yes_no(u.report_on_time),
        _yes_no(u.posting_on_time),
        "；".join(u.breach_texts()) or tr("county.none"),
    ]


def county_table(status: CountyStatus) -> CountyTable:
    totals = status.totals
    title = tr("county.report_title", year=status.year, county=status.name or "")
    header = [tr(f"county.col.{c}") for c in COLUMNS]
    rows = [_line(u) for u in status.units]
    total_line = [
        tr("county.total", units=totals["units"]),
        str(totals["planned"]),
        str(totals["held"]),
        f"{totals['invited']}/{totals['came']}",
        _pct(totals["citizen_share"]),
        _pct(totals["satisfaction"]),
        f"{totals['suggestions_closed_on_time']}/{totals['suggestions']}",
        str(totals["reports_on_time"]),
        str(totals["postings_on_time"]),
        tr("county.total_breaches", units=totals["units_with_breaches"], count=totals["breaches"]),
    ]
    missing_header = [
        tr("county.col.unit"),
        tr("county.col.missing"),
        tr("county.col.contact"),
        tr("county.col.phone"),
    ]
    missing = [
        [
            u.unit.name,
            "、".join(tr(f"county.missing.{m}") for m in u.missing),
            u.unit.contact or "—",
            u.unit.phone or "—",
        ]
        for u in status.missing
    ]
    notes = [
        tr("county.note_as_of", as_of=status.as_of.isoformat()),
        tr("county.note_columns"),
    ]
    if status.calendar_missing:
        notes.append(tr("workdays.fallback", years=", ".join(map(str, status.calendar_missing))))
    return CountyTable(title, header, rows, total_line, missing_header, missing, notes)


def write_xlsx(table: CountyTable, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    def safe(value: str) -> str:
        # a unit name or a breach never becomes a formula
        return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = tr("county.sheet_units")[:31]
    sheet.append([table.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(table.header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([safe(v) for v in row])
    sheet.append([safe(v) for v in table.totals])
    for total_cell in sheet[sheet.max_row]:
        total_cell.font = Font(bold=True)
    widths = (18, 12, 8, 10, 12, 10, 12, 10, 10, 70)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    for cells in sheet.iter_rows(min_row=3):
        cells[-1].alignment = Alignment(wrap_text=True, vertical="top")
    for note in table.notes:
        sheet.append([note])
    missing = book.create_sheet(tr("county.sheet_missing")[:31])
    missing.append(table.missing_header)
    for row in table.missing:
        missing.append([safe(v) for v in row])
    for index, width in enumerate((18, 20, 12, 16)):
        missing.column_dimensions[chr(ord("A") + index)].width = width
    book.save(path)


def _east_asian(run: Any, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def write_docx(table: CountyTable, path: Path, status: CountyStatus) -> None:
    """A4 landscape (the table is wide), GB/T 9704 fonts: 小标宋 title, 仿宋 body, 黑体 headings."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin = section.right_margin = Mm(20)

    def paragraph(text: str, *, size: float, font: str, bold: bool = False, center: bool = False) -> None:
        p = doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.name = font
        run.bold = bold
        _east_asian(run, font)

    paragraph(table.title, size=22, font="方正小标宋简体", center=True)
    intro = tr(
        "county.report_intro",
        year=status.year,
        units=len(status.units),
        planned=status.totals["planned"],
        held=status.totals["held"],
        came=status.totals["came"],
    )
    paragraph(intro, size=16, font="仿宋_GB2312")

    def grid(header: list[str], rows: list[list[str]], bold_last: bool = False) -> None:
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = ""
            run = cell.paragraphs[0].add_run(text)
            run.bold = True
            run.font.size = Pt(10.5)
            run.font.name = "黑体"
            _east_asian(run, "黑体")
        for n, values in enumerate(rows):
            cells = t.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                run = cell.paragraphs[0].add_run(text)
                run.font.size = Pt(10.5)
                run.font.name = "仿宋_GB2312"
                run.bold = bold_last and n == len(rows) - 1
                _east_asian(run, "仿宋_GB2312")

    paragraph(tr("county.heading_units"), size=16, font="黑体")
    grid(table.header, [*table.rows, table.totals], bold_last=True)
    paragraph(tr("county.heading_missing"), size=16, font="黑体")
    if table.missing:
        grid(table.missing_header, table.missing)
    else:
        paragraph(tr("county.none_missing"), size=16, font="仿宋_GB2312")
    for note in table.notes:
        paragraph(note, size=12, font="仿宋_GB2312")
    signature = status.office or tr("county.office_default")
    today = dt.date.today()
    for text in (signature, tr("county.day_full", y=today.year, m=today.month, d=today.day)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = p.add_run(text)
        run.font.size = Pt(16)
        run.font.name = "仿宋_GB2312"
        _east_asian(run, "仿宋_GB2312")
    doc.save(str(path))


def write_county_report(status: CountyStatus, out: str | Path) -> Path:
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise CheckinError("county.report_suffix", suffix=suffix or "—")
    path.parent.mkdir(parents=True, exist_ok=True)
    table = county_table(status)
    tmp = path.with_name(path.stem + ".tmp" + suffix)
    if suffix == ".docx":
        write_docx(table, tmp, status)
    else:
        write_xlsx(table, tmp)
    tmp.replace(path)
    return path
