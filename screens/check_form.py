"""The entry-check form shown in place on the scan screen: one key per answer."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.message import Message
from textual.widget import Widget

from checkin.i18n import tr
from checkin.profiles import CheckForm, CheckSpec, Profile
from screens.bindings import bind

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

    def __init__(self, profile: Profile, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.form = CheckForm(profile)
        self.who = ""

    def start(self, who: str, prefilled: dict[str, str] | None = None) -> None:
        self.form = CheckForm(self.form.profile)
        for name, value in (prefilled or {}).items():
            if self.form.current and self.form.current.name == name:
                self.form._finish(self.form.current, value)
        self.who = who
        self.refresh(layout=True)

    def action_press(self, key: str) -> None:
        step = self.form.press(key)
        if not step.accepted:
            self.app.bell()
        elif step.complete:
            self.post_message(self.Completed(dict(self.form.answers)))
        self.refresh(layout=True)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

    def _legend(self, spec: CheckSpec) -> str:
        if spec.kind == "choice":
            return "  ".join(f"[{c.key}] {c.label()}" for c in spec.choices)
        if spec.kind == "yesno":
            return f"[1] {tr('app.yes')}  [2] {tr('app.no')}"
        return spec.hint()

    def _answer_label(self, spec: CheckSpec, value: str) -> str:
        if spec.kind == "choice":
            choice = spec.choice_for(value)
            return choice.label() if choice else value
        if spec.kind == "yesno":
            return tr("app.yes") if value == "yes" else tr("app.no")
        if spec.kind == "id":
            return tr("app.id_seen") if value == "seen" else tr("app.id_typed")
        return f"{value} {spec.unit}"

    def render(self) -> Text:
        text = Text()
        text.append(tr("app.checks_for", who=self.who) + "\n", style="bold")
        answers = self.form.answers
        for spec in self.form.profile.checks:
            if not spec.applies(answers):
                continue
            current = self.form.current is spec
            if spec.name in answers:
                text.append(f" ✔ {spec.label()}：", style="green")
                text.append(self._answer_label(spec, answers[spec.name]) + "\n", style="bold green")
            elif current:
                text.append(f" ▶ {spec.label()}：", style="bold reverse")
                typed = self.form.buffer
                if spec.kind == "number" and self.form.readings:
                    text.append(
                        tr("app.retry_temperature", first=f"{self.form.readings[0]:.1f}") + " ",
                        style="bold red",
                    )
                if typed:
                    text.append(typed + "▏ ", style="bold")
                text.append(self._legend(spec) + "\n", style="bold")
            else:
                text.append(f"   {spec.label()}\n", style="dim")
        text.append(tr("app.form_keys_hint"), style="dim")
        return text
