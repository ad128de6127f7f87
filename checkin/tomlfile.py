"""Reading a TOML file a user wrote (a survey template, a check profile, an event file, a plan,
county rules, holidays): every fault in the user's words — where (line and column), never the
TOML parser's English."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.i18n import tr

# what can be wrong in what a file says (toml.PROBLEM), and the entries it names (toml.PLACE)
PROBLEMS = (
    "missing_table",
    "no_entries",
    "not_entries",
    "bad_entry",
    "missing_key",
    "bad_value",
    "not_number",
    "not_flag",
    "not_one_of",
    "duplicate",
)
PLACES = ("item", "check", "choice")


def toml_position(exc: tomllib.TOMLDecodeError) -> tuple[int, int]:
    """Line and column of a TOML error (Python 3.14 gives them as attributes, older ones in the
    text); (0, 0) when neither says."""
    line, column = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    if line is None or column is None:
        found = re.search(r"line (\d+), column (\d+)", str(exc))
        line, column = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    return int(line), int(column)


def toml_fault(exc: BaseException) -> str:
    """What is wrong with a text read as TOML, in words: not UTF-8, nested too deep, or the
    line and column where the parser stopped."""
    if isinstance(exc, UnicodeDecodeError):
        return tr("toml.not_utf8")
    if isinstance(exc, RecursionError):
        return tr("toml.too_deep")
    if isinstance(exc, tomllib.TOMLDecodeError):
        line, column = toml_position(exc)
        return tr("toml.at", line=line, column=column) if line else tr("toml.invalid")
    return tr("toml.invalid")


def parse_toml(text: str | bytes) -> dict[str, Any]:
    """A TOML text (bytes are read as UTF-8, a BOM allowed); a fault is a CheckinError
    `toml.fault` whose message says what and where (callers put it after the file's name)."""
    try:
        decoded = text.decode("utf-8-sig") if isinstance(text, bytes) else text
        return tomllib.loads(decoded)
    except (UnicodeDecodeError, RecursionError, tomllib.TOMLDecodeError) as exc:
        raise CheckinError("toml.fault", error=toml_fault(exc)) from None


def read_toml(path: Path) -> dict[str, Any]:
    """The TOML file at `path` (FileNotFoundError and other OSErrors pass on to the caller)."""
    return parse_toml(path.read_bytes())


def where(kind: str, index: int, raw: object, within: str = "") -> str:
    """One entry of an array of tables in words: `第 2 项查验（temperature）` / `check 2 (temperature)`;
    `within`: the entry it belongs to (a check's choice)."""
    name = raw.get("name") if isinstance(raw, dict) else None
    shown = str(name)[:40] if isinstance(name, str | int) and str(name).strip() else ""
    if shown:
        return tr(f"toml.{kind}_named", n=index + 1, name=shown, within=within)
    return tr(f"toml.{kind}", n=index + 1, within=within)


def fault(problem: str, **params: Any) -> CheckinError:
    """A fault in what a TOML file says (not how it is written), as `toml.fault`."""
    return CheckinError("toml.fault", error=tr(f"toml.{problem}", **params))


def shown(value: object, limit: int = 40) -> str:
    """A value from the file, fit to be shown back: control characters removed, cut short."""
    from checkin.textcheck import clean_text

    text = clean_text(str(value).lower() if isinstance(value, bool) else str(value))
    return text if len(text) <= limit else text[:limit] + "…"


def table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """The table `[name]`; missing or not a table is a fault."""
    value = raw.get(name)
    if not isinstance(value, dict):
        raise fault("missing_table", table=name)
    return value


def tables(raw: dict[str, Any], name: str, kind: str, *, required: bool = True) -> list[dict[str, Any]]:
    """The array of tables `[[name]]` (each entry a table); none at all is a fault when required."""
    value = raw.get(name, [])
    if not isinstance(value, list):
        raise fault("not_entries", table=name)
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise fault("bad_entry", where=where(kind, index, entry))
    if required and not value:
        raise fault("no_entries", table=name)
    return value


def text(raw: dict[str, Any], key: str, place: str, default: str | None = None) -> str:
    """A text value (a number is taken as its text); missing is a fault unless there is a default."""
    value = raw.get(key)
    if value is None:
        if default is None:
            raise fault("missing_key", where=place, field=key)
        return default
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fault("bad_value", where=place, field=key, value=shown(value))
    return str(value)


def number(raw: dict[str, Any], key: str, place: str) -> float | None:
    """A number, or None when the key is absent."""
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fault("not_number", where=place, field=key, value=shown(value))
    return float(value)


def flag(raw: dict[str, Any], key: str, place: str, default: bool | None = None) -> bool:
    """true or false (a quoted "false" is refused, not read as true); missing is a fault unless
    there is a default."""
    value = raw.get(key)
    if value is None:
        if default is None:
            raise fault("missing_key", where=place, field=key)
        return default
    if not isinstance(value, bool):
        raise fault("not_flag", where=place, field=key, value=shown(value))
    return value


def one_of(value: str, allowed: tuple[str, ...], key: str, place: str) -> str:
    if value not in allowed:
        raise fault(
            "not_one_of",
            where=place,
            field=key,
            value=shown(value),
            allowed=tr("labels.list_sep").join(allowed),
        )
    return value
