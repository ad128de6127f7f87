"""Typed and imported text: control characters and lengths refused, terminals and spreadsheets safe."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook

from checkin.cli import main as cli_main
from checkin.errors import CheckinError
from checkin.exports import export_attendance, export_ledger
from checkin.importer import import_file
from checkin.ledger import add_suggestion
from checkin.selection import select
from checkin.storage import open_db
from checkin.textcheck import check_text, safe_cell, terminal_safe
from tests.conftest import person_row, write_csv

FORMULAS = ['=HYPERLINK("http://evil","点我")', "+1+1", "-2+3", "@SUM(A1)", "=1+1"]


@pytest.fixture
def office(file_db: Path, tmp_path: Path) -> Path:
    rows = [person_row(i, name=FORMULAS[i] if i < len(FORMULAS) else None) for i in range(6)]
    rows[5][4] = "=cmd|' /C calc'!A0"  # organisation
    with open_db(file_db) as db:
        result = import_file(db, write_csv(tmp_path / "s.csv", rows))
        assert result.imported == 6
        select(db)
        add_suggestion(db, "@SUM(1+1)*cmd", source="forum")
    return file_db


def test_nul_escape_and_overlong_names_are_refused_with_the_line(file_db: Path, tmp_path: Path) -> None:
    padding = [person_row(i) for i in range(100, 160)]  # NUL past the first 4 KB: not "binary"
    rows = [
        *padding,
        person_row(1, name="王\x00五"),
        person_row(2, name="\x1b]52;c;ZXZpbA==\x07"),
        person_row(3, name="王" * 51),
        person_row(4, name="正常"),
    ]
    rows[-1][4] = "单" * 101
    first = len(padding) + 2  # header is line 1
    with open_db(file_db) as db:
        result = import_file(db, write_csv(tmp_path / "bad.csv", rows))
        assert result.imported == len(padding)
        assert {r.line for r in result.rejected} == {first, first + 1, first + 2, first + 3}
        assert "NUL" in next(r.reason for r in result.rejected if r.line == first)
        assert "50" in next(r.reason for r in result.rejected if r.line == first + 2)
        assert "100" in next(r.reason for r in result.rejected if r.line == first + 3)
        names = {r[0] for r in db.execute("SELECT name FROM people")}
        assert not [n for n in names if "\x00" in n or "\x1b" in n]


def test_check_text_rules() -> None:
    assert check_text("张三", "name") == "张三"
    for bad in ("a\x00b", "a\x1bb", "a\u202eb", "a\nb", "a\x7fb"):
        with pytest.raises(CheckinError):
            check_text(bad, "name")
    assert check_text("第一行\n第二行", "text", multiline=True)
    with pytest.raises(CheckinError) as info:
        check_text("x" * 51, "name")
    assert info.value.key == "text.too_long"


def test_terminal_output_is_escaped(office: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_db(office) as db:
        db.execute("UPDATE people SET name = ? WHERE seq = 1", ["坏\x1b]52;c;ZXZpbA==\x07人"])
    assert cli_main(["people", "--db", str(office)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "坏\\x1b]52;c;ZXZpbA==\\x07人" in out
    assert terminal_safe("a\tb") == "a\tb"


def _cells_csv(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _cells_xlsx(path: Path) -> list[object]:
    sheet = load_workbook(path).active
    assert sheet is not None
    return [cell.value for row in sheet.iter_rows() for cell in row]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("what", ["attendance", "ledger"])
def test_every_export_neutralises_formulas_and_is_private(
    office: Path, tmp_path: Path, suffix: str, what: str
) -> None:
    out = tmp_path / f"{what}{suffix}"
    with open_db(office) as db:
        (export_attendance if what == "attendance" else export_ledger)(db, out)
    cells = _cells_csv(out) if suffix == ".csv" else _cells_xlsx(out)
    texts = [c for c in cells if isinstance(c, str)]
    assert not [c for c in texts if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    quoted = [c for c in texts if c.startswith("'")]
    assert quoted, "the formulas should be there, neutralised"
    if what == "attendance":
        assert '\'=HYPERLINK("http://evil","点我")' in texts and "'=cmd|' /C calc'!A0" in texts
    if suffix == ".xlsx":
        book = load_workbook(out)
        sheet = book.active
        assert sheet is not None
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    if os.name == "posix":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_safe_cell_keeps_numbers_and_plain_text() -> None:
    assert safe_cell(5) == 5
    assert safe_cell("张三") == "张三"
    assert safe_cell("=1") == "'=1"
    assert safe_cell("a\x00b") == "ab"


@pytest.mark.parametrize("title", ["开放日\r\nBcc: evil@x.com", "开放日\x1b[2J"])
def test_an_event_title_with_a_line_break_or_escape_is_refused_in_words(
    tmp_path: Path, title: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # it reached mail subjects, every text message and the terminal that printed "Created event …"
    toml = tmp_path / "event.toml"
    escaped = title.replace("\r", "\\r").replace("\n", "\\n").replace("\x1b", "\\u001b")
    toml.write_text(f'[event]\ntitle = "{escaped}"\ndate = 2026-12-18\n', encoding="utf-8")
    assert cli_main(["--lang", "zh", "init", "--db", str(tmp_path / "e.db"), "--from", str(toml)]) != 0
    err = capsys.readouterr().err
    assert "“活动名称”含有控制字符" in err and "\x1b" not in err
    assert not (tmp_path / "e.db").exists() or "event" not in open_db(tmp_path / "e.db").table_names()


def test_typed_group_and_review_text_names_the_field_in_words(tmp_path: Path) -> None:
    from checkin.event import Event, create_event
    from checkin.groups import create_group
    from checkin.i18n import set_language
    from checkin.review import reject
    from checkin.storage import memory_db
    from tests.conftest import EVENT_DATE

    set_language("zh")
    db = memory_db()
    create_event(db, Event(title="开放日", date=EVENT_DATE, capacity=5, review=True))
    import_file(db, write_csv(tmp_path / "s.csv", [person_row(1, at="2026-11-21 09:00")]))
    for kwargs, words in [
        ({"organization": "示范\x1b[31m公司"}, "工作单位"),
        ({"contact_name": "王\x07经理"}, "联系人"),
        ({"note": "备\x1b注"}, "备注"),
    ]:
        values = {"organization": "示范公司", "contact_name": "王经理", **kwargs}
        with pytest.raises(CheckinError) as info:
            create_group(db, values.pop("organization"), values.pop("contact_name"), **values)
        assert f"“{words}”" in str(info.value), str(info.value)
    with pytest.raises(CheckinError) as info:
        reject(db, ["A001"], reason="不\x07行", operator="office")
    assert "“原因”" in str(info.value) and "reason" not in str(info.value)
