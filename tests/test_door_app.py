"""The door screens driven by the Pilot: scan, checks, look-up, walk-in, annul, board, calls."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Digits, Input

from checkin.door import Door
from checkin.i18n import set_language
from checkin.keys import reissue
from checkin.storage import open_db
from screens.app import CheckinApp, make_app
from screens.board import BoardScreen
from screens.calls import CallsScreen
from screens.check_form import CheckFormWidget
from screens.dialogs import LookupDialog, SupervisorDialog, WalkInDialog
from screens.scan import ScanScreen
from tests.conftest import send_burst, settle, valid_id
from tests.helpers import invited, live_checkins, panel, panel_classes, ready, set_checks, token


async def scan(app: CheckinApp, pilot: Pilot[None], text: str) -> None:
    """A USB scanner at full speed: the payload lands in the scan box at once, then Enter.

    (Pressing 130 keys one by one through the Pilot takes seconds; the tests that are
    about keystrokes — silence, focus elsewhere, Tab — type them key by key.)
    """
    box = app.screen.query_one("#scan", Input)
    box.focus()
    box.insert_text_at_cursor(text)
    await pilot.press("enter")
    await settle(app, pilot)


@pytest.fixture(autouse=True)
def _chinese() -> None:
    set_language("zh")


async def test_scan_then_one_key_admits(demo: Path) -> None:
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
        assert "-needs_checks" in panel_classes(app)
        form = app.screen.query_one(CheckFormWidget)
        assert form.display and app.focused is form
        assert live_checkins(demo) == []
        await pilot.press("enter")  # own ID card seen: one key
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
        assert "准予入场" in panel(app)
        assert live_checkins(demo) == [(number, "东门", "小王")]
        recent = app.screen.query_one("#recent", DataTable)
        assert recent.row_count == 2


async def test_already_shows_first_time_and_station(demo: Path) -> None:
    set_checks(demo, "none")
    number = invited(demo)
    db = open_db(demo)
    Door(db, "西门", "老张").judge(number)  # another instance on the same file
    db.conn.close()
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
        assert "-already" in panel_classes(app)
        assert "西门" in panel(app)
    assert len(live_checkins(demo)) == 1


@pytest.mark.parametrize("kind", ["forged", "revoked", "garbage"])
async def test_refusals_turn_the_panel_red(demo: Path, kind: str) -> None:
    number = invited(demo)
    text = token(demo, number)
    if kind == "forged":
        text = text[:50] + ("B" if text[50] != "B" else "C") + text[51:]
    elif kind == "revoked":
        db = open_db(demo)
        reissue(db, number)
        db.conn.close()
    else:
        text = "HELLO"
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, text)
        assert "-refused" in panel_classes(app)
        expected = {"forged": "签名无效", "revoked": "已作废", "garbage": "不是邀请函"}[kind]
        assert expected in panel(app)
    assert live_checkins(demo) == []


async def test_epidemic_checks_pass_with_six_keys_and_fail_on_red_code(demo: Path) -> None:
    set_checks(demo, "epidemic-2022")
    healthy, sick = invited(demo, 0), invited(demo, 1)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, healthy))
        await pilot.press("enter", "1", "1", "6", "5", "1")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
        await scan(app, pilot, token(demo, sick))
        await pilot.press("enter")
        form = app.screen.query_one(CheckFormWidget)
        await pilot.press("9")  # not a legal answer for the health code: refused, nothing moves
        await settle(app, pilot)
        assert form.form.current is not None and form.form.current.name == "health_code"
        await pilot.press("3")  # red health code: refused at once, the rest is not asked
        await settle(app, pilot)
        assert "-refused" in panel_classes(app)
        assert "健康码：红码" in panel(app)
        assert "health_code" not in panel(app) and "red" not in panel(app)
        assert form.display and "✗ 健康码：红码" in str(form.render())
        assert "体温" in str(form.render()) and "未查" in str(form.render())
    assert [r[0] for r in live_checkins(demo)] == [healthy]


async def test_lookup_by_pinyin_initials_then_check_in(demo: Path) -> None:
    app = make_app(demo, station="东门", operator="小王")
    db = open_db(demo)
    name, number = db.execute("SELECT name, number FROM people WHERE name = '吴丽志'").fetchone()
    db.conn.close()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("slash")
        await settle(app, pilot)
        assert isinstance(app.screen, LookupDialog)
        await pilot.press(*"wlz")
        await settle(app, pilot)
        results = app.screen.query_one("#results", DataTable)
        assert results.row_count >= 1
        assert str(results.get_row_at(0)[1]) == name
        await pilot.press("enter")  # one Enter picks the first match
        await settle(app, pilot)
        assert isinstance(app.screen, ScanScreen)
        assert "-needs_checks" in panel_classes(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
    assert live_checkins(demo) == [(number, "东门", "小王")]


async def test_walk_in_registration_with_pin(demo: Path) -> None:
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        assert isinstance(app.screen, WalkInDialog)
        dialog = app.screen
        dialog.query_one("#name", Input).value = "路人甲"
        dialog.query_one("#id_number", Input).value = valid_id(950)
        dialog.query_one("#phone", Input).value = "13900009999"
        dialog.query_one("#pin", Input).value = "246813"
        dialog.query_one("#pin", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
        assert "路人甲" in panel(app)
    rows = live_checkins(demo)
    assert len(rows) == 1 and rows[0][0].startswith("W")


async def test_walk_in_wrong_pin_is_refused(demo: Path) -> None:
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("f6")
        await settle(app, pilot)
        dialog = app.screen
        dialog.query_one("#name", Input).value = "路人乙"
        dialog.query_one("#id_number", Input).value = valid_id(951)
        dialog.query_one("#phone", Input).value = "13900009998"
        dialog.query_one("#pin", Input).value = "0000"
        dialog.query_one("#pin", Input).focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert any("密码" in n for n in app.notices)
    assert live_checkins(demo) == []


@pytest.mark.parametrize(("pin", "annulled"), [("246813", True), ("1111", False)])
async def test_annul_needs_the_supervisor_pin(demo: Path, pin: str, annulled: bool) -> None:
    set_checks(demo, "none")
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
        assert live_checkins(demo) == [(number, "东门", "小王")]
        await pilot.press("f7")
        await settle(app, pilot)
        assert isinstance(app.screen, SupervisorDialog)
        await pilot.press(*"扫错了"[:0], *"wrong person", "enter", *pin, "enter")
        await settle(app, pilot)
    assert (live_checkins(demo) == []) is annulled


async def test_same_code_twice_within_three_seconds_is_one_scan(demo: Path) -> None:
    set_checks(demo, "none")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, text)
        await scan(app, pilot, text)
        assert "-admitted" in panel_classes(app)
    db = open_db(demo)
    assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 1


async def test_scanner_without_terminator_ends_after_silence(demo: Path) -> None:
    set_checks(demo, "none")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        send_burst(app, text, end=None)
        for _ in range(50):  # the silence ends the burst after 30 ms; allow a busy machine more
            await pilot.pause(0.1)
            await app.workers.wait_for_complete()
            await pilot.pause()
            if "-admitted" in panel_classes(app):
                break
        assert "-admitted" in panel_classes(app)


async def test_scan_while_focus_is_elsewhere_still_lands(demo: Path) -> None:
    set_checks(demo, "none")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        screen.query_one("#recent", DataTable).focus()
        send_burst(app, text)
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)


async def test_tab_terminated_scanner(demo: Path) -> None:
    set_checks(demo, "none")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        send_burst(app, text, end="tab")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)


async def test_operator_is_asked_when_missing(demo: Path) -> None:
    set_checks(demo, "none")
    number = invited(demo)
    app = make_app(demo, station="东门", operator=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"lisi", "enter")
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
    assert live_checkins(demo) == [(number, "东门", "lisi")]


async def test_board_counts_and_absent_list(demo: Path) -> None:
    set_checks(demo, "none")
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
        await pilot.press("f4")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        absent = app.screen.query_one("#absent", DataTable)
        assert absent.row_count == 31
        assert app.screen.board is not None
        assert (app.screen.board.arrived, app.screen.board.expected) == (1, 32)
        assert app.screen.board.citizen_share == 1
        await pilot.press("b")
        await settle(app, pilot)
        assert app.screen.query_one("#big-arrived", Digits).value == "1"


async def test_calls_screen_marks_and_moves_the_waiting_list(demo: Path) -> None:
    app = make_app(demo, station="办公室", operator="小王", start="calls")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, CallsScreen)
        table = app.screen.query_one("#calls", DataTable)
        assert table.row_count == 32
        first = str(table.get_row_at(0)[0])
        await pilot.press("c")
        await settle(app, pilot)
        table.move_cursor(row=6)
        target = str(table.get_row_at(6)[0])
        await pilot.press("d")
        await settle(app, pilot)
        await pilot.press("y")  # declining moves someone off the list: asked first
        await settle(app, pilot)
    db = open_db(demo)
    statuses = dict(db.execute("SELECT number, confirmation FROM people").fetchall())
    assert statuses[first] == "confirmed"
    assert statuses[target] == "declined"
    moved = db.execute("SELECT COUNT(*) FROM activity WHERE action = 'moved_up'").fetchone()[0]
    assert moved == 1


async def test_every_binding_is_described_in_both_languages(demo: Path) -> None:
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        zh = {b.binding.description for b in app.screen.active_bindings.values()}
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        en = {b.binding.description for b in app.screen.active_bindings.values()}
        assert all(zh) and all(en)
        assert "查找" in zh and "Look up" in en


async def test_scan_to_verdict_is_quick(demo: Path) -> None:
    """A sanity bound only (the p95 figure comes from the benchmark): under a second."""
    set_checks(demo, "none")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        start = time.monotonic()
        await scan(app, pilot, text)
        assert "-admitted" in panel_classes(app)
        assert screen.latencies and screen.latencies[-1] < time.monotonic() - start + 0.001


async def test_command_palette_finds_screens_and_keys(demo: Path) -> None:
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"看板")
        await pilot.pause(1.0)  # the palette searches in the background
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)


async def test_an_admission_after_the_check_form_records_the_scan_and_its_invitation(demo: Path) -> None:
    """Scan, then the form: the check-in says 'scanned' (not 'looked up') and keeps which
    invitation and which key let the guest in, so merge can flag a key revoked since."""
    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, token(demo, number))
        await pilot.press("enter")  # own ID card seen
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
    with open_db(demo) as db:
        method = db.execute("SELECT method FROM checkins WHERE number = ?", [number]).fetchone()[0]
        scans = db.execute(
            "SELECT method, token_seq IS NOT NULL, token_key FROM scans WHERE number = ? AND verdict = 'admitted'",
            [number],
        ).fetchall()
        key = db.execute("SELECT key_id FROM signing_keys WHERE retired_at IS NULL").fetchone()[0]
    assert method == "scan"
    assert [tuple(r) for r in scans] == [("scan", 1, key)]


async def test_the_check_form_keys_follow_a_language_switch(demo: Path) -> None:
    """The check form's keys (Enter confirm, Backspace back, Esc cancel) are described in the
    language now chosen — they kept the language of the moment the module was first imported
    (after an English test, the Chinese desk's form said Confirm / Back / Cancel checks)."""
    set_checks(demo, "epidemic-2022")
    text = token(demo, invited(demo))
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await scan(app, pilot, text)
        form = app.screen.query_one(CheckFormWidget)
        assert form.display

        def described() -> set[str]:
            return {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}

        assert "确认" in described()
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert "Confirm" in described() and "确认" not in described()
        await pilot.press("ctrl+l")
        await settle(app, pilot)
        assert "确认" in described() and "Confirm" not in described()
