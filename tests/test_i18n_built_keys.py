"""Message keys built at run time (`tr(f"verdict.{v}")`) are in both catalogues too.

Every f-string key in checkin/ and screens/ is found here, and the values it can take are
enumerated: from the literal tuple its loop runs over or the `in (…)` test that guards it
(read from the code itself), or from the vocabulary or table named in FAMILIES. A new built
key whose values cannot be enumerated fails, so none escapes the check.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
from collections.abc import Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from checkin import vocab
from checkin.i18n import catalogue

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "checkin").glob("*.py"), *(ROOT / "screens").glob("*.py")])
CALLS = {"tr", "CheckinError", "known"}


def _binding_ids() -> set[str]:
    from textual.binding import Binding

    ids: set[str] = set()
    for path in (ROOT / "screens").glob("*.py"):
        module = importlib.import_module(f"screens.{path.stem}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in getattr(cls, "BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def _families() -> dict[str, Iterable[Any]]:
    """Pattern (dynamic parts as *) → the values of its one dynamic part, from where the code
    takes them."""
    import tomllib

    from checkin import (
        county,
        county_report,
        event,
        exports,
        itinerary,
        notices,
        review,
        selection,
        survey,
        tomlfile,
    )
    from checkin.categories import CATEGORIES
    from checkin.idcard import DOCUMENT_TYPES
    from checkin.paths import data_dir

    with (data_dir() / "import_headers.toml").open("rb") as fh:
        header_fields = list(tomllib.load(fh)["fields"])

    by_prefix = {f"{prefix}.*": list(v) for v, prefix in vocab.LABEL_PREFIX.items()}
    verdict_words = [*vocab.VerdictKind, *vocab.Reason]
    return {
        **by_prefix,
        "verdict.*": verdict_words,
        "app.bind.*": _binding_ids(),
        "category.*": CATEGORIES,
        "checks.*": event.CHECK_PROFILES,
        "ticket.*": event.TICKETS,
        "event.unfilled.*": event.UNFILLED_POLICIES,
        "review.state.*": review.STATES,
        "review.reason.*": review.REASONS,
        "app.review.problem.*": ("age", "excluded"),  # review.auto_problems
        "county.col.*": county_report.COLUMNS,
        "county.missing.*": ("plan", "results"),  # county_status: line.missing
        "county.field.*": county.FILE_FIELDS,  # county.file_problem, plans/county_results readers
        "county.problem.*": county.FILE_PROBLEMS,
        "toml.*": (*tomlfile.PROBLEMS, *tomlfile.PLACES),  # tomlfile.fault, tomlfile.where
        "toml.*_named": tomlfile.PLACES,
        "county.rule.*": [f.name for f in fields(county.Rules)],  # county._rule
        "idtype.*": DOCUMENT_TYPES,
        "id.*_shape": ("passport", "hk_macao_permit", "taiwan_permit"),  # idcard.parse_document: shapes
        "import.field.*": header_fields,
        "report.due_kind_*": event.REPORT_DUE_KINDS,
        "visit.kind.*": itinerary.STOP_KINDS,
        "visit.mode.*": itinerary.ASSIGN_MODES,
        "visit.field.*": (
            "address",
            "arrive",
            "buses",
            "kind",
            "leader",
            "method",
            "minutes",
            "name",
            "phone",
            "seats",
            "stops",
        ),  # itinerary: the fields of a stop and a bus
        "visit.outcome.*": ("already", "back", "left", "present"),  # rollcall.MarkResult.outcome
        "visit.state.*": ("at_last", "at_stop", "finished", "not_started", "on_the_way"),  # rollcall.Schedule
        "notices.kind.*": notices.KINDS,
        "notices.body.*": notices.KINDS,
        "notices.sms.*": notices.KINDS,
        "notices.sms_short.*": notices.SMS_SHORT,
        "notices.subject.*": notices.KINDS,
        "purge14.still_*": ("bundle", "merged", "pack"),  # purge.purge_files: what is left on disk
        "county.plan.*": (
            "announced",
            "announced_after_event",
            "bad_format",
            "bad_url",
            "exported",
            "invalid",
            "no_unit",
            "posted",
            "posted_before_event",
        ),  # county_cli
        "ledger.urgency.*": ("overdue", "due_soon", "ok", "done"),  # ledger.urgency
        "export.status.*": (
            "arrived",
            "turned_away",
            "no_show",
            "declined",
            "waiting",
        ),  # exports.export_attendance
        "import.skipped_*": ("header", "note", "rows", "total"),  # importer: rows not taken as people
        "checks.id_*": ("seen", "matched", "mismatch", "typed"),  # profiles.CheckSpec.value_label
        "select.why.*": ("few", "capacity", "share"),  # selection: why a quota was not filled
        "select.unfilled.*": selection.UNFILLED_OUTCOMES,
        "survey.scale.*.*": [
            f"{scale}.{v}" for scale, values in survey.SCALES.items() if scale != "5point" for v in values
        ],  # SurveyItem.value_label: a 5-point scale shows the number
        "*.*": [
            *(f"export.col.{c}" for c in exports.ATTENDANCE_COLUMNS),
            *(f"ledger.col.{c}" for c in exports.LEDGER_COLUMNS),
        ],  # exports.write_table: its two callers
        "*.other": ("sync14.field", "sync14.problem"),  # sync._words: a code with no words of its own
        "county.plan_*": ("new", "updated", "already", "older"),  # county_results: Intake.outcome
        "county.results_*": ("new", "updated", "already", "older"),
        "county.results_file.*": (
            "is_county",
            "is_pack",
            "is_bundle",
            "is_event",
            "not_results",
        ),  # _what_else
        "visit.reason.*": itinerary.LEAVE_REASONS,
    }


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _literal(node: ast.AST, module: str) -> list[Any] | None:
    """The values of a literal tuple/list, or of a module constant it names."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        try:
            return [ast.literal_eval(e) for e in node.elts]
        except ValueError:
            return None
    if isinstance(node, ast.Name):
        value = getattr(importlib.import_module(module), node.id, None)
        if isinstance(value, (tuple, list, frozenset, set)):
            return list(value)
    return None


def _values(expr: ast.expr, call: ast.AST, parents: dict[ast.AST, ast.AST], module: str) -> list[Any] | None:
    """What `expr` can be where `call` is: bound by an enclosing loop over literals, or guarded
    by an enclosing `if expr in (…)`."""
    text = ast.unparse(expr)
    node: ast.AST | None = call
    while node is not None:
        loops: list[tuple[ast.expr, ast.expr]] = []
        if isinstance(node, ast.For):
            loops.append((node.target, node.iter))
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            loops += [(g.target, g.iter) for g in node.generators]
        for target, iterable in loops:
            if ast.unparse(target) == text:
                found = _literal(iterable, module)
                if found is not None:
                    return found
            if isinstance(target, ast.Tuple) and text in [ast.unparse(e) for e in target.elts]:
                index = [ast.unparse(e) for e in target.elts].index(text)
                rows = _literal(iterable, module) if not isinstance(iterable, (ast.Tuple, ast.List)) else None
                if isinstance(iterable, (ast.Tuple, ast.List)):
                    rows = [
                        ast.unparse(row.elts[index]).strip("'\"")
                        for row in iterable.elts
                        if isinstance(row, ast.Tuple)
                    ]
                if rows:
                    return rows
        if isinstance(node, ast.If):
            test = node.test
            if (
                isinstance(test, ast.Compare)
                and ast.unparse(test.left) == text
                and isinstance(test.ops[0], ast.In)
            ):
                found = _literal(test.comparators[0], module)
                if found is not None:
                    return found
        node = parents.get(node)
    return None


def _fill(pattern: str, values: list[str]) -> str:
    parts = pattern.split("*")
    return "".join(part + value for part, value in zip(parts, [*values, ""], strict=True))


def built_keys() -> tuple[set[str], list[str]]:
    """Every key the code can build, and the built keys whose values could not be enumerated."""
    families = _families()
    keys: set[str] = set()
    unknown: list[str] = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = _parents(tree)
        module = f"{path.parent.name}.{path.stem}"
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and call.args and isinstance(call.args[0], ast.JoinedStr)):
                continue
            func = call.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in CALLS:
                continue
            parts = call.args[0].values
            pattern = "".join(p.value if isinstance(p, ast.Constant) else "*" for p in parts)
            dynamic = [p.value for p in parts if isinstance(p, ast.FormattedValue)]
            where = f"{path.relative_to(ROOT)}:{call.lineno} {pattern}"
            choices: list[list[Any]] = []
            for expr in dynamic:
                values = _values(expr, call, parents, module)
                if values is None:
                    break
                choices.append(values)
            else:
                for combo in itertools.product(*choices):
                    keys.add(_fill(pattern, [str(v) for v in combo]))
                continue
            if pattern in families:  # the family's values fill every dynamic part at once
                head, tail = pattern[: pattern.index("*")], pattern[pattern.rindex("*") + 1 :]
                keys |= {f"{head}{v}{tail}" for v in families[pattern]}
            else:
                unknown.append(where)
    return keys, unknown


def test_every_built_key_can_be_enumerated() -> None:
    _, unknown = built_keys()
    assert unknown == [], "add the family to FAMILIES (tests/test_i18n_built_keys.py) or loop over a tuple"


def test_every_built_key_is_in_both_catalogues() -> None:
    keys, _ = built_keys()
    assert len(keys) > 150
    for lang in ("zh", "en"):
        assert sorted(k for k in keys if k not in catalogue(lang)) == [], lang
