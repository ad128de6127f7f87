"""The survey keying and results screens, driven by the Pilot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Static

from checkin.i18n import set_language
from checkin.storage import open_db
from checkin.survey import add_entry, allocate_forms
from screens.app import make_app
from screens.survey import KeyerWidget, ResultsScreen, SurveyEntryScreen
from tests.conftest import settle
from tests.helpers import drawn


@pytest.fixture
def demo(demo: Path) -> Path:
    """The demo event with ten survey forms printed."""
    set_language("zh")
    db = open_db(demo)
    allocate_forms(db, 10)
    db.conn.close()
    return demo


def entries(path: Path) -> list[tuple[int, int, list[int], str]]:
    db = open_db(path)
    rows = db.execute("SELECT form, pass, answers, text FROM survey_entries ORDER BY form, pass").fetchall()
    db.conn.close()
    return [(r[0], r[1], json.loads(r[2]), r[3]) for r in rows]


async def test_keying_a_form_costs_items_plus_one(demo: Path) -> None:
    app = make_app(demo, operator="小李", start="survey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, SurveyEntryScreen)
        await pilot.press(*"F00003", "enter")  # the barcode scan
        await settle(app, pilot)
        keyer = app.screen.query_one(KeyerWidget)
        assert app.focused is keyer
        keys = ["1", "1", "2", "1", "0", "enter"]  # five items + Enter, no text
        await pilot.press(*keys)
        await settle(app, pilot)
        assert app.focused is app.screen.query_one("#form-number", Input)
    assert entries(demo) == [(3, 1, [1, 1, 2, 1, 0], "")]
    assert len(keys) == 5 + 1


async def test_illegal_key_rings_and_nothing_moves_backspace_goes_back(demo: Path) -> None:
    app = make_app(demo, operator="小李", start="survey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"4", "enter")
        await settle(app, pilot)
        keyer = app.screen.query_one(KeyerWidget)
        await pilot.press("1", "7", "x")
        assert keyer.keyer.values == [1]
        await pilot.press("backspace", "3", "2", "2", "2", "2")
        assert keyer.keyer.values == [3, 2, 2, 2, 2]
        rendered = str(keyer.render())
        assert "不满意" in rendered and "基本满意" in rendered
        await pilot.press(*"停车难", "enter")
        await settle(app, pilot)
    assert entries(demo) == [(4, 1, [3, 2, 2, 2, 2], "停车难")]


async def test_a_keyed_number_opens_for_review_not_overwrite(demo: Path) -> None:
    db = open_db(demo)
    add_entry(db, 5, [1, 1, 1, 1, 1], "原文", operator="小张")
    db.conn.close()
    app = make_app(demo, operator="小李", start="survey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"F00005", "enter")
        await settle(app, pilot)
        review = str(app.screen.query_one("#survey-review", Static).render())
        assert "小张" in review and "原文" in review
        assert not app.screen.query_one(KeyerWidget).display
    assert entries(demo) == [(5, 1, [1, 1, 1, 1, 1], "原文")]


async def test_unknown_form_number_is_refused(demo: Path) -> None:
    app = make_app(demo, operator="小李", start="survey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"F09999", "enter")
        await settle(app, pilot)
        assert not app.screen.query_one(KeyerWidget).display
        assert any("F09999" in n for n in app.notices)


async def test_second_pass_is_blind(demo: Path) -> None:
    db = open_db(demo)
    db.execute("UPDATE event SET double_entry = 1")
    add_entry(db, 6, [1, 2, 1, 2, 1], "第一遍的字")
    db.conn.close()
    app = make_app(demo, operator="小王", start="survey", survey_pass=2)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"6", "enter")
        await settle(app, pilot)
        screen_text = str(app.screen.query_one("#survey-review", Static).render())
        assert "第一遍的字" not in screen_text
        assert app.screen.query_one(KeyerWidget).keyer.values == []
        await pilot.press("1", "2", "1", "1", "1", "enter")
        await settle(app, pilot)
    assert entries(demo)[-1] == (6, 2, [1, 2, 1, 1, 1], "")


async def test_results_screen_shows_bars_and_resolves_mismatches(demo: Path) -> None:
    db = open_db(demo)
    db.execute("UPDATE event SET double_entry = 1")
    add_entry(db, 1, [1, 1, 2, 1, 1])
    add_entry(db, 1, [1, 1, 3, 1, 1], pass_no=2)
    db.conn.close()
    app = make_app(demo, operator="小王", start="results")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ResultsScreen)
        table = app.screen.query_one("#mismatches", DataTable)
        assert table.row_count == 1
        assert app.screen.summary is not None and app.screen.summary.forms_counted == 0
        table.focus()
        await pilot.press("2")
        await settle(app, pilot)
        assert app.screen.summary is not None and app.screen.summary.forms_counted == 1
        assert app.screen.summary.items[2].counts[3] == 1


async def test_results_screen_says_how_many_forms_two_laptops_keyed_differently(demo: Path) -> None:
    """A form keyed differently on two laptops is out of every figure until settled: the
    results screen says so, where staff look, and how to settle it."""
    db = open_db(demo)
    add_entry(db, 1, [1, 1, 1, 1, 1])
    detail = {"form": 1, "pass": 1, "answers": [3, 3, 3, 3, 3], "text": "", "station": "西门",
              "operator": "小李", "at": "2026-12-18T15:00:00", "from": "西门"}  # fmt: skip
    db.execute(
        "INSERT INTO merge_conflicts (kind, key, bundle, detail) VALUES ('survey', '1/1', ?, ?)",
        ["b" * 32, json.dumps(detail, ensure_ascii=False)],
    )
    db.conn.close()
    app = make_app(demo, operator="小王", start="results")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.summary is not None and app.screen.summary.forms_in_conflict == 1
        assert "有 1 份测评表在两台电脑上录入不一致，暂不计入" in drawn(app)
