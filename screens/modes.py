"""The desk's screens, in one table: the app's keys and modes, the command palette and
`checkin run --screen` all read it, so a screen is added in one place.

Plain data (no Textual import): the CLI reads it for `--help` without loading the app, and a
screen's module is imported only the first time that screen is opened (a quick start at the door).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from textual.screen import Screen

    from checkin.clock import Clock
    from checkin.door import Door
    from checkin.doorstart import FirstLook


class Desk(Protocol):
    """What a screen is opened with: the app's file, station and operator (screens/app.py)."""

    db_path: Path
    station: str
    operator: str | None
    survey_pass: int
    stop: str | None
    bus: str | None
    clock: Clock

    def take_door(self) -> Door | None:
        """The door `checkin run` opened, once (the scan screen takes it), else None."""

    def take_first_look(self) -> FirstLook | None:
        """What `checkin run` read for the status line before the door is open, once, else None."""


@dataclass(frozen=True)
class ScreenEntry:
    id: str  # the mode's name, and the value of `checkin run --screen`
    key: str  # the key that switches to it
    label: str  # the catalogue key of its name (key descriptions, palette)
    module: str  # imported the first time the screen opens
    cls: str  # a screen class with `from_desk(desk)`
    asks_operator: bool = False  # it records who did what: the operator's name is asked first
    door: bool = True  # used on the event day (False: the office's, left off a narrow key line first)

    @property
    def binding_id(self) -> str:
        return self.label.removeprefix("app.bind.")

    def open(self, desk: Desk) -> Screen[None]:
        screen_class = getattr(importlib.import_module(self.module), self.cls)
        screen: Screen[None] = screen_class.from_desk(desk)
        return screen


# id, key, label, module, class, asks the operator's name, used on the event day
SCREENS: tuple[ScreenEntry, ...] = (
    ScreenEntry("scan", "f2", "app.bind.mode_scan", "screens.scan", "ScanScreen", True),
    ScreenEntry("people", "f3", "app.bind.mode_people", "screens.overview", "OverviewScreen"),
    ScreenEntry("board", "f4", "app.bind.mode_board", "screens.board", "BoardScreen"),
    ScreenEntry("calls", "f5", "app.bind.mode_calls", "screens.calls", "CallsScreen"),
    ScreenEntry("survey", "f9", "app.bind.mode_survey", "screens.survey", "SurveyEntryScreen", True, False),
    ScreenEntry("results", "f10", "app.bind.mode_results", "screens.survey", "ResultsScreen", False, False),
    ScreenEntry("ledger", "f11", "app.bind.mode_ledger", "screens.ledger", "LedgerScreen", False, False),
    ScreenEntry("review", "f12", "app.bind.mode_review", "screens.review", "ReviewScreen", False, False),
    ScreenEntry("rollcall", "f1", "app.bind.mode_rollcall", "screens.rollcall", "RollCallScreen", True),
)  # fmt: skip

SCREEN_IDS: tuple[str, ...] = tuple(s.id for s in SCREENS)


def screen_entry(screen_id: str) -> ScreenEntry:
    return next(s for s in SCREENS if s.id == screen_id)
