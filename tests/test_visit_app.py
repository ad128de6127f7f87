"""The roll-call screen driven by the Pilot: scans, look-up, one key, leaving, departure."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from checkin.i18n import set_language
from checkin.itinerary import bus_loads
from checkin.keys import issue_token
from checkin.storage import open_db
from screens.app import CheckinApp, make_app
from screens.board import BoardScreen
from screens.dialogs import ConfirmDialog, LookupDialog
from screens.rollcall import LeaveDialog, RollCallScreen
from tests.conftest import settle

FIRST = "政务服务中心东门"


@pytest.fixture(autouse=True)
def _chinese() -> None:
    set_language("zh")


def riders(path: Path, bus: int = 0) -> list[tuple[str, str]]:
    with open_db(path) as db:
        return bus_loads(db)[0][bus].riders


def marks(path: Path) -> list[tuple[str, str, str | None, str, str | None, str]]:
    with open_db(path) as db:
        rows = db.execute(
            "SELECT stop, number, bus, mark, reason, method FROM roll_marks ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]


def panel(app: CheckinApp) -> str:
    return str(app.screen.query_one("#visit-panel", Static).content)


async def ready(app: CheckinApp, pilot: Pilot[None]) -> RollCallScreen:
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, RollCallScreen)
    assert screen.roll is not None and screen.status is not None
    return screen


async def scan(app: CheckinApp, pilot: Pilot[None], text: str) -> None:
    box = app.screen.query_one("#visit-scan", Input)
    box.focus()
    box.insert_text_at_cursor(text)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_roll_call_on_the_bus(demo: Path) -> None:
    one = riders(demo)
    with open_db(demo) as db:
        token = issue_token(db, one[0][0]).token
    app = make_app(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        assert screen.status is not None and screen.status.expected == len(one)
        place = str(app.screen.query_one("#visit-place", Static).render())
        assert FIRST in place and "1号车" in place and "13900001111" in place
        assert f"缺{len(one)}人" in panel(app)
        # an invitation scanned, by a scanner that sends Enter twice: one mark, nobody else marked
        await scan(app, pilot, token)
        assert f"{one[0][1]} 已到" in panel(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert [m[1] for m in marks(demo)] == [one[0][0]]
        # one key on the list: the first missing person (missing come first)
        table = app.screen.query_one("#visit-list", DataTable)
        table.focus()
        table.move_cursor(row=0)
        await pilot.press("space")
        await settle(app, pilot)
        # the look-up, by name
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, LookupDialog)
        app.screen.query_one("#query", Input).insert_text_at_cursor(one[2][1])
        await settle(app, pilot)
        await pilot.press("enter", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, RollCallScreen)
        present = {m[1] for m in marks(demo) if m[3] == "present"}
        assert present == {one[0][0], one[1][0], one[2][0]}
        assert [m[5] for m in marks(demo)] == ["scan", "key", "lookup"]
        # one of them goes home (F6, then 1) — highlighted row is someone missing
        table = app.screen.query_one("#visit-list", DataTable)
        table.focus()
        table.move_cursor(row=0)
        leaver = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        await pilot.press("f6")
        await settle(app, pilot)
        assert isinstance(app.screen, LeaveDialog)
        await pilot.press("2")
        await settle(app, pilot)
        assert marks(demo)[-1][1:5] == (leaver, "1号车", "left", "unwell")
        # everyone else by key but one
        status = screen.status
        assert status is not None
        for rider in status.missing[:-1]:
            await scan(app, pilot, rider.number)
        status = screen.status
        assert status is not None and len(status.missing) == 1
        last = status.missing[0]
        # departure with one missing: the panel names them, a question, then it is recorded
        await pilot.press("f7")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(app, pilot)
        assert "仍然出发" in panel(app) and f"缺1人：{last.name}" in panel(app)
        assert "下一站：办税服务厅（打完电话后按 F8 换过去）" in panel(app) and screen.stop == FIRST
        # the phone of the missing person is on the list for the leader to call
        table = app.screen.query_one("#visit-list", DataTable)
        row = table.get_row(last.number)
        assert str(row[3]) == (last.phone or "")
    with open_db(demo) as db:
        departures = db.execute("SELECT stop, bus, anyway, missing FROM departures").fetchall()
    assert departures == [(FIRST, "1号车", 1, f'["{last.number}"]')]


async def test_f1_opens_the_roll_call_and_the_board_shows_the_schedule(demo: Path) -> None:
    app = make_app(demo, station="desk", operator="小王", start="board")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        line = str(app.screen.query_one("#board-schedule", Static).render())
        assert "首站：政务服务中心东门（13:50）" in line
        await pilot.press("f1")
        await settle(app, pilot)
        screen = await ready(app, pilot)
        assert screen.stop == FIRST and screen.bus is None
        assert screen.status is not None and screen.status.expected == 32
        await pilot.press("f8")
        await settle(app, pilot)
        table = app.screen.query_one("#places", DataTable)
        table.move_cursor(row=5)  # second stop, 2号车
        await pilot.press("enter")
        await settle(app, pilot)
        assert (screen.stop, screen.bus) == ("办税服务厅", "2号车")


async def test_a_laptop_named_after_a_bus_calls_that_bus(demo: Path) -> None:
    app = make_app(demo, station="2号车", operator="李秀英", start="rollcall", stop=FIRST)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        assert screen.bus == "2号车"
        assert screen.status is not None and screen.status.expected == len(riders(demo, 1))


async def test_a_scanner_burst_on_the_list_marks_that_guest_only(demo: Path) -> None:
    from tests.conftest import send_burst

    one = riders(demo)
    with open_db(demo) as db:
        token = issue_token(db, one[3][0]).token
    app = make_app(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        app.screen.query_one("#visit-list", DataTable).focus()  # Space / Enter would mark a row
        send_burst(app, token, repeat_end=2)
        await settle(app, pilot)
        await app.scanner_silence()
        await settle(app, pilot)
    assert [(m[1], m[3], m[5]) for m in marks(demo)] == [(one[3][0], "present", "scan")]


async def test_the_roll_call_and_the_board_read_the_apps_clock(demo: Path) -> None:
    """Marks are stamped, and minutes behind the plan counted, by the app's clock (a test sets it)."""
    from tests.helpers import event_day_clock

    one = riders(demo)
    clock = event_day_clock(14, 30)  # the first stop's planned arrival was 13:50, departure 14:05
    app = CheckinApp(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车",
                     clock=clock)  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, one[0][0])
        line = str(app.screen.query_one("#visit-schedule", Static).render())
        assert "当前：政务服务中心东门" in line and "比计划晚40分钟" in line
        await pilot.press("f4")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        line = str(app.screen.query_one("#board-schedule", Static).render())
        assert "当前：政务服务中心东门" in line and "比计划晚40分钟" in line
    with open_db(demo) as db:
        stamped = db.execute("SELECT at FROM roll_marks").fetchall()
    assert [row[0][:16] for row in stamped] == ["2026-12-18T14:30"]


async def test_with_no_stop_given_the_screen_opens_where_the_apps_clock_says(demo: Path) -> None:
    """Nothing marked yet: the visit has not started, so the screen opens at the first stop and
    the schedule counts the minutes since its planned arrival by the app's clock."""
    from tests.helpers import event_day_clock

    app = CheckinApp(demo, station="desk", operator="小王", start="rollcall", clock=event_day_clock(14, 0))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        assert screen.stop == FIRST
        line = str(app.screen.query_one("#visit-schedule", Static).render())
        assert "比计划晚10分钟" in line


async def test_a_bus_that_left_the_first_stop_opens_at_the_next(demo: Path) -> None:
    """With no stop given, a bus on the way opens at the stop it is going to; the other bus,
    still at the first stop, opens there."""
    from checkin.rollcall import RollCall
    from tests.helpers import event_day_clock

    clock = event_day_clock(14, 0)
    with open_db(demo) as db:
        roll = RollCall(db, "1号车", "王志强", clock=clock)
        roll.mark_present(FIRST, "1号车", riders(demo)[0][0])
        assert roll.depart(FIRST, "1号车", anyway=True).recorded
    for bus, stop in (("1号车", "办税服务厅"), ("2号车", FIRST)):
        app = CheckinApp(demo, station=bus, operator="王志强", start="rollcall", clock=clock)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await ready(app, pilot)
            assert (screen.stop, screen.bus) == (stop, bus)


async def test_the_highlighted_guest_stays_highlighted_when_another_laptop_marks_someone(demo: Path) -> None:
    """The list refreshes every few seconds: a guest marked by another laptop moves down to
    'here', and the leader's highlight stays on the person they were about to mark (it stayed
    on the row number, so Space then marked the next person)."""
    from checkin.rollcall import RollCall

    one = riders(demo)
    app = make_app(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        table = app.screen.query_one("#visit-list", DataTable)
        table.focus()
        table.move_cursor(row=3)
        chosen = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        with open_db(demo) as db:  # the other laptop on the same file
            RollCall(db, "2号车平板", "李秀英").mark_present(FIRST, "1号车", one[0][0])
        screen.refresh_roll()
        await settle(app, pilot)
        assert screen.status is not None and len(screen.status.present) == 1
        assert str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value) == chosen
        await pilot.press("space")
        await settle(app, pilot)
        # the leader's own mark: the person goes to 'here', the next one slides under the cursor
        assert {m[1] for m in marks(demo)} == {one[0][0], chosen}
        following = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assert following in {r.number for r in screen.status.missing}


async def test_after_the_departure_the_screen_calls_the_roll_at_the_next_stop(demo: Path) -> None:
    """F7, all aboard: the departure is recorded and the screen moves on to the next stop, so the
    next roll call is not taken at the stop the bus has left (scans there would say 'already')."""
    from checkin.rollcall import RollCall

    one = riders(demo)
    with open_db(demo) as db:
        roll = RollCall(db, "1号车平板", "王志强")
        for number, _ in one:
            roll.mark_present(FIRST, "1号车", number)
    app = make_app(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert f"全部到齐：{len(one)}人" in panel(app) and "下一站：办税服务厅" in panel(app)
        assert (screen.stop, screen.bus) == ("办税服务厅", "1号车")
        assert screen.status is not None and screen.status.stop.name == "办税服务厅"
        assert "办税服务厅" in str(app.screen.query_one("#visit-place", Static).render())
        await scan(app, pilot, one[0][0])
    assert marks(demo)[-1][:2] == ("办税服务厅", one[0][0])
    with open_db(demo) as db:
        assert db.execute("SELECT stop, bus, anyway FROM departures").fetchall() == [(FIRST, "1号车", 0)]


async def test_scanner_bursts_ending_enter_tab_nothing_or_twice_each_mark_one_guest(demo: Path) -> None:
    """The door's scan input on the roll call: an invitation or an ID card's number, in one burst
    ending with Enter, Tab or nothing, sometimes twice, with the focus in the box or on the list."""
    from checkin.demo import demo_rows
    from tests.conftest import send_burst

    one = riders(demo)
    ids = {row[0]: row[2] for row in demo_rows()[1:]}
    cases: list[tuple[str, str | None, int, bool]] = [  # (kind, end, times, list focused)
        ("token", "enter", 1, False), ("token", "tab", 1, True), ("token", None, 1, False),
        ("id", "enter", 2, True), ("id", "tab", 2, False), ("id", None, 1, True),
    ]  # fmt: skip
    with open_db(demo) as db:
        payloads = [
            issue_token(db, one[i][0]).token if kind == "token" else ids[one[i][1]]
            for i, (kind, _, _, _) in enumerate(cases)
        ]
    app = make_app(demo, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        for i, (kind, end, times, on_list) in enumerate(cases):
            if on_list:
                app.screen.query_one("#visit-list", DataTable).focus()
            send_burst(app, payloads[i], end=end, repeat_end=times)
            await settle(app, pilot)
            await app.scanner_silence()
            await settle(app, pilot)
            assert f"{one[i][1]} 已到" in panel(app), (kind, end, times)
    got = [(m[1], m[5]) for m in marks(demo)]
    assert got == [(one[i][0], "scan" if kind == "token" else "idcard") for i, (kind, *_) in enumerate(cases)]


async def test_at_80_columns_a_long_stop_name_leaves_the_bus_the_phone_and_the_lag_in_view(
    demo: Path,
) -> None:
    """A stop named at length (60 characters, a 100-character address) pushed the bus, its
    leader's phone and "比计划晚N分钟" off the right edge of an 80×24 screen."""
    from checkin.itinerary import Stop, load_plan, set_plan
    from tests.helpers import event_day_clock

    long_name = "示范县经济技术开发区智能制造产业园区综合服务中心一楼大厅东侧办事窗口集合点"
    with open_db(demo) as db:
        stops, buses = load_plan(db)
        set_plan(db, [Stop(long_name, "13:50", 15, "assembly", "示范县人民路一号" * 12), stops[1]], buses)
    app = CheckinApp(demo, station="1号车平板", operator="王志强", start="rollcall", stop=long_name, bus="1号车",
                     clock=event_day_clock(14, 30))  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, riders(demo)[0][0])
        width = app.screen.query_one("#visit-place", Static).content_region.width
        place = str(app.screen.query_one("#visit-place", Static).render())
        line = str(app.screen.query_one("#visit-schedule", Static).render())
    from rich.cells import cell_len

    shown_place, shown_line = place[: _fit(place, width)], line[: _fit(line, width)]
    assert "1号车" in shown_place and "13900001111" in shown_place, shown_place
    assert "比计划晚40分钟" in shown_line, shown_line
    assert cell_len(shown_place) <= width


def _fit(text: str, width: int) -> int:
    """How many characters of `text` fit in `width` terminal cells."""
    from rich.cells import cell_len

    n = 0
    while n < len(text) and cell_len(text[: n + 1]) <= width:
        n += 1
    return n


async def test_in_english_a_long_chinese_stop_name_is_cut_not_wrapped_out_of_sight(demo: Path) -> None:
    """One-line rows word-wrapped: 'Stop:' showed and the (spaceless) Chinese name went to a
    second, hidden line — the leader saw no stop at all."""
    from checkin.itinerary import Stop, load_plan, set_plan

    set_language("en")
    long_name = "示范县经济技术开发区智能制造产业园区综合服务中心一楼大厅东侧办事窗口集合点"
    with open_db(demo) as db:
        stops, buses = load_plan(db)
        set_plan(db, [Stop(long_name, "13:50", 15, "assembly"), stops[1]], buses)
    app = CheckinApp(
        demo, station="1号车平板", operator="王志强", start="rollcall", stop=long_name, bus="1号车"
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        shown = [
            app.screen.query_one(f"#{name}", Static).render_line(0).text
            for name in ("visit-place", "visit-schedule")
        ]
    assert "Stop: 示范县" in shown[0] and "13900001111" in shown[0], shown
    assert "示范县经济" in shown[1], shown
