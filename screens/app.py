"""The Textual application: one factory, used by the CLI and the tests alike."""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import ModalScreen

from checkin.clock import SYSTEM_CLOCK, Clock
from checkin.i18n import current_language, set_language, tr
from screens.bindings import bind, localise_bindings
from screens.commands import DeskCommands
from screens.modes import SCREENS, screen_entry
from screens.scanner import ScannerApp, ScannerSettings, ScanReceiver
from screens.stylesheet import DeskStylesheet

if TYPE_CHECKING:
    from checkin.door import Door
    from checkin.doorstart import FirstLook


FIRST_FRAME_AT_LATEST = 2.0  # seconds: the door opens by then whatever Textual reported


class CheckinApp(ScannerApp):
    """开放日签到台: the scan screen at the door, plus people, board and call list.

    Scanner bursts are recognised here, for every screen and dialog (screens/scanner.py).
    """

    CSS_PATH = "app.tcss"
    COMMANDS = ScannerApp.COMMANDS | {DeskCommands}
    BINDINGS = [
        *(bind(s.key, f"switch_mode('{s.id}')", s.binding_id) for s in SCREENS),
        bind("ctrl+l", "toggle_language", "language"),
        bind("ctrl+q", "quit", "quit", priority=True),
    ]

    def __init__(
        self,
        db_path: Path,
        *,
        station: str | None = None,
        operator: str | None = None,
        start: str = "scan",
        still: bool = False,
        survey_pass: int = 1,
        stop: str | None = None,
        bus: str | None = None,
        scanner: ScannerSettings | None = None,
        door: Door | None = None,
        clock: Clock = SYSTEM_CLOCK,
        notice: str | None = None,
        first_look: FirstLook | None = None,
        settle_heap: bool = False,
    ) -> None:
        # The start screen is the first screen Textual opens, rather than a switch of modes
        # once the app is up: Textual holds every frame back for 50 ms after a switch, and
        # lays out and draws the screen under it first. Only a start that asks who the
        # operator is first (a dialog) opens the screens once it is answered.
        self._start_mode = "_default" if screen_entry(start).asks_operator and not operator else start
        # an invitation cut short mid-burst (the terminal's reader held back) waits for its rest
        super().__init__(scanner=(scanner or self.scanner_settings).expecting(_invitation_begun))
        self.stylesheet = DeskStylesheet(variables=self.get_css_variables())  # parsed once per change
        self.door = door  # opened by `checkin run`: handed to the scan screen, which closes it
        # or, for a quicker start, only read by `checkin run` for the status line: the scan
        # screen shows it at once and opens the door just after its first paint
        self.first_look = first_look
        self._settles_heap = settle_heap  # the program's own process (checkin run): see settle_heap
        self.clock = clock  # the time of a door the scan screen opens (tests pass a fixed one)
        self.notice = notice  # said once the screen is up (a door pack's own station, say)
        self.modes_open = False
        self._first_frame: list[Callable[[], object]] | None = []  # None: it is up
        self.stop = stop  # the roll call's stop and bus (checkin run --screen rollcall)
        self.bus = bus
        # still=True: no header clock and no blinking cursor (snapshot tests)
        self.still = still
        self.survey_pass = survey_pass
        self.db_path = Path(db_path)
        self.station = station or "desk"
        self.operator = operator
        self.start = start
        self.title = tr("app.title")
        if self._start_mode != "_default":
            self._add_modes()

    @property
    def DEFAULT_MODE(self) -> str:  # type: ignore[override]  # Textual reads it once, in App.__init__
        """The mode Textual opens first: the start screen's (see __init__)."""
        return self._start_mode

    def on_mount(self) -> None:
        localise_bindings(self)
        # should no frame be reported, what waits for the first frame is not left waiting
        self.set_timer(FIRST_FRAME_AT_LATEST, self._first_frame_shown)
        if self.notice:
            self.notify(self.notice, severity="warning", timeout=15)
        if self.modes_open:
            return  # the start screen is open already
        from screens.dialogs import OperatorDialog

        self.push_screen(OperatorDialog(), self._operator_chosen)

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """`callback` once the first frame is on the terminal (at once if it is already): work
        a screen needs soon, but not for its first paint — the key line's keys, opening the
        door — waits for it, so that the screen shows sooner. It runs in the app's context:
        a widget's work is handed to the widget (`widget.call_later`)."""
        if self._first_frame is None:
            callback()
        else:
            self._first_frame.append(callback)

    def post_display_hook(self) -> None:
        """Textual calls this after each frame it hands to the terminal (and after a display
        with nothing to show). The first real one is the first frame: what waits for it runs
        next. Textual's own Ready came too early for this: it is posted when the screen is
        first laid out, and what it set going (the door's imports in a worker, the recent
        scans' table) often ran before the frame was painted, holding the screen back."""
        if self._first_frame is not None and not self._batch_count and self.is_running:
            self._first_frame_shown()

    def _first_frame_shown(self) -> None:
        if self._first_frame is None:
            return  # shown already: the safety-net timer has nothing left to do
        waiting, self._first_frame = self._first_frame, None
        self.settle_heap()
        for callback in waiting:
            callback()

    def settle_heap(self) -> None:
        """Set the objects made so far aside from Python's cycle collector and turn it on.

        The start (Textual, the screen, the door once it is open) leaves hundreds of thousands
        of objects that live as long as the program; each full collection walked them all —
        100 ms and more on a busy laptop, landing in the middle of a scan (the slowest scans
        in the terminal benchmark were those). Frozen (`gc.freeze`), they are never walked
        again; what the desk makes from then on is collected as usual. Only in the program's
        own process (`checkin run` turns the collector off while the screen starts)."""
        if self._settles_heap:
            gc.freeze()
            gc.enable()

    def _operator_chosen(self, name: str | None) -> None:
        self.operator = name or "?"
        self._open_modes()

    def _open_modes(self) -> None:
        self._add_modes()
        self.switch_mode(self.start)

    def _add_modes(self) -> None:
        """Each screen's module is imported the first time it is opened: a quick start at the door."""
        for entry in SCREENS:
            self.add_mode(entry.id, partial(entry.open, self))
        self.modes_open = True

    # ------------------------------------------------------------ scans

    def route_scan(self, text: str) -> None:
        """A scan goes to the screen on top if it takes scans; Calls, Board, People, Ledger
        and Results hand it to the scan screen (a survey-form barcode to survey keying);
        other dialogs refuse it with a message. A scan never acts as keys."""
        screen = self.screen
        if isinstance(screen, ScanReceiver):
            screen.receive_scan(text)
            return
        if isinstance(screen, ModalScreen) or not self.modes_open:
            self.bell()
            self.notify(tr("scanner.close_dialog"), severity="warning")
            return
        target = "survey" if self.current_mode in ("results", "ledger") and _form_barcode(text) else "scan"
        if self.current_mode == target:  # pragma: no cover - both take scans themselves
            return
        self.switch_mode(target)
        self.call_later(self._deliver, target, text)

    def _deliver(self, mode: str, text: str) -> None:
        screen = self.screen
        if self.current_mode == mode and isinstance(screen, ScanReceiver):
            screen.receive_scan(text)

    def scan_refused(self) -> str:
        return tr("scanner.close_dialog")

    def take_door(self) -> Door | None:
        door, self.door = self.door, None
        return door

    def take_first_look(self) -> FirstLook | None:
        look, self.first_look = self.first_look, None
        return look

    def release_door(self) -> None:
        """Close the door `checkin run` opened if no scan screen took it (the app ended first)."""
        door = self.take_door()
        if door is not None:
            door.db.close()

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() == "zh" else "zh")
        self.title = tr("app.title")
        localise_bindings(self)
        # every open screen, not only the one on top: the screen under a dialog and those of
        # the other modes (opened earlier, shown again by their key) stayed in the language before
        for stack in list(self._screen_stacks.values()):
            for screen in list(stack):
                relabel = getattr(screen, "relabel", None)
                if callable(relabel):
                    relabel()


def make_app(
    db_path: str | Path,
    *,
    station: str | None = None,
    operator: str | None = None,
    start: str = "scan",
    survey_pass: int = 1,
    stop: str | None = None,
    bus: str | None = None,
    scanner: ScannerSettings | None = None,
    door: Door | None = None,
    notice: str | None = None,
    first_look: FirstLook | None = None,
    settle_heap: bool = False,
) -> CheckinApp:
    """Build the app for an event file (the file is opened by workers, never at import time;
    or by `checkin run`, which hands its opened `door` to the scan screen)."""
    return CheckinApp(
        Path(db_path), station=station, operator=operator, start=start, survey_pass=survey_pass, stop=stop,
        bus=bus, scanner=scanner, door=door, notice=notice, first_look=first_look, settle_heap=settle_heap,
    )  # fmt: skip


def _invitation_begun(text: str) -> bool:
    from checkin.tokens import begins_token  # loaded with the door: not before the first paint

    return begins_token(text)


def _form_barcode(text: str) -> bool:
    from checkin.errors import CheckinError
    from checkin.survey import parse_form

    try:
        parse_form(text)
    except CheckinError:
        return False
    return True
