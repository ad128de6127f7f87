"""One place that turns the codes the program stores into words the user reads.

The database keeps short codes (`citizen`, `pending`, `id_card` = `seen`, `not_token`,
operator `office` …) so that files stay comparable across languages and versions. Nothing
shown, printed or exported may carry them: screens, the CLI, exports, the ledger history,
the report and the results file all pass codes through `label()` (or, for entry checks,
`CheckLabels`), in the current language or the one asked for.

A code this module does not know is returned unchanged: that is the case for free text the
staff typed (an operator's own name, a department), never for a code of a closed set —
`tests/test_labels.py` checks every closed set has a label in both languages.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checkin.i18n import LANGUAGES, catalogue, current_language, pick, tr
from checkin.vocab import (
    CheckValue,
    Confirmation,
    Method,
    Outcome,
    PersonStatus,
    Reason,
    ReviewState,
    Source,
    SuggestionStatus,
    VerdictKind,
    codes,
)

if TYPE_CHECKING:  # the command line's words (run --screen) are read before sqlite-utils is
    from sqlite_utils import Database

# kind → (catalogue prefix, the codes of that kind). Each code must have `prefix.code`
# in both data/i18n/zh.toml and en.toml.
KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "category": (
        "category",
        (
            "citizen",
            "npc_deputy",
            "cppcc_member",
            "enterprise",
            "commissioner",
            "expert",
            "community",
            "retired",
            "monitor",
            "media",
            "other",
        ),
    ),
    "status": ("status", codes(PersonStatus)),
    "confirmation": ("confirmation", codes(Confirmation)),
    "verdict": ("verdict", codes(VerdictKind, Reason)),
    "method": ("labels.method", codes(Method)),
    "attendance": ("export.status", ("arrived", "turned_away", "no_show", "declined", "waiting")),
    "suggestion_status": ("ledger.status", codes(SuggestionStatus)),
    "outcome": ("ledger.outcome", codes(Outcome)),
    "source": ("ledger.source", codes(Source)),
    "urgency": ("ledger.urgency", ("overdue", "due_soon", "ok", "done")),
    "operator": ("labels.operator", ("office", "cli", "survey", "merge", "system")),
    "history_field": (
        "labels.field",
        (
            "created",
            "text",
            "category",
            "department",
            "raised_by",
            "status",
            "outcome",
            "reason",
            "reply",
            "handed_over_at",
            "replied_at",
            "due_date",
        ),
    ),
    "check_profile": ("checks", ("none", "id-only", "epidemic-2022")),
    "check_value": ("labels.check_value", codes(CheckValue)),
    "passed": ("labels.passed", ("1", "0")),
    # issue 17: review states and the notices told
    "review": ("review.state", codes(ReviewState)),
    "notice": ("notices.kind", ("approved", "rejected", "invited", "waiting", "moved_up", "not_needed")),
    # issue 19: the site visit's stop kinds and why someone left it
    "stop_kind": ("visit.kind", ("assembly", "visit", "forum", "return")),
    "leave_reason": ("visit.reason", ("went_home", "unwell", "other")),
    "assign_mode": ("visit.by", ("category", "group", "even")),  # buses assign --by
    # the command line's other closed sets (issue 17 audit): init/event set --ticket, survey
    # resolve --use, run --screen (the screens' ids, screens/modes.py)
    "ticket": ("cli_a17.ticket", ("invitation", "id-card", "either")),
    "survey_use": ("cli_a17.use", ("first", "second", "new")),
    "screen": (
        "cli_a17.screen",
        ("scan", "people", "board", "calls", "survey", "results", "ledger", "review", "rollcall"),
    ),
}

# History rows whose old/new values are codes of another kind.
_HISTORY_VALUE_KIND = {"status": "suggestion_status", "outcome": "outcome", "source": "source"}


def label(kind: str, code: object, lang: str | None = None) -> str:
    """The user's word for `code` of `kind` (`category`, `status`, `suggestion_status` …).

    None and "" give "" ; a code outside the known set comes back unchanged (free text).
    """
    if code is None or code == "":
        return ""
    text = str(code)
    if kind == "category":
        return _category(text, lang)
    prefix, _codes = KINDS[kind]
    key = f"{prefix}.{text}"
    found = catalogue(lang or current_language()).get(key)
    return found if found is not None else text


def _category(code: str, lang: str | None) -> str:
    # Per-event categories (issue 17) are labelled by categories.py; fall back to the catalogue.
    from checkin import categories

    labeller = getattr(categories, "category_label", None)
    if labeller is not None:
        text = str(labeller(code, lang=lang))
        if text != f"category.{code}":
            return text
    return catalogue(lang or current_language()).get(f"category.{code}", code)


def history_value(field: str, value: object, lang: str | None = None) -> str:
    """An old or new value in a suggestion's history, in words when it is a code."""
    kind = _HISTORY_VALUE_KIND.get(field)
    if kind is None:
        return "" if value is None else str(value)
    return label(kind, value, lang)


def table(kind: str, lang: str | None = None) -> list[tuple[str, str]]:
    """(code, label) for every code of `kind`, for the results file's label tables."""
    return [(code, label(kind, code, lang)) for code in KINDS[kind][1]]


def all_tables(lang: str | None = None) -> dict[str, list[tuple[str, str]]]:
    return {kind: table(kind, lang) for kind in KINDS}


def missing_labels() -> list[str]:
    """Catalogue keys a closed set needs but a language lacks (empty when complete)."""
    gaps = []
    for prefix, kind_codes in KINDS.values():
        for code in kind_codes:
            for lang in LANGUAGES:
                if f"{prefix}.{code}" not in catalogue(lang):
                    gaps.append(f"{lang}:{prefix}.{code}")
    return gaps


@dataclass(frozen=True)
class _CheckInfo:
    label_zh: str
    label_en: str
    unit: str
    choices: Mapping[str, tuple[str, str]]


class CheckLabels:
    """Names and answers of one event's entry checks, as its check profile words them."""

    def __init__(self, specs: Iterable[object]) -> None:
        self.profile_label = ""
        self._checks: dict[str, _CheckInfo] = {}
        for spec in specs:
            choices = {str(c.value): (str(c.label_zh), str(c.label_en)) for c in getattr(spec, "choices", ())}
            self._checks[str(getattr(spec, "name", ""))] = _CheckInfo(
                str(getattr(spec, "label_zh", "")),
                str(getattr(spec, "label_en", "")),
                str(getattr(spec, "unit", "") or ""),
                choices,
            )

    @classmethod
    def for_event(cls, db: Database) -> CheckLabels:
        """The labels of the check profile stored in the event file."""
        from checkin.errors import CheckinError
        from checkin.event import load_event

        try:
            return cls.for_event_profile(load_event(db))
        except CheckinError:
            return cls.for_event_profile(None)

    @classmethod
    def for_event_profile(cls, event: Any) -> CheckLabels:
        """The labels of `event`'s check profile (with the shipped 2022 checks for older results)."""
        from checkin.errors import CheckinError
        from checkin.profiles import load_profile

        specs: list[object] = []
        profile_label = ""
        if event is not None:
            with contextlib.suppress(CheckinError):
                profile = load_profile(event.checks, event.checks_toml)
                specs = list(profile.checks)
                profile_label = profile.label()
        seen = {str(getattr(s, "name", "")) for s in specs}
        with contextlib.suppress(CheckinError):  # the shipped profile is always there
            specs += [s for s in load_profile("epidemic-2022").checks if s.name not in seen]
        labels = cls(specs)
        labels.profile_label = profile_label
        return labels

    def name(self, check: str, lang: str | None = None) -> str:
        info = self._checks.get(check)
        if info is None:
            return tr("labels.check_other", lang=lang)
        return pick(info.label_zh, info.label_en, lang)

    def value(self, check: str, value: str, lang: str | None = None) -> str:
        info = self._checks.get(check)
        zh = (lang or current_language()) == "zh"
        if info is not None and value in info.choices:
            return info.choices[value][0 if zh else 1]
        known = catalogue(lang or current_language()).get(f"labels.check_value.{value}")
        if known is not None:
            return known
        if info is not None and info.unit:
            readings = [part.strip() for part in value.split(",") if part.strip()]
            if len(readings) == 2:  # a second reading after a high first one: both kept
                return tr("checks.two_readings", lang=lang, first=f"{readings[0]}{info.unit}",
                          second=f"{readings[1]}{info.unit}")  # fmt: skip
            return f"{value}{info.unit}"
        return value

    def check_code(self, text: str) -> str | None:
        """The check a user names, by its name or its label in either language (本人身份证 → id_card)."""
        wanted = text.strip().casefold()
        for code, info in self._checks.items():
            if wanted in {code.casefold(), info.label_zh.casefold(), info.label_en.casefold()}:
                return code
        return None

    def value_code(self, check: str, text: str) -> str:
        """An answer a user types, in words or as stored (绿码 → green, 已核验 → seen); anything
        else (an ID number, a temperature) as typed."""
        wanted = text.strip().casefold()
        info = self._checks.get(check)
        if info is not None:
            for value, (zh, en) in info.choices.items():
                if wanted in {value.casefold(), zh.casefold(), en.casefold()}:
                    return value
        prefix = "labels.check_value."
        for lang in ("zh", "en"):
            for key, words in catalogue(lang).items():
                if key.startswith(prefix) and str(words).casefold() == wanted:
                    return key[len(prefix) :]
        return text.strip()

    def result(self, check: str, value: str, lang: str | None = None) -> str:
        """`id_card`, `seen` → 本人身份证：已核验."""
        return tr(
            "labels.check_result",
            lang=lang,
            name=self.name(check, lang),
            value=self.value(check, value, lang),
        )


def history_rows(rows: Iterable[Mapping[str, Any]], lang: str | None = None) -> list[dict[str, str]]:
    """A suggestion's history (`ledger.history`) in words: who, what changed, from what to what."""
    return [
        {
            "at": str(row["at"]).replace("T", " "),  # 2026-11-27 14:05:09, as the screens show it
            "operator": label("operator", row["operator"], lang),
            "field": label("history_field", row["field"], lang),
            "old": history_value(str(row["field"]), row["old"], lang),
            "new": history_value(str(row["field"]), row["new"], lang),
        }
        for row in rows
    ]


def survey_words(template: Any, item: str, *values: Any) -> tuple[str, ...]:
    """A survey item and its answers as the printed form words them: (服务态度, 满意, 基本满意)."""
    from checkin.errors import CheckinError
    from checkin.survey import TEXT_ITEM

    if item == TEXT_ITEM:
        return (str(template.text_label()), *(f"“{v}”" for v in values))
    try:
        spec = template.item(item)
    except CheckinError:
        return (item, *(str(v) for v in values))
    words = []
    for value in values:
        try:
            words.append(str(spec.value_label(int(value))))
        except (TypeError, ValueError):
            words.append(str(value))
    return (str(spec.label()), *words)


def survey_item(template: Any, text: str) -> str:
    """The item a user names, by its name or its label on the form (工作成效 → effectiveness)."""
    from checkin.survey import TEXT_ITEM

    wanted = text.strip()
    if wanted in (TEXT_ITEM, template.text_label_zh, template.text_label_en):
        return str(TEXT_ITEM)
    for spec in template.items:
        if wanted in (spec.name, spec.label_zh, spec.label_en):
            return str(spec.name)
    return wanted


def mismatch_counts(template: Any, counts: Mapping[str, int], lang: str | None = None) -> str:
    """{effectiveness: 2} → 工作成效 2 (the two passes' disagreements per item)."""
    return tr("labels.list_sep", lang=lang).join(
        f"{survey_words(template, item)[0]} {n}" for item, n in sorted(counts.items())
    )
