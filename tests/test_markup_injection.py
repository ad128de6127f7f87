"""Names, organisations and suggestions that look like Textual/Rich markup are shown as typed.

A guest signed up as `[@click=app.quit]点我[/]` must read exactly that on every screen: not a
link that closes the desk when clicked, not a red bold name, and a lone `[/]` must not stop the
screen with a markup error. Each test looks at what is really drawn on the terminal.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from checkin.i18n import set_language
from checkin.keys import issue_token
from checkin.ledger import add_suggestion
from checkin.storage import open_db
from checkin.textcheck import check_text
from screens.app import CheckinApp, make_app
from tests.conftest import settle
from tests.helpers import drawn

QUIT = "[@click=app.quit]点我[/]"
HOSTILE = [QUIT, "[bold red]红字[/]", "[link=http://evil.example]链接[/link]", "左[右", "[/]尾"]
FIRST = "政务服务中心东门"


def where(app: Any, text: str) -> tuple[int, int]:
    update = app.screen._compositor.render_full_update()
    for y, line in enumerate(update.strips):
        row = "".join(segment.text for strip in line for segment in strip)
        if text in row:
            from rich.cells import cell_len

            return cell_len(row[: row.index(text)]) + 1, y
    raise AssertionError(f"{text!r} is not on the screen")


@pytest.fixture
def hostile(demo: Path) -> Path:
    """The demo event with every name and organisation set to markup, and a suggestion too."""
    set_language("zh")
    for name in HOSTILE:
        assert check_text(name, "name") == name  # such names pass import: the screens must cope
    with open_db(demo) as db:
        seqs = [r[0] for r in db.execute("SELECT seq FROM people ORDER BY queue_pos, seq")]
        for i, seq in enumerate(seqs):
            db.execute(
                "UPDATE people SET name = ?, organization = ? WHERE seq = ?",
                [HOSTILE[i % len(HOSTILE)], HOSTILE[(i + 1) % len(HOSTILE)], seq],
            )
        add_suggestion(db, "建议 [@click=app.quit]停车[/] 与 [/]")
    return demo


async def still_running(app: CheckinApp, pilot: Pilot[None], text: str) -> None:
    """Clicking on the text does nothing: the app is still there."""
    x, y = where(app, text)
    await pilot.click(offset=(x + 1, y))
    await settle(app, pilot)
    assert app.is_running and app.return_code is None


def token_of_first_invited(path: Path) -> str:
    with open_db(path) as db:
        number = db.execute(
            "SELECT number FROM people WHERE status = 'invited' AND name = ? ORDER BY queue_pos LIMIT 1",
            [QUIT],
        ).fetchone()[0]
        return issue_token(db, number).token


@pytest.mark.parametrize("mode", ["people", "board", "calls", "ledger"])
async def test_lists_show_markup_literally_and_clicks_do_nothing(hostile: Path, mode: str) -> None:
    app = make_app(hostile, station="东门", operator="小王", start=mode)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        if mode == "board":
            await pilot.press("p")  # phones shown or not, the names are there
            await settle(app, pilot)
        text = drawn(app)
        if mode == "ledger":
            assert "[@click=app.quit]停车[/]" in text
            await still_running(app, pilot, "停车")
        else:
            for name in HOSTILE:  # as much as the name column holds (four cells), as typed
                assert name[: 2 if name[0] == "左" else 3] in text, (name, text)
            await still_running(app, pilot, "[@c")


async def test_door_panel_recent_list_lookup_and_supervisor_dialog(hostile: Path) -> None:
    token = token_of_first_invited(hostile)
    with open_db(hostile) as db:
        red = db.execute("SELECT number FROM people WHERE name = ? LIMIT 1", [HOSTILE[1]]).fetchone()[0]
    with open_db(hostile) as db:
        db.execute("UPDATE event SET checks = 'none'")
    app = make_app(hostile, station="东门", operator="小王")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        box = app.screen.query_one("#scan", Input)
        box.focus()
        box.insert_text_at_cursor(token)
        await pilot.press("enter")
        await settle(app, pilot)
        text = drawn(app)
        assert QUIT in text, text  # the verdict panel
        assert text.count(QUIT[:6]) >= 2, text  # and the recent list (its name column cuts it)
        await still_running(app, pilot, "点我")
        await still_running(app, pilot, QUIT[:6])

        await pilot.press("f8")  # override: the dialog's question names the guest
        await settle(app, pilot)
        assert QUIT in drawn(app)
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("slash")  # look-up by name
        await settle(app, pilot)
        app.screen.query_one(Input).insert_text_at_cursor(red)
        await settle(app, pilot)
        assert HOSTILE[1][:3] in drawn(app)  # as much as the name column holds


async def test_notifications_are_plain_text(hostile: Path) -> None:
    app = make_app(hostile, start="people")
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await settle(app, pilot)
        app.notify(f"无法打开 {QUIT} 与 [/]")
        await settle(app, pilot)
        assert f"无法打开 {QUIT} 与 [/]" in drawn(app)
        await still_running(app, pilot, "点我")


async def test_roll_call_list_shows_markup_literally(hostile: Path) -> None:
    app = make_app(hostile, station="1号车平板", operator="王志强", start="rollcall", stop=FIRST, bus="1号车")
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        text = drawn(app)
        assert any(name in text for name in HOSTILE[:4]), text
        assert app.is_running


async def test_county_screen_shows_unit_names_literally(tmp_path: Path) -> None:
    from screens.county import CountyApp
    from screens.main import main as checkin

    units = tmp_path / "单位.csv"
    units.write_text(
        "单位名称,类别,联系人,联系电话\n[@click=app.quit]科技局[/],县政府部门,[bold]王明[/],13800000001\n",
        encoding="utf-8",
    )
    db = tmp_path / "county.db"
    assert (
        checkin(
            ["county", "init", "--db", str(db), "--year", "2026", "--units", str(units), "--name", "沂水县"]
        )
        == 0
    )
    app = CountyApp(db, as_of=dt.date(2026, 9, 20), still=True)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        text = drawn(app)
        assert "[@click=app.quit]科技局[/]" in text and "[bold]王明[/]" in text
        await still_running(app, pilot, "科技局")


def test_every_widget_in_screens_is_made_plain() -> None:
    """The rule above, for screens not driven here (review, survey) and screens still to come:
    every Static/Label is made with markup=False, every DataTable is a PlainTable, every App
    notifies through PlainNotify."""
    import ast

    screens = Path(__file__).resolve().parent.parent / "screens"
    faults = []
    for path in sorted(screens.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                name = node.func.id
                plain = any(
                    k.arg == "markup" and getattr(k.value, "value", True) is False for k in node.keywords
                )
                if name in ("Static", "Label") and not plain:
                    faults.append(f"{path.name}:{node.lineno} {name} without markup=False")
                if name == "DataTable":
                    faults.append(f"{path.name}:{node.lineno} DataTable (use PlainTable)")
            if isinstance(node, ast.ClassDef):
                bases = [getattr(b, "id", getattr(getattr(b, "value", None), "id", "")) for b in node.bases]
                if "App" in bases and "PlainNotify" not in bases:
                    faults.append(f"{path.name}:{node.lineno} {node.name} without PlainNotify")
    assert faults == []
