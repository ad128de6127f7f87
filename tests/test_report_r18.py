"""Review of issue 18 as a hostile user: own templates that break or pry, quotes in quotes,
personal data in what guests wrote or in photos on the public page, a signature left alone."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from docx import Document
from PIL import Image

from checkin import officialdoc as od
from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.ledger import add_suggestion
from checkin.report import write_report
from checkin.storage import open_db
from tests.helpers import FONT, paragraphs, set_event

ENGLISH = re.compile(r"[A-Za-z]{3,}")


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("{{ 1/0 }}", "计算无法完成"),
        ("{{ range(10**9)|list }}", "计算无法完成"),
        ("{{ '%d'|format('x') }}", "计算无法完成"),
        ("{{ ''.__class__.__mro__ }}", "访问程序内部"),
        ("{% for x in %}", "写法不对"),
        ("{{ unti }}", "不存在的名称“unti”"),  # a typo is not a blank in an official document
        ("{{ lipsum(10**6) }}", "不存在的名称“lipsum”"),
    ],
)
@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_a_bad_own_template_is_told_in_chinese_never_a_traceback(
    demo: Path, tmp_path: Path, body: str, shown: str, suffix: str
) -> None:
    set_language("zh")
    template = tmp_path / f"own{suffix}"
    if suffix == ".docx":
        document = od.new_document()
        od.add_body(document, body)
        document.save(str(template))
    else:
        template.write_text(body, encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        write_report(open_db(demo), tmp_path / f"out{suffix}", template=template, font=FONT)
    message = info.value.message().replace(str(template), "")
    assert info.value.key == "report.template_invalid" and shown in message
    assert ENGLISH.findall(message.replace("README", "").replace(shown, "")) == [], message


def test_quotes_inside_the_quoted_theme_become_single(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(demo)
    set_event(db, theme='走进办税服务厅，体验"非接触式"办税')
    text = "\n".join(paragraphs(write_report(db, tmp_path / "r.docx", font=FONT)))
    assert "主题为“走进办税服务厅，体验‘非接触式’办税”" in text
    page = write_report(db, tmp_path / "r.html", font=FONT).read_text(encoding="utf-8")
    assert "主题为“走进办税服务厅，体验‘非接触式’办税”" in page


def test_the_public_page_masks_names_phones_and_ids_in_what_guests_wrote(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(demo)
    name, phone = db.execute("SELECT name, phone FROM people WHERE phone IS NOT NULL LIMIT 1").fetchone()
    add_suggestion(db, f"我是{name}，电话{phone}，身份证110101199001010011，希望周末开放", source="forum")
    photos = tmp_path / "photos"
    photos.mkdir()
    exif = Image.Exif()
    exif[0x010E] = "secret-owner-note"  # ImageDescription
    exif[0x013B] = "Camera Owner Zhang"  # Artist
    Image.new("RGB", (40, 30), "red").save(photos / f"01_{name}发言.jpg", exif=exif)
    page = write_report(db, tmp_path / "r.html", photos=photos, font=FONT).read_text(encoding="utf-8")
    assert "希望周末开放" in page
    assert name not in page and phone not in page and "0101199001010011" not in page
    assert f"{name[0]}某" in page
    for data in re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", page):
        raw = base64.b64decode(data)
        assert b"secret-owner-note" not in raw and b"Camera Owner" not in raw
        assert not Image.open(io.BytesIO(raw)).getexif()
    # The document for the county office keeps the text as written (it is not published).
    docx = "\n".join(paragraphs(write_report(db, tmp_path / "r.docx", font=FONT)))
    assert name in docx


def test_the_signature_never_stands_alone_on_a_page(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    document = Document(str(write_report(open_db(demo), tmp_path / "r.docx", font=FONT)))
    texts = [p.text for p in document.paragraphs]
    closing = texts.index("特此报告。")
    signature = next(i for i, p in enumerate(document.paragraphs) if p.style.name == od.STYLE_SIGNATURE)
    assert closing < signature
    for paragraph in document.paragraphs[closing : signature + 1]:
        assert paragraph.paragraph_format.keep_with_next, paragraph.text


def test_usage_errors_and_event_show_read_as_chinese(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from checkin.cli import main as cli_main

    for args in (
        ["suggestions", "history", "--db", str(demo)],
        ["report", "--db", str(demo), "--out", "x.docx", "--bogus"],
        ["confirm", "A001", "--db", str(demo), "--status", "maybe"],
        ["report", "--db", str(demo), "--out"],
    ):
        with pytest.raises(SystemExit):
            cli_main(["--lang", "zh", *args])
        err = capsys.readouterr().err.splitlines()[-1]  # the line after argparse's usage
        assert "参数" in err and not re.search(r"\b(the|arguments|argument|invalid|expected)\b", err), err
    bare = str(tmp_path / "bare.db")  # an event with no start or end time yet
    assert cli_main(["--lang", "zh", "init", "--db", bare, "--title", "开放日", "--date", "2026-12-18"]) == 0
    assert cli_main(["--lang", "zh", "event", "show", "--db", bare]) == 0
    assert "?" not in capsys.readouterr().out
