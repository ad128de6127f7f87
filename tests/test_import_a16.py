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


def _html_mail(html: str) -> bytes:
    import quopri

    body = quopri.encodestring(html.encode("gb2312")).decode()
    return (
        "From: ln@example.com\r\nTo: kfr@example.gov.cn\r\nSubject: =?gb2312?B?u+62r7Gow/s=?=\r\n"
        "Date: Wed, 11 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n--ALT\r\n'
        'Content-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        f"{body}\r\n--ALT--\r\n"
    ).encode("ascii")


def test_a_form_pasted_into_an_html_mail_is_read(tmp_path: Path, db: Database) -> None:
    # the table copied from Word into the mail (no attachment, no plain-text part): it was
    # 未导入——邮件没有报名表附件，正文中也没有“姓名：…”… and the person was lost
    from checkin.idcard import make_id

    number = make_id("32010219850615234")
    wrong = number[:-1] + ("1" if number[-1] != "1" else "2")
    table = (
        '<html><body><div>您好，报名表如下：</div><table border="1"><tbody>'
        '<tr><td><p class="MsoNormal"><span>姓名</span></p></td><td><p>李&nbsp;娜</p></td><td>性别</td><td>女</td></tr>'
        "<tr><td>证件类型</td><td>身份证</td><td>证件号码</td><td>{id}</td></tr>"
        "<tr><td>联系电话</td><td>139-1234-5678</td><td>电子邮箱</td><td>ln@example.com</td></tr>"
        '<tr><td>工作单位及职务</td><td colspan="3">某中学 教师</td></tr>'
        "</tbody></table><div>谢谢！</div></body></html>"
    )
    lines = "<html><body><p>姓名：王芳<br>证件号码：{id}<br>联系电话：150 1111 2222</p></body></html>"
    folder = tmp_path / "收到"
    folder.mkdir()
    (folder / "活动报名+李娜.eml").write_bytes(_html_mail(table.format(id=number)))
    (folder / "活动报名+王芳.eml").write_bytes(_html_mail(lines.format(id=make_id("44030419920101345"))))
    (folder / "活动报名+刘洋.eml").write_bytes(
        _html_mail(table.replace("李&nbsp;娜", "刘洋").format(id=wrong))
    )
    set_language("zh")
    result = import_file(db, folder)
    people = {
        r[0]: r[1:] for r in db.execute("SELECT name, gender, phone, organization, signed_up_at FROM people")
    }
    assert people == {
        "李娜": ("F", "13912345678", "某中学 教师", "2026-11-11 09:00:00"),
        "王芳": (None, "15011112222", None, "2026-11-11 09:00:00"),
    }
    assert [r.reason for r in result.rejected] == [
        "报名表“身份证号（或 证件号码）”一栏：身份证号校验位不对（GB 11643 校验），请核对"
    ]
    assert wrong not in str(result.rejected[0].__dict__)


def test_a_permit_or_passport_number_excel_stored_as_a_number(tmp_path: Path, db: Database) -> None:
    # a CSV opened in Excel (or LibreOffice) and saved as .xlsx: 12345678 and 123456789 become
    # numbers. All were refused with 身份证号被 Excel 转成了数字…末几位已丢失 — a false hint for a
    # travel permit (nothing was lost) and the wrong document for a passport
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["姓名", "证件类型", "证件号码", "出生日期", "联系电话"])
    sheet.append(["John Smith", "护照", 123456789, "1980-05-06", "13800000011"])
    sheet.append(["林美", "台胞证", 12345678, "1990-01-01", "13800000012"])
    sheet.append(["林丽", "台胞证", 1234567, "1990-01-01", "13800000013"])  # was 01234567
    sheet.append(["林芳", "台胞证", 2345678901.0, "1990-01-01", "13800000014"])  # with its issue count
    path = tmp_path / "报名.xlsx"
    book.save(path)
    set_language("zh")
    result = import_file(db, path)
    stored = db.execute("SELECT name, id_type, id_masked FROM people ORDER BY name").fetchall()
    assert [(n, t, m[-4:]) for n, t, m in stored] == [
        ("林美", "taiwan_permit", "5678"),
        ("林芳", "taiwan_permit", "6789"),  # the issue count 01 dropped
    ]
    hint = "证件号码被 Excel 存成了数字，开头的 0 会丢失、较长的号码会丢掉末几位：请把该列设置为“文本”格式后重新录入"
    assert [(r.line, r.reason) for r in result.rejected] == [
        (2, f"工作表“Sheet”第 2 行 C 列（证件号码）：{hint}"),
        (4, f"工作表“Sheet”第 4 行 C 列（证件号码）：{hint}"),
    ]


@pytest.mark.parametrize("cell", ["1.38E+10", "1.38001E+10", "1.38e10"])
def test_a_phone_excel_wrote_out_in_scientific_notation_is_told_to_be_text(cell: str) -> None:
    # a CSV saved by Excel from a General column: the number is gone; it was only 联系电话格式不对（****E+10）
    from checkin.errors import CheckinError
    from checkin.importer import parse_phone_cell

    set_language("zh")
    with pytest.raises(CheckinError) as info:
        parse_phone_cell(cell)
    assert info.value.message() == (
        "联系电话被 Excel 转成了数字（如 1.38E+10），号码已丢失：请把该列设置为“文本”格式后重新录入"
    )


def test_an_attachment_named_in_raw_gbk_bytes_keeps_its_chinese_name(tmp_path: Path, db: Database) -> None:
    # older Foxmail and OA systems write filename="活动报名+王芳.docx" in GBK bytes, not encoded:
    # the report said “王芳.eml / �����+����.docx” and warned that the name broke the rule
    import base64

    from docx import Document

    from checkin.idcard import make_id
    from checkin.signup_form import write_signup_form

    document = Document(str(write_signup_form(db, tmp_path / "报名表.docx")))
    values = {"姓名": "王芳", "证件号码": make_id("44030419920101345"), "联系电话": "15011112222"}
    for row in document.tables[0].rows:
        cells = row.cells
        for i in range(len(cells) - 1):
            key = header_key(cells[i].text)
            if key in values and cells[i + 1].text == "":
                cells[i + 1].text = values[key]
    form = tmp_path / "form.docx"
    document.save(str(form))
    mail = (
        "From: wf@example.com\r\nSubject: form\r\nDate: Tue, 10 Nov 2026 08:15:00 +0800\r\n"
        'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n'
        'Content-Type: application/octet-stream; name="活动报名+王芳.docx"\r\n'
        "Content-Transfer-Encoding: base64\r\n"
        'Content-Disposition: attachment; filename="活动报名+王芳.docx"\r\n\r\n'
        + base64.encodebytes(form.read_bytes()).decode().replace("\n", "\r\n")
        + "\r\n--B--\r\n"
    )
    path = tmp_path / "王芳.eml"
    path.write_bytes(mail.encode("gbk"))
    set_language("zh")
    result = import_file(db, path)
    assert result.imported == 1
    assert result.files[0].warnings == []
    assert [sheet.name for sheet in result.files[0].sheets] == ["王芳.eml / 活动报名+王芳.docx"]


def test_each_document_with_a_wrong_check_digit_names_its_own_document(tmp_path: Path, db: Database) -> None:
    # a residence permit or a permanent residence ID with a wrong check digit was told 身份证号校验位不对
    from checkin.idcard import make_id

    def wrong(number: str) -> str:
        return number[:-1] + ("1" if number[-1] != "1" else "2")

    permit, foreign = make_id("81000019900101123"), make_id("93115619900101123")
    path = tmp_path / "报名.csv"
    path.write_text(
        "姓名,证件类型,证件号码,出生日期,联系电话\n"
        f"甲一,港澳台居民居住证,{wrong(permit)},,13800000001\n"
        f"甲二,外国人永久居留身份证,{wrong(foreign)},,13800000002\n"
        f"甲三,居民身份证,{wrong(make_id('11010119900307123'))},,13800000003\n"
        "甲四,护照,1.23457E+08,1980-01-01,13800000004\n",
        encoding="gbk",
    )
    set_language("zh")
    result = import_file(db, path)
    assert [r.reason for r in result.rejected] == [
        "第 2 行 C 列（证件号码）：港澳台居民居住证号码校验位不对（GB 11643 校验），请核对",
        "第 3 行 C 列（证件号码）：外国人永久居留身份证号码校验位不对（GB 11643 校验），请核对",
        "第 4 行 C 列（证件号码）：身份证号校验位不对（GB 11643 校验），请核对",
        "第 5 行 C 列（证件号码）：证件号码被 Excel 存成了数字，开头的 0 会丢失、较长的号码会丢掉末几位："
        "请把该列设置为“文本”格式后重新录入",
    ]
    assert not any(n[:-1] in str(result.rejected) for n in (permit, foreign))
