"""The review screen: one-key approve (asking for the residence evidence once), reject with a
reason from the list, filters, overdue applications in red."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import DataTable, Input

from checkin.event import Event, create_event
from checkin.i18n import set_language
from checkin.importer import import_file
from checkin.storage import open_db
from screens.app import make_app
from screens.review import ReviewScreen, TextDialog
from tests.conftest import EVENT_DATE, person_row, settle, write_csv


@pytest.fixture
def review_file(tmp_path: Path) -> Path:
    set_language("zh")
    path = tmp_path / "review.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
        rows = [
            person_row(1, at="2020-01-06 09:00"),  # long overdue
            person_row(2, at="2099-01-05 09:00"),  # not due for years
            person_row(3, at="2099-01-06 09:00", category="企业代表"),
        ]
        import_file(db, write_csv(tmp_path / "s.csv", rows))
    return path


async def test_approve_and_reject_with_one_key(review_file: Path) -> None:
    app = make_app(review_file, operator="小李", start="review")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        table = app.screen.query_one("#review", DataTable)
        assert table.row_count == 3
        due = table.get_row_at(0)[5]
        assert isinstance(due, Text) and "red" in str(due.style)  # A001 is overdue
        assert "red" not in str(table.get_row_at(1)[5].style)
        # a: approve A001 — the residence evidence is asked for once
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "户籍在本区"
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.row_count == 2
        # x: reject A002 with the first reason of the list
        await pilot.press("x")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "1"
        await pilot.press("enter")
        await settle(app, pilot)
        assert table.row_count == 1
        # c: by category (企业代表 only among them all) — s: approved, rejected, all
        await pilot.press("s")
        await settle(app, pilot)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["A001"]
        await pilot.press("s", "s")
        await settle(app, pilot)
        assert table.row_count == 3
    with open_db(review_file) as db:
        rows = db.execute(
            "SELECT number, review, review_reason, residence_evidence, reviewed_by FROM people"
        ).fetchall()
    assert rows == [
        ("A001", "approved", None, "户籍在本区", "小李"),
        ("A002", "rejected", "未在本地居住、工作或学习", None, "小李"),
        ("A003", "pending", None, None, None),
    ]


async def test_overdue_filter_and_a_refused_approval_rings(review_file: Path) -> None:
    app = make_app(review_file, operator="小李", start="review")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#review", DataTable)
        await pilot.press("o")
        await settle(app, pilot)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["A001"]
        await pilot.press("o", "c")  # all again, then the first category: 群众代表
        await settle(app, pilot)
        assert table.row_count == 2
        # g on someone outside any group: a warning, nothing changes
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
    with open_db(review_file) as db:
        assert db.execute("SELECT COUNT(*) FROM people WHERE review = 'pending'").fetchone()[0] == 3


async def test_a_whole_group_is_rejected_with_one_key(tmp_path: Path) -> None:
    # the screen approved a group as a whole (g) but rejecting one took a key per member
    from checkin.groups import create_group

    set_language("zh")
    path = tmp_path / "group.db"
    with open_db(path, create=True) as db:
        create_event(db, Event(title="t", date=EVENT_DATE, capacity=6, review=True))
        rows = [person_row(i, at=f"2099-01-0{i} 09:00", category="企业代表") for i in (1, 2, 3)]
        import_file(db, write_csv(tmp_path / "s.csv", rows))
        create_group(db, "示范公司", "王经理", members=["A002", "A003"])
    app = make_app(path, operator="小李", start="review")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#review", DataTable)
        await pilot.press("X")  # on A001, in no group: a warning, nothing asked
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("down", "X")
        await settle(app, pilot)
        assert isinstance(app.screen, TextDialog)
        assert "G001" in str(app.screen.title_text)
        app.screen.query_one(Input).value = "5"  # 单位材料不全
        await pilot.press("enter")
        await settle(app, pilot)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["A001"]
    with open_db(path) as db:
        rows = db.execute("SELECT number, review, review_reason FROM people ORDER BY seq").fetchall()
    assert rows == [
        ("A001", "pending", None),
        ("A002", "rejected", "单位材料（营业执照、法人证明等）不全"),
        ("A003", "rejected", "单位材料（营业执照、法人证明等）不全"),
    ]
