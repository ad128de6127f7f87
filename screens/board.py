"""The board: arrived / expected per category, the citizen share, who is still to come."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from checkin.board import Board, build_board
from checkin.categories import CATEGORIES, category_label
from checkin.errors import CheckinError
from checkin.i18n import tr
from checkin.rollcall import visit_schedule
from checkin.storage import open_db
from screens.bindings import bind, localise_bindings
from screens.messages import BoardLoaded, LoadFailed
from screens.tables import add_fixed_columns

REFRESH_SECONDS = 5
ANSWERS = ("confirmed", "declined", "unreachable")


class BoardScreen(Screen[None]):
    """Refreshes itself every few seconds; `b` switches to large type for a projector."""

    BINDINGS = [
        bind("b", "toggle_big", "big"),
        bind("r", "refresh", "refresh"),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.big = False
        self.board: Board | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=not getattr(self.app, "still", False))
        yield Static("", id="board-schedule")
        with Horizontal(id="board-main"):
            yield Static(tr("app.loading"), id="board-figures")
            yield DataTable(id="absent", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        localise_bindings(self)
        table = self.query_one("#absent", DataTable)
        add_fixed_columns(
            table,
            [
                ("number", tr("app.col.number"), ["A0000"]),
                ("name", tr("app.col.name"), ["名" * 3]),
                ("category", tr("app.col.category"), [category_label(c) for c in CATEGORIES]),
                ("phone", tr("app.col.phone"), ["0" * 11]),
                ("confirmation", tr("app.col.confirmation"), [tr(f"confirmation.{c}") for c in ANSWERS]),
            ],
        )
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False, description="load the board")
    def load(self) -> None:
        try:
            with open_db(self.db_path) as db:
                board = build_board(db)
                plan = visit_schedule(db)
        except CheckinError as exc:
            self.post_message(LoadFailed(exc.message()))
            return
        self.post_message(BoardLoaded(board))
        self.app.call_from_thread(self._show_schedule, plan)

    def _show_schedule(self, plan: str | None) -> None:
        line = self.query_one("#board-schedule", Static)
        line.display = bool(plan)
        line.update(plan or "")

    @on(LoadFailed)
    def _failed(self, message: LoadFailed) -> None:
        self.query_one("#board-figures", Static).update(tr("app.load_failed", message=message.message))

    @on(BoardLoaded)
    def _loaded(self, message: BoardLoaded) -> None:
        board = message.board
        self.board = board
        self.query_one("#board-figures", Static).update(self._figures(board))
        table = self.query_one("#absent", DataTable)
        table.clear()
        for person in board.not_arrived:
            table.add_row(
                person.number,
                person.name,
                category_label(person.category),
                person.phone or "",
                tr(f"confirmation.{person.confirmation}") if person.confirmation else "",
            )
        self.sub_title = tr("app.board_subtitle", missing=len(board.not_arrived))

    def _figures(self, board: Board) -> Table | Text:
        share = board.citizen_share
        share_text = f"{float(share):.0%}" if share is not None else "—"
        if self.big:
            text = Text(justify="center")
            text.append(f"{tr('app.board_arrived')}\n", style="bold")
            text.append(f"{board.arrived} / {board.expected}\n\n", style="bold green")
            text.append(f"{tr('app.board_share')} {share_text}\n", style="bold")
            return text
        table = Table(title=tr("app.board_title"), expand=True)
        table.add_column(tr("app.col.category"))
        table.add_column(tr("app.board_arrived"), justify="right")
        table.add_column(tr("app.board_expected"), justify="right")
        for line in board.lines:
            table.add_row(category_label(line.category), str(line.arrived), str(line.expected))
        table.add_row(Text(tr("app.board_total"), style="bold"), str(board.arrived), str(board.expected))
        last = (board.last_scan_at or "—")[11:19] or "—"
        table.caption = f"{tr('app.board_share')} {share_text} · {tr('app.board_last_scan')} {last}"
        return table

    def action_toggle_big(self) -> None:
        self.big = not self.big
        self.set_class(self.big, "-big")
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def relabel(self) -> None:
        localise_bindings(self)
        self.load()
