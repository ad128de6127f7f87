"""The Textual application: one factory, used by the CLI and the tests alike."""

from __future__ import annotations

from pathlib import Path

from textual.screen import ModalScreen, Screen

from checkin.i18n import current_language, set_language, tr
from screens.bindings import bind, localise_bindings
from screens.commands import DeskCommands
from screens.dialogs import OperatorDialog
from screens.scanner import ScannerApp, ScannerSettings, ScanReceiver

MODES_ORDER = ("scan", "people", "board", "calls")


class CheckinApp(ScannerApp):
    """开放日签到台: the scan screen at the door, plus people, board and call list.

    Scanner bursts are recognised here, for every screen and dialog (screens/scanner.py).
    """

    CSS_PATH = "app.tcss"
    COMMANDS = ScannerApp.COMMANDS | {DeskCommands}
    BINDINGS = [
        bind("f2", "switch_mode('scan')", "mode_scan"),
        bind("f3", "switch_mode('people')", "mode_people"),
        bind("f4", "switch_mode('board')", "mode_board"),
        bind("f5", "switch_mode('calls')", "mode_calls"),
        bind("f9", "switch_mode('survey')", "mode_survey"),
        bind("f10", "switch_mode('results')", "mode_results"),
        bind("f11", "switch_mode('ledger')", "mode_ledger"),
        bind("f12", "switch_mode('review')", "mode_review"),
        bind("f1", "switch_mode('rollcall')", "mode_rollcall"),
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
    ) -> None:
        super().__init__(scanner=scanner)
        self.modes_open = False
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

    def on_mount(self) -> None:
        localise_bindings(self)
        if self.start in ("scan", "survey", "rollcall") and not self.operator:
            self.push_screen(OperatorDialog(), self._operator_chosen)
        else:
            self._open_modes()

    def _operator_chosen(self, name: str | None) -> None:
        self.operator = name or "?"
        self._open_modes()

    def _open_modes(self) -> None:
        """Each screen's module is imported the first time it is opened: a quick start at the door."""
        self.add_mode("scan", self._scan_screen)
        self.add_mode("people", self._people_screen)
        self.add_mode("board", self._board_screen)
        self.add_mode("calls", self._calls_screen)
        self.add_mode("review", self._review_screen)
        self.add_mode("survey", self._survey_screen)
        self.add_mode("results", self._results_screen)
        self.add_mode("ledger", self._ledger_screen)
        self.add_mode("rollcall", self._rollcall_screen)
        self.modes_open = True
        self.switch_mode(self.start)

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

    def _scan_screen(self) -> Screen[None]:
        from screens.scan import ScanScreen

        return ScanScreen(self.db_path, self.station, self.operator or "?")

    def _people_screen(self) -> Screen[None]:
        from screens.overview import OverviewScreen

        return OverviewScreen(self.db_path)

    def _board_screen(self) -> Screen[None]:
        from screens.board import BoardScreen

        return BoardScreen(self.db_path)

    def _calls_screen(self) -> Screen[None]:
        from screens.calls import CallsScreen

        return CallsScreen(self.db_path)

    def _review_screen(self) -> Screen[None]:
        from screens.review import ReviewScreen

        return ReviewScreen(self.db_path, self.operator or "office")

    def _survey_screen(self) -> Screen[None]:
        from screens.survey import SurveyEntryScreen

        return SurveyEntryScreen(self.db_path, self.survey_pass, self.operator or "?")

    def _ledger_screen(self) -> Screen[None]:
        from screens.ledger import LedgerScreen

        return LedgerScreen(self.db_path, self.operator or "office")

    def _results_screen(self) -> Screen[None]:
        from screens.survey import ResultsScreen

        return ResultsScreen(self.db_path, self.operator or "?")

    def _rollcall_screen(self) -> Screen[None]:
        from screens.rollcall import RollCallScreen

        return RollCallScreen(self.db_path, self.station, self.operator or "?", self.stop, self.bus)

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() == "zh" else "zh")
        self.title = tr("app.title")
        localise_bindings(self)
        relabel = getattr(self.screen, "relabel", None)
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
) -> CheckinApp:
    """Build the app for an event file (the file is opened by workers, never at import time)."""
    return CheckinApp(
        Path(db_path), station=station, operator=operator, start=start, survey_pass=survey_pass, stop=stop,
        bus=bus, scanner=scanner,
    )  # fmt: skip


def _form_barcode(text: str) -> bool:
    from checkin.errors import CheckinError
    from checkin.survey import parse_form

    try:
        parse_form(text)
    except CheckinError:
        return False
    return True
