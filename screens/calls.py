"""Confirmation calls before the event (电话通知): mark each invitee, move the waiting list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from checkin.categories import category_label
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.people import Person, list_people
from checkin.selection import confirm
from checkin.storage import open_db
from screens.bindings import bind, localise_bindings
from screens.dialogs import ConfirmDialog
from screens.messages import CallListLoaded, LoadFailed

if TYPE_CHECKING:
    from screens.modes import Desk


class CallsScreen(Screen[None]):
    """The invited with their phone numbers; c confirmed, d declined, u unreachable."""

    BINDINGS = [
        bind("c", "mark('confirmed')", "mark_confirmed"),
        bind("d", "mark('declined')", "mark_declined"),
        bind("u", "mark('unreachable')", "mark_unreachable"),
        bind("r", "refresh", "refresh"),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path

    @classmethod
    def from_desk(cls, desk: Desk) -> CallsScreen:
        return cls(desk.db_path)

    def compose(self) -> ComposeResult:
        yield Header(show_clock=not getattr(self.app, "still", False))
        yield Static(tr("app.calls_hint"), id="calls-hint")
        yield DataTable(id="calls", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        localise_bindings(self)
        table = self.query_one("#calls", DataTable)
        for key in ("number", "name", "category", "phone", "confirmation"):
            table.add_column(tr(f"app.col.{key}"), key=key)
        self.load()

    @work(thread=True, exclusive=True, group="calls", exit_on_error=False, description="load the call list")
    def load(self) -> None:
        try:
            with open_db(self.db_path) as db:
                people = list_people(db, "invited")
        except CheckinError as exc:
            self.post_message(LoadFailed(exc.message()))
            return
        self.post_message(CallListLoaded(people))

    @on(CallListLoaded)
    def _loaded(self, message: CallListLoaded) -> None:
        table = self.query_one("#calls", DataTable)
        row = table.cursor_row
        table.clear()
        person: Person
        for person in message.people:
            table.add_row(
                person.number,
                person.name,
                category_label(person.category),
                person.phone or "",
                tr(f"confirmation.{person.confirmation}") if person.confirmation else "—",
                key=person.number,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.notify(tr("app.load_failed", message=message.message), severity="error")

    def action_mark(self, status: str) -> None:
        table = self.query_one("#calls", DataTable)
        if not table.row_count:
            self.app.bell()
            return
        number = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        if status != "declined":
            self.save(number, status)
            return
        # declining moves someone off the list (and the waiting list up): asked first
        name = str(table.get_row(number)[1])

        def answered(yes: bool | None) -> None:
            if yes:
                self.save(number, status)

        self.app.push_screen(ConfirmDialog(tr("app.confirm_decline", number=number, name=name)), answered)

    @work(thread=True, group="calls-save", exit_on_error=False, description="record a call")
    def save(self, number: str, status: str) -> None:
        try:
            with open_db(self.db_path) as db:
                result = confirm(db, number, status)
        except CheckinError as exc:
            self.app.call_from_thread(self.notify, exc.message(), severity="error")
            return
        message = tr("confirm.done", number=number, status=tr(f"confirmation.{status}"))
        if result.moved_up:
            message += "；" + tr("confirm.moved_up", number=result.moved_up)
        elif result.no_replacement:
            message += "；" + tr("confirm.no_replacement")
        self.app.call_from_thread(self.notify, message, timeout=8)
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def relabel(self) -> None:
        localise_bindings(self)
        self.load()
