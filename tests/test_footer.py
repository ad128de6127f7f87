"""The key line: every key a volunteer needs is on the screen, never past its right edge.

At 120 columns Textual's single-line footer ran the keys off the right edge (F10–F12, F1
roll call and 中/EN could not be seen on the scan screen); at 80 columns half of them. The
desk's key line flows into two lines, leaves out the key of the screen shown now and, where
even two lines are too narrow, the office's screens first (they stay in the command palette).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from checkin.i18n import set_language
from screens.app import make_app
from screens.bindings import DeskFooter
from screens.modes import SCREENS
from tests.helpers import invited, ready, send_burst, set_checks, settle, token

SIZES = [(120, 40), (80, 24)]
DOOR_SCREENS = [s for s in SCREENS if s.id in {"scan", "people", "board", "calls", "rollcall"}]


def shown_keys(app: object) -> list[FooterKey]:
    return list(app.screen.query(FooterKey))  # type: ignore[attr-defined]


def assert_inside(app: object, size: tuple[int, int]) -> None:
    """Every key wholly on the screen, on the key line, none over another."""
    width, height = size
    keys = shown_keys(app)
    footer = app.screen.query_one(DeskFooter)  # type: ignore[attr-defined]
    taken: set[tuple[int, int]] = set()
    for key in keys:
        region = key.region
        assert region.width > 0 and region.x >= 0 and region.right <= width, (key.key, region)
        assert footer.region.y <= region.y < height, (key.key, region)
        cells = {(x, region.y) for x in range(region.x, region.right)}
        assert not cells & taken, key.key
        taken |= cells


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("entry", SCREENS, ids=[s.id for s in SCREENS])
async def test_no_key_falls_past_the_edge_on_any_screen(
    demo: Path, entry: object, lang: str, size: tuple[int, int]
) -> None:
    set_language(lang)
    app = make_app(demo, station="东门", operator="小王", start=entry.id)  # type: ignore[attr-defined]
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert_inside(app, size)
        shown = {k.key for k in shown_keys(app)}
        own = {
            key
            for key, (node, binding, _, _) in app.screen.active_bindings.items()
            if binding.show and node is not app
        }
        assert own <= shown  # this screen's own keys are never left off
        if entry in DOOR_SCREENS:
            # the event day's screens: every door screen's key, at either size
            door_keys = {s.key for s in DOOR_SCREENS if s is not entry}
            assert door_keys <= shown, door_keys - shown


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_120_columns_the_scan_screen_shows_every_key(demo: Path, lang: str) -> None:
    """The reported case: F1 roll call (and F10–F12, 中/EN) were past the right edge."""
    set_language(lang)
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.pause(0.2)
        shown = {k.key for k in shown_keys(app)}
        wanted = {key for key, (_, binding, _, _) in app.screen.active_bindings.items() if binding.show}
        assert wanted - shown == {"f2"}  # only the key of the screen shown now
        assert {"f1", "f10", "f11", "f12", "ctrl+l", "ctrl+q", "ctrl+p"} <= shown
        assert_inside(app, (120, 40))
        labels = [k.key_display for k in shown_keys(app)]
        assert "F1" in labels and "f1" not in labels  # as the keyboard prints it


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_at_80_by_24_the_check_form_keys_and_the_door_keys_are_in_view(demo: Path, lang: str) -> None:
    set_language(lang)
    set_checks(demo, "epidemic-2022")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        send_burst(app, token(demo, invited(demo)))
        await settle(app, pilot)
        await pilot.pause(0.2)
        shown = {k.key for k in shown_keys(app)}
        assert {"enter", "backspace", "escape", "slash", "f6", "f7", "f8", "f1", "f3", "f4", "f5"} <= shown
        assert_inside(app, (80, 24))


async def test_a_narrower_terminal_lays_the_keys_out_again(demo: Path) -> None:
    set_language("en")
    app = make_app(demo, station="东门", operator="小王")
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(app, pilot)
        await pilot.pause(0.2)
        assert "f12" in {k.key for k in shown_keys(app)}
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        await pilot.pause(0.2)
        assert_inside(app, (80, 24))
        assert "f12" not in {k.key for k in shown_keys(app)}  # the office's screens go first
