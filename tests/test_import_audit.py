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
