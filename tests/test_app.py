"""The terminal app on the demo event, driven by the Pilot."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from checkin.demo import build_demo
from checkin.i18n import set_language
from screens.app import make_app
from screens.overview import OverviewScreen


@pytest.fixture
def demo_db(tmp_path: Path) -> Path:
    path = tmp_path / "demo.db"
    db, _, _ = build_demo(path)
    db.conn.close()
    return path


async def test_overview_lists_everyone_with_status(demo_db: Path) -> None:
    set_language("zh")
    app = make_app(demo_db, start="people")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        table = screen.query_one("#people", DataTable)
        assert table.row_count == 40
        first = table.get_row_at(0)
        assert str(first[5]).startswith("**************") and len(str(first[5])) == 18
        summary = str(screen.query_one("#summary", Static).render())
        assert "已邀请 32" in summary and "候补 8" in summary
        facts = str(screen.query_one("#event-facts", Static).render())
        assert "走进税务" in facts

        await pilot.press("f")  # invited only
        assert table.row_count == 32
        await pilot.press("f")  # waiting only
        assert table.row_count == 8


async def test_language_switch_relabels_columns_and_footer(demo_db: Path) -> None:
    set_language("zh")
    app = make_app(demo_db, start="people")
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#people", DataTable)
        assert [str(c.label) for c in table.columns.values()][:2] == ["编号", "姓名"]
        await pilot.press("ctrl+l")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [str(c.label) for c in table.columns.values()][:2] == ["No.", "Name"]
        descriptions = {b.binding.description for b in app.screen.active_bindings.values()}
        assert "Refresh" in descriptions and "刷新" not in descriptions


async def test_a_missing_file_shows_a_clear_error(tmp_path: Path) -> None:
    set_language("en")
    app = make_app(tmp_path / "gone.db", start="people")
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        facts = str(app.screen.query_one("#event-facts", Static).render())
        assert "not found" in facts
