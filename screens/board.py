"""The board: arrived / expected per category, the citizen share, who is still to come."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Digits, Static

from checkin.board import Board, build_board
from checkin.categories import CATEGORIES, category_label
from checkin.clock import SYSTEM_CLOCK, Clock
from checkin.i18n import listing, tr
from checkin.rollcall import visit_schedule
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind
from screens.plain import PlainTable
from screens.tables import add_fixed_columns, width_for

if TYPE_CHECKING:
    from screens.modes import Desk

REFRESH_SECONDS = 5
ANSWERS = ("confirmed", "declined", "unreachable")


class BoardScreen(DeskScreen):
    """Refreshes itself every few seconds; `b` switches to large digits for a projector
    (the not-arrived list then pages by itself); phone numbers only when `p` asks."""

    CSS_PATH = "board.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("b", "toggle_big", "big"),
        bind("p", "toggle_phones", "phones"),
        bind("r", "refresh", "refresh"),
    ]

    def __init__(self, db_path: Path, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.db_path = db_path
        self.clock = clock  # the schedule line's minutes behind the plan are counted by it
        self.big = False
        self.show_phones = False
        self.narrow = False  # the list without its category column, calls in short words
        self.board: Board | None = None

    @classmethod
    def from_desk(cls, desk: Desk) -> BoardScreen:
        return cls(desk.db_path, desk.clock)

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="board-schedule", markup=False)
        with Horizontal(id="board-main"):
            yield Static(tr("app.loading"), id="board-figures", markup=False)
            with Vertical(id="board-big"):
                yield Static(
                    tr("app.board_arrived"), classes="big-label", id="big-arrived-label", markup=False
                )
                yield Digits("0", id="big-arrived")
                yield Static(
                    tr("app.board_expected"), classes="big-label", id="big-expected-label", markup=False
                )
                yield Digits("0", id="big-expected")
                yield Static(tr("app.board_share"), classes="big-label", id="big-share-label", markup=False)
                yield Digits("", id="big-share")
            yield PlainTable(id="absent", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.query_one("#board-big", Vertical).display = False
        self.load()
        self.set_interval(REFRESH_SECONDS, self.load)
        self.call_after_refresh(self.fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit)

    def fit(self) -> None:
        """Every column of the not-arrived list whole: where the whole list is wider than its
        room beside a scrollbar (80 columns), the category (it is in the table on the left)
        goes and the calls are said in short words, so the phone column is never cut."""
        table = self.query_one("#absent", DataTable)
        if not table.content_region.width:
            return  # not laid out yet
        room = table.content_region.width - table.styles.scrollbar_size_vertical
        padding = 2 * table.cell_padding
        narrow = sum(width_for(label, samples) + padding for _, label, samples in _column_specs(False)) > room
        if narrow != self.narrow:
            self.narrow = narrow
            self._columns()
            self.load()

    def _columns(self) -> None:
        """The list's headings and widths, in the language of now (again after 中/EN)."""
        table = self.query_one("#absent", DataTable)
        table.clear(columns=True)
        add_fixed_columns(table, _column_specs(self.narrow))

    def load(self) -> None:
        self.run_in_file(
            lambda db: (build_board(db), visit_schedule(db, self.clock.now())),
            self._loaded,
            group="board",
            exclusive=True,
            description="load the board",
        )

    def file_failed(self, message: str) -> None:
        self.query_one("#board-figures", Static).update(tr("app.load_failed", message=message))

    def _loaded(self, loaded: tuple[Board, str | None]) -> None:
        board, plan = loaded
        self.board = board
        self.query_one("#board-figures", Static).update(self._figures(board))
        share = board.citizen_share
        self.query_one("#big-arrived", Digits).update(str(board.arrived))
        self.query_one("#big-expected", Digits).update(str(board.expected))
        self.query_one("#big-share", Digits).update(f"{float(share) * 100:.0f}" if share is not None else "-")
        self.query_one("#big-arrived-label", Static).update(tr("app.board_arrived"))  # in the language of now
        self.query_one("#big-expected-label", Static).update(tr("app.board_expected"))
        self.query_one("#big-share-label", Static).update(f"{tr('app.board_share')} (%)")
        table = self.query_one("#absent", DataTable)
        row = table.cursor_row
        table.clear()
        hidden = tr("app.phone_hidden")
        keys = [str(key.value) for key in table.columns]
        for person in board.not_arrived:
            cells = {
                "number": person.number,
                "name": person.name,
                "category": category_label(person.category),
                "phone": (person.phone or "") if self.show_phones else (hidden if person.phone else ""),
                "confirmation": _answer(person.confirmation, self.narrow) if person.confirmation else "",
            }
            table.add_row(*(cells[key] for key in keys))
        if table.row_count:
            if self.big:
                # on a projector nobody scrolls: the list turns a page at every refresh
                page = max(1, table.scrollable_content_region.height - 1)
                row = row + page if row + page < table.row_count else 0
                table.move_cursor(row=min(row + page - 1, table.row_count - 1), animate=False)
                table.move_cursor(row=row, animate=False)
            else:
                table.move_cursor(row=min(row, table.row_count - 1), animate=False)
        self.sub_title = tr("app.board_subtitle", missing=len(board.not_arrived))
        line = self.query_one("#board-schedule", Static)
        line.display = bool(plan)
        line.update(plan or "")

    def _figures(self, board: Board) -> Table | Group:
        share = board.citizen_share
        share_text = f"{float(share):.0%}" if share is not None else "—"
        table = Table(title=tr("app.board_title"), expand=True)
        table.add_column(tr("app.col.category"))
        table.add_column(tr("app.board_arrived"), justify="right")
        table.add_column(tr("app.board_expected"), justify="right")
        for line in board.lines:
            table.add_row(Text(category_label(line.category)), str(line.arrived), str(line.expected))
        table.add_row(Text(tr("app.board_total"), style="bold"), str(board.arrived), str(board.expected))
        last = (board.last_scan_at or "—")[11:19] or "—"
        table.caption = f"{tr('app.board_share')} {share_text} · {tr('app.board_last_scan')} {last}"
        if not board.on_visit_only:
            return table
        names = listing(f"{p.name} {p.number}" for p in board.on_visit_only)
        note = Text(
            tr("app.board_on_visit_only", n=len(board.on_visit_only), names=names), style="bold yellow"
        )
        return Group(table, note)

    def action_toggle_big(self) -> None:
        self.big = not self.big
        self.set_class(self.big, "-big")
        self.query_one("#board-figures", Static).display = not self.big
        self.query_one("#board-big", Vertical).display = self.big
        self.load()
        self.call_after_refresh(self.fit)  # the list beside the digits: its room may differ

    def action_toggle_phones(self) -> None:
        self.show_phones = not self.show_phones
        self.load()

    def action_refresh(self) -> None:
        self.load()

    def relabel(self) -> None:
        super().relabel()
        self._columns()
        self.load()


def _answer(confirmation: str, narrow: bool) -> str:
    return tr(f"app.board_call.{confirmation}" if narrow else f"confirmation.{confirmation}")


def _column_specs(narrow: bool) -> list[tuple[str, str, list[str]]]:
    """(key, heading, widest values) of the not-arrived list; narrow: without the category,
    the calls in short words."""
    return [
        ("number", tr("app.col.number"), ["A0000"]),
        ("name", tr("app.col.name"), ["名" * 3]),
        *([] if narrow else [("category", tr("app.col.category"), [category_label(c) for c in CATEGORIES])]),
        ("phone", tr("app.col.phone"), ["0" * 11, tr("app.phone_hidden")]),
        ("confirmation", tr("app.col.confirmation"), [_answer(c, narrow) for c in ANSWERS]),
    ]
