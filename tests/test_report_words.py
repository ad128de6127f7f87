"""The report's words, read as a county office reads them (issue 18, second pass).

- The title breaks where GB/T 9704 (7.2.3) breaks a title: words whole, lines balanced — never
  "…政府开放 / 日活动开展情况" as the word processor's own wrapping did.
- A suggestion's reply or reason that ends with its own full stop does not end "。。".
- The web page says when the citizen share falls short of one third (it printed "群众代表占0.0%"
  and stopped), as the document does.
- A suggestion's history on the command line gives times as the screens do, not "…T08:47:19".
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from checkin.cli import main as cli_main
from checkin.door import Door
from checkin.i18n import set_language
from checkin.ledger import add_suggestion, set_status
from checkin.report import write_report
from checkin.storage import open_db
from tests.helpers import FONT, paragraphs, set_event, simulate_day

D = dt.date


def test_title_lines_break_between_words_and_balance_the_lines() -> None:
    from checkin.report import title_lines

    # 27.5 characters of 2号 do not fit the 20 of one line: after the quoted name, 16.5 + 11.
    assert title_lines("示范县税务局“走进税务 感受服务”政府开放日活动开展情况", "示范县税务局") == (
        "示范县税务局“走进税务 感受服务”\n政府开放日活动开展情况"
    )
    # A long unit: after the unit (12 + 20); after the quote the first line would be 21.
    assert title_lines(
        "示范县人力资源和社会保障局“就业服务进万家”政府开放日活动开展情况", "示范县人力资源和社会保障局"
    ) == ("示范县人力资源和社会保障局\n“就业服务进万家”政府开放日活动开展情况")
    # No quoted name: before 政府开放日 (13 + 11).
    assert title_lines(
        "示范县自然资源和规划局城南分局政府开放日活动开展情况", "示范县自然资源和规划局城南分局"
    ) == ("示范县自然资源和规划局城南分局\n政府开放日活动开展情况")
    # One line is left alone; so is a title no single break can fit on two lines.
    assert title_lines("科技局“政府开放日”活动开展情况", "科技局") == "科技局“政府开放日”活动开展情况"
    huge = "某" * 25 + "政府开放日活动开展情况"
    assert title_lines(huge, "某" * 25) == huge


def test_the_document_title_breaks_after_the_quoted_name(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(demo)
    path = write_report(db, tmp_path / "r.docx", font=FONT, day=D(2026, 12, 21))
    title = Document(str(path)).paragraphs[0]
    runs = [child.tag for child in title._p.iter(qn("w:t"), qn("w:br"))]
    assert runs == [qn("w:t"), qn("w:br"), qn("w:t")]
    assert title.text == "示范县税务局“走进税务 感受服务”\n政府开放日活动开展情况"
    page = write_report(db, tmp_path / "r.html", font=FONT).read_text(encoding="utf-8")
    assert "<h1>示范县税务局“走进税务 感受服务”政府开放日活动开展情况</h1>" in page  # one line on a phone


def test_a_reply_with_its_own_full_stop_is_not_doubled(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(simulate_day(demo))
    number = add_suggestion(db, "建议周末开放。")
    set_status(db, number, "assigned", department="纳税服务科")
    set_status(db, number, "in_progress")
    set_status(db, number, "resolved", outcome="not_adopted", reason="需省局统一安排。")
    set_status(db, number, "replied", reply="已电话答复。")
    text = "\n".join(paragraphs(write_report(db, tmp_path / "r.docx", font=FONT)))
    assert "理由：需省局统一安排，答复：已电话答复。" in text
    assert "。。" not in text and "。，" not in text
    page = write_report(db, tmp_path / "r.html", font=FONT).read_text(encoding="utf-8")
    assert "答复：已电话答复）" in page and "。）" not in page


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_citizen_share_short_of_one_third_is_said_on_the_page_too(
    demo: Path, tmp_path: Path, lang: str
) -> None:
    # Only a deputy came: 0 of 1 counted guests are citizens.
    set_language(lang)
    db = open_db(demo)
    set_event(db, date="2026-11-27")
    deputy = db.execute(
        "SELECT number FROM people WHERE category = 'npc_deputy' AND status = 'invited'"
    ).fetchone()[0]
    assert Door(db, "东门", "小王").judge(deputy, {"id_card": "seen"}).verdict == "admitted"
    page = write_report(db, tmp_path / "r.html", font=FONT).read_text(encoding="utf-8")
    text = "\n".join(paragraphs(write_report(db, tmp_path / "r.docx", font=FONT)))
    if lang == "zh":
        assert "群众代表占0.0%，未达到不低于三分之一的要求。" in page
        assert "占0.0%，未达到群众代表比例不低于三分之一的要求。" in text
    else:
        assert (
            "Citizens made up 0.0% of those counted against the places, short of the required one third."
            in page
        )
        assert "which falls short of the required one third" in text


def test_history_times_read_as_the_screens_show_them(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = open_db(demo)
    number = add_suggestion(db, "建议周末开放")
    db.conn.close()
    assert cli_main(["--lang", "zh", "suggestions", "history", number, "--db", str(demo)]) == 0
    out = capsys.readouterr().out
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\t办公室\t登记\t", out), out
    assert "T" not in out.split("\t")[0]


def test_english_counts_agree_with_their_nouns(demo: Path, tmp_path: Path) -> None:
    db = open_db(simulate_day(demo))  # 1 ID check failed, 1 turned away, 5 forms for 4 guests
    text = "\n".join(paragraphs(write_report(db, tmp_path / "r.docx", font=FONT)))
    assert "1 person failed the check “Own ID card” and was not admitted" in text
    assert "1 person turned away" in text
    assert "(1 more form than guests who came" in text


def test_a_template_cannot_reach_the_program_through_what_it_is_given(demo: Path, tmp_path: Path) -> None:
    """Jinja's sandbox let a template call any public method of an object it was given; the
    chart and photos are docxtpl objects holding the whole document, whose save() wrote a file
    anywhere. A template reads plain data only."""
    from checkin import officialdoc as od
    from checkin.errors import CheckinError
    from checkin.survey import add_entry, allocate_forms

    set_language("zh")
    db = open_db(simulate_day(demo))
    allocate_forms(db, 1)
    add_entry(db, 6, [1, 1, 1, 1, 1])
    photos = tmp_path / "photos"
    photos.mkdir()
    from PIL import Image

    Image.new("RGB", (64, 48), "navy").save(photos / "01_现场.jpg")
    written = tmp_path / "written.docx"
    for tag in (
        f"{{{{ chart.tpl.save('{written}') }}}}",
        "{% for p in photos %}{{ p.image.tpl.template_file }}{% endfor %}",
        "{% for p in photos %}{{ p.path }}{% endfor %}",
        "{{ categories.append(1) }}",
    ):
        own = od.new_document()
        od.add_body(own, tag)
        own.save(str(tmp_path / "own.docx"))
        with pytest.raises(CheckinError) as info:
            write_report(db, tmp_path / "r.docx", template=tmp_path / "own.docx", photos=photos, font=FONT)
        assert info.value.key == "report.template_invalid", tag
        assert not written.exists()
    # Plain data still reads: text methods, the loop, tables.
    own = od.new_document()
    od.add_body(
        own,
        "{{ unit.strip() }}{% for c in categories %}{% if loop.first %}{{ c.label }}{% endif %}{% endfor %}",
    )
    own.save(str(tmp_path / "own.docx"))
    path = write_report(db, tmp_path / "r.docx", template=tmp_path / "own.docx", font=FONT)
    assert paragraphs(path)[0] == "科技局群众代表"


def test_any_picture_pillow_reads_goes_in_without_its_metadata(demo: Path, tmp_path: Path) -> None:
    """A CMYK JPEG, a 16-bit or palette PNG, a transparent one: python-docx's own reader refused
    some with a traceback and left an empty report; each is re-encoded, and the camera's
    metadata (place, time, device) does not go into the document either."""
    import zipfile

    from PIL import Image

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("CMYK", (80, 60), (0, 100, 100, 0)).save(photos / "01_印刷色.jpg")
    Image.new("I;16", (80, 60)).save(photos / "02_十六位.png")
    Image.new("P", (80, 60)).save(photos / "03_调色板.png")
    Image.new("RGBA", (80, 60), (255, 0, 0, 0)).save(photos / "04_透明.png")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    Image.new("RGB", (80, 60), "green").save(photos / "05_现场.jpg", exif=exif)
    db = open_db(demo)
    path = write_report(db, tmp_path / "r.docx", photos=photos, font=FONT)
    document = Document(str(path))
    assert len(document.inline_shapes) == 5
    with zipfile.ZipFile(path) as package:
        media = b"".join(package.read(n) for n in package.namelist() if n.startswith("word/media/"))
    assert b"SecretCam" not in media and b"Exif" not in media
    page = write_report(db, tmp_path / "r.html", photos=photos, font=FONT).read_text(encoding="utf-8")
    assert page.count('<img src="data:image/jpeg;base64,') == 5


def test_a_picture_too_large_to_be_a_photo_is_refused_before_anything_is_written(
    demo: Path, tmp_path: Path
) -> None:
    from PIL import Image

    from checkin.errors import CheckinError

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.new("1", (14000, 14000)).save(photos / "炸弹.png")  # 196 million pixels, 25 kB on disk
    with pytest.raises(CheckinError) as info:
        write_report(open_db(demo), tmp_path / "r.docx", photos=photos, font=FONT)
    assert info.value.key == "report.photo_too_large" and "炸弹.png" in info.value.message()
    assert not (tmp_path / "r.docx").exists()


def test_a_caption_keeps_room_below_it(tmp_path: Path) -> None:
    """特此报告。 sat flush under the last photo's caption."""
    from checkin import officialdoc as od

    document = od.new_document()
    assert document.styles[od.STYLE_CAPTION].paragraph_format.space_after.pt == 8


def test_nobody_came_says_no_word_of_entry_checks_passed(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    text = "\n".join(paragraphs(write_report(open_db(demo), tmp_path / "r.docx", font=FONT)))
    assert "实际到场0人" in text and "到场人员均通过入场查验" not in text


def test_the_table_has_a_numbered_title_kept_with_it(demo: Path, tmp_path: Path) -> None:
    set_language("zh")
    document = Document(str(write_report(open_db(demo), tmp_path / "r.docx", font=FONT)))
    title = next(p for p in document.paragraphs if p.text.startswith("表1"))
    assert title.text == "表1　参加人员分类情况" and title.paragraph_format.keep_with_next


def test_photos_are_numbered_after_the_chart(demo: Path, tmp_path: Path) -> None:
    from PIL import Image

    set_language("zh")
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("01_集中签到.jpg", "02_座谈交流现场.jpg"):
        Image.new("RGB", (64, 48), "navy").save(photos / name)
    db = open_db(demo)
    text = paragraphs(write_report(db, tmp_path / "a.docx", photos=photos, font=FONT))
    assert [t for t in text if t.startswith("图")] == [
        "图1　集中签到",
        "图2　座谈交流现场",
    ]  # no forms, no chart
    text = paragraphs(
        write_report(open_db(simulate_day(demo)), tmp_path / "b.docx", photos=photos, font=FONT)
    )
    figures = [t for t in text if t.startswith("图")]
    assert figures == ["图1　满意度测评各项满意率", "图2　集中签到", "图3　座谈交流现场"], figures


def test_the_visit_schedule_sets_stops_apart_with_a_semicolon(demo: Path, tmp_path: Path) -> None:
    """Each stop's run says 计划…到达，实际…到达（…），计划…出发…: stops joined by 、 read as one list."""
    from checkin.event import load_event
    from checkin.report import gather, visit_words

    set_language("zh")
    with open_db(demo) as db:
        set_event(db, date=dt.date.today().isoformat())
        first, second = (s.name for s in load_event(db).stops[:2])
        number = db.execute(
            "SELECT number FROM people WHERE status = 'invited' ORDER BY queue_pos"
        ).fetchone()[0]
        assert Door(db, "东门", "小王").judge(number, {"id_card": "seen"}).admitted
    assert cli_main(["rollcall", "--db", str(demo), "--stop", first, number]) == 0
    assert cli_main(["rollcall", "--db", str(demo), "--stop", first, "depart", "--anyway"]) == 0
    assert cli_main(["rollcall", "--db", str(demo), "--stop", second, number]) == 0
    set_language("zh")  # the command line set its own
    with open_db(demo) as db:
        schedule = visit_words(gather(db).visit)["visit_schedule"]
    assert "出发（" in schedule and f"）；{second}计划" in schedule, schedule
