"""Sign-up import as a clerk's LibreOffice and Excel files really hold it (a16 adversarial)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.i18n import set_language
from checkin.importer import import_file, parse_signup_time
from checkin.sheets import header_key


@pytest.mark.parametrize(
    "value",
    [
        46336.3958333333,  # 2026-11-10 09:30 as Excel 2007 writes it, 15 significant digits
        46336.395833,  # as a program that rounds to six decimals writes it
        dt.datetime(2026, 11, 10, 9, 29, 59, 971000),  # what the reader makes of that date cell
    ],
)
def test_a_date_cell_a_hair_short_of_the_minute_is_that_minute(value: object) -> None:
    # Excel shows 2026/11/10 9:30; the import stored 09:29:59 (the fraction was cut, not rounded)
    assert parse_signup_time(value, dt.date(2026, 12, 18)) == "2026-11-10 09:30:00"


@pytest.mark.parametrize("written", ["身份证", "二代身份证", "居民身份证"])
def test_a_form_whose_document_type_box_says_shenfenzheng_is_read(
    tmp_path: Path, db: Database, written: str
) -> None:
    # 身份证 is what most people write in the 证件类型 box; it is also a spelling of the ID-number
    # label, and the import took the filled-in box for a label: both boxes read as empty, the form
    # refused with 报名表“身份证”一栏：身份证号为空
    from docx import Document

    from checkin.idcard import make_id
    from checkin.signup_form import write_signup_form

    blank = write_signup_form(db, tmp_path / "报名表.docx")
    number = make_id("11010119900307123")
    values = {"姓名": "张伟", "证件类型": written, "证件号码": number, "联系电话": "138 0013 8000"}
    document = Document(str(blank))
    for row in document.tables[0].rows:
        cells = row.cells
        for i in range(len(cells) - 1):
            key = header_key(cells[i].text)
            if key in values and cells[i + 1].text == "":
                cells[i + 1].text = values[key]
    folder = tmp_path / "收到"
    folder.mkdir()
    document.save(str(folder / "活动报名+张伟.docx"))
    set_language("zh")
    result = import_file(db, folder)
    assert (result.imported, [r.reason for r in result.rejected]) == (1, [])
    row = db.execute("SELECT name, id_type, id_masked, phone FROM people").fetchone()
    assert row == ("张伟", "resident_id", "*" * 14 + number[-4:], "13800138000")
