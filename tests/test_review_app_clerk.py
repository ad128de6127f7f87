"""The review screen with a sign-up sheet as it comes (issue 17 audit): one applicant whose
name fills the 50 characters a name may have, and a group whose unit's name is long, must
not push the state, the residence tick and the reason off a 120-column terminal."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from checkin.event import Event, create_event
from checkin.groups import create_group
from checkin.i18n import set_language
from checkin.importer import import_file
from checkin.storage import open_db
from screens.app import make_app
from screens.review import ReviewScreen
from tests.conftest import EVENT_DATE, person_row, settle, write_csv


async def test_a_long_name_does_not_push_the_state_off_the_screen(tmp_path: Path) -> None:
    set_language("zh")
    path = tmp_path / "review.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
        rows = [person_row(1, name="李" * 50), person_row(2), person_row(3)]
        import_file(db, write_csv(tmp_path / "s.csv", rows))
        create_group(db, "示范县某某某某科技创新服务有限责任公司第一分公司", "王经理", members=["A003"])
    app = make_app(path, operator="小李", start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#review", DataTable)
        assert table.row_count == 3
        widths = {str(column.key.value): column.get_render_width(table) for column in table.columns.values()}
        assert sum(widths.values()) <= 118, widths  # every column, to 原因, on the screen
        name = table.get_row_at(0)[1]
        assert str(name).startswith("李李") and str(name).endswith("…")


async def test_rejecting_an_invited_guest_on_the_screen_says_who_moved_up(tmp_path: Path) -> None:
    from textual.widgets import Input

    from checkin.review import approve
    from checkin.selection import select
    from screens.review import TextDialog

    set_language("zh")
    path = tmp_path / "review.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=1, min_citizen_share=0, review=True))
        rows = [person_row(i, at=f"2026-11-20 09:0{i}") for i in range(1, 4)]
        import_file(db, write_csv(tmp_path / "s.csv", rows))
        approve(db, ["A001", "A002"], operator="小李", residence="身份证住址在本县")
        select(db)
    app = make_app(path, operator="小李", start="review")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("s")  # 已通过审核: A001 (invited) first
        await settle(app, pilot)
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "材料不全"
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("A001 的邀请函已作废" in n and "候补 A002 递补" in n for n in app.notices), app.notices
