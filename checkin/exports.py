"""Exports for the office and the county: attendance (签到表), no-shows, the suggestions ledger.

CSV is UTF-8 with a BOM so Chinese Excel opens it correctly; XLSX via openpyxl. Column
headers follow the chosen language. ID numbers are masked in every export, phones too except
in the no-show list (未到.csv), which is the call list staff phone the no-shows from; every
export is written owner-only (0600).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin.board import turned_away
from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.labels import CheckLabels
from checkin.ledger import list_suggestions
from checkin.phone import mask_phone
from checkin.textcheck import private_file, safe_cell
from checkin.vocab import PersonStatus

ATTENDANCE_COLUMNS = (
    "number",
    "name",
    "category",
    "organization",
    "phone",
    "id",
    "status",
    "checked_in_at",
    "station",
    "checks",
)
LEDGER_COLUMNS = (
    "number",
    "text",
    "source",
    "raised_by",
    "category",
    "department",
    "handed_over_at",
    "due_date",
    "status",
    "outcome",
    "reason",
    "reply",
    "replied_at",
    "urgency",
)


def attendance_status(status: str, admitted: bool, refused: bool) -> str:
    """One person's line in an attendance list: arrived (in), turned_away (came, refused and
    never admitted: 到场未入场, not a no-show — board.turned_away), no_show (invited, never seen),
    else their status (declined, waiting). The one home for the attendance export and the
    results file."""
    if admitted:
        return "arrived"
    if status == PersonStatus.INVITED:
        return "turned_away" if refused else "no_show"
    return status


def attendance_rows(db: Database, *, only_no_shows: bool = False) -> list[dict[str, Any]]:
    """Everyone invited, declined or waiting, with arrival and check results.

    The no-show list is a call list: its phone numbers are in full (the attendance sheet
    masks them)."""
    words = CheckLabels.for_event(db)
    checks: dict[str, list[str]] = {}
    for number, name, value in db.execute(
        "SELECT c.number, r.name, r.value FROM check_results r "
        "JOIN live_checkins c ON c.uid = r.checkin_uid ORDER BY r.id"
    ):
        checks.setdefault(number, []).append(words.result(name, value))
    rows = []
    refused = turned_away(db)
    for row in db.query(
        "SELECT p.number, p.name, p.category, p.organization, p.phone, p.id_masked, p.status, "
        "c.at, c.station FROM people p LEFT JOIN live_checkins c ON c.number = p.number "
        "WHERE p.status IN ('invited', 'declined', 'waiting') "
        "ORDER BY p.status != 'invited', p.queue_pos, p.seq"
    ):
        status = attendance_status(row["status"], bool(row["at"]), row["number"] in refused)
        if only_no_shows and status != "no_show":
            continue
        rows.append(
            {
                "number": row["number"],
                "name": row["name"],
                "category": category_label(row["category"]),
                "organization": row["organization"] or "",
                "phone": (row["phone"] or "") if only_no_shows else mask_phone(row["phone"] or ""),
                "id": row["id_masked"],
                "status": tr(f"export.status.{status}"),
                "checked_in_at": (row["at"] or "")[:19].replace("T", " "),
                "station": row["station"] or "",
                "checks": tr("labels.list_sep").join(checks.get(row["number"], [])),
            }
        )
    return rows


def ledger_rows(db: Database) -> list[dict[str, Any]]:
    rows = []
    for s in list_suggestions(db):
        data = s.to_json()
        data["status"] = tr(f"ledger.status.{s.status}")
        data["outcome"] = tr(f"ledger.outcome.{s.outcome}") if s.outcome else ""
        data["source"] = tr(f"ledger.source.{s.source}")
        data["urgency"] = tr(f"ledger.urgency.{s.urgency}")
        data["raised_by"] = s.raised_by or tr("ledger.anonymous")
        rows.append({k: data.get(k) or "" for k in LEDGER_COLUMNS})
    return rows


def write_table(
    path: str | Path, columns: Sequence[str], rows: list[dict[str, Any]], header_prefix: str
) -> Path:
    """CSV (UTF-8 with BOM) or XLSX, by the file's suffix; headers translated."""
    path = Path(path)
    headers = [tr(f"{header_prefix}.{c}") for c in columns]
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise CheckinError("export.bad_suffix", suffix=suffix or "?")
    # every cell stays a string: a leading = + - @ (a formula) gets a quote, control characters go
    rows = [{c: safe_cell(row[c]) for c in columns} for row in rows]
    private_file(path)
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh)
            writer.writerow(headers)
            writer.writerows([[row[c] for c in columns] for row in rows])
    elif suffix == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row[c] for c in columns])
        for index, column in enumerate(columns, start=1):
            width = max([len(str(headers[index - 1])) * 2, *(len(str(r[column])) for r in rows)])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
        book.save(path)
    return path


def export_attendance(db: Database, path: str | Path, *, only_no_shows: bool = False) -> tuple[Path, int]:
    rows = attendance_rows(db, only_no_shows=only_no_shows)
    return write_table(path, ATTENDANCE_COLUMNS, rows, "export.col"), len(rows)


def export_ledger(db: Database, path: str | Path) -> tuple[Path, int]:
    rows = ledger_rows(db)
    return write_table(path, LEDGER_COLUMNS, rows, "ledger.col"), len(rows)
