"""Typed and imported text: control characters, lengths, terminal output, spreadsheet cells.

One small module so that the importer, the door, the merge and every export apply the same
rules: control characters (NUL, ESC, bidi overrides …) are refused in names and other short
fields; lengths are capped with a clear message; text printed to a terminal has its control
characters shown as escapes; a spreadsheet cell that would start a formula is neutralised.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.i18n import known, tr

# C0, DEL, C1, zero-width and bidirectional controls; newline/tab only where allowed
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n\r]")

LIMITS: dict[str, int] = {
    "name": 50,
    "organization": 100,
    "operator": 50,
    "station": 50,
    "reason": 200,
    "category": 50,
    "department": 100,
    "text": 2000,
    "value": 100,
}

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def has_control(value: str, *, multiline: bool = False) -> bool:
    if _CONTROL.search(value):
        return True
    return not multiline and bool(_LINE_BREAKS.search(value))


def field_words(field: str) -> str:
    """A field as the user knows it: "organization" → 工作单位; words given already stay."""
    if not (field.isascii() and field.isidentifier()):
        return field  # words already (签到点名称): no look-up, no loading of the other catalogue
    key = f"textcheck.field.{field}"
    return tr(key) if known(key) else field


def check_text(value: str, field: str, *, limit: int | None = None, multiline: bool = False) -> str:
    """The value unchanged if it is fit to store; CheckinError naming the field otherwise."""
    limit = limit if limit is not None else LIMITS.get(field, 200)
    shown = field_words(field)
    if "\x00" in value:
        raise CheckinError("text.nul", field=shown)
    if has_control(value, multiline=multiline):
        raise CheckinError("text.control", field=shown)
    if len(value) > limit:
        raise CheckinError("text.too_long", field=shown, limit=limit, length=len(value))
    return value


def clean_text(value: str) -> str:
    """Control characters removed (for text shown back, never for stored identities)."""
    return _LINE_BREAKS.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", value)))


def terminal_safe(value: Any) -> str:
    """Text for a terminal: every control character shown as an escape, never sent raw."""
    text = str(value)

    def escape(match: re.Match[str]) -> str:
        return match.group(0).encode("unicode_escape").decode("ascii")

    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]", escape, text)


def safe_cell(value: Any) -> Any:
    """A spreadsheet cell that stays a string: a leading = + - @ tab or CR gets a quote.

    Numbers stay numbers; control characters Excel cannot store are dropped.
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value)
    if text.startswith(FORMULA_LEADS):
        return "'" + text
    return text


POSIX_MODES = os.name == "posix"  # Windows: files in the user's folders are the user's already


def private_file(path: Path) -> None:
    """Create (or truncate) an export so that only its owner may read it (0600 on POSIX).

    Exports hold names and masked personal data; the later write keeps the mode. On Windows
    nothing is done here. A file system without modes (a FAT USB stick) refuses chmod: the
    export is still written (the stick's files are as private as the stick)."""
    if not POSIX_MODES:
        return
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    with contextlib.suppress(PermissionError):
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)


# An e-mail address as a mail header carries it unchanged: ASCII, no comments, quotes, groups
# or encoded words ("x(y@z.com" would go To: x; "a:b@c.dd" is a group; "=?…?=" is decoded).
_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def is_email(value: str) -> bool:
    """Is `value` one plain e-mail address (name@example.com) and nothing else?"""
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None
