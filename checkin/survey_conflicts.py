"""Survey forms keyed differently on two laptops: listed, and settled by keeping one entry.

`merge` never overwrites a keyed form: when a bundle brings a different entry for a form and
pass already in the office file, the bundle's entry goes to `merge_conflicts` and the form is
left out of every figure (`survey.counted_forms`) until someone here looks at the paper form
and keeps one entry. Keeping one:

- puts the kept entry in `survey_entries` (the entry it replaces is kept in `merge_conflicts`,
  so merging any of the bundles again finds every entry already known and changes nothing);
- marks the form's conflicts resolved, so it counts again;
- writes who kept which entry, and which were left out, to the audit trail (`activity`,
  action `survey_conflict`).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from checkin.errors import CheckinError
from checkin.storage import write_transaction
from checkin.survey import format_form


@dataclass(frozen=True)
class ConflictEntry:
    """One of the different entries for a form: `entry` is its number in the list (1 = in the file)."""

    entry: int
    answers: tuple[int, ...]
    text: str
    station: str  # the laptop it came from (for the file's own entry: where it was keyed)
    operator: str
    at: str


@dataclass(frozen=True)
class SurveyConflict:
    form: int
    pass_no: int
    entries: list[ConflictEntry] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "form": format_form(self.form),
            "pass": self.pass_no,
            "entries": [
                {"entry": e.entry, "answers": list(e.answers), "text": e.text, "station": e.station,
                 "operator": e.operator, "at": e.at}
                for e in self.entries
            ],
        }  # fmt: skip


def _key(form: int, pass_no: int) -> str:
    return f"{form}/{pass_no}"


def _detail(raw: str) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("answers"), list) else None


def survey_conflicts(db: Database) -> list[SurveyConflict]:
    """Every form and pass with different entries not yet settled, the file's entry first."""
    keys: dict[str, list[dict[str, Any]]] = {}
    for key, raw in db.execute(
        "SELECT key, detail FROM merge_conflicts WHERE kind = 'survey' AND resolved = 0 ORDER BY id"
    ).fetchall():
        detail = _detail(str(raw))
        if detail is not None:
            keys.setdefault(str(key), []).append(detail)
    found = []
    for key, others in keys.items():
        form_text, _, pass_text = key.partition("/")
        form, pass_no = int(form_text), int(pass_text or 1)
        row = db.execute(
            "SELECT answers, text, station, operator, at FROM survey_entries WHERE form = ? AND pass = ?",
            [form, pass_no],
        ).fetchone()
        candidates = []
        if row is not None:
            candidates.append((tuple(json.loads(row[0])), str(row[1]), str(row[2]), str(row[3]), str(row[4])))
        for d in others:
            station = str(d.get("from") or d.get("station") or "")
            candidates.append(
                (tuple(int(v) for v in d["answers"]), str(d.get("text") or ""), station,
                 str(d.get("operator") or ""), str(d.get("at") or ""))
            )  # fmt: skip
        entries: list[ConflictEntry] = []
        seen: set[tuple[tuple[int, ...], str]] = set()
        for answers, text, station, operator, at in candidates:
            if (answers, text) in seen:
                continue  # the same entry from two bundles: one choice
            seen.add((answers, text))
            entries.append(ConflictEntry(len(entries) + 1, answers, text, station, operator, at))
        if len(entries) > 1:
            found.append(SurveyConflict(form, pass_no, entries))
    return sorted(found, key=lambda c: (c.form, c.pass_no))


def keep_entry(
    db: Database, form: int, choice: str, *, operator: str, pass_no: int | None = None
) -> ConflictEntry:
    """Settle a form's conflict by keeping one entry: its number in the list, or the laptop
    (station) it came from when only one entry came from there. Returns the entry kept."""
    operator = operator.strip()
    if not operator:
        raise CheckinError("survey14.operator_required")
    conflicts = [c for c in survey_conflicts(db) if c.form == form and pass_no in (None, c.pass_no)]
    if not conflicts:
        raise CheckinError("survey14.no_conflict", form=format_form(form))
    if len(conflicts) > 1:
        raise CheckinError("survey14.which_pass", form=format_form(form))
    conflict = conflicts[0]
    wanted = choice.strip()
    chosen = [e for e in conflict.entries if wanted == str(e.entry)]
    if not chosen:
        chosen = [e for e in conflict.entries if wanted and wanted == e.station]
    if len(chosen) != 1:
        raise CheckinError(
            "survey14.no_such_entry",
            form=format_form(form),
            choice=wanted,
            count=len(conflict.entries),
        )
    kept = chosen[0]
    now = dt.datetime.now().isoformat(timespec="seconds")
    key = _key(conflict.form, conflict.pass_no)
    with write_transaction(db):
        current = db.execute(
            "SELECT answers, text, station, operator, at FROM survey_entries WHERE form = ? AND pass = ?",
            [conflict.form, conflict.pass_no],
        ).fetchone()
        if current is not None and (tuple(json.loads(current[0])), str(current[1])) != (
            kept.answers,
            kept.text,
        ):
            # the entry left out stays known: a bundle bringing it again changes nothing
            replaced = {"form": conflict.form, "pass": conflict.pass_no, "answers": json.loads(current[0]),
                        "text": current[1], "station": current[2], "operator": current[3],
                        "at": current[4]}  # fmt: skip
            db.execute(
                "INSERT INTO merge_conflicts (kind, key, bundle, detail, resolved) "
                "VALUES ('survey', ?, ?, ?, 1)",
                [key, f"replaced-{uuid.uuid4().hex}", json.dumps(replaced, ensure_ascii=False)],
            )
            db.execute(
                "UPDATE survey_entries SET answers = ?, text = ?, station = ?, operator = ?, at = ? "
                "WHERE form = ? AND pass = ?",
                [json.dumps(list(kept.answers)), kept.text, kept.station, kept.operator, kept.at,
                 conflict.form, conflict.pass_no],
            )  # fmt: skip
        db.execute("UPDATE merge_conflicts SET resolved = 1 WHERE kind = 'survey' AND key = ?", [key])
        audit = {
            "form": conflict.form,
            "pass": conflict.pass_no,
            "kept": {"entry": kept.entry, "station": kept.station, "operator": kept.operator, "at": kept.at},
            "left_out": [
                {"entry": e.entry, "station": e.station, "operator": e.operator, "at": e.at}
                for e in conflict.entries
                if e is not kept
            ],
            "operator": operator,
        }
        db.execute(
            "INSERT INTO activity (at, action, number, detail) VALUES (?, 'survey_conflict', NULL, ?)",
            [now, json.dumps(audit, ensure_ascii=False)],
        )
    return kept
