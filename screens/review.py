"""The review screen (报名审核): approve or reject with one key, reasons from a short list or
typed, the residence tick with its evidence, filters; overdue applications in red."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from sqlite_utils import Database
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from checkin.categories import category_label
from checkin.i18n import listing, tr
from checkin.review import (
    REASONS,
    STATES,
    Application,
    approve,
    list_applications,
    reject,
    review_counts,
    run_auto_checks,
    tick_residence,
)
from screens.base import DeskDialog, DeskScreen
from screens.bindings import DeskFooter, bind
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk

STATE_STYLE = {"pending": "", "approved": "green", "rejected": "dim"}


class TextDialog(DeskDialog[str | None]):
    """One line of text (residence evidence, or a reason): Enter saves, Esc cancels.

    With `choices`, typing a listed number picks that choice."""

    BINDINGS = [bind("escape", "cancel", "cancel")]

    def __init__(
        self, title: str, placeholder: str, value: str = "", choices: list[str] | None = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.value = value
        self.choices = choices or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.title_text, classes="dialog-question", markup=False)
            if self.choices:
                lines = "\n".join(f"{i}  {text}" for i, text in enumerate(self.choices, start=1))
                yield Static(lines, id="choices", classes="dialog-hint", markup=False)
            yield Input(value=self.value, placeholder=self.placeholder, id="text")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    @on(Input.Submitted)
    def _done(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            text = self.choices[int(text) - 1]
        if not text:
            self.app.bell()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _clip(text: str, cells: int) -> str:
    """At most `cells` terminal cells, ending in … when cut: a 50-character name or a long
    unit's name pushed the state, the residence tick and the reason off the screen."""
    if cell_len(text) <= cells:
        return text
    while cell_len(text) > cells - 1:
        text = text[:-1]
    return text + "…"


class ReviewScreen(DeskScreen):
    """Applications with their due dates; the cursor row is approved or rejected with one key."""

    BINDINGS = [
        bind("a", "approve", "review_approve"),
        bind("x", "reject", "review_reject"),
        bind("t", "residence", "review_residence"),
        bind("g", "approve_group", "review_approve_group"),
        bind("X", "reject_group", "review_reject_group"),
        bind("s", "cycle_state", "filter_status"),
        bind("o", "toggle_overdue", "review_overdue"),
        bind("c", "cycle_category", "review_category"),
        bind("r", "refresh", "refresh"),
    ]

    def __init__(self, db_path: Path, operator: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.operator = operator
        self.state: str | None = "pending"
        self.overdue_only = False
        self.category: str | None = None
        self.categories: list[str] = []
        self.items: list[Application] = []
        self.last_evidence = ""

    @classmethod
    def from_desk(cls, desk: Desk) -> ReviewScreen:
        return cls(desk.db_path, desk.operator or "office")

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="review-filters", markup=False)
        yield PlainTable(id="review", cursor_type="row", zebra_stripes=True)
        yield Static("", id="review-counts", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.load()

    def _columns(self) -> None:
        table = self.query_one("#review", DataTable)
        table.clear(columns=True)
        for key in ("number", "name", "category", "group", "arrived", "due", "state", "residence", "note"):
            table.add_column(tr(f"app.review.col.{key}"), key=key)

    def load(self) -> None:
        state, overdue_only, category = self.state, self.overdue_only, self.category

        def read(db: Database) -> tuple[list[Application], list[Application], dict[str, int]]:
            run_auto_checks(db)
            everything = list_applications(db, state=None)
            shown = list_applications(db, state=state, overdue_only=overdue_only, category=category)
            return everything, shown, review_counts(db)

        self.run_in_file(read, self._show, group="review", exclusive=True, description="load applications")

    def _show(self, loaded: tuple[list[Application], list[Application], dict[str, int]]) -> None:
        everything, shown, counts = loaded
        self.categories = sorted({a.category for a in everything})
        self.items = shown
        table = self.query_one("#review", DataTable)
        row = table.cursor_row
        table.clear()
        for a in shown:
            late = "bold red" if a.overdue else ""
            state = tr(f"review.state.{a.review}") + (tr("app.review.overdue") if a.overdue else "")
            note = a.reason or listing(tr(f"app.review.problem.{p}") for p in a.problems)
            group = f"{a.group_number} {a.group_organization or ''}".strip() if a.group_number else ""
            table.add_row(
                Text(a.number, style=late),
                _clip(a.name, 16),
                _clip(category_label(a.category), 14),
                _clip(group, 16),
                a.arrived.isoformat(),
                Text(a.due.isoformat(), style=late),
                Text(state, style=late or STATE_STYLE[a.review]),
                _clip(a.residence_evidence or tr("app.review.not_ticked"), 12),
                note if len(note) <= 30 else note[:29] + "…",
                key=a.number,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        state = tr(f"review.state.{self.state}") if self.state else tr("app.filter_all")
        self.query_one("#review-filters", Static).update(
            tr(
                "app.review.filters",
                state=state,
                overdue=tr("app.review.overdue_only") if self.overdue_only else tr("app.filter_all"),
                category=category_label(self.category) if self.category else tr("app.filter_all"),
            )
        )
        self.query_one("#review-counts", Static).update(tr("review.summary", None, **counts))

    def _selected(self) -> Application | None:
        table = self.query_one("#review", DataTable)
        if not table.row_count:
            self.app.bell()
            return None
        number = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return next((a for a in self.items if a.number == number), None)

    def _approve(self, numbers: list[str], needs_evidence: bool) -> None:
        if not needs_evidence:
            self._write(lambda db: approve(db, numbers, operator=self.operator), tr("app.review.approved"))
            return

        def done(evidence: str | None) -> None:
            if evidence:
                self.last_evidence = evidence
                self._write(
                    lambda db: approve(db, numbers, operator=self.operator, residence=evidence),
                    tr("app.review.approved"),
                )

        title = tr("app.review.evidence_title", number=listing(numbers))
        self.app.push_screen(TextDialog(title, tr("cli.review.evidence"), self.last_evidence), done)

    def action_approve(self) -> None:
        app = self._selected()
        if app is not None:
            self._approve([app.number], needs_evidence=not app.residence_evidence)

    def action_approve_group(self) -> None:
        app = self._selected()
        if app is None:
            return
        if not app.group_number:
            self.app.bell()
            self.notify(tr("app.review.no_group", number=app.number), severity="warning")
            return
        self._approve([app.group_number], needs_evidence=True)

    def action_reject(self) -> None:
        app = self._selected()
        if app is not None:
            self._reject(app.number, tr("app.review.reason_title", number=app.number, name=app.name))

    def action_reject_group(self) -> None:
        """The whole group of the row (its members still pending), with one reason."""
        app = self._selected()
        if app is None:
            return
        if not app.group_number:
            self.app.bell()
            self.notify(tr("app.review.no_group", number=app.number), severity="warning")
            return
        title = tr("app.review.reason_title", number=app.group_number, name=app.group_organization or "")
        self._reject(app.group_number, title)

    def _reject(self, number: str, title: str) -> None:
        choices = [tr(f"review.reason.{code}", lang="zh") for code in REASONS]

        revoked: list[tuple[str, str | None]] = []

        def done(reason: str | None) -> None:
            if reason:
                self._write(
                    lambda db: reject(db, [number], reason=reason, operator=self.operator, revoked=revoked),
                    tr("app.review.rejected"),
                    # an invited guest rejected: their invitation is void, someone may move up
                    lambda: [
                        tr(
                            "review.revoked_moved" if moved else "review.revoked", number=n, moved=moved or ""
                        ).strip()
                        for n, moved in revoked
                    ],
                )

        self.app.push_screen(TextDialog(title, tr("app.review.reason_hint"), choices=choices), done)

    def action_residence(self) -> None:
        app = self._selected()
        if app is None:
            return

        def done(evidence: str | None) -> None:
            if evidence:
                self.last_evidence = evidence
                self._write(
                    lambda db: tick_residence(db, app.number, evidence, operator=self.operator),
                    tr("app.saved"),
                )

        title = tr("app.review.evidence_title", number=app.number)
        value = app.residence_evidence or self.last_evidence
        self.app.push_screen(TextDialog(title, tr("cli.review.evidence"), value), done)

    def action_cycle_state(self) -> None:
        options: list[str | None] = [*STATES, None]
        self.state = options[(options.index(self.state) + 1) % len(options)]
        self.load()

    def action_toggle_overdue(self) -> None:
        self.overdue_only = not self.overdue_only
        self.load()

    def action_cycle_category(self) -> None:
        options: list[str | None] = [None, *self.categories]
        current = self.category if self.category in options else None
        self.category = options[(options.index(current) + 1) % len(options)]
        self.load()

    def _write(
        self, change: Callable[[Database], object], done: str, more: Callable[[], list[str]] = list
    ) -> None:
        def saved(_: object) -> None:
            self.notify("\n".join([done, *more()]))
            self.load()

        self.run_in_file(
            change, saved, failed=self._refused, group="review-save", description="save a review decision"
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
