"""The county office's screen (`checkin run --db county.db`): every unit at a glance.

One line per unit (plan filed, held, invited/came, citizen share, satisfaction, suggestions
closed on time, report and posting on time, how many breaches); the selected unit's breaches
in words with its contact and phone below; `m` shows only the units that still owe something
or broke a rule. The figures come from `checkin.county_status`, read by a worker thread.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from pathlib import Path

from rich.text import Text
from sqlite_utils import Database
from textual import on
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from checkin.county import county_db
from checkin.county_report import COLUMNS, county_table
from checkin.county_status import CountyStatus, UnitLine, build_status
from checkin.i18n import current_language, set_language, tr
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind, localise_bindings
from screens.plain import PlainNotify, PlainTable
from screens.tables import add_fixed_columns

WIDTHS = {"unit": 12, "people": 9, "citizen_share": 6, "satisfaction": 6, "suggestions": 5}  # fmt: skip


def _samples(column: str) -> list[str]:
    """The widest values a column holds: its words in the chosen language, or a width in cells."""
    words = {
        "planned": ("county.cell.planned_on_time", "county.cell.planned_late", "county.cell.not_planned"),
        "held": ("county.yes", "county.no"),
        "report": ("county.yes", "county.no"),
        "posting": ("county.yes", "county.no"),
    }
    if column in words:
        return [tr(key) for key in words[column]]
    return ["0" * WIDTHS[column]]


class CountyScreen(DeskScreen):
    """The county table, refreshed with `r`; `m` filters to the units that need a call."""

    DEFAULT_CSS = """
    #county-main { height: 1fr; }
    #county-summary { height: auto; padding: 0 1; }
    #county-units { height: 1fr; }
    #county-detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $primary; }
    """
    BINDINGS = [
        bind("r", "refresh", "refresh"),
        bind("m", "toggle_missing", "county_filter"),
    ]

    def __init__(self, db_path: Path, as_of: dt.date | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.as_of = as_of
        self.status: CountyStatus | None = None
        self.only_open = False

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="county-main"):
            yield Static(tr("app.loading"), id="county-summary", markup=False)
            yield PlainTable(id="county-units", cursor_type="row", zebra_stripes=True)
            yield Static("", id="county-detail", markup=False)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.load()

    def _columns(self) -> None:
        table = self.query_one("#county-units", DataTable)
        table.clear(columns=True)
        add_fixed_columns(
            table,
            # the screen's own (shorter) headings: in English the table's ran past 120 columns
            [(c, tr(f"county.col_screen.{c}"), _samples(c)) for c in COLUMNS if c != "breaches"]
            + [("breaches", tr("county.col_screen.breaches"), ["00"])],
        )

    def open_file(self) -> AbstractContextManager[Database]:
        return county_db(self.db_path)  # the county office's file, not an event

    def load(self) -> None:
        as_of = self.as_of or dt.date.today()
        self.run_in_file(
            lambda db: build_status(db, as_of), self._loaded, group="county", exclusive=True,
            description="load the county",
        )  # fmt: skip

    def file_failed(self, message: str) -> None:
        self.query_one("#county-summary", Static).update(tr("app.load_failed", message=message))

    def _loaded(self, status: CountyStatus) -> None:
        self.status = status
        self._show()

    def _lines(self) -> list[UnitLine]:
        assert self.status is not None
        return [u for u in self.status.units if not self.only_open or u.missing or u.breaches]

    def _show(self, cursor: int | None = None) -> None:
        if self.status is None:
            return
        status = self.status
        table_data = county_table(status)
        totals = status.totals
        self.title = table_data.title
        self.sub_title = tr("county.note_as_of", as_of=status.as_of.isoformat())
        summary = tr(
            "county.screen_summary",
            units=totals["units"],
            planned=totals["planned"],
            held=totals["held"],
            came=totals["came"],
            breaches=totals["breaches"],
            missing=len(status.missing),
        )
        if self.only_open:
            summary += "  " + tr("county.screen_filtered")
        self.query_one("#county-summary", Static).update(summary)
        table = self.query_one("#county-units", DataTable)
        cursor = table.cursor_row if cursor is None else cursor
        table.clear()
        rows = {r[0]: r for r in table_data.rows}
        for line in self._lines():
            cells: list[str | Text] = list(rows[line.unit.name][:-1])
            count = len(line.breaches)
            cells.append(Text(str(count), style="bold red") if count else Text("0", style="green"))
            table.add_row(*cells, key=line.unit.name)
        if table.row_count:
            table.move_cursor(row=min(max(cursor, 0), table.row_count - 1))
        self._detail()

    @on(DataTable.RowHighlighted, "#county-units")
    def _highlighted(self, _: DataTable.RowHighlighted) -> None:
        self._detail()

    def _detail(self) -> None:
        detail = self.query_one("#county-detail", Static)
        table = self.query_one("#county-units", DataTable)
        if self.status is None or not table.row_count:
            detail.update("")
            return
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        line = next((u for u in self.status.units if u.unit.name == name), None)
        if line is None:
            detail.update("")
            return
        text = Text()
        text.append(f"{line.unit.name}", style="bold")
        if line.unit.kind:
            text.append(tr("county.unit_kind", kind=line.unit.kind))
        text.append(
            f"  {tr('county.col.contact')} {line.unit.contact or '—'}  {tr('county.col.phone')} "
            f"{line.unit.phone or '—'}\n"
        )
        if line.results:
            text.append(tr("county.by_category", text=line.by_category_text() or "—") + "\n")
        if line.missing:
            missing = tr("labels.list_sep").join(tr(f"county.missing.{m}") for m in line.missing)
            text.append(
                tr("county.status_line", unit=tr("county.col.missing"), cells=missing) + "\n", style="yellow"
            )
        breaches = line.breach_texts()
        for item in breaches:
            text.append(f"• {item}\n", style="red")
        if not breaches:
            text.append(tr("county.screen_no_breach"), style="green")
        detail.update(text)

    def action_refresh(self) -> None:
        self.load()

    def action_toggle_missing(self) -> None:
        self.only_open = not self.only_open
        self._show()

    def relabel(self) -> None:
        super().relabel()
        cursor = self.query_one("#county-units", DataTable).cursor_row  # the unit being read stays
        self._columns()
        self._show(cursor)


class CountyApp(PlainNotify, App[None]):
    """县政务公开办公室: the county file's one screen."""

    CSS_PATH = "app.tcss"
    BINDINGS = [
        bind("ctrl+l", "toggle_language", "language"),
        bind("ctrl+q", "quit", "quit", priority=True),
    ]

    def __init__(self, db_path: str | Path, *, as_of: dt.date | None = None, still: bool = False) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.as_of = as_of
        self.still = still
        self.title = tr("county.screen_title")

    def on_mount(self) -> None:
        localise_bindings(self)
        self.push_screen(CountyScreen(self.db_path, self.as_of))

    def action_toggle_language(self) -> None:
        set_language("en" if current_language() == "zh" else "zh")
        localise_bindings(self)
        relabel = getattr(self.screen, "relabel", None)
        if callable(relabel):
            relabel()
