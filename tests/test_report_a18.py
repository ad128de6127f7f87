"""The report's figures with walk-ins and suggestions from every source (a18 adversarial).

On the hand-computed day of tests/helpers.simulate_day (32 invited, 4 came, 1 came but was
turned away, 27 did not), two people are registered at the door (walk-ins): nobody invited
them. By hand: invited 32 (not 34), came 6, of those invited 1 was turned away and 27 did not
come. Suggestions: 1 from the forms, 1 from the forum
and 1 from elsewhere — the sentence names all three, so its parts add up to its total.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checkin.door import Door
from checkin.i18n import set_language
from checkin.ledger import add_suggestion
from checkin.report import gather, write_report
from checkin.storage import open_db
from tests.helpers import FONT, paragraphs, simulate_day, valid_id

PIN = "246813"  # the demo event's supervisor PIN


@pytest.fixture
def day(demo: Path) -> Path:
    path = simulate_day(demo)
    with open_db(path) as db:
        door = Door(db, "东门", "组长")
        door.admit_walk_in("路人甲", valid_id(901), "13900000001", "群众代表", PIN)
        door.admit_walk_in("路人乙", valid_id(902), "13900000002", "企业代表", PIN)
        add_suggestion(db, "建议节假日开放预约", source="other")
    return path


def test_walk_ins_are_not_counted_as_invited(day: Path) -> None:
    with open_db(day) as db:
        totals = gather(db).totals
    assert (totals.invited, totals.arrived, totals.no_show, totals.walk_ins) == (32, 6, 27, 2)


@pytest.mark.parametrize("suffix", [".docx", ".html"])
def test_report_says_who_was_invited_and_who_walked_in(day: Path, tmp_path: Path, suffix: str) -> None:
    set_language("zh")
    with open_db(day) as db:
        path = write_report(db, tmp_path / f"活动开展情况{suffix}", font=FONT, day=dt.date(2026, 11, 27))
    text = "\n".join(paragraphs(path)) if suffix == ".docx" else path.read_text(encoding="utf-8")
    assert "共邀请34人" not in text
    assert "本次活动共邀请32人，实际到场6人（含现场登记入场2人）" in text
    if suffix == ".docx":  # the table's 到场 column counts them: the text under it says so
        assert "表1中到场人数含现场登记入场的群众代表1人、企业代表1人。" in text


def test_suggestion_sources_add_up_to_the_total(day: Path, tmp_path: Path) -> None:
    set_language("zh")
    with open_db(day) as db:
        path = write_report(db, tmp_path / "活动开展情况.docx", font=FONT, day=dt.date(2026, 11, 27))
    text = "\n".join(paragraphs(path))
    assert "本次活动共征集意见建议3条，其中座谈交流1条、意见建议征求表1条、其他渠道1条。" in text


def test_english_report_names_walk_ins_and_every_source(day: Path, tmp_path: Path) -> None:
    set_language("en")
    try:
        with open_db(day) as db:
            path = write_report(db, tmp_path / "report.docx", font=FONT, day=dt.date(2026, 11, 27))
    finally:
        set_language("zh")
    text = "\n".join(paragraphs(path))
    assert (
        "32 people were invited, 6 came (2 of them registered at the door), 1 more came but was not "
        "let in and 27 did not" in text
    )
    assert "3 suggestions were received (1 in the forum, 1 on forms, 1 from elsewhere)" in text
    assert "In the forum they raised 1 suggestion." in text  # it said "1 suggestions"


@pytest.mark.parametrize("words", ["Effectiveness of the work", "对本次活动组织安排的总体评价"])
def test_chart_labels_are_not_cut_at_the_left_edge(words: str) -> None:
    """The chart's label column was 336 pixels wide whatever the labels: English 'Effectiveness
    of the work' showed as 'ectiveness of the work', a long Chinese item lost its start."""
    import io

    from PIL import Image

    from checkin.fonts import find_cjk_font
    from checkin.report import satisfaction_chart
    from checkin.survey import ItemResult, SurveySummary

    item = ItemResult("a", words, "satisfaction", {1: 3}, 0, 3, 3)
    summary = SurveySummary(
        "satisfaction", 3, 3, 0, 3, items=[item, ItemResult("b", "总体", "satisfaction", {}, 0, 3, 2)]
    )
    image = Image.open(io.BytesIO(satisfaction_chart(summary, find_cjk_font(FONT)))).convert("L")
    edge = image.crop((0, 100, 8, image.height))
    assert edge.getextrema()[0] > 200, "ink at the left edge: a label runs off the picture"
