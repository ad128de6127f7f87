"""A refused admission at the end of the entry checks (another program holding the file, a full
disk) can be tried again. Found by the attacker pass on issue 12: the checks were all answered,
the write was refused ("file busy"), and the desk was stuck on that guest — Enter did nothing,
Esc only cleared the scan box, and every later scan waited behind "finish A022 first"."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from checkin import storage
from checkin.i18n import set_language, tr
from screens.app import make_app
from screens.check_form import CheckFormWidget
from tests.conftest import settle
from tests.helpers import invited, live_checkins, panel, panel_classes, ready, set_checks, token


@pytest.fixture(autouse=True)
def _chinese() -> None:
    set_language("zh")


def _hold(path: Path) -> sqlite3.Connection:
    """Another program takes the write lock (as `sqlite3 event.db` with BEGIN IMMEDIATE would)."""
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    return blocker


async def test_a_refused_admission_is_tried_again_with_enter(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 50)
    first, second = invited(demo, 0), invited(demo, 1)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        box = app.screen.query_one("#scan")
        box.insert_text_at_cursor(token(demo, first))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen.query_one(CheckFormWidget)
        assert form.display
        blocker = _hold(demo)
        try:
            await pilot.press("enter")  # own ID card seen: the checks are done, the write refused
            await settle(app, pilot)
            assert tr("storage.locked") in list(app.notices)  # type: ignore[attr-defined]
            assert "-admitted" not in panel_classes(app)
            assert app.focused is form  # the volunteer's next key goes to the form
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert live_checkins(demo) == []
        await pilot.press("enter")  # the file is free: Enter tries again
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
        assert live_checkins(demo) == [(first, "东门", "小王")]
        box.insert_text_at_cursor(token(demo, second))  # type: ignore[attr-defined]
        await pilot.press("enter")  # the next guest is not held behind the first
        await settle(app, pilot)
        assert "-needs_checks" in panel_classes(app)


async def test_a_refused_admission_can_be_cancelled_with_esc(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 50)
    first = invited(demo, 0)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        app.screen.query_one("#scan").insert_text_at_cursor(token(demo, first))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        blocker = _hold(demo)
        try:
            await pilot.press("enter")
            await settle(app, pilot)
            await pilot.press("escape")
            await settle(app, pilot)
            assert not app.screen.query_one(CheckFormWidget).display
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert live_checkins(demo) == []


async def test_a_scan_the_file_refused_never_leaves_the_previous_green_standing(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attacker pass on issue 12: with the file held by another program, the next guest's scan
    was refused in an 8-second pop-up while the panel still showed the previous guest's green
    准予入场 — read at arm's length, that lets the next person in."""
    monkeypatch.setattr(storage, "BUSY_TIMEOUT_MS", 50)
    set_checks(demo, "none")
    first, second = invited(demo, 0), invited(demo, 1)
    next_code = token(demo, second)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        box = app.screen.query_one("#scan")
        box.insert_text_at_cursor(token(demo, first))  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
        name = panel(app).splitlines()[1]
        blocker = _hold(demo)
        try:
            box.insert_text_at_cursor(next_code)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(app, pilot)
            assert "-admitted" not in panel_classes(app) and "-unsaved" in panel_classes(app)
            shown = panel(app)
            assert tr("app.not_recorded") in shown and tr("storage.locked") in shown
            assert name not in shown
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert [n for n, _, _ in live_checkins(demo)] == [first]
        box.insert_text_at_cursor(next_code)  # type: ignore[attr-defined]
        await pilot.press("enter")  # the file is free again: the same scan, right away, is judged
        await settle(app, pilot)
        assert "-admitted" in panel_classes(app)
