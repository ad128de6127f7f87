"""Sign-ups as offices receive them (issue 16): the corpus of tests/data/make_corpus.py and the
LibreOffice-saved files in tests/data/libreoffice/. Each test states the people, report lines and
messages it expects."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.cli import main as cli_main
from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.idcard import find_by_document, parse_document
from checkin.importer import import_file, parse_signup_time
from checkin.selection import select
from checkin.sheets import header_key
from tests.data.make_corpus import FOREIGN, LIBREOFFICE_DIR, PERMIT, make_corpus, rid


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_corpus(tmp_path_factory.mktemp("corpus"))


def people(db: Database) -> dict[str, dict[str, object]]:
    return {r["name"]: r for r in db.query("SELECT * FROM people ORDER BY seq")}


def reasons(result: object) -> list[str]:
    return [r.reason for r in result.rejected]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- finding the table

TITLE_ROWS_PEOPLE = {"张一", "张二", "张四", "张五", "李一"}
TITLE_ROWS_MESSAGES_ZH = [
    "工作表“第一批”第 6 行 E 列（联系方式）：联系电话格式不对（***0000）：应为11位手机号或带区号的固定电话",
    "工作表“第二批”第 4 行 F 列（邮箱）：邮箱“not-an-address”格式不对：应为 name@example.com 这样的地址，没有可留空",
]
TITLE_ROWS_SHEETS_ZH = [
    "工作表“第一批”：第 3 行是表头；未读取的列：序号（A 列）、民族（I 列）；跳过 第 10 行（合计行）、第 11 行（说明：注：身份证号请设置为文本）；空行 3 行",
    "工作表“第二批”：第 2 行是表头",
    "工作表“填表说明”：前 20 行中没有报名表的表头，已跳过",
]


def _title_rows_files(corpus: dict[str, Path]) -> list[Path]:
    return [
        corpus["title_rows"],
        *(LIBREOFFICE_DIR / n for n in ("报名表.xls", "报名表.ods", "报名表-LibreOffice.xlsx")),
    ]


@pytest.mark.parametrize(
    "which", ["openpyxl .xlsx", "LibreOffice .xls", "LibreOffice .ods", "LibreOffice .xlsx"]
)
def test_title_rows_synonyms_every_sheet_totals_and_notes(
    corpus: dict[str, Path], db: Database, which: str
) -> None:
    path = _title_rows_files(corpus)[
        ["openpyxl .xlsx", "LibreOffice .xls", "LibreOffice .ods", "LibreOffice .xlsx"].index(which)
    ]
    set_language("zh")
    result = import_file(db, path)
    assert set(people(db)) == TITLE_ROWS_PEOPLE
    assert (result.imported, result.unchanged) == (5, 0)
    assert reasons(result) == TITLE_ROWS_MESSAGES_ZH
    assert [(r.sheet, r.line, r.column) for r in result.rejected] == [("第一批", 6, "E"), ("第二批", 4, "F")]
    assert [s.describe() for s in result.files[0].sheets] == TITLE_ROWS_SHEETS_ZH
    rows = people(db)
    assert rows["张一"]["organization"] == "甲公司"  # 单位名称
    assert rows["张五"]["category"] == "citizen"  # 群众
    assert rows["李一"]["organization"] == "丁局 科员"  # 工作单位及职务
    assert rows["李一"]["email"] == "li1@example.com"
    assert rows["李一"]["signed_up_at"] == "2026-11-18 10:00:00"  # 11月18日 10:00: the event's year
    assert rows["张二"]["signed_up_at"] == "2026-11-18 15:30:00"  # 2026.11.18 15:30
    assert rows["张四"]["signed_up_at"] == "2026-11-19"  # a date only


def test_sheet_option_reads_one_sheet_and_names_the_others(corpus: dict[str, Path], db: Database) -> None:
    result = import_file(db, corpus["title_rows"], sheet="第二批")
    assert set(people(db)) == {"李一"}
    assert [s.name for s in result.files[0].sheets] == ["第二批"]
    with pytest.raises(CheckinError) as info:
        import_file(db, corpus["title_rows"], sheet="第三批")
    assert (
        info.value.message()
        == 'There is no sheet named "第三批"; this file\'s sheets: 第一批, 第二批, 填表说明'
    )


def test_date_only_comes_after_that_days_timed_signups_in_file_order(
    corpus: dict[str, Path], db: Database
) -> None:
    import_file(db, corpus["title_rows"])
    order = [r["name"] for r in db.query("SELECT name FROM people ORDER BY number")]
    # 李一 11-18 10:00, 张二 11-18 15:30, 张五 11-19 08:00 (timed), 张四 11-19 (date only), 张一 11-18 09:00 first
    assert order == ["张一", "李一", "张二", "张五", "张四"]
    db.execute("UPDATE event SET capacity = 4")
    selection = select(db)
    invited = {r["name"] for r in db.query("SELECT name FROM people WHERE status = 'invited'")}
    assert "张四" not in invited and len(selection.invited) == 4


def test_merged_two_row_header_and_every_document_type(corpus: dict[str, Path], db: Database) -> None:
    result = import_file(db, corpus["merged_header"])
    rows = people(db)
    assert {name: (r["id_type"], r["age"]) for name, r in rows.items()} == {
        "王一": ("resident_id", 36),
        "王二": ("hmt_residence_permit", 34),
        "王三": ("foreign_permanent", 41),
        "王四": ("passport", 38),
        "王五": ("hk_macao_permit", 47),
        "王六": ("taiwan_permit", 35),
    }
    assert reasons(result) == [
        'sheet "报名", row 10, column E (出生日期): The document type is passport (护照), whose number carries no birth date: fill in the 出生日期 (date of birth) column, e.g. 1990-01-02',
        'sheet "报名", row 11, column D (证件号码): An older foreigner\'s permanent residence ID number of 15 characters is three letters and 12 digits (e.g. USA110085030701)',
    ]
    assert all(r["id_masked"].startswith("**************") for r in rows.values())
    # the door finds each of them by the number typed or read, and only by it
    assert find_by_document(db, "e12345678") == rows["王四"]["number"]
    assert find_by_document(db, "H1234567801") == rows["王五"]["number"]  # with the issue count
    assert find_by_document(db, FOREIGN) == rows["王三"]["number"]
    assert find_by_document(db, PERMIT) == rows["王二"]["number"]
    assert find_by_document(db, "E99999999") is None
    assert find_by_document(db, "张三") is None


@pytest.mark.parametrize(
    ("key", "encoding"),
    [
        ("unicode_text", "UTF-16"),
        ("gbk_csv", "GBK/GB18030"),
        ("semicolon_csv", "UTF-8"),
        ("tab_gb18030", "GBK/GB18030"),
    ],
)
def test_text_files_with_a_title_row(corpus: dict[str, Path], db: Database, key: str, encoding: str) -> None:
    result = import_file(db, corpus[key])
    assert result.encoding == encoding
    assert result.imported == 2 and result.rejected == []
    assert result.files[0].sheets[0].header_row == 2
    names = set(people(db))
    assert names == ({"赵一", "赵二"} if key == "unicode_text" else {"孙一", "孙二"})
    if key == "unicode_text":
        assert people(db)["赵二"]["signed_up_at"] == "2026-11-21"


# ---------------------------------------------------------------- a folder of e-mailed forms

FOLDER_LINES_ZH = [
    "回复：政府开放日报名.eml：导入 1 人，已存在未变 0 人，退回 0 行",
    "损坏的报名表.docx：未导入——无法打开 Word 文件 损坏的报名表.docx（文件损坏）：请用 Word 或 WPS 打开后另存为 .docx",
    "活动报名+XX社区.docx：导入 2 人，已存在未变 0 人，退回 1 行",
    "活动报名+吴一.docx：导入 1 人，已存在未变 0 人，退回 0 行",
    "活动报名+吴三.xlsx：导入 1 人，已存在未变 0 人，退回 0 行",
    "活动报名+吴二.docx：导入 1 人，已存在未变 0 人，退回 0 行",
    "活动报名+吴六.docx：导入 0 人，已存在未变 0 人，退回 1 行",
    "活动报名+吴四.docx：导入 1 人，已存在未变 0 人，退回 0 行",
    "活动通知.pdf：未导入——不支持 .pdf 文件：表格请另存为 .xlsx 或 CSV，报名表请另存为 .docx",
]


def test_folder_of_forms_one_line_per_file(corpus: dict[str, Path], db: Database) -> None:
    set_language("zh")
    result = import_file(db, corpus["forms"])
    assert [f.status_line() for f in result.files] == FOLDER_LINES_ZH  # Word's ~$ lock file is not listed
    rows = people(db)
    assert set(rows) == {"吴七", "周一", "周二", "吴一", "吴三", "吴二", "吴五"}
    assert rows["吴七"]["signed_up_at"] == "2026-11-22 10:15:00"  # the mail's Date
    assert rows["吴一"]["email"] == "wu1@example.com"
    assert rows["吴一"]["organization"] == "辛公司 职员"
    assert (rows["吴二"]["id_type"], rows["吴二"]["age"]) == ("passport", 36)  # 出生日期 1990年2月3日
    assert rows["周一"]["organization"] == "XX社区居委会"  # from the group form's boxes
    assert rows["周一"]["category"] == "community"
    assert rows["周二"]["signed_up_at"] == "2026-11-20 14:00:00"
    by_file = {f.file: f for f in result.files}
    assert reasons(by_file["活动报名+吴六.docx"]) == [
        "报名表“联系电话”一栏：联系电话格式不对（*2345）：应为11位手机号或带区号的固定电话"
    ]
    assert reasons(by_file["活动报名+XX社区.docx"]) == [
        "第 2 个表格第 4 行 D 列（证件号码）：身份证号应为18位，实际为6位"
    ]
    assert by_file["活动报名+吴四.docx"].warnings == [
        "注意：文件名中的姓名“吴四”与报名表中的姓名（吴五）不一致，请核对是否发错了附件"
    ]
    assert by_file["活动报名+吴一.docx"].warnings == []


def test_folder_twice_is_unchanged_and_json_has_the_documented_shape(
    corpus: dict[str, Path], file_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["import", str(corpus["forms"]), "--db", str(file_db), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert set(first) == {"files", "imported", "unchanged", "rejected"}
    assert {"file", "imported", "unchanged", "rejected"} <= set(first["files"][0])
    assert (first["imported"], first["unchanged"], len(first["rejected"])) == (7, 0, 2)
    assert cli_main(["--lang", "en", "import", str(corpus["forms"]), "--db", str(file_db)]) == 0
    out = capsys.readouterr().out
    assert "活动报名+吴一.docx: imported before, unchanged (1 person)" in out
    assert "Total: imported 0, unchanged 7, rejected 2 rows" in out


def test_chinese_mode_messages_hold_no_english(
    corpus: dict[str, Path], file_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["--lang", "zh", "import", str(corpus["merged_header"]), "--db", str(file_db)]) == 0
    out = capsys.readouterr().out
    assert "工作表“报名”第 10 行 E 列（出生日期）：证件类型为“护照”，证件号码中没有出生日期" in out
    for word in ("row", "column", "sheet", "id_number", "name,", "passport"):
        assert word not in out


# ---------------------------------------------------------------- the form to send out


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_signup_form_round_trips(tmp_path: Path, file_db: Path, suffix: str) -> None:
    blank = tmp_path / f"报名表{suffix}"
    assert (
        cli_main(
            ["signup-form", "--db", str(file_db), "--out", str(blank), "--send-to", "kfr@example.gov.cn"]
        )
        == 0
    )
    filled = tmp_path / "收到" / f"活动报名+郑一{suffix}"
    filled.parent.mkdir()
    values = {"姓名": "郑一", "性别": "女", "证件类型": "护照", "证件号码": "E22223333", "出生日期": "1985-05-06",
              "联系电话": "13300000071", "工作单位及职务": "壬公司 经理", "人员类别": "企业代表", "电子邮箱": "z1@example.com"}  # fmt: skip
    if suffix == ".docx":
        from docx import Document

        document = Document(str(blank))
        assert any("kfr@example.gov.cn" in p.text and "活动报名+姓名" in p.text for p in document.paragraphs)
        for row in document.tables[0].rows:
            cells = row.cells
            for i in range(0, len(cells) - 1):
                key = header_key(cells[i].text)
                if key in values and cells[i + 1].text == "":
                    cells[i + 1].text = values[key]
        document.save(str(filled))
    else:
        from openpyxl import load_workbook

        book = load_workbook(blank)
        sheet = book.active
        assert sheet is not None
        for row in sheet.iter_rows():
            for i in range(len(row) - 1):
                key = header_key(row[i].value) if row[i].value else ""
                if key in values and row[i + 1].value in (None, ""):
                    row[i + 1].value = values[key]
                    assert row[i + 1].number_format == "@"
        book.save(filled)
    db = Database(str(file_db))
    result = import_file(db, filled.parent)
    assert (result.imported, reasons(result), result.files[0].warnings) == (1, [], [])
    person = people(db)["郑一"]
    assert (person["gender"], person["id_type"], person["age"], person["phone"]) == (
        "F",
        "passport",
        41,
        "13300000071",
    )
    assert (person["organization"], person["category"], person["email"]) == (
        "壬公司 经理",
        "enterprise",
        "z1@example.com",
    )


# ---------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11月19日", "2026-11-19"),
        ("11月19日 15:30", "2026-11-19 15:30:00"),
        ("12月30日", "2025-12-30"),  # after the event day: the year before
        ("2026.10.27 15:30", "2026-10-27 15:30:00"),
        ("2026.10.27", "2026-10-27"),
        ("2026/11/19", "2026-11-19"),
        (dt.datetime(2026, 11, 19), "2026-11-19"),
        (dt.date(2026, 11, 19), "2026-11-19"),
        (46345.0, "2026-11-19"),
    ],
)
def test_signup_times(text: object, expected: str) -> None:
    assert parse_signup_time(text, dt.date(2026, 12, 18)) == expected


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("姓  名", "姓名"),
        ("身份证号（必填）", "身份证号"),
        ("联系电话\n(手机)", "联系电话"),
        ("*E-mail：", "e-mail"),
        ("工作单位 【全称】", "工作单位"),
    ],
)
def test_header_normalisation(header: str, key: str) -> None:
    assert header_key(header) == key


@pytest.mark.parametrize(
    ("kind", "number", "code"),
    [
        ("resident_id", rid(1)[:-1] + "Y", "id.characters"),
        ("hmt_residence_permit", rid(1), "id.permit_area"),
        ("foreign_permanent", "1" + FOREIGN[1:], "id.foreign_shape"),
        ("foreign_permanent", FOREIGN[:-1] + ("0" if FOREIGN[-1] != "0" else "1"), "id.check_digit_of"),
        ("foreign_permanent", FOREIGN[:6] + "20991301" + FOREIGN[14:], "id.birth_date"),
        ("passport", "E1", "id.passport_shape"),
        ("hk_macao_permit", "X12345678", "id.hk_macao_permit_shape"),
        ("taiwan_permit", "1234", "id.taiwan_permit_shape"),
    ],
)
def test_each_document_is_validated_as_far_as_its_format_allows(kind: str, number: str, code: str) -> None:
    with pytest.raises(CheckinError) as info:
        parse_document(number, kind, today=dt.date(2026, 12, 18))
    assert info.value.key == code


def test_travel_permit_number_kept_without_issue_count() -> None:
    assert parse_document("h12345678 01", "hk_macao_permit").number == "H12345678"
    assert parse_document("1234567801", "taiwan_permit").number == "12345678"


def test_unreadable_files_say_why(tmp_path: Path, db: Database) -> None:
    old_doc = tmp_path / "报名表.doc"
    old_doc.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 100)
    with pytest.raises(CheckinError) as info:
        import_file(db, old_doc)
    assert info.value.key == "import.unsupported"
    shutil.copy(
        LIBREOFFICE_DIR / "报名表.ods", tmp_path / "改了扩展名.xlsx"
    )  # the content decides, not the name
    assert import_file(db, tmp_path / "改了扩展名.xlsx").imported == 5


def test_document_matches_any_type_and_nothing_else(corpus: dict[str, Path], db: Database) -> None:
    from checkin.event import id_secret
    from checkin.idcard import document_matches

    import_file(db, corpus["merged_header"])
    stored = db.execute("SELECT id_hash FROM people WHERE name = '王五'").fetchone()[0]
    secret = id_secret(db)
    assert document_matches(secret, "h12345678", stored)
    assert document_matches(secret, "H 1234 5678 02", stored)  # reissued: another issue count
    assert not document_matches(secret, "H12345679", stored)
    assert not document_matches(secret, "", stored)


def test_mail_without_attachment_is_read_from_its_lines(tmp_path: Path, db: Database) -> None:
    """Some people type the form into the mail itself: "姓名：…" lines; the mail's Date is the time."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "活动报名+冯一"
    message["Date"] = "Mon, 23 Nov 2026 01:30:00 +0000"
    message.set_content(
        f"您好！\n姓名：冯一\n证件类型：居民身份证\n身份证号：{rid(81)}\n联系电话：13300000081\n谢谢"
    )
    (tmp_path / "报名.eml").write_bytes(message.as_bytes())
    mail_without_form = EmailMessage()
    mail_without_form.set_content("请问报名截止到哪天？")
    (tmp_path / "咨询.eml").write_bytes(mail_without_form.as_bytes())
    set_language("zh")
    result = import_file(db, tmp_path)
    assert [f.status_line() for f in result.files] == [
        "咨询.eml：未导入——邮件没有报名表附件，正文中也没有“姓名：…”“证件号码：…”这样的内容：请向报名人要报名表",
        "报名.eml：导入 1 人，已存在未变 0 人，退回 0 行",
    ]
    assert people(db)["冯一"]["signed_up_at"] == "2026-11-23 09:30:00"  # UTC+8


def test_csv_messages_name_row_and_column_without_a_sheet(tmp_path: Path, db: Database) -> None:
    path = tmp_path / "电话报名.csv"
    path.write_text(f"电话报名登记\n姓名,联系方式,身份证号\n陈一,1380000,{rid(91)}\n", encoding="utf-8")
    result = import_file(db, path)
    assert reasons(result) == [
        "row 3, column B (联系方式): phone number is not valid (***0000): expected an 11-digit mobile or a landline with area code"
    ]
