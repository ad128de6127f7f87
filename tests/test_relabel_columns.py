"""中/EN (ctrl+l) at any screen: every word on it follows — the lists' headings too. The roll
call, the board, the call list, the survey results and the suggestions ledger kept their
Chinese headings (状态 编号 姓名 …) above English rows until the program was started again."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from checkin.i18n import set_language, tr
from screens.app import make_app
from tests.helpers import settle

SCREENS = {
    "f1": ("#visit-list", [f"app.visit.col_{k}" for k in ("state", "number", "name", "phone", "bus")]),
    "f4": ("#absent", [f"app.col.{k}" for k in ("number", "name", "category", "phone", "confirmation")]),
    "f5": ("#calls", [f"app.col.{k}" for k in ("number", "name", "category", "phone", "confirmation")]),
    "f10": ("#mismatches", [f"app.col.{k}" for k in ("form", "item", "first", "second", "resolved")]),
    "f11": (
        "#ledger",
        [f"ledger.col.{k}" for k in ("number", "text", "department", "status", "due_date", "urgency")],
    ),
}


@pytest.mark.parametrize("key", list(SCREENS))
async def test_a_lists_headings_follow_the_language_switched_to(demo: Path, key: str) -> None:
    set_language("zh")
    table_id, labels = SCREENS[key]
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        table = app.screen.query_one(table_id, DataTable)
        assert [str(c.label) for c in table.columns.values()] == [tr(k, "zh") for k in labels]
        rows = table.row_count
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        table = app.screen.query_one(table_id, DataTable)
        assert [str(c.label) for c in table.columns.values()] == [tr(k, "en") for k in labels]
        assert table.row_count == rows  # the rows are there again, under the new headings
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert [str(c.label) for c in table.columns.values()] == [tr(k, "zh") for k in labels]


WORDS = {  # screen key: (widget, what it reads, message key)
    "f2": [("#verdict", "content", "app.ready_to_scan")],
    "f4": [
        ("#big-arrived-label", "content", "app.board_arrived"),
        ("#big-expected-label", "content", "app.board_expected"),
    ],
    "f5": [("#calls-hint", "content", "app.calls_hint")],
    "f9": [
        ("#form-number", "placeholder", "app.survey_number_placeholder"),
        ("#survey-text", "placeholder", "app.survey_text_placeholder"),
    ],
}


@pytest.mark.parametrize("key", list(WORDS))
async def test_the_screens_own_words_follow_the_language_switched_to(demo: Path, key: str) -> None:
    """The scan panel's 请扫描邀请函二维码, the board's 已到/应到, the call list's hint and the
    survey boxes' prompts stayed Chinese on an English screen."""
    set_language("zh")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(key)
        await settle(app, pilot)
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        for selector, attribute, message in WORDS[key]:
            assert str(getattr(app.screen.query_one(selector), attribute)) == tr(message, "en"), selector


async def test_a_screen_opened_before_the_switch_speaks_the_new_language_when_shown_again(demo: Path) -> None:
    """Only the screen on top was told of the switch: the board looked at before (F4), shown
    again after 中/EN on the scan screen, still had its Chinese headings and words."""
    set_language("zh")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key in ("f4", "f2", "ctrl+l", "f4"):
            await pilot.press(key)
            await settle(app, pilot)
        table = app.screen.query_one("#absent", DataTable)
        assert [str(c.label) for c in table.columns.values()] == [tr(k, "en") for k in SCREENS["f4"][1]]
        assert str(app.screen.query_one("#big-arrived-label").content) == tr("app.board_arrived", "en")  # type: ignore[attr-defined]
