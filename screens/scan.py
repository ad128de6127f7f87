"""The scan screen: the heart of the desk, for a volunteer with a queue in front of them."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from checkin.categories import category_label
from checkin.door import Door
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.storage import open_db
from checkin.tokens import TOKEN_CHARS
from screens.bindings import bind, localise_bindings
from screens.check_form import CheckFormWidget
from screens.dialogs import LookupDialog, SupervisorAnswer, SupervisorDialog, WalkInAnswer, WalkInDialog
from screens.messages import DoorFailed, DoorReady, ScanJudged
from screens.tables import add_fixed_columns

if TYPE_CHECKING:
    from checkin.door import Verdict

SILENCE_SECONDS = 0.1  # scanners that send no terminator: end the scan after this pause
REPEAT_SECONDS = 3.0  # scanners that send twice: ignore the same code again within this
RECENT = 20
VERDICTS = ("admitted", "already", "refused", "needs_checks")
PANEL_CLASSES = ("-admitted", "-already", "-refused", "-needs_checks", "-idle")


class ScanInput(Input):
    """Where the scanner types. Keeps the focus whenever nothing else needs it."""


class ScanScreen(Screen[None]):
    """Scan → verdict panel (green/yellow/red/blue) → last 20 scans; checks in place."""

    BINDINGS = [
        bind("slash", "lookup", "lookup", priority=True),
        bind("tab", "submit_scan", "submit_scan", show=False, priority=True),
        bind("f6", "walk_in", "walk_in"),
        bind("f7", "annul", "annul"),
        bind("f8", "override", "override"),
    ]

    def __init__(self, db_path: Path, station: str, operator: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.station = station
        self.operator = operator
        self.door: Door | None = None
        self.door_lock = threading.Lock()
        self.silence: Timer | None = None
        self.last_text = ""
        self.last_at = 0.0
        self.pending_text = ""
        self.pending_number = ""
        self.last_verdict: Verdict | None = None
        self.latencies: list[float] = []

    def compose(self) -> ComposeResult:
        yield Header(show_clock=not getattr(self.app, "still", False))
        yield Static("", id="door-status")
        with Horizontal(id="door-main"):
            with Vertical(id="door-left"):
                yield Static(tr("app.ready_to_scan"), id="verdict", classes="-idle")
                yield Static("", id="form-holder")
            yield DataTable(id="recent", cursor_type="row", zebra_stripes=True)
        scan_box = ScanInput(placeholder=tr("app.scan_placeholder"), id="scan", select_on_focus=False)
        scan_box.cursor_blink = not getattr(self.app, "still", False)
        yield scan_box
        yield Footer()

    def on_mount(self) -> None:
        localise_bindings(self)
        self.sub_title = f"{self.station} · {self.operator}"
        table = self.query_one("#recent", DataTable)
        add_fixed_columns(
            table,
            [
                ("time", tr("app.col.time"), ["00:00:00"]),
                ("number", tr("app.col.number"), ["W" + "0" * 5]),
                ("name", tr("app.col.name"), ["名" * 3]),
                ("verdict", tr("app.col.verdict"), [tr(f"verdict.{v}") for v in VERDICTS]),
            ],
        )
        self.query_one("#scan", ScanInput).focus()
        self.open_door()

    def on_unmount(self) -> None:
        with self.door_lock:  # after the scan in progress, if any, has committed
            if self.door is not None:
                self.door.db.close()
                self.door = None

    # ------------------------------------------------------------ opening

    @work(thread=True, exclusive=True, group="door-open", exit_on_error=False, description="open the door")
    def open_door(self) -> None:
        try:
            db = open_db(self.db_path, shared=True)  # the desk's connection: closed on unmount
            try:
                with self.door_lock:
                    self.door = Door(db, self.station, self.operator)
                    title = self.door.event.title
                    label = self.door.profile.label()
            except BaseException:
                db.close()
                raise
        except CheckinError as exc:
            self.post_message(DoorFailed(exc.message()))
            return
        self.post_message(DoorReady(title, label, 0))
        self.build_search_index()

    @work(thread=True, exclusive=True, group="door-index", exit_on_error=False, description="index names")
    def build_search_index(self) -> None:
        """Pinyin keys for look-up, on a connection of its own so scanning never waits."""
        from checkin.search import ensure_index
        from checkin.storage import open_db

        try:
            with open_db(self.db_path) as db:
                ensure_index(db)
        except CheckinError as exc:
            self.post_message(DoorFailed(exc.message()))

    @on(DoorReady)
    def _ready(self, message: DoorReady) -> None:
        assert self.door is not None
        form = CheckFormWidget(self.door.profile, id="checks")
        form.display = False
        self.query_one("#form-holder", Static).remove()
        self.query_one("#door-left", Vertical).mount(form)
        self.refresh_status()
        self.refresh_recent()

    @on(DoorFailed)
    def _failed(self, message: DoorFailed) -> None:
        self.app.bell()
        self.notify(message.message, severity="error", timeout=8)

    # ------------------------------------------------------------ scanner input

    @on(Input.Changed, "#scan")
    def _typing(self, event: Input.Changed) -> None:
        if self.silence is not None:
            self.silence.stop()
        if len(event.value.strip()) >= TOKEN_CHARS:
            self.silence = self.set_timer(SILENCE_SECONDS, self.action_submit_scan)

    @on(Input.Submitted, "#scan")
    def _submitted(self) -> None:
        self.action_submit_scan()

    def action_submit_scan(self) -> None:
        scan_input = self.query_one("#scan", ScanInput)
        text = scan_input.value.strip()
        scan_input.value = ""
        if self.silence is not None:
            self.silence.stop()
        if not text:
            return
        now = time.monotonic()
        if text == self.last_text and now - self.last_at < REPEAT_SECONDS:
            return  # the scanner sent the same code twice
        self.last_text, self.last_at = text, now
        self.hide_form()
        self.pending_text = text
        self.pending_number = ""
        self.judge(text, None, now)

    def on_key(self, event: events.Key) -> None:
        """A scanner types wherever the focus is: letters that start a code go to the scan box."""
        scan_input = self.query_one("#scan", ScanInput)
        if self.focused is scan_input or self.app.screen is not self:
            return
        char = event.character or ""
        if len(char) == 1 and char.isascii() and char.isalpha() and char.lower() not in ("x", "y", "n"):
            scan_input.focus()
            scan_input.insert_text_at_cursor(char)
            event.stop()
            event.prevent_default()

    # ------------------------------------------------------------ judging (worker)

    @work(thread=True, group="door", exit_on_error=False, description="judge a scan")
    def judge(self, text: str, answers: dict[str, str] | None, started: float, number: str = "") -> None:
        """Runs the core off the event loop; the verdict is committed before it comes back."""
        door = self.door
        if door is None:
            self.post_message(DoorFailed(tr("app.door_not_ready")))
            return
        try:
            with self.door_lock:
                if number:
                    verdict = door.judge(number, answers, method="lookup")
                elif self._looks_like_number(text):
                    verdict = door.judge(text, answers, method="lookup")
                else:
                    verdict = door.scan(text, answers)
        except CheckinError as exc:
            self.post_message(DoorFailed(exc.message()))
            return
        except Exception as exc:  # disk full, locked file: say so, keep the desk running
            self.post_message(DoorFailed(tr("app.door_error", error=str(exc))))
            return
        self.post_message(ScanJudged(verdict, text, started))

    @staticmethod
    def _looks_like_number(text: str) -> bool:
        upper = text.strip().upper()
        if upper[:1] == "A":
            return 2 <= len(upper) <= 8 and upper[1:].isdigit()
        return upper[:1] == "W" and 5 <= len(upper) <= 12 and all(c in "0123456789ABCDEF" for c in upper[1:])

    @on(ScanJudged)
    def _judged(self, message: ScanJudged) -> None:
        verdict = message.verdict
        self.last_verdict = verdict
        self.show_verdict(verdict)
        self.latencies.append(time.monotonic() - message.started)
        if verdict.verdict != "admitted":
            self.app.bell()
        if verdict.verdict == "needs_checks" and verdict.invitee:
            self.pending_number = verdict.invitee.number
            self.show_form(f"{verdict.invitee.name} {verdict.invitee.number}")
        else:
            self.hide_form()
        self.refresh_status()
        self.refresh_recent()

    def show_verdict(self, verdict: Verdict) -> None:
        panel = self.query_one("#verdict", Static)
        for cls in PANEL_CLASSES:
            panel.remove_class(cls)
        panel.add_class(f"-{verdict.verdict}")
        text = Text(justify="center")
        icon = {"admitted": "✔", "already": "●", "refused": "✘", "needs_checks": "?"}[verdict.verdict]
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

    def show_form(self, who: str) -> None:
        forms = self.query(CheckFormWidget)
        if not forms:
            return
        form = forms.first()
        form.start(who)
        form.display = True
        form.focus()

    def hide_form(self) -> None:
        for form in self.query(CheckFormWidget):
            form.display = False
        self.query_one("#scan", ScanInput).focus()

    @on(CheckFormWidget.Completed)
    def _checks_done(self, message: CheckFormWidget.Completed) -> None:
        number = self.pending_number
        self.hide_form()
        if number:
            self.judge("", message.answers, time.monotonic(), number=number)

    @on(CheckFormWidget.Cancelled)
    def _checks_cancelled(self) -> None:
        self.pending_number = ""
        self.hide_form()
        self.query_one("#verdict", Static).update(tr("app.ready_to_scan"))

    # ------------------------------------------------------------ status and recent scans

    @work(
        thread=True,
        exclusive=True,
        group="door-status",
        exit_on_error=False,
        description="refresh the status",
    )
    def refresh_status(self) -> None:
        door = self.door
        if door is None:
            return
        with self.door_lock:
            arrived, expected, present, citizens = door.status_counts()
        share = f"{citizens / present:.0%}" if present else "—"
        status = tr(
            "app.door_status",
            title=door.event.title,
            checks=door.profile.label(),
            arrived=arrived,
            expected=expected,
            share=share,
        )
        self.app.call_from_thread(self.query_one("#door-status", Static).update, status)

    @work(thread=True, exclusive=True, group="door-recent", exit_on_error=False, description="recent scans")
    def refresh_recent(self) -> None:
        door = self.door
        if door is None:
            return
        with self.door_lock:
            rows = door.recent_scans(RECENT)
        self.app.call_from_thread(self._show_recent, rows)

    def _show_recent(self, rows: list[dict[str, object]]) -> None:
        table = self.query_one("#recent", DataTable)
        table.clear()
        styles = {"admitted": "green", "already": "yellow", "refused": "red", "needs_checks": "blue"}
        for row in rows:
            verdict = str(row["verdict"])
            table.add_row(
                str(row["at"])[11:19],
                str(row["number"] or ""),
                str(row["name"] or ""),
                Text(tr(f"verdict.{verdict}"), style=styles.get(verdict, "")),
            )

    # ------------------------------------------------------------ look-up, walk-ins, supervisor

    def action_lookup(self) -> None:
        def chosen(number: str | None) -> None:
            self.query_one("#scan", ScanInput).focus()
            if number:
                self.pending_number = ""
                self.judge("", None, time.monotonic(), number=number)

        self.app.push_screen(LookupDialog(str(self.db_path)), chosen)

    def action_walk_in(self) -> None:
        def registered(answer: WalkInAnswer | None) -> None:
            self.query_one("#scan", ScanInput).focus()
            if answer:
                self.register_walk_in(answer)

        categories = (
            [(c.label(), c.code) for c in self.door.event.category_list()] if self.door is not None else None
        )
        self.app.push_screen(WalkInDialog(categories), registered)

    @work(thread=True, group="door", exit_on_error=False, description="register a walk-in")
    def register_walk_in(self, answer: WalkInAnswer) -> None:
        door = self.door
        if door is None:
            return
        try:
            with self.door_lock:
                number = door.register_walk_in(
                    answer.name, answer.id_number, answer.phone, answer.category, answer.pin
                )
                # the ID number was typed by the volunteer from the card: that check is done
                verdict = door.judge(number, {"id_card": answer.id_number}, method="walkin")
        except CheckinError as exc:
            self.post_message(DoorFailed(exc.message()))
            return
        self.post_message(ScanJudged(verdict, "", time.monotonic()))

    def _supervisor(self, title_key: str, action: str) -> None:
        target = self.last_verdict.invitee if self.last_verdict else None
        if target is None:
            self.app.bell()
            self.notify(tr("app.no_target"), severity="warning")
            return

        def answered(answer: SupervisorAnswer | None) -> None:
            self.query_one("#scan", ScanInput).focus()
            if answer and target:
                self.supervise(action, target.number, answer)

        self.app.push_screen(
            SupervisorDialog(tr(title_key, number=target.number, name=target.name)), answered
        )

    def action_annul(self) -> None:
        self._supervisor("app.annul_title", "annul")

    def action_override(self) -> None:
        self._supervisor("app.override_title", "override")

    @work(thread=True, group="door", exit_on_error=False, description="supervisor action")
    def supervise(self, action: str, number: str, answer: SupervisorAnswer) -> None:
        door = self.door
        if door is None:
            return
        try:
            with self.door_lock:
                if action == "annul":
                    door.annul(number, answer.reason, answer.pin)
                    verdict = None
                else:
                    verdict = door.override(number, answer.reason, answer.pin)
        except CheckinError as exc:
            self.post_message(DoorFailed(exc.message()))
            return
        if verdict is not None:
            self.post_message(ScanJudged(verdict, "", time.monotonic()))
        else:
            self.app.call_from_thread(self.notify, tr("app.annulled", number=number))
            self.refresh_status()
            self.refresh_recent()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("annul", "override") and self.last_verdict is None:
            return None  # shown disabled until there is someone to act on
        return True

    def relabel(self) -> None:
        localise_bindings(self)
        self.query_one("#scan", ScanInput).placeholder = tr("app.scan_placeholder")
        self.refresh_status()
        self.refresh_recent()
