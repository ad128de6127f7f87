"""Reading sign-up sheets: CSV in any encoding Chinese Excel writes, and .xlsx."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checkin.errors import CheckinError

# Column name → field. Chinese headers as on the 报名表, English as in exports.
HEADERS: dict[str, str] = {
    "姓名": "name",
    "name": "name",
    "性别": "gender",
    "gender": "gender",
    "sex": "gender",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "公民身份号码": "id_number",
    "id_number": "id_number",
    "id": "id_number",
    "联系电话": "phone",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "phone": "phone",
    "工作单位": "organization",
    "单位": "organization",
    "工作单位/职业": "organization",
    "职业": "organization",
    "organization": "organization",
    "类别": "category",
    "代表类别": "category",
    "身份类别": "category",
    "category": "category",
    "报名时间": "signed_up_at",
    "signed_up_at": "signed_up_at",
    "邀请方式": "invitation",
    "invitation": "invitation",
}
REQUIRED = ("name", "id_number")


@dataclass
class Sheet:
    """Field → column index, and the data rows with their line numbers in the file."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, list[Any]]]
    encoding: str


def clean_cell(value: Any) -> Any:
    """Trim ASCII and full-width spaces (U+3000) around text; other values pass through."""
    if isinstance(value, str):
        return value.strip().strip("\u3000\ufeff\xa0").strip()
    return value


def _header_key(cell: Any) -> str:
    text = unicodedata.normalize("NFKC", str(cell or "")).strip().lower()
    return text.replace(" ", "_").rstrip("*")


def map_headers(header: list[Any]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = HEADERS.get(_header_key(cell))
        if field and field not in columns:
            columns[field] = index
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        raise CheckinError("import.missing_columns", columns=", ".join(missing))
    return columns


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) first, then GB18030, a superset of GBK.

    Decodes in chunks and throws the text away, so a large file is never held twice.
    """
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


def _csv_sheet(path: Path) -> Sheet:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise CheckinError("import.not_a_table", path=str(path))
    encoding = detect_encoding(data)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    sample = stream.read(8192)
    stream.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(stream, dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise CheckinError("import.empty", path=str(path)) from None
    columns = map_headers(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for values in reader:
                yield reader.line_num, values
        except csv.Error as exc:
            raise CheckinError("import.bad_csv", line=reader.line_num, error=str(exc)) from None

    return Sheet(columns, rows(), encoding)


def _xlsx_sheet(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CheckinError("import.bad_xlsx", path=str(path), error=str(exc)) from None
    sheet = book.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = list(next(it))
    except StopIteration:
        book.close()
        raise CheckinError("import.empty", path=str(path)) from None
    columns = map_headers(header)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for line, values in enumerate(it, start=2):
                if all(v is None or v == "" for v in values):
                    continue
                yield line, list(values)
        finally:
            book.close()

    return Sheet(columns, rows(), "xlsx")


def open_sheet(path: str | Path) -> Sheet:
    """Open a sign-up sheet, or raise CheckinError when it cannot be read at all."""
    path = Path(path)
    if not path.is_file():
        raise CheckinError("import.missing_file", path=str(path))
    with path.open("rb") as fh:
        magic = fh.read(4)
    suffix = path.suffix.lower()
    if magic == b"PK\x03\x04" or suffix in (".xlsx", ".xlsm"):
        return _xlsx_sheet(path)
    if suffix in (".xls", ".et", ".numbers", ".ods", ".pdf", ".docx"):
        raise CheckinError("import.unsupported", suffix=suffix)
    return _csv_sheet(path)
