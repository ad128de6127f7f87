"""A Chinese input method commits a phrase at once: its characters reach the terminal as one
fast run, like a scanner's. Found in tmux: "希望增加停车位和休息区" typed in the survey's
suggestion box was taken as a scan, refused ("这不是测评表条码") and lost; a reason typed in
the annul dialog was refused as "a scan". A scanner types ASCII: a run with Chinese in it is
typing — unless an ID number is in it (a card reader's line with the holder's name)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from checkin.storage import open_db
from checkin.survey import allocate_forms
from screens.app import make_app
from screens.scanner import BurstRecogniser, Replay, Scan
from screens.survey import SurveyEntryScreen
from tests.helpers import invited, ready, send_burst, settle, token

PHRASE = "希望增加停车位和休息区"


def test_a_phrase_from_an_input_method_is_typing_not_a_scan() -> None:
    rec: BurstRecogniser[str] = BurstRecogniser()
    out: list[object] = []
    for i, ch in enumerate(PHRASE):
        out += rec.feed(ch, ch, i * 0.001, ch)
    out += rec.silence(1.0)
    assert out == [Replay(list(PHRASE))]
    rec = BurstRecogniser()
    out = []
    for i, ch in enumerate(PHRASE):
        out += rec.feed(ch, ch, i * 0.001, ch)
    out += rec.feed("enter", "\r", 0.02, "enter")  # committed, then Enter: both are typing
    assert out == [Replay([*PHRASE, "enter"])]


def test_a_reader_line_with_a_name_and_an_id_number_is_still_a_scan() -> None:
    line = "罗华 320114198707037451"
    rec: BurstRecogniser[str] = BurstRecogniser()
    out: list[object] = []
    for i, ch in enumerate(line):
        out += rec.feed(ch, ch, i * 0.001, ch)
    out += rec.feed("enter", "\r", 0.03, "enter")
    assert out == [Scan(line, "enter")]
    from screens.scanner import scanner_could_type

    assert scanner_could_type("https://u.wechat.com/abc") and not scanner_could_type("扫错了人，重新扫")


async def test_a_suggestion_typed_through_an_input_method_is_kept(demo: Path) -> None:
    with open_db(demo) as db:
        allocate_forms(db, 3)
    app = make_app(demo, operator="小李", start="survey")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, SurveyEntryScreen)
        send_burst(app, "F00001")
        await settle(app, pilot)
        await pilot.press("1", "1", "2", "1", "1")
        await settle(app, pilot)
        send_burst(app, PHRASE, end=None)  # the input method's commit
        await settle(app, pilot)
        assert app.screen.query_one("#survey-text", Input).value == PHRASE
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
    with open_db(demo) as db:
        assert db.execute("SELECT form, text FROM survey_entries").fetchall() == [(1, PHRASE)]


async def test_a_reason_typed_through_an_input_method_reaches_the_annul_dialog(demo: Path) -> None:
    from screens.dialogs import SupervisorDialog

    number = invited(demo)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        send_burst(app, token(demo, number))
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f7")
        await settle(app, pilot)
        assert isinstance(app.screen, SupervisorDialog)
        send_burst(app, "扫错了人，重新扫", end=None)
        await settle(app, pilot)
        assert app.screen.query_one("#reason", Input).value == "扫错了人，重新扫"
        assert not app._notifications  # nothing refused as "a scan"


async def test_a_name_typed_in_the_scan_box_opens_the_look_up_with_it(demo: Path) -> None:
    """A name typed in the box (周伟丽 + Enter) was refused "not an invitation" and recorded
    as a refused scan; it opens the look-up with the name, and one Enter picks."""
    from screens.dialogs import LookupDialog

    number = invited(demo)
    with open_db(demo) as db:
        name = db.execute("SELECT name FROM people WHERE number = ?", [number]).fetchone()[0]
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        for ch in name:
            await pilot.press(ch)
            await app.scanner_silence()
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LookupDialog)
        assert app.screen.query_one("#query", Input).value == name
        with open_db(demo) as db:
            assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 0
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        with open_db(demo) as db:
            assert db.execute("SELECT number FROM scans").fetchall() == [(number,)]
