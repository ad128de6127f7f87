"""Guests who came to the door but were turned away (到场未入场) are said apart, never counted
among those who did not come (未到场): the report, the results file and the attendance export
agree on one definition (checkin.board.turned_away).

The day of tests/helpers.simulate_day: 32 invited; 4 came in (one after a first refusal); one
invited guest's ID number did not match twice and was never let in (turned away: 1); one
waiting-list person was refused (not invited: not in the invited figures). By hand: invited 32
= came 4 + turned away 1 + did not come 27.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from checkin.exports import export_attendance
from checkin.i18n import set_language
from checkin.report import gather, write_report
from checkin.results import export_results
from checkin.storage import open_db
from tests.helpers import FONT, paragraphs, simulate_day


@pytest.fixture
def day(demo: Path) -> Path:
    return simulate_day(demo)


def test_the_report_counts_the_turned_away_apart_from_the_no_shows(day: Path) -> None:
    totals = gather(open_db(day)).totals
    assert (totals.invited, totals.arrived, totals.turned_away, totals.no_show) == (32, 4, 1, 27)
    assert totals.invited == totals.arrived - totals.walk_ins + totals.turned_away + totals.no_show


@pytest.mark.parametrize(
    ("lang", "sentence", "header"),
    [
        ("zh", "本次活动共邀请32人，实际到场4人，另有1人到场但未能入场，未到场27人。", "到场未入场"),
        (
            "en",
            "32 people were invited, 4 came, 1 more came but was not let in and 27 did not",
            "Came, not let in",
        ),
    ],
)
def test_the_report_says_so_in_words_and_in_its_table(
    day: Path, tmp_path: Path, lang: str, sentence: str, header: str
) -> None:
    from docx import Document

    set_language(lang)
    path = write_report(open_db(day), tmp_path / "r.docx", font=FONT, day=dt.date(2026, 11, 27))
    assert sentence in "\n".join(paragraphs(path))
    table = Document(str(path)).tables[0]
    head = [c.text for c in table.rows[0].cells]
    total = [c.text for c in table.rows[-1].cells]
    assert dict(zip(head, total, strict=True))[header] == "1"
    assert total[1:] == ["32", "4", "1", "27", "0"]


def test_the_results_file_agrees_with_the_report(day: Path, tmp_path: Path) -> None:
    out = tmp_path / "results.sqlite"
    export_results(open_db(day), out)
    conn = sqlite3.connect(out)
    try:
        figures = conn.execute(
            "SELECT invited, arrived, turned_away, no_show FROM figures WHERE category = 'total'"
        ).fetchone()
        assert figures == (32, 4, 1, 27)
        statuses = dict(conn.execute("SELECT status, COUNT(*) FROM attendance GROUP BY status").fetchall())
        assert (statuses["arrived"], statuses["turned_away"], statuses["no_show"]) == (4, 1, 27)
        view = conn.execute(
            "SELECT 邀请, 到场, 到场未入场, 未到 FROM 分类统计 WHERE 类别 = '合计'"
        ).fetchone()
        assert view == (32, 4, 1, 27)
    finally:
        conn.close()


def test_the_attendance_export_and_the_call_list_leave_out_no_one_who_came(day: Path, tmp_path: Path) -> None:
    set_language("zh")
    path, _ = export_attendance(open_db(day), tmp_path / "a.csv")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    statuses = [r["状态"] for r in rows]
    assert (statuses.count("已签到"), statuses.count("到场未入场"), statuses.count("未到")) == (4, 1, 27)
    # the no-show call list phones those who never came, not a guest refused at the door
    _, count = export_attendance(open_db(day), tmp_path / "未到.csv", only_no_shows=True)
    assert count == 27
