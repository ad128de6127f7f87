"""The board during a site visit, beside the roll call.

"Arrived" on the board is the door's check-ins, as in the report and the results file (a
guest who left the visit early did arrive). But a guest a bus leader marked present who
never passed the desk was listed among the not-arrived — to be phoned as a no-show while on
the bus — and counted in "N not arrived". They are said apart: came, not checked in."""

from __future__ import annotations

from pathlib import Path

from rich.cells import cell_len
from rich.text import Text

from checkin.board import build_board
from checkin.door import Door
from checkin.i18n import set_language, tr
from checkin.rollcall import RollCall
from checkin.storage import open_db
from screens.app import make_app
from tests.helpers import event_day_clock, invited, settle

FIRST_STOP = "政务服务中心东门"


def visit(demo: Path) -> tuple[list[str], list[str]]:
    """Three guests checked in at the door; on the first stop's roll call those three and two
    who never passed the desk; one of the checked-in leaves the visit (went home)."""
    with open_db(demo) as db:
        numbers = [invited(db, n) for n in range(5)]
        door = Door(db, "东门", "小王")
        for number in numbers[:3]:
            assert door.judge(number, {"id_card": "seen"}).admitted
        roll = RollCall(db, "1号车平板", "李导", clock=event_day_clock(13, 55))
        for number in numbers:
            roll.mark_present(FIRST_STOP, None, number)
        later = RollCall(db, "1号车平板", "李导", clock=event_day_clock(13, 58))
        later.leave(FIRST_STOP, None, numbers[0], "went_home")
    return numbers[:3], numbers[3:]


def test_guests_present_on_a_roll_call_are_not_listed_as_not_arrived(demo: Path) -> None:
    checked_in, on_bus_only = visit(demo)
    with open_db(demo) as db:
        board = build_board(db)
        status = RollCall(db, "1号车平板", "李导").status(FIRST_STOP)
    assert board.arrived == 3  # the door's check-ins: the one who went home did arrive
    assert len(status.present) == 4 and [r.number for r in status.left] == [checked_in[0]]
    not_arrived = {a.number for a in board.not_arrived}
    assert not set(on_bus_only) & not_arrived and not set(checked_in) & not_arrived
    assert [a.number for a in board.on_visit_only] == on_bus_only
    assert len(board.not_arrived) == board.expected - 3 - 2


async def test_the_board_says_who_came_on_the_visit_without_checking_in(demo: Path) -> None:
    _, on_bus_only = visit(demo)
    set_language("zh")
    app = make_app(demo, station="东门", operator="小王", start="board")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        board = app.screen
        group = board.query_one("#board-figures").content  # type: ignore[attr-defined]
        parts = getattr(group, "renderables", [group])  # the table, and the note under it
        figures = "".join(part.plain for part in parts if isinstance(part, Text))
        assert "点名在场、未在签到台签到 2 人" in figures
        assert all(number in figures for number in on_bus_only)
        assert board.sub_title == tr("app.board_subtitle", missing=32 - 5)
        table = board.query_one("#absent")  # type: ignore[attr-defined]
        listed = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert not set(on_bus_only) & listed
        # the hidden phone's words fit their column: "（按 p 显示）" was cut to "（按 p 显示"
        column = next(c for c in table.columns.values() if str(c.label) == tr("app.col.phone"))
        assert column.width >= cell_len(tr("app.phone_hidden"))
