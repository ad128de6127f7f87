"""Confirmation calls before the event (电话通知): mark each invitee, move the waiting list."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from checkin.categories import category_label
from checkin.i18n import clauses, tr
from checkin.people import Person, list_people
from checkin.selection import ConfirmResult, confirm
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind
from screens.dialogs import ConfirmDialog
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk


class CallsScreen(DeskScreen):
    """The invited with their phone numbers; c confirmed, d declined, u unreachable."""

    CSS_PATH = "calls.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

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
        yield self.header()
        yield Static(tr("app.calls_hint"), id="calls-hint", markup=False)
        yield PlainTable(id="calls", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.load()

    def _columns(self) -> None:
        """The list's headings, in the language of now (again after 中/EN)."""
        table = self.query_one("#calls", DataTable)
        table.clear(columns=True)
        for key in ("number", "name", "category", "phone", "confirmation"):
            table.add_column(tr(f"app.col.{key}"), key=key)

    def load(self) -> None:
        self.run_in_file(
            lambda db: list_people(db, "invited"),
            self._loaded,
            failed=self._load_failed,
            group="calls",
            exclusive=True,
            description="load the call list",
        )

    def _loaded(self, people: list[Person]) -> None:
        table = self.query_one("#calls", DataTable)
        row = table.cursor_row
        table.clear()
        for person in people:
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

    def _load_failed(self, message: str) -> None:
        self.notify(tr("app.load_failed", message=message), severity="error")

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

    def save(self, number: str, status: str) -> None:
        def saved(result: ConfirmResult) -> None:
            parts = [tr("confirm.done", number=number, status=tr(f"confirmation.{status}"))]
            if result.moved_up:
                parts.append(tr("confirm.moved_up", number=result.moved_up))
            elif result.no_replacement:
                parts.append(tr("confirm.no_replacement"))
            message = clauses(parts)
            self.notify(message, timeout=8)
            self.load()

        self.run_in_file(
            lambda db: confirm(db, number, status), saved, group="calls-save", description="record a call"
        )

    def action_refresh(self) -> None:
        self.load()

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#calls-hint", Static).update(tr("app.calls_hint"))
        self._columns()
        self.load()
