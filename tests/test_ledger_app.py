"""The ledger screen: filters, moving a suggestion along with a dialog, editing, history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from checkin.i18n import set_language
from checkin.ledger import add_suggestion, history, set_status
from checkin.storage import open_db
from screens.app import make_app
from screens.ledger import FieldsDialog, HistoryDialog, LedgerScreen
from tests.conftest import settle


@pytest.fixture
def demo(demo: Path) -> Path:
    """The demo event with two suggestions, one of them assigned."""
    set_language("zh")
    path = demo
    db = open_db(path)
    add_suggestion(db, "增加停车位")
    number = add_suggestion(db, "延长开放时间")
    set_status(db, number, "assigned", department="办公室")
    db.conn.close()
    return path


async def test_filters_and_assigning_through_the_dialog(demo: Path) -> None:
    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, LedgerScreen)
        table = app.screen.query_one("#ledger", DataTable)
        assert table.row_count == 2
        await pilot.press("d")  # first department: 办公室
        await settle(app, pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "S002"
        await pilot.press("d")  # back to all
        await settle(app, pilot)
        await pilot.press("s")  # pending only
        await settle(app, pilot)
        assert table.row_count == 1 and str(table.get_row_at(0)[0]) == "S001"
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, FieldsDialog)
        app.screen.query_one(Input).value = "交通科"
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.row_count == 0  # no longer pending
    db = open_db(demo)
    row = db.execute("SELECT status, department FROM suggestions WHERE number = 'S001'").fetchone()
    assert row == ("assigned", "交通科")
    assert [h["operator"] for h in history(db, "S001")][-1] == "小王"


async def test_illegal_move_rings_and_changes_nothing(demo: Path) -> None:
    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("y")  # reply straight from pending
        await settle(app, pilot)
        assert isinstance(app.screen, FieldsDialog)
        app.screen.query_one(Input).value = "答复"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("不能从" in n for n in app.notices)
    db = open_db(demo)
    assert db.execute("SELECT status FROM suggestions WHERE number = 'S001'").fetchone()[0] == "pending"


async def test_history_dialog_lists_changes(demo: Path) -> None:
    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#ledger", DataTable)
        table.move_cursor(row=1)
        await pilot.press("h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryDialog)
        rows = app.screen.query_one("#history-table", DataTable)
        assert rows.row_count == 4  # created, status, department, handed over
        assert dt.date.today().isoformat() in str(rows.get_row_at(3)[3])


async def test_missing_holiday_year_is_said_on_the_ledger_screen(demo: Path) -> None:
    """The demo's suggestions are due in January 2027, whose 调休 is not published: say so;
    once the year's holiday file is loaded, the warning goes."""
    from textual.widgets import Static

    from checkin.workdays import load_holiday_file

    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        warning = app.screen.query_one("#ledger-calendar", Static)
        assert warning.display and "2027" in str(warning.render())
    holidays = demo.parent / "2027.toml"
    holidays.write_text("year = 2027\nholidays = [2027-01-01]\nworkdays = []\n", encoding="utf-8")
    db = open_db(demo)
    load_holiday_file(db, holidays)
    db.conn.close()
    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not app.screen.query_one("#ledger-calendar", Static).display


async def test_history_dialog_reads_as_words(demo: Path) -> None:
    app = make_app(demo, operator="小王", start="ledger")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "h")
        await settle(app, pilot)
        assert isinstance(app.screen, HistoryDialog)
        table = app.screen.query_one("#history-table", DataTable)
        cells = [str(c) for row in range(table.row_count) for c in table.get_row_at(row)]
        assert "办公室" in cells and "状态" in cells and "待办 → 交办" in cells
        assert not any(c in ("office", "status", "created") or "pending" in c for c in cells)
