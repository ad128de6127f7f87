"""Roll call (点名) on the bus or at a stop: who is expected, who is here, who is missing.

Scanning an invitation or an ID card, picking a name with the look-up (/), or Space / Enter
on the list marks a person present; F6 marks them as having left the visit (with a reason);
F7 checks before leaving — "all 18 aboard" or "2 missing: 张三、李四" — and records the
departure (leaving with people missing asks first, then is recorded); F8 changes the stop
or the bus. The schedule line says where the visit is against the plan.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from checkin.clock import SYSTEM_CLOCK, Clock
from checkin.i18n import tr
from checkin.itinerary import LEAVE_REASONS
from checkin.rollcall import Departure, MarkResult, RollCall, RollStatus, Schedule, schedule
from checkin.tokens import TOKEN_CHARS
from screens.base import DeskDialog, DeskScreen
from screens.bindings import DeskFooter, bind
from screens.dialogs import ConfirmDialog, LookupDialog
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk

SILENCE_SECONDS = 0.1  # scanners that send no terminator: end the scan after this pause
REFRESH_SECONDS = 5  # other laptops may write to the same file
PANEL_CLASSES = ("-ok", "-missing", "-left", "-idle", "-error")
T = TypeVar("T")


class RollInput(Input):
    """Where the scanner types on the roll-call screen; Down moves to the list."""

    BINDINGS = [bind("down", "screen.to_list", "rollcall_to_list", show=False)]


class LeaveDialog(DeskDialog[str | None]):
    """Why someone leaves the visit: 1 went home, 2 unwell, 3 other; Escape cancels."""

    BINDINGS = [
        bind("1", "choose('went_home')", "leave_home"),
        bind("2", "choose('unwell')", "leave_unwell"),
        bind("3", "choose('other')", "leave_other"),
        bind("escape", "choose('')", "cancel"),
    ]

    def __init__(self, who: str) -> None:
        super().__init__()
        self.who = who

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(tr("app.visit.leave_title", who=self.who), classes="dialog-question", markup=False)
            for n, reason in enumerate(LEAVE_REASONS, start=1):
                yield Static(f"{n}  {tr(f'visit.reason.{reason}')}", markup=False)
            yield Static(tr("app.visit.leave_hint"), classes="dialog-hint", markup=False)

    def action_choose(self, reason: str) -> None:
        self.dismiss(reason or None)


class PlaceDialog(DeskDialog[tuple[str, str | None] | None]):
    """Choose the stop and the bus (or all buses) for the roll call."""

    BINDINGS = [bind("escape", "cancel", "cancel")]

    def __init__(self, stops: list[str], buses: list[str], current: tuple[str, str | None]) -> None:
        super().__init__()
        self.stops = stops
        self.buses = buses
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog tall"):
            yield Static(tr("app.visit.place_title"), classes="dialog-question", markup=False)
            yield PlainTable(id="places", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#places", DataTable)
        table.add_column(tr("app.visit.col_stop"), key="stop")
        table.add_column(tr("app.visit.col_bus"), key="bus")
        row = 0
        for stop in self.stops:
            for bus in [None, *self.buses]:
                table.add_row(stop, bus or tr("visit.whole_stop"), key=f"{stop}\x00{bus or ''}")
                if (stop, bus) == self.current:
                    table.move_cursor(row=row)
                row += 1
        table.focus()

    @on(DataTable.RowSelected, "#places")
    def _picked(self, event: DataTable.RowSelected) -> None:
        stop, _, bus = str(event.row_key.value).partition("\x00")
        self.dismiss((stop, bus or None))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RollCallScreen(DeskScreen):
    """The bus leader's screen: expected people, who is here, missing with phones, departure."""

    CSS_PATH = "rollcall.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("slash", "lookup", "lookup", priority=True),
        bind("space", "mark_selected", "rollcall_present"),
        bind("f6", "leave", "rollcall_left"),
        bind("f7", "depart", "rollcall_depart"),
        bind("f8", "place", "rollcall_place"),
    ]

    def __init__(
        self,
        db_path: Path,
        station: str,
        operator: str,
        stop: str | None = None,
        bus: str | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        """`clock`: the time marks and departures are stamped with and the schedule is read by."""
        super().__init__()
        self.db_path = db_path
        self.clock = clock
        self.station = station
        self.operator = operator
        self.stop = stop
        self.bus = bus
        self.roll: RollCall | None = None
        self.roll_lock = threading.Lock()
        self.silence: Timer | None = None
        self.status: RollStatus | None = None

    @classmethod
    def from_desk(cls, desk: Desk) -> RollCallScreen:
        return cls(desk.db_path, desk.station, desk.operator or "?", desk.stop, desk.bus, desk.clock)

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="visit-place", markup=False)
        yield Static("", id="visit-schedule", markup=False)
        with Horizontal(id="visit-main"):
            with Vertical(id="visit-left"):
                yield Static(tr("app.loading"), id="visit-panel", classes="-idle", markup=False)
                yield Static("", id="visit-counts", markup=False)
            yield PlainTable(id="visit-list", cursor_type="row", zebra_stripes=True)
        box = RollInput(placeholder=tr("app.visit.scan_placeholder"), id="visit-scan", select_on_focus=False)
        box.cursor_blink = not self.still
        yield box
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.query_one("#visit-scan", RollInput).focus()
        self.open_roll()
        self.set_interval(REFRESH_SECONDS, self.refresh_roll)

    def on_unmount(self) -> None:
        with self.roll_lock:  # after the mark in progress, if any, has committed
            if self.roll is not None:
                self.roll.db.close()
                self.roll = None

    # ------------------------------------------------------------ opening and reading

    def open_roll(self) -> None:
        self.run_in_thread(
            self._open_roll, self._opened, group="roll-open", exclusive=True, description="open the roll call"
        )

    def _open_roll(self) -> tuple[str, str | None]:
        from checkin.storage import open_db

        db = open_db(self.db_path, shared=True)  # the screen's connection: closed on unmount
        try:
            with self.roll_lock:
                roll = RollCall(db, self.station, self.operator, clock=self.clock)
                stop, bus = self.stop, self.bus
                if bus is None and roll.station in {b.name for b in roll.buses}:
                    bus = roll.station  # the laptop on bus 2 (station 2号车) calls bus 2's roll
                roll.bus(bus)  # refuse an unknown name now, in words
                if stop is None:  # where this bus (or the visit) is: on the way, the next stop
                    now = schedule(db, roll.event, self.clock.now(), bus)
                    here = now and (now.next if now.state == "on_the_way" else now.current or now.next)
                    stop = (here or roll.stops[0]).name
                roll.stop(stop)
                self.roll = roll
        except BaseException:
            db.close()
            raise
        return stop, bus

    def _opened(self, place: tuple[str, str | None]) -> None:
        self.stop, self.bus = place
        self.refresh_roll()
        self.build_search_index()

    def build_search_index(self) -> None:
        """Pinyin keys for the look-up, on a connection of its own so marking never waits."""
        from checkin.search import ensure_index

        self.run_in_file(ensure_index, group="roll-index", exclusive=True, description="index names")

    def with_roll(
        self,
        fn: Callable[[RollCall, str], T],
        done: Callable[[T], object],
        *,
        group: str,
        exclusive: bool = False,
        description: str = "",
    ) -> None:
        """`fn(roll, stop)` in a worker, after the mark in progress (one roll call, one connection)."""
        stop = self.stop
        if stop is None:
            self.file_failed(tr("app.door_not_ready"))
            return
        self.run_on(
            lambda: self.roll, self.roll_lock, lambda roll: fn(roll, stop), done, group=group,
            exclusive=exclusive, description=description,
        )  # fmt: skip

    def refresh_roll(self) -> None:
        if self.roll is None or self.stop is None:
            return
        bus = self.bus

        def read(roll: RollCall, stop: str) -> tuple[RollStatus, Schedule | None]:
            return roll.status(stop, bus), schedule(roll.db, roll.event, self.clock.now(), bus)

        self.with_roll(read, self._loaded, group="roll-read", exclusive=True, description="read the roll")

    def _loaded(self, loaded: tuple[RollStatus, Schedule | None]) -> None:
        status, plan = loaded
        self.status = status
        bus = status.bus
        # one line each on an 80-column screen: the short, vital parts first (the bus, the
        # leader's phone, minutes behind), the stop's long name and address last, cut if need be
        place = bus.name if bus else tr("visit.whole_stop")
        if bus and (bus.leader or bus.phone):
            place += f" · {tr('app.visit.leader')} {bus.leader} {bus.phone}".rstrip()
        stop = status.stop
        place += " · " + (
            tr("app.visit.stop_at", stop=stop.name, address=stop.address)
            if stop.address
            else tr("app.visit.stop_line", stop=stop.name)
        )
        self.query_one("#visit-place", Static).update(place)
        self.query_one("#visit-schedule", Static).update(
            f"{plan.lag_text()} · {plan.where_text()}" if plan else ""
        )
        self.sub_title = f"{tr('app.bind.mode_rollcall')} · {status.stop.name} · " + (
            bus.name if bus else tr("visit.whole_stop")
        )
        counts = tr(
            "app.visit.counts",
            expected=status.expected,
            present=len(status.present),
            missing=len(status.missing),
            left=len(status.left),
        )
        if status.departed_at:
            counts += "\n" + tr("app.visit.departed_at", at=status.departed_at[11:16])
        self.query_one("#visit-counts", Static).update(counts)
        self._fill(status)
        panel = self.query_one("#visit-panel", Static)
        if panel.has_class("-idle"):
            self._panel(status.departure_text(), "-ok" if not status.missing else "-missing")

    def _fill(self, status: RollStatus) -> None:
        """The list, missing first. The highlight follows the person it was on while their state
        is unchanged (another laptop's mark moves rows under it every refresh, and Space would
        then mark someone else); once they are marked, it stays on the row, so the next person
        slides under it."""
        table = self.query_one("#visit-list", DataTable)
        keep = table.cursor_row
        follow: tuple[str, str] | None = None  # the highlighted person and their state
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            follow = (key, str(table.get_cell(key, "state"))) if key else None
        table.clear()
        for rider in status.missing:
            table.add_row(
                Text(tr("app.visit.missing"), style="bold red"), rider.number, rider.name, rider.phone or "",
                rider.bus or "", key=rider.number,
            )  # fmt: skip
        for rider in status.present:
            table.add_row(
                Text(tr("app.visit.present"), style="green"), rider.number, rider.name, "", rider.bus or "",
                key=rider.number,
            )  # fmt: skip
        for left in status.left:
            table.add_row(
                Text(tr("app.visit.left", reason=tr(f"visit.reason.{left.reason}")), style="yellow"),
                left.number, left.name, "", "", key=f"left:{left.number}",
            )  # fmt: skip
        if table.row_count:
            if follow and follow[0] in table.rows and str(table.get_cell(follow[0], "state")) == follow[1]:
                keep = table.get_row_index(follow[0])
            table.move_cursor(row=min(keep, table.row_count - 1))

    def _panel(self, text: str, cls: str) -> None:
        panel = self.query_one("#visit-panel", Static)
        for name in PANEL_CLASSES:
            panel.remove_class(name)
        panel.add_class(cls)
        panel.update(NamesText(text))

    def file_failed(self, message: str) -> None:
        self.app.bell()
        self._panel(message, "-error")
        self.notify(message, severity="error", timeout=8)

    # ------------------------------------------------------------ scans and keys

    @on(Input.Changed, "#visit-scan")
    def _typing(self, event: Input.Changed) -> None:
        if self.silence is not None:
            self.silence.stop()
        if len(event.value.strip()) >= TOKEN_CHARS:
            self.silence = self.set_timer(SILENCE_SECONDS, self.submit_scan)

    @on(Input.Submitted, "#visit-scan")
    def submit_scan(self) -> None:
        box = self.query_one("#visit-scan", RollInput)
        text = box.value.strip()
        box.value = ""
        if self.silence is not None:
            self.silence.stop()
        # the focus stays here: a scanner that sends Enter twice never marks the highlighted row
        if text:
            self.take_scan(text)

    def take_scan(self, text: str) -> None:
        """A scanned invitation, ID card or typed number (the door's scan input)."""
        self.mark(text=text)

    def receive_scan(self, text: str) -> None:
        """A whole scanner burst, recognised by the app (screens/scanner.py), never as keys."""
        self.take_scan(text)

    def on_key(self, event: events.Key) -> None:
        """A scanner types wherever the focus is: letters and digits go to the scan box."""
        box = self.query_one("#visit-scan", RollInput)
        if self.focused is box or self.app.screen is not self:
            return
        char = event.character or ""
        if len(char) == 1 and char.isascii() and char.isalnum():
            box.focus()
            box.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    def action_to_list(self) -> None:
        self.query_one("#visit-list", DataTable).focus()

    def _selected_number(self) -> str | None:
        table = self.query_one("#visit-list", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key).removeprefix("left:") if key else None

    def action_mark_selected(self) -> None:
        number = self._selected_number()
        if number is None:
            self.app.bell()
            return
        self.mark(number=number, method="key")

    @on(DataTable.RowSelected, "#visit-list")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.mark(number=str(event.row_key.value).removeprefix("left:"), method="key")

    def action_lookup(self) -> None:
        def chosen(number: str | None) -> None:
            self.query_one("#visit-scan", RollInput).focus()
            if number:
                self.mark(number=number, method="lookup")

        self.app.push_screen(LookupDialog(str(self.db_path)), chosen)

    def mark(self, *, text: str = "", number: str = "", method: str = "key") -> None:
        bus = self.bus

        def mark(roll: RollCall, stop: str) -> MarkResult:
            if text:
                return roll.scan(stop, bus, text)
            return roll.mark_present(stop, bus, number, method=method)

        self.with_roll(mark, self._marked, group="roll-write", description="mark present")

    def _marked(self, result: MarkResult) -> None:
        if result.outcome == "already":
            self.app.bell()
        self._panel(result.text(), "-left" if result.outcome == "left" else "-ok")
        self.refresh_roll()

    # ------------------------------------------------------------ leaving the visit

    def action_leave(self) -> None:
        number = self._selected_number()
        status = self.status
        if number is None or status is None:
            self.app.bell()
            return
        names = {r.number: r.name for r in status.present + status.missing}
        if number not in names:
            self.app.bell()
            return

        def chosen(reason: str | None) -> None:
            self.query_one("#visit-list", DataTable).focus()
            if reason:
                self.leave(number, reason)

        self.app.push_screen(LeaveDialog(f"{names[number]} {number}"), chosen)

    def leave(self, number: str, reason: str) -> None:
        bus = self.bus
        self.with_roll(
            lambda roll, stop: roll.leave(stop, bus, number, reason), self._marked, group="roll-write",
            description="left the visit",
        )  # fmt: skip

    # ------------------------------------------------------------ departure

    def action_depart(self) -> None:
        self.depart(False)

    def depart(self, anyway: bool) -> None:
        bus = self.bus
        self.with_roll(
            lambda roll, stop: roll.depart(stop, bus, anyway=anyway), self._departed, group="roll-write",
            description="departure",
        )  # fmt: skip

    def _departed(self, departure: Departure) -> None:
        status = departure.status
        text = status.departure_text()
        if departure.recorded:
            line = tr("app.visit.departed_anyway" if departure.anyway else "app.visit.departed", text=text)
            following = self._next_stop(status.stop.name)
            if following is not None and departure.anyway:  # the missing stay listed, to call
                line += "\n" + tr("app.visit.next_stop_later", stop=following)
            elif following is not None:  # the next roll call is taken there, as they board again
                self.stop = following
                line += "\n" + tr("app.visit.next_stop", stop=following)
            self._panel(line, "-missing" if departure.anyway else "-ok")
            self.refresh_roll()
            return
        self.app.bell()
        self._panel(text, "-missing")

        def answered(yes: bool | None) -> None:
            self.query_one("#visit-scan", RollInput).focus()
            if yes:
                self.depart(True)

        self.app.push_screen(ConfirmDialog(tr("app.visit.leave_anyway", text=text)), answered)

    def _next_stop(self, stop: str) -> str | None:
        names = [s.name for s in self.roll.stops] if self.roll else []
        return names[names.index(stop) + 1] if stop in names[:-1] else None

    # ------------------------------------------------------------ stop and bus

    def action_place(self) -> None:
        roll = self.roll
        if roll is None or self.stop is None:
            self.app.bell()
            return

        def chosen(place: tuple[str, str | None] | None) -> None:
            self.query_one("#visit-scan", RollInput).focus()
            if place:
                self.stop, self.bus = place
                self._panel(tr("app.loading"), "-idle")
                self.refresh_roll()

        stops = [s.name for s in roll.stops]
        buses = [b.name for b in roll.buses]
        self.app.push_screen(PlaceDialog(stops, buses, (self.stop, self.bus)), chosen)

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#visit-scan", RollInput).placeholder = tr("app.visit.scan_placeholder")
        self._columns()
        self.refresh_roll()

    def _columns(self) -> None:
        """The list's headings, in the language of now (again after 中/EN)."""
        table = self.query_one("#visit-list", DataTable)
        table.clear(columns=True)
        for key in ("state", "number", "name", "phone", "bus"):
            table.add_column(tr(f"app.visit.col_{key}"), key=key)


_BREAK_AFTER = re.compile(r"[^、，,：:；;\s]*[、，,：:；;\s]*")


class NamesText:
    """Centred bold text whose lines break only after 、，,：; or a space: "缺32人：罗华、许志然、…"
    never cuts a name in two (Rich breaks Chinese anywhere: 解|晨 read as two people)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width)
        lines: list[str] = []
        for paragraph in self.text.split("\n"):
            line = ""
            for token in _BREAK_AFTER.findall(paragraph):
                if line and cell_len((line + token).rstrip()) > width:
                    lines.append(line.rstrip())
                    line = token.lstrip()
                else:
                    line += token
            lines.append(line.rstrip())
        yield Text("\n".join(lines), justify="center", style="bold")
