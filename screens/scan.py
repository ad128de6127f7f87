"""The scan screen: the heart of the desk, for a volunteer with a queue in front of them.

Scans reach this screen whole, through `receive_scan` (see screens/scanner.py), never as
keys. The rules, also in the README:

- one guest at a time: while a guest's check form is open, the same code again is
  ignored; a different code keeps the current guest pending, rings the bell and waits in
  line (it is judged as soon as the current guest is done or Esc cancels them);
- an ID-card read while the form asks for the ID card answers it, when it is that
  guest's card;
- the same code again within `REPEAT_SECONDS` of its verdict is one scan; Esc resets that.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from checkin.categories import category_label
from checkin.clock import SYSTEM_CLOCK, Clock
from checkin.errors import CheckinError
from checkin.i18n import LANGUAGES, tr
from checkin.vocab import Reason, VerdictKind
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind
from screens.check_form import CheckFormWidget
from screens.scanner import scanner_could_type

T = TypeVar("T")

if TYPE_CHECKING:
    from checkin.door import Door, Resolved, Verdict
    from checkin.doorstart import FirstLook
    from screens.dialogs import SupervisorAnswer, WalkInAnswer
    from screens.modes import Desk
    from screens.plain import PlainTable

REPEAT_SECONDS = 3.0  # scanners that read twice: the same code again within this is one scan
RECENT = 20
VERDICTS = tuple(VerdictKind)
PANEL_CLASSES = (*(f"-{v}" for v in VerdictKind), "-idle", "-unsaved")
ICONS = {
    VerdictKind.ADMITTED: "✔",
    VerdictKind.ALREADY: "●",
    VerdictKind.REFUSED: "✗",
    VerdictKind.NEEDS_CHECKS: "?",
}
STYLES: dict[str, str] = {
    VerdictKind.ADMITTED: "green",
    VerdictKind.ALREADY: "yellow",
    VerdictKind.REFUSED: "red",
    VerdictKind.NEEDS_CHECKS: "blue",
}


class ScanInput(Input):
    """Where a volunteer types a number (A009) or an ID number; scans never land here."""


@dataclass
class Pending:
    """The guest whose check form is open."""

    number: str
    code: str
    presets: dict[str, str] = field(default_factory=dict, repr=False)
    method: str = "lookup"  # how they were found: the admission records it, with the invitation
    token: tuple[int, int, int] | None = field(default=None, repr=False)


class ScanScreen(DeskScreen):
    """Scan → verdict panel (green/yellow/red/blue) → last 20 scans; checks in place."""

    CSS_PATH = "scan.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("slash", "lookup", "lookup", priority=True),
        bind("tab", "submit_scan", "submit_scan", show=False, priority=True),
        bind("escape", "reset", "reset_scan", show=False),
        bind("f6", "walk_in", "walk_in"),
        bind("f7", "annul", "annul"),
        bind("f8", "override", "override"),
    ]

    def __init__(
        self,
        db_path: Path,
        station: str,
        operator: str,
        door: Door | None = None,
        clock: Clock = SYSTEM_CLOCK,
        first_look: FirstLook | None = None,
    ) -> None:
        """`door`: the door `checkin run` opened already, checking the file before the screen
        opened (the screen then shows the event at once, without opening the file again);
        the screen owns it from here and closes it. `clock`: the time of a door it opens itself.
        `first_look`: what `checkin run` read for the status line without opening the door
        (checkin/doorstart.py): shown on the first paint, the door opened just after it; scans
        taken before then wait in line and are judged, in order, once it is open."""
        super().__init__()
        self.first_look = first_look
        self.clock = clock
        self.db_path = db_path
        self.station = station
        self.operator = operator
        self.door: Door | None = door
        self.door_lock = threading.Lock()
        self.last_code = ""
        self.last_at = 0.0
        self.current: Pending | None = None
        self.waiting: deque[str] = deque()
        # a verdict stays on the panel while scans wait behind it, until the volunteer moves on
        # (Enter, or a new scan): the next guest's panel never hides the one before it
        self.holding = False
        # scans that came once a guest's check form was done, while its answers were being
        # judged (tens of ms): they did not wait behind the form, so they do not hold its verdict
        self.after_form: list[str] = []
        self.in_flight = False
        self.last_verdict: Verdict | None = None
        self.latencies: list[float] = []
        self.recent_narrow = False  # the recent list's times without seconds (a narrow terminal)

    @classmethod
    def from_desk(cls, desk: Desk) -> ScanScreen:
        door = desk.take_door()
        look = desk.take_first_look() if door is None else None
        return cls(desk.db_path, desk.station, desk.operator or "?", door, desk.clock, look)

    def compose(self) -> ComposeResult:
        door = self.door
        yield self.header()
        look = self.first_look
        status = door.status() if door is not None else (look.status() if look is not None else "")
        yield Static(status, id="door-status", markup=False)
        with Horizontal(id="door-main"):
            with Vertical(id="door-left"):
                yield Static(tr("app.ready_to_scan"), id="verdict", classes="-idle", markup=False)
                yield Static("", id="queue-note", markup=False)
                if door is not None:  # opened already: the form is there from the first paint
                    yield _new_form(door)
                else:
                    yield Static("", id="form-holder", markup=False)
            if self.door is None and look is not None:
                # its place only: the table (empty until the door opens) comes after the first frame
                yield Static("", id="recent-slot", markup=False)
            else:
                yield _recent_table()
        scan_box = ScanInput(placeholder=tr("app.scan_placeholder"), id="scan", select_on_focus=False)
        scan_box.cursor_blink = not self.still
        yield scan_box
        yield DeskFooter()

    def on_mount(self) -> None:
        self.sub_title = f"{self.station} · {self.operator}"
        self.query_one("#queue-note", Static).display = False
        self.query_one("#scan", ScanInput).focus()
        if self.door is None and self.first_look is not None:
            # the event is on screen already; the recent scans' table, the door's imports and
            # its keys come just after the first frame
            after_first_frame = getattr(self.app, "after_first_frame", self.call_after_refresh)
            after_first_frame(lambda: self.call_later(self._after_first_frame))
            return
        _add_recent_columns(self._recent())
        self.call_after_refresh(self.fit_recent)
        if self.door is None:
            self.open_door()
        else:
            self.refresh_recent()
            self.call_after_refresh(self.build_search_index)  # look-up keys: after the first paint

    async def _after_first_frame(self) -> None:
        self.open_door()  # first: its imports run in a worker while the table is mounted here
        slot = self.query("#recent-slot")
        if slot:
            table = _recent_table()
            await self.query_one("#door-main", Horizontal).mount(table, after=slot.first())
            await slot.remove()
            _add_recent_columns(table)
            self.call_after_refresh(self.fit_recent)

    def on_unmount(self) -> None:
        with self.door_lock:  # after the scan in progress, if any, has committed
            if self.door is not None:
                self.door.db.close()
                self.door = None

    # ------------------------------------------------------------ opening

    def open_door(self) -> None:
        failed = self._failed if self.first_look is None else self._could_not_open
        self.run_in_thread(
            self._open_door, self._ready, failed=failed, group="door-open", exclusive=True,
            description="open the door",
        )  # fmt: skip

    def _could_not_open(self, message: str) -> None:
        """The file refused the full opening `checkin run` left until after the first paint
        (a newer program's file, a busy or read-only file that needed upgrading): the program
        ends with the message, as `checkin run` says it before the screen opens; the scans
        that waited were not judged and nothing was recorded."""
        self.app.exit(return_code=2, message=Text(tr("cli.error", message=message)))

    def _open_door(self) -> None:
        from checkin.door import Door
        from checkin.storage import open_db

        db = open_db(self.db_path, shared=True)  # the desk's connection: closed on unmount
        try:
            with self.door_lock:
                self.door = Door(db, self.station, self.operator, clock=self.clock)
        except BaseException:
            db.close()
            raise

    def build_search_index(self) -> None:
        """Pinyin keys for look-up, on a connection of its own so scanning never waits."""
        from checkin.search import ensure_index

        self.run_in_file(
            ensure_index, self._indexed, failed=self._failed, group="door-index", exclusive=True,
            description="index names",
        )  # fmt: skip

    def _indexed(self, _: int) -> None:
        settle_heap = getattr(self.app, "settle_heap", None)
        if settle_heap is not None:
            settle_heap()  # the look-up's keys (and pinyin's tables, when it had to) set aside too

    def with_door(
        self,
        fn: Callable[[Door], T],
        done: Callable[[T], object],
        *,
        failed: Callable[[str], None] | None = None,
        group: str = "door",
        exclusive: bool = False,
        description: str = "",
    ) -> None:
        """`fn(door)` in a worker, after the scan in progress (one door, one connection)."""
        self.run_on(
            lambda: self.door, self.door_lock, fn, done, failed=failed or self._failed, group=group,
            exclusive=exclusive, description=description,
        )  # fmt: skip

    def _ready(self, _: None) -> None:
        assert self.door is not None
        settle_heap = getattr(self.app, "settle_heap", None)
        if settle_heap is not None:
            settle_heap()  # the door's objects (sqlite-utils, the keys) set aside as well
        self.query_one("#form-holder", Static).remove()
        self.query_one("#door-left", Vertical).mount(_new_form(self.door))
        self.refresh_status()
        self.refresh_recent()
        self._next_waiting()
        self.build_search_index()

    def _failed(self, message: str) -> None:
        self.in_flight = False
        self.after_form = []  # the form asks again: the scans that came meanwhile wait behind it
        self.app.bell()
        self.notify(message, severity="error", timeout=8)
        self.show_unsaved(message)
        self.last_code, self.last_at = "", 0.0  # nothing was recorded: the same code again is judged
        form = self._form()
        if self.current is not None and form is not None and form.display and form.form.complete:
            form.retry()  # the guest's answers were not saved: Enter tries again, Esc cancels
            form.focus()
        self._next_waiting()

    # ------------------------------------------------------------ scans and typed numbers

    @on(Input.Submitted, "#scan")
    def _submitted(self) -> None:
        self.action_submit_scan()

    def action_submit_scan(self) -> None:
        """What the volunteer typed in the box (a number, an ID number): taken like a scan."""
        scan_input = self.query_one("#scan", ScanInput)
        text = scan_input.value
        scan_input.value = ""
        if text.strip() and not scanner_could_type(text.strip()):
            # a name typed in the box (周伟丽): no code, the look-up finds them — it was
            # refused as "not an invitation" and recorded as a refused scan
            self.action_lookup(text.strip())
        elif text.strip():
            self.receive_scan(text)
        elif self.holding:
            self._move_on()  # Enter: the next guest who scanned meanwhile

    def receive_scan(self, text: str) -> None:
        """One whole scan (or typed entry), whatever had the focus when it arrived."""
        if self.door is None:
            if text.strip():
                self.waiting.append(text)  # judged in turn once the door is open
            return
        code = _normal(text)
        if not code:
            return
        if self.holding:
            if self._repeat(code):
                return  # the guest on the panel, read twice
            if not any(_normal(t) == code for t in self.waiting):
                self.waiting.append(text)
            self._move_on()  # a new scan: the volunteer has moved on
            return
        if self.in_flight or self._form() is None:
            self.waiting.append(text)  # judged in turn once the verdict in hand is shown
            if self.in_flight and self.current is not None:
                self.after_form.append(text)  # the form is done, its answers being judged
            return
        if self.current is not None:
            if code == self.current.code:
                return  # the same code again while its form is open
            self.classify(text, self.current.number)
            return
        now = time.monotonic()
        if code == self.last_code and now - self.last_at < REPEAT_SECONDS:
            return  # the scanner read the same code twice
        self.last_code, self.last_at = code, now
        self._start(text, now)

    def _start(self, text: str, started: float) -> None:
        self.in_flight = True
        self._leave_form()
        self.judge(text, None, started)

    def _repeat(self, code: str) -> bool:
        """The same code as the one on screen, or as the last judged within the window."""
        if self.current is not None and code == self.current.code:
            return True
        return code == self.last_code and time.monotonic() - self.last_at < REPEAT_SECONDS

    def _hold(self, text: str) -> None:
        """A different code while a guest is being checked: they stay pending; this one waits."""
        code = _normal(text)
        if any(_normal(t) == code for t in self.waiting):
            return  # the scanner read the waiting code twice
        self.waiting.append(text)
        self.app.bell()
        assert self.current is not None
        self._show_queue_note()

    def _show_queue_note(self) -> None:
        note = self.query_one("#queue-note", Static)
        if self.waiting and self.current is not None:
            note.update(
                Text(tr("app.finish_first", number=self.current.number, waiting=len(self.waiting)), "bold")
            )
            note.display = True
        elif self.waiting and self.holding:
            note.update(Text(tr("app.next_waiting", waiting=len(self.waiting)), "bold"))
            note.display = True
        else:
            note.display = False

    def _after_verdict(self, checked: bool) -> None:
        """A verdict is on the panel. When it ends a guest's check form (`checked`) and other
        guests scanned while that form was open, it stays until the volunteer moves on
        (Enter or a new scan): the next guest's panel never hides it. Else the next is
        judged at once — also a scan that came after the form was done, while its answers
        were being judged: a moment later it would have found the form done and been
        judged at once (the tmux simulator stalled on that race)."""
        # the same code read twice while it was judged is the same scan, not someone waiting
        self.waiting = deque(t for t in self.waiting if not self._repeat(_normal(t)))
        after, self.after_form = self.after_form, []
        waited = any(t not in after for t in self.waiting)
        if checked and waited and self.current is None and not self.in_flight:
            self.holding = True
            self._show_queue_note()
        else:
            self._next_waiting()

    def _move_on(self) -> None:
        self.holding = False
        self._show_queue_note()
        self._next_waiting()

    def _next_waiting(self) -> None:
        if self.door is None or self.in_flight or self.current is not None or self.holding:
            return
        while self.waiting:
            text = self.waiting.popleft()
            self.receive_scan(text)
            if self.in_flight or self.current is not None:
                break
        self._show_queue_note()

    def action_reset(self) -> None:
        """Esc: a fresh start for the same code (a guest sent back and scanned again)."""
        self.last_code, self.last_at = "", 0.0
        self.query_one("#scan", ScanInput).value = ""

    # ------------------------------------------------------------ judging (worker)

    def judge(
        self,
        text: str,
        answers: dict[str, str] | None,
        started: float,
        number: str = "",
        pending: Pending | None = None,
    ) -> None:
        """Runs the core off the event loop; the verdict is committed before it comes back."""

        def judge(door: Door) -> Verdict:
            if pending is not None:  # the check form's answers, for the guest it was opened for
                return door.judge(pending.number, answers, method=pending.method, token=pending.token)
            return door.judge(number, answers, method="lookup") if number else door.scan(text, answers)

        self.with_door(judge, partial(self._judged, text, started), description="judge a scan")

    def classify(self, text: str, pending: str) -> None:
        """Whose code is this? (no verdict is recorded: the current guest comes first)"""

        def classify(door: Door) -> Resolved:
            from checkin.door import Resolved, find_id_number

            try:
                resolved = door.resolve(text)
            except CheckinError:
                resolved = Resolved(None, "scan", Reason.NOT_TOKEN)
            if resolved.id_number is None:
                # an ID number of someone else (or no one): still offered to the form's ID check
                found = find_id_number(text)
                if found and resolved.number is None:
                    resolved = Resolved(None, "idcard", resolved.reason, id_number=found)
            return resolved

        self.with_door(
            classify,
            partial(self._classified, text, pending),
            failed=_quiet,
            description="read a scan mid-form",
        )

    def _classified(self, text: str, pending: str, resolved: Resolved) -> None:
        current = self.current
        if current is None or current.number != pending:
            # the form closed meanwhile: judge it in turn, unless it is a double read
            if not self._repeat(_normal(text)):
                self.waiting.appendleft(text)
            self._next_waiting()
            return
        if resolved.reason == Reason.TWO_ID_NUMBERS:
            # two people's numbers in one read: it answers nothing and waits for no one
            self.app.bell()
            self.notify(tr("verdict.two_id_numbers"), severity="error")
            return
        if resolved.number == current.number:
            form = self.query_one(CheckFormWidget)
            if resolved.id_number and form.asks("id_card"):
                form.answer_with_card("id_card", resolved.id_number)
            return  # the same guest's other code: nothing changes
        self._hold(text)

    def _judged(self, text: str, started: float, verdict: Verdict) -> None:
        # the verdict of the guest whose check form was open (their answers, judged)
        checked = self.current is not None and verdict.verdict != VerdictKind.NEEDS_CHECKS
        self.in_flight = False
        self.last_verdict = verdict
        self.show_verdict(verdict)
        self.latencies.append(time.monotonic() - started)
        if verdict.verdict != VerdictKind.ADMITTED:
            self.app.bell()
        if verdict.verdict == VerdictKind.NEEDS_CHECKS and verdict.invitee:
            code = _normal(text) or verdict.invitee.number
            self.current = Pending(
                verdict.invitee.number, code, dict(verdict.presets), verdict.method or "lookup", verdict.token
            )
            self.show_form(f"{verdict.invitee.name} {verdict.invitee.number}", verdict.presets)
            # a second read of this code that came while it was judged is the same scan
            before = len(self.waiting)
            self.waiting = deque(t for t in self.waiting if _normal(t) != code)
            if self.waiting and len(self.waiting) == before:
                self.app.bell()
        else:
            self.current = None
            form = self._form()
            if form is not None and form.display:
                form.finish(verdict)  # the answers stay in view, a failed one marked ✗
            self.query_one("#scan", ScanInput).focus()
        self.refresh_status()
        self.refresh_recent()
        self._show_queue_note()
        self._after_verdict(checked)

    def show_unsaved(self, message: str) -> None:
        """The file refused the write (in use, disk full, read-only): the panel says so until
        the next verdict — never the previous guest's green left standing (a pop-up alone is
        gone in seconds, and a volunteer reads the panel)."""
        panel = self.query_one("#verdict", Static)
        for cls in PANEL_CLASSES:
            panel.remove_class(cls)
        panel.add_class("-unsaved")
        text = Text(justify="center")
        text.append(f"⚠  {tr('app.not_recorded')}\n", style="bold")
        text.append(f"{message}\n")
        panel.update(text)

    def show_verdict(self, verdict: Verdict) -> None:
        panel = self.query_one("#verdict", Static)
        for cls in PANEL_CLASSES:
            panel.remove_class(cls)
        panel.add_class(f"-{verdict.verdict}")
        text = Text(justify="center")
        icon = ICONS[verdict.verdict]
        text.append(f"{icon}  {tr('verdict.' + verdict.verdict)}\n", style="bold")
        if verdict.invitee:
            person = verdict.invitee
            text.append(f"{person.name}\n", style="bold")
            text.append(f"{category_label(person.category)}   {person.number}   {person.id_masked}\n")
        if verdict.first_seen:
            text.append(
                tr("door.first_seen", at=verdict.first_seen.at[11:19], station=verdict.first_seen.station)
                + "\n"
            )
        elif verdict.reason_text():
            text.append((verdict.reason_text() or "") + "\n", style="bold")
        panel.update(text)

    # ------------------------------------------------------------ entry checks

    def _refocus(self) -> None:
        """The check form keeps the focus while a guest is being checked; else the scan box."""
        form = self._form()
        if self.current is not None and form is not None and form.display:
            form.focus()
        else:
            self.query_one("#scan", ScanInput).focus()

    def on_screen_resume(self) -> None:
        self._refocus()

    def _form(self) -> CheckFormWidget | None:
        forms = self.query(CheckFormWidget)
        return forms.first() if forms else None

    def show_form(self, who: str, presets: dict[str, str]) -> None:
        form = self._form()
        if form is None:
            return
        form.start(who, presets)
        form.display = True
        self.add_class("-checking")
        form.focus()

    def _leave_form(self) -> None:
        for form in self.query(CheckFormWidget):
            form.display = False
        self.remove_class("-checking")
        self.query_one("#scan", ScanInput).focus()

    @on(CheckFormWidget.Completed)
    def _checks_done(self, message: CheckFormWidget.Completed) -> None:
        current = self.current
        if current is None:
            return
        answers = {**message.answers}
        self.in_flight = True
        self.query_one("#scan", ScanInput).focus()
        self.judge("", answers, time.monotonic(), pending=current)

    @on(CheckFormWidget.Cancelled)
    def _checks_cancelled(self) -> None:
        self.current = None
        self._leave_form()
        self.action_reset()
        panel = self.query_one("#verdict", Static)
        for cls in PANEL_CLASSES:
            panel.remove_class(cls)
        panel.add_class("-idle")
        panel.update(tr("app.ready_to_scan"))
        self._show_queue_note()
        self._next_waiting()

    # ------------------------------------------------------------ status and recent scans

    def refresh_status(self) -> None:
        if self.door is None:
            return

        self.with_door(
            _status_of, self.query_one("#door-status", Static).update, failed=_quiet, group="door-status",
            exclusive=True, description="refresh the status",
        )  # fmt: skip

    def _recent(self) -> PlainTable:
        from screens.plain import PlainTable

        return self.query_one("#recent", PlainTable)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_recent)

    def fit_recent(self) -> None:
        """Every column of the recent list whole: on a narrow terminal (80×24) the time loses
        its seconds, on a wide one it has them again."""
        if not self.query("#recent"):
            return
        table = self._recent()
        if not table.content_region.width:
            return  # not laid out yet
        narrow = _recent_is_narrow(table)
        if narrow == self.recent_narrow:
            return
        self.recent_narrow = narrow
        table.clear(columns=True)
        _add_recent_columns(table, narrow)
        self.refresh_recent()

    def refresh_recent(self) -> None:
        if self.door is None:
            return
        self.with_door(
            lambda door: door.recent_scans(RECENT), self._show_recent, failed=_quiet, group="door-recent",
            exclusive=True, description="recent scans",
        )  # fmt: skip

    def _show_recent(self, rows: list[dict[str, object]]) -> None:
        table = self._recent()
        table.clear()
        for row in rows:
            verdict = str(row["verdict"])
            label = _recent_word(verdict)
            if row.get("annulled"):
                verdict, label = "annulled", tr("app.annulled_short")
            table.add_row(
                str(row["at"])[11 : 16 if self.recent_narrow else 19],
                Text(label, style=STYLES.get(verdict, "dim strike")),
                str(row["name"] or ""),
                str(row["number"] or ""),
            )

    # ------------------------------------------------------------ look-up, walk-ins, supervisor

    def action_lookup(self, query: str = "") -> None:
        from screens.dialogs import LookupDialog  # the dialogs: imported on first use, not at start

        def chosen(number: str | None) -> None:
            self._refocus()
            if number:
                self.receive_scan(number)

        self.app.push_screen(LookupDialog(str(self.db_path), query), chosen)

    def action_walk_in(self) -> None:
        from screens.dialogs import WalkInDialog

        def registered(answer: WalkInAnswer | None) -> None:
            self._refocus()
            if answer:
                self.register_walk_in(answer)

        categories = (
            [(c.label(), c.code) for c in self.door.event.category_list()] if self.door is not None else None
        )
        self.app.push_screen(WalkInDialog(categories), registered)

    def register_walk_in(self, answer: WalkInAnswer) -> None:
        def register(door: Door) -> Verdict:
            # registered and admitted in one write: another desk cannot take the same last place
            return door.admit_walk_in(
                answer.name, answer.id_number, answer.phone, answer.category, answer.pin
            )

        self.with_door(
            register, partial(self._judged, "", time.monotonic()), description="register a walk-in"
        )

    def _supervisor(self, title_key: str, action: str) -> None:
        from screens.dialogs import SupervisorDialog

        target = self.last_verdict.invitee if self.last_verdict else None
        if target is None:
            self.app.bell()
            self.notify(tr("app.no_target"), severity="warning")
            return

        def answered(answer: SupervisorAnswer | None) -> None:
            self._refocus()
            if answer and target:
                self.supervise(action, target.number, answer)

        self.app.push_screen(
            SupervisorDialog(tr(title_key, number=target.number, name=target.name)), answered
        )

    def action_annul(self) -> None:
        self._supervisor("app.annul_title", "annul")

    def action_override(self) -> None:
        self._supervisor("app.override_title", "override")

    def supervise(self, action: str, number: str, answer: SupervisorAnswer) -> None:
        def supervise(door: Door) -> Verdict | None:
            if action == "annul":
                door.annul(number, answer.reason, answer.pin)
                return None
            return door.override(number, answer.reason, answer.pin)

        def done(verdict: Verdict | None) -> None:
            if verdict is None:
                self._annulled(number)
            else:
                self._judged("", time.monotonic(), verdict)

        self.with_door(supervise, done, description="supervisor action")

    def _annulled(self, number: str) -> None:
        """The panel and the recent list say so at once: that guest is no longer inside."""
        self.notify(tr("app.annulled", number=number))
        panel = self.query_one("#verdict", Static)
        for cls in PANEL_CLASSES:
            panel.remove_class(cls)
        panel.add_class("-idle")
        panel.update(Text(tr("app.annulled_panel", number=number), justify="center", style="bold"))
        self.last_verdict = None
        self.last_code, self.last_at = "", 0.0
        form = self._form()
        if form is not None and self.current is None:
            form.display = False
            self.remove_class("-checking")
        self.refresh_status()
        self.refresh_recent()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("annul", "override") and self.last_verdict is None:
            return None  # shown disabled until there is someone to act on
        return True

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#scan", ScanInput).placeholder = tr("app.scan_placeholder")
        if self.query("#recent"):  # not mounted yet: it is made in the language of then
            # headings, and widths fitted to this language's words (English ones were cut)
            table = self._recent()
            table.clear(columns=True)
            _add_recent_columns(table, self.recent_narrow)
            self.fit_recent()  # the other language's words may be wider
        panel = self.query_one("#verdict", Static)
        if panel.content in [tr("app.ready_to_scan", lang) for lang in LANGUAGES]:
            panel.update(tr("app.ready_to_scan"))  # waiting for a scan: said in the new language
        self.refresh_status()
        self.refresh_recent()


def _quiet(message: str) -> None:
    """A refresh that could not read the file: the next scan says why, in the panel."""


def _status_of(door: Door) -> str:
    return door.status()


def _normal(text: str) -> str:
    """A scan's code as compared with another (full-width to ASCII, blanks dropped, upper case)."""
    from checkin.door import normalise_scan  # loaded with the door, before any scan is compared

    return normalise_scan(text).upper()


def _recent_table() -> PlainTable:
    from screens.plain import PlainTable  # Textual's DataTable: imported for the table, after the first frame

    return PlainTable(id="recent", cursor_type="row", zebra_stripes=True)


_RECENT_WORDS = {  # the recent list's short words (the panel says it in full)
    VerdictKind.ADMITTED: "app.recent.admitted",
    VerdictKind.ALREADY: "app.recent.already",
    VerdictKind.REFUSED: "app.recent.refused",
    VerdictKind.NEEDS_CHECKS: "app.recent.needs_checks",
}


def _recent_word(verdict: str) -> str:
    return tr(_RECENT_WORDS[VerdictKind(verdict)])


def _recent_columns(narrow: bool) -> list[tuple[str, str, list[str]]]:
    """(key, heading, widest values) of the recent list; narrow: the time without its seconds."""
    return [
        # the verdict beside the time: on a narrow terminal the last column is the one cut
        ("time", tr("app.col.time"), ["00:00" if narrow else "00:00:00"]),
        ("verdict", tr("app.col.verdict"), [*(_recent_word(v) for v in VERDICTS), tr("app.annulled_short")]),
        ("name", tr("app.col.name"), ["名" * 3]),
        ("number", tr("app.col.number"), ["W" + "0" * 5]),  # a walk-in's number: W and five
    ]


def _recent_is_narrow(table: PlainTable) -> bool:
    """Whether the list, with its seconds, would be wider than its room beside a scrollbar
    (kept free: the list grows one until it is full): at 80×24 the last column was cut."""
    from screens.tables import width_for

    room = table.content_region.width - table.styles.scrollbar_size_vertical
    padding = 2 * table.cell_padding
    needed = sum(width_for(label, samples) + padding for _, label, samples in _recent_columns(False))
    return needed > room


def _add_recent_columns(table: PlainTable, narrow: bool = False) -> None:
    from screens.tables import add_fixed_columns

    add_fixed_columns(table, _recent_columns(narrow))


def _new_form(door: Door) -> CheckFormWidget:
    form = CheckFormWidget(door.profile, id="checks")
    form.display = False
    return form
