"""The report as an official document, with figures checked against a hand-computed event.

The event: the demo's 32 invited guests, on Friday 27 November 2026. At the door four guests
come in (one of them only after a first refusal), one guest's typed ID number does not match
(twice), one waiting-list person is turned away twice, and four scans are no invitation at
all. Five satisfaction forms are keyed for the four guests. Two suggestions.

By hand: invited 32, came 4, came but turned away 1 (the ID mismatch), did not come 27;
refused and never admitted: 2 people (one ID mismatch, one not invited) — not 6 scans; return rate 4/4 = 100 % with a note that there is
1 form more than guests; report due Sun 29 Nov → moved to Mon 30 Nov; website posting 5
working days → Fri 4 Dec; suggestions 15 working days → Fri 18 Dec 2026.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from checkin import officialdoc as od
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.i18n import set_language
from checkin.ledger import add_suggestion
from checkin.report import event_name, gather, write_report
from checkin.storage import open_db
from checkin.workdays import deadlines
from tests.helpers import FONT, paragraphs, set_event, simulate_day

D = dt.date


@pytest.fixture
def day(demo: Path) -> Path:
    return simulate_day(demo)


def test_figures_count_people_not_scans(day: Path) -> None:
    data = gather(open_db(day))
    totals = data.totals
    assert (totals.invited, totals.arrived, totals.turned_away, totals.no_show, totals.declined) == (
        32,
        4,
        1,
        27,
        0,
    )
    assert data.refused_people == {"not_invited": 1, "id_mismatch": 1}
    assert data.failed_checks == {"id_card": 1}
    assert data.forms == 5 and data.forms_excess == 1
    assert data.return_rate == 1.0  # never 125 %


def test_due_dates_fall_on_working_days(day: Path) -> None:
    db = open_db(day)
    due = deadlines(db)
    assert (due.report, due.website, due.followup) == (D(2026, 11, 30), D(2026, 12, 4), D(2026, 12, 18))
    assert due.missing_years == []
    set_event(db, report_due_kind="working")
    assert deadlines(db).report == D(2026, 12, 1)


def test_due_dates_over_national_day(day: Path) -> None:
    """Wed 30 Sep 2026: 1–7 Oct off, Sat 10 Oct a moved working day."""
    db = open_db(day)
    set_event(db, date="2026-09-30")
    due = deadlines(db)
    assert (due.report, due.website, due.followup) == (D(2026, 10, 8), D(2026, 10, 13), D(2026, 10, 27))


def test_due_dates_into_a_year_without_data_skip_new_year(day: Path) -> None:
    """Fri 25 Dec 2026: 2027 is not published; 1 January is a statutory holiday all the same."""
    db = open_db(day)
    set_event(db, date="2026-12-25")
    due = deadlines(db)
    assert due.website == D(2027, 1, 4)  # Mon 28 … Thu 31 Dec, then Mon 4 Jan: not Fri 1 Jan
    assert due.followup == D(2027, 1, 18)
    assert due.report == D(2026, 12, 28)  # Sun 27 Dec moved to Monday
    assert due.missing_years == [2027]


def test_bad_due_kind_is_refused(tmp_path: Path) -> None:
    from checkin.event import Event

    with pytest.raises(CheckinError) as info:
        Event(title="x", date=D(2026, 11, 27), report_due_kind="weekly").validate()
    assert info.value.key == "report.bad_due_kind"


def test_title_says_activity_once_with_chinese_quotes(day: Path) -> None:
    set_language("zh")
    from checkin.event import load_event

    assert event_name(load_event(open_db(day))) == "“政府开放日”活动"


def test_docx_is_an_official_document_with_the_narrative(day: Path, tmp_path: Path) -> None:
    set_language("zh")
    photos = tmp_path / "photos"
    photos.mkdir()
    from PIL import Image

    Image.new("RGB", (64, 48), "navy").save(photos / "01_座谈交流现场.jpg")
    path = write_report(
        open_db(day), tmp_path / "活动开展情况.docx", photos=photos, font=FONT, day=D(2026, 11, 27)
    )
    document = Document(str(path))
    text = "\n".join(paragraphs(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    # Page and styles (the layout module is tested on its own; here: the template keeps it).
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    by_text = {p.text: p for p in document.paragraphs}
    title = document.paragraphs[0]
    assert title.text == "科技局“政府开放日”活动开展情况"
    assert title.style.name == od.STYLE_TITLE
    assert by_text["一、活动基本情况"].style.name == od.STYLE_HEADING1
    assert document.paragraphs[2].text == "县政务公开办公室："
    # The narrative, in words: people, not scans; the return rate with its note.
    assert "本次活动共邀请32人，实际到场4人，另有1人到场但未能入场，未到场27人。" in text
    assert "群众代表4人" in text
    assert "因不在邀请名单中（候补或未入选）未予入场1人" in text
    assert "本人身份证查验未通过、未予入场1人" in text
    assert "不是邀请函二维码" not in text
    assert "收回有效测评表5份，回收率100.0%（收回的测评表比到场人数多1份" in text
    assert "125" not in text
    assert "共征集意见建议2条，其中座谈交流1条、意见建议征求表1条" in text
    assert "将于2026年12月18日前办结并反馈" in text
    assert "将于2026年12月4日前" in text and "“政府开放日”专栏公开" in text
    assert "1．希望增加停车位（意见建议征求表）。办理情况：待办。" in text
    assert "承办科室为办公室" in text
    assert "座谈交流现场" in text  # the photo's caption, from its file name
    assert "群众代表" in cells and "合计" in cells
    assert len(document.inline_shapes) == 2  # the chart and the photo
    # No stored code anywhere in the text.
    assert not re.search(r"[a-z]+_[a-z_]+|\w+=\w+|\{\{|\{%", text + "\n".join(cells)), text
    # The signature block: the unit over the date, the date four characters from the right.
    date, unit = document.paragraphs[-1], document.paragraphs[-2]
    assert (unit.text, date.text) == ("科技局", "2026年11月27日")
    assert unit.style.name == od.STYLE_SIGNATURE and date.style.name == od.STYLE_DATE
    assert date.style.paragraph_format.right_indent.pt == 64
    assert unit.paragraph_format.right_indent.pt == pytest.approx(16 * (4 + 3.5 - 1.5))
    # Page numbers in the footers.
    footer = section.footer.paragraphs[0]
    assert "PAGE" in "".join(t.text for t in footer._p.iter(qn("w:instrText")))


def test_report_in_english_uses_the_english_template(day: Path, tmp_path: Path) -> None:
    path = write_report(open_db(day), tmp_path / "report.docx", font=FONT, day=D(2026, 11, 27))
    text = "\n".join(paragraphs(path))
    assert "32 people were invited, 4 came, 1 more came but was not let in and 27 did not" in text
    assert not re.search(r"[a-z]+_[a-z_]+", text), text


def test_html_page_is_self_contained_and_names_no_guest(day: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(day)
    names = [r[0] for r in db.execute("SELECT name FROM people")]
    path = write_report(db, tmp_path / "活动开展情况.html", font=FONT)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'name="viewport"' in page
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["'](?!data:)""", page)  # nothing fetched from elsewhere
    assert "希望增加停车位" in page and "实际到场4人" in page
    for name in names:
        assert name not in page, name


def test_hostile_text_is_escaped_not_run(day: Path, tmp_path: Path) -> None:
    db = open_db(day)
    add_suggestion(db, "<script>alert(1)</script> {{ 7*7 }} & </w:t>")
    html = write_report(db, tmp_path / "r.html", font=FONT).read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html and "{{ 7*7 }}" in html
    docx = write_report(db, tmp_path / "r.docx", font=FONT)
    assert "<script>alert(1)</script> {{ 7*7 }} & </w:t>" in "\n".join(paragraphs(docx))


def test_own_template_is_used_and_a_broken_one_refused(day: Path, tmp_path: Path) -> None:
    own = od.new_document()
    od.add_title(own, "{{ unit }}开放日小结")
    od.add_body(own, "到场{{ total.arrived }}人。")
    own.save(str(tmp_path / "own.docx"))
    db = open_db(day)
    path = write_report(db, tmp_path / "out.docx", template=tmp_path / "own.docx", font=FONT)
    assert paragraphs(path)[0] == "科技局开放日小结" and "到场4人。" in paragraphs(path)
    broken = od.new_document()
    od.add_body(broken, "{% if %}")
    broken.save(str(tmp_path / "broken.docx"))
    for template, key in (
        (tmp_path / "broken.docx", "report.template_invalid"),
        (tmp_path / "missing.docx", "report.template_missing"),
        (FONT, "report.template_kind"),
    ):
        with pytest.raises(CheckinError) as info:
            write_report(db, tmp_path / "x.docx", template=template, font=FONT)
        assert info.value.key == key
    (tmp_path / "notdocx.docx").write_bytes(b"not a zip")
    with pytest.raises(CheckinError) as info:
        write_report(db, tmp_path / "x.docx", template=tmp_path / "notdocx.docx", font=FONT)
    assert info.value.key == "report.template_invalid"
    sandboxed = tmp_path / "evil.html"
    sandboxed.write_text("{{ unit.__class__.__mro__[1].__subclasses__() }}", encoding="utf-8")
    with pytest.raises(CheckinError) as info:
        write_report(db, tmp_path / "x.html", template=sandboxed, font=FONT)
    assert info.value.key == "report.template_invalid"


def test_shipped_templates_are_what_the_builder_writes(tmp_path: Path) -> None:
    from checkin.report_template import build, shipped_paths

    for lang, shipped in shipped_paths().items():
        fresh = build(tmp_path / f"{lang}.docx", lang)
        assert [p.text for p in Document(str(shipped)).paragraphs] == [
            p.text for p in Document(str(fresh)).paragraphs
        ], f"run python -m checkin.report_template to rebuild {shipped.name}"


def test_survey_summary_never_says_125_percent(day: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from checkin.cli import main as cli_main
    from checkin.survey import summarise

    summary = summarise(open_db(day))
    assert (summary.forms_counted, summary.attended) == (5, 4)
    assert summary.return_rate == 1.0 and summary.forms_excess == 1
    assert cli_main(["--lang", "zh", "survey", "summary", "--db", str(day)]) == 0
    out = capsys.readouterr().out
    assert "回收率 100.0%" in out and "125" not in out
    assert "收回的测评表比到场人数（4人）多1份" in out


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_a_damaged_photo_is_named_not_embedded(day: Path, tmp_path: Path, suffix: str) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "现场.jpg").write_bytes(b"<html>not a picture</html>")
    with pytest.raises(CheckinError) as info:
        write_report(open_db(day), tmp_path / f"r{suffix}", photos=photos, font=FONT)
    assert info.value.key == "report.photo_unreadable" and "现场.jpg" in info.value.message()
    assert not (tmp_path / f"r{suffix}").exists()


def test_groups_and_places_per_category_are_in_the_report(day: Path, tmp_path: Path) -> None:
    # A group application from 永兴建材厂: two invited citizens (one comes) and one person on the
    # waiting list; the event plans 5 places for 人大代表 (the demo invites its 3 directly).
    # By hand: 1 group, 3 applied, 2 invited, 1 came; 人大代表 5 planned, 3 invited.
    from checkin.groups import create_group

    set_language("zh")
    db = open_db(day)
    set_event(db, quotas='{"npc_deputy": 5}')
    invited = [
        r[0]
        for r in db.execute(
            "SELECT number FROM people WHERE status = 'invited' AND category = 'citizen' ORDER BY queue_pos"
        )
    ]
    waiting = db.execute("SELECT number FROM people WHERE status = 'waiting' LIMIT 1").fetchone()[0]
    members = [invited[5], invited[6], waiting]
    create_group(db, "永兴建材厂", "周经理", "13800138000", members=members)
    assert Door(db, "东门", "小王").judge(invited[5], {"id_card": "seen"}).verdict == "admitted"
    names = [r[0] for r in db.execute("SELECT name FROM people")]

    data = gather(db)
    assert [(g.organization, g.applied, g.invited, g.arrived) for g in data.groups] == [
        ("永兴建材厂", 3, 2, 1)
    ]
    assert [(q.label, q.places, q.filled) for q in data.quotas] == [("人大代表", 5, 3)]

    page = write_report(db, tmp_path / "page.html", font=FONT).read_text(encoding="utf-8")
    assert "以单位等集体形式申请1个，共申请3人，入选2人，到场1人" in page
    assert "<td>永兴建材厂</td><td>3</td><td>2</td><td>1</td>" in page
    assert "人大代表计划5名、实际邀请3名" in page
    assert "周经理" not in page and "13800138000" not in page
    for name in names:
        assert name not in page, name

    text = "\n".join(paragraphs(write_report(db, tmp_path / "report.docx", font=FONT)))
    assert "分类名额方面，人大代表计划5名、实际邀请3名。" in text
    assert (
        "以单位等集体形式申请1个，共申请3人，入选2人，到场1人，分别为：永兴建材厂（申请3人，入选2人，到场1人）。"
        in text
    )
    assert "周经理" not in text


def test_report_without_groups_or_quotas_says_nothing_of_them(day: Path, tmp_path: Path) -> None:
    set_language("zh")
    db = open_db(day)
    text = "\n".join(paragraphs(write_report(db, tmp_path / "report.docx", font=FONT)))
    page = write_report(db, tmp_path / "page.html", font=FONT).read_text(encoding="utf-8")
    assert "集体形式" not in text and "分类名额" not in text
    assert "集体形式" not in page and "分类名额" not in page
