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

# "file::function::opener" → what the path is (none is an event file, pack or bundle with a
# connection open in the process). Entries whose code has gone are harmless.
REVIEWED: dict[str, str] = {
    "checkin/county.py::_connect::sqlite3.connect": "SQLite itself: the county file's own open",
    "checkin/county.py::_grid::.read_bytes": "a units sheet (XLSX/XLS/ODS/CSV) given by the user",
    "checkin/county.py::datasette_metadata::.read_text": "the shipped Datasette metadata (data/datasette)",
    "checkin/county.py::rules_template::.read_text": "the shipped rules template (data/county/rules.toml)",
    "checkin/county_cli.py::cmd_county_rules::.write_text": "a new rules TOML file (refused when it exists)",
    "checkin/county.py::datasette_metadata::.write_text": "the Datasette metadata written for the county (.json.tmp)",
    "checkin/county.py::is_county_file::sqlite3.connect": "SQLite itself, read-only",
    "checkin/county.py::load_rules_file::.read_bytes": "a county rules TOML file",
    "checkin/county_results.py::read_results::.open": (
        "a received results file, read (header, digest) before this process connects to it; "
        "the connection that follows is closed before read_results returns"
    ),
    "checkin/county_results.py::read_results::sqlite3.connect": "SQLite itself, read-only",
    "checkin/demo.py::write_demo_csv::.open": "a CSV of sign-ups",
    "checkin/doorstart.py::first_look::sqlite3.connect": (
        "SQLite itself, read-only: the door's status line, read before the door opens; closed before it returns"
    ),
    "checkin/event.py::create_event::.read_bytes": "a check profile TOML",
    "checkin/event.py::event_from_toml::.open": "an event TOML file",
    "checkin/exports.py::write_table::.open": "a CSV export",
    "checkin/files.py::_is_bundle::sqlite3.connect": "SQLite itself, read-only (immutable)",
    "checkin/fonts.py::faces::.open": "a font file",
    "checkin/forms_pdf.py::barcode_image::.open": "an in-memory image buffer",
    "checkin/forms_pdf.py::render_forms::.write_bytes": "a PDF",
    "checkin/i18n.py::_read_catalogue::.open": "a message catalogue TOML",
    "checkin/i18n.py::_read_catalogue::.read_bytes": "a message catalogue's compiled copy (__pycache__)",
    "checkin/i18n.py::_write_compiled::.write_bytes": "a message catalogue's compiled copy (__pycache__, .tmp)",
    "checkin/invitations.py::render_invitations::.open": "the tokens CSV",
    "checkin/invitations.py::render_invitations::.write_bytes": "a PDF",
    "checkin/notices.py::_write_private::os.open": "a notice (.eml) or sms.csv, created exclusively",
    "checkin/plans.py::export_plan::.write_text": "a plan (TOML text)",
    "checkin/plans.py::read_plan::.read_bytes": "a plan (TOML text)",
    "checkin/report.py::write_docx::.open": "a photo for the report (PIL)",
    "checkin/report.py::prepared_photo::.open": "a photo from the --photos folder, re-saved for the report and the page (PIL)",
    "checkin/report.py::write_report::.open": "a photo for the report, probed (PIL)",
    "checkin/report.py::write_html::.read_bytes": "a photo for the report",
    "checkin/report.py::write_html::.read_text": "the HTML report template",
    "checkin/report.py::write_html::.write_text": "an HTML report",
    "checkin/results.py::read_results_info::sqlite3.connect": "SQLite itself, read-only",
    "checkin/sheets.py::read_path::.read_bytes": "a sign-up sheet (CSV/XLSX) given by the user",
    "checkin/sheets.py::_check_extent::.open": "a member of an .xlsx zip package (zipfile), not a path",
    "checkin/sheets.py::vocabulary::.open": "the import header vocabulary TOML",
    "checkin/storage.py::_connect::sqlite3.connect": "THE open of an event file",
    "checkin/storage.py::memory_db::sqlite3.connect": "an in-memory database",
    "checkin/storage.py::new_file::sqlite3.connect": "THE creation of a pack, bundle or results file",
    "checkin/storage.py::refuse_if_open_elsewhere::sqlite3.connect": "SQLite asking for an exclusive lock on an event file before demo --fresh deletes it",
    "checkin/tomlfile.py::read_toml::.read_bytes": "a survey template or check profile TOML",
    "checkin/sync.py::_read_bundle_file::sqlite3.connect": "SQLite itself, read-only",
    "checkin/sync.py::_read_office::sqlite3.connect": "SQLite itself, read-only",
    "checkin/textcheck.py::private_file::os.open": (
        "an export (CSV/XLSX) or the tokens CSV, created 0600 just before it is written"
    ),
    "checkin/workdays.py::parse_holiday_file::.open": "a holiday calendar TOML",
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
            name = "open"
        elif isinstance(func, ast.Attribute):
            base = ast.unparse(func.value)
            if (base in ("os", "io") and func.attr == "open") or (
                base == "sqlite3" and func.attr == "connect"
            ):
                name = f"{base}.{func.attr}"
            elif base == "shutil" and func.attr.startswith(("copy", "move")):
                name = f"shutil.{func.attr}"
            elif func.attr in PATH_OPENERS:
                name = f".{func.attr}"  # Path.open, Image.open, read_bytes …
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


def test_no_database_is_opened_outside_storage_except_read_only_sqlite() -> None:
    """sqlite3.connect outside checkin/storage.py only ever reads (mode=ro) or is the county
    file's own open; everything that writes an event file goes through open_db."""
    for site in call_sites():
        if site.endswith("sqlite3.connect"):
            assert site.startswith(
                ("checkin/storage.py", "checkin/county.py")
            ) or "SQLite itself, read-only" in (REVIEWED.get(site, "")), site


def test_every_write_goes_through_write_transaction() -> None:
    """One way to write (issue 12): no raw BEGIN and no sqlite-utils atomic() outside
    checkin/storage.py (found by the attacker pass: the bundle writer had a raw BEGIN)."""
    import re

    root = Path(__file__).resolve().parent.parent
    found = []
    for folder in ("checkin", "screens"):
        for source in sorted((root / folder).rglob("*.py")):
            if source.name == "storage.py" and folder == "checkin":
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if re.search(r"""["']BEGIN\b|\.atomic\(\)""", line):
                    found.append(f"{source.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
