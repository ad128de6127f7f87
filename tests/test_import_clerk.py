"""Sheets as a county office clerk fills them: spoken sign-up times, a leading apostrophe before the
ID number, two phone numbers or a note in the phone cell, Chinese names padded with spaces."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.importer import import_file, parse_name, parse_phone_cell, parse_signup_time
from tests.conftest import HEADER_ZH, valid_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026年11月19日下午3点", "2026-11-19 15:00:00"),
        ("2026年11月19日 上午9点30分", "2026-11-19 09:30:00"),
        ("11月19日下午3点半", "2026-11-19 15:30:00"),
        ("11月19日15点", "2026-11-19 15:00:00"),
        ("2026年11月19日晚上8点", "2026-11-19 20:00:00"),
        ("11月19日中午12点", "2026-11-19 12:00:00"),
        ("11月19日中午1点", "2026-11-19 13:00:00"),
    ],
)
def test_spoken_sign_up_times(text: str, expected: str) -> None:
    import datetime as dt

    assert parse_signup_time(text, dt.date(2026, 11, 25)) == expected


def test_spoken_time_out_of_range_is_refused() -> None:
    with pytest.raises(CheckinError):
        parse_signup_time("2026年11月19日下午25点")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("'13800138000", "13800138000"),
        ("13800138000/13900139000", "13800138000"),
        ("13800138000；13900139000", "13800138000"),
        ("13800138000 13900139000", "13800138000"),
        ("138-0013-8000（本人）", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("0512-6512 3456", "0512-65123456"),
    ],
)
def test_phone_cells_as_offices_fill_them(cell: str, expected: str) -> None:
    assert parse_phone_cell(cell) == expected


def test_phone_cell_with_no_valid_number_is_still_refused() -> None:
    with pytest.raises(CheckinError):
        parse_phone_cell("1380013/1390013")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("张　三", "张三"),
        (" 郑 十一 ", "郑十一"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("John  Smith", "John Smith"),
    ],
)
def test_names_padded_with_spaces(cell: str, expected: str) -> None:
    assert parse_name(cell) == expected


def test_clerks_sheet_imports(tmp_path: Path, db: Database) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER_ZH)
    sheet.append(
        [
            "张　三",
            "男",
            "'" + valid_id(1),
            "13800138000/13900139000",
            "x",
            "群众代表",
            "11月19日下午3点",
            "报名",
        ]
    )
    path = tmp_path / "报名.xlsx"
    book.save(path)
    result = import_file(db, path)
    assert (result.imported, result.rejected) == (1, [])
    row = db.execute("SELECT name, phone, signed_up_at FROM people").fetchone()
    assert row == ("张三", "13800138000", "2026-11-19 15:00:00")


def test_form_typed_into_a_mail_names_its_box_in_chinese(tmp_path: Path, db: Database) -> None:
    from email.message import EmailMessage

    from checkin.i18n import set_language

    set_language("zh")
    message = EmailMessage()
    message["Subject"] = "报名"
    message["From"] = "a@example.cn"
    bad_id = valid_id(1)[:-1] + ("0" if valid_id(1)[-1] != "0" else "1")
    message.set_content(f"姓名：陈九\n身份证号：{bad_id}\n联系电话：13800138099\n")
    path = tmp_path / "正文报名.eml"
    path.write_bytes(bytes(message))
    result = import_file(db, path)
    assert result.imported == 0
    (rejection,) = result.rejected
    assert "id_number" not in rejection.reason
    assert rejection.reason.startswith("报名表“身份证号")
    warnings = [w for f in result.files for w in f.warnings]
    assert warnings == ["注意：文件名“正文报名”不符合“活动报名+姓名”的命名要求"]


def test_merged_group_header_over_sub_headers_is_one_header(tmp_path: Path, db: Database) -> None:
    """联系方式 merged over 手机 | 邮箱 while 姓名 and 证件号码 span both rows: the second row is
    header (not a person with an empty name) and the e-mail column is read."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名"
    sheet.append(["政府开放日报名表"])
    sheet.merge_cells("A1:E1")
    sheet.append(["姓名", "证件号码", "联系方式", None, "报名时间"])
    sheet.append([None, None, "手机", "邮箱", None])
    for column in "ABE":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("C2:D2")
    sheet.append(["张三", valid_id(1), "13800138051", "zs@example.com", "2026-11-18 10:00"])
    sheet.append(["李四", valid_id(2), "13800138052", "bad@", "2026-11-18 10:01"])
    path = tmp_path / "报名.xlsx"
    book.save(path)
    result = import_file(db, path)
    assert result.imported == 1
    assert [(r.line, r.column, r.code) for r in result.rejected] == [(5, "D", "import.bad_email")]
    assert db.execute("SELECT name, phone, email FROM people").fetchall() == [
        ("张三", "13800138051", "zs@example.com")
    ]


def test_hidden_sheet_is_not_imported_unless_named(tmp_path: Path, db: Database) -> None:
    """A sheet the office hid in Excel (last year's list, people taken off) is reported, not read;
    `--sheet` still reads it."""
    from checkin.i18n import set_language

    book = Workbook()
    shown = book.active
    assert shown is not None
    shown.title = "报名表"
    shown.append(HEADER_ZH)
    shown.append(["张三", "男", valid_id(1), "13800138000", "x", "群众代表", "2026-11-18 10:00", "报名"])
    hidden = book.create_sheet("去年")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER_ZH)
    hidden.append(["李四", "男", valid_id(2), "13800138001", "x", "群众代表", "2025-11-18 10:00", "报名"])
    path = tmp_path / "报名.xlsx"
    book.save(path)
    set_language("zh")
    result = import_file(db, path)
    assert result.imported == 1
    assert [r[0] for r in db.execute("SELECT name FROM people")] == ["张三"]
    lines = [s.describe() for f in result.files for s in f.sheets]
    assert any(line.startswith("工作表“去年”：是隐藏的工作表，未读取") for line in lines)
    assert import_file(db, path, sheet="去年").imported == 1


@pytest.mark.parametrize(
    ("number", "code"),
    [("E12345678", "id.characters"), ("H12345678", "id.characters"), ("320102900101001", "id.old_15")],
)
def test_other_documents_under_resident_id_get_a_hint(number: str, code: str) -> None:
    """A passport number on a row without 证件类型 is told to name its type, not "should be 18
    digits, got 9"; a 15-digit first-generation number is named as such."""
    from checkin.idcard import parse_document

    with pytest.raises(CheckinError) as caught:
        parse_document(number)
    assert caught.value.key == code
