"""Issue 16, second pass: what county staff still met with real-shaped files (totals rows with
the count under the ID column, documents other than the resident ID at the door, …). Each test
states the people, report lines and messages it expects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database

from checkin.i18n import set_language
from checkin.importer import import_file
from tests.data.make_corpus import totals_csv


def names(db: Database) -> list[str]:
    return [r["name"] for r in db.query("SELECT name FROM people ORDER BY seq")]


def test_totals_rows_with_the_count_under_the_id_column_are_skipped(tmp_path: Path, db: Database) -> None:
    set_language("zh")
    result = import_file(db, totals_csv(tmp_path / "合计行.csv"))
    assert names(db) == ["钱一", "钱二", "钱三"]
    assert result.rejected == []
    assert [s.describe() for s in result.files[0].sheets] == [
        "“合计行.csv”：第 2 行是表头；未读取的列：序号（A 列）；"
        "跳过 第 5 行（合计行）、第 7 行（合计行）、第 8 行（合计行）、第 9 行（合计行）、"
        "第 11 行（说明：注：以上信息仅用于本次活）；空行 1 行"
    ]


# ---------------------------------------------------------------- the door knows every document


def test_the_door_finds_a_guest_by_any_document_typed_or_read(tmp_path: Path, db: Database) -> None:
    from checkin.door import Door, resolve_scan
    from checkin.selection import select
    from tests.data.make_corpus import FOREIGN, PERMIT, merged_header_xlsx
    from tests.helpers import event_day_clock

    import_file(db, merged_header_xlsx(tmp_path / "证件类型.xlsx"))
    db.execute("UPDATE event SET capacity = 10")
    select(db)
    number = {r["name"]: r["number"] for r in db.query("SELECT name, number FROM people")}
    typed = {
        "王四": "e12345678",  # a passport, typed in lower case
        "王五": "H1234567801",  # 港澳通行证 with the reissue count read from the card
        "王六": "12345678",  # 台湾通行证
        "王三": f"NAME:SMITH ID:{FOREIGN} NAT:USA",  # 外国人永久居留身份证 in a card reader's line
        "王二": PERMIT,  # 港澳台居民居住证
    }
    for name, text in typed.items():
        found = resolve_scan(db, text)
        assert (found.number, found.method) == (number[name], "idcard"), name
    assert resolve_scan(db, "E99999999").reason == "not_token"  # nobody's passport
    assert resolve_scan(db, "A1234567").reason is None  # a person's number shape stays a look-up
    door = Door(db, "东门", "小王", clock=event_day_clock(9))
    verdict = door.scan("E12345678")
    assert verdict.admitted and verdict.invitee is not None and verdict.invitee.number == number["王四"]
    method, value = db.execute(
        "SELECT c.method, r.value FROM checkins c JOIN check_results r ON r.checkin_uid = c.uid "
        "WHERE c.number = ?",
        [number["王四"]],
    ).fetchone()
    assert method == "idcard" and "12345678" not in value  # the number itself is never stored


# ---------------------------------------------------------------- forms saved by LibreOffice Writer


def test_a_form_saved_by_libreoffice_imports_and_its_odt_is_refused_in_words(db: Database) -> None:
    from checkin.errors import CheckinError
    from tests.data.make_corpus import LIBREOFFICE_DIR

    set_language("zh")
    result = import_file(db, LIBREOFFICE_DIR / "活动报名+冯一.docx")
    row = db.execute("SELECT name, id_type, age, organization, category FROM people").fetchone()
    assert row == ("冯一", "hmt_residence_permit", 39, "壬公司 职员", "citizen")
    assert (result.imported, result.rejected, result.files[0].warnings) == (1, [], [])
    with pytest.raises(CheckinError) as info:
        import_file(db, LIBREOFFICE_DIR / "活动报名+冯一.odt")
    assert info.value.message() == "不支持 .odt 文件：表格请另存为 .xlsx 或 CSV，报名表请另存为 .docx"


def test_a_word_file_whose_main_part_is_not_document_xml_is_read(tmp_path: Path, db: Database) -> None:
    """Some editors write word/document2.xml and name it in _rels/.rels."""
    import zipfile

    from tests.data.make_corpus import label_form_docx, rid

    plain = label_form_docx(
        tmp_path / "plain.docx", {"姓名": "冯二", "证件号码": rid(92), "联系电话": "13100000092"}
    )
    renamed = tmp_path / "活动报名+冯二.docx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(renamed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename in ("_rels/.rels", "[Content_Types].xml", "word/_rels/document.xml.rels"):
                data = data.replace(b"word/document.xml", b"word/document2.xml")
            name = item.filename.replace("word/document.xml", "word/document2.xml")
            name = name.replace("word/_rels/document.xml.rels", "word/_rels/document2.xml.rels")
            target.writestr(name, data)
    set_language("zh")
    result = import_file(db, renamed)
    assert names(db) == ["冯二"] and result.rejected == []


# ---------------------------------------------------------------- the older foreign permanent residence card


def test_the_older_foreign_permanent_residence_card_is_accepted_with_a_birth_date(
    tmp_path: Path, db: Database
) -> None:
    """The 2017 card (3 letters + 12 digits) stays valid beside the 2023 one: its number carries
    no birth date that can be read for certain, so 出生日期 is required, and the door finds it."""
    from checkin.idcard import find_by_document
    from tests.helpers import write_csv

    header = ["姓名", "证件类型", "证件号码", "出生日期", "手机"]
    rows = [
        ["Anna Smith", "外国人永久居留身份证", "usa110085030701", "1985-03-07", "13800000001"],
        ["Bob Smith", "永居证", "USA110085030702", "", "13800000002"],
        ["Carl Smith", "外国人永久居留身份证", "US1110085030703", "1985-03-07", "13800000003"],
        ["Dan Smith", "外国人永久居留身份证", "USA1100850307", "1985-03-07", "13800000004"],
    ]
    set_language("zh")
    result = import_file(db, write_csv(tmp_path / "外籍.csv", rows, header=header))
    assert names(db) == ["Anna Smith"]
    assert db.execute("SELECT id_type, age, id_masked FROM people").fetchone() == (
        "foreign_permanent",
        41,
        "**************0701",
    )
    assert [r.reason for r in result.rejected] == [
        "第 3 行 D 列（出生日期）：证件类型为“外国人永久居留身份证”，证件号码中没有出生日期："
        "请填写“出生日期”列（例如 1990-01-02）",
        "第 4 行 C 列（证件号码）：15位的旧版外国人永久居留身份证号码应为3个字母加12位数字（如 USA110085030701）",
        "第 5 行 C 列（证件号码）：外国人永久居留身份证号码应为18位（2023年版，以9开头）"
        "或15位（旧版，3个字母加12位数字），实际为13位",
    ]
    assert find_by_document(db, "USA 110085030701") is not None


# ---------------------------------------------------------------- header spellings


def test_headers_joined_by_a_slash_and_address_spellings(tmp_path: Path, db: Database) -> None:
    from checkin.sheets import field_for
    from tests.data.make_corpus import rid
    from tests.helpers import write_csv

    assert field_for("联系电话/手机") == "phone"
    assert field_for("身份证号码／证件号码") == "id_number"  # a full-width slash
    assert field_for("单位/职务") == "organization"  # listed in data/import_headers.toml
    assert field_for("姓名/性别") is None  # two fields in one column: not guessed
    assert field_for("性别/民族") is None  # 民族 is not a field: the column is not read
    assert field_for("E-Mail地址") == field_for("电子邮箱地址") == "email"
    header = ["序号", "姓名", "身份证号码/证件号码", "联系电话/手机", "单位/职务", "E-Mail地址", "性别/民族"]
    rows = [["1", "褚一", rid(93), "13100000093", "癸公司 科长", "chu1@example.com", "男/汉"]]
    set_language("zh")
    result = import_file(db, write_csv(tmp_path / "斜杠.csv", rows, header=header))
    row = db.execute("SELECT name, phone, organization, email FROM people").fetchone()
    assert row == ("褚一", "13100000093", "癸公司 科长", "chu1@example.com")
    assert result.rejected == []
    assert [s.describe() for s in result.files[0].sheets] == [
        "“斜杠.csv”：第 1 行是表头；未读取的列：序号（A 列）、性别/民族（G 列）"
    ]


# ---------------------------------------------------------------- the report's words


def test_report_names_group_tables_form_sheets_and_where_the_header_was_looked_for(
    tmp_path: Path, db: Database
) -> None:
    import shutil

    from openpyxl import Workbook

    from checkin.errors import CheckinError
    from tests.data.make_corpus import forms_folder

    folder = forms_folder(tmp_path / "邮件报名")
    # saved twice or copied in Explorer: the file-name rule still holds
    shutil.copy(folder / "活动报名+吴三.xlsx", folder / "活动报名+吴三 - 副本.xlsx")
    set_language("zh")
    result = import_file(db, folder)
    by_file = {f.file: f for f in result.files}
    assert [s.describe() for s in by_file["活动报名+XX社区.docx"].sheets] == [
        "“活动报名+XX社区.docx”第 2 个表格：第 1 行是表头；未读取的列：序号（A 列）"
    ]
    assert [s.describe() for s in by_file["活动报名+吴三.xlsx"].sheets] == ["工作表“Sheet”：按报名表读取"]
    assert by_file["活动报名+吴三 - 副本.xlsx"].warnings == []
    set_language("en")
    assert by_file["活动报名+吴六.docx"].status_line() == (
        "活动报名+吴六.docx: imported 0, unchanged 0, rejected 1 row"
    )
    book = Workbook()
    assert book.active is not None
    book.active.title = "说明"
    book.active.append(["填表说明"])
    book.create_sheet("数据").append(["甲", "乙"])
    book.save(tmp_path / "无表头.xlsx")
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, tmp_path / "无表头.xlsx")
    assert info.value.message() == (
        "没有找到报名表的表头：已在 工作表“说明”、工作表“数据” 的前 20 行中查找“姓名”和“身份证号（或 证件号码）”"
        "两列。请检查表头是否写了这两列"
    )


# ---------------------------------------------------------------- the form to send out


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_the_form_to_send_out_says_what_where_by_when_and_how_to_name_it(
    tmp_path: Path, db: Database, suffix: str
) -> None:
    from checkin.signup_form import write_signup_form
    from tests.helpers import set_event

    set_event(db, title="“走进税务”政府开放日", location="示范县政务服务中心", starts="14:00", ends="17:30")
    set_event(db, signup_deadline="2026-12-11 18:00")
    set_language("zh")
    path = write_signup_form(db, tmp_path / f"报名表{suffix}", send_to="kfr@example.gov.cn")
    if suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        lines = [p.text for p in document.paragraphs if p.text]
        boxes = [c.text for row in document.tables[0].rows for c in row.cells]
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(path).active
        assert sheet is not None
        cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
        lines, boxes = [str(c) for c in cells], [str(c) for c in cells]
    assert lines[:4] == [
        "“走进税务”政府开放日报名表",
        "活动时间：2026-12-18 14:00-17:30；地点：示范县政务服务中心",
        "报名截止：2026-12-11 18:00",
        f"填好后请发送至 kfr@example.gov.cn，文件请命名为“活动报名+姓名”（如：活动报名+张三{suffix}）。",
    ]
    assert (
        "证件类型可填：居民身份证、港澳台居民居住证、外国人永久居留身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证。"
        "护照、通行证和旧版（15位）外国人永久居留身份证请填写出生日期。" in lines
    )
    for label in ("姓名", "性别", "证件类型", "证件号码", "出生日期（护照、通行证填写）", "联系电话",
                  "工作单位及职务", "人员类别", "电子邮箱"):  # fmt: skip
        assert label in boxes


# ---------------------------------------------------------------- group forms made in Excel


@pytest.mark.parametrize("file_name", ["活动报名+某社区.xlsx", "某社区集体报名.xlsx", "某社区名单.xlsx"])
def test_a_group_form_made_in_excel_becomes_a_group_application(
    tmp_path: Path, db: Database, file_name: str
) -> None:
    from openpyxl import Workbook

    from checkin.groups import list_groups
    from tests.data.make_corpus import rid

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["XX局政府开放日集体报名表" if "集体" in file_name else "XX局政府开放日报名表"])
    sheet.append(["单位名称", "某社区居委会", "联系电话", "025-84561234"])
    sheet.append(["人员类别", "社区工作者", "报名时间", "2026-11-20 14:00"])
    sheet.append(["序号", "姓名", "证件类型", "证件号码"])
    sheet.append([1, "卫一", "居民身份证", rid(94)])
    sheet.append([2, "卫二", None, rid(95)])
    book.save(tmp_path / file_name)
    set_language("zh")
    result = import_file(db, tmp_path / file_name)
    assert (result.imported, result.rejected) == (2, [])
    rows = db.execute("SELECT name, organization, phone, category FROM people ORDER BY seq").fetchall()
    assert rows == [
        ("卫一", "某社区居委会", "025-84561234", "community"),
        ("卫二", "某社区居委会", "025-84561234", "community"),
    ]
    groups = [(g.organization, [m.name for m in g.members]) for g in list_groups(db)]
    # a sheet neither sent as 活动报名+… nor titled 集体/团体报名 is a list, not one group
    assert groups == ([] if file_name == "某社区名单.xlsx" else [("某社区居委会", ["卫一", "卫二"])])


# ---------------------------------------------------------------- mails as mail clients save them


def test_a_mail_forwarded_as_an_attachment_and_a_gbk_named_attachment_are_read(
    tmp_path: Path, db: Database
) -> None:
    import base64
    import datetime as dt
    from email.message import EmailMessage

    from tests.data.make_corpus import label_form_docx, mail, rid

    folder = tmp_path / "收件箱"
    folder.mkdir()
    china = dt.timezone(dt.timedelta(hours=8))
    form = label_form_docx(
        tmp_path / "活动报名+蒋一.docx", {"姓名": "蒋一", "证件号码": rid(96), "联系电话": "13100000096"}
    )
    original = mail(tmp_path / "原件.eml", form, dt.datetime(2026, 11, 19, 10, 11, 12, tzinfo=china))
    # Outlook's 以附件形式转发: the person's mail inside the colleague's
    outer = EmailMessage()
    outer["From"] = "同事 <colleague@example.gov.cn>"
    outer["Subject"] = "转发：活动报名+蒋一"
    outer["Date"] = "Fri, 20 Nov 2026 08:00:00 +0800"
    outer.set_content("请查收")
    from email import message_from_bytes, policy

    outer.add_attachment(message_from_bytes(original.read_bytes(), policy=policy.default))
    (folder / "转发：活动报名+蒋一.eml").write_bytes(outer.as_bytes())
    # a Chinese mail client names the attachment in GBK encoded words
    second = label_form_docx(
        tmp_path / "form2.docx", {"姓名": "蒋二", "证件号码": rid(97), "联系电话": "13100000097"}
    )
    encoded = "=?GBK?B?" + base64.b64encode("活动报名+蒋二.docx".encode("gbk")).decode() + "?="
    body = base64.encodebytes(second.read_bytes()).decode()
    raw = (
        "From: someone@example.com\r\nSubject: =?GBK?B?"
        + base64.b64encode("活动报名+蒋二".encode("gbk")).decode()
        + "?=\r\nDate: Fri, 20 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\n'
        'Content-Type: text/plain; charset="GBK"\r\n\r\n\r\n--XX\r\n'
        f'Content-Type: application/octet-stream; name="{encoded}"\r\n'
        f'Content-Disposition: attachment; filename="{encoded}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + body.replace("\n", "\r\n") + "--XX--\r\n"
    )
    (folder / "活动报名+蒋二.eml").write_bytes(raw.encode("ascii"))
    set_language("zh")
    result = import_file(db, folder)
    assert [f.status_line() for f in result.files] == [
        "活动报名+蒋二.eml：导入 1 人，已存在未变 0 人，退回 0 行",
        "转发：活动报名+蒋一.eml：导入 1 人，已存在未变 0 人，退回 0 行",
    ]
    rows = db.execute("SELECT name, signed_up_at FROM people ORDER BY seq").fetchall()
    # the forwarded mail's own Date (when the person sent it), not the colleague's
    assert rows == [("蒋一", "2026-11-19 10:11:12"), ("蒋二", "2026-11-20 09:00:00")]
    assert [s.describe() for s in result.files[1].sheets] == [
        "“转发：活动报名+蒋一.eml / 活动报名+蒋一.docx”：按报名表读取"
    ]


# ---------------------------------------------------------------- sign-up times as other programs write them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.19", "2026-11-19"),  # month.day: the event's year
        ("11.19 15:30", "2026-11-19 15:30:00"),
        ("2026/11/19 下午 3:30:00", "2026-11-19 15:30:00"),  # Excel in a Chinese locale
        ("2026-11-19 下午 03:30", "2026-11-19 15:30:00"),
        ("2026/11/19 上午 9:05", "2026-11-19 09:05:00"),
        ("2026/11/19 中午 12:30", "2026-11-19 12:30:00"),
        ("2026/11/19 3:30 PM", "2026-11-19 15:30:00"),  # a mail client in English
        ("2026/11/19 12:10 AM", "2026-11-19 00:10:00"),
        ("2026-11-19T15:30:00+08:00", "2026-11-19 15:30:00"),  # a web form's export
        ("2026-11-19T07:30:00Z", "2026-11-19 15:30:00"),  # UTC: China time kept
        ("2026-11-19 15:30:00.000", "2026-11-19 15:30:00"),
        ("2026/11/19 15:30:00 星期四", "2026-11-19 15:30:00"),
        ("2026年11月19日 星期四", "2026-11-19"),
        ("2026-11-19（周四）", "2026-11-19"),
        ("2026年11月19号", "2026-11-19"),
        ("11月19号 下午 3:30", "2026-11-19 15:30:00"),
    ],
)
def test_sign_up_times_as_other_programs_write_them(text: str, expected: str) -> None:
    import datetime as dt

    from checkin.importer import parse_signup_time

    assert parse_signup_time(text, dt.date(2026, 12, 18)) == expected


@pytest.mark.parametrize("text", ["2026/11/19 上午 13:30", "2026/13/19 下午 3:30", "星期四", "下午3:30"])
def test_sign_up_times_that_cannot_be_are_refused_quoting_the_whole_cell(text: str) -> None:
    import datetime as dt

    from checkin.errors import CheckinError
    from checkin.importer import parse_signup_time

    set_language("zh")
    with pytest.raises(CheckinError) as info:
        parse_signup_time(text, dt.date(2026, 12, 18))
    assert (
        info.value.message()
        == f"报名时间“{text}”无法识别：请写成 2026-10-27 18:00、2026.10.27 15:30 或 11月19日"
    )


def test_a_csv_cell_too_long_is_told_in_words(tmp_path: Path, db: Database) -> None:
    from checkin.errors import CheckinError

    path = tmp_path / "长.csv"
    path.write_text("姓名,身份证号\n张三," + "1" * 200_000 + "\n", encoding="utf-8")
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, path)
    assert info.value.message() == (
        "CSV 文件第 2 行有一格超过 131072 个字符，不像报名信息：请检查该行，或在 Excel 中打开后另存为 .xlsx"
    )
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0


def test_the_form_to_send_out_refuses_a_bad_address_and_says_why_it_cannot_be_written(
    tmp_path: Path, db: Database
) -> None:
    from checkin.errors import CheckinError
    from checkin.signup_form import write_signup_form

    set_language("zh")
    (tmp_path / "已有文件夹.docx").mkdir()
    (tmp_path / "一个文件").write_text("x")
    cases = [
        ({"out": tmp_path / "报名表.docx", "send_to": "kfr at example"}, "发送邮箱“kfr at example”格式不对：应为 name@example.com 这样的一个地址"),
        ({"out": tmp_path / "报名表.docx", "send_to": "a@b.com\x1b[31m"}, "发送邮箱“a@b.com\\x1b[31m”格式不对：应为 name@example.com 这样的一个地址"),
        ({"out": tmp_path / "已有文件夹.docx"}, f"无法写入 {tmp_path / '已有文件夹.docx'}：这是一个文件夹，请写文件名（如 报名表.docx）"),
        ({"out": tmp_path / "一个文件" / "报名表.xlsx"}, f"无法写入 {tmp_path / '一个文件' / '报名表.xlsx'}：文件夹不存在"),
    ]  # fmt: skip
    for kwargs, message in cases:
        with pytest.raises(CheckinError) as info:
            write_signup_form(db, **kwargs)  # type: ignore[arg-type]
        assert info.value.message() == message
    assert not (tmp_path / "报名表.docx").exists()


# ---------------------------------------------------------------- a stray value far away


def test_a_stray_value_in_excels_last_cell_is_refused_in_words_not_a_crash(
    tmp_path: Path, db: Database
) -> None:
    """The reader holds a sheet's whole rectangle: a space typed in XFD1048576 made it ask for
    17 billion cells and the process aborted. A far cell with only a format is harmless."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from checkin.errors import CheckinError
    from tests.data.make_corpus import rid

    def sheet(path: Path, far: str, value: bool) -> Path:
        book = Workbook()
        first = book.active
        assert first is not None
        first.title = "报名"
        first.append(["姓名", "身份证号", "手机"])
        first.append(["沈一", rid(98), "13100000098"])
        if value:
            first[far] = " "
        else:
            first[far].font = Font(bold=True)
        book.save(path)
        return path

    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, sheet(tmp_path / "远处.xlsx", "XFD1048576", value=True))
    assert info.value.message() == (
        "工作表“报名”用到的范围过大（远处的 XFD1048576 格里有内容，多半是误输入的空格）："
        "请在 Excel 中按 Ctrl+End 找到它，删除多余的行和列，保存后再导入"
    )
    assert names(db) == []
    result = import_file(db, sheet(tmp_path / "格式.xlsx", "XFD1048576", value=False))
    assert names(db) == ["沈一"] and result.rejected == []


def test_a_person_on_two_sheets_is_refused_once_naming_the_sheet_row_and_column(
    tmp_path: Path, db: Database
) -> None:
    from openpyxl import Workbook

    from tests.data.make_corpus import rid

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "第一批"
    first.append(["姓名", "身份证号", "手机", "报名时间"])
    first.append(["韩一", rid(99), "13100000099", "2026-11-18 09:00"])
    second = book.create_sheet("第二批")
    second.append(["XX局报名表（第二批）"])
    second.append(["序号", "姓名", "公民身份号码", "手机", "报名时间"])
    second.append([1, "韩一", rid(99), "13100000099", "2026-11-19 09:00"])
    book.save(tmp_path / "两批.xlsx")
    set_language("zh")
    result = import_file(db, tmp_path / "两批.xlsx")
    assert names(db) == ["韩一"]
    assert [(r.sheet, r.line, r.column, r.reason) for r in result.rejected] == [
        (
            "第二批",
            3,
            "C",
            "工作表“第二批”第 3 行：与 工作表“第一批”第 2 行 是同一人（证件号码相同），保留较早的报名",
        )
    ]


def test_an_online_forms_export_with_numbered_questions(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import online_form_xlsx

    set_language("zh")
    result = import_file(db, online_form_xlsx(tmp_path / "问卷导出.xlsx"))
    rows = db.execute("SELECT name, organization, category, signed_up_at FROM people ORDER BY seq").fetchall()
    assert rows == [
        ("秦一", "子公司", "citizen", "2026-11-19 15:30:12"),
        ("秦二", None, "enterprise", "2026-11-19 16:05:00"),
    ]
    assert result.rejected == []
    assert [s.describe() for s in result.files[0].sheets] == [
        "工作表“Sheet”：第 1 行是表头；未读取的列：序号（A 列）、所用时间（C 列）、来源（D 列）、来自IP（E 列）"
    ]


def test_the_xlsx_form_prints_on_one_page_width_with_its_lines_wrapped(tmp_path: Path, db: Database) -> None:
    """Printed from Excel or LibreOffice to fill in by hand, it was three pages: columns C–D on
    the second, the ends of the long lines on the third."""
    from openpyxl import load_workbook

    from checkin.signup_form import write_signup_form

    set_language("zh")
    sheet = load_workbook(
        write_signup_form(db, tmp_path / "报名表.xlsx", send_to="kfr@example.gov.cn")
    ).active
    assert sheet is not None
    assert sheet.sheet_properties.pageSetUpPr is not None and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.page_setup.orientation == "portrait"
    assert sheet.print_area == f"'报名表'!$A$1:$D${sheet.max_row}"
    documents = next(c for c in sheet["A"] if str(c.value or "").startswith("证件类型可填"))
    assert documents.alignment.wrap_text
    assert (sheet.row_dimensions[documents.row].height or 0) >= 32  # two lines at least


# ---------------------------------------------------------------- Word forms as Word keeps them


def test_a_word_form_with_content_controls_and_tracked_changes_is_read(tmp_path: Path, db: Database) -> None:
    """Word forms put their boxes in content controls (w:sdt) — around a value, a cell or the
    whole table — and an office with Track Changes on keeps a correction as w:ins / w:del. The
    values were lost (姓名为空) because only a paragraph's direct runs were read."""
    import copy

    from docx import Document
    from docx.oxml.ns import qn
    from lxml import etree

    from tests.data.make_corpus import rid

    def wrap(element: etree._Element, tag: str) -> etree._Element:
        outer = etree.Element(qn(tag))
        element.addprevious(outer)
        if tag == "w:sdt":
            content = etree.SubElement(outer, qn("w:sdtContent"))
            content.append(element)
        else:
            outer.append(element)
        return outer

    document = Document()
    document.add_paragraph("政府开放日报名表")
    table = document.add_table(rows=3, cols=2)
    for r, (label, value) in enumerate(
        [("姓名", "杨一"), ("证件号码", rid(103)), ("联系电话", "13000000103")]
    ):
        table.cell(r, 0).text = label
        table.cell(r, 1).text = value
    name_run = table.cell(0, 1).paragraphs[0].runs[0]._r
    id_cell = table.cell(1, 1)._tc
    run = table.cell(2, 1).paragraphs[0].runs[0]._r
    wrap(name_run, "w:sdt")  # a content control around the name
    wrap(id_cell, "w:sdt")  # a content control around the ID cell
    deleted = copy.deepcopy(run)
    deleted.find(qn("w:t")).tag = qn("w:delText")
    deleted.find(qn("w:delText")).text = "13999999999"
    run.addprevious(deleted)
    wrap(deleted, "w:del")
    wrap(run, "w:ins")  # the phone corrected with Track Changes on
    wrap(table._tbl, "w:sdt")  # and the whole table in a repeating-section control
    path = tmp_path / "活动报名+杨一.docx"
    document.save(str(path))
    set_language("zh")
    result = import_file(db, path)
    assert result.rejected == [] and result.files[0].warnings == []
    assert db.execute("SELECT name, phone FROM people").fetchone() == ("杨一", "13000000103")


def test_a_phone_written_out_as_a_decimal_by_another_program(db: Database) -> None:
    from checkin.importer import parse_phone_cell

    assert parse_phone_cell("13800138000.0") == "13800138000"
    assert parse_phone_cell("02584561234.00") == "025-84561234"


# ---------------------------------------------------------------- files that are not what their name says


def test_a_web_systems_html_export_named_xls_is_read_as_a_sheet(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import html_export_xls

    set_language("zh")
    result = import_file(db, html_export_xls(tmp_path / "系统导出.xls"))
    rows = db.execute("SELECT name, id_type, phone, signed_up_at FROM people ORDER BY seq").fetchall()
    assert rows == [
        ("朱一", "resident_id", "13700000201", "2026-11-19 09:00:00"),
        ("朱三", "resident_id", "13700000203", "2026-11-19"),
    ]
    assert [r.reason for r in result.rejected] == [
        "第 5 行：证件类型为“护照”，证件号码中没有出生日期：请填写“出生日期”列（例如 1990-01-02）"
    ]
    assert [s.describe() for s in result.files[0].sheets] == [
        "“系统导出.xls”：第 2 行是表头；未读取的列：序号（A 列）"
    ]


@pytest.mark.parametrize("suffix", [".docx", ".xls"])
def test_an_old_word_file_renamed_is_told_what_it_is(tmp_path: Path, db: Database, suffix: str) -> None:
    from checkin.errors import CheckinError

    path = tmp_path / f"活动报名+朱四{suffix}"
    # an OLE compound file whose directory names a WordDocument stream: a .doc
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "WordDocument".encode("utf-16-le") + bytes(64)
    )
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, path)
    assert info.value.message() == (
        f"活动报名+朱四{suffix} 其实是旧版 Word（.doc）或 Outlook（.msg）文件，只是扩展名写成了 {suffix}："
        "请用 Word 或 WPS 打开后另存为 .docx"
    )


def test_sheet_on_a_csv_says_it_changed_nothing(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import gbk_csv

    set_language("zh")
    result = import_file(db, gbk_csv(tmp_path / "报名表GBK.csv"), sheet="第二批")
    assert names(db) == ["孙一", "孙二"]
    assert result.files[0].warnings == [
        "注意：报名表GBK.csv 不是有工作表的表格，--sheet 第二批 未起作用，已读取整个文件"
    ]


def test_a_one_person_form_laid_out_as_a_table_is_not_a_group(tmp_path: Path, db: Database) -> None:
    from docx import Document

    from checkin.groups import list_groups
    from tests.data.make_corpus import rid

    document = Document()
    document.add_paragraph("政府开放日报名表")
    table = document.add_table(rows=2, cols=3)
    for c, (label, value) in enumerate(
        [("姓名", "许一"), ("身份证号", rid(104)), ("联系电话", "13000000104")]
    ):
        table.cell(0, c).text = label
        table.cell(1, c).text = value
    document.save(str(tmp_path / "活动报名+许一.docx"))
    set_language("zh")
    result = import_file(db, tmp_path / "活动报名+许一.docx")
    assert names(db) == ["许一"] and result.rejected == [] and result.files[0].warnings == []
    assert list_groups(db) == []


def test_a_value_typed_into_the_labels_own_cell_is_read(tmp_path: Path, db: Database) -> None:
    from docx import Document

    from tests.data.make_corpus import rid

    document = Document()
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).text = "姓名 何一"  # typed after the label, the box beside it left empty
    table.cell(1, 0).text = "证件号码"
    table.cell(1, 1).text = rid(105)
    table.cell(2, 0).text = "联系电话\n13000000105"
    document.save(str(tmp_path / "活动报名+何一.docx"))
    set_language("zh")
    result = import_file(db, tmp_path / "活动报名+何一.docx")
    assert result.rejected == [] and result.files[0].warnings == []
    assert db.execute("SELECT name, phone FROM people").fetchone() == ("何一", "13000000105")


def test_a_long_run_of_notes_is_counted_not_listed_line_by_line(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import rid
    from tests.helpers import write_csv

    rows = [["吕一", rid(106), "13000000106"]] + [[f"注：第{n}条说明", "", ""] for n in range(1, 31)]
    set_language("zh")
    result = import_file(db, write_csv(tmp_path / "说明多.csv", rows, header=["姓名", "身份证号", "手机"]))
    line = result.files[0].sheets[0].describe()
    assert line.startswith("“说明多.csv”：第 1 行是表头；跳过 第 3 行（说明：注：第1条说明）、")
    assert line.endswith("第 12 行（说明：注：第10条说明） 等共 30 行")


def test_a_form_drawn_inside_a_frame_table_is_read(tmp_path: Path, db: Database) -> None:
    """A form whose boxes are a table inside the cell of an outer table (a frame, a title cell):
    the outer cell's text ran all the boxes together."""
    from docx import Document

    from tests.data.make_corpus import rid

    document = Document()
    frame = document.add_table(rows=2, cols=1)
    frame.cell(0, 0).text = "政府开放日报名表"
    inner = frame.cell(1, 0).add_table(rows=3, cols=2)
    for r, (label, value) in enumerate(
        [("姓名", "施一"), ("证件号码", rid(107)), ("联系电话", "13000000107")]
    ):
        inner.cell(r, 0).text = label
        inner.cell(r, 1).text = value
    document.save(str(tmp_path / "活动报名+施一.docx"))
    set_language("zh")
    result = import_file(db, tmp_path / "活动报名+施一.docx")
    assert result.rejected == [] and result.files[0].warnings == []
    assert db.execute("SELECT name, phone FROM people").fetchone() == ("施一", "13000000107")


def test_a_zip_of_forms_and_a_photo_of_a_form_are_told_what_to_do(tmp_path: Path, db: Database) -> None:
    import zipfile

    from tests.data.make_corpus import label_form_docx, rid

    folder = tmp_path / "收件"
    folder.mkdir()
    form = label_form_docx(
        tmp_path / "活动报名+孔一.docx", {"姓名": "孔一", "证件号码": rid(108), "联系电话": "13000000108"}
    )
    with zipfile.ZipFile(folder / "报名表.zip", "w") as archive:
        archive.write(form, form.name)
    (folder / "报名表照片.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    set_language("zh")
    result = import_file(db, folder)
    assert [f.status_line() for f in result.files] == [
        "报名表.zip：未导入——报名表.zip 是压缩包：请先解压，再导入解压出的文件或文件夹",
        "报名表照片.jpg：未导入——报名表照片.jpg 是图片，读不出报名信息：请让报名人发送填好的 .docx 报名表，或由工作人员照着录入表格",
    ]


def test_an_excel_2003_xml_spreadsheet_named_xls_is_read_sheet_by_sheet(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import spreadsheet_ml_xls

    set_language("zh")
    result = import_file(db, spreadsheet_ml_xls(tmp_path / "XML表格.xls"))
    assert names(db) == ["尤一", "尤二"]
    assert [r.reason for r in result.rejected] == [
        "工作表“补报”第 2 行 C 列（手机）：联系电话格式不对（***0000）：应为11位手机号或带区号的固定电话"
    ]
    assert [s.describe() for s in result.files[0].sheets] == [
        "工作表“报名”：第 2 行是表头；未读取的列：序号（A 列）",
        "工作表“补报”：第 1 行是表头",
    ]
    result = import_file(db, tmp_path / "XML表格.xls", sheet="补报")
    assert [s.describe() for s in result.files[0].sheets] == ["工作表“补报”：第 1 行是表头"]


def test_a_word_file_holding_two_filled_in_forms_gives_two_people(tmp_path: Path, db: Database) -> None:
    """A couple copies the form's table and fills it in twice in one file: the second person
    was silently dropped (the first table's boxes won)."""
    from docx import Document

    from tests.data.make_corpus import rid

    document = Document()
    for name, number, phone in [("金一", rid(114), "13000000114"), ("金二", rid(115), "1300000")]:
        document.add_paragraph("政府开放日报名表")
        table = document.add_table(rows=3, cols=2)
        for r, (label, value) in enumerate([("姓名", name), ("证件号码", number), ("联系电话", phone)]):
            table.cell(r, 0).text = label
            table.cell(r, 1).text = value
    document.add_paragraph("报名时间：2026-11-20 10:00")
    document.save(str(tmp_path / "活动报名+金一.docx"))
    set_language("zh")
    result = import_file(db, tmp_path / "活动报名+金一.docx")
    assert names(db) == ["金一"]
    assert db.execute("SELECT signed_up_at FROM people").fetchone()[0] == "2026-11-20 10:00:00"
    assert [r.reason for r in result.rejected] == [
        "第 2 个表格的“联系电话”一栏：联系电话格式不对（***0000）：应为11位手机号或带区号的固定电话"
    ]
    assert [s.describe() for s in result.files[0].sheets] == [
        "“活动报名+金一.docx”第 1 个表格：按报名表读取",
        "“活动报名+金一.docx”第 2 个表格：按报名表读取",
    ]
    assert result.files[0].warnings == []


def test_a_sheet_too_large_once_unpacked_is_refused_before_it_is_inflated(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl import Workbook

    from checkin import sheets
    from checkin.errors import CheckinError
    from tests.data.make_corpus import rid

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名"
    sheet.append(["姓名", "身份证号", "手机"])
    for n in range(200):
        sheet.append([f"人{n}", rid(n), f"130{n:08d}"])
    book.save(tmp_path / "大.xlsx")
    monkeypatch.setattr(sheets, "MAX_SHEET_XML", 4096)  # as a zip bomb is to the real limit (512 MB)
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, tmp_path / "大.xlsx")
    assert info.value.message().startswith("大.xlsx 解压后过大，不像报名表")
    assert names(db) == []


def test_a_huge_file_in_the_folder_is_not_read_into_memory(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkin import sheets
    from tests.data.make_corpus import label_form_docx, rid

    folder = tmp_path / "收件"
    folder.mkdir()
    label_form_docx(
        folder / "活动报名+戚一.docx", {"姓名": "戚一", "证件号码": rid(116), "联系电话": "13000000116"}
    )
    (folder / "现场录像.mp4").write_bytes(bytes(3 << 20))
    monkeypatch.setattr(sheets, "MAX_FILE", 2 << 20)  # as a video is to the real limit (256 MB)
    set_language("zh")
    result = import_file(db, folder)
    assert names(db) == ["戚一"]
    assert [f.status_line() for f in result.files][
        1
    ] == "现场录像.mp4：未导入——现场录像.mp4 有 3 MB，不像报名表或报名邮件，未读取"


def test_the_xlsx_form_offers_the_document_types_categories_and_genders_as_drop_downs(
    tmp_path: Path, db: Database
) -> None:
    from openpyxl import load_workbook

    from checkin.signup_form import write_signup_form

    set_language("zh")
    sheet = load_workbook(write_signup_form(db, tmp_path / "报名表.xlsx")).active
    assert sheet is not None
    offered = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            label = sheet.cell(row=cell_range.min_row, column=cell_range.min_col - 1).value
            offered[label] = (validation.formula1, validation.errorStyle)
    assert offered["证件类型"] == (
        '"居民身份证,港澳台居民居住证,外国人永久居留身份证,护照,港澳居民来往内地通行证,台湾居民来往大陆通行证"',
        "warning",  # another spelling typed (身份证) is warned about, not refused: the import reads it
    )
    assert offered["性别"] == ('"男,女"', "warning")
    assert offered["人员类别"][0].startswith('"群众代表,')


def test_a_file_another_program_holds_is_told_in_words(
    tmp_path: Path, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from checkin.errors import CheckinError
    from tests.data.make_corpus import gbk_csv

    path = gbk_csv(tmp_path / "报名表.csv")
    original = Path.read_bytes

    def locked(self: Path) -> bytes:
        if self.name == "报名表.csv":  # as Windows answers while Excel has the file open
            raise PermissionError(13, "The process cannot access the file", str(self))
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", locked)
    set_language("zh")
    with pytest.raises(CheckinError) as info:
        import_file(db, path)
    assert (
        info.value.message()
        == "无法读取 报名表.csv：文件可能正被 Excel、WPS 或 Word 打开，或没有读取权限；请关闭它后再导入"
    )


def test_a_form_typed_on_one_line_of_a_mail_gives_each_box(tmp_path: Path, db: Database) -> None:
    """`姓名：张三，身份证号：…，电话：…` on one line: the name took the whole line (the ID number
    with it) and the form was refused for want of an ID number."""
    from email.message import EmailMessage

    from tests.data.make_corpus import rid

    message = EmailMessage()
    message["From"] = "someone@example.com"
    message["Subject"] = "活动报名+卫三"
    message["Date"] = "Fri, 20 Nov 2026 09:00:00 +0800"
    message.set_content(
        f"您好，我报名参加。\n姓名：卫三，身份证号：{rid(117)}；电话：13000000117 单位：丑公司\n备注：姓名：无\n"
    )
    (tmp_path / "活动报名+卫三.eml").write_bytes(message.as_bytes())
    set_language("zh")
    result = import_file(db, tmp_path / "活动报名+卫三.eml")
    assert result.rejected == [] and result.files[0].warnings == []
    assert db.execute("SELECT name, phone, organization, signed_up_at FROM people").fetchone() == (
        "卫三",
        "13000000117",
        "丑公司",
        "2026-11-20 09:00:00",
    )


def test_a_number_typed_into_the_name_is_refused_and_never_stored(tmp_path: Path, db: Database) -> None:
    from tests.data.make_corpus import rid
    from tests.helpers import write_csv

    rows = [[f"褚二 {rid(118)}", rid(118), "13000000118"], ["褚三2", rid(119), "13000000119"]]
    set_language("zh")
    result = import_file(db, write_csv(tmp_path / "名单.csv", rows, header=["姓名", "身份证号", "手机"]))
    assert names(db) == ["褚三2"]  # a staff's own numbering of two namesakes stays
    assert [r.reason for r in result.rejected] == [
        "第 2 行 A 列（姓名）：姓名里有一串数字（像证件号码或电话）：请只填姓名，号码填在各自的栏里"
    ]
    assert not any(rid(118)[-6:] in str(v) for row in db.query("SELECT * FROM people") for v in row.values())


def test_outlooks_winmail_dat_is_told_what_to_ask_for(tmp_path: Path, db: Database) -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["Subject"] = "活动报名+吕二"
    message.set_content("附件是报名表")
    message.add_attachment(
        b"\x78\x9f\x3e\x22" + bytes(64), maintype="application", subtype="ms-tnef", filename="winmail.dat"
    )
    (tmp_path / "活动报名+吕二.eml").write_bytes(message.as_bytes())
    (tmp_path / "other.txt").write_text("x")  # a folder, so the file is listed rather than raised
    set_language("zh")
    result = import_file(db, tmp_path)
    by_file = {f.file: f for f in result.files}
    assert by_file["活动报名+吕二.eml"].status_line() == (
        "活动报名+吕二.eml：未导入——邮件附件无法读取：附件是 Outlook 的 winmail.dat，里面的报名表读不出来："
        "请报名人把邮件格式改为 HTML 或纯文本后重新发送"
    )
