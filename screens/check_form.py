"""The entry-check form shown in place on the scan screen: one key per answer.

The first failing answer ends the form (the door refuses at once); answers are shown in
words, passed ones ✔ in green, the failed one ✗ in red. On a small terminal (80×24) only
the lines around the current item are drawn, so the item being asked is always in view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.binding import BindingType
from textual.message import Message
from textual.widget import Widget

from checkin.i18n import colon, tr
from checkin.profiles import CheckForm, CheckSpec, Profile, answer_passes
from screens.bindings import bind, localise_bindings

if TYPE_CHECKING:
    from checkin.door import Verdict

FORM_KEYS = [str(d) for d in range(10)] + ["x", "y", "n"]


class CheckFormWidget(Widget, can_focus=True):
    """Renders a `CheckForm` and feeds it keys; refuses illegal keys with the bell."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(bind(key, f"press('{key}')", "answer", show=False) for key in FORM_KEYS),
        bind("enter", "press('enter')", "confirm"),
        bind("backspace", "press('backspace')", "back"),
        bind("escape", "cancel", "cancel_checks"),
    ]

    class Completed(Message):
        def __init__(self, answers: dict[str, str]) -> None:
            super().__init__()
            self.answers = answers

    class Cancelled(Message):
        pass

    @on(events.Mount)
    def _localise_own_keys(self) -> None:
        localise_bindings(self)  # a form mounted after a language switch speaks the new one

    def __init__(self, profile: Profile, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.form = CheckForm(profile)
        self.who = ""
        self.card_read: set[str] = set()  # items answered by an ID-card reader
        self.failed_names: set[str] = set()  # items the door refused on (an ID number that did not match)
        self.finished = False
        self.refused = False  # the answers are complete but the door could not save them

    def start(self, who: str, prefilled: dict[str, str] | None = None) -> None:
        self.form = CheckForm(self.form.profile)
        self.card_read = set()
        self.failed_names = set()
        self.finished = False
        self.refused = False
        for name, value in (prefilled or {}).items():
            if self.form.current and self.form.current.name == name:
                self.form.answer(name, value)
                self.card_read.add(name)
        self.who = who
        self.refresh(layout=True)

    def asks(self, name: str) -> bool:
        return not self.finished and self.form.current is not None and self.form.current.name == name

    def answer_with_card(self, name: str, id_number: str) -> None:
        """An ID-card reader swipe answers the ID item (the door compares it with the hash)."""
        step = self.form.answer(name, id_number)
        if not step.accepted:
            self.app.bell()
            return
        self.card_read.add(name)
        self.refresh(layout=True)
        if step.complete:
            self.post_message(self.Completed(dict(self.form.answers)))

    def finish(self, verdict: Verdict) -> None:
        """The door's verdict is in: the form stays in view, read-only, the failure marked."""
        self.finished = True
        self.failed_names = {r.name for r in verdict.failed}
        self.refresh(layout=True)

    def retry(self) -> None:
        """The door refused to save the answers (file busy, disk full): they stay, Enter sends
        them again, Backspace goes back an item, Esc cancels."""
        self.refused = True
        self.refresh(layout=True)

    def action_press(self, key: str) -> None:
        if self.finished:
            self.app.bell()
            return
        if self.refused:
            self.refused = False
            if key == "enter":
                self.refresh(layout=True)
                self.post_message(self.Completed(dict(self.form.answers)))
                return
        step = self.form.press(key)
        if not step.accepted:
            self.app.bell()
        elif step.complete:
            self.post_message(self.Completed(dict(self.form.answers)))
        self.refresh(layout=True)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def on_key(self, event: events.Key) -> None:
        """Answer keys are taken here, in arrival order, so keys that arrive together are
        never overtaken by the form's own messages (the bindings describe them)."""
        key = event.key
        if key in FORM_KEYS or key in ("enter", "backspace"):
            self.action_press(key)
            event.stop()
            event.prevent_default()

    def _legend(self, spec: CheckSpec) -> str:
        if spec.kind == "choice":
            return "  ".join(f"[{c.key}] {c.label()}" for c in spec.choices)
        if spec.kind == "yesno":
            return f"[1] {tr('app.yes')}  [2] {tr('app.no')}"
        return spec.hint()

    def _answer_label(self, spec: CheckSpec, value: str) -> str:
        if spec.kind == "id":
            if spec.name in self.card_read:
                return tr("app.id_read")
            return tr("app.id_seen") if value == "seen" else tr("app.id_typed")
        return spec.value_label(value)

    def _lines(self) -> tuple[list[Text], int]:
        """One Text per line, and the index of the current item's line."""
        lines: list[Text] = []
        current_line = 0
        answers = self.form.answers
        for spec in self.form.profile.checks:
            if not spec.applies(answers):
                continue
            line = Text()
            if spec.name in answers:
                value = answers[spec.name]
                failed = spec.name in self.failed_names or not answer_passes(spec, value)
                if failed:
                    line.append(f" ✗ {spec.label()}{colon()}", style="bold red")
                    line.append(self._answer_label(spec, value), style="bold red")
                    current_line = len(lines)
                else:
                    line.append(f" ✔ {spec.label()}{colon()}", style="green")
                    line.append(self._answer_label(spec, value), style="bold green")
            elif self.form.current is spec and not self.finished:
                current_line = len(lines)
                line.append(f" ▶ {spec.label()}{colon()}", style="bold reverse")
                typed = self.form.buffer
                if spec.kind == "number" and self.form.readings:
                    line.append(
                        tr("app.retry_temperature", first=f"{self.form.readings[0]:.1f}") + " ",
                        style="bold red",
                    )
                if typed:
                    line.append(typed + "▏ ", style="bold")
                line.append(self._legend(spec), style="bold")
            elif self.form.failed is not None or self.finished:
                line.append(f"   {spec.label()}{colon()}{tr('app.not_asked')}", style="dim")
            else:
                line.append(f"   {spec.label()}", style="dim")
            lines.append(line)
        return lines, current_line

    def render(self) -> Text:
        """The form laid out here, line by line, for the room it has: the current (or the
        failed) item wraps whole, every other line is one line (cut with "…" when too long:
        a wrapped "✔" stood alone on a line, and wrapped lines pushed the item being asked
        out of view at 80×24), and when the items do not all fit, those around the current
        one are shown."""
        items, current = self._lines()
        width = max(self.content_size.width, 10) if self.content_size.width else 200
        room = self.content_size.height or 1000
        console = self.app.console

        def wrapped(line: Text) -> list[Text]:
            return list(line.wrap(console, width, overflow="fold"))

        def one_line(line: Text) -> Text:
            cut = line.copy()
            cut.truncate(width, overflow="ellipsis")
            return cut

        title = one_line(Text(tr("app.checks_for", who=self.who), style="bold"))
        if self.refused:
            hint = wrapped(Text(tr("app.checks_not_saved"), style="bold red"))
        elif self.finished:
            hint = []  # read-only now: its keys no longer act ("Esc = cancel" would mislead)
        else:
            hint = wrapped(Text(tr("app.form_keys_hint"), style="dim"))
        rows = [wrapped(line) if index == current else [one_line(line)] for index, line in enumerate(items)]
        shown = list(range(len(rows)))
        if 1 + sum(len(r) for r in rows) + len(hint) > room:
            hint = []  # the current item stays in view: a window of items around it
            space = max(1, room - 1)
            shown = [current] if rows else []
            used = sum(len(rows[i]) for i in shown)
            sides = {1: current + 1, -1: current - 1}  # the next item, then the one before
            while sides:
                for step, index in list(sides.items()):
                    if 0 <= index < len(rows) and used + len(rows[index]) <= space:
                        shown.append(index)
                        used += len(rows[index])
                        sides[step] = index + step
                    else:
                        del sides[step]  # no gaps: this side ends here
            shown.sort()
        lines = [title, *(line for index in shown for line in rows[index]), *hint]
        text = Text("\n").join(lines)
        text.no_wrap = True  # laid out above: nothing more to wrap
        return text
