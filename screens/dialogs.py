"""Modal dialogs: yes/no confirmation, operator name, supervisor PIN and reason, walk-in, look-up."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from checkin.categories import CATEGORIES, category_label
from checkin.i18n import tr
from screens.base import DeskDialog, FileWork
from screens.bindings import bind
from screens.plain import PlainTable

if TYPE_CHECKING:
    from checkin.search import Found


class ConfirmDialog(DeskDialog[bool]):
    """A yes/no question: y confirms, n or Escape cancels."""

    BINDINGS = [
        bind("y", "answer(True)", "yes"),
        bind("n", "answer(False)", "no"),
        bind("escape", "answer(False)", "cancel"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-question", markup=False)
            yield Static(tr("app.yes_no_hint"), classes="dialog-hint", markup=False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class OperatorDialog(DeskDialog[str]):
    """Asks for the operator's name when `checkin run` was started without one."""

    BINDINGS = [bind("escape", "app.quit", "quit")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(tr("app.operator_prompt"), markup=False)
            yield Input(placeholder=tr("app.operator_placeholder"), id="operator")

    def on_mount(self) -> None:
        self.query_one("#operator", Input).focus()

    def receive_scan(self, text: str) -> None:
        """A scan is never anyone's name: refused, and the name box keeps what was typed."""
        self.app.bell()
        self.notify(tr("scanner.name_first"), severity="warning")

    @on(Input.Submitted, "#operator")
    def _chosen(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.app.bell()
            return
        self.dismiss(name)


@dataclass
class SupervisorAnswer:
    reason: str
    pin: str


class SupervisorDialog(DeskDialog[SupervisorAnswer | None]):
    """A supervisor action (annul, override): a reason and the PIN."""

    BINDINGS = [bind("escape", "cancel", "cancel")]

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-question", markup=False)
            yield Input(placeholder=tr("app.reason_placeholder"), id="reason")
            yield Input(placeholder=tr("app.pin_placeholder"), password=True, id="pin")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def _to_pin(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted, "#pin")
    def _done(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        pin = self.query_one("#pin", Input).value.strip()
        if not reason:
            self.app.bell()
            self.query_one("#reason", Input).focus()
            return
        self.dismiss(SupervisorAnswer(reason, pin))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass
class WalkInAnswer:
    name: str
    id_number: str
    phone: str
    category: str
    pin: str


class WalkInDialog(DeskDialog[WalkInAnswer | None]):
    """Register a walk-in: name, ID number, phone, category, supervisor PIN."""

    BINDINGS = [bind("escape", "cancel", "cancel")]

    def __init__(self, categories: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        # (label, code) of the event's categories, its own ones included (issue 17)
        self.categories = categories or [(category_label(code), code) for code in CATEGORIES]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(tr("app.walk_in_title"), classes="dialog-question", markup=False)
            yield Input(placeholder=tr("app.col.name"), id="name")
            yield Input(placeholder=tr("app.col.id"), id="id_number")
            yield Input(placeholder=tr("app.col.phone"), id="phone")
            yield Select(
                [(Text(label), code) for label, code in self.categories],
                value="citizen",
                allow_blank=False,
                id="category",
            )
            yield Input(placeholder=tr("app.pin_placeholder"), password=True, id="pin")
            with Horizontal(classes="dialog-buttons"):
                yield Button(tr("app.register"), variant="primary", id="register")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def receive_scan(self, text: str) -> None:
        """An ID-card reader swipe fills the ID number; any other scan is refused."""
        from checkin.door import find_id_numbers

        numbers = find_id_numbers(text)
        if len(numbers) != 1:
            self.app.bell()
            # two people's numbers in one read: neither is taken
            refusal = "verdict.two_id_numbers" if numbers else "scanner.close_dialog"
            self.notify(tr(refusal), severity="warning")
            return
        found = numbers[0]
        self.query_one("#id_number", Input).value = found

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "pin":
            self._done()
        else:
            self.focus_next()

    @on(Button.Pressed, "#register")
    def _done(self) -> None:
        value = self.query_one("#category", Select).value
        self.dismiss(
            WalkInAnswer(
                name=self.query_one("#name", Input).value,
                id_number=self.query_one("#id_number", Input).value,
                phone=self.query_one("#phone", Input).value,
                category=str(value),
                pin=self.query_one("#pin", Input).value,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)


class LookupDialog(FileWork, DeskDialog[str | None]):
    """Find a guest who forgot the invitation: name, pinyin, initials, phone or ID last 4."""

    BINDINGS = [
        bind("escape", "cancel", "cancel"),
        bind("down", "to_results", "results", show=False),
    ]

    def __init__(self, db_path: str | Path, query: str = "") -> None:
        """`query`: what was typed already (a name typed in the scan box)."""
        super().__init__()
        self.db_path = Path(db_path)
        self.pick_when_shown = False
        self.shown_for = ""
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(tr("app.lookup_title"), classes="dialog-question", markup=False)
            yield Input(placeholder=tr("app.lookup_placeholder"), id="query")
            yield PlainTable(id="results", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#results", DataTable)
        for key in ("number", "name", "category", "status", "phone", "id"):
            table.add_column(tr(f"app.col.{key}"), key=key)
        box = self.query_one("#query", Input)
        box.focus()
        if self.query_text:
            box.value = self.query_text  # searched at once (Input.Changed)

    @on(Input.Changed, "#query")
    def _search(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    def run_search(self, query: str) -> None:
        from checkin.search import look_up_people

        self.run_in_file(
            lambda db: look_up_people(db, query),
            partial(self._show, query),
            group="lookup",
            exclusive=True,
            description="look-up",
        )

    def _show(self, query: str, rows: list[Found]) -> None:
        self.shown_for = query
        table = self.query_one("#results", DataTable)
        table.clear()
        for found in rows:
            digits = "".join(ch for ch in (found.phone or "") if ch.isdigit())
            inside_at = found.inside_at
            shown = tr("app.inside_since", at=inside_at[11:16]) if inside_at else tr(f"status.{found.status}")
            table.add_row(
                found.number,
                found.name,
                category_label(found.category),
                shown,
                f"…{digits[-4:]}" if digits else "",
                found.id_masked,
                key=found.number,
            )
        if self.pick_when_shown and query == self.query_one("#query", Input).value:
            self.pick_when_shown = False
            self._pick_now()

    @on(Input.Submitted, "#query")
    def _pick_first(self) -> None:
        """One Enter picks the first (best) match; arrows move into the list to choose another."""
        if self.shown_for != self.query_one("#query", Input).value:
            self.pick_when_shown = True  # the search for the last key is still running
            return
        self._pick_now()

    def _pick_now(self) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count:
            row = table.cursor_row if table.has_focus else 0
            self.dismiss(str(table.coordinate_to_cell_key(Coordinate(row, 0)).row_key.value))
        else:
            self.app.bell()

    def receive_scan(self, text: str) -> None:
        """A guest found their invitation after all: the look-up closes and the scan is judged."""
        self.dismiss(None)
        self.app.call_later(self.app.route_scan, text)  # type: ignore[attr-defined]

    @on(DataTable.RowSelected, "#results")
    def _picked(self, event: DataTable.RowSelected) -> None:
        self.dismiss(str(event.row_key.value))

    def action_to_results(self) -> None:
        self.query_one("#results", DataTable).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
