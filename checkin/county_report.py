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

from checkin.county_status import CountyStatus, UnitLine
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.textcheck import private_file, safe_cell

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
        planned = tr("county.cell.planned_on_time" if u.plan_on_time else "county.cell.planned_late")
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
        tr("county.breach_sep").join(u.breach_texts()) or tr("county.none"),
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
            tr("labels.list_sep").join(tr(f"county.missing.{m}") for m in u.missing),
            u.unit.contact or "—",
            u.unit.phone or "—",
        ]
        for u in status.missing
    ]
    notes = [
        # an official document writes the day 2026年12月31日 (GB/T 9704), not 2026-12-31
        tr("county.note_as_of_doc", as_of=_long_date(status.as_of)),
        tr("county.note_columns"),
    ]
    if status.calendar_missing:
        notes.append(tr("workdays.fallback", years=", ".join(map(str, status.calendar_missing))))
    return CountyTable(title, header, rows, total_line, missing_header, missing, notes)


def _long_date(day: dt.date) -> str:
    from checkin.i18n import current_language
    from checkin.officialdoc import date_cn

    return date_cn(day) if current_language() == "zh" else day.isoformat()


def write_xlsx(table: CountyTable, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.properties import PageSetupProperties

    def safe(value: str) -> str:
        # a unit name or a breach never becomes a formula
        return str(safe_cell(value))

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = tr("county.sheet_units")[:31]
    sheet.append([safe(table.title)])  # the county's own name, as typed
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
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, cells in enumerate(sheet.iter_rows(min_row=3), start=3):
        # wrapped text needs its height: about 40 characters a line in the breaches column
        lines = max(-(-len(str(cells[-1].value or "")) // 40), 1)
        sheet.row_dimensions[index].height = 15 * lines
    for note in table.notes:
        sheet.append([safe(note)])
    # printed as the county files it: landscape A4, all columns on one page width, the header
    # row repeated on every page; on screen the unit column and the header stay in view
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = "2:2"
    sheet.freeze_panes = "B3"
    missing = book.create_sheet(tr("county.sheet_missing")[:31])
    missing.append(table.missing_header)
    for row in table.missing:
        missing.append([safe(v) for v in row])
    for index, width in enumerate((18, 20, 12, 16)):
        missing.column_dimensions[chr(ord("A") + index)].width = width
    book.save(path)


def write_docx(table: CountyTable, path: Path, status: CountyStatus) -> None:
    """An official document (GB/T 9704, via checkin.officialdoc): title, the figures in words, the
    breaches unit by unit, the units still missing with contact and phone, the signature; then
    the table itself as an annex on a landscape page (附件, 横排表格)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Mm

    from checkin import officialdoc as od

    totals = status.totals
    doc = od.new_document()
    # 标题回行: broken where the words allow and both lines stay balanced (GB/T 9704 7.3.3)
    od.add_title(doc, tr("county.report_title_lines", year=status.year, county=status.name or ""))
    od.add_body(
        doc,
        tr(
            "county.report_intro",
            year=status.year,
            units=totals["units"],
            planned=totals["planned"],
            held=totals["held"],
            came=totals["came"],
        ),
    )
    od.add_heading1(doc, tr("county.heading_overall"))
    od.add_body(
        doc,
        tr(
            "county.report_overall",
            on_time=sum(1 for u in status.units if u.plan_on_time),
            share=_pct(totals["citizen_share"]),
            satisfaction=_pct(totals["satisfaction"]),
            closed=totals["suggestions_closed_on_time"],
            suggestions=totals["suggestions"],
            overdue=totals["suggestions_overdue"],
            reports=totals["reports_on_time"],
            postings=totals["postings_on_time"],
        ),
    )
    od.add_heading1(doc, tr("county.heading_breaches"))
    with_breaches = [u for u in status.units if u.breaches]
    for line in with_breaches:
        texts = tr("county.breach_sep").join(line.breach_texts())
        od.add_body(doc, tr("county.breach_para", unit=line.unit.name, text=texts))
    if not with_breaches:
        od.add_body(doc, tr("county.no_breaches"))
    od.add_heading1(doc, tr("county.heading_missing"))
    if table.missing:
        od.add_table(doc, table.missing_header, table.missing)
    else:
        od.add_body(doc, tr("county.none_missing"))
    for note in table.notes:
        od.add_body(doc, note)
    od.add_signature(doc, status.office or tr("county.office_default"), dt.date.today())

    annex = doc.add_section(WD_SECTION.NEW_PAGE)
    annex.orientation = WD_ORIENT.LANDSCAPE
    annex.page_width, annex.page_height = Mm(od.PAGE_HEIGHT_MM), Mm(od.PAGE_WIDTH_MM)
    # the portrait margins turned with the page: 天头 on the left, 订口 at the bottom
    annex.left_margin, annex.right_margin = Mm(od.TOP_MM), Mm(od.BOTTOM_MM)
    annex.top_margin, annex.bottom_margin = Mm(od.RIGHT_MM), Mm(od.LEFT_MM)
    od.add_body(doc, tr("county.annex"))
    od.add_title(doc, tr("county.annex_title", year=status.year))
    # one breach a line in the annex's last column, easier to read than a run of semicolons
    rows = [
        [*row[:-1], "\n".join(line.breach_texts()) or row[-1]]
        for row, line in zip(table.rows, status.units, strict=True)
    ]
    grid = od.add_table(doc, table.header, [*rows, table.totals])
    grid.autofit = False
    width = od.PAGE_HEIGHT_MM - od.TOP_MM - od.BOTTOM_MM  # the turned type area, 225 mm
    # 小4号 is 4.2 mm a character, plus 3.8 mm of cell margins: 2 characters a line for 已举办,
    # "100.0%" on one line; the breaches get what is left (74 mm, 17 characters a line)
    widths = [24, 17, 13, 17, 17, 20, 17, 13, 13]
    widths.append(width - sum(widths))  # the breaches get what is left
    for column, mm in zip(grid.columns, widths, strict=True):
        column.width = Mm(mm)  # the table grid, which LibreOffice and WPS follow
    for row in grid.rows:
        for cell, mm in zip(row.cells, widths, strict=True):
            cell.width = Mm(mm)
    for row in list(grid.rows)[1:]:
        # a unit's line stays on one page (the header row repeats above it)
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        row.cells[-1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.LEFT  # breaches read as text
    doc.save(str(path))


def write_county_report(status: CountyStatus, out: str | Path) -> Path:
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise CheckinError("county.report_suffix", suffix=suffix or "—")
    path.parent.mkdir(parents=True, exist_ok=True)
    table = county_table(status)
    tmp = path.with_name(path.stem + ".tmp" + suffix)
    private_file(tmp)  # unit contacts and phones: owner only (0600 on POSIX)
    if suffix == ".docx":
        write_docx(table, tmp, status)
    else:
        write_xlsx(table, tmp)
    tmp.replace(path)
    return path
