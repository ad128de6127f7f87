"""Every place the program opens a file by path, reviewed: none is an event file, pack or
bundle while SQLite may hold a connection to it (issue 12).

On POSIX, closing ANY descriptor of a file drops every lock the process holds on it,
SQLite's included: the next program to close the file then believes it is the last one,
checkpoints and deletes the WAL under the running desk. So event files, packs and bundles
are opened only by SQLite (checkin.storage.open_db / new_file). This test finds every call
that opens a file by path in checkin/ and screens/ and compares it with the reviewed list
below; a new one fails until someone has checked what it opens and said so here. (The
autouse fixture in conftest.py adds the run-time guard: in every test, an open() of a file
with a live connection in the process fails at once.)
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PATH_OPENERS = {"open", "read_bytes", "write_bytes", "read_text", "write_text"}

# "file::function::call" → what the path is, and why it is not a database with a connection
REVIEWED: dict[str, str] = {
    "checkin/county.py::load_rules_file::path.read_bytes()": "a county rules TOML file",
    "checkin/county.py::is_county_file::sqlite3.connect": "SQLite itself, read-only",
    "checkin/county.py::_connect::sqlite3.connect": "SQLite itself: the county file's own open",
    "checkin/county.py::_rows::path.open('rb')": "a units sheet (CSV/XLSX) given by the user",
    "checkin/county.py::_rows::path.read_bytes()": "a units sheet (CSV) given by the user",
    "checkin/county_results.py::read_results::path.open('rb')": (
        "a received results file, read (header, digest) before this process connects to it; "
        "the connection that follows is closed before read_results returns"
    ),
    "checkin/county_results.py::read_results::sqlite3.connect": "SQLite itself, read-only",
    "checkin/demo.py::write_demo_csv::path.open('w', newline='', encoding=encoding)": "a CSV of sign-ups",
    "checkin/event.py::event_from_toml::path.open('rb')": "an event TOML file",
    "checkin/event.py::create_event::Path(event.checks).read_text(encoding='utf-8')": "a check profile TOML",
    "checkin/exports.py::write_table::path.open('w', newline='', encoding='utf-8-sig')": "a CSV export",
    "checkin/forms_pdf.py::barcode_image::Image.open(buffer)": "an in-memory image buffer",
    "checkin/forms_pdf.py::render_forms::path.write_bytes(buffer.getvalue())": "a PDF",
    "checkin/i18n.py::catalogue::path.open('rb')": "a message catalogue TOML",
    "checkin/invitations.py::render_invitations::pdf_path.write_bytes(buffer.getvalue())": "a PDF",
    "checkin/invitations.py::render_invitations::csv_path.open('w', newline='', encoding='utf-8-sig')": (
        "a CSV of tokens"
    ),
    "checkin/notices.py::_write_new::os.open": "a notice (.eml) or sms.csv, created exclusively",
    "checkin/plans.py::export_plan::tmp.write_text(text, encoding='utf-8')": "a plan (TOML text)",
    "checkin/plans.py::read_plan::path.read_bytes()": "a plan (TOML text)",
    "checkin/profiles.py::load_profile::path.open('rb')": "a check profile TOML",
    "checkin/report.py::write_html::photo.read_bytes()": "a photo for the report",
    "checkin/report.py::write_html::path.write_text('\\n'.join(parts), encoding='utf-8')": "an HTML report",
    "checkin/results.py::read_results_info::sqlite3.connect": "SQLite itself, read-only",
    "checkin/sheets.py::_csv_sheet::path.read_bytes()": "a sign-up sheet (CSV)",
    "checkin/sheets.py::open_sheet::path.open('rb')": "a sign-up sheet (magic bytes: XLSX or CSV)",
    "checkin/storage.py::_connect::sqlite3.connect": "THE open of an event file",
    "checkin/storage.py::new_file::sqlite3.connect": "THE creation of a pack, bundle or results file",
    "checkin/storage.py::memory_db::sqlite3.connect": "an in-memory database",
    "checkin/survey.py::load_template::path.open('rb')": "a survey template TOML",
    "checkin/sync.py::_read_office::sqlite3.connect": "SQLite itself, read-only",
    "checkin/sync.py::_read_bundle_file::sqlite3.connect": "SQLite itself, read-only",
    "checkin/textcheck.py::private_file::os.open": (
        "an export (CSV/XLSX) or the tokens CSV, created 0600 just before it is written"
    ),
    "checkin/workdays.py::parse_holiday_file::Path(path).open('rb')": "a holiday calendar TOML",
}


class _Finder(ast.NodeVisitor):
    def __init__(self, where: str) -> None:
        self.where = where
        self.scope: list[str] = []
        self.found: list[str] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = None
        if isinstance(func, ast.Name) and func.id == "open":
            name = ast.unparse(node)
        elif isinstance(func, ast.Attribute):
            base = ast.unparse(func.value)
            if (base in ("os", "io") and func.attr == "open") or (
                base == "sqlite3" and func.attr == "connect"
            ):
                name = f"{base}.{func.attr}"
            elif (base == "shutil" and func.attr.startswith(("copy", "move"))) or func.attr in PATH_OPENERS:
                name = ast.unparse(node)
        if name:
            self.found.append(f"{self.where}::{self.scope[-1] if self.scope else '<module>'}::{name}")
        self.generic_visit(node)


def call_sites() -> list[str]:
    """Every call in checkin/ and screens/ that opens a file by path (or connects SQLite)."""
    found: list[str] = []
    for folder in ("checkin", "screens"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            finder = _Finder(path.relative_to(ROOT).as_posix())
            finder.visit(ast.parse(path.read_text(encoding="utf-8")))
            found += finder.found
    return found


def test_every_file_the_program_opens_by_path_is_reviewed() -> None:
    found = set(call_sites())
    new = sorted(found - set(REVIEWED))
    assert not new, (
        "New places that open a file by path. Check each never opens an event file, pack or "
        "bundle (those go through checkin.storage.open_db/new_file), then add it to REVIEWED "
        "with what it opens:\n" + "\n".join(new)
    )


def test_the_reviewed_list_has_no_stale_entries() -> None:
    stale = sorted(set(REVIEWED) - set(call_sites()))
    assert not stale, "Gone from the code; remove from REVIEWED:\n" + "\n".join(stale)


def test_no_database_is_opened_outside_storage_except_read_only_sqlite() -> None:
    """sqlite3.connect outside checkin/storage.py only ever reads (mode=ro) or is the county
    file's own open; everything that writes an event file goes through open_db."""
    for site in call_sites():
        if site.endswith("sqlite3.connect"):
            assert site.startswith(
                ("checkin/storage.py", "checkin/county.py")
            ) or "SQLite itself, read-only" in (REVIEWED.get(site, "")), site
