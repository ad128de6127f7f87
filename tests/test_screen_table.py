"""One table of screens (screens/modes.py): the app's keys, the command palette and
`checkin run --screen` all come from it, and every screen it names opens."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from checkin.i18n import tr
from screens.modes import SCREENS
from tests.conftest import settle


def _run_parser() -> argparse.ArgumentParser:
    from checkin.cli import build_parser
    from screens.main import add_app_commands

    parser = build_parser([add_app_commands])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["run"]


def test_run_screen_offers_every_screen_of_the_table() -> None:
    screen = next(a for a in _run_parser()._actions if a.dest == "screen")
    assert tuple(screen.choices or ()) == tuple(s.id for s in SCREENS)
    assert "review" in (screen.choices or ())  # it was missing when the list was copied


def test_the_app_has_one_key_per_screen_of_the_table() -> None:
    from screens.app import CheckinApp

    actions = {b.action: b.key for b in CheckinApp.BINDINGS if not isinstance(b, tuple)}  # type: ignore[union-attr]
    for entry in SCREENS:
        assert actions[f"switch_mode('{entry.id}')"] == entry.key
    assert len({s.key for s in SCREENS}) == len(SCREENS)
    assert len({s.id for s in SCREENS}) == len(SCREENS)


@pytest.mark.parametrize("entry", SCREENS, ids=lambda e: e.id)
async def test_every_screen_of_the_table_opens_and_is_in_the_palette(demo: Path, entry: object) -> None:
    from screens.app import CheckinApp
    from screens.commands import DeskCommands

    assert entry in SCREENS
    app = CheckinApp(demo, station="东门", operator="小王", start=entry.id, still=True)  # type: ignore[attr-defined]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert app.current_mode == entry.id  # type: ignore[attr-defined]
        assert type(app.screen).__name__ == entry.cls  # type: ignore[attr-defined]
        labels = [label for label, _, _ in DeskCommands(app.screen)._commands()]
        assert f"{tr('app.palette_screens')}: {tr(entry.label)}" in labels  # type: ignore[attr-defined]


async def test_dialogs_describe_their_keys_in_the_language_chosen_later(demo: Path) -> None:
    """Key descriptions are written when a module is imported; a DeskDialog re-reads them
    when it opens, so a dialog opened after ctrl+l speaks the new language."""
    from checkin.i18n import set_language
    from screens.app import CheckinApp
    from screens.dialogs import ConfirmDialog

    app = CheckinApp(demo, station="东门", operator="小王", start="people", still=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        set_language("zh")
        dialog = ConfirmDialog("?")
        app.push_screen(dialog)
        await settle(app, pilot)
        assert app.screen is dialog
        descriptions = {active.binding.description for active in dialog.active_bindings.values()}
        assert tr("app.bind.cancel", lang="zh") in descriptions
