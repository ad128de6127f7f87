"""Sign-up import: encodings, .xlsx, every rejection reason, re-import, duplicates."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.errors import CheckinError
from checkin.importer import import_file, import_rows, parse_signup_time
from tests.conftest import HEADER_ZH, person_row, valid_id, write_csv


def codes(result: Any) -> list[str]:
    return [r.code for r in result.rejected]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_each_encoding_imports_chinese_text(tmp_path: Path, db: Database, encoding: str) -> None:
    path = write_csv(tmp_path / "s.csv", [person_row(1, name="欧阳娜娜"), person_row(2)], encoding)
    result = import_file(db, path)
    assert (result.imported, result.rejected) == (2, [])
    names = {r["name"] for r in db.query("SELECT name FROM people")}
    assert "欧阳娜娜" in names


def test_gb18030_only_character_survives(tmp_path: Path, db: Database) -> None:
    # 䶮 (U+4DAE) is outside GBK but inside GB18030
    path = write_csv(tmp_path / "s.csv", [person_row(1, name="刘䶮")], "gb18030")
    assert import_file(db, path).imported == 1
    assert db.execute("SELECT name FROM people").fetchone()[0] == "刘䶮"


def test_xlsx_with_date_cells_and_numeric_id(tmp_path: Path, db: Database) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([*HEADER_ZH, "备注"])
    sheet.append(
        [
            "李四",
            "女",
            valid_id(1),
            "13900001111",
            "x",
            "群众代表",
            dt.datetime(2026, 12, 2, 9, 30),
            "报名",
            "extra",
        ]
    )
    sheet.append(["王五", "男", 1.10101199001011e17, "13900002222", "x", "群众代表", None, "报名", ""])
    sheet.append(
        [
            "赵六",
            "男",
            valid_id(3),
            "13900003333",
            "x",
            "企业代表",
            "2026/12/01 08:00",
            "定向邀请",
            "",
        ]
    )
    path = tmp_path / "s.xlsx"
    book.save(path)
    result = import_file(db, path)
    assert result.imported == 2
    assert [(r.line, r.code) for r in result.rejected] == [(3, "id.excel_number")]
    assert "Text" in result.rejected[0].reason
    rows = {r["name"]: r for r in db.query("SELECT * FROM people")}
    assert rows["李四"]["signed_up_at"] == "2026-12-02 09:30:00"
    assert rows["赵六"]["direct"] == 1


def test_english_headers_any_order_extra_columns_and_full_width_spaces(tmp_path: Path, db: Database) -> None:
    header = ["note", "phone", "id_number", "name", "category"]
    rows = [["x", "+86 138-1234-5678", valid_id(1), "\u3000Li Na ", "enterprise"]]
    path = write_csv(tmp_path / "s.csv", rows, header=header)
    assert import_file(db, path).imported == 1
    person = next(db.query("SELECT * FROM people"))
    assert (person["name"], person["phone"], person["category"]) == (
        "Li Na",
        "13812345678",
        "enterprise",
    )


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["", "男", valid_id(1), "13812345678", "", "", "", ""], "import.name_missing"),
        (["甲", "男", "", "13812345678", "", "", "", ""], "id.missing"),
        (
            [
                "甲",
                "男",
                valid_id(1)[:-1] + ("0" if valid_id(1)[-1] != "0" else "1"),
                "13812345678",
                "",
                "",
                "",
                "",
            ],
            "id.check_digit",
        ),
        (["甲", "男", "99" + valid_id(1)[2:], "13812345678", "", "", "", ""], "id.area"),
        (["甲", "男", "3201021990023100" + "11", "13812345678", "", "", "", ""], "id.birth_date"),
        (["甲", "男", valid_id(1)[:17], "13812345678", "", "", "", ""], "id.length"),
        (["甲", "男", "1.10101199001011E+17", "13812345678", "", "", "", ""], "id.excel_number"),
        (
            ["甲", "男", valid_id(1, birth=dt.date(2009, 1, 1)), "13812345678", "", "", "", ""],
            "import.too_young",
        ),
        (["甲", "男", valid_id(1), "12345", "", "", "", ""], "phone.invalid"),
        (["甲", "男", valid_id(1), "", "", "", "", ""], "phone.missing"),
        (["甲", "男", valid_id(1), "13812345678", "", "外星人", "", ""], "category.unknown"),
        (["甲", "男", valid_id(1), "13812345678", "", "", "昨天", ""], "import.bad_time"),
        (["甲", "男", valid_id(1), "13812345678", "", "", "", "随便"], "import.bad_invitation"),
        (["甲", "未知", valid_id(1), "13812345678", "", "", "", ""], "import.bad_gender"),
    ],
)
def test_every_rejection_reason(tmp_path: Path, db: Database, row: list[str], code: str) -> None:
    result = import_file(db, write_csv(tmp_path / "s.csv", [row]))
    assert result.imported == 0
    assert [(r.line, r.code) for r in result.rejected] == [(2, code)]


def test_too_old_when_event_sets_max_age(tmp_path: Path, db: Database) -> None:
    db.execute("UPDATE event SET max_age = 65")
    row = person_row(1)
    row[2] = valid_id(1, birth=dt.date(1950, 1, 1))
    result = import_file(db, write_csv(tmp_path / "s.csv", [row]))
    assert codes(result) == ["import.too_old"]


def test_after_deadline(tmp_path: Path, db: Database) -> None:
    db.execute("UPDATE event SET signup_deadline = '2026-12-11 18:00'")
    rows = [person_row(1, at="2026-12-11 17:59"), person_row(2, at="2026-12-11 18:01")]
    result = import_file(db, write_csv(tmp_path / "s.csv", rows))
    assert result.imported == 1
    assert [(r.line, r.code) for r in result.rejected] == [(3, "import.after_deadline")]


def test_reimport_adds_nothing(tmp_path: Path, db: Database) -> None:
    path = write_csv(tmp_path / "s.csv", [person_row(i) for i in range(5)])
    first = import_file(db, path)
    second = import_file(db, path)
    assert (first.imported, first.unchanged) == (5, 0)
    assert (second.imported, second.unchanged) == (0, 5)
    assert db["people"].count == 5


def test_same_person_twice_keeps_earlier_signup(tmp_path: Path, db: Database) -> None:
    later = person_row(1, name="晚报名", at="2026-12-05 10:00")
    earlier = person_row(1, name="早报名", at="2026-12-01 10:00")
    result = import_file(db, write_csv(tmp_path / "s.csv", [later, earlier, person_row(2)]))
    assert result.imported == 2
    assert [(r.line, r.code) for r in result.rejected] == [(2, "import.duplicate")]
    assert result.rejected[0].reason.startswith("row 2: Same person as row 3")
    assert db.execute("SELECT name FROM people WHERE seq = 1").fetchone()[0] == "早报名"


def test_numbers_follow_signup_order_and_are_stable(tmp_path: Path, db: Database) -> None:
    rows = [
        person_row(1, at="2026-12-03 09:00"),
        person_row(2, at="2026-12-01 09:00"),
        person_row(3),
    ]
    import_file(db, write_csv(tmp_path / "a.csv", rows))
    numbers = dict(db.execute("SELECT name, number FROM people").fetchall())
    assert numbers == {"张002": "A001", "张001": "A002", "张003": "A003"}
    import_file(db, write_csv(tmp_path / "b.csv", [person_row(4)]))
    again = dict(db.execute("SELECT name, number FROM people").fetchall())
    assert again["张004"] == "A004" and again["张001"] == "A002"


def test_database_holds_no_full_id_number(tmp_path: Path, file_db: Path) -> None:
    ids = [valid_id(i, birth=dt.date(1980 + i, 3, 4)) for i in range(10)]
    rows = [person_row(i) for i in range(10)]
    for row, number in zip(rows, ids, strict=True):
        row[2] = number
    assert cli_main(["import", str(write_csv(tmp_path / "s.csv", rows)), "--db", str(file_db)]) == 0
    data = b"".join(p.read_bytes() for p in tmp_path.glob("event.db*"))
    for number in ids:
        assert number.encode() not in data
        birth_and_tail = (number[6:14] + number[-4:]).encode()
        assert birth_and_tail not in data
        assert number[6:14].encode() not in data  # no birth date at all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-27 18:00", "2026-10-27 18:00:00"),
        ("2026/10/27 18:00", "2026-10-27 18:00:00"),
        ("2026年10月27日 18:00", "2026-10-27 18:00:00"),
        ("46322.75", "2026-10-27 18:00:00"),
        ("", None),
    ],
)
def test_signup_time_formats(text: str, expected: str | None) -> None:
    assert parse_signup_time(text) == expected


def test_cli_json_output_and_exit_codes(
    tmp_path: Path, file_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        [person_row(1), ["", "", "", "", "", "", "", ""], ["乙", "", "x", "", "", "", "", ""]],
    )
    assert cli_main(["import", str(path), "--db", str(file_db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["imported"] == 1 and out["unchanged"] == 0
    assert [r["line"] for r in out["rejected"]] == [4]
    assert cli_main(["import", str(tmp_path / "missing.csv"), "--db", str(file_db)]) == 2
    assert "not found" in capsys.readouterr().err
    binary = tmp_path / "bad.csv"
    binary.write_bytes(b"\x81\x30\xff\xfe\x00\x00garbage")
    assert cli_main(["import", str(binary), "--db", str(file_db)]) == 2
    undecodable = tmp_path / "bad2.csv"
    undecodable.write_bytes("姓名,身份证号\n".encode() + b"\xff\xff\xff\n")
    assert cli_main(["import", str(undecodable), "--db", str(file_db)]) == 2
    assert "encoding" in capsys.readouterr().err


def test_missing_required_columns_is_unreadable(tmp_path: Path, db: Database) -> None:
    path = write_csv(tmp_path / "s.csv", [["a", "b"]], header=["foo", "bar"])
    with pytest.raises(CheckinError) as info:
        import_file(db, path)
    assert info.value.key == "import.no_header"
    assert "姓名" in info.value.message() and "first 20 rows" in info.value.message()
    near = write_csv(tmp_path / "near.csv", [["张三", "13812345678"]], header=["姓名", "联系方式"])
    with pytest.raises(CheckinError) as info:
        import_file(db, near)
    assert info.value.key == "import.missing_columns"
    assert info.value.message().startswith(
        'Sheet "near.csv" row 1 looks like the header but lacks the column 身份证号 or 证件号码'
    )


cell = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(),
    st.floats(allow_nan=True),
    st.datetimes(),
    st.sampled_from([valid_id(7), "13812345678", "群众代表", "定向邀请", "2026-12-01 09:00"]),
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.lists(cell, min_size=0, max_size=9), max_size=8))
def test_arbitrary_rows_never_crash(db: Database, rows: list[list[Any]]) -> None:
    fields = [
        "name",
        "gender",
        "id_number",
        "phone",
        "organization",
        "category",
        "signed_up_at",
        "invitation",
    ]
    columns = {f: i for i, f in enumerate(fields)}
    before = db["people"].count
    result = import_rows(db, list(enumerate(rows, start=2)), columns, source="fuzz")
    assert db["people"].count - before == result.imported
    assert all(r.reason for r in result.rejected)
