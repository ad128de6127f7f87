"""Keying paper survey forms (EpiData style) and the results with bar charts."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from sqlite_utils import Database
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from checkin.errors import CheckinError
from checkin.i18n import colon, tr
from checkin.labels import mismatch_counts, survey_words
from checkin.survey import (
    BLANK,
    Entry,
    Mismatch,
    SurveyKeyer,
    SurveySummary,
    Template,
    add_entry,
    event_template,
    format_form,
    keyed_entry,
    mismatches,
    parse_form,
    resolve,
    summarise,
)
from screens.base import DeskScreen
from screens.bindings import DeskFooter, bind, localise_bindings
from screens.plain import PlainTable

if TYPE_CHECKING:
    from screens.modes import Desk

BAR_WIDTH = 30


class KeyerWidget(Widget, can_focus=True):
    """One key per item: the value label appears beside it and the cursor moves on."""

    BINDINGS = [
        *(bind(str(d), f"press('{d}')", "answer", show=False) for d in range(10)),
        bind("backspace", "press('backspace')", "back"),
        bind("escape", "cancel", "cancel"),
    ]

    class ItemsDone(Message):
        pass

    @on(events.Mount)
    def _localise_own_keys(self) -> None:
        localise_bindings(self)  # mounted after a language switch: the new language

    class Cancelled(Message):
        pass

    def __init__(self, template: Template, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keyer = SurveyKeyer(template)
        self.form_label = ""

    def start(self, form_label: str) -> None:
        self.keyer = SurveyKeyer(self.keyer.template)
        self.form_label = form_label
        self.refresh(layout=True)

    def action_press(self, key: str) -> None:
        if not self.keyer.press(key):
            self.app.bell()
        self.refresh(layout=True)
        if self.keyer.items_done and key != "backspace":
            self.post_message(self.ItemsDone())

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_key(self, event: events.Key) -> None:
        """Keys are taken here, in arrival order (the bindings describe them): keys typed
        fast after the last answer belong to the suggestion box and are never lost."""
        if event.key == "escape":
            return
        if not self.keyer.items_done or event.key == "backspace":
            if event.key == "backspace" or (event.character or "").isdigit():
                self.action_press(event.key if event.key == "backspace" else str(event.character))
                event.stop()
                event.prevent_default()
            return
        screen = self.screen
        if not isinstance(screen, SurveyEntryScreen):
            return
        box = screen.query_one("#survey-text", Input)
        if event.key == "enter":
            screen.save_current(box.value)
        elif event.character and event.is_printable:
            box.display = True
            box.focus()
            box.insert_text_at_cursor(event.character)
        else:
            return
        event.stop()
        event.prevent_default()

    def render(self) -> Text:
        template = self.keyer.template
        text = Text()
        text.append(tr("app.survey_form", form=self.form_label) + "\n", style="bold")
        for index, item in enumerate(template.items):
            legend = "  ".join(f"[{v}] {item.value_label(v)}" for v in (*item.values, BLANK))
            if index < len(self.keyer.values):
                value = self.keyer.values[index]
                text.append(f" ✔ {index + 1}. {item.label()}{colon()}", style="green")
                text.append(f"{value} {item.value_label(value)}\n", style="bold green")
            elif index == len(self.keyer.values):
                text.append(f" ▶ {index + 1}. {item.label()}{colon()}", style="bold reverse")
                text.append(f" {legend}\n", style="bold")
            else:
                text.append(f"   {index + 1}. {item.label()}\n", style="dim")
        return text


class SurveyEntryScreen(DeskScreen):
    """Form number (scan the barcode or type it) → one key per item → suggestions → Enter saves."""

    CSS_PATH = "survey.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [bind("escape", "new_form", "new_form")]

    def __init__(self, db_path: Path, pass_no: int, operator: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.pass_no = pass_no
        self.operator = operator
        self.form: int | None = None
        self.template: Template | None = None
        self.saving = False
        self.next_form = ""  # a barcode scanned while the form before it was being saved

    @classmethod
    def from_desk(cls, desk: Desk) -> SurveyEntryScreen:
        return cls(desk.db_path, desk.survey_pass, desk.operator or "?")

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("", id="survey-title", markup=False)
        with Vertical(id="survey-body"):
            yield Input(
                placeholder=tr("app.survey_number_placeholder"), id="form-number", select_on_focus=False
            )
            yield Static("", id="survey-review", markup=False)
            yield Input(placeholder=tr("app.survey_text_placeholder"), id="survey-text")
        yield DeskFooter()

    def on_mount(self) -> None:
        self.query_one("#survey-text", Input).display = False
        self.query_one("#form-number", Input).focus()
        self.run_in_file(
            event_template, self._template_loaded, group="survey-open", description="survey form"
        )

    def _template_loaded(self, template: Template) -> None:
        self.template = template
        keyer = KeyerWidget(template, id="keyer")
        keyer.display = False
        self.query_one("#survey-body", Vertical).mount(keyer, after=self.query_one("#form-number"))
        self._title()
        if self.next_form:  # a number that came before the form's template was read
            text, self.next_form = self.next_form, ""
            self.open_form(text)

    def _title(self) -> None:
        assert self.template is not None
        blind = tr("app.survey_blind") if self.pass_no == 2 else ""
        self.query_one("#survey-title", Static).update(
            tr("app.survey_title", title=self.template.title(), pass_no=self.pass_no, blind=blind)
        )

    @on(Input.Submitted, "#form-number")
    def _form_entered(self, event: Input.Submitted) -> None:
        self.open_form(event.value)

    def receive_scan(self, text: str) -> None:
        """A form's barcode, wherever the focus is: it never becomes text. The form being
        keyed is saved first when its answers are complete (with the suggestion typed so
        far), or the volunteer is asked whether to abandon it."""
        try:
            form = parse_form(text)
        except CheckinError:
            self.app.bell()
            self.notify(tr("scanner.not_a_form"), severity="warning")
            return
        keyers = self.query(KeyerWidget)
        keyer = keyers.first() if keyers else None
        if self.form is None or keyer is None:
            self.open_form(text)
            return
        if form == self.form:
            return  # the same form's barcode again
        if keyer.keyer.items_done:
            self.next_form = text
            self.save_current(self.query_one("#survey-text", Input).value)
            return

        def answered(abandon: bool | None) -> None:
            if abandon:
                self.action_new_form()
                self.open_form(text)

        from screens.dialogs import ConfirmDialog

        self.app.bell()
        self.app.push_screen(
            ConfirmDialog(
                tr("app.survey_abandon", current=format_form(self.form), scanned=format_form(form))
            ),
            answered,
        )

    def open_form(self, value: str) -> None:
        """The keyer opens at once, so keys typed right after the scan are never lost; the
        file is asked meanwhile whether the number was printed and is still to be keyed."""
        try:
            form = parse_form(value)
        except CheckinError as exc:
            self.app.bell()
            self.notify(exc.message(), severity="error")
            return
        keyers = self.query(KeyerWidget)
        if not keyers:
            self.next_form = value  # opened as soon as the form's template has been read
            return
        self.query_one("#form-number", Input).value = ""
        self.form = form
        self.query_one("#survey-review", Static).update("")
        self.query_one("#survey-text", Input).value = ""
        keyer = keyers.first()
        keyer.start(format_form(form))
        keyer.display = True
        keyer.focus()
        pass_no = self.pass_no
        self.run_in_file(
            lambda db: keyed_entry(db, form, pass_no),
            partial(self._form_checked, form),
            failed=partial(self._form_refused, form),
            group="survey-open",
            description="open a survey form",
        )

    def _form_checked(self, form: int, existing: Entry | None) -> None:
        if existing is None or self.form != form:
            return
        self.action_new_form()
        self._review(form, existing.answers, existing.text, existing.operator, existing.at)

    def _form_refused(self, form: int, message: str) -> None:
        if self.form == form:
            self.action_new_form()
        self.app.bell()
        self.notify(message, severity="error")

    def _review(self, form: int, answers: list[int], text: str, operator: str, at: str) -> None:
        """A form already keyed opens read-only: never silently overwritten."""
        assert self.template is not None
        self.app.bell()
        lines = Text()
        lines.append(
            tr("app.survey_already", form=format_form(form), operator=operator, at=at[:16].replace("T", " "))
            + "\n",
            style="bold yellow",
        )
        for item, value in zip(self.template.items, answers, strict=True):
            lines.append(f"  {item.label()}{colon()}{value} {item.value_label(value)}\n")
        lines.append(f"  {self.template.text_label()}{colon()}{text or '—'}\n")
        self.query_one("#survey-review", Static).update(lines)

    @on(KeyerWidget.ItemsDone)
    def _to_text(self) -> None:
        box = self.query_one("#survey-text", Input)
        box.display = True
        box.focus()

    @on(KeyerWidget.Cancelled)
    def _cancelled(self) -> None:
        self.action_new_form()

    @on(Input.Submitted, "#survey-text")
    def _save(self, event: Input.Submitted) -> None:
        self.save_current(event.value)

    def save_current(self, text: str) -> None:
        keyer = self.query_one("#keyer", KeyerWidget)
        if self.form is None or not keyer.keyer.items_done or self.saving:
            self.app.bell()
            return
        self.saving = True
        self.save_entry(self.form, list(keyer.keyer.values), text)

    def save_entry(self, form: int, answers: list[int], text: str) -> None:
        pass_no, operator = self.pass_no, self.operator

        def save(db: Database) -> Entry:
            return add_entry(db, form, answers, text, pass_no=pass_no, operator=operator, station="survey")

        self.run_in_file(
            save,
            lambda _: self._saved(form),
            failed=self._save_failed,
            group="survey-save",
            exclusive=True,
            description="save a form",
        )

    def _saved(self, form: int) -> None:
        self.saving = False
        self.notify(tr("survey.saved", form=format_form(form), pass_no=self.pass_no))
        self.action_new_form()
        if self.next_form:
            text, self.next_form = self.next_form, ""
            self.open_form(text)

    def _save_failed(self, message: str) -> None:
        self.saving = False
        self.next_form = ""
        self.app.bell()
        self.notify(message, severity="error")

    def action_new_form(self) -> None:
        self.form = None
        for widget in self.query(KeyerWidget):
            widget.display = False
        self.query_one("#survey-text", Input).display = False
        box = self.query_one("#form-number", Input)
        box.value = ""
        box.focus()

    def relabel(self) -> None:
        super().relabel()
        self.query_one("#form-number", Input).placeholder = tr("app.survey_number_placeholder")
        self.query_one("#survey-text", Input).placeholder = tr("app.survey_text_placeholder")
        if self.template:
            self._title()


class ResultsScreen(DeskScreen):
    """Per item: a bar per answer with counts and shares, 满意率, mean; mismatches to resolve."""

    CSS_PATH = "survey.tcss"  # its own rules, read when it first opens (app.tcss: what all share)

    BINDINGS = [
        bind("r", "refresh", "refresh"),
        bind("1", "resolve('first')", "use_first"),
        bind("2", "resolve('second')", "use_second"),
    ]

    def __init__(self, db_path: Path, operator: str) -> None:
        super().__init__()
        self.db_path = db_path
        self.operator = operator
        self.summary: SurveySummary | None = None
        self.template: Template | None = None

    @classmethod
    def from_desk(cls, desk: Desk) -> ResultsScreen:
        return cls(desk.db_path, desk.operator or "?")

    def compose(self) -> ComposeResult:
        yield self.header()
        with Horizontal(id="results-main"):
            with VerticalScroll(id="results-left"):
                yield Static(tr("app.loading"), id="results-chart", markup=False)
            yield PlainTable(id="mismatches", cursor_type="row")
        yield DeskFooter()

    def on_mount(self) -> None:
        self._columns()
        self.load()

    def _columns(self) -> None:
        """The mismatches' headings, in the language of now (again after 中/EN)."""
        table = self.query_one("#mismatches", DataTable)
        table.clear(columns=True)
        for key in ("form", "item", "first", "second", "resolved"):
            table.add_column(tr(f"app.col.{key}"), key=key)

    def load(self) -> None:
        self.run_in_file(
            lambda db: (summarise(db), mismatches(db), event_template(db)),
            self._show,
            group="results",
            exclusive=True,
            description="survey results",
        )

    def _show(self, loaded: tuple[SurveySummary, list[Mismatch], Template]) -> None:
        summary, found, self.template = loaded
        self.summary = summary
        self.query_one("#results-chart", Static).update(self._chart(summary))
        table = self.query_one("#mismatches", DataTable)
        table.clear()
        for m in found:
            label, first, second = survey_words(self.template, m.item, m.first, m.second)
            resolved = survey_words(self.template, m.item, m.resolved)[1] if m.resolved is not None else "—"
            table.add_row(format_form(m.form), label, first, second, resolved, key=f"{m.form}|{m.item}")

    @staticmethod
    def _pct(value: float | None) -> str:
        return f"{value:.1%}" if value is not None else "—"

    def _chart(self, summary: SurveySummary) -> Table:
        caption = tr("survey.overall", rate=self._pct(summary.overall_rate), method=summary.overall_method)
        if summary.mismatches_per_item:
            counts = mismatch_counts(self.template, summary.mismatches_per_item)
            caption += "\n" + tr("survey.mismatch_counts", counts=counts)
        head = tr(
            "survey.summary_head",
            counted=summary.forms_counted,
            keyed=summary.forms_keyed,
            attended=summary.attended,
            rate=self._pct(summary.return_rate),
        )
        if summary.forms_excess:
            head += "\n" + tr(
                "report.forms_excess_note", excess=summary.forms_excess, attended=summary.attended
            )
        if summary.forms_in_conflict:  # keyed differently on two laptops: out until settled
            head += "\n" + tr("survey14.screen_note", count=summary.forms_in_conflict)
        table = Table(
            title=Text(head, style="table.title"),  # item names from the event's own form: text, not markup
            caption=Text(caption, style="table.caption"),
            expand=True,
            show_lines=True,
        )
        table.add_column(tr("app.col.item"))
        table.add_column(tr("app.col.answers"))
        table.add_column(tr("survey.rate"), justify="right")
        for item in summary.items:
            bars = Text()
            total = item.valid + item.blanks
            for value in (*sorted(item.counts), BLANK):
                count = item.blanks if value == BLANK else item.counts[value]
                width = round(BAR_WIDTH * count / total) if total else 0
                label = tr("survey.blank") if value == BLANK else f"{value}"
                style = (
                    "green"
                    if value in (1, 2) and item.scale == "3level"
                    else ("dim" if value == BLANK else "yellow")
                )
                bars.append(f"{label:>3} ", style="bold")
                bars.append("█" * width, style=style)
                share = item.share(value)
                bars.append(f" {count} ({self._pct(share)})\n")
            rate = self._pct(item.satisfaction_rate)
            if item.mean is not None:
                rate += f"\n{tr('survey.mean')} {item.mean:.2f}"
            table.add_row(Text(item.label), bars, Text(rate))
        return table

    def action_refresh(self) -> None:
        self.load()

    def action_resolve(self, choice: str) -> None:
        table = self.query_one("#mismatches", DataTable)
        if not table.row_count:
            self.app.bell()
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        form, item = key.split("|", 1)
        self.save_resolution(int(form), item, choice)

    def save_resolution(self, form: int, item: str, choice: str) -> None:
        def resolved(value: str) -> None:
            words = survey_words(self.template, item, value)
            self.notify(tr("survey.resolved", form=format_form(form), item=words[0], value=words[1]))
            self.load()

        operator = self.operator
        self.run_in_file(
            lambda db: resolve(db, form, item, choice, operator=operator),
            resolved,
            group="results-save",
            description="resolve a mismatch",
        )

    def relabel(self) -> None:
        super().relabel()
        self._columns()
        self.load()
