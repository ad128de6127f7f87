"""One translation layer for all user-facing text (CLI and screens), Chinese first.

Catalogues are TOML files in `data/i18n/` (`zh.toml`, `en.toml`); nested tables flatten
to dotted keys (`[import] bad_row` → `import.bad_row`). Language comes from `--lang`,
then `CHECKIN_LANG`, then the locale (zh* → Chinese, anything else → English).
"""

from __future__ import annotations

import locale
import os
import tomllib
from functools import cache
from typing import Any

from checkin.paths import data_dir

LANGUAGES = ("zh", "en")
_current = {"lang": "zh"}


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, full + "."))
        else:
            flat[full] = str(value)
    return flat


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language, keyed by dotted name."""
    path = data_dir() / "i18n" / f"{lang}.toml"
    with path.open("rb") as fh:
        return _flatten(tomllib.load(fh))


def normalise_language(value: str | None) -> str | None:
    """`zh_CN.UTF-8`, `zh-Hans`, `ZH` → `zh`; `en_US` → `en`; anything else → None."""
    if not value:
        return None
    head = value.strip().lower().replace("-", "_").split(".")[0]
    if head.startswith("zh"):
        return "zh"
    if head.startswith("en"):
        return "en"
    return None


def _locale_language() -> str:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if (normalise_language(value) == "zh") else "en"
    try:
        loc = locale.getlocale()[0]
    except ValueError:  # pragma: no cover - broken locale settings
        loc = None
    # Windows reports e.g. 'Chinese (Simplified)_China'
    if loc and (loc.lower().startswith("zh") or loc.lower().startswith("chinese")):
        return "zh"
    return "en"


def resolve_language(cli_value: str | None = None) -> str:
    """`--lang` first, then `CHECKIN_LANG`, then the locale."""
    for value in (cli_value, os.environ.get("CHECKIN_LANG")):
        lang = normalise_language(value)
        if lang:
            return lang
    return _locale_language()


def set_language(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {LANGUAGES}")
    _current["lang"] = lang


def current_language() -> str:
    return _current["lang"]


def tr(key: str, lang: str | None = None, **params: Any) -> str:
    """The message `key` in the current language, with `{params}` filled in.

    A key missing from the catalogue is a programming error, caught by the catalogue test;
    at run time the key itself is shown rather than crashing a door laptop.
    """
    text = catalogue(lang or _current["lang"]).get(key)
    if text is None:
        text = catalogue("en").get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text
