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
