"""The suggestions ledger screen: filter by status and department, move along, edit, history."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from sqlite_utils import Database
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from checkin.i18n import tr
from checkin.labels import history_rows
from checkin.ledger import STATUSES, Suggestion, add_suggestion, edit, history, list_suggestions, set_status
from checkin.workdays import deadlines, fallback_note
from screens.base import DeskDialog, DeskScreen
from screens.bindings import DeskFooter, bind
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk

URGENCY_STYLE = {"overdue": "bold red", "due_soon": "bold yellow", "ok": "", "done": "green"}


class FieldsDialog(DeskDialog[dict[str, str] | None]):
    """A few labelled text fields; Enter moves on, Enter on the last one saves, Esc cancels."""

    BINDINGS = [bind("escape", "cancel", "cancel")]

    def __init__(self, title: str, fields: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.fields = fields  # (key, label, initial value)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-question", markup=False)
            for key, label, value in self.fields:
                yield Input(value=value, placeholder=label, id=f"field-{key}")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.dismiss({key: self.query_one(f"#field-{key}", Input).value for key, _, _ in self.fields})
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)


class HistoryDialog(DeskDialog[None]):
    BINDINGS = [bind("escape", "close", "cancel")]

    def __init__(self, number: str, rows: list[dict[str, str]]) -> None:
        super().__init__()
        self.number = number
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Static(tr("app.history_title", number=self.number), classes="dialog-question", markup=False)
            yield PlainTable(id="history-table")

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        table.add_columns(
            tr("app.col.time"), tr("app.col.operator"), tr("app.col.field"), tr("app.col.change")
        )
        for row in history_rows(self.rows):
            table.add_row(
                row["at"][:16].replace("T", " "),
                row["operator"],
                row["field"],
                f"{row['old']} → {row['new']}",
            )

    def action_close(self) -> None:
        self.dismiss(None)


class LedgerScreen(DeskScreen):
    """工作台账: overdue in red, due within three working days in yellow."""

    CSS_PATH = "ledger.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("s", "cycle_status", "filter_status"),
        bind("d", "cycle_department", "filter_department"),
        bind("n", "new", "new_suggestion"),
        bind("a", "move('assigned')", "assign"),
        bind("t", "move('transferred')", "transfer"),
        bind("p", "move('in_progress')", "in_progress"),
        bind("o", "move('resolved')", "resolve"),
        bind("y", "move('replied')", "reply"),
        bind("e", "edit", "edit"),
        bind("h", "history", "history"),
        bind("r", "refresh", "refresh"),
    ]

    def __init__(self, db_path: Path, operator: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.operator = operator
        self.status_filter: str | None = None
        self.department_filter: str | None = None
        self.departments: list[str] = []
        self.items: list[Suggestion] = []

    @classmethod
    def from_desk(cls, desk: Desk) -> LedgerScreen:
        return cls(desk.db_path, desk.operator or "office")

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="ledger-filters", markup=False)
        # Shown only when a due date is counted in a year whose holidays are not published.
        yield Static("", id="ledger-calendar", classes="warning", markup=False)
        yield PlainTable(id="ledger", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.load()

    def _columns(self) -> None:
        """The ledger's headings, in the language of now (again after 中/EN)."""
        table = self.query_one("#ledger", DataTable)
        table.clear(columns=True)
        for key in ("number", "text", "department", "status", "due_date", "urgency"):
            table.add_column(tr(f"ledger.col.{key}"), key=key)

    def load(self) -> None:
        status, department = self.status_filter, self.department_filter

        def read(db: Database) -> tuple[list[Suggestion], list[Suggestion], list[int]]:
            everything = list_suggestions(db)
            shown = list_suggestions(db, status=status, department=department)
            return everything, shown, deadlines(db).missing_years

        self.run_in_file(read, self._show, group="ledger", exclusive=True, description="load the ledger")

    def _show(self, loaded: tuple[list[Suggestion], list[Suggestion], list[int]]) -> None:
        everything, shown, missing = loaded
        warning = self.query_one("#ledger-calendar", Static)
        warning.update(fallback_note(missing) if missing else "")
        warning.display = bool(missing)
        self.departments = sorted({s.department for s in everything if s.department})
        self.items = shown
        table = self.query_one("#ledger", DataTable)
        row = table.cursor_row
        table.clear()
        for s in shown:
            style = URGENCY_STYLE[s.urgency]
            table.add_row(
                s.number,
                s.text if len(s.text) <= 40 else s.text[:39] + "…",
                s.department or "—",
                tr(f"ledger.status.{s.status}"),
                Text(s.due_date, style=style),
                Text(tr(f"ledger.urgency.{s.urgency}"), style=style),
                key=s.number,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        status = tr(f"ledger.status.{self.status_filter}") if self.status_filter else tr("app.filter_all")
        department = self.department_filter or tr("app.filter_all")
        self.query_one("#ledger-filters", Static).update(
            tr("app.ledger_filters", status=status, department=department)
        )

    def _selected(self) -> str | None:
        table = self.query_one("#ledger", DataTable)
        if not table.row_count:
            self.app.bell()
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_cycle_status(self) -> None:
        options: list[str | None] = [None, *STATUSES]
        self.status_filter = options[(options.index(self.status_filter) + 1) % len(options)]
        self.load()

    def action_cycle_department(self) -> None:
        options: list[str | None] = [None, *self.departments]
        current = self.department_filter if self.department_filter in options else None
        self.department_filter = options[(options.index(current) + 1) % len(options)]
        self.load()

    def action_new(self) -> None:
        def done(values: dict[str, str] | None) -> None:
            if values:
                self._write(
                    lambda db: add_suggestion(
                        db,
                        values["text"],
                        source="forum",
                        raised_by=values["raised_by"] or None,
                        category=values["category"] or None,
                        operator=self.operator,
                    )
                )

        fields = [
            ("text", tr("ledger.col.text"), ""),
            ("raised_by", tr("ledger.col.raised_by"), ""),
            ("category", tr("ledger.col.category"), ""),
        ]
        self.app.push_screen(FieldsDialog(tr("app.ledger_new"), fields), done)

    def action_move(self, status: str) -> None:
        number = self._selected()
        if number is None:
            return
        needs = {
            "assigned": [("department", tr("ledger.col.department"), "")],
            "transferred": [("department", tr("ledger.col.department"), "")],
            "resolved": [("outcome", tr("app.outcome_prompt"), "1"), ("reason", tr("ledger.col.reason"), "")],
            "replied": [("reply", tr("ledger.col.reply"), "")],
        }.get(status, [])

        def save(values: dict[str, str]) -> None:
            keyed = values.get("outcome", "")
            outcome = {"1": "adopted", "2": "partly_adopted", "3": "not_adopted"}.get(keyed, keyed or None)
            self._write(
                lambda db: set_status(
                    db,
                    number,
                    status,
                    operator=self.operator,
                    department=values.get("department"),
                    outcome=outcome,
                    reason=values.get("reason"),
                    reply=values.get("reply"),
                )
            )

        if not needs:
            save({})
            return
        title = tr("app.ledger_move", number=number, status=tr(f"ledger.status.{status}"))
        self.app.push_screen(FieldsDialog(title, needs), lambda values: save(values) if values else None)

    def action_edit(self) -> None:
        number = self._selected()
        if number is None:
            return
        current = next(s for s in self.items if s.number == number)

        def done(values: dict[str, str] | None) -> None:
            if values:
                self._write(lambda db: edit(db, number, self.operator, text=values["text"],
                                            category=values["category"] or None))  # fmt: skip

        fields = [
            ("text", tr("ledger.col.text"), current.text),
            ("category", tr("ledger.col.category"), current.category or ""),
        ]
        self.app.push_screen(FieldsDialog(tr("app.ledger_edit", number=number), fields), done)

    def action_history(self) -> None:
        number = self._selected()
        if number is None:
            return
        self.run_in_file(
            lambda db: history(db, number),
            lambda rows: self.app.push_screen(HistoryDialog(number, rows)),
            group="ledger-history",
            description="ledger history",
        )

    def _write(self, change: Callable[[Database], object]) -> None:
        def saved(_: object) -> None:
            self.notify(tr("app.saved"))
            self.load()

        self.run_in_file(
            change, saved, failed=self._refused, group="ledger-save", description="save to the ledger"
        )

    def _refused(self, message: str) -> None:
        self.app.bell()
        self.notify(message, severity="error")

    def action_refresh(self) -> None:
        self.load()

    def relabel(self) -> None:
        super().relabel()
        self._columns()
        self.load()
