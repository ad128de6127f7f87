"""One translation layer for all user-facing text (CLI and screens), Chinese first.

Catalogues are TOML files in `data/i18n/` (`zh.toml`, `en.toml`); nested tables flatten
to dotted keys (`[import] bad_row` → `import.bad_row`). Language comes from `--lang`,
then `CHECKIN_LANG`, then the locale: Chinese unless the locale is explicitly English
(`en_*`, Windows' `English_…`); `C`, `POSIX`, none or any other language → Chinese.
"""

from __future__ import annotations

import contextlib
import importlib.util
import locale
import logging
import marshal
import os
import string
import sys
import tomllib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
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
    return _read_catalogue(data_dir() / "i18n" / f"{lang}.toml")


_COMPILED = b"checkin catalogue 1\n"


def _read_catalogue(path: Path) -> dict[str, str]:
    """The catalogue at `path`, from its compiled copy when that was made from this very file
    (same size and time of change), else parsed and the copy (re)written.

    Parsing the TOML took a good part of `checkin run`'s start (tomllib, in pure Python, some
    10 ms a language); the copy is the flattened dict in `marshal` form, kept where Python
    keeps the program's own bytecode (`__pycache__` beside it, or PYTHONPYCACHEPREFIX) and,
    like bytecode, not written under PYTHONDONTWRITEBYTECODE. A copy that is stale, cut
    short or not ours is ignored; one that cannot be written (a read-only install) is
    simply not written."""
    source = path.stat()
    stamp = _COMPILED + f"{source.st_mtime_ns} {source.st_size}\n".encode("ascii")
    compiled = _compiled_path(path)
    if compiled is not None:
        try:
            data = compiled.read_bytes()
        except OSError:
            data = b""
        if data.startswith(stamp):
            try:
                found = marshal.loads(data[len(stamp) :])
            except (EOFError, ValueError, TypeError):
                found = None
            if isinstance(found, dict) and all(type(k) is str and type(v) is str for k, v in found.items()):
                return found
    with path.open("rb") as fh:
        flat = _flatten(tomllib.load(fh))
    if compiled is not None and not sys.dont_write_bytecode:
        _write_compiled(compiled, stamp + marshal.dumps(flat))
    return flat


def _compiled_path(path: Path) -> Path | None:
    try:
        return Path(importlib.util.cache_from_source(str(path))).with_suffix(".marshal")
    except (NotImplementedError, ValueError):  # no bytecode cache on this Python
        return None


def _write_compiled(target: Path, data: bytes) -> None:
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, target)  # whole or not at all, for a start running beside this one
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()


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


def _english(value: str) -> bool:
    """`en_US.UTF-8`, `en`, Windows' `English_United States` — an English locale, asked for."""
    return normalise_language(value) == "en" or value.strip().lower().startswith("english")


def _locale_language() -> str:
    """The product is Chinese first: English only when the locale explicitly is (`en_*`);
    `C`/`POSIX` (a server, a bare terminal, a Windows console without one) or no locale at
    all gives Chinese."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "en" if _english(value) else "zh"
    try:
        # the setting as the system names it (asking changes nothing); not locale.getlocale(),
        # whose alias table turns the C.UTF-8 Python falls back to into en_US
        loc = locale.setlocale(locale.LC_CTYPE)
    except locale.Error:  # pragma: no cover - broken locale settings
        loc = None
    # Windows names it e.g. 'English_United States.1252' or 'Chinese (Simplified)_China.936'
    return "en" if loc and _english(loc) else "zh"


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


def pick(zh: str, en: str, lang: str | None = None) -> str:
    """Words a file gives in both languages (a check profile's items, a survey template, an
    event's own categories): the ones of the current language. The one way such labels are
    chosen; the program's own words are in the catalogues and come from `tr`."""
    return zh if (lang or _current["lang"]) == "zh" else en


def tr(key: str, lang: str | None = None, **params: Any) -> str:
    """The message `key` in the current language, with `{params}` filled in.

    A key missing from the catalogue, or a message whose placeholders the call does not fill,
    is a programming error: it is logged loudly (key and placeholder names only, never the
    values, which may be personal data) and recorded for the tests, which fail on it
    (tests/conftest.py); the door laptop shows the key or the unfilled text rather than crash.
    """
    language = lang or _current["lang"]
    text = catalogue(language).get(key)
    if text is None:
        text = catalogue("en").get(key)
        if text is None:
            _problem(f"missing: {key}")
            return key
        _problem(f"missing in {language}: {key}")
    try:
        if ":plural:" in text:
            filled = _PLURAL.vformat(text, (), params)
        else:
            filled = text.format(**params) if params or "{" in text else text
    except (KeyError, IndexError, ValueError) as exc:
        _problem(f"bad format: {key} ({type(exc).__name__}: {exc}; given {sorted(params)})")
        return text
    return filled


class _Plurals(string.Formatter):
    """English says "1 invitation", "2 invitations": `{count:plural:invitation|invitations}`
    is the word for the number `count` (the number itself is written as `{count}`)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec.startswith("plural:"):
            one, sep, other = format_spec.removeprefix("plural:").partition("|")
            if not sep:
                raise ValueError(f"plural needs one|other, not {format_spec!r}")
            return one if value == 1 else other
        return str(super().format_field(value, format_spec))


_PLURAL = _Plurals()


def colon(lang: str | None = None) -> str:
    """ "标签：" in Chinese, "Label: " in English — never a full-width colon in English text."""
    return tr("punct.colon", lang)


def listing(items: Iterable[str], lang: str | None = None) -> str:
    """张三、李四 in Chinese; Zhang San, Li Si in English."""
    return tr("punct.list", lang).join(items)


def clauses(items: Iterable[str], lang: str | None = None) -> str:
    """Parts of one message: "；" in Chinese, "; " in English."""
    return tr("punct.clause", lang).join(items)


def known(key: str) -> bool:
    """Whether the catalogue has `key` (asking is no problem: nothing is recorded)."""
    return key in catalogue(_current["lang"]) or key in catalogue("en")


_problems: list[str] = []
_logged: set[str] = set()


def _problem(what: str) -> None:
    _problems.append(what)
    if what not in _logged:  # once per problem, however often the screen redraws
        _logged.add(what)
        logging.getLogger("checkin.i18n").error("catalogue: %s", what)


def take_problems() -> list[str]:
    """Missing keys and bad formats since the last call (the tests fail on any)."""
    found = list(_problems)
    del _problems[: len(found)]
    return found
