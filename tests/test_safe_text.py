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


LEADS = ("=", "+", "-", "@", "\t", "\r")


def _live_formulas(cells: list[object]) -> list[str]:
    return [c for c in cells if isinstance(c, str) and c[:1] in LEADS]


def test_tokens_csv_neutralises_formulas(office: Path, tmp_path: Path) -> None:
    """The invitations' tokens.csv: names that are formulas stay text, as in every export."""
    from checkin.invitations import render_invitations
    from tests.helpers import FONT

    with open_db(office) as db:
        run = render_invitations(db, tmp_path / "out", font=FONT)
    cells = _cells_csv(run.tokens_csv)
    assert _live_formulas(cells) == []
    assert '\'=HYPERLINK("http://evil","点我")' in cells and "'+1+1" in cells and "'@SUM(A1)" in cells


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("what", ["attendance", "no-shows", "ledger"])
def test_tab_and_cr_led_cells_are_neutralised_too(
    office: Path, tmp_path: Path, suffix: str, what: str
) -> None:
    """A value that begins with a tab or a carriage return (one that entered some other way
    than the import, which refuses them) is quoted like a formula, in every export."""
    out = tmp_path / f"{what}{suffix}"
    with open_db(office) as db:
        db.execute("UPDATE people SET organization = ? WHERE seq = (SELECT MIN(seq) FROM people)", ["\t=1+1"])
        db.execute("UPDATE people SET organization = ? WHERE seq = (SELECT MAX(seq) FROM people)", ["\r-2"])
        db.execute("UPDATE suggestions SET text = ?", ["\t@SUM(1)"])
        if what == "ledger":
            export_ledger(db, out)
        else:
            export_attendance(db, out, only_no_shows=what == "no-shows")
    cells = _cells_csv(out) if suffix == ".csv" else _cells_xlsx(out)
    assert _live_formulas(cells) == []
    assert [c for c in cells if isinstance(c, str) and c.startswith("'")]


def test_the_county_table_and_the_sign_up_form_keep_typed_titles_as_text(
    office: Path, tmp_path: Path
) -> None:
    """The county's name heads its table, the event's title heads the sign-up form: text."""
    from checkin.cli import main as checkin

    units = tmp_path / "单位.csv"
    units.write_text("单位名称,联系电话\n科技局,13800000001\n", encoding="utf-8")
    county = tmp_path / "county.db"
    assert checkin(["county", "init", "--db", str(county), "--year", "2026", "--units", str(units),
                    "--name=-1+沂水县"]) == 0  # fmt: skip
    out = tmp_path / "表.xlsx"
    assert checkin(["county", "report", "--db", str(county), "--out", str(out), "--as-of", "2026-12-31"]) == 0
    cells = [cell for sheet in load_workbook(out).worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert _live_formulas([c.value for c in cells]) == []
    assert any(str(c.value).startswith("'-1+沂水县") for c in cells)
    from checkin.signup_form import write_signup_form

    with open_db(office) as db:
        db.execute("UPDATE event SET title = ?", ["=HYPERLINK(1)开放日"])
        form = write_signup_form(db, tmp_path / "报名表.xlsx")
    cells = [cell for sheet in load_workbook(form).worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert any(str(c.value).startswith("'=HYPERLINK(1)") for c in cells)
