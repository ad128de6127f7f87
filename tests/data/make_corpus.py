"""Sign-up files shaped like the ones offices receive, for the import tests.

    python -m tests.data.make_corpus OUT_DIR              # write the corpus into OUT_DIR
    python -m tests.data.make_corpus --libreoffice        # re-save the checked-in LibreOffice files

The tests call `make_corpus(tmp_path)`; the files under tests/data/libreoffice/ were saved by
LibreOffice (soffice --headless --convert-to) from `title_rows.xlsx` and are checked in, so the
tests read real .xls, .ods and LibreOffice .xlsx without needing LibreOffice installed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from openpyxl import Workbook

from checkin.idcard import make_id

HERE = Path(__file__).resolve().parent
LIBREOFFICE_DIR = HERE / "libreoffice"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def rid(n: int, birth: str = "19900101", area: str = "320102") -> str:
    """A valid resident ID number, distinct for each n."""
    return make_id(f"{area}{birth}{n:03d}")


FOREIGN = make_id("911840" + "19850312" + "001")  # 外国人永久居留身份证 (2023): 9 + 11 + 840 + birth + seq
PERMIT = make_id("810000" + "19920505" + "002")  # 港澳台居民居住证 (Hong Kong)


# ---------------------------------------------------------------- sheets


def title_rows_xlsx(path: Path) -> Path:
    """The standard 报名表: a merged title row, a note row, a header with the spellings offices use,
    a totals row and a note at the end; a second batch on another sheet; a 填表说明 sheet."""
    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "第一批"
    first.append(["XX局政府开放日报名表"])
    first.merge_cells("A1:I1")
    first.append(["填报单位：XX局办公室", None, None, None, None, "填报日期：2026年11月"])
    first.append(
        ["序号", "姓  名", "性别", "身份证号（必填）", "联系方式", "单位名称", "人员类别", "报名时间", "民族"]
    )
    first.append([1, "张一", "男", rid(1), "13800000001", "甲公司", "群众代表", "2026-11-18 09:00", "汉"])
    first.append([2, "张二", "女", rid(2), "13800000002", "乙公司", "企业代表", "2026.11.18 15:30", "汉"])
    first.append(
        [3, "张三", "男", rid(3), "1380000", "丙公司", "群众代表", "11月19日", "汉"]
    )  # bad phone: row 6, E
    first.append([4, "张四", "男", rid(4), "13800000004", "", "", "2026/11/19", "回"])  # date only
    first.append([5, "张五", "女", rid(5), "13800000005", "", "群众", "2026-11-19 08:00", "汉"])
    first.append([None, None, None, None, None, None, None, None, None])
    first.append(["合计", None, "5人"])
    first.append(["注：身份证号请设置为文本格式"])
    first.append([6])  # a numbered template row nobody filled in
    first.append([7])
    second = book.create_sheet("第二批")
    second.append(["XX局政府开放日报名表（第二批）"])
    second.merge_cells("A1:F1")
    second.append(["姓名", "公民身份号码", "手机号码", "工作单位及职务", "提交时间", "邮箱"])
    second.append(["李一", rid(11), "13900000011", "丁局 科员", "11月18日 10:00", "li1@example.com"])
    second.append(
        ["李二", rid(12), "13900000012", "", "2026-11-20", "not-an-address"]
    )  # bad e-mail: row 4, F
    notes = book.create_sheet("填表说明")
    notes.append(["填表说明"])
    notes.append(["1. 每人一行；2. 身份证号请填写18位。"])
    book.save(path)
    return path


def merged_header_xlsx(path: Path) -> Path:
    """A two-row header (证件 merged over 类型 | 号码) and every identity document type."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "报名"
    sheet.append(["政府开放日报名名单"])
    sheet.merge_cells("A1:G1")
    sheet.append(["序号", "姓名", "证件", None, "出生日期", "联系电话", "类别"])
    sheet.merge_cells("C2:D2")
    sheet.append([None, None, "类型", "号码", None, None, None])
    rows = [
        ["王一", "居民身份证", rid(21), None],
        ["王二", "港澳台居民居住证", PERMIT, None],
        ["王三", "外国人永久居留身份证", FOREIGN, None],
        ["王四", "护照", "E12345678", "1988-08-08"],
        ["王五", "港澳通行证", "H12345678", "1979-01-02"],
        ["王六", "台湾通行证", "12345678", "1991-03-04"],
        ["王七", "护照", "E87654321", None],  # no birth date: row 10, E
        ["王八", "外国人永久居留身份证", "911840198503120", None],  # 15 characters: row 11, D
    ]
    for n, (name, kind, number, birth) in enumerate(rows, start=1):
        sheet.append([n, name, kind, number, birth, f"137{n:08d}", "群众代表"])
    book.save(path)
    return path


def unicode_text(path: Path) -> Path:
    """Excel's "Unicode 文本": UTF-16 with BOM, tab-separated, the title row included."""
    lines = [
        "政府开放日报名表",
        "姓名\t身份证号码\t手机\t单位\t报名日期",
        f"赵一\t{rid(31)}\t13600000031\t戊公司\t2026-11-21 09:30",
        f"赵二\t{rid(32)}\t13600000032\t\t2026-11-21",
    ]
    path.write_bytes("\r\n".join(lines).encode("utf-16"))
    return path


def gbk_csv(path: Path, delimiter: str = ",", encoding: str = "gbk") -> Path:
    """A GBK (or GB18030, UTF-8 …) CSV with a title row above the header."""
    lines = [
        "XX局政府开放日报名表",
        delimiter.join(["序号", "姓名", "身份证号", "联系电话", "工作单位"]),
        delimiter.join(["1", "孙一", rid(41), "13500000041", "己单位"]),
        delimiter.join(["2", "孙二", rid(42), "13500000042", "庚单位"]),
    ]
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return path


def totals_csv(path: Path) -> Path:
    """Totals rows as offices write them: the count under the ID column (合计 | 3人), 合计 in the
    序号 column with the count under the name, a 小计 with a bare number, then a note and blanks."""
    lines = [
        "XX局政府开放日报名表",
        "序号,姓名,身份证号,联系电话",
        f"1,钱一,{rid(81)},13200000081",
        f"2,钱二,{rid(82)},13200000082",
        ",小计,2,",
        f"3,钱三,{rid(83)},13200000083",
        ",合计,3人,",
        "合计：3人,,,",
        "总计,,3,",
        ",,,",
        "注：以上信息仅用于本次活动,,,",
    ]
    path.write_bytes("\r\n".join(lines).encode("gbk"))
    return path


def online_form_xlsx(path: Path) -> Path:
    """An online form's export (问卷星 and the like): numbered questions as headers, the tool's
    own columns (submission time, time taken, source, IP), a bilingual header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["序号", "提交答卷时间", "所用时间", "来源", "来自IP", "1、您的姓名", "2、身份证号（必填）",
         "3、手机号码", "4、工作单位 Employer", "5、人员类别"]
    )  # fmt: skip
    sheet.append(
        [
            1,
            "2026/11/19 15:30:12",
            "95秒",
            "微信",
            "10.0.0.1",
            "秦一",
            rid(101),
            "13000000101",
            "子公司",
            "群众代表",
        ]
    )
    sheet.append(
        [
            2,
            "2026/11/19 下午 4:05:00",
            "80秒",
            "链接",
            "10.0.0.2",
            "秦二",
            rid(102),
            "13000000102",
            "",
            "企业代表",
        ]
    )
    book.save(path)
    return path


def html_export_xls(path: Path) -> Path:
    """A web system's "Excel" export: an HTML page in GBK named .xls, a title cell spanning the
    columns, a two-row header (证件 over 类型 | 号码, the others spanning both rows), &nbsp;."""
    rows = "".join(
        f"<tr><td>{n}</td><td>{name}</td><td>{kind}</td><td>{number}</td><td>{phone}</td><td>{when}</td></tr>"
        for n, (name, kind, number, phone, when) in enumerate(
            [
                ("朱一", "居民身份证", rid(201), "13700000201", "2026-11-19 09:00"),
                ("朱二", "护照", "E55556666", "13700000202", "2026-11-19 10:00"),  # no birth date: row 5
                ("朱三", "", rid(203), "137&nbsp;0000&nbsp;0203", "2026/11/19"),
            ],
            start=1,
        )
    )
    page = (
        '<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><table border="1">'
        '<tr><td colspan="6">XX局政府开放日报名表（系统导出）</td></tr>'
        '<tr><th rowspan="2">序号</th><th rowspan="2">姓名</th><th colspan="2">证件</th>'
        '<th rowspan="2">联系电话</th><th rowspan="2">报名时间</th></tr>'
        f"<tr><th>类型</th><th>号码</th></tr>{rows}</table></body></html>"
    )
    path.write_bytes(page.encode("gbk"))
    return path


def spreadsheet_ml_xls(path: Path) -> Path:
    """Excel 2003's XML Spreadsheet named .xls, as older web systems export it: a title merged
    across (ss:MergeAcross), a cell placed by ss:Index, a second worksheet."""

    def row(*cells: str, index: int | None = None) -> str:
        out = "".join(f'<Cell><Data ss:Type="String">{c}</Data></Cell>' for c in cells)
        if index is not None:  # the first cell placed in column `index`, those before it empty
            first, *rest = cells
            out = f'<Cell ss:Index="{index}"><Data ss:Type="String">{first}</Data></Cell>' + "".join(
                f'<Cell><Data ss:Type="String">{c}</Data></Cell>' for c in rest
            )
        return f"<Row>{out}</Row>"

    sheet1 = (
        '<Row><Cell ss:MergeAcross="4"><Data ss:Type="String">XX局政府开放日报名表</Data></Cell></Row>'
        + row("序号", "姓名", "身份证号", "联系电话", "报名时间")
        + row("1", "尤一", rid(111), "13000000111", "2026-11-19 09:00")
        + row("尤二", rid(112), "13000000112", index=2)  # 序号 left empty: placed by ss:Index
    )
    sheet2 = row("姓名", "公民身份号码", "手机") + row("尤三", rid(113), "1300000")  # bad phone: row 2, C
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><?mso-application progid="Excel.Sheet"?>'
        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
        'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
        f'<Worksheet ss:Name="报名"><Table>{sheet1}</Table></Worksheet>'
        f'<Worksheet ss:Name="补报"><Table>{sheet2}</Table></Worksheet></Workbook>'
    )
    path.write_bytes(xml.encode("utf-8"))
    return path


# ---------------------------------------------------------------- forms


def label_form_docx(path: Path, values: dict[str, str]) -> Path:
    """A registration form: label cells with the value in the cell to the right."""
    from docx import Document

    document = Document()
    document.add_heading("XX局政府开放日报名表", level=1)
    document.add_paragraph("填好后请发送至 kaifangri@example.gov.cn")
    labels = [
        ["姓  名", "性别"],
        ["证件类型", "证件号码"],
        ["联系电话", "电子邮箱"],
        ["工作单位及职务", "人员类别"],
    ]
    table = document.add_table(rows=len(labels), cols=4)
    for r, pair in enumerate(labels):
        for c, label in enumerate(pair):
            table.cell(r, c * 2).text = label
            key = label.replace(" ", "")
            table.cell(r, c * 2 + 1).text = values.get(key, "")
    document.save(str(path))
    return path


def paragraph_form_docx(path: Path, values: dict[str, str]) -> Path:
    """A form written as "标签：值" lines."""
    from docx import Document

    document = Document()
    document.add_paragraph("政府开放日报名")
    for label, value in values.items():
        document.add_paragraph(f"{label}：{value}")
    document.save(str(path))
    return path


def group_form_docx(path: Path) -> Path:
    """A group form: the unit and contact as label/value boxes, then one row per person."""
    from docx import Document

    document = Document()
    document.add_heading("政府开放日集体报名表", level=1)
    top = document.add_table(rows=2, cols=4)
    for r, cells in enumerate(
        [
            ["单位名称", "XX社区居委会", "联系电话", "025-84561234"],
            ["人员类别", "社区工作者", "报名时间", "2026-11-20 14:00"],
        ]
    ):
        for c, text in enumerate(cells):
            top.cell(r, c).text = text
    people = [
        ["周一", "居民身份证", rid(51)],
        ["周二", "居民身份证", rid(52)],
        ["周三", "居民身份证", "320102"],
    ]
    table = document.add_table(rows=len(people) + 1, cols=4)
    for c, text in enumerate(["序号", "姓名", "证件类型", "证件号码"]):
        table.cell(0, c).text = text
    for r, (name, kind, number) in enumerate(people, start=1):
        for c, text in enumerate([str(r), name, kind, number]):
            table.cell(r, c).text = text
    document.save(str(path))
    return path


def form_xlsx(path: Path, values: dict[str, str]) -> Path:
    """A form-shaped sheet: a title, then label | value | label | value rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["政府开放日报名表"])
    sheet.merge_cells("A1:D1")
    sheet.append(["姓名", values.get("姓名"), "性别", values.get("性别")])
    sheet.append(["证件类型", values.get("证件类型"), "证件号码", values.get("证件号码")])
    sheet.append(["联系电话", values.get("联系电话"), "工作单位", values.get("工作单位")])
    book.save(path)
    return path


def mail(path: Path, attachment: Path, sent: dt.datetime) -> Path:
    """A mail saved from the mail client (.eml) with a form attached."""
    message = EmailMessage()
    message["From"] = "报名者 <someone@example.com>"
    message["To"] = "kaifangri@example.gov.cn"
    message["Subject"] = "活动报名+" + attachment.stem.split("+")[-1]
    message["Date"] = format_datetime(sent)
    message.set_content("您好，附件是报名表。")
    message.add_attachment(
        attachment.read_bytes(),
        maintype="application",
        subtype=DOCX_MIME.split("/")[1],
        filename=attachment.name,
    )
    path.write_bytes(message.as_bytes())
    return path


def forms_folder(folder: Path) -> Path:
    """A folder of e-mailed forms as the office saves them."""
    folder.mkdir(parents=True, exist_ok=True)
    label_form_docx(
        folder / "活动报名+吴一.docx",
        {"姓名": "吴一", "性别": "男", "证件类型": "居民身份证", "证件号码": rid(61), "联系电话": "13300000061",
         "工作单位及职务": "辛公司 职员", "电子邮箱": "wu1@example.com"},
    )  # fmt: skip
    paragraph_form_docx(
        folder / "活动报名+吴二.docx",
        {"姓名": "吴二", "证件类型": "护照", "证件号码": "E11112222", "出生日期": "1990年2月3日", "联系电话": "13300000062"},
    )  # fmt: skip
    form_xlsx(
        folder / "活动报名+吴三.xlsx",
        {"姓名": "吴三", "证件类型": "居民身份证", "证件号码": rid(63), "联系电话": "13300000063"},
    )
    label_form_docx(
        folder / "活动报名+吴四.docx",  # the file name names someone else
        {"姓名": "吴五", "证件类型": "居民身份证", "证件号码": rid(65), "联系电话": "13300000065"},
    )
    label_form_docx(
        folder / "活动报名+吴六.docx",  # the phone is wrong
        {"姓名": "吴六", "证件类型": "居民身份证", "证件号码": rid(66), "联系电话": "12345"},
    )
    group_form_docx(folder / "活动报名+XX社区.docx")
    with tempfile.TemporaryDirectory() as tmp:
        attached = label_form_docx(
            Path(tmp) / "活动报名+吴七.docx",
            {"姓名": "吴七", "证件类型": "居民身份证", "证件号码": rid(67), "联系电话": "13300000067"},
        )
        mail(
            folder / "回复：政府开放日报名.eml",
            attached,
            dt.datetime(2026, 11, 22, 10, 15, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        )
    (folder / "损坏的报名表.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "活动通知.pdf").write_bytes(b"%PDF-1.4 not a form")
    (folder / "~$活动报名+吴一.docx").write_bytes(b"Word's lock file")
    return folder


LIBREOFFICE_FORM = {
    "姓名": "冯一", "性别": "女", "证件类型": "港澳台居民居住证", "证件号码": make_id("830000" + "19870909" + "003"),
    "联系电话": "13100000091", "工作单位及职务": "壬公司 职员", "人员类别": "群众代表",
}  # fmt: skip


def make_corpus(out: Path) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    return {
        "title_rows": title_rows_xlsx(out / "XX局报名表.xlsx"),
        "merged_header": merged_header_xlsx(out / "证件类型.xlsx"),
        "unicode_text": unicode_text(out / "Unicode文本.txt"),
        "gbk_csv": gbk_csv(out / "报名表GBK.csv"),
        "semicolon_csv": gbk_csv(out / "报名表分号.csv", delimiter=";", encoding="utf-8-sig"),
        "tab_gb18030": gbk_csv(out / "报名表制表符.csv", delimiter="\t", encoding="gb18030"),
        "forms": forms_folder(out / "邮件报名"),
        "totals_csv": totals_csv(out / "合计行.csv"),
        "online_form": online_form_xlsx(out / "问卷导出.xlsx"),
        "html_export": html_export_xls(out / "系统导出.xls"),
        "spreadsheet_ml": spreadsheet_ml_xls(out / "XML表格.xls"),
    }


def resave_with_libreoffice() -> None:
    """Re-make tests/data/libreoffice/: title_rows.xlsx saved by LibreOffice as .xls, .ods and .xlsx."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    LIBREOFFICE_DIR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        source = title_rows_xlsx(Path(tmp) / "报名表.xlsx")
        for target, name in (("xls", "报名表.xls"), ("ods", "报名表.ods")):
            subprocess.run(
                [soffice, "--headless", "--convert-to", target, "--outdir", tmp, str(source)], check=True
            )
            shutil.copy(Path(tmp) / f"报名表.{target}", LIBREOFFICE_DIR / name)
        # an .xlsx written by LibreOffice itself (from its own .ods)
        ods = Path(tmp) / "报名表.ods"
        out = Path(tmp) / "lo"
        subprocess.run(
            [soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(ods)], check=True
        )
        shutil.copy(out / "报名表.xlsx", LIBREOFFICE_DIR / "报名表-LibreOffice.xlsx")
        # a registration form filled in and saved by LibreOffice Writer, as .docx and as .odt
        form = label_form_docx(Path(tmp) / "活动报名+冯一.docx", LIBREOFFICE_FORM)
        for target in ("docx:MS Word 2007 XML", "odt"):
            subprocess.run(
                [soffice, "--headless", "--convert-to", target, "--outdir", str(out), str(form)], check=True
            )
        for suffix in ("docx", "odt"):
            shutil.copy(out / f"活动报名+冯一.{suffix}", LIBREOFFICE_DIR / f"活动报名+冯一.{suffix}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--libreoffice"]:
        resave_with_libreoffice()
    elif len(sys.argv) == 2:
        for name, made in make_corpus(Path(sys.argv[1])).items():
            print(f"{name}: {made}")
    else:
        raise SystemExit(__doc__)
