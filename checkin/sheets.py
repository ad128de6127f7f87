"""Reading sign-ups as offices receive them.

Sheets: .xlsx/.xls/.ods (python-calamine reads all three) and CSV/.txt in UTF-8 (with or
without BOM), GBK/GB18030 or UTF-16 (Excel's "Unicode 文本"), separated by commas, tabs or
semicolons. The header row is searched for in the first rows of every sheet, below title
rows, merged cells and notes; header text is normalised and looked up in the synonym table
`data/import_headers.toml`.

Registration forms (报名表, one person or a group per file): .docx (a label cell with the value
in the cell to its right, or "标签：值" paragraphs), form-shaped .xlsx/.xls/.ods, and .eml messages
saved from a mail client (their attachments are read).

This module only reads: it turns files into `Table`s of rows; `checkin.importer` validates them.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import email
import email.policy
import html
import io
import re
import tomllib
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from functools import cache
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError
from checkin.i18n import listing
from checkin.paths import data_dir

HEADER_SEARCH_ROWS = 20  # the header is looked for in this many rows at the top of each sheet
REQUIRED = ("name", "id_number")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
FORM_SUFFIXES = (".docx",)
MAIL_SUFFIXES = (".eml",)
READABLE_SUFFIXES = SHEET_SUFFIXES + TEXT_SUFFIXES + FORM_SUFFIXES + MAIL_SUFFIXES
# Files a folder of saved mail also holds: never reported.
_NOISE = re.compile(r"^(~\$|\.|thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
# 活动报名+张三, also saved twice or copied: 活动报名+张三(1), 活动报名+张三 - 副本, … - Copy (2)
_FILE_NAME_RULE = re.compile(
    r"^活动报名\s*[+＋]\s*(?P<name>.+?)(\s*[-_－]?\s*(副本|copy)|\s*[(（]\d+[)）])*$", re.IGNORECASE
)
_CHECKED = re.compile(r"[☑■√✓✔▣☒]\s*([^□☐☑■√✓✔▣☒\s]+)")
_UNCHECKED = "□☐"
_CHINA = dt.timezone(dt.timedelta(hours=8))


# ---------------------------------------------------------------- the synonym table


@dataclass(frozen=True)
class Vocabulary:
    fields: dict[str, str]  # normalised header text → field
    ignored: frozenset[str]
    document_types: dict[str, str]  # normalised 证件类型 text → document type code
    totals: tuple[str, ...]
    notes: tuple[str, ...]


# an online form's question number (问卷星: `1、姓名`, `Q2.手机号码`, `第3题 工作单位`) and its
# wording around the field (`您的姓名`, `请填写身份证号`)
_QUESTION_NUMBER = re.compile(
    r"^(?:q?\d{1,3}(?=\D)|第\d{1,3}题)[、.．:：)）\s]*|^(?:您的|请填写|请输入|请选择)"
)
# a bilingual header: `姓名 Name`, `身份证号\nID No.` → the Chinese part
_TRAILING_LATIN = re.compile(r"^(?P<zh>.*[^\x00-\x7f])[a-z][a-z .'/-]*$")


def header_key(cell: Any) -> str:
    """`姓  名`, `身份证号（必填）`, `*E-mail：`, `1、您的姓名` → `姓名`, `身份证号`, `e-mail`, `姓名`."""
    text = unicodedata.normalize("NFKC", str(cell if cell is not None else ""))
    text = re.sub(r"\([^)]*\)|【[^】]*】|\[[^\]]*\]|〔[^〕]*〕", "", text)
    text = re.sub(r"\s+", "", text).lower().strip("*:：").strip()
    while (bare := _QUESTION_NUMBER.sub("", text, count=1)) != text and bare:
        text = bare.strip("*:：")
    return text


@cache
def vocabulary() -> Vocabulary:
    with (data_dir() / "import_headers.toml").open("rb") as fh:
        table = tomllib.load(fh)
    fields = {header_key(word): name for name, words in table["fields"].items() for word in words}
    documents = {header_key(word): code for code, words in table["document_types"].items() for word in words}
    return Vocabulary(
        fields=fields,
        ignored=frozenset(header_key(w) for w in table["ignored"]["known"]),
        document_types=documents,
        totals=tuple(table["notes"]["totals"]),
        notes=tuple(table["notes"]["notes"]),
    )


def field_for(cell: Any) -> str | None:
    """The field a header cell or form label names, or None."""
    if cell is None or isinstance(cell, int | float | dt.date):
        return None
    key = header_key(cell)
    if not key or len(key) > 30:
        return None
    fields = vocabulary().fields
    found = fields.get(key)
    if found is None and (bilingual := _TRAILING_LATIN.match(key)) is not None:
        found = fields.get(bilingual.group("zh"))
    if found is None and ("/" in key or "、" in key):
        # 联系电话/手机, 身份证号码/证件号码: every part names the same field (性别/民族 is not read)
        named = {fields.get(part) for part in re.split(r"[/、]", key)}
        found = named.pop() if len(named) == 1 else None
    return found


def document_type_for(text: str) -> str | None:
    return vocabulary().document_types.get(header_key(text))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_cell(value: Any) -> Any:
    """Trim ASCII and full-width spaces (U+3000) around text; other values pass through."""
    if isinstance(value, str):
        return value.strip().strip("\u3000\ufeff\xa0").strip()
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not clean_cell(value))


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(clean_cell(str(value)))


# ---------------------------------------------------------------- what a reader returns


@dataclass
class Table:
    """Rows of sign-ups from one sheet, one form or one group table.

    `rows` yields (row number as Excel or the form shows it, values); `columns` maps a field to
    the index in values. For a form, `places` says where each field's value is written.
    """

    source: str
    sheet: str | None
    columns: dict[str, int]
    rows: Iterable[tuple[int, list[Any]]]
    labels: dict[int, str] = field(default_factory=dict)  # column index → header text as written
    header_row: int = 0
    ignored: list[tuple[str, str]] = field(
        default_factory=list
    )  # header cells not read: (text, column letter)
    skipped: list[tuple[int, str, str]] = field(
        default_factory=list
    )  # (row, kind, text) filled while reading
    blank: int = 0  # blank rows skipped, counted while reading
    form: bool = False
    places: dict[str, str] = field(default_factory=dict)  # form field → "D4" (sheet) or the label (docx)
    shared: dict[str, Any] = field(default_factory=dict)  # form values every person of a group form inherits
    group: bool = False
    table_no: int | None = None  # the n-th table of a Word document


@dataclass
class SheetNote:
    """What came of one sheet of a workbook: `table` or why nothing was read from it."""

    name: str
    status: str  # "table", "form", "no_header", "near_header", "empty", …
    detail: str = ""
    workbook: bool = False  # a sheet of a workbook (else a file, a form or a mail)
    table_no: int | None = None  # the n-th table of a Word document (a group form)


@dataclass
class Source:
    """One file (or one attachment of a mail) as read."""

    file: str
    tables: list[Table] = field(default_factory=list)
    sheets: list[SheetNote] = field(default_factory=list)
    encoding: str = ""
    received_at: str | None = None  # a mail's Date, for forms without a sign-up time
    form_file: bool = False  # a registration form (the file-name rule 活动报名+姓名 applies)
    file_stem: str = ""


# ---------------------------------------------------------------- finding the header


@dataclass
class _Header:
    row: int  # index in the grid
    rows_used: int  # 1, or 2 for a two-row (merged) header
    columns: dict[str, int]
    labels: dict[int, str]
    ignored: list[tuple[str, str]]


def _map_row(cells: list[Any]) -> tuple[dict[str, int], dict[int, str], list[tuple[str, str]]]:
    columns: dict[str, int] = {}
    labels: dict[int, str] = {}
    ignored: list[tuple[str, str]] = []
    for index, cell in enumerate(cells):
        if _is_empty(cell):
            continue
        text = re.sub(r"\s+", " ", _as_text(cell))
        name = field_for(cell)
        if name and name not in columns:
            columns[name] = index
            labels[index] = text
        else:
            ignored.append((text, column_letter(index)))
    return columns, labels, ignored


def _two_row_labels(top: list[Any], below: list[Any]) -> list[Any]:
    """A merged group header over a row of sub-headers (证件 over 类型 | 号码) → one label per column."""
    width = max(len(top), len(below))
    filled: list[Any] = []
    last: Any = None
    for i in range(width):
        cell = top[i] if i < len(top) else None
        if not _is_empty(cell):
            last = cell
        filled.append(
            cell if not _is_empty(cell) else (last if i < len(below) and not _is_empty(below[i]) else None)
        )
    out: list[Any] = []
    for i in range(width):
        upper = filled[i]
        lower = below[i] if i < len(below) else None
        choices = [f"{_as_text(upper)}{_as_text(lower)}", lower, upper]
        out.append(
            next(
                (c for c in choices if not _is_empty(c) and field_for(c)),
                lower if not _is_empty(lower) else upper,
            )
        )
    return out


def _sub_headers(cells: list[Any]) -> bool:
    """A row of sub-headers only (手机 | 邮箱 under a merged 联系方式), no person's values in it."""
    filled = [c for c in cells if not _is_empty(c)]
    if not filled or not any(field_for(c) for c in filled):
        return False
    return all(field_for(c) or header_key(c) in vocabulary().ignored for c in filled)


def _is_form_row(cells: list[Any], columns: dict[str, int]) -> bool:
    """`姓名 | 张三 | 证件号码 | …`: a label followed by its value, not a header."""
    index = columns["name"]
    right = next((c for c in cells[index + 1 :] if not _is_empty(c)), None)
    if right is None:
        return False
    return field_for(right) is None and header_key(right) not in vocabulary().ignored


def find_header(grid: list[list[Any]]) -> tuple[_Header | None, tuple[int, dict[str, int]] | None]:
    """The header row among the first rows; else the best near miss (row, fields found) for the message."""
    near: tuple[int, dict[str, int]] | None = None
    top = grid[:HEADER_SEARCH_ROWS]
    for i, cells in enumerate(top):
        columns, labels, ignored = _map_row(cells)
        rows_used = 1
        below_alone = _map_row(grid[i + 1])[0] if i + 1 < len(grid) else {}
        if (
            not all(f in columns for f in REQUIRED)
            and not all(f in below_alone for f in REQUIRED)
            and i + 1 < len(grid)
        ):
            merged = _two_row_labels(cells, grid[i + 1])
            columns2, labels2, ignored2 = _map_row(merged)
            if all(f in columns2 for f in REQUIRED) and len(columns2) > len(columns):
                columns, labels, ignored, rows_used, cells = columns2, labels2, ignored2, 2, merged
        elif all(f in columns for f in REQUIRED) and i + 1 < len(grid) and _sub_headers(grid[i + 1]):
            # 联系方式 merged over 手机 | 邮箱: the second row is header, not a person
            merged = _two_row_labels(cells, grid[i + 1])
            columns2, labels2, ignored2 = _map_row(merged)
            if all(f in columns2 for f in REQUIRED) and len(columns2) >= len(columns):
                columns, labels, ignored, rows_used, cells = columns2, labels2, ignored2, 2, merged
        if all(f in columns for f in REQUIRED):
            if _is_form_row(cells, columns):
                return None, None
            return _Header(i, rows_used, columns, labels, ignored), None
        better = near is None or len(columns) > len(near[1])
        if "name" in columns and len(columns) >= 2 and better and not _is_form_row(cells, columns):
            near = (i, columns)
    return None, near


_DOCUMENT_LIKE = re.compile(r"[0-9A-Z]{5,}")


@cache
def _total_initials() -> frozenset[str]:
    """The first characters of the totals words, either case and width (合, 总, 小, 共, t, Ｔ …)."""
    found: set[str] = set()
    for word in vocabulary().totals:
        for c in {word[0], word[0].upper(), word[0].lower()}:
            found.add(c)
            if c.isascii() and c.isalpha():
                found.add(chr(ord(c) + 0xFEE0))  # its full-width form
    return frozenset(found)


def _is_total(text: Any) -> bool:
    """`合计`, `合计：3人`, `小计`, `Total`: the first words of a totals row."""
    plain = unicodedata.normalize("NFKC", _as_text(text)).lower()
    return any(plain.startswith(w) for w in vocabulary().totals)


def _document_like(value: Any) -> bool:
    """Whether a cell may hold an identity document number (not a count such as `3人` or `12`)."""
    plain = re.sub(r"[\s-]", "", unicodedata.normalize("NFKC", _as_text(value))).upper()
    return bool(_DOCUMENT_LIKE.search(plain))


def _row_kind(values: list[Any], header: _Header) -> tuple[str, str] | None:
    """A row that is not a person: blank, a repeated header, a totals row or a note."""
    name_at = header.columns["name"]
    id_at = header.columns["id_number"]
    if name_at < len(values) and id_at < len(values):
        # the common case, a person's row, decided without looking at every cell
        name_cell, number_cell = values[name_at], values[id_at]
        if isinstance(name_cell, str) and not _is_empty(name_cell) and not _is_empty(number_cell):
            if header.labels.get(name_at) == re.sub(r"\s+", " ", clean_cell(name_cell)):
                return "header", ""
            if name_cell.lstrip()[:1] not in _total_initials() or not _is_total(name_cell):
                return None  # a person's row: decided on its first character, as most are
            if _document_like(number_cell):
                return None
    texts = [(i, _as_text(v)) for i, v in enumerate(values) if not _is_empty(v)]
    used = set(header.columns.values())
    ignorable = vocabulary().ignored
    if all(i not in used and (header_key(t) in ignorable or t.isdigit()) for i, t in texts):
        return "blank", ""
    name = _as_text(values[name_at]) if name_at < len(values) else ""
    number = _as_text(values[id_at]) if id_at < len(values) else ""
    if name and field_for(name) == "name" and field_for(number) == "id_number":
        return "header", ""
    first = texts[0][1] if not texts[0][1].isdigit() or len(texts) == 1 else texts[1][1]
    if number and (not _is_total(first) or _document_like(number)):
        return None
    voc = vocabulary()
    if _is_total(first):
        return "total", first[:12]
    if not name or any(first.startswith(w) for w in voc.notes):
        phone_at = header.columns.get("phone")
        phone = _as_text(values[phone_at]) if phone_at is not None and phone_at < len(values) else ""
        if not name and phone:
            return None
        return "note", first[:12]
    return None


def _table_rows(
    table: Table, header: _Header, numbered: Iterable[tuple[int, list[Any]]]
) -> Iterator[tuple[int, list[Any]]]:
    for line, values in numbered:
        kind = _row_kind(values, header)
        if kind is None:
            yield line, values
        elif kind[0] == "blank":
            table.blank += 1
        else:
            table.skipped.append((line, kind[0], kind[1]))


# ---------------------------------------------------------------- forms (label cell → value cell)


def _checked_choice(text: str) -> str:
    """`☑居民身份证 □护照` → `居民身份证`; text without check boxes passes through."""
    if not any(box in text for box in _UNCHECKED + "☑■√✓✔▣☒"):
        return text
    match = _CHECKED.search(text)
    return match.group(1) if match else ""


_INLINE_LABEL = re.compile(r"(?:^|(?<=[\s,;，；、]))([^\s:;,，；、]{1,14})\s*:")


def _inline_pairs(text: str) -> list[tuple[str, str]]:
    """`姓名：张三，身份证号：…，电话：…` (one line of a mail or a paragraph, colons already
    half-width) → each known label's value, up to the next known label."""
    labels = [(m, field_for(m.group(1))) for m in _INLINE_LABEL.finditer(text)]
    if not labels or labels[0][1] is None or labels[0][0].start() > 0:
        return []  # `备注：…` or prose: its words are not boxes
    known = [(m, f) for m, f in labels if f is not None]
    pairs: list[tuple[str, str]] = []
    for i, (match, name) in enumerate(known):
        end = known[i + 1][0].start() if i + 1 < len(known) else len(text)
        pairs.append((str(name), text[match.end() : end].strip().strip(",;，；、").strip()))
    return pairs


# the label, spaces or one line break, then a value on one line
_TYPED_AFTER_LABEL = re.compile(r"^\s*([^\s:]{2,10})[ \t\u3000]*\n?[ \t\u3000]*(\S[^\n]*?)\s*$")


def form_pairs(grid: list[list[Any]]) -> dict[str, tuple[Any, int, int]]:
    """Label/value pairs of a form: field → (value, row, column index); also `姓名：张三` in one cell."""
    found: dict[str, tuple[Any, int, int]] = {}
    voc = vocabulary()
    taken: set[tuple[int, int]] = set()  # cells read as a box's value are not labels themselves
    for r, cells in enumerate(grid):
        for c, cell in enumerate(cells):
            if _is_empty(cell) or not isinstance(cell, str) or (r, c) in taken:
                continue
            name = field_for(cell)
            if name is None:
                plain = unicodedata.normalize("NFKC", cell).strip()
                inline = _inline_pairs(plain)
                if not inline and ":" not in plain and (typed := _TYPED_AFTER_LABEL.match(plain)):
                    # the value typed into the label's own cell: `姓名 张三`, `联系电话\n138…`
                    label, value = typed.group(1), typed.group(2)
                    if field_for(label) and field_for(value) is None:
                        inline = [(str(field_for(label)), value)]
                for name, value in inline:
                    if name not in found and value:
                        found[name] = (_checked_choice(value), r, c)
                continue
            if name in found:
                continue
            value_at = next((i for i in range(c + 1, len(cells)) if not _is_empty(cells[i])), None)
            if value_at is None:
                found[name] = (None, r, c + 1)
                continue
            value = cells[value_at]
            # 身份证 in the 证件类型 box is a document type, though it spells the ID-number label too
            a_type = name == "id_type" and isinstance(value, str) and document_type_for(value) is not None
            if (field_for(value) and not a_type) or header_key(value) in voc.ignored:
                found[name] = (None, r, c + 1)
            else:
                found[name] = (_checked_choice(value) if isinstance(value, str) else value, r, value_at)
                taken.add((r, value_at))
    return found


def _form_table(
    source: str,
    sheet: str | None,
    pairs: dict[str, tuple[Any, int, int]],
    *,
    cells: bool,
    labels: dict[str, str] | None = None,
) -> Table:
    names = sorted(pairs)
    values = [pairs[n][0] for n in names]
    columns = {n: i for i, n in enumerate(names)}
    if cells:
        places = {n: f"{column_letter(pairs[n][2])}{pairs[n][1] + 1}" for n in names}
    else:
        places = {n: (labels or {}).get(n, n) for n in names}
    line = pairs["name"][1] + 1 if "name" in pairs else 1
    return Table(source, sheet, columns, [(line, values)], form=True, places=places)


def _shared(pairs: dict[str, tuple[Any, int, int]]) -> dict[str, Any]:
    keep = ("organization", "phone", "email", "category", "signed_up_at", "invitation")
    return {k: pairs[k][0] for k in keep if k in pairs and not _is_empty(pairs[k][0])}


# ---------------------------------------------------------------- sheets


def _grid_tables(
    source: Source,
    sheet: str | None,
    grid: list[list[Any]],
    numbered: Iterable[tuple[int, list[Any]]] | None = None,
) -> None:
    """Find the sign-ups in one grid (a sheet): a table below its header, or a form."""
    label = sheet or source.file
    if not any(any(not _is_empty(c) for c in row) for row in grid[:HEADER_SEARCH_ROWS]):
        source.sheets.append(SheetNote(label, "empty", workbook=sheet is not None))
        return
    header, near = find_header(grid)
    if header is not None:
        start = header.row + header.rows_used
        table = Table(source.file, sheet, header.columns, [], header.labels, header.row + 1, header.ignored)
        body = (
            numbered
            if numbered is not None
            else ((i + 1, row) for i, row in enumerate(grid[start:], start=start))
        )
        table.rows = _table_rows(table, header, body)
        above = form_pairs(grid[: header.row])
        table.shared = _shared(above)
        table.group = bool(above) and "name" not in above and source.form_file
        if not table.group and "organization" in above and "name" not in above:
            # a group form made in Excel: the unit's boxes above a table of people, sent as
            # 活动报名+单位 or titled 集体报名/团体报名
            titled = any(
                isinstance(c, str) and ("集体" in c or "团体" in c) for row in grid[: header.row] for c in row
            )
            if titled or name_in_file_name(source.file_stem) is not None:
                table.group = source.form_file = True
        source.tables.append(table)
        source.sheets.append(SheetNote(label, "table", str(header.row + 1), workbook=sheet is not None))
        return
    pairs = form_pairs(grid[:200])
    if "name" in pairs and "id_number" in pairs:
        source.tables.append(_form_table(source.file, sheet, pairs, cells=True))
        source.sheets.append(SheetNote(label, "form", workbook=sheet is not None))
        source.form_file = True
        return
    if near is not None:
        row, columns = near
        missing = [f for f in REQUIRED if f not in columns]
        source.sheets.append(
            SheetNote(label, "near_header", f"{row + 1}:{','.join(missing)}", workbook=sheet is not None)
        )
        return
    source.sheets.append(SheetNote(label, "no_header", workbook=sheet is not None))


def _calamine_failed(exc: BaseException) -> bool:
    """An error from the Rust reader: its own exception types, or a panic on a damaged file,
    which pyo3 raises as a BaseException. Ctrl+C and exits pass through."""
    return not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


MAX_FILE = 256 << 20  # 100,000 sign-ups as CSV are some 10 MB; a mail with attachments a few
MAX_SHEET_XML = 512 << 20  # a sheet's XML, inflated; 100,000 sign-ups take some 40 MB
MAX_SHEET_CELLS = 10_000_000  # the reader holds a sheet's whole rectangle: refuse one this large
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]{1,3})([0-9]+)(?::([A-Z]{1,3})([0-9]+))?"')
# a cell holding something (a value, an inline string or a formula), not only a format
_VALUE_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|is|f)[ >]')
_SHEET_ENTRY = re.compile(rb'<(?:\w+:)?sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_RELATION = re.compile(
    rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"'
    rb'|<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"'
)


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _check_extent(package: zipfile.ZipFile, only_sheet: str | None) -> None:
    """Refuse an .xlsx whose sheet spans more cells than can be held — a stray value typed far
    away (Excel's last cell, XFD1048576) — before the reader tries to hold it all. A sheet's
    <dimension> says its extent at once; only a large one is looked at cell by cell (a far cell
    that only carries a format is harmless)."""
    names = set(package.namelist())
    if "xl/workbook.xml" not in names:
        return
    sheets = {rid: name for name, rid in _SHEET_ENTRY.findall(package.read("xl/workbook.xml"))}
    targets: dict[str, bytes] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        for rid, target, target2, rid2 in _RELATION.findall(package.read("xl/_rels/workbook.xml.rels")):
            part = (target or target2).decode("utf-8", "replace").lstrip("/")
            targets[part if part.startswith("xl/") else f"xl/{part}"] = sheets.get(rid or rid2, b"")
    for part in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        sheet_name = html.unescape(targets.get(part, b"").decode("utf-8", "replace"))
        if only_sheet is not None and sheet_name and sheet_name != only_sheet:
            continue
        with package.open(part) as stream:
            head = stream.read(4096)
        found = _DIMENSION.search(head)
        if found is not None and found.group(3) is not None:
            rows = int(found.group(4)) - int(found.group(2)) + 1
            columns = _column_index(found.group(3)) - _column_index(found.group(1)) + 1
            if rows * columns <= MAX_SHEET_CELLS:
                continue
        elif found is not None:
            continue  # one cell
        low_row = low_column = 1 << 30
        high_row = high_column = -1
        far = b""
        for letters, digits in _VALUE_CELL.findall(package.read(part)):
            row, column = int(digits), _column_index(letters)
            low_row, high_row = min(low_row, row), max(high_row, row)
            low_column, high_column = min(low_column, column), max(high_column, column)
            if row == high_row or column == high_column:
                far = letters + digits
        if high_row >= 0 and (high_row - low_row + 1) * (high_column - low_column + 1) > MAX_SHEET_CELLS:
            raise CheckinError("import.sheet_too_large", sheet=sheet_name or part, cell=far.decode("ascii"))


def _read_workbook(source: Source, data: bytes, only_sheet: str | None) -> None:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    if data.startswith(b"PK\x03\x04"):
        # a damaged .xlsx/.ods is refused here, by its checksums, before the reader sees it
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                if any(info.file_size > MAX_SHEET_XML for info in package.infolist()):
                    # a zip bomb, or a part no sign-up list comes near: refused before inflating it
                    raise CheckinError("import.workbook_too_large", path=source.file)
                if package.testzip() is not None:
                    raise CheckinError("import.bad_workbook", path=source.file)
                _check_extent(package, only_sheet)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
            raise CheckinError("import.bad_workbook", path=source.file) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(book.sheet_names)
        hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    except BaseException as exc:
        if not _calamine_failed(exc):
            raise
        raise CheckinError("import.bad_workbook", path=source.file) from None
    if only_sheet is not None and only_sheet not in names:
        raise CheckinError("import.no_such_sheet", sheet=only_sheet, sheets=listing(names))
    for name in names:
        if only_sheet is not None and name != only_sheet:
            continue
        if only_sheet is None and name in hidden:
            # what the office cannot see in Excel is not imported unless it names the sheet
            source.sheets.append(SheetNote(name, "hidden", workbook=True))
            continue
        try:
            grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except BaseException as exc:
            if not _calamine_failed(exc):
                raise
            raise CheckinError("import.bad_workbook", path=source.file) from None
        _grid_tables(source, name, [list(row) for row in grid])
    source.encoding = "workbook"


# ---------------------------------------------------------------- CSV and text


def detect_encoding(data: bytes) -> str:
    """A BOM says so (UTF-8, UTF-16); else UTF-8, then GB18030 (a superset of GBK).

    Decodes in chunks and throws the text away, so a large file is never held twice.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data[:4096].count(b"\x00") > len(data[:4096]) // 4 and len(data) % 2 == 0:
        # UTF-16 without a BOM: every other byte of CJK-free text is zero
        return "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    if b"\x00" in data[:4096]:
        raise CheckinError("import.not_a_table", path="")
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for start in range(0, len(data), 1 << 20):
                decoder.decode(data[start : start + (1 << 20)])
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise CheckinError("import.undecodable")


def _delimiter(sample: str) -> str:
    """Tab, comma or semicolon: the one that splits the sample's lines into the most cells."""
    lines = [line for line in sample.splitlines()[: HEADER_SEARCH_ROWS + 5] if line.strip()]
    best, score = ",", 0
    for candidate in ("\t", ",", ";"):
        most = max((line.count(candidate) for line in lines), default=0)
        if most > score:
            best, score = candidate, most
    return best


def _read_text(source: Source, data: bytes) -> None:
    try:
        encoding = detect_encoding(data)
    except CheckinError as exc:
        if exc.key == "import.not_a_table":
            raise CheckinError("import.not_a_table", path=source.file) from None
        raise
    # decoded as it is read: a 100,000-row file is never held as bytes and text at once
    stream_in = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        sample = stream_in.read(16384).lstrip("\ufeff")
    except UnicodeDecodeError:
        raise CheckinError("import.undecodable") from None
    stream_in.seek(0)
    reader = csv.reader(stream_in, delimiter=_delimiter(sample))
    head: list[tuple[int, list[Any]]] = []

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for values in reader:
                if reader.line_num == 1 and values and values[0].startswith("\ufeff"):
                    values[0] = values[0][1:]
                yield reader.line_num, list(values)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise CheckinError(
                    "import.csv_cell_too_long", line=reader.line_num, limit=csv.field_size_limit()
                ) from None
            raise CheckinError("import.bad_csv", line=reader.line_num) from None
        except UnicodeDecodeError:
            raise CheckinError("import.undecodable") from None

    stream = numbered()
    for item in stream:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS + 1:
            break
    if not head:
        raise CheckinError("import.empty", path=source.file)
    grid = [values for _, values in head]
    header, _ = find_header(grid)
    rest: Iterable[tuple[int, list[Any]]] = stream
    if header is not None:
        start = header.row + header.rows_used
        rest = _chain(head[start:], stream)
    _grid_tables(source, None, grid, rest)
    source.encoding = {"utf-8-sig": "UTF-8", "gb18030": "GBK/GB18030"}.get(encoding, "UTF-16")


def _chain(
    first: list[tuple[int, list[Any]]], then: Iterator[tuple[int, list[Any]]]
) -> Iterator[tuple[int, list[Any]]]:
    yield from first
    yield from then


# ---------------------------------------------------------------- .docx forms


_DOCX_LIMIT = 20 << 20  # a form's text part is a few kB; refuse a zip bomb before inflating it


def _docx_body(source: Source, data: bytes) -> Any:
    """The body of word/document.xml, parsed by python-docx's own (entity-safe) XML parser.

    Only this one part is read: opening the whole package (styles, theme, fonts) would take
    three times as long for a folder of a thousand forms, and a form's boxes are all here."""
    from docx.oxml.parser import parse_xml

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            info = package.getinfo(_docx_main_part(package))
            if info.file_size > _DOCX_LIMIT:
                raise CheckinError("import.bad_docx", path=source.file)
            xml = package.read(info)
        return parse_xml(xml).body
    except CheckinError:
        raise
    except Exception:  # a damaged package or XML
        raise CheckinError("import.bad_docx", path=source.file) from None


_MAIN_PART = re.compile(
    rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"|Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"'
)


def _docx_main_part(package: zipfile.ZipFile) -> str:
    """The document's main part: word/document.xml, or what the package's relationships name
    (some editors write word/document2.xml)."""
    names = set(package.namelist())
    if "word/document.xml" in names:
        return "word/document.xml"
    rels = package.getinfo("_rels/.rels")
    if rels.file_size > _DOCX_LIMIT:
        raise KeyError(rels.filename)
    match = _MAIN_PART.search(package.read(rels))
    if match is None:
        raise KeyError("officeDocument")
    return (match.group(1) or match.group(2)).decode("utf-8", "replace")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# what a paragraph's text is made of, wherever it sits in the paragraph: in a run, a content
# control (w:sdt), a tracked insertion (w:ins), a hyperlink or a field; deleted text is w:delText
_TEXT_TAGS = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n"}
# elements that wrap a table, row, cell or paragraph without being one: a content control
# (Word forms), a tracked insertion, custom XML
_WRAPPERS = (f"{_W}sdt", f"{_W}sdtContent", f"{_W}ins", f"{_W}customXml", f"{_W}smartTag")


def _word_children(parent: Any, tag: str) -> Iterator[Any]:
    """The children of `parent` named `tag`, also those inside content controls and other
    wrappers (a Word form's boxes are often content controls around cells or rows)."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _word_children(child, tag)


def _paragraph_text(p: Any) -> str:
    return "".join(
        (node.text or "") if (fixed := _TEXT_TAGS[node.tag]) is None else fixed
        for node in p.iter(*_TEXT_TAGS)
    )


def _docx_text(element: Any) -> str:
    """The text of a cell or paragraph, paragraphs joined by line breaks; a table inside a cell
    is read as a table of its own, not as the cell's text."""
    if element.tag == f"{_W}p":
        return _paragraph_text(element)
    return "\n".join(_paragraph_text(p) for p in _word_children(element, f"{_W}p"))


def _docx_grid(tbl: Any) -> list[list[Any]]:
    """A Word table as rows of cell texts on its grid: a merged cell's text in its first grid
    column, "" in the columns it spans and in the rows it is merged down into."""
    from docx.oxml.ns import qn

    grid: list[list[Any]] = []
    for tr in _word_children(tbl, qn("w:tr")):
        cells: list[Any] = []
        for tc in _word_children(tr, qn("w:tc")):
            continued = tc.vMerge == "continue"
            cells.append("" if continued else _docx_text(tc))
            cells.extend("" for _ in range(max(int(tc.grid_span), 1) - 1))
        grid.append(cells)
    return grid


def _read_docx(source: Source, data: bytes) -> None:
    from docx.oxml.ns import qn

    body = _docx_body(source, data)
    source.form_file = True
    source.encoding = "docx"
    pairs: dict[str, tuple[Any, int, int]] = {}
    labels: dict[str, str] = {}
    group_tables: list[Table] = []
    # a form filled in twice in one file (two people, the table copied): each is a person
    people: list[tuple[int, dict[str, tuple[Any, int, int]], dict[str, str]]] = []
    # every table in document order, also one inside another's cell (a form drawn in a frame)
    for number, word_table in enumerate(body.iter(qn("w:tbl")), start=1):
        grid = _docx_grid(word_table)
        header, _ = find_header(grid)
        if header is not None:
            start = header.row + header.rows_used
            found = Table(
                source.file, None, header.columns, [], header.labels, header.row + 1, header.ignored,
                group=True, table_no=number,
            )  # fmt: skip
            found.rows = _table_rows(
                found, header, ((i + 1, r) for i, r in enumerate(grid[start:], start=start))
            )
            group_tables.append(found)
            above = form_pairs(grid[: header.row])
        else:
            above = form_pairs(grid)
        if all(not _is_empty(above.get(f, (None,))[0]) for f in REQUIRED):
            people.append((number, above, {name: _label_at(grid, value) for name, value in above.items()}))
        for name, value in above.items():
            if name not in pairs or _is_empty(pairs[name][0]):
                pairs[name] = value
                labels[name] = _label_at(grid, value)
    texts = (_docx_text(p) for p in _word_children(body, qn("w:p")))
    paragraphs = [[text] for text in texts if ":" in text or "：" in text]
    for name, value in form_pairs(paragraphs).items():
        if name not in pairs or _is_empty(pairs[name][0]):
            pairs[name] = value
            labels[name] = _as_text(paragraphs[value[1]][0]).split("：")[0].split(":")[0]
    if group_tables:
        shared = _shared(pairs)
        for table in group_tables:
            table.shared = shared
            source.tables.append(table)
            source.sheets.append(
                SheetNote(
                    f"{source.file} #{table.table_no}",
                    "table",
                    str(table.header_row),
                    table_no=table.table_no,
                )
            )
        return
    if "name" not in pairs and "id_number" not in pairs:
        source.sheets.append(SheetNote(source.file, "no_form"))
        return
    if len(people) > 1 and not group_tables:
        for number, own, own_labels in people:
            # boxes this copy leaves out (a sign-up time in a paragraph below) come from the file
            merged = {**{k: v for k, v in pairs.items() if k not in own}, **own}
            table = _form_table(source.file, None, merged, cells=False, labels={**labels, **own_labels})
            table.table_no = number
            source.tables.append(table)
            source.sheets.append(SheetNote(f"{source.file} #{number}", "form", table_no=number))
        return
    source.tables.append(_form_table(source.file, None, pairs, cells=False, labels=labels))
    source.sheets.append(SheetNote(source.file, "form"))


def _label_at(grid: list[list[Any]], value: tuple[Any, int, int]) -> str:
    _, r, c = value
    row = grid[r]
    for i in range(min(c, len(row)) - 1, -1, -1):
        if field_for(row[i]):
            return re.sub(r"\s+", "", _as_text(row[i]))
    return ""


# ---------------------------------------------------------------- mail


_MAIL_DEPTH = 3  # a mail forwarded as an attachment, inside another: read this deep, no deeper


def _mail_date(message: EmailMessage) -> str | None:
    try:
        when = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(_CHINA).replace(tzinfo=None)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def _attachment_name(part: EmailMessage) -> str:
    """The attachment's file name; one written in raw GBK (or UTF-8) bytes, as older Chinese mail
    clients and OA systems send it, is decoded from those bytes instead of shown as ����."""
    filename = part.get_filename() or ""
    if not filename or ("\ufffd" not in filename and not any("\udc80" <= ch <= "\udcff" for ch in filename)):
        return filename
    for key, value in part.raw_items():
        if key.lower() not in ("content-disposition", "content-type"):
            continue
        found = re.search(r'(?:file)?name="([^"]+)"', value) or re.search(r"(?:file)?name=([^;\s]+)", value)
        if not found:
            continue
        raw = found.group(1).encode("ascii", "surrogateescape")
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return filename


def _mail_sources(
    message: EmailMessage, name: str, only_sheet: str | None, received: str | None, depth: int
) -> list[Source]:
    """The forms a mail holds: its attachments, those of a mail forwarded as an attachment
    (with that mail's own Date, when the person sent it), else a form typed into its text."""
    received = _mail_date(message) or received
    sources: list[Source] = []
    for part in message.iter_attachments():
        if part.get_content_type() == "message/rfc822":
            try:
                inner = part.get_content()
            except (LookupError, ValueError, TypeError):
                continue
            if isinstance(inner, EmailMessage) and depth < _MAIL_DEPTH:
                sources.extend(_mail_sources(inner, name, only_sheet, received, depth + 1))
            continue
        filename = _attachment_name(part)
        if not filename:
            continue
        try:
            payload = part.get_content()
        except (LookupError, ValueError):
            continue
        if isinstance(payload, str):
            payload = payload.encode("utf-8")
        if not isinstance(payload, bytes):
            continue
        shown = f"{name} / {filename}"
        if filename.lower() == "winmail.dat":
            # Outlook's rich-text wrapper: the form inside it cannot be reached
            refused = Source(shown)
            refused.sheets.append(SheetNote(shown, "refused", CheckinError("import.winmail").message()))
            sources.append(refused)
            continue
        try:
            source = read_bytes(payload, filename, only_sheet, shown=shown)
        except CheckinError as exc:
            refused = Source(shown)
            refused.sheets.append(SheetNote(shown, "refused", exc.message()))
            sources.append(refused)
            continue
        source.received_at = received
        sources.append(source)
    if sources:
        return sources
    try:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
    except (LookupError, ValueError, TypeError):
        text = ""
    # a form typed into the mail itself: the rule 活动报名+姓名 is checked against the saved mail's name
    pairs = form_pairs([[line] for line in str(text).splitlines()])
    if "name" not in pairs or "id_number" not in pairs:
        pairs = _html_body_pairs(message)  # the form pasted from Word into an HTML mail
    if "name" in pairs and "id_number" in pairs:
        source = Source(
            name, received_at=received, encoding="mail", form_file=True, file_stem=Path(name).stem
        )
        source.tables.append(_form_table(name, None, pairs, cells=False))
        source.sheets.append(SheetNote(name, "form"))
        return [source]
    return []


def _html_body_pairs(message: EmailMessage) -> dict[str, tuple[Any, int, int]]:
    """The boxes of a form pasted into an HTML mail (the table copied from Word, or
    `姓名：张三<br>` lines of a mail sent without a plain-text part)."""
    from lxml import etree, html  # type: ignore[import-untyped]

    try:
        part = message.get_body(preferencelist=("html",))
        markup = part.get_content() if part is not None else ""
    except (LookupError, ValueError, TypeError):
        return {}
    if not isinstance(markup, str) or not markup.strip() or len(markup) > _HTML_LIMIT:
        return {}
    markup = re.sub(r"^\s*<\?xml[^>]*>", "", markup)
    try:
        root = html.document_fromstring(markup, parser=html.HTMLParser(no_network=True, huge_tree=False))
    except (ValueError, etree.ParserError):
        return {}
    for grid in _html_grids(root):
        pairs = form_pairs(grid)
        if "name" in pairs and "id_number" in pairs:
            return pairs
    for br in root.iter("br"):  # lines: a break, and the end of each paragraph, cell and row
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "tr", "li", "td", "th", "h1", "h2", "h3"):
        block.tail = "\n" + (block.tail or "")
    text = unicodedata.normalize("NFKC", root.text_content()).replace("\xa0", " ")
    return form_pairs([[line] for line in text.splitlines() if line.strip()])


def _read_mail(data: bytes, name: str, only_sheet: str | None) -> list[Source]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    if not isinstance(message, EmailMessage):
        raise CheckinError("import.bad_mail", path=name)
    sources = _mail_sources(message, name, only_sheet, None, 0)
    if not sources:
        source = Source(name, received_at=_mail_date(message), encoding="mail", file_stem=Path(name).stem)
        source.sheets.append(SheetNote(name, "no_attachment"))
        sources.append(source)
    return sources


# ---------------------------------------------------------------- entry points


def _kind(data: bytes, suffix: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                names = set(package.namelist())
                mimetype = package.read("mimetype").decode("ascii", "replace") if "mimetype" in names else ""
        except (zipfile.BadZipFile, zlib.error, KeyError, OSError, EOFError, ValueError, NotImplementedError):
            return "bad_zip"
        if any(n.startswith("word/") for n in names):
            return "docx"
        if "xl/workbook.xml" in names or "spreadsheet" in mimetype:
            return "workbook"
        if mimetype.startswith("application/vnd.oasis.opendocument"):
            return "unsupported"  # a Writer .odt: said what to save it as
        return "other_zip"
    if data.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE file: .xls, or an old .doc / Outlook .msg
        if suffix in (".doc", ".msg", ".wps") or any(name in data for name in _OLE_NOT_A_SHEET):
            return "old_office"  # also a .doc or .msg renamed .docx or .xls
        return "workbook"
    if suffix in MAIL_SUFFIXES:
        return "mail"
    if _SPREADSHEET_ML in data[:4096] and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return "spreadsheet_ml"  # Excel 2003's XML Spreadsheet, which older web systems export as .xls
    if _HTML_TABLE.search(data[: 1 << 20]) and data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return "html"  # a web system's "Excel" export: an HTML page with a table, named .xls
    if suffix in (".pdf", ".doc", ".wps", ".odt", ".numbers", ".msg", *_ARCHIVES, *_IMAGES):
        return "unsupported"
    return "text"


_ARCHIVES = (".zip", ".rar", ".7z", ".gz", ".tar")
_IMAGES = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".heic", ".webp", ".tif", ".tiff")
_OLE_NOT_A_SHEET = ("WordDocument".encode("utf-16-le"), "__substg1.0_".encode("utf-16-le"))
_HTML_TABLE = re.compile(rb"<table[\s>]", re.IGNORECASE)
_HTML_LIMIT = 20 << 20
_SPREADSHEET_ML = b"urn:schemas-microsoft-com:office:spreadsheet"
_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"


def _read_spreadsheet_ml(source: Source, data: bytes, only_sheet: str | None) -> None:
    """Excel 2003's XML Spreadsheet (<Workbook><Worksheet ss:Name><Table><Row><Cell><Data>):
    every worksheet read like a sheet of a workbook, a cell's ss:Index and ss:MergeAcross kept
    so each value stays in its column."""
    from lxml import etree

    if len(data) > _HTML_LIMIT:
        raise CheckinError("import.bad_workbook", path=source.file)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        raise CheckinError("import.bad_workbook", path=source.file) from None
    sheets = [(w.get(f"{_SS}Name") or str(n), w) for n, w in enumerate(root.iter(f"{_SS}Worksheet"), start=1)]
    names = [name for name, _ in sheets]
    if only_sheet is not None and only_sheet not in names:
        raise CheckinError("import.no_such_sheet", sheet=only_sheet, sheets=listing(names))
    for name, worksheet in sheets:
        if only_sheet is not None and name != only_sheet:
            continue
        grid: list[list[Any]] = []
        for row in worksheet.iter(f"{_SS}Row"):
            at = _html_span(row.get(f"{_SS}Index"))  # a row may say which row it is (1-based)
            while len(grid) < min(at, len(grid) + 1_000) - 1:
                grid.append([])
            cells: list[Any] = []
            for cell in row.iter(f"{_SS}Cell"):
                index = cell.get(f"{_SS}Index")
                if index is not None and index.isdigit():
                    cells.extend("" for _ in range(min(int(index), 16_384) - 1 - len(cells)))
                value = "".join(cell.itertext()).strip()
                cells.append(value)
                across = cell.get(f"{_SS}MergeAcross")
                if across is not None and across.isdigit():
                    cells.extend("" for _ in range(min(int(across), 100)))
            grid.append(cells)
        _grid_tables(source, name, grid)
    source.encoding = "workbook"


def _html_grids(root: Any) -> list[list[list[Any]]]:
    """Each HTML table that holds no other table, as a grid; a merged cell (colspan, rowspan) is
    laid out as Excel would."""
    grids: list[list[list[Any]]] = []
    for table in root.iter("table"):
        if table.xpath(".//table"):
            continue
        grid: list[list[Any]] = []
        below: dict[int, tuple[int, str]] = {}  # column → (rows still covered, text) of a rowspan
        for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
            row: list[Any] = []
            cells = iter(tr.xpath("./td | ./th"))
            column = 0
            while True:
                if column in below:
                    left, _ = below[column]
                    row.append("")
                    if left <= 1:
                        del below[column]
                    else:
                        below[column] = (left - 1, "")
                    column += 1
                    continue
                cell = next(cells, None)
                if cell is None:
                    break
                value = re.sub(r"[ \t\r\n\xa0]+", " ", cell.text_content()).strip()
                span = _html_span(cell.get("colspan"))
                down = _html_span(cell.get("rowspan"))
                for offset in range(span):
                    row.append(value if offset == 0 else "")
                    if down > 1:
                        below[column + offset] = (down - 1, "")
                column += span
            grid.append(row)
        if any(any(c for c in row) for row in grid):
            grids.append(grid)
    return grids


def _read_html(source: Source, data: bytes) -> None:
    """The tables of an HTML page saved as .xls by a web system (OA, 报名系统): each table that
    holds no other table is read like a sheet; a merged cell (colspan, rowspan) is laid out on
    the grid as Excel would."""
    from lxml import etree, html

    if len(data) > _HTML_LIMIT:
        raise CheckinError("import.not_a_table", path=source.file)
    try:
        text = data.decode(detect_encoding(data)).lstrip("\ufeff")
        text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml takes no encoding declaration in a str
        root = html.document_fromstring(text, parser=html.HTMLParser(no_network=True, huge_tree=False))
    except (CheckinError, ValueError, etree.ParserError, UnicodeDecodeError):
        raise CheckinError("import.not_a_table", path=source.file) from None
    for grid in _html_grids(root):
        _grid_tables(source, None, grid)
    if not source.sheets:
        raise CheckinError("import.not_a_table", path=source.file)
    source.encoding = "html"


def _html_span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 100)
    except ValueError:
        return 1


def read_bytes(data: bytes, name: str, only_sheet: str | None = None, *, shown: str | None = None) -> Source:
    """Read one file's contents (a sheet, a form, CSV) into tables; CheckinError if it cannot be read."""
    suffix = Path(name).suffix.lower()
    source = Source(shown or name, file_stem=Path(name).stem)
    if not data:
        raise CheckinError("import.empty", path=source.file)
    kind = _kind(data, suffix)
    if kind == "workbook":
        _read_workbook(source, data, only_sheet)
    elif kind == "docx":
        _read_docx(source, data)
    elif kind == "html":
        _read_html(source, data)
    elif kind == "spreadsheet_ml":
        _read_spreadsheet_ml(source, data, only_sheet)
    elif kind == "old_office" and suffix not in (".doc", ".msg", ".wps"):
        raise CheckinError("import.old_office_renamed", path=source.file, suffix=suffix or "?")
    elif kind == "text":
        _read_text(source, data)
    elif suffix in _ARCHIVES or (kind == "other_zip" and suffix not in (*SHEET_SUFFIXES, ".docx")):
        raise CheckinError("import.archive", path=source.file)  # a zip of forms, named anything
    elif kind in ("bad_zip", "other_zip") and suffix == ".docx":
        raise CheckinError("import.bad_docx", path=source.file)
    elif kind in ("bad_zip", "other_zip"):
        raise CheckinError("import.bad_workbook", path=source.file)
    else:
        if suffix in _IMAGES:
            raise CheckinError("import.image", path=source.file)
        raise CheckinError("import.unsupported", suffix=suffix or name)
    source.file_stem = Path(name).stem
    return source


def read_path(path: str | Path, only_sheet: str | None = None) -> list[Source]:
    """Read a file (a mail may hold several) into sources; CheckinError if it cannot be read at all."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    try:
        if path.stat().st_size > MAX_FILE:
            # a video or a disk image saved beside the forms: not read into memory to find out
            raise CheckinError("import.file_too_large", path=path.name, size=path.stat().st_size >> 20)
        data = path.read_bytes()
    except OSError:
        # open in Excel or WPS on Windows (locked), no permission, a network drive gone
        raise CheckinError("import.cannot_read", path=path.name) from None
    if path.suffix.lower() in MAIL_SUFFIXES:
        return _read_mail(data, path.name, only_sheet)
    return [read_bytes(data, path.name, only_sheet)]


def folder_files(folder: Path) -> list[Path]:
    """Every file in a folder of saved forms and mails (subfolders too), in name order."""
    found = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(_NOISE.match(part) for part in p.relative_to(folder).parts)
    ]
    return sorted(found, key=lambda p: str(p.relative_to(folder)))


def name_in_file_name(stem: str) -> str | None:
    """`活动报名+张三` → `张三`; None when the file name does not follow the rule."""
    match = _FILE_NAME_RULE.match(stem)
    return match.group("name") if match else None
