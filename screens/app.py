"""The Textual application: one factory, used by the CLI and the tests alike."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from checkin.i18n import current_language, set_language, tr
from screens.bindings import bind, localise_bindings
from screens.overview import OverviewScreen


class CheckinApp(App[None]):
    """开放日签到台. Opens on the event overview."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        bind("q", "quit", "quit"),
        bind("ctrl+l", "toggle_language", "language"),
    ]

    def __init__(self, db_path: Path, *, station: str | None = None, operator: str | None = None):
        super().__init__()
        self.db_path = Path(db_path)
        self.station = station
        self.operator = operator
        self.title = tr("app.title")

    def on_mount(self) -> None:
        localise_bindings(self)
        self.push_screen(OverviewScreen(self.db_path))

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() == "zh" else "zh")
        self.title = tr("app.title")
        localise_bindings(self)
        screen = self.screen
        if isinstance(screen, OverviewScreen):
            screen.relabel()


def make_app(db_path: str | Path, *, station: str | None = None, operator: str | None = None) -> CheckinApp:
    """Build the app for an event file (the file is opened by workers, never at import time)."""
    return CheckinApp(Path(db_path), station=station, operator=operator)
