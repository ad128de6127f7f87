"""The event overview: the event's facts and the invitee list with status."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from checkin.categories import category_label
from checkin.event import CHECK_PROFILES, Event, load_event
from checkin.i18n import colon, tr
from checkin.people import Person, confirmed_count, list_people, status_counts
from checkin.review import display_status
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk

FILTERS: tuple[str | None, ...] = (None, "invited", "waiting", "declined", "signed_up")
STATUS_STYLE = {
    "invited": "bold green",
    "waiting": "yellow",
    "declined": "red",
    "signed_up": "",
    "removed": "dim",
}


@dataclass
class PeopleLoaded:
    event: Event
    people: list[Person]
    counts: dict[str, int]
    confirmed: int


class OverviewScreen(DeskScreen):
    """Event facts on top, the people below; loads in a worker thread."""

    CSS_PATH = "overview.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("r", "refresh", "refresh"),
        bind("f", "cycle_filter", "filter"),
    ]

    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        self.filter_index = 0
        self.people: list[Person] = []

    @classmethod
    def from_desk(cls, desk: Desk) -> OverviewScreen:
        return cls(desk.db_path)

    def compose(self) -> ComposeResult:
        yield self.header()
        with Vertical(id="overview"):
            yield Static(tr("app.loading"), id="event-facts", markup=False)
            yield Static("", id="summary", markup=False)
            yield PlainTable(id="people", cursor_type="row", zebra_stripes=True)
        yield DeskFooter()

    def on_mount(self) -> None:
        self._set_columns()
        self.load_people()

    def _set_columns(self) -> None:
        table = self.query_one("#people", DataTable)
        table.clear(columns=True)
        for key in ("number", "name", "category", "status", "confirmation", "id", "phone"):
            table.add_column(tr(f"app.col.{key}"), key=key)

    def load_people(self) -> None:
        """Read the event and people on a worker thread with its own connection."""
        self.run_in_file(
            lambda db: PeopleLoaded(load_event(db), list_people(db), status_counts(db), confirmed_count(db)),
            self._show_people,
            group="load",
            exclusive=True,
            description="load people",
        )

    def file_failed(self, message: str) -> None:
        self.query_one("#event-facts", Static).update(tr("app.load_failed", message=message))
        self.notify(tr("app.load_failed", message=message), severity="error")

    def _show_people(self, message: PeopleLoaded) -> None:
        self.people = message.people
        self.query_one("#event-facts", Static).update(self._facts(message.event))
        counts = message.counts
        self.query_one("#summary", Static).update(
            tr(
                "app.summary",
                total=sum(counts.values()),
                invited=counts["invited"],
                waiting=counts["waiting"],
                declined=counts["declined"],
                confirmed=message.confirmed,
            )
        )
        self._fill_table()

    def _facts(self, event: Event) -> Text:
        checks = tr(f"checks.{event.checks}") if event.checks in CHECK_PROFILES else event.checks
        text = Text()
        text.append(event.title + "\n", style="bold")
        when = f"{event.date.isoformat()} {event.starts or ''}–{event.ends or ''}"
        parts = [
            (tr("event.f.date"), when),
            (tr("event.f.location"), event.location or "—"),
            (tr("event.f.meeting_point"), event.meeting_point or "—"),
            (tr("event.f.capacity"), str(event.capacity)),
            (tr("event.f.checks"), checks),
        ]
        text.append("  ".join(f"{label}{colon()}{value}" for label, value in parts))
        return text

    def _fill_table(self) -> None:
        table = self.query_one("#people", DataTable)
        table.clear()
        wanted = FILTERS[self.filter_index]
        shown = [p for p in self.people if wanted is None or p.status == wanted]
        for p in shown:
            table.add_row(
                p.number,
                p.name,
                category_label(p.category),
                Text(display_status(p.status, p.review), style=STATUS_STYLE.get(p.status, "")),
                tr(f"confirmation.{p.confirmation}") if p.confirmation else "",
                p.id_masked,
                p.phone or "",
                key=p.number,
            )
        label = tr(f"status.{wanted}") if wanted else tr("app.filter_all")
        self.sub_title = tr("app.filter_label", status=label)
        if not self.people:
            self.notify(tr("app.no_people"))

    def action_refresh(self) -> None:
        self.load_people()

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self._fill_table()

    def relabel(self) -> None:
        """Redraw every label after a language switch."""
        super().relabel()
        self._set_columns()
        self.load_people()
