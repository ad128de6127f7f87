"""The screens and the command line ask the core; they hold no SQL of their own.

Every query lives in a core module under a name that says what it reads or writes, so the
same rule is never written twice (issue 15). This reads the source of screens/ and of the CLI
modules and fails on a call to execute/query or a string that is an SQL statement.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ABOVE_CORE = sorted(
    [
        *(ROOT / "screens").glob("*.py"),
        ROOT / "checkin" / "cli.py",
        ROOT / "checkin" / "cli_review.py",
        ROOT / "checkin" / "cli_visit.py",
        ROOT / "checkin" / "county_cli.py",
    ]
)
SQL = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|PRAGMA|WITH|BEGIN|COMMIT|ROLLBACK|"
    r"SAVEPOINT|ATTACH|VACUUM)\b",
    re.IGNORECASE,
)
SQL_CALLS = {"execute", "executemany", "executescript"}  # db.query(…) is caught by its statement


def statement(text: str) -> bool:
    """An SQL statement; a word like "Update" alone is a label (SQL has a second word)."""
    return bool(SQL.match(text)) and len(text.split()) > 1


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            found.append(f"{path.name}:{node.lineno} .{node.func.attr}(…)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and statement(node.value):
            found.append(f"{path.name}:{node.lineno} {node.value[:40]!r}")
    return found


@pytest.mark.parametrize("path", ABOVE_CORE, ids=lambda p: p.name)
def test_no_sql_in_screens_or_the_cli(path: Path) -> None:
    assert sql_in(path) == []


def test_the_check_sees_sql(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'rows = db.execute("SELECT 1 FROM people WHERE number = ?", [n])\n'
        'rows = db.query(f"select name from {table}")\n'
        'label = "Update"\n'
        "found = self.query(DataTable)\n",
        encoding="utf-8",
    )
    assert len(sql_in(sample)) == 3  # the call, its statement, the f-string query; not a label or the DOM
