"""Paper survey forms (满意度测评 / 意见建议): templates, numbered forms, keying, double entry, results.

Keying follows EpiData: one key per closed item, the cursor moving on by itself, illegal
keys refused on the spot; a second, blind pass compared field by field; a third person
resolves each mismatch against the paper. Only resolved forms count in results.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from checkin import tomlfile as toml
from checkin.errors import CheckinError
from checkin.event import load_event
from checkin.i18n import pick, tr
from checkin.paths import data_dir
from checkin.storage import write_transaction

BLANK = 0
SCALES: dict[str, tuple[int, ...]] = {"3level": (1, 2, 3), "5point": (1, 2, 3, 4, 5), "yesno": (1, 2)}
# which answers count as satisfied: 满意 + 基本满意; 4–5 of five; yes
SATISFIED: dict[str, tuple[int, ...]] = {"3level": (1, 2), "5point": (4, 5), "yesno": (1,)}
TEXT_ITEM = "text"
_FORM = re.compile(r"^F?0*([0-9]{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class SurveyItem:
    name: str
    label_zh: str
    label_en: str
    scale: str

    def label(self) -> str:
        return pick(self.label_zh, self.label_en)

    @property
    def values(self) -> tuple[int, ...]:
        return SCALES[self.scale]

    def value_label(self, value: int) -> str:
        if value == BLANK:
            return tr("survey.blank")
        if self.scale == "5point":
            return str(value)
        return tr(f"survey.scale.{self.scale}.{value}")


@dataclass(frozen=True)
class Template:
    name: str
    title_zh: str
    title_en: str
    text_label_zh: str
    text_label_en: str
    items: tuple[SurveyItem, ...]
    overall: str | None = None

    def title(self) -> str:
        return pick(self.title_zh, self.title_en)

    def text_label(self) -> str:
        return pick(self.text_label_zh, self.text_label_en)

    def item(self, name: str) -> SurveyItem:
        for item in self.items:
            if item.name == name:
                return item
        raise CheckinError("survey.unknown_item", name=name)


def load_template(name_or_path: str) -> Template:
    """A shipped template by name (`satisfaction`, `five-point`) or a TOML file."""
    shipped = data_dir() / "templates" / f"{name_or_path}.toml"
    path = shipped if shipped.is_file() else Path(name_or_path)
    try:
        raw = toml.read_toml(path)
        head = toml.table(raw, "template")
        items = tuple(_item(entry, index) for index, entry in enumerate(toml.tables(raw, "items", "item")))
        names = [item.name for item in items]
        twice = [item_name for item_name in names if names.count(item_name) > 1]
        if twice:
            raise toml.fault("duplicate", name=toml.shown(twice[0]))
        name = toml.text(head, "name", "[template]", path.stem)
        title_zh, title_en, text_zh, text_en, overall = (
            toml.text(head, key, "[template]", default)
            for key, default in (
                ("title_zh", ""),
                ("title_en", ""),
                ("text_label_zh", "意见建议"),
                ("text_label_en", "Suggestions"),
                ("overall", ""),
            )
        )
        if overall and overall not in names:
            raise toml.fault(
                "not_one_of",
                where="[template]",
                field="overall",
                value=toml.shown(overall),
                allowed=tr("labels.list_sep").join(names),
            )
    except FileNotFoundError:
        raise CheckinError("survey.template_missing", value=name_or_path) from None
    except CheckinError as exc:  # the file's words: where, and what, never the parser's English
        raise CheckinError("survey.template_invalid", path=str(path), error=exc.message()) from None
    return Template(
        name=name,
        title_zh=title_zh,
        title_en=title_en,
        text_label_zh=text_zh,
        text_label_en=text_en,
        items=items,
        overall=overall or None,
    )


def _item(raw: dict[str, Any], index: int) -> SurveyItem:
    place = toml.where("item", index, raw)
    name, label_zh, label_en, scale = (
        toml.text(raw, key, place) for key in ("name", "label_zh", "label_en", "scale")
    )
    return SurveyItem(name, label_zh, label_en, toml.one_of(scale, tuple(SCALES), "scale", place))


def event_template(db: Database) -> Template:
    return load_template(load_event(db).survey_template)


# ---------------------------------------------------------------- form numbers


def format_form(number: int) -> str:
    return f"F{number:05d}"


def parse_form(text: str) -> int:
    match = _FORM.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise CheckinError("survey.bad_form_number", value=text)
    return int(match.group(1))


def allocate_forms(db: Database, count: int) -> list[int]:
    """New form numbers, never used before in this event."""
    if not 1 <= count <= 100_000:
        raise CheckinError("survey.bad_count", value=count)
    now = dt.datetime.now().isoformat(timespec="seconds")
    with write_transaction(db):
        start = int(db.execute("SELECT COALESCE(MAX(number), 0) + 1 FROM survey_forms").fetchone()[0])
        numbers = list(range(start, start + count))
        db.conn.executemany(
            "INSERT INTO survey_forms (number, printed_at) VALUES (?, ?)", [(n, now) for n in numbers]
        )
    return numbers


# ---------------------------------------------------------------- keying


def parse_answers(template: Template, text: str) -> list[int]:
    """'1,1,2,1,0' or '11210' → values, each checked against its item's scale."""
    raw = (
        [p for p in re.split(r"[,\s]+", text.strip()) if p]
        if ("," in text or " " in text.strip())
        else list(text.strip())
    )
    if len(raw) != len(template.items):
        raise CheckinError("survey.wrong_count", given=len(raw), expected=len(template.items))
    values: list[int] = []
    for item, part in zip(template.items, raw, strict=True):
        if not part.isdigit() or (int(part) != BLANK and int(part) not in item.values):
            raise CheckinError("survey.bad_value", item=item.label(), value=part)
        values.append(int(part))
    return values


class SurveyKeyer:
    """The keying state machine: one key per item, auto-advance, illegal keys refused."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.values: list[int] = []

    @property
    def current(self) -> SurveyItem | None:
        return self.template.items[len(self.values)] if len(self.values) < len(self.template.items) else None

    @property
    def items_done(self) -> bool:
        return self.current is None

    def press(self, key: str) -> bool:
        """True when the key was taken; False (ring the bell) when it is not a legal answer."""
        item = self.current
        if key == "backspace":
            if not self.values:
                return False
            self.values.pop()
            return True
        if item is None or len(key) != 1 or not key.isdigit():
            return False
        value = int(key)
        if value != BLANK and value not in item.values:
            return False
        self.values.append(value)
        return True


@dataclass
class Entry:
    form: int
    pass_no: int
    answers: list[int]
    text: str
    at: str
    operator: str


def get_entry(db: Database, form: int, pass_no: int) -> Entry | None:
    row = db.execute(
        "SELECT answers, text, at, operator FROM survey_entries WHERE form = ? AND pass = ?", [form, pass_no]
    ).fetchone()
    if row is None:
        return None
    return Entry(form, pass_no, json.loads(row[0]), row[1], row[2], row[3])


def keyed_entry(db: Database, form: int, pass_no: int) -> Entry | None:
    """What this pass already holds for a form number (None: it is to be keyed); a number
    this event never printed is refused."""
    if db.execute("SELECT 1 FROM survey_forms WHERE number = ?", [form]).fetchone() is None:
        raise CheckinError("survey.unknown_form", form=format_form(form))
    return get_entry(db, form, pass_no)


def add_entry(
    db: Database,
    form: int,
    answers: list[int],
    text: str = "",
    *,
    pass_no: int = 1,
    operator: str = "cli",
    station: str = "office",
) -> Entry:
    """Save one keyed form. A number already keyed in this pass is never overwritten."""
    template = event_template(db)
    if len(answers) != len(template.items):
        raise CheckinError("survey.wrong_count", given=len(answers), expected=len(template.items))
    for item, value in zip(template.items, answers, strict=True):
        if value != BLANK and value not in item.values:
            raise CheckinError("survey.bad_value", item=item.label(), value=value)
    if pass_no not in (1, 2):
        raise CheckinError("survey.bad_pass", value=pass_no)
    event = load_event(db)
    if pass_no == 2 and not event.double_entry:
        raise CheckinError("survey.no_double_entry")
    if db.execute("SELECT 1 FROM survey_forms WHERE number = ?", [form]).fetchone() is None:
        raise CheckinError("survey.unknown_form", form=format_form(form))
    if pass_no == 2 and get_entry(db, form, 1) is None:
        raise CheckinError("survey.second_before_first", form=format_form(form))
    if get_entry(db, form, pass_no) is not None:
        raise CheckinError("survey.already_keyed", form=format_form(form), pass_no=pass_no)
    entry = Entry(
        form, pass_no, list(answers), text.strip(), dt.datetime.now().isoformat(timespec="seconds"), operator
    )
    pack = db.execute("SELECT name FROM station_info").fetchone()
    if pack is not None:  # keyed on a door laptop: its name tells two laptops' entries apart at merge
        station = str(pack[0])
    with write_transaction(db):
        db.execute(
            "INSERT INTO survey_entries (uid, form, pass, answers, text, at, operator, station) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [uuid.uuid4().hex, form, pass_no, json.dumps(answers), entry.text, entry.at, operator, station],
        )
    return entry


# ---------------------------------------------------------------- double entry


@dataclass(frozen=True)
class Mismatch:
    form: int
    item: str
    first: str
    second: str
    resolved: str | None


def mismatches(db: Database) -> list[Mismatch]:
    """Every item where the two blind passes disagree, with its resolution if any."""
    template = event_template(db)
    resolutions = {
        (int(r[0]), str(r[1])): str(r[2])
        for r in db.execute("SELECT form, item, value FROM survey_resolutions")
    }
    found: list[Mismatch] = []
    rows = db.execute(
        "SELECT a.form, a.answers, a.text, b.answers, b.text FROM survey_entries a "
        "JOIN survey_entries b ON a.form = b.form AND a.pass = 1 AND b.pass = 2 ORDER BY a.form"
    ).fetchall()
    for form, first_json, first_text, second_json, second_text in rows:
        first, second = json.loads(first_json), json.loads(second_json)
        for item, a, b in zip(template.items, first, second, strict=True):
            if a != b:
                found.append(
                    Mismatch(int(form), item.name, str(a), str(b), resolutions.get((int(form), item.name)))
                )
        if first_text != second_text:
            found.append(
                Mismatch(
                    int(form), TEXT_ITEM, first_text, second_text, resolutions.get((int(form), TEXT_ITEM))
                )
            )
    return found


def resolve(
    db: Database, form: int, item: str, choice: str, value: str | None = None, *, operator: str = "cli"
) -> str:
    """Settle one mismatch against the paper: the first pass, the second, or a new value."""
    template = event_template(db)
    wanted = [m for m in mismatches(db) if m.form == form and m.item == item]
    if not wanted:
        raise CheckinError("survey.no_mismatch", form=format_form(form), item=item)
    mismatch = wanted[0]
    if choice == "first":
        chosen = mismatch.first
    elif choice == "second":
        chosen = mismatch.second
    elif choice == "new":
        if value is None:
            raise CheckinError("survey.value_needed")
        chosen = value
        if item != TEXT_ITEM:
            spec = template.item(item)
            if not value.isdigit() or (int(value) != BLANK and int(value) not in spec.values):
                raise CheckinError("survey.bad_value", item=spec.label(), value=value)
    else:
        raise CheckinError("survey.bad_choice", value=choice)
    with write_transaction(db):
        db.execute(
            "INSERT INTO survey_resolutions (form, item, choice, value, resolved_by, at) "
            "VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (form, item) DO UPDATE SET choice = excluded.choice, value = excluded.value, "
            "resolved_by = excluded.resolved_by, at = excluded.at",
            [form, item, choice, chosen, operator, dt.datetime.now().isoformat(timespec="seconds")],
        )
    return chosen


def forms_in_conflict(db: Database) -> set[int]:
    """Forms keyed differently on two laptops and not yet settled (`checkin survey keep`)."""
    return {
        int(str(r[0]).split("/", 1)[0])
        for r in db.execute("SELECT key FROM merge_conflicts WHERE kind = 'survey' AND resolved = 0")
    }


def counted_forms(db: Database) -> dict[int, tuple[list[int], str]]:
    """The forms that count in results, with their final answers and text."""
    event = load_event(db)
    template = event_template(db)
    # two different entries for one form from two laptops: left out until resolved, whichever came first
    in_conflict = forms_in_conflict(db)
    first = {
        int(r[0]): (json.loads(r[1]), str(r[2]))
        for r in db.execute("SELECT form, answers, text FROM survey_entries WHERE pass = 1")
        if int(r[0]) not in in_conflict
    }
    if not event.double_entry:
        return first
    second = {int(r[0]) for r in db.execute("SELECT form FROM survey_entries WHERE pass = 2")}
    open_items: dict[int, list[Mismatch]] = {}
    for m in mismatches(db):
        open_items.setdefault(m.form, []).append(m)
    result: dict[int, tuple[list[int], str]] = {}
    for form, (answers, text) in first.items():
        if form not in second:
            continue  # awaiting the blind second pass
        items = open_items.get(form, [])
        if any(m.resolved is None for m in items):
            continue
        final = list(answers)
        for m in items:
            if m.item == TEXT_ITEM:
                text = m.resolved or ""
            else:
                index = [i.name for i in template.items].index(m.item)
                final[index] = int(m.resolved or 0)
        result[form] = (final, text)
    return result


# ---------------------------------------------------------------- results


@dataclass
class ItemResult:
    name: str
    label: str
    scale: str
    counts: dict[int, int]
    blanks: int
    valid: int
    satisfied: int

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.valid if self.valid else None

    @property
    def mean(self) -> float | None:
        if self.scale != "5point" or not self.valid:
            return None
        return sum(v * n for v, n in self.counts.items()) / self.valid

    def share(self, value: int) -> float | None:
        total = self.valid + self.blanks
        return (self.blanks if value == BLANK else self.counts.get(value, 0)) / total if total else None


@dataclass
class SurveySummary:
    template: str
    forms_counted: int
    forms_keyed: int
    forms_awaiting: int
    attended: int
    items: list[ItemResult] = field(default_factory=list)
    overall_rate: float | None = None
    overall_method: str = ""
    pooled_rate: float | None = None
    mismatches_per_item: dict[str, int] = field(default_factory=dict)
    texts: list[tuple[int, str]] = field(default_factory=list)
    forms_in_conflict: int = 0  # keyed differently on two laptops: out of every figure until settled

    @property
    def return_rate(self) -> float | None:
        """Forms from guests who came ÷ guests who came: at most one form per guest, never > 100 %."""
        return min(self.forms_counted, self.attended) / self.attended if self.attended else None

    @property
    def forms_excess(self) -> int:
        """Forms beyond one per guest who came (to be said in words, not hidden in a rate)."""
        return max(0, self.forms_counted - self.attended)

    def to_json(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "forms_counted": self.forms_counted,
            "forms_keyed": self.forms_keyed,
            "forms_awaiting_resolution_or_second_pass": self.forms_awaiting,
            "attended": self.attended,
            "return_rate": self.return_rate,
            "forms_beyond_guests": self.forms_excess,
            "overall_satisfaction": self.overall_rate,
            "overall_method": self.overall_method,
            "pooled_satisfaction": self.pooled_rate,
            "items": [
                {
                    "name": i.name,
                    "label": i.label,
                    "scale": i.scale,
                    "counts": {str(k): v for k, v in sorted(i.counts.items())},
                    "blank": i.blanks,
                    "valid": i.valid,
                    "shares": {str(k): i.share(k) for k in (*SCALES[i.scale], BLANK)},
                    "satisfaction_rate": i.satisfaction_rate,
                    "mean": i.mean,
                }
                for i in self.items
            ],
            "mismatches_per_item": self.mismatches_per_item,
            "forms_in_conflict": self.forms_in_conflict,
            "suggestions": [{"form": format_form(f), "text": t} for f, t in self.texts],
        }


def summarise(db: Database) -> SurveySummary:
    """Per item: counts, shares, blanks, 满意率 = (满意 + 基本满意) ÷ valid answers, mean on 1–5."""
    template = event_template(db)
    counted = counted_forms(db)
    keyed = int(db.execute("SELECT COUNT(DISTINCT form) FROM survey_entries").fetchone()[0])
    attended = int(db.execute("SELECT COUNT(*) FROM live_checkins").fetchone()[0])
    summary = SurveySummary(template.name, len(counted), keyed, keyed - len(counted), attended)
    for index, item in enumerate(template.items):
        counts = dict.fromkeys(item.values, 0)
        blanks = 0
        for answers, _ in counted.values():
            value = answers[index]
            if value == BLANK:
                blanks += 1
            else:
                counts[value] += 1
        valid = sum(counts.values())
        satisfied = sum(counts[v] for v in SATISFIED[item.scale])
        summary.items.append(
            ItemResult(item.name, item.label(), item.scale, counts, blanks, valid, satisfied)
        )
    pooled_valid = sum(i.valid for i in summary.items if i.scale == "3level" or i.scale == "5point")
    pooled_sat = sum(i.satisfied for i in summary.items if i.scale == "3level" or i.scale == "5point")
    summary.pooled_rate = pooled_sat / pooled_valid if pooled_valid else None
    if template.overall and any(i.name == template.overall for i in summary.items):
        overall = next(i for i in summary.items if i.name == template.overall)
        summary.overall_rate = overall.satisfaction_rate
        summary.overall_method = tr("survey.method_overall_item", item=overall.label)
    else:
        summary.overall_rate = summary.pooled_rate
        summary.overall_method = tr("survey.method_pooled")
    for m in mismatches(db):
        summary.mismatches_per_item[m.item] = summary.mismatches_per_item.get(m.item, 0) + 1
    summary.texts = sorted((f, t) for f, (_, t) in counted.items() if t)
    summary.forms_in_conflict = len(forms_in_conflict(db))
    return summary
