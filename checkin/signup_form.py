"""The registration form to send out (报名表): .docx or .xlsx, in exactly the shape the import reads.

Each box is a label cell with an empty value cell to its right; filled in and sent back as
`活动报名+姓名.docx`, it imports as it is (`checkin import FOLDER`).
"""

from __future__ import annotations

import errno
import unicodedata
from pathlib import Path

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.event import Event, load_event
from checkin.i18n import listing, tr
from checkin.idcard import DOCUMENT_TYPES
from checkin.textcheck import is_email, safe_cell


def form_rows() -> list[list[str]]:
    """The boxes, two label/value pairs a row ("" = a value cell to fill in)."""
    return [
        ["姓名", "", "性别", ""],
        ["证件类型", "", "证件号码", ""],
        [tr("signup_form.label_birth_date"), "", "联系电话", ""],
        [tr("signup_form.label_organization"), "", "", ""],
        [tr("signup_form.label_category"), "", tr("signup_form.label_email"), ""],
    ]


def form_text(event: Event, send_to: str | None, suffix: str = ".docx") -> tuple[str, list[str], list[str]]:
    """Title, lines above the boxes, lines below them (`suffix`: the form's, for the file-name example)."""
    when = event.date.isoformat()
    hours = f" {event.starts}-{event.ends}" if event.starts and event.ends else ""
    above = [tr("signup_form.intro", date=when, time=hours, location=event.location or "")]
    if event.signup_deadline:
        above.append(tr("signup_form.deadline", deadline=event.signup_deadline))
    example = f"活动报名+张三{suffix}"
    above.append(
        tr("signup_form.send", address=send_to, example=example)
        if send_to
        else tr("signup_form.send_no_address", example=example)
    )
    below = [
        tr("signup_form.documents", types=listing(tr(f"idtype.{c}") for c in DOCUMENT_TYPES)),
        tr("signup_form.categories", categories=listing(c.label() for c in event.category_list())),
        tr("signup_form.privacy"),
    ]
    return tr("signup_form.title", title=event.title), above, below


def _write_docx(path: Path, title: str, above: list[str], below: list[str]) -> None:
    from docx import Document
    from docx.enum.table import WD_ROW_HEIGHT_RULE
    from docx.shared import Cm

    document = Document()
    document.add_heading(title, level=1)
    for line in above:
        document.add_paragraph(line)
    rows = form_rows()
    table = document.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        table.rows[r].height = Cm(1.1)  # room to write by hand on a printed form
        table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
            table.cell(r, c).width = Cm(3.2 if c % 2 == 0 else 5.0)
    # 工作单位及职务 takes the whole row after its label
    merged = table.cell(3, 1).merge(table.cell(3, 3))
    merged.text = ""  # one empty paragraph to type into, not the three the merge leaves
    document.add_paragraph()
    for line in below:
        document.add_paragraph(line)
    document.save(str(path))


_LINE_WIDTH = 90  # what one row of the four merged columns shows, in half-width characters


def choices(event: Event) -> dict[str, list[str]]:
    """The values a box offers in the .xlsx form's drop-down list, by the box's label."""
    return {
        "证件类型": [tr(f"idtype.{c}") for c in DOCUMENT_TYPES],
        tr("signup_form.label_category"): [c.label() for c in event.category_list()],
        "性别": ["男", "女"],
    }


def _drop_down(values: list[str]) -> str | None:
    """An Excel list's formula ("a,b,c"), or None when the values cannot be one (a comma or a
    quote in them, or over Excel's 255 characters)."""
    if any("," in v or '"' in v for v in values):
        return None
    formula = '"' + ",".join(values) + '"'
    return formula if len(formula) <= 255 else None


def _write_xlsx(
    path: Path, title: str, above: list[str], below: list[str], lists: dict[str, list[str]] | None = None
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.properties import PageSetupProperties

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名表"
    sheet.append([safe_cell(title)])  # the event's title, as typed: text, never a formula
    sheet.merge_cells("A1:D1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.row_dimensions[1].height = 24

    def line_row(line: str) -> None:
        """A line of text across the four columns, wrapped, its row tall enough to show it all
        (Excel does not grow a merged row by itself)."""
        sheet.append([safe_cell(line)])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        sheet.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        sheet.row_dimensions[row].height = 16 * max(1, -(-width // _LINE_WIDTH))

    for line in above:
        line_row(line)
    sheet.append([])
    thin = Side(style="thin")
    for cells in form_rows():
        sheet.append(cells)
        row = sheet.max_row
        sheet.row_dimensions[row].height = 30  # room to write by hand on a printed form
        for column in range(1, 5):
            cell = sheet.cell(row=row, column=column)
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if column % 2 == 0:
                cell.number_format = "@"  # text: an ID number typed here stays a text, not 1.1E+17
                formula = _drop_down((lists or {}).get(cells[column - 2], []))
                if formula is not None:
                    # a drop-down of the values the import knows; anything else typed is only warned
                    offer = DataValidation(type="list", formula1=formula, allow_blank=True)
                    offer.errorStyle = "warning"
                    offer.add(cell)
                    sheet.add_data_validation(offer)
    sheet.merge_cells(start_row=sheet.max_row - 1, start_column=2, end_row=sheet.max_row - 1, end_column=4)
    sheet.append([])
    for line in below:
        line_row(line)
    for letter, width in zip("ABCD", (28, 30, 16, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    # printed to fill in by hand: one A4 page wide, upright, the four columns only
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_area = f"A1:D{sheet.max_row}"
    book.save(str(path))


def write_signup_form(db: Database, out: str | Path, *, send_to: str | None = None) -> Path:
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".xlsx"):
        raise CheckinError("signup_form.unsupported", suffix=suffix or "?")
    if send_to is not None:
        send_to = send_to.strip()
        if not is_email(send_to):
            raise CheckinError(
                "signup_form.bad_address", address=send_to.encode("unicode_escape").decode()[:80]
            )
    event = load_event(db)
    title, above, below = form_text(event, send_to, suffix)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".docx":
            _write_docx(path, title, above, below)
        else:
            _write_xlsx(path, title, above, below, choices(event))
    except OSError as exc:
        raise _write_error(exc, path) from None
    return path


def _write_error(exc: OSError, path: Path) -> CheckinError:
    """Why the form could not be written, in words (not the system's English)."""
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return CheckinError("signup_form.is_folder", path=str(path))
    if isinstance(exc, FileNotFoundError | NotADirectoryError | FileExistsError):
        return CheckinError("signup_form.no_folder", path=str(path))
    if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return CheckinError("signup_form.no_permission", path=str(path))
    if exc.errno == errno.ENOSPC:
        return CheckinError("signup_form.disk_full", path=str(path))
    return CheckinError("signup_form.cannot_write", path=str(path))
