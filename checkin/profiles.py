"""Entry-check profiles (入场查验) and the one-key-per-answer form that fills them.

A profile is a TOML file in `data/profiles/` (or the user's own): each check has a name,
Chinese and English labels, a kind (`id`, `choice`, `number`, `yesno`), its passing rule,
and the keys that answer it. `CheckForm` is the keystroke state machine the door screen
drives; it lives here so that every rule is tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checkin import tomlfile as toml
from checkin.errors import CheckinError
from checkin.i18n import pick, tr
from checkin.paths import data_dir

KINDS = ("id", "choice", "number", "yesno")
YES_KEYS = {"1": "yes", "y": "yes", "2": "no", "n": "no"}
ID_CHARS = set("0123456789Xx")


@dataclass(frozen=True)
class Choice:
    key: str
    value: str
    label_zh: str
    label_en: str
    passes: bool

    def label(self) -> str:
        return pick(self.label_zh, self.label_en)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    kind: str
    label_zh: str
    label_en: str
    hint_zh: str = ""
    hint_en: str = ""
    choices: tuple[Choice, ...] = ()
    refuse_at: float | None = None
    retry: bool = False
    unit: str = ""
    only_if: tuple[str, str] | None = None

    def label(self) -> str:
        return pick(self.label_zh, self.label_en)

    def hint(self) -> str:
        return pick(self.hint_zh, self.hint_en)

    def applies(self, answers: Mapping[str, str]) -> bool:
        if self.only_if is None:
            return True
        check, value = self.only_if
        return answers.get(check) == value

    def choice_for(self, key_or_value: str) -> Choice | None:
        for choice in self.choices:
            if key_or_value in (choice.key, choice.value):
                return choice
        return None

    def value_label(self, value: str) -> str:
        """A kept answer in words (红码, 38.0℃ → 38.0℃), never the stored code."""
        if self.kind == "choice":
            choice = self.choice_for(value)
            return choice.label() if choice else tr("checks.value_unknown")
        if self.kind == "yesno":
            return tr("app.yes") if YES_KEYS.get(value, value) == "yes" else tr("app.no")
        if self.kind == "id":
            key = value if value in ("seen", "matched", "mismatch") else "typed"
            return tr(f"checks.id_{key}")
        readings = [part for part in value.split(",") if part.strip()]
        unit = self.unit or ""
        if len(readings) == 2:
            return tr("checks.two_readings", first=f"{readings[0]}{unit}", second=f"{readings[1]}{unit}")
        return f"{value}{unit}"


@dataclass(frozen=True)
class Profile:
    name: str
    label_zh: str
    label_en: str
    checks: tuple[CheckSpec, ...] = ()

    def label(self) -> str:
        return pick(self.label_zh, self.label_en)

    def check(self, name: str) -> CheckSpec:
        for spec in self.checks:
            if spec.name == name:
                return spec
        raise CheckinError("checks.unknown", name=name)

    def has(self, name: str) -> bool:
        return any(spec.name == name for spec in self.checks)

    def label_of(self, name: str) -> str:
        """A check's label in words; a name this profile does not know stays hidden behind a word."""
        for spec in self.checks:
            if spec.name == name:
                return spec.label()
        return tr("checks.unknown_check")


def _spec(raw: dict[str, Any], index: int) -> CheckSpec:
    place = toml.where("check", index, raw)
    kind = toml.one_of(toml.text(raw, "kind", place), KINDS, "kind", place)
    only_if = raw.get("only_if")
    if only_if is not None and not isinstance(only_if, dict):
        raise toml.fault("bad_value", where=place, field="only_if", value=toml.shown(only_if))
    return CheckSpec(
        name=toml.text(raw, "name", place),
        kind=kind,
        label_zh=toml.text(raw, "label_zh", place),
        label_en=toml.text(raw, "label_en", place),
        hint_zh=toml.text(raw, "hint_zh", place, ""),
        hint_en=toml.text(raw, "hint_en", place, ""),
        choices=tuple(
            _choice(choice, toml.where("choice", number, choice, within=place))
            for number, choice in enumerate(toml.tables(raw, "choices", "choice", required=kind == "choice"))
        ),
        refuse_at=toml.number(raw, "refuse_at", place),
        retry=toml.flag(raw, "retry", place, False),
        unit=toml.text(raw, "unit", place, ""),
        only_if=(toml.text(only_if, "check", place), toml.text(only_if, "value", place)) if only_if else None,
    )


def _choice(raw: dict[str, Any], place: str) -> Choice:
    key, value, label_zh, label_en = (
        toml.text(raw, name, place) for name in ("key", "value", "label_zh", "label_en")
    )
    return Choice(key, value, label_zh, label_en, toml.flag(raw, "passes", place))


def load_profile(name_or_path: str, text: str | None = None) -> Profile:
    """A shipped profile by name (`none`, `id-only`, `epidemic-2022`), a TOML file, or the
    TOML text stored in the event file when the event was created from a custom profile.
    Every fault is said in words: the file, and where in it (line and column, or which check
    and which key), never the TOML parser's English."""
    shipped = data_dir() / "profiles" / f"{name_or_path}.toml"
    path = shipped if shipped.is_file() else Path(name_or_path)
    try:
        raw = toml.parse_toml(text) if text is not None and not shipped.is_file() else toml.read_toml(path)
        head = raw.get("profile", {})
        if not isinstance(head, dict):
            raise toml.fault("missing_table", table="profile")
        checks = tuple(
            _spec(c, index) for index, c in enumerate(toml.tables(raw, "checks", "check", required=False))
        )
        names = [c.name for c in checks]
        twice = [name for name in names if names.count(name) > 1]
        if twice:
            raise toml.fault("duplicate", name=toml.shown(twice[0]))
        profile = Profile(
            name=toml.text(head, "name", "[profile]", path.stem),
            label_zh=toml.text(head, "label_zh", "[profile]", path.stem),
            label_en=toml.text(head, "label_en", "[profile]", path.stem),
            checks=checks,
        )
    except FileNotFoundError:
        raise CheckinError("event.bad_checks", value=name_or_path) from None
    except CheckinError as exc:
        raise CheckinError("checks.bad_profile", path=str(path), error=exc.message()) from None
    return profile


# ---------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class CheckResult:
    name: str
    value: str  # what is kept: never an ID number ("seen", "matched", "mismatch")
    passed: bool


@dataclass
class Evaluation:
    results: list[CheckResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]


def parse_temperature(text: str) -> float:
    """'36.5', '365' or the short form '65' (36.5) → 36.5; CheckinError otherwise."""
    value = text.strip().replace("℃", "").replace("°C", "")
    try:
        if "." in value:
            number = float(value)
        elif value.isdigit() and len(value) == 2:
            number = 30 + int(value) / 10
        elif value.isdigit() and len(value) == 3:
            number = int(value) / 10
        else:
            raise ValueError(value)
    except ValueError:
        raise CheckinError("checks.bad_temperature", value=text) from None
    if not 30.0 <= number <= 45.0:
        raise CheckinError("checks.bad_temperature", value=text)
    return round(number, 1)


def evaluate(profile: Profile, answers: Mapping[str, str], id_matches: Callable[[str], bool]) -> Evaluation:
    """Judge the answers in order, stopping at the first failure (the rest are not asked).
    `id_matches(typed)` compares a typed ID with the invitee's hash."""
    outcome = Evaluation()
    for spec in profile.checks:
        if outcome.failed:
            break
        if not spec.applies(answers):
            continue
        raw = answers.get(spec.name)
        if raw is None or raw == "":
            outcome.missing.append(spec.name)
            continue
        if spec.kind == "id":
            if raw.lower() in ("seen", "yes", "1", "y"):
                outcome.results.append(CheckResult(spec.name, "seen", True))
            else:
                ok = id_matches(raw)
                outcome.results.append(CheckResult(spec.name, "matched" if ok else "mismatch", ok))
        elif spec.kind == "choice":
            choice = spec.choice_for(raw)
            if choice is None:
                raise CheckinError("checks.bad_value", name=spec.name, value=raw)
            outcome.results.append(CheckResult(spec.name, choice.value, choice.passes))
        elif spec.kind == "yesno":
            answer = YES_KEYS.get(raw.lower(), raw.lower())
            if answer not in ("yes", "no"):
                raise CheckinError("checks.bad_value", name=spec.name, value=raw)
            outcome.results.append(CheckResult(spec.name, answer, answer == "yes"))
        else:  # number, e.g. temperature with an optional second measurement
            readings = [parse_temperature(part) for part in raw.split(",") if part.strip()]
            if not readings or len(readings) > 2:
                raise CheckinError("checks.bad_value", name=spec.name, value=raw)
            limit = spec.refuse_at
            passed = limit is None or readings[-1] < limit
            kept = ",".join(f"{r:.1f}" for r in readings)
            outcome.results.append(CheckResult(spec.name, kept, passed))
    return outcome


# ---------------------------------------------------------------- the keyed form


def answer_passes(spec: CheckSpec, value: str) -> bool:
    """Whether one answer passes on its own (an ID number typed in is judged by the door)."""
    if spec.kind == "choice":
        choice = spec.choice_for(value)
        return choice is not None and choice.passes
    if spec.kind == "yesno":
        return YES_KEYS.get(value, value) == "yes"
    if spec.kind == "number":
        try:
            last = parse_temperature(value.split(",")[-1])
        except CheckinError:
            return False
        return spec.refuse_at is None or last < spec.refuse_at
    return True


@dataclass
class FormStep:
    """What a key press did: accepted (maybe completing the form) or refused (bell)."""

    accepted: bool
    complete: bool = False
    message: str = ""


class CheckForm:
    """One key per answer, moving on by itself; Backspace goes back; refuses illegal keys."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.answers: dict[str, str] = {}
        self.buffer = ""
        self.readings: list[float] = []
        self.index = 0
        self.failed: CheckSpec | None = None
        self._skip_forward()

    # the checks that apply, given the answers so far
    def _applicable(self) -> list[CheckSpec]:
        return [c for c in self.profile.checks if c.applies(self.answers)]

    def _skip_forward(self) -> None:
        while self.index < len(self.profile.checks) and not self.profile.checks[self.index].applies(
            self.answers
        ):
            self.index += 1

    @property
    def current(self) -> CheckSpec | None:
        return self.profile.checks[self.index] if self.index < len(self.profile.checks) else None

    @property
    def complete(self) -> bool:
        return self.current is None

    @property
    def keystrokes_expected(self) -> int:
        return len(self._applicable())

    def _finish(self, spec: CheckSpec, value: str) -> FormStep:
        self.answers[spec.name] = value
        self.buffer = ""
        self.readings = []
        if not answer_passes(spec, value):
            # the first failing answer ends the form: the rest are not asked
            self.failed = spec
            self.index = len(self.profile.checks)
            return FormStep(True, True)
        self.index += 1
        self._skip_forward()
        return FormStep(True, self.complete)

    def answer(self, name: str, value: str) -> FormStep:
        """Answer the current item from outside the keys (an ID-card reader swipe)."""
        spec = self.current
        if spec is None or spec.name != name:
            return FormStep(False)
        return self._finish(spec, value)

    def press(self, key: str) -> FormStep:
        spec = self.current
        if spec is None:
            return FormStep(False)
        if key == "backspace":
            return self._back()
        if spec.kind == "id":
            if key == "enter":
                return self._finish(spec, self.buffer or "seen")
            if len(key) == 1 and key in ID_CHARS and len(self.buffer) < 18:
                self.buffer += key.upper()
                return FormStep(True)
            return FormStep(False)
        if spec.kind == "choice":
            choice = spec.choice_for(key) if len(key) == 1 else None
            if choice is None:
                return FormStep(False)
            return self._finish(spec, choice.value)
        if spec.kind == "yesno":
            if key not in YES_KEYS:
                return FormStep(False)
            return self._finish(spec, YES_KEYS[key])
        # number: two digits (36.5 typed as 65) or three when it starts with 3 or 4
        if not (len(key) == 1 and key.isdigit()):
            return FormStep(False)
        self.buffer += key
        needed = 3 if self.buffer[0] in "34" else 2
        if len(self.buffer) < needed:
            return FormStep(True)
        try:
            reading = parse_temperature(self.buffer)
        except CheckinError:
            self.buffer = ""
            return FormStep(False)
        self.buffer = ""
        self.readings.append(reading)
        too_high = spec.refuse_at is not None and reading >= spec.refuse_at
        if too_high and spec.retry and len(self.readings) == 1:
            return FormStep(True, message="retry")
        value = ",".join(f"{r:.1f}" for r in self.readings)
        return self._finish(spec, value)

    def _back(self) -> FormStep:
        if self.failed is not None:
            return FormStep(False)
        if self.buffer:
            self.buffer = self.buffer[:-1]
            return FormStep(True)
        if self.readings:
            self.readings = []
            return FormStep(True)
        previous = self.index - 1
        while previous >= 0 and not self.profile.checks[previous].applies(self.answers):
            previous -= 1
        if previous < 0:
            return FormStep(False)
        self.answers.pop(self.profile.checks[previous].name, None)
        # answers after the one reopened no longer hold
        for later in self.profile.checks[previous + 1 :]:
            self.answers.pop(later.name, None)
        self.index = previous
        return FormStep(True)
