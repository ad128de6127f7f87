"""A year's holiday file (`checkin holidays load`) and the warning for a year without one.

A holiday file is typed by hand from the State Council's notice: every slip in it is told in
the user's language — which key, which value, which line — never in the TOML parser's or
Python's English, and nothing of a faulty file is stored. The warning that due dates were
counted without a year's arrangements reads as Chinese (2027年, not "2027 年", which a screen
breaks after the year) wherever a due date is shown, the ledger's export included.
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.storage import open_db
from checkin.workdays import load_holiday_file
from tests.helpers import set_event

BAD_FILES = {
    "stray": ("year = 2027\nholidays = [2026-01-01]\n", "2026-01-01"),
    "both": ("year = 2027\nholidays = [2027-01-01]\nworkdays = [2027-01-01]\n", "2027-01-01"),
    "text_year": ('year = "x"\n', "x"),
    "huge_year": ("year = 99999\n", "99999"),
    "bool_year": ("year = true\n", "true"),
    "broken": ("year = 2027\n\nholidays = [2027-01-01,,]\n", "3"),
    "no_year": ("holidays = []\n", ""),
    "no_such_day": ('year = 2027\nholidays = ["2027-02-30"]\n', "2027-02-30"),
    "not_a_list": ("year = 2027\nholidays = 5\n", "holidays"),
    "a_time": ("year = 2027\nholidays = [2027-01-01T00:00:00]\n", "2027-01-01"),
}
# What the messages may carry in Latin letters: the file's own keys and the format's name.
ALLOWED = {"year", "holidays", "workdays", "TOML", "toml", "YYYY", "MM", "DD"}


def _cli(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli_main(list(args))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_faulty_holiday_file_is_told_in_words_and_nothing_is_stored(
    case: str, file_db: Path, tmp_path: Path
) -> None:
    text, shown = BAD_FILES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text, encoding="utf-8")
    code, said = _cli("--lang", "zh", "holidays", "load", str(path), "--db", str(file_db))
    assert code != 0 and "Traceback" not in said
    message = said.replace(str(path), "〈路径〉")
    assert message.startswith("错误：节假日文件 〈路径〉 有误："), message
    assert shown in message
    words = set(re.findall(r"[A-Za-z]+", message.replace(f"“{shown}”", "")))
    assert words <= ALLOWED, (case, message)
    code, said = _cli("--lang", "en", "holidays", "load", str(path), "--db", str(file_db))
    assert code != 0 and "Holiday file" in said
    for english in ("Invalid", "invalid literal", "out of range", "codec", "is not in 2027'"):
        assert english not in said
    with open_db(file_db) as db:
        assert db.execute("SELECT count(*) FROM calendar_years").fetchone()[0] == 0


def test_a_file_that_is_not_text_is_told_so(file_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "2027.toml"
    path.write_bytes(b"SQLite format 3\x00\xf1\xff\xfe")
    code, said = _cli("--lang", "zh", "holidays", "load", str(path), "--db", str(file_db))
    assert code != 0 and "不是文本文件" in said and "codec" not in said


def test_a_good_file_still_loads(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "2040.toml"
    path.write_text('year = 2040\nholidays = [2040-01-09, "2040-01-10"]\nworkdays = []\n', encoding="utf-8")
    assert load_holiday_file(db, path) == 2040
    with pytest.raises(CheckinError):
        load_holiday_file(db, tmp_path / "missing.toml")


def test_the_warning_reads_as_chinese() -> None:
    from checkin.workdays import fallback_note

    set_language("zh")
    note = fallback_note([2027])
    assert note.startswith("注意：2027年的调休安排尚未收录") and note.endswith("。")
    assert fallback_note([2028, 2027]).startswith("注意：2027、2028年")
    set_language("en")
    assert fallback_note([2027, 2028]).startswith("Note: the holiday arrangements for 2027, 2028 ")
    assert fallback_note([2027]).endswith(".")


def test_the_ledger_export_warns_when_a_year_is_missing(demo: Path, tmp_path: Path) -> None:
    with open_db(demo) as db:
        set_event(db, date="2026-12-18")  # 15 working days reach into January 2027
    code, said = _cli(
        "--lang", "zh", "suggestions", "export", "--db", str(demo), "--out", str(tmp_path / "台账.xlsx")
    )
    assert code == 0 and "注意：2027年的调休安排尚未收录" in said
