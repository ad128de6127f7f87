"""A verdict is never hidden by the next guest's.

Tried in tmux: A005's form open, the next guest's ID card read while waiting; the volunteer
typed A005's ID number, which did not match — the red "refused" was replaced at once by the
next guest's green "admitted" (an ID card admits in one action), and A005 was waved in. With
scans waiting behind it, a verdict now stays on the panel until the volunteer moves on
(Enter, or a new scan)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Static

from checkin.i18n import set_language, tr
from checkin.storage import open_db
from screens.app import make_app
from tests.helpers import (
    demo_id,
    invited,
    live_checkins,
    panel,
    panel_classes,
    ready,
    send_burst,
    settle,
    token,
)


def scans_of(path: Path, number: str) -> int:
    with open_db(path) as db:
        return int(db.execute("SELECT COUNT(*) FROM scans WHERE number = ?", [number]).fetchone()[0])


async def type_slowly(app: object, pilot: object, text: str) -> None:
    for ch in text:
        await pilot.press(ch)  # type: ignore[attr-defined]
        await app.scanner_silence()  # type: ignore[attr-defined]


async def test_a_refusal_stays_in_view_while_the_next_guest_waits(demo: Path) -> None:
    set_language("zh")
    first, second, third = invited(demo, 0), invited(demo, 1), invited(demo, 2)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, first))
        await settle(app, pilot)
        send_burst(app, demo_id(demo, second))  # the next guest's ID card, while the form is open
        await settle(app, pilot)
        assert screen.current is not None and screen.current.number == first
        await pilot.pause(0.3)
        await type_slowly(app, pilot, "110101199001010011")  # not the first guest's number
        await pilot.press("enter")
        await settle(app, pilot)
        # the refusal is on the panel, the next guest not judged yet, the note says how to go on
        assert "-refused" in panel_classes(app) and first in panel(app)
        assert scans_of(demo, second) == 0
        note = screen.query_one("#queue-note", Static)
        assert note.display and tr("app.next_waiting", waiting=1) in str(note.render())
        send_burst(app, token(demo, first))  # the refused guest's code read again: changes nothing
        await settle(app, pilot)
        assert "-refused" in panel_classes(app) and scans_of(demo, second) == 0
        await pilot.pause(0.3)
        await pilot.press("enter")  # the volunteer moves on
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app) and second in panel(app)
        assert not note.display
        # a new scan also moves on: the waiting one first, then it
        send_burst(app, token(demo, third))
        await settle(app, pilot)
        assert screen.current is not None and screen.current.number == third
    assert sorted(r[0] for r in live_checkins(demo)) == [second]


async def test_an_admission_stays_in_view_too_and_a_new_scan_moves_on(demo: Path) -> None:
    first, second, third = invited(demo, 0), invited(demo, 1), invited(demo, 2)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, first))
        await settle(app, pilot)
        send_burst(app, token(demo, second))
        await settle(app, pilot)
        await pilot.pause(0.3)
        await pilot.press("enter")  # the first guest's ID card seen
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app) and first in panel(app)
        assert screen.holding and scans_of(demo, second) == 0
        send_burst(app, token(demo, third))  # a new scan: the one waiting is judged first
        await settle(app, pilot)
        assert screen.current is not None and screen.current.number == second
        assert list(screen.waiting) == [token(demo, third)] and not screen.holding
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app) and second in panel(app) and screen.holding
    assert sorted(r[0] for r in live_checkins(demo)) == sorted([first, second])


async def test_a_scan_while_the_answers_are_judged_is_not_kept_waiting(demo: Path) -> None:
    """The tmux simulator (1,000 scans) stalled here: the volunteer pressed Enter on a guest's
    form and the next guest scanned at once, while the answers were still being written
    (tens of ms; longer on a busy laptop). That scan came after the form, not during it —
    yet the verdict was held ('按回车接待下一位') as if the guest had waited behind the form,
    where a scan a moment later opens their form at once. It is judged at once too."""
    first, second = invited(demo, 0), invited(demo, 1)
    code = token(demo, second)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await ready(app, pilot)
        send_burst(app, token(demo, first))
        await settle(app, pilot)
        assert screen.current is not None and screen.current.number == first
        await pilot.pause(0.3)
        busy = sqlite3.connect(demo, isolation_level=None)  # another program writing: the answers wait
        busy.execute("BEGIN IMMEDIATE")
        try:
            await pilot.press("enter")  # the first guest's ID card seen
            assert screen.in_flight
            send_burst(app, code)  # the next guest, while the answers are judged
            for _ in range(50):
                await pilot.pause(0.01)
                if screen.waiting:
                    break
            assert list(screen.waiting) == [code] and screen.in_flight
        finally:
            busy.rollback()
            busy.close()
        await settle(app, pilot)
        assert not screen.holding
        assert screen.current is not None and screen.current.number == second
        assert scans_of(demo, second) == 1
    assert [r[0] for r in live_checkins(demo)] == [first]
